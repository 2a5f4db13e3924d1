// Paths that name a field of a scenario in messages: `requests[0].expect.response.status`,
// with keys that are not plain identifiers quoted: `expect.filterState["wasmesh.jwt.principal"]`.

/** `path.key`, or `path["key"]` when the key holds characters other than letters, digits, `_`, `$`, `-`. */
export function sub(path: string, key: string): string {
  const plain = /^[A-Za-z_$][\w$-]*$/.test(key);
  if (path === "") return plain ? key : `[${JSON.stringify(key)}]`;
  return plain ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** `path[i]`. */
export function idx(path: string, i: number): string {
  return `${path}[${i}]`;
}

// Loads a pure-code AssemblyScript test entry (test/sdk/wasm/<name>.ts, built by
// `npm run build` into build/sdk-tests/) through its generated raw ESM bindings.
// `scalar: true` picks the build without wasm SIMD.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const buildDir = new URL("../../build/sdk-tests/", import.meta.url);

export async function loadPure<T = Record<string, any>>(name: string, opts: { scalar?: boolean } = {}): Promise<T> {
  const base = `${name}${opts.scalar ? ".scalar" : ""}`;
  const glue = await import(new URL(`${base}.js`, buildDir).href);
  const bytes = readFileSync(fileURLToPath(new URL(`${base}.wasm`, buildDir)));
  const module = await WebAssembly.compile(bytes);
  return (await glue.instantiate(module, {})) as T;
}

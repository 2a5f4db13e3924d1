#!/usr/bin/env node
// Code size of each SDK algorithm in a built module, and proof that tree-shaking keeps the
// ones a filter does not use out of it.
//
// Builds tiny in-memory entries (never written to the project), each exporting one function
// that uses exactly one algorithm, with the filters' release settings (asconfig.json: -O3,
// incremental GC, SIMD), and reports each module's size minus a baseline entry that only
// copies its input (runtime, allocator and typed arrays, which every filter has anyway).
// "all of the above" shows the sizes add up instead of one algorithm dragging in the others.
//
// Usage: node bench/sizes.bench.mjs
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

const VIRTUAL = "bench/__sizes__/";
// asconfig.json routes abort/seed/trace to the SDK's hooks (proxy_log, WASI random_get), as in
// every filter; the hooks must be part of the program.
const HOOKS = `import "../../sdk/runtime/hooks";`;
const present = (f) => existsSync(join(root, f));

// [name, imports, body of `run(a: Uint8Array, b: Uint8Array, c: Uint8Array): i32`, required files]
const ENTRIES = [
  ["baseline (runtime + typed arrays)", "", "return a.slice(0).length + b.length + c.length;", []],
  ["SHA-256", `import { sha256 } from "../../sdk/crypto/sha2";`, "return sha256(a)[0];", ["sdk/crypto/sha2.ts"]],
  ["SHA-384/512", `import { sha512, sha384 } from "../../sdk/crypto/sha2";`, "return sha512(a)[0] + sha384(b)[0];", ["sdk/crypto/sha2.ts"]],
  ["HS256 only (HmacKeyOf<Sha256>)", `import { HmacKeyOf } from "../../sdk/crypto/hmac"; import { Sha256 } from "../../sdk/crypto/sha2";`,
    "return new HmacKeyOf<Sha256>(a).verify(b, c) ? 1 : 0;", ["sdk/crypto/hmac.ts"]],
  ["HS256/384/512 (HmacKey, alg at run time)", `import { hmacVerify } from "../../sdk/crypto/hmac";`,
    "return hmacVerify(a[0] % 3, a, b, c) ? 1 : 0;", ["sdk/crypto/hmac.ts"]],
  // (The slice keeps the program allocating like the baseline: without it AssemblyScript 0.28
  // emits a shadow-stack helper call it never defines, and the module fails validation.)
  ["constant-time compare", `import { ctEqual } from "../../sdk/crypto/ct";`, "return ctEqual(a.slice(0), b) ? 1 : 0;", ["sdk/crypto/ct.ts"]],
  ["base64url decode", `import { base64UrlDecodeRange } from "../../sdk/crypto/base64";`,
    "const r = base64UrlDecodeRange(a, 0, a.length); return r === null ? -1 : r.length;", ["sdk/crypto/base64.ts"]],
  ["JSON parse", `import { parseJson } from "../../sdk/json/index";`, "return parseJson(a).ok ? 1 : 0;", ["sdk/json/parse.ts"]],
  ["JSON parse + stringify", `import { parseJson, stringify } from "../../sdk/json/index";`,
    "const r = parseJson(a); return r.value === null ? -1 : stringify(r.value!).length;", ["sdk/json/parse.ts"]],
  ["JWKS parse (+ JSON, base64)", `import { parseJwksBytes } from "../../sdk/crypto/jwk";`,
    "const r = parseJwksBytes(a); return r.set === null ? -1 : r.set!.keys.length;", ["sdk/crypto/jwk.ts"]],
  ["RSA verify (RS256)", `import { RsaPublicKey, rsaVerifyPkcs1 } from "../../sdk/crypto/rsa"; import { HashAlg } from "../../sdk/crypto/sha2";`,
    "const k = RsaPublicKey.create(a, b); return k === null ? -1 : rsaVerifyPkcs1(k, HashAlg.SHA256, c, c) ? 1 : 0;", ["sdk/crypto/rsa.ts"]],
  ["ECDSA verify (ES256)", `import { EcPublicKey, ecdsaVerify } from "../../sdk/crypto/ec/ecdsa"; import { HashAlg } from "../../sdk/crypto/sha2";`,
    "const k = EcPublicKey.create(0, a, b); return k === null ? -1 : ecdsaVerify(k, HashAlg.SHA256, c, c) ? 1 : 0;", ["sdk/crypto/ec/ecdsa.ts"]],
  ["Ed25519 verify (EdDSA)", `import { Ed25519PublicKey, ed25519Verify } from "../../sdk/crypto/ed25519";`,
    "const k = Ed25519PublicKey.create(a); return k === null ? -1 : ed25519Verify(k, b, c) ? 1 : 0;", ["sdk/crypto/ed25519.ts"]],
];

/** Binaryen prints validation details straight to the console; keep them out of the table. */
async function quietly(fn) {
  const write = process.stderr.write.bind(process.stderr);
  const log = console.log, error = console.error;
  let noise = "";
  process.stderr.write = (s) => { noise += s; return true; };
  console.log = console.error = (...a) => { noise += a.join(" ") + "\n"; };
  try {
    return await fn();
  } catch (e) {
    e.message += noise ? `\n${noise.slice(0, 2000)}` : "";
    throw e;
  } finally {
    process.stderr.write = write;
    console.log = log;
    console.error = error;
  }
}

async function build(source) {
  return quietly(() => buildLoud(source));
}

async function buildLoud(source) {
  const entry = `${VIRTUAL}entry.ts`;
  let wasm = null;
  let stderr = "";
  const { error } = await asc.main(
    [entry, "--outFile", `${VIRTUAL}entry.wasm`, "--config", "asconfig.json", "--target", "release", "--enable", "simd"],
    {
      readFile(name, baseDir) {
        const full = resolve(baseDir, name);
        if (full === resolve(root, entry)) return source;
        return existsSync(full) ? readFileSync(full, "utf8") : null;
      },
      writeFile(name, contents) {
        if (name.endsWith(".wasm")) wasm = contents;
      },
      stdout: { write: () => true },
      stderr: { write: (s) => { stderr += s; return true; } },
    },
  );
  if (error) throw new Error(`${error.message}\n${stderr}`);
  return wasm.length;
}

const rows = [];
let baseline = 0;
const all = { imports: [], bodies: [] };
for (const [name, imports, body, needs] of ENTRIES) {
  if (!needs.every(present)) {
    rows.push({ name, note: "not in this checkout" });
    continue;
  }
  const fn = `f${rows.length}`;
  const src = `${HOOKS}\n${imports}\nexport function run(a: Uint8Array, b: Uint8Array, c: Uint8Array): i32 { ${body} }\n`;
  try {
    const size = await build(src);
    if (rows.length === 0) baseline = size;
    rows.push({ name, size });
    if (rows.length > 1) {
      all.imports.push(imports);
      all.bodies.push(`export function ${fn}(a: Uint8Array, b: Uint8Array, c: Uint8Array): i32 { ${body} }`);
    }
  } catch (e) {
    rows.push({ name, note: `build failed: ${e.message.split("\n")[0]}` }); if (process.env.DEBUG) console.error(e.message);
  }
}
// Everything together; de-duplicate import lines (the same symbols imported twice is an error).
const importLines = [...new Set(all.imports.flatMap((s) => s.split(/;\s*/).filter(Boolean).map((l) => l.trim() + ";")))];
try {
  const size = await build(`${HOOKS}\n${importLines.join("\n")}\n${all.bodies.join("\n")}\n`);
  rows.push({ name: "all of the above", size });
} catch (e) {
  rows.push({ name: "all of the above", note: `build failed: ${e.message.split("\n")[0]}` });
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log("code size per algorithm (filter release settings: -O3, incremental GC, SIMD)");
const w = Math.max(...rows.map((r) => r.name.length));
console.log(`${"entry".padEnd(w)}  ${"module".padStart(9)}  ${"added".padStart(9)}`);
console.log(`${"-".repeat(w)}  ${"-".repeat(9)}  ${"-".repeat(9)}`);
for (const r of rows) {
  if (r.note) console.log(`${r.name.padEnd(w)}  ${r.note}`);
  else console.log(`${r.name.padEnd(w)}  ${kib(r.size).padStart(9)}  ${(r === rows[0] ? "-" : "+" + kib(r.size - baseline)).padStart(9)}`);
}

#!/usr/bin/env node
// Builds every AssemblyScript entry of the project:
//
//   filters/<name>/index.ts      -> build/<name>.wasm (+ .wasm.map), build/debug/<name>.wasm (+ .map)
//   test/fixtures/<name>/index.ts -> build/fixtures/<name>.wasm, build/debug/fixtures/<name>.wasm
//   test/sdk/wasm/<name>.ts       -> build/sdk-tests/<name>.{js,wasm} (raw ESM bindings; pure code,
//                                    not a proxy-wasm module) and <name>.scalar.wasm without SIMD
//
// Release builds are -O3 with the incremental GC; debug builds keep names and a source map so
// the host shim can report a trap as `file.ts:line`. An entry may add compiler flags with a first
// line `// asc: <flags>`.
//
// Usage: node scripts/build.mjs [--if-needed] [--no-simd] [--only NAME] [--quiet]
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";
import { build as esbuild } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
if (flag("--help") || flag("-h")) {
  console.log(`usage: npm run build -- [options]

Compiles filters/*/index.ts, test/fixtures/*/index.ts and test/sdk/wasm/*.ts with
AssemblyScript, and bundles the host shim and the wasmesh command with esbuild.

options:
  --if-needed   skip the build when no input changed since the last one
  --no-simd     build filters and fixtures without wasm SIMD (for hosts without it)
  --only NAME   build only the entries whose name is NAME
  --quiet       print only warnings, errors and the summary`);
  process.exit(0);
}
const simd = !flag("--no-simd") && process.env.WASMESH_SIMD !== "0";
const only = option("--only");
const quiet = flag("--quiet");

// asconfig.json holds the proxy-wasm options: the incremental GC, `_initialize` instead of a
// start section (Envoy runs it under restricted mode), and the hooks that replace
// AssemblyScript's default env imports, which Envoy does not provide (proxy-wasm-abi.md §3.16):
// abort -> proxy_log + unreachable, seed -> WASI random_get, trace -> proxy_log.
const RELEASE = ["--config", "asconfig.json", "--target", "release"];
const DEBUG = ["--config", "asconfig.json", "--target", "debug"];
// Pure-code test entries are not proxy-wasm modules: their raw JS bindings provide env.abort.
const PURE = ["--config", "test/sdk/asconfig.json", "--target", "release"];

function listDirs(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}
function listFiles(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(suffix)).sort();
}
function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}
function entryFlags(file) {
  const first = readFileSync(file, "utf8").split("\n", 1)[0];
  const m = /^\/\/\s*asc:\s*(.*)$/.exec(first);
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
}

/** Every build job: one asc invocation. */
function jobs() {
  const out = [];
  const simdFlags = simd ? ["--enable", "simd"] : [];
  for (const name of listDirs("filters")) {
    const entry = `filters/${name}/index.ts`;
    if (!existsSync(entry)) continue;
    out.push({ name, kind: "filter", entry, outFile: `build/${name}.wasm`, flags: [...RELEASE, ...simdFlags] });
    out.push({ name, kind: "filter (debug)", entry, outFile: `build/debug/${name}.wasm`, flags: [...DEBUG, ...simdFlags] });
  }
  for (const name of listDirs("test/fixtures")) {
    const entry = `test/fixtures/${name}/index.ts`;
    if (!existsSync(entry)) continue;
    out.push({ name, kind: "fixture", entry, outFile: `build/fixtures/${name}.wasm`, flags: [...RELEASE, ...simdFlags] });
    out.push({ name, kind: "fixture (debug)", entry, outFile: `build/debug/fixtures/${name}.wasm`, flags: [...DEBUG, ...simdFlags] });
  }
  for (const file of listFiles("test/sdk/wasm", ".ts")) {
    const name = file.slice(0, -3);
    const entry = `test/sdk/wasm/${file}`;
    out.push({ name, kind: "sdk test", entry, outFile: `build/sdk-tests/${name}.wasm`, flags: [...PURE, "--enable", "simd"] });
    out.push({ name, kind: "sdk test (scalar)", entry, outFile: `build/sdk-tests/${name}.scalar.wasm`, flags: [...PURE] });
  }
  return out.filter((j) => !only || j.name === only);
}

/** A digest of every input, so `--if-needed` survives fresh clones (mtimes lie there). */
function inputDigest() {
  const h = createHash("sha256");
  const files = [
    ...walk("sdk"), ...walk("filters"), ...walk("test/fixtures"), ...walk("test/sdk/wasm"), "test/sdk/asconfig.json",
    ...walk("host-shim"), ...walk("cli"),
    "scripts/build.mjs", "asconfig.json", "package-lock.json",
  ].filter((f) => existsSync(f)).sort();
  for (const f of files) {
    h.update(f);
    h.update("\0");
    h.update(readFileSync(f));
    h.update("\0");
  }
  h.update(`simd=${simd}`);
  return h.digest("hex");
}

const STAMP = "build/.inputs";
const digest = inputDigest();
if (flag("--if-needed") && !only && existsSync(STAMP) && readFileSync(STAMP, "utf8") === digest) {
  if (!quiet) console.log("build: up to date");
  process.exit(0);
}

let failed = 0;
let warnings = 0;
const rows = [];
const started = Date.now();
const all = jobs();
for (const [i, job] of all.entries()) {
  mkdirSync(dirname(job.outFile), { recursive: true });
  const argv = [job.entry, "--outFile", job.outFile, ...job.flags, ...entryFlags(job.entry)];
  let stderr = "";
  const t0 = Date.now();
  const result = await asc.main(argv, {
    stdout: { write: (s) => { if (!quiet) process.stdout.write(s); return true; } },
    stderr: { write: (s) => { stderr += s; return true; } },
  });
  const ms = Date.now() - t0;
  // AssemblyScript prints INFO/WARNING/ERROR diagnostics on stderr.
  const diag = stderr.trim();
  if (diag) {
    const w = (diag.match(/WARNING AS\d+/g) || []).length;
    warnings += w;
    if (result.error || w > 0 || !quiet) process.stderr.write(`${job.entry}:\n${diag}\n`);
  }
  if (result.error) {
    failed++;
    console.error(`✗ ${job.kind} ${job.name}: ${result.error.message}`);
    continue;
  }
  const size = statSync(job.outFile).size;
  rows.push({ kind: job.kind, name: job.name, file: job.outFile, size, ms });
  if (!quiet) console.log(`[${i + 1}/${all.length}] ${job.kind.padEnd(18)} ${job.outFile.padEnd(44)} ${fmtSize(size).padStart(9)}  ${ms} ms`);
}

// The host library and the command, bundled for plain Node (tests import the sources directly).
if (!only) {
  try {
    await esbuild({
      entryPoints: Object.fromEntries(
        Object.entries({ host: "host-shim/index.ts", cli: "cli/main.ts" }).filter(([, p]) => existsSync(p)),
      ),
      outdir: "dist",
      outExtension: { ".js": ".mjs" },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      sourcemap: true,
      logLevel: "warning",
    });
  } catch (e) {
    failed++;
    console.error(`✗ esbuild: ${e.message}`);
  }
}

function fmtSize(n) {
  return n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
}

console.log("");
console.log("module sizes (release builds):");
for (const r of rows.filter((r) => !r.kind.includes("debug") && !r.kind.includes("scalar"))) {
  console.log(`  ${r.file.padEnd(44)} ${fmtSize(r.size).padStart(9)}`);
}
const secs = ((Date.now() - started) / 1000).toFixed(1);
if (failed) {
  console.error(`build failed: ${failed} error(s), ${warnings} warning(s) in ${secs}s`);
  process.exit(1);
}
mkdirSync("build", { recursive: true });
writeFileSync(STAMP, digest);
console.log(`build ok: ${rows.length} module(s), ${warnings} warning(s), ${secs}s${simd ? "" : " (no SIMD)"}`);

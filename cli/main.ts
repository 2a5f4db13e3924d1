// The `wasmesh` command. Subcommands that exist today: build, modules, lint, run.
import { parseArgs } from "node:util";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Host, LoadError, readModuleInfo, checkConformance } from "../host-shim/index.ts";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..");

const HELP = `wasmesh — write, test and ship Envoy policy filters in TypeScript

usage: wasmesh <command> [options]

commands:
  build [--only NAME]       compile filters and fixtures to build/*.wasm (see npm run build -- --help)
  modules                   list the built proxy-wasm modules with size and an ABI check of each
  lint FILE.wasm            ABI conformance report for any proxy-wasm module: marker, allocator,
                            callback signatures, imports Envoy does not provide
  run FILE.wasm [options]   send one request through a module in the host shim and print what it did
      --config TEXT|@FILE   plugin configuration (JSON or text; @FILE reads a file)
      --method M --path P --header 'name: value' (repeatable) --body TEXT
      --root-id ID          plugin root id
  help                      this text

Planned, not available yet: serve, check, render, token, replay, import, oci (see DESIGN).`;

type Out = { log: (s: string) => void; error: (s: string) => void };

export async function main(argv: string[], out: Out = { log: (s) => console.log(s), error: (s) => console.error(s) }): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      out.log(HELP);
      return 0;
    case "build": {
      const r = spawnSync(process.execPath, [join(ROOT, "scripts/build.mjs"), ...rest], { stdio: "inherit" });
      return r.status ?? 1;
    }
    case "modules":
      return modules(out);
    case "lint":
      return lint(rest, out);
    case "run":
      return run(rest, out);
    default:
      out.error(`wasmesh: unknown command "${cmd}"\n\n${HELP}`);
      return 2;
  }
}

function listWasm(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === "debug" || f === "sdk-tests" ? [] : listWasm(p);
    return f.endsWith(".wasm") ? [p] : [];
  });
}

/** Problems Envoy would report when loading this module, as lines (empty = conformant). */
export function lintModule(bytes: Uint8Array): { abi: string | null; problems: string[]; notes: string[] } {
  let info;
  try {
    info = readModuleInfo(bytes);
  } catch (e) {
    return { abi: null, problems: [(e as Error).message], notes: [] };
  }
  const c = checkConformance(info);
  return { abi: c.abi, problems: c.problems.map((p) => p.explain), notes: c.notes };
}

function lint(args: string[], out: Out): number {
  if (args.length !== 1 || args[0].startsWith("-")) {
    out.error("usage: wasmesh lint FILE.wasm");
    return 2;
  }
  const file = args[0];
  if (!existsSync(file)) {
    out.error(`wasmesh lint: ${file}: no such file`);
    return 2;
  }
  const { abi, problems, notes } = lintModule(readFileSync(file));
  out.log(`${file}: ABI ${abi ?? "unknown"}`);
  for (const p of problems) out.log(`  ✗ ${p}`);
  for (const n of notes) out.log(`  · ${n}`);
  if (!problems.length) out.log("  ✓ loads in Envoy as far as imports, exports and signatures go");
  return problems.length ? 1 : 0;
}

function modules(out: Out): number {
  const files = listWasm(join(ROOT, "build"));
  if (!files.length) {
    out.error("wasmesh: nothing built yet; run `npm run build`");
    return 1;
  }
  let bad = 0;
  out.log("built proxy-wasm modules:");
  for (const f of files.sort()) {
    const { problems } = lintModule(readFileSync(f));
    bad += problems.length ? 1 : 0;
    const size = `${(statSync(f).size / 1024).toFixed(1)} KiB`;
    out.log(`  ${problems.length ? "✗" : "✓"} ${relative(ROOT, f).padEnd(40)} ${size.padStart(10)}${problems.length ? `  ${problems[0]}` : ""}`);
  }
  out.log("");
  out.log("Try one: wasmesh run build/fixtures/passthrough.wasm --path /hello");
  out.log("The local proxy (`wasmesh serve`) is not available yet.");
  return bad ? 1 : 0;
}

async function run(args: string[], out: Out): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        config: { type: "string" },
        method: { type: "string", default: "GET" },
        path: { type: "string", default: "/" },
        header: { type: "string", multiple: true, default: [] },
        body: { type: "string" },
        "root-id": { type: "string", default: "" },
      },
    });
  } catch (e) {
    out.error(`wasmesh run: ${(e as Error).message}`);
    return 2;
  }
  const file = parsed.positionals[0];
  if (!file) {
    out.error("usage: wasmesh run FILE.wasm [--config TEXT|@FILE] [--method M] [--path P] [--header 'n: v']... [--body TEXT]");
    return 2;
  }
  const v = parsed.values;
  let config = v.config ?? "";
  if (config.startsWith("@")) config = readFileSync(config.slice(1), "utf8");
  const headers: Array<[string, string]> = [];
  for (const h of v.header as string[]) {
    const i = h.indexOf(":");
    if (i <= 0) {
      out.error(`wasmesh run: bad --header ${JSON.stringify(h)} (expected 'name: value')`);
      return 2;
    }
    headers.push([h.slice(0, i).trim(), h.slice(i + 1).trim()]);
  }
  const host = new Host({ real: false });
  let plugin;
  try {
    plugin = await host.loadPlugin({ wasm: file, config, rootId: v["root-id"] as string });
  } catch (e) {
    out.error(`wasmesh run: ${e instanceof LoadError ? "load error: " : ""}${(e as Error).message}`);
    return 1;
  }
  out.log(`configure: ${plugin.outcome}`);
  const r = await host.send({ method: v.method as string, path: v.path as string, headers, body: v.body as string | undefined }, {
    upstream: (req) => ({ status: 200, headers: { "content-type": "text/plain" }, body: `upstream saw ${req.method} ${req.path}\n` }),
  });
  out.log("callbacks:");
  for (const t of r.timeline) out.log(`  ${t.callback}(${t.args.join(", ")})${t.result === undefined ? "" : ` -> ${t.result}`}`);
  out.log(`upstream: ${r.upstream ? `${r.upstream.method} ${r.upstream.path} ${JSON.stringify(Object.fromEntries(r.upstream.headers))}` : "not called"}`);
  out.log(r.response ? `response: ${r.response.reset ? "reset" : `${r.response.status} ${JSON.stringify(r.response.text())}`}` : "response: none (stream stuck)");
  if (r.localReply) out.log(`local reply: ${r.localReply.status} (${r.localReply.details || "no details"}) by ${r.localReply.byHost ? "the host" : r.localReply.plugin}`);
  const logs = host.logs();
  if (logs.length) {
    out.log("logs:");
    for (const l of logs) out.log(`  [${l.level}] ${l.message}`);
  }
  return 0;
}

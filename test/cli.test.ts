// The wasmesh command, called in-process with its output captured.
import { describe, expect, it } from "vitest";
import wabtInit from "wabt";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../cli/main.ts";

async function wasmesh(...args: string[]) {
  const lines: string[] = [];
  const errors: string[] = [];
  const code = await main(args, { log: (s) => lines.push(s), error: (s) => errors.push(s) });
  return { code, out: lines.join("\n"), err: errors.join("\n") };
}

describe("wasmesh", () => {
  it("prints help, and rejects unknown commands with exit code 2", async () => {
    expect((await wasmesh("help")).out).toMatch(/usage: wasmesh <command>/);
    const bad = await wasmesh("frobnicate");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown command "frobnicate"/);
  });

  it("lint passes our modules and names what Envoy would refuse in others", async () => {
    const ok = await wasmesh("lint", "build/fixtures/scripted.wasm");
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/ABI 0\.2\.1/);

    const wabt = await wabtInit();
    const mod = wabt.parseWat("x.wat", `(module (import "env" "abort" (func (param i32 i32 i32 i32)))
      (memory (export "memory") 1) (func (export "proxy_abi_version_0_2_1"))
      (func (export "proxy_on_request_headers") (param i32 i32) (result i32) (i32.const 0)))`);
    const file = join(mkdtempSync(join(tmpdir(), "wasmesh-")), "bad.wasm");
    writeFileSync(file, mod.toBinary({}).buffer);
    const bad = await wasmesh("lint", file);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("imports env.abort: Envoy does not provide it");
    expect(bad.out).toContain("no allocator export");
    expect(bad.out).toContain("exports proxy_on_request_headers as (i32, i32) -> i32; Envoy calls it as (i32, i32, i32) -> i32");
    expect((await wasmesh("lint", "nope.wasm")).code).toBe(2);
  });

  it("run drives one request through a module and prints the callbacks", async () => {
    const r = await wasmesh("run", "build/fixtures/scripted.wasm", "--config", "request_headers add_header 0 x-run yes", "--path", "/p", "--header", "x-a: 1");
    expect(r.code).toBe(0);
    expect(r.out).toContain("proxy_on_request_headers(2, 5, 1) -> 0");
    expect(r.out).toMatch(/upstream: GET \/p .*"x-run":"yes"/);
    expect(r.out).toContain("response: 200");
    expect((await wasmesh("run", "build/fixtures/scripted.wasm", "--header", "nocolon")).code).toBe(2);
  });

  it("modules lists what the build produced", async () => {
    const r = await wasmesh("modules");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ build\/fixtures\/passthrough\.wasm/);
  });
});

describe("README", () => {
  it("the example filter of 'Writing a filter' is the readme-example fixture, one folder deeper", async () => {
    const { readFileSync } = await import("node:fs");
    const block = /```ts\n(import \{ FilterHeadersStatus[\s\S]*?)```/.exec(readFileSync("README.md", "utf8"))![1];
    const fixture = readFileSync("test/fixtures/readme-example/index.ts", "utf8").split("\n").slice(1).join("\n");
    expect(fixture.replaceAll("../../../sdk", "../../sdk")).toBe(block);
  });

  it("the example filter of 'Writing a filter' builds and adds x-hello", async () => {
    const { Host } = await import("../host-shim/index.ts");
    const host = new Host();
    await host.loadPlugin({ wasm: "build/fixtures/readme-example.wasm" });
    const r = await host.send({ path: "/" });
    expect(r.upstream!.header("x-hello")).toBe("world");
  });
});

describe("README", () => {
  it("the scenario example runs and passes", async () => {
    const { readFileSync } = await import("node:fs");
    const { parseScenarios } = await import("../host-shim/scenario/load.ts");
    const { runScenario } = await import("../host-shim/scenario/run.ts");
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readFileSync("README.md", "utf8"))![1];
    const { scenarios, errors } = parseScenarios(yaml, "README.md");
    expect(errors).toEqual([]);
    const outcome = await runScenario(scenarios[0]);
    expect(outcome.configure.failures).toEqual([]);
    expect(outcome.requests.map((r) => r.failures)).toEqual([[]]);
  });

  it("the `wasmesh run` example prints exactly what the README shows", async () => {
    const { readFileSync } = await import("node:fs");
    const readme = readFileSync("README.md", "utf8");
    const shown = /```\n(configure: ok\n[\s\S]*?)```/.exec(readme)![1].trimEnd();
    const r = await wasmesh("run", "build/fixtures/passthrough.wasm", "--path", "/hello", "--header", "x-a: 1");
    expect(r.out).toBe(shown);
  });
});

// Randomness without env.seed (proxy-wasm-abi.md §3.15, §3.16; DESIGN.md "Rules of the seam"):
// the SDK draws from WASI random_get; `new Host({ randomSeed })` makes the draws reproducible.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Host, allowedImports } from "../../host-shim/index.ts";
import { results, scripted, SCRIPTED } from "./helpers.ts";

async function draws(hostOptions: ConstructorParameters<typeof Host>[0]) {
  const { host } = await scripted(["configure random 32", "request_headers random 16"], { hostOptions });
  await host.send();
  await host.send();
  return [...results(host, "configure"), ...results(host, "request_headers")];
}

describe("the SDK's random source", () => {
  it("built modules import random_get from WASI and nothing AssemblyScript would need from env", async () => {
    const modules = readdirSync("build/fixtures").filter((f) => f.endsWith(".wasm")).map((f) => `build/fixtures/${f}`);
    expect(modules).toContain(SCRIPTED);
    const allowed = allowedImports("0.2.1");
    for (const path of modules) {
      const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(path)));
      const names = imports.map((i) => `${i.module}.${i.name}`);
      expect(names, path).not.toContain("env.seed");
      expect(names, path).not.toContain("env.abort");
      expect(names, path).not.toContain("env.trace");
      for (const n of names) expect(allowed.has(n), `${path}: ${n}`).toBe(true);
    }
    const scriptedImports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(SCRIPTED))).map((i) => `${i.module}.${i.name}`);
    expect(scriptedImports).toContain("wasi_snapshot_preview1.random_get");
  });

  it("the same seed gives the same bytes; another seed other bytes", async () => {
    const a = await draws({ randomSeed: 42 });
    const b = await draws({ randomSeed: 42 });
    const c = await draws({ randomSeed: 43 });
    expect(a).toHaveLength(3);
    for (const line of a) expect(line).toMatch(/^random: Ok [0-9a-f]+$/);
    expect(a[0]).toHaveLength("random: Ok ".length + 64);
    expect(a[1]).toHaveLength("random: Ok ".length + 32);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(new Set(a).size).toBe(3); // successive draws differ
  });

  it("without a seed the draws come from the OS and differ between hosts", async () => {
    const a = await draws({});
    const b = await draws({});
    expect(a).not.toEqual(b);
  });

  it("a seeded host is reproducible across workers too", async () => {
    const run = async () => {
      const { host } = await scripted(["configure random 8"], { hostOptions: { workers: 3, randomSeed: 7 } });
      return host.logs().map((l) => `${l.worker} ${l.message}`);
    };
    const first = await run();
    expect(first).toHaveLength(3);
    expect(await run()).toEqual(first);
  });

  it("the SDK splits requests larger than Envoy's 64 KiB random_get limit, which the host enforces", async () => {
    const { host } = await scripted(["configure random 70000", "configure raw random_get 1024 65537"], { hostOptions: { randomSeed: 1 } });
    const [big, raw] = results(host, "configure");
    expect(big).toMatch(/^random: Ok [0-9a-f]{140000}$/);
    expect(raw).toBe("raw: Status28"); // WASI EINVAL
  });
});

// Every proxy-wasm module the build produces imports only what Envoy provides (§3.3, §3.15),
// with Envoy's exact signatures, and exports what Envoy looks for (§2, §8.1).
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { allowedImports, callbackSignatures, formatType, readModuleInfo } from "../../host-shim/index.ts";

function modules(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === "sdk-tests" ? [] : modules(p); // sdk-tests are pure code, not proxy-wasm
    return f.endsWith(".wasm") ? [p] : [];
  });
}

const built = modules("build");
const allowed = allowedImports("0.2.1");
const callbacks = callbackSignatures("0.2.1");

describe("built modules", () => {
  it("the build produced proxy-wasm modules to check", () => {
    expect(built).toContain("build/fixtures/scripted.wasm");
    expect(built).toContain("build/debug/fixtures/scripted.wasm");
  });

  for (const file of built) {
    it(`${file} imports only what Envoy provides`, () => {
      const info = readModuleInfo(readFileSync(file));
      const problems = info.imports.flatMap((imp) => {
        const want = allowed.get(`${imp.module}.${imp.name}`);
        if (!want) return [`${imp.module}.${imp.name}: not provided by Envoy`];
        const same = want.params.join() === imp.type?.params.join() && want.results.join() === imp.type?.results.join();
        return same ? [] : [`${imp.module}.${imp.name}: ${formatType(imp.type)}, Envoy has ${formatType(want)}`];
      });
      expect(problems).toEqual([]);
      expect(info.imports.map((i) => `${i.module}.${i.name}`)).not.toContain("env.abort");
    });

    it(`${file} exports the ABI marker, the allocator, memory and well-typed callbacks`, () => {
      const info = readModuleInfo(readFileSync(file));
      const exported = new Map(info.exports.map((e) => [e.name, e]));
      for (const name of ["proxy_abi_version_0_2_1", "proxy_on_memory_allocate", "malloc", "memory", "_initialize"]) expect(exported.has(name), name).toBe(true);
      expect(info.hasStartSection).toBe(false); // top-level code runs in _initialize, under Envoy's restrictions
      for (const e of info.exports) {
        const want = callbacks.get(e.name);
        if (want) expect(formatType(e.type), e.name).toBe(formatType(want));
      }
    });
  }
});

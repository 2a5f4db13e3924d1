// A proxy-wasm module from another toolchain (C, clang for wasm32, no SDK): the shim runs it
// like Envoy would. The binary is committed with its source (test/conformance/c-filter/) so
// this test needs no C compiler; c-filter/build.sh rebuilds it.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { Host, checkConformance, readModuleInfo } from "../../host-shim/index.ts";

const WASM = "test/conformance/c-filter/filter.wasm";

describe("a C proxy-wasm filter built with clang", () => {
  it("passes Envoy's load-time checks", () => {
    const c = checkConformance(readModuleInfo(readFileSync(WASM)));
    expect(c.problems).toEqual([]);
    expect(c.abi).toBe("0.2.1");
    expect(c.allocator).toBe("malloc");
  });

  it("configures, adds its header, denies /deny with a local reply, and logs the status", async () => {
    const host = new Host();
    const plugin = await host.loadPlugin({ wasm: WASM, config: "from-c" });
    expect(plugin.outcome).toBe("ok");
    const ok = await host.send({ path: "/hello" });
    expect(ok.upstream!.header("x-c-filter")).toBe("from-c");
    expect(ok.response!.status).toBe(200);
    const denied = await host.send({ path: "/deny" });
    expect(denied.upstream).toBeNull();
    expect(denied.response!.status).toBe(403);
    expect(denied.response!.text()).toBe("denied by C");
    expect(denied.details).toBe("c_filter_denied");
    expect(host.logs("info").map((l) => l.message)).toEqual(["c-filter: status 200", "c-filter: status 403"]);
    // Only the callbacks it exports are called (no body callbacks here).
    expect(denied.timeline.map((t) => t.callback)).toEqual([
      "proxy_on_context_create", "proxy_on_request_headers", "proxy_on_log", "proxy_on_done", "proxy_on_delete",
    ]);
  });

  it("an empty configuration is rejected by the module, and streams fail closed", async () => {
    const host = new Host();
    const plugin = await host.loadPlugin({ wasm: WASM, config: "" });
    expect(plugin.outcome).toBe("rejected");
    expect(host.logs("error").map((l) => l.message)).toContain("c-filter: configuration must be 1-64 bytes");
    expect((await host.send()).response!.status).toBe(503);
  });
});

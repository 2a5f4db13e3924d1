// Traps and fail strategies (§5.9), configuration failures, workers and VM lifetime (§5.13).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { Host } from "../../host-shim/index.ts";
import { names, results, scripted, SCRIPTED } from "./helpers.ts";

describe("traps are reported at their AssemblyScript source line", () => {
  const fixture = readFileSync("test/fixtures/scripted/index.ts", "utf8").split("\n");

  for (const [build, wasm] of [["release", SCRIPTED], ["debug", "build/debug/fixtures/scripted.wasm"]]) {
    it(`a failed assert, ${build} build`, async () => {
      const { host } = await scripted(["request_headers abort boom"], { wasm });
      const r = await host.send();
      expect(r.response!.status).toBe(503);
      const trap = r.traps[0] as any;
      expect(trap.callback).toBe("proxy_on_request_headers");
      // The innermost frame outside the abort hook: the fixture's assert.
      expect(trap.location).toMatch(/^test\/fixtures\/scripted\/index\.ts:\d+:\d+$/);
      const line = Number(trap.location.split(":")[1]);
      expect(fixture[line - 1]).toMatch(/assert|abort/);
      expect(trap.message).toContain(`at ${trap.location}`);
      // The SDK's abort hook logged the message before trapping.
      expect(host.logs("critical").map((l) => l.message).join("\n")).toMatch(/boom/);
    });
  }

  it("an `unreachable` maps to the line of the trap command", async () => {
    const { host } = await scripted(["request_headers trap"], { wasm: "build/debug/fixtures/scripted.wasm" });
    const r = await host.send();
    const loc = (r.traps[0] as any).location as string;
    expect(loc).toMatch(/^test\/fixtures\/scripted\/index\.ts:/);
    expect(fixture[Number(loc.split(":")[1]) - 1]).toContain("unreachable");
  });
});

describe("fail strategies", () => {
  it("FAIL_CLOSE: the VM stays failed, later streams get 503 without callbacks", async () => {
    const { host } = await scripted(["request_headers nth 2 trap", "log whoami"], { failStrategy: "FAIL_CLOSE" });
    const ok = await host.send();
    expect(ok.response!.status).toBe(200);
    const trapped = await host.send();
    expect(trapped.response!.status).toBe(503);
    expect(trapped.details).toBe("wasm_fail_stream");
    expect(names(trapped.timeline)).toEqual(["on_context_create", "on_request_headers"]); // no on_log
    const after = await host.send();
    expect(after.response!.status).toBe(503);
    expect(after.upstream).toBeNull();
    expect(after.timeline).toEqual([]);
  });

  it("FAIL_CLOSE in the response phase after headers went out resets the stream", async () => {
    const { host } = await scripted(["response_body trap"], { failStrategy: "FAIL_CLOSE" });
    const r = await host.send({}, { upstream: () => ({ status: 200, body: "partial" }) });
    // Response headers were continued to the client before the body callback trapped.
    expect(r.response!.reset).toBe(true);
  });

  it("FAIL_OPEN: the trapping stream continues, later streams skip the plugin", async () => {
    const { host } = await scripted(["request_headers nth 1 trap"], { failStrategy: "FAIL_OPEN" });
    const first = await host.send();
    expect(first.response!.status).toBe(200);
    expect(first.upstream).not.toBeNull();
    const second = await host.send();
    expect(second.timeline).toEqual([]);
    expect(second.response!.status).toBe(200);
  });

  it("FAIL_RELOAD: fail closed during the backoff, then a fresh VM (init, create, vm_start, configure)", async () => {
    const { host } = await scripted(["configure log info configured", "request_body trap", "request_headers whoami"], { failStrategy: "FAIL_RELOAD" });
    expect(host.logs("info").filter((l) => l.message === "configured")).toHaveLength(1);
    const first = await host.send({ method: "POST", body: "traps" });
    expect(first.response!.status).toBe(503);
    // Within the reload backoff (1 s by default) the failed VM is not replaced yet.
    const during = await host.send();
    expect(during.response!.status).toBe(503);
    expect(during.timeline).toEqual([]);
    await host.advance(1000);
    const second = await host.send();
    expect(second.response!.status).toBe(200);
    expect(host.logs("info").filter((l) => l.message === "configured")).toHaveLength(2);
    // A new VM: context ids start again (root 1, this stream 2).
    expect(results(host, "request_headers")).toEqual(["whoami: Ok context=2 root=1 root_id=", "whoami: Ok context=2 root=1 root_id="]);
  });

  it("a trap in one stream fails other live streams on the same VM at their next callback", async () => {
    const { host } = await scripted(["request_headers nth 2 trap", "response_headers whoami"], { failStrategy: "FAIL_CLOSE" });
    // Stream A waits for its upstream while stream B traps the VM; A's response callbacks
    // then find the VM failed.
    const a = host.open({ method: "POST", body: "x" });
    const b = host.open();
    const [ra, rb] = await host.wait([a, b]);
    expect(rb.response!.status).toBe(503);
    expect(ra.response!.status).toBe(503);
    expect(ra.details).toBe("wasm_fail_stream");
  });
});

describe("configuration failures", () => {
  it("on_configure returning false: the plugin is rejected and streams fail closed", async () => {
    const { host, plugin } = await scripted(["configure return 0", "request_headers whoami"]);
    expect(plugin.outcome).toBe("rejected");
    const r = await host.send();
    expect(r.response!.status).toBe(503);
    expect(r.timeline).toEqual([]);
  });

  it("on_configure returning false with FAIL_OPEN: streams pass without the plugin", async () => {
    const { host, plugin } = await scripted(["configure return 0"], { failStrategy: "FAIL_OPEN" });
    expect(plugin.outcome).toBe("rejected");
    const r = await host.send();
    expect(r.response!.status).toBe(200);
    expect(r.timeline).toEqual([]);
  });

  it("a trap during on_configure is reported as trapped", async () => {
    const { plugin } = await scripted(["configure trap"]);
    expect(plugin.outcome).toBe("trapped");
    expect(plugin.startupTrap!.callback).toBe("proxy_on_configure");
  });

  it("on_vm_start sees the VM configuration; false rejects the plugin", async () => {
    const { host, plugin } = await scripted(["configure log info configured"], { vmConfig: "vm_start get_buffer 6 0 100\nvm_start return 0" });
    expect(plugin.outcome).toBe("rejected");
    expect(results(host, "vm_start")[0]).toMatch(/^get_buffer: Ok vm_start/);
    expect(host.logs("info").some((l) => l.message === "configured")).toBe(false);
  });
});

describe("VMs live across streams; one per worker", () => {
  it("the same VM serves consecutive streams: context ids keep counting", async () => {
    const { host } = await scripted(["request_headers whoami"]);
    await host.send();
    await host.send();
    await host.send();
    expect(results(host, "request_headers")).toEqual([
      "whoami: Ok context=2 root=1 root_id=",
      "whoami: Ok context=3 root=1 root_id=",
      "whoami: Ok context=4 root=1 root_id=",
    ]);
  });

  it("each worker has its own VM: configure runs once per worker, ids restart per VM", async () => {
    const { host } = await scripted(["configure log info configured", "request_headers whoami"], { hostOptions: { workers: 2 } });
    expect(host.logs("info").filter((l) => l.message === "configured").map((l) => l.worker)).toEqual([0, 1]);
    await host.send({}, { worker: 0 });
    await host.send({}, { worker: 1 });
    await host.send({}, { worker: 0 });
    const whoami = host.logs("info").filter((l) => l.message.startsWith("request_headers whoami"));
    expect(whoami.map((l) => `${l.worker} ${l.message.split(" ")[3]}`)).toEqual(["0 context=2", "1 context=2", "0 context=3"]);
  });

  it("two plugins with the same vm_id share one VM; different root ids pick their roots", async () => {
    const host = new Host();
    await host.loadPlugin({ wasm: SCRIPTED, name: "a", vmId: "shared", config: "request_headers whoami" });
    await host.loadPlugin({ wasm: SCRIPTED, name: "b", vmId: "shared", rootId: "second", config: "request_headers whoami" });
    await host.send();
    expect(results(host, "request_headers")).toEqual([
      "whoami: Ok context=3 root=1 root_id=",
      "whoami: Ok context=4 root=2 root_id=second",
    ]);
  });

  it("memory stays flat over many streams (incremental GC)", async () => {
    const { host } = await scripted([
      "request_headers get_headers 0",
      "request_headers add_header 0 x-a aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "request_headers get_property request/headers",
      "request_body get_buffer 0 0 4294967295",
      "log memory_pages",
    ]);
    const pages = () => Number(results(host, "log").at(-1)!.split(" ").at(-1));
    for (let i = 0; i < 200; i++) await host.send({ method: "POST", headers: { "x-n": String(i) }, body: "b".repeat(512) });
    const warm = pages();
    for (let i = 0; i < 2000; i++) await host.send({ method: "POST", headers: { "x-n": String(i) }, body: "b".repeat(512) });
    expect(pages()).toBe(warm);
  });
});

describe("pauses (§5.3)", () => {
  it("a pause in request headers holds back body callbacks until resumed", async () => {
    const { host } = await scripted(
      [
        "request_headers set_tick 50",
        "request_headers return 1",
        "tick set_effective_context last",
        "tick continue_stream 0",
        "tick set_tick 0",
        "request_body args",
      ],
    );
    const r = await host.send({ method: "POST", body: ["ab", "cd"] });
    expect(names(r.timeline)).toEqual([
      "on_context_create", "on_request_headers", "on_tick", "on_request_body", "on_request_body",
      "on_response_headers", "on_log", "on_done", "on_delete",
    ]);
    expect(r.upstream!.text()).toBe("abcd");
  });

  it("with allow_on_headers_stop_iteration, body callbacks continue while headers are held", async () => {
    const { host } = await scripted(["request_headers return 1", "request_body args"], { allowOnHeadersStopIteration: true });
    const r = await host.send({ method: "POST", body: "abc" });
    expect(results(host, "request_body")).toEqual(["args: 3 1"]);
    // Continue from the body releases the held headers and the body together.
    expect(r.upstream!.text()).toBe("abc");
  });

  it("a stream paused for good is reported stuck after maxWait; log, done and delete still run", async () => {
    const { host } = await scripted(["request_headers return 1"]);
    const r = await host.send({}, { maxWaitMs: 5000 });
    expect(r.stuck).toBe(true);
    expect(r.response).toBeNull();
    expect(r.upstream).toBeNull();
    expect(names(r.timeline).slice(-3)).toEqual(["on_log", "on_done", "on_delete"]);
  });
});

describe("concurrency on the virtual clock", () => {
  it("several sends in flight at once all complete (each may drive the event loop)", async () => {
    const { host } = await scripted(["request_headers whoami"]);
    const slow = (ms: number) => () => new Promise<{ status: number }>((resolve) => setTimeout(() => resolve({ status: 200 }), ms));
    const results = await Promise.all([host.send({}, { upstream: slow(20) }), host.send({}, { upstream: slow(5) }), host.send({}, { upstream: slow(10) })]);
    expect(results.map((r) => r.response!.status)).toEqual([200, 200, 200]);
  });
});

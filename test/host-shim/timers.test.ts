// Ticks, time and the effective context (proxy-wasm-abi.md §3.4, §3.14, §1.5, §1.7, §5.13) on
// the virtual clock: host.advance(ms) runs every tick that falls due, in order.
import { describe, expect, it } from "vitest";
import wabtInit from "wabt";
import { Host } from "../../host-shim/index.ts";
import { results, scripted, SCRIPTED } from "./helpers.ts";

const T0 = Date.UTC(2031, 4, 6, 7, 8, 9);
const ns = (ms: number) => `${BigInt(T0 + ms) * 1_000_000n}`;
const ticks = (host: Host) => host.timeline.filter((t) => t.callback === "proxy_on_tick");

describe("the tick timer of a root context", () => {
  it("fires one period after it is set, then every period, on the virtual clock", async () => {
    const { host } = await scripted(["configure set_tick 100", "configure get_time", "tick get_time"], { hostOptions: { clock: T0 } });
    expect(results(host, "configure")).toEqual(["set_tick: Ok", `get_time: Ok ${ns(0)}`]);
    await host.advance(99);
    expect(results(host, "tick")).toEqual([]);
    await host.advance(251); // to 350
    expect(results(host, "tick")).toEqual([`get_time: Ok ${ns(100)}`, `get_time: Ok ${ns(200)}`, `get_time: Ok ${ns(300)}`]);
    expect(ticks(host).map((t) => t.args)).toEqual([[1], [1], [1]]);
  });

  it("setting it again restarts it with the new period; 0 disables it", async () => {
    const { host } = await scripted([
      "configure set_tick 100",
      "tick get_time",
      "tick nth 2 set_tick 30", // at 200: the next tick 30 ms later
      "tick nth 4 set_tick 0", // at 260: no more ticks
    ], { hostOptions: { clock: T0 } });
    await host.advance(1000);
    expect(results(host, "tick").filter((l) => l.startsWith("get_time"))).toEqual([
      `get_time: Ok ${ns(100)}`,
      `get_time: Ok ${ns(200)}`,
      `get_time: Ok ${ns(230)}`,
      `get_time: Ok ${ns(260)}`,
    ]);
  });

  it("a stream context sets the timer of its root", async () => {
    const { host } = await scripted(["request_headers set_tick 50", "tick whoami"], { hostOptions: { clock: T0 } });
    await host.send();
    await host.advance(120);
    expect(results(host, "tick")).toEqual(["whoami: Ok context=1 root=1 root_id=", "whoami: Ok context=1 root=1 root_id="]);
  });

  it("advance runs the ticks of every root in time order", async () => {
    const host = new Host({ clock: T0 });
    await host.loadPlugin({ wasm: SCRIPTED, name: "fast", vmId: "a", config: "configure set_tick 30\ntick get_time" });
    await host.loadPlugin({ wasm: SCRIPTED, name: "slow", vmId: "b", config: "configure set_tick 50\ntick get_time" });
    await host.advance(150);
    const seen = host.logs().filter((l) => l.phase === "tick").map((l) => `${l.plugin} ${l.message}`);
    // Due at 30 60 90 120 150 (fast) and 50 100 150 (slow). At 150 both are due: the timer
    // armed first (slow's, re-armed at 100, before fast's at 120) runs first.
    expect(seen).toEqual(
      [["fast", 30], ["slow", 50], ["fast", 60], ["fast", 90], ["slow", 100], ["fast", 120], ["slow", 150], ["fast", 150]].map(
        ([p, ms]) => `${p} tick get_time: Ok ${ns(ms as number)}`,
      ),
    );
  });

  it("two roots in one VM have one timer each", async () => {
    const host = new Host({ clock: T0 });
    await host.loadPlugin({ wasm: SCRIPTED, name: "a", config: "configure set_tick 40\ntick whoami" });
    await host.loadPlugin({ wasm: SCRIPTED, name: "b", rootId: "second", config: "configure set_tick 100\ntick whoami\ntick set_tick 0" });
    await host.advance(400);
    const byRoot = ticks(host).map((t) => `${t.plugin}:${t.args[0]}`);
    expect(byRoot.filter((x) => x === "a:1")).toHaveLength(10);
    expect(byRoot.filter((x) => x === "b:2")).toHaveLength(1); // b's tick disabled b's timer only
    expect(new Set(ticks(host).map((t) => t.worker))).toEqual(new Set([0]));
  });

  it("ticks keep their rhythm while a stream waits on a callout", async () => {
    const { host } = await scripted([
      "configure set_tick 10",
      "tick get_time",
      `request_headers http_call c :method=GET&:path=/&:authority=c ~ ~ 0`,
      "request_headers return 1",
      "http_call_response continue_stream 0",
    ], { hostOptions: { clock: T0 } });
    host.cluster("c", () => ({ status: 200, delayMs: 25 }));
    const r = await host.send();
    expect(r.response!.status).toBe(200);
    const seq = host.timeline.map((t) => t.callback);
    expect(seq.filter((c) => c === "proxy_on_tick").length).toBeGreaterThanOrEqual(2);
    expect(results(host, "tick").slice(0, 2)).toEqual([`get_time: Ok ${ns(10)}`, `get_time: Ok ${ns(20)}`]);
  });

  it("a root whose VM trapped gets no more ticks", async () => {
    const { host } = await scripted(["configure set_tick 10", "tick nth 2 trap", "tick log info alive"]);
    await host.advance(100);
    expect(ticks(host)).toHaveLength(2);
    expect(ticks(host)[1].result).toBe("trap");
  });

  it("stops at shutdown", async () => {
    const { host } = await scripted(["configure set_tick 10"]);
    await host.advance(25);
    await host.shutdown();
    await host.advance(100);
    expect(ticks(host)).toHaveLength(2);
  });
});

describe("time", () => {
  it("proxy_get_current_time_nanoseconds follows the virtual clock in every callback", async () => {
    const { host } = await scripted(["configure get_time", "request_headers get_time", "log get_time"], { hostOptions: { clock: new Date(T0) } });
    await host.advance(1234);
    await host.send({}, { upstream: () => new Promise((r) => setTimeout(() => r({ status: 200 }), 5)) });
    expect(results(host, "configure")).toEqual([`get_time: Ok ${ns(0)}`]);
    expect(results(host, "request_headers")).toEqual([`get_time: Ok ${ns(1234)}`]);
    expect(results(host, "log")).toEqual([`get_time: Ok ${ns(1234)}`]); // real time spent upstream does not count
  });
});

describe("ticks per worker (§5.13)", () => {
  it("every worker's root has its own timer", async () => {
    const { host } = await scripted(["configure set_tick 100", "tick whoami"], { hostOptions: { workers: 3, clock: T0 } });
    await host.advance(200);
    const byWorker = ticks(host).map((t) => t.worker);
    expect(byWorker).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it("a worker's stream sets the timer of that worker's root only", async () => {
    const { host } = await scripted(["request_headers set_tick 40"], { hostOptions: { workers: 2 } });
    await host.send({}, { worker: 1 });
    await host.advance(100);
    expect(ticks(host).map((t) => t.worker)).toEqual([1, 1]);
  });
});

describe("the effective context: a root resumes or answers a paused stream (§3.14, §1.7)", () => {
  it("from a tick: continue", async () => {
    const { host } = await scripted([
      "request_headers set_tick 500",
      "request_headers return 1",
      "tick set_effective_context last",
      "tick add_header request_headers x-delayed 500ms",
      "tick continue_stream 0",
      "tick set_tick 0",
      "response_headers get_time",
    ], { hostOptions: { clock: T0 } });
    const r = await host.send({ path: "/slow" });
    expect(r.response!.status).toBe(200);
    expect(r.upstream!.header("x-delayed")).toBe("500ms");
    expect(results(host, "tick")).toEqual(["set_effective_context: Ok", "add_header: Ok", "continue_stream: Ok", "set_tick: Ok"]);
    expect(results(host, "response_headers")).toEqual([`get_time: Ok ${ns(500)}`]);
  });

  it("from a tick: a local reply", async () => {
    const { host } = await scripted([
      "request_headers set_tick 100",
      "request_headers return 1",
      "tick set_effective_context last",
      "tick send_local_response 429 rate_limited slow%20down ~ -1",
      "tick set_tick 0",
    ]);
    const r = await host.send();
    expect(r.upstream).toBeNull();
    expect(r.response!.status).toBe(429);
    expect(r.response!.text()).toBe("slow down");
    expect(r.localReply).toMatchObject({ details: "rate_limited" });
  });

  it("from a callout the root issued: the answer decides the stream", async () => {
    const { host } = await scripted([
      // The stream waits; the root fetches (as a JWKS fetch would) and then lets the stream go.
      "request_headers return 1",
      "request_headers set_tick 1",
      "tick set_tick 0",
      "tick http_call jwks :method=GET&:path=/keys&:authority=idp ~ ~ 1000",
      "http_call_response whoami",
      "http_call_response set_effective_context last",
      "http_call_response get_header request_headers :path",
      "http_call_response continue_stream 0",
    ], { host: new Host().cluster("jwks", () => ({ status: 200, body: "{}", delayMs: 30 })) });
    const r = await host.send({ path: "/protected" });
    expect(r.response!.status).toBe(200);
    expect(r.upstream!.path).toBe("/protected");
    expect(results(host, "http_call_response")).toEqual([
      "whoami: Ok context=1 root=1 root_id=", // issued by the root, delivered to the root
      "set_effective_context: Ok",
      "get_header: Ok /protected",
      "continue_stream: Ok",
    ]);
  });

  it("an unknown context id is BadArgument and leaves the current context in place", async () => {
    const { host } = await scripted(["configure set_effective_context 77", "configure whoami", "configure get_property plugin_name"]);
    expect(results(host, "configure")).toEqual(["set_effective_context: BadArgument", "whoami: Ok context=1 root=1 root_id=", "get_property: Ok scripted"]);
  });

  it("the effective context is restored when the callback returns", async () => {
    const { host } = await scripted([
      "request_headers return 1",
      "request_headers set_tick 10",
      "tick nth 1 set_effective_context last",
      "tick nth 1 continue_stream 0",
      "tick nth 2 continue_stream 0", // without set_effective_context: acts on the root, a no-op
      "tick nth 2 set_tick 0",
      "tick get_header request_headers :path",
    ]);
    const r = await host.send();
    expect(r.response!.status).toBe(200);
    await host.advance(50);
    expect(results(host, "tick")).toEqual([
      "set_effective_context: Ok",
      "continue_stream: Ok",
      "get_header: BadArgument", // the stream's request headers are no longer held
      "continue_stream: Ok",
      "set_tick: Ok",
      "get_header: BadArgument", // the root has no request headers
    ]);
  });
});

describe("on the real clock (wasmesh serve)", () => {
  it("ticks arrive and time moves forward", async () => {
    const { host } = await scripted(["configure set_tick 15", "tick get_time", "tick nth 3 set_tick 0"], { hostOptions: { real: true } });
    const before = BigInt(Date.now()) * 1_000_000n;
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (results(host, "tick").filter((l) => l.startsWith("get_time")).length >= 3) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    const times = results(host, "tick").filter((l) => l.startsWith("get_time")).map((l) => BigInt(l.split(" ").pop()!));
    expect(times).toHaveLength(3);
    expect(times[0]).toBeGreaterThanOrEqual(before);
    expect(times[1]).toBeGreaterThan(times[0]);
    expect(times[2]).toBeGreaterThan(times[1]);
  });
});

describe("a module without proxy_on_tick", () => {
  it("gets no tick callbacks, though setting the period is Ok", async () => {
    const wabt = await wabtInit();
    const mod = wabt.parseWat(
      "no-tick.wat",
      `(module
        (import "env" "proxy_set_tick_period_milliseconds" (func $tick (param i32) (result i32)))
        (memory (export "memory") 1)
        (func (export "proxy_abi_version_0_2_1"))
        (func (export "malloc") (param i32) (result i32) (i32.const 1024))
        (func (export "proxy_on_configure") (param i32 i32) (result i32)
          (drop (call $tick (i32.const 10)))
          (i32.const 1)))`,
    );
    const bytes = mod.toBinary({}).buffer;
    mod.destroy();
    const host = new Host();
    await host.loadPlugin({ wasm: bytes, name: "no-tick" });
    await host.advance(100);
    // Only exported callbacks are called: on_configure (which set the tick) and no on_tick.
    expect(host.timeline.map((t) => t.callback)).toEqual(["proxy_on_configure"]);
  });
});

// Metrics (proxy-wasm-abi.md §3.13, §5.12): per-VM ids whose low bits are the type, values that
// belong to one process-wide stat per name, and the registry tests read (and render as
// Prometheus text).
import { describe, expect, it } from "vitest";
import { Host } from "../../host-shim/index.ts";
import { results, scripted, SCRIPTED } from "./helpers.ts";

describe("defining metrics", () => {
  it("ids: counters 4, 8, …; gauges 5, 9, …; histograms 6, 10, …; a type above 2 is BadArgument", async () => {
    const { host } = await scripted([
      "configure metric_define 0 requests",
      "configure metric_define 1 in_flight",
      "configure metric_define 2 latency_ms",
      "configure metric_define 0 denied",
      "configure metric_define 1 queue_depth",
      "configure metric_define 2 body_bytes",
      "configure metric_define 0 requests", // the same name again: a new id, the same stat
      "configure metric_define 3 bogus",
    ]);
    expect(results(host, "configure")).toEqual([
      "metric_define: Ok 4",
      "metric_define: Ok 5",
      "metric_define: Ok 6",
      "metric_define: Ok 8",
      "metric_define: Ok 9",
      "metric_define: Ok 10",
      "metric_define: Ok 12",
      "metric_define: BadArgument",
    ]);
    expect([...host.metrics.metrics.values()].map((m) => m.name)).toEqual(["requests", "in_flight", "latency_ms", "denied", "queue_depth", "body_bytes"]);
    expect(host.metrics.get("bogus")).toBeUndefined();
  });

  it("ids are per VM: every worker's VM numbers its own", async () => {
    const { host } = await scripted(["configure metric_define 1 g", "configure metric_define 0 c"], { hostOptions: { workers: 2 } });
    expect(host.logs().map((l) => `${l.worker} ${l.message}`)).toEqual([
      "0 configure metric_define: Ok 5",
      "0 configure metric_define: Ok 4",
      "1 configure metric_define: Ok 5",
      "1 configure metric_define: Ok 4",
    ]);
  });

  it("the stat is named as defined: no plugin name, no wasmcustom. prefix", async () => {
    const { host } = await scripted(["configure metric_define 0 wasmesh.jwt.denied"], { name: "jwt-authn" });
    expect(host.metrics.get("wasmesh.jwt.denied")).toMatchObject({ type: "counter", value: 0n });
  });
});

describe("using metrics (§3.13)", () => {
  it("counters: increment must be > 0, record adds, get reads", async () => {
    const { host } = await scripted([
      "configure metric_define 0 c",
      "configure metric_inc last 5",
      "configure metric_inc last 0",
      "configure metric_inc last -1",
      "configure metric_record last 3",
      "configure metric_get last",
    ]);
    expect(results(host, "configure")).toEqual([
      "metric_define: Ok 4",
      "metric_inc: Ok",
      "metric_inc: BadArgument", // even 0
      "metric_inc: BadArgument",
      "metric_record: Ok",
      "metric_get: Ok 8",
    ]);
    expect(host.metrics.get("c")!.value).toBe(8n);
  });

  it("gauges: record sets, increment adds or subtracts", async () => {
    const { host } = await scripted([
      "configure metric_define 1 g",
      "configure metric_record last 10",
      "configure metric_inc last -3",
      "configure metric_inc last 5",
      "configure metric_get last",
      "configure metric_record last 2",
      "configure metric_get last",
    ]);
    expect(results(host, "configure").slice(1)).toEqual(["metric_record: Ok", "metric_inc: Ok", "metric_inc: Ok", "metric_get: Ok 12", "metric_record: Ok", "metric_get: Ok 2"]);
  });

  it("histograms: record adds a sample; increment and get are BadArgument", async () => {
    const { host } = await scripted([
      "configure metric_define 2 h",
      "configure metric_record last 7",
      "configure metric_record last 300",
      "configure metric_inc last 1",
      "configure metric_get last",
    ]);
    expect(results(host, "configure").slice(1)).toEqual(["metric_record: Ok", "metric_record: Ok", "metric_inc: BadArgument", "metric_get: BadArgument"]);
    expect(host.metrics.get("h")!.samples).toEqual([7n, 300n]);
  });

  it("unknown ids are NotFound", async () => {
    const { host } = await scripted([
      "configure metric_define 0 known",
      "configure metric_inc 400 1",
      "configure metric_record 401 1",
      "configure metric_get 400",
      "configure metric_get 405",
      "configure metric_inc 0 1",
    ]);
    expect(results(host, "configure").slice(1)).toEqual(["metric_inc: NotFound", "metric_record: NotFound", "metric_get: NotFound", "metric_get: NotFound", "metric_inc: NotFound"]);
  });

  it("a new id for the same name updates the same stat", async () => {
    const { host } = await scripted([
      "configure metric_define 0 c",
      "configure metric_inc 4 2",
      "configure metric_define 0 c",
      "configure metric_inc 8 3",
      "configure metric_get 4",
    ]);
    expect(results(host, "configure").at(-1)).toBe("metric_get: Ok 5");
  });

  it("a bad id pointer is InvalidMemoryAccess and defines nothing", async () => {
    const { host } = await scripted(["configure raw proxy_define_metric 0 @never 0xfffffff0"]);
    expect(results(host, "configure")).toEqual(["raw: InvalidMemoryAccess"]);
    expect(host.metrics.get("never")).toBeUndefined();
  });
});

describe("one value per name, process-wide", () => {
  it("a counter incremented by two plugins in different VMs", async () => {
    const host = new Host();
    const script = (who: string) => ["configure metric_define 0 wasmesh_requests_total", `request_headers metric_inc last 1`, "request_headers metric_get last", `request_headers log info ${who}`].join("\n");
    await host.loadPlugin({ wasm: SCRIPTED, name: "jwt", vmId: "a", config: script("jwt") });
    await host.loadPlugin({ wasm: SCRIPTED, name: "authz", vmId: "b", config: script("authz") });
    await host.send();
    await host.send();
    expect(host.logs().filter((l) => l.message.includes("metric_get")).map((l) => `${l.plugin} ${l.message}`)).toEqual([
      "jwt request_headers metric_get: Ok 1",
      "authz request_headers metric_get: Ok 2",
      "jwt request_headers metric_get: Ok 3",
      "authz request_headers metric_get: Ok 4",
    ]);
    expect(host.metrics.snapshot()).toEqual({ wasmesh_requests_total: 4 });
  });

  it("shared by every worker's VM", async () => {
    const { host } = await scripted(["configure metric_define 1 in_flight", "request_headers metric_inc last 1", "log metric_inc last -1", "request_headers metric_get last"], {
      hostOptions: { workers: 2 },
    });
    const a = host.open({}, { worker: 0, upstream: () => new Promise((r) => setTimeout(() => r({ status: 200 }), 5)) });
    const b = host.open({}, { worker: 1, upstream: () => new Promise((r) => setTimeout(() => r({ status: 200 }), 5)) });
    await host.wait([a, b]);
    expect(results(host, "request_headers").filter((l) => l.startsWith("metric_get"))).toEqual(["metric_get: Ok 1", "metric_get: Ok 2"]);
    expect(host.metrics.get("in_flight")!.value).toBe(0n);
  });
});

describe("Prometheus text", () => {
  it("renders counters, gauges and histograms the way Envoy's /stats/prometheus does", async () => {
    const { host } = await scripted([
      "configure metric_define 0 wasmesh.jwt.denied",
      "configure metric_inc last 3",
      "configure metric_define 1 wasmesh_in_flight",
      "configure metric_record last 2",
      "configure metric_define 2 wasmesh_latency_ms",
      "configure metric_record last 3",
      "configure metric_record last 40",
      "configure metric_record last 700",
    ]);
    const text = host.metrics.prometheus();
    const lines = text.trimEnd().split("\n");
    // Dots become underscores; the wasmcustom. namespace never shows.
    expect(lines.slice(0, 2)).toEqual(["# TYPE wasmesh_in_flight gauge", "wasmesh_in_flight 2"]);
    expect(lines.slice(2, 4)).toEqual(["# TYPE wasmesh_jwt_denied counter", "wasmesh_jwt_denied 3"]);
    expect(lines[4]).toBe("# TYPE wasmesh_latency_ms histogram");
    const bucket = (le: string) => lines.find((l) => l.startsWith(`wasmesh_latency_ms_bucket{le="${le}"} `))?.split(" ")[1];
    // Envoy's default buckets, cumulative
    expect([bucket("1"), bucket("5"), bucket("50"), bucket("500"), bucket("1000"), bucket("+Inf")]).toEqual(["0", "1", "2", "2", "3", "3"]);
    expect(lines).toContain("wasmesh_latency_ms_sum 743");
    expect(lines).toContain("wasmesh_latency_ms_count 3");
    expect(text.endsWith("\n")).toBe(true);
    expect(text).not.toContain("wasmcustom");
  });
});

// Filter state between the filters of one chain (proxy-wasm-abi.md §3.7, §4.3; DESIGN.md "Rules
// of the seam"): proxy_set_property(name) stores Envoy filter state `wasm.<name>` for the stream;
// a later filter reads it by name or under filter_state; the next stream starts without it.
import { describe, expect, it } from "vitest";
import { Host } from "../../host-shim/index.ts";
import { results, SCRIPTED } from "./helpers.ts";

const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);
const linesOf = (host: Host, plugin: string) => host.logs().filter((l) => l.plugin === plugin).map((l) => l.message);

async function chain(a: string[], b: string[], opts: { sameVm?: boolean } = {}) {
  const host = new Host();
  await host.loadPlugin({ wasm: SCRIPTED, name: "jwt", vmId: "a", config: a.join("\n") });
  await host.loadPlugin({ wasm: SCRIPTED, name: "authz", vmId: opts.sameVm ? "a" : "b", rootId: opts.sameVm ? "second" : "", config: b.join("\n") });
  return host;
}

describe("written by plugin A, read by plugin B", () => {
  it("in the same stream, by name and under filter_state; absent in the next stream", async () => {
    const host = await chain(
      ["request_headers nth 1 set_property wasmesh.jwt.principal https%3A//idp/alice"],
      [
        "request_headers get_property wasmesh.jwt.principal",
        "request_headers get_property_string wasmesh.jwt.principal",
        "request_headers get_property filter_state/wasm.wasmesh.jwt.principal",
        "response_headers get_property wasmesh.jwt.principal",
        "log get_property wasmesh.jwt.principal",
      ],
    );
    const first = await host.send();
    expect(linesOf(host, "jwt")).toEqual(["request_headers set_property: Ok"]);
    expect(linesOf(host, "authz")).toEqual([
      "request_headers get_property: Ok https://idp/alice",
      "request_headers get_property_string: Ok https://idp/alice",
      "request_headers get_property: Ok https://idp/alice",
      "response_headers get_property: Ok https://idp/alice",
      "log get_property: Ok https://idp/alice",
    ]);
    expect(text(first.filterState.get("wasm.wasmesh.jwt.principal"))).toBe("https://idp/alice");

    host.logger.records.length = 0;
    const second = await host.send();
    expect(linesOf(host, "authz")).toEqual([
      "request_headers get_property: NotFound",
      "request_headers get_property_string: NotFound",
      "request_headers get_property: NotFound",
      "response_headers get_property: NotFound",
      "log get_property: NotFound",
    ]);
    expect(second.filterState.size).toBe(0);
  });

  it("works the same when both plugins share one VM", async () => {
    const host = await chain(["request_headers set_property wasmesh.authz.decision allow"], ["request_headers get_property wasmesh.authz.decision"], { sameVm: true });
    await host.send();
    expect(linesOf(host, "authz")).toEqual(["request_headers get_property: Ok allow"]);
  });

  it("concurrent streams each see only their own state", async () => {
    const host = await chain(
      ["request_headers nth 1 set_property wasmesh.jwt.principal alice"], // only on the first stream
      [
        "request_headers return 1",
        "request_headers set_tick 10",
        // Both streams wait in authz; its root then reads each one's state (contexts 2 and 3 of its VM).
        "tick set_tick 0",
        "tick set_effective_context 2",
        "tick get_property wasmesh.jwt.principal",
        "tick continue_stream 0",
        "tick set_effective_context 3",
        "tick get_property wasmesh.jwt.principal",
        "tick continue_stream 0",
      ],
    );
    const a = host.open({ path: "/one" });
    const b = host.open({ path: "/two" });
    const [ra, rb] = await host.wait([a, b]);
    expect([ra.response!.status, rb.response!.status]).toEqual([200, 200]);
    expect(results(host, "tick")).toEqual([
      "set_tick: Ok",
      "set_effective_context: Ok",
      "get_property: Ok alice",
      "continue_stream: Ok",
      "set_effective_context: Ok",
      "get_property: NotFound",
      "continue_stream: Ok",
    ]);
    expect(text(ra.filterState.get("wasm.wasmesh.jwt.principal"))).toBe("alice");
    expect(rb.filterState.size).toBe(0);
  });

  it("a later filter may overwrite it; the client's request headers cannot forge it", async () => {
    const host = await chain(
      ["request_headers set_property wasmesh.jwt.principal alice"],
      ["request_headers get_property wasmesh.jwt.principal", "request_headers set_property wasmesh.jwt.principal bob", "request_headers get_property wasmesh.jwt.principal"],
    );
    const r = await host.send({ headers: { "wasmesh.jwt.principal": "mallory", "x-wasmesh-principal": "mallory" } });
    expect(linesOf(host, "authz")).toEqual(["request_headers get_property: Ok alice", "request_headers set_property: Ok", "request_headers get_property: Ok bob"]);
    expect(text(r.filterState.get("wasm.wasmesh.jwt.principal"))).toBe("bob");
  });

  it("filter state given by the test (an earlier native filter) reads the same way", async () => {
    const host = await chain(["request_headers get_property wasmesh.fault"], ["request_headers get_property filter_state/wasm.wasmesh.fault"]);
    await host.send({ filterState: { "wasmesh.fault": "abort:503" } });
    expect(host.logs().map((l) => l.message)).toEqual(["request_headers get_property: Ok abort:503", "request_headers get_property: Ok abort:503"]);
  });
});

describe("what cannot be filter state", () => {
  it("a built-in attribute name is not shadowed by filter state of the same name", async () => {
    const host = await chain(
      ["request_headers set_property plugin_name forged", "request_headers get_property plugin_name"],
      ["request_headers get_property plugin_name", "request_headers get_property filter_state/wasm.plugin_name"],
    );
    await host.send();
    expect(linesOf(host, "jwt")).toEqual(["request_headers set_property: Ok", "request_headers get_property: Ok jwt"]);
    expect(linesOf(host, "authz")).toEqual(["request_headers get_property: Ok authz", "request_headers get_property: Ok forged"]);
  });

  it("state written later in the stream (response phase) is seen by an earlier filter's on_log", async () => {
    const host = await chain(["log get_property wasmesh.upstream.verdict"], ["response_headers set_property wasmesh.upstream.verdict ok"]);
    await host.send();
    expect(linesOf(host, "jwt")).toEqual(["log get_property: Ok ok"]);
  });

  it("a multi-segment path is stored with its NULs and cannot be read back by segments (§3.7)", async () => {
    const host = await chain(["request_headers set_property wasmesh/jwt v"], ["request_headers get_property wasmesh/jwt", "request_headers get_property wasmesh"]);
    const r = await host.send();
    expect(linesOf(host, "jwt")).toEqual(["request_headers set_property: Ok"]);
    expect(linesOf(host, "authz")).toEqual(["request_headers get_property: NotFound", "request_headers get_property: NotFound"]);
    expect([...r.filterState.keys()]).toEqual(["wasm.wasmesh\0jwt"]);
  });

  it("a root context has no stream: set_property is NotFound", async () => {
    const host = await chain(["configure set_property wasmesh.jwt.principal x", "tick get_property wasmesh.jwt.principal"], []);
    expect(results(host, "configure")).toEqual(["set_property: NotFound"]);
  });
});

describe("TCP connections", () => {
  it("state set on one connection is read by the next filter and gone on the next connection", async () => {
    const host = await chain(
      ["new_connection nth 1 set_property wasmesh.peer tenant-a"],
      ["new_connection return 0", "downstream_data get_property wasmesh.peer"],
    );
    const c1 = host.openTcp();
    c1.downstreamData(new TextEncoder().encode("hi"));
    c1.closeDownstream();
    const c2 = host.openTcp();
    c2.downstreamData(new TextEncoder().encode("hi"));
    c2.closeDownstream();
    expect(linesOf(host, "authz").filter((l) => l.startsWith("downstream_data"))).toEqual(["downstream_data get_property: Ok tenant-a", "downstream_data get_property: NotFound"]);
    expect(text(c1.filterState.get("wasm.wasmesh.peer"))).toBe("tenant-a");
    expect(c2.filterState.size).toBe(0);
  });
});

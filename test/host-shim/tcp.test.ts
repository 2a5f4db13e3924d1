// TCP (network filter) connections through a TcpContext plugin (proxy-wasm-abi.md §1.6, §2.4):
// new connection, downstream and upstream data with StopIteration buffering, close events and
// the on_done -> on_log -> on_delete order.
import { describe, expect, it } from "vitest";
import type { Host, TcpConnection } from "../../host-shim/index.ts";
import { names, results, scripted } from "./helpers.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (parts: Uint8Array[]) => new TextDecoder().decode(Buffer.concat(parts));
const callbacksOf = (host: Host, conn: TcpConnection) => names(host.timeline.filter((t) => (t as { stream?: number }).stream === conn.id));

describe("a TCP connection", () => {
  it("new connection, buffered downstream bytes with cumulative sizes, upstream bytes, close events, done/log/delete", async () => {
    const { host } = await scripted([
      "new_connection args",
      "new_connection whoami",
      "downstream_data args",
      "downstream_data nth 1 return 1", // StopIteration: keep the bytes
      "downstream_data get_buffer downstream_data 0 100",
      "upstream_data args",
      "upstream_data get_buffer upstream_data 0 100",
      "upstream_close args",
      "downstream_close args",
      "done args",
      "log get_property connection_id",
      "delete args",
    ]);
    const conn = host.openTcp({ upstream: (data) => (data.length ? enc(new TextDecoder().decode(data).toUpperCase()) : undefined) });
    conn.downstreamData(enc("hel"));
    expect(conn.upstreamReceived).toEqual([]); // held by the filter
    conn.downstreamData(enc("lo"));
    expect(dec(conn.upstreamReceived)).toBe("hello");
    await host.advance(0); // the upstream's answer arrives as its own event
    expect(dec(conn.downstreamReceived)).toBe("HELLO");
    conn.upstreamData(enc("bye"), true); // the upstream closes its side
    conn.closeDownstream(2); // the client closes (Remote)
    expect(conn.closed).toBe(true);
    expect(conn.closedBy).toBe("downstream");

    expect(results(host, "new_connection")).toEqual(["args:", "whoami: Ok context=2 root=1 root_id="]);
    expect(results(host, "downstream_data")).toEqual(["args: 3 0", "get_buffer: Ok hel", "args: 5 0", "get_buffer: Ok hello"]);
    expect(results(host, "upstream_data")).toEqual(["args: 5 0", "get_buffer: Ok HELLO", "args: 3 1", "get_buffer: Ok bye"]);
    expect(results(host, "upstream_close")).toEqual(["args: 0"]); // from end of stream on the write path, peer Unknown
    expect(results(host, "downstream_close")).toEqual(["args: 2"]);
    expect(results(host, "log")).toEqual([`get_property: Ok ${encodeU64(conn.id)}`]);
    expect(callbacksOf(host, conn)).toEqual([
      "on_context_create",
      "on_new_connection",
      "on_downstream_data",
      "on_downstream_data",
      "on_upstream_data",
      "on_upstream_data",
      "on_upstream_connection_close",
      "on_downstream_connection_close",
      "on_done",
      "on_log",
      "on_delete",
    ]);
  });

  it("a filter holding bytes releases them with continue_stream(DOWNSTREAM) from its root", async () => {
    const { host } = await scripted([
      "downstream_data return 1",
      "downstream_data set_tick 100",
      "tick set_tick 0",
      "tick set_effective_context last",
      "tick continue_stream 2",
    ]);
    const conn = host.openTcp();
    conn.downstreamData(enc("wait-"));
    conn.downstreamData(enc("for-it"));
    expect(conn.upstreamReceived).toEqual([]);
    await host.advance(100);
    expect(results(host, "tick")).toEqual(["set_tick: Ok", "set_effective_context: Ok", "continue_stream: Ok"]);
    expect(dec(conn.upstreamReceived)).toBe("wait-for-it");
  });

  it("upstream bytes held with StopIteration come out with the next chunk; continue_stream(UPSTREAM) is Unimplemented", async () => {
    const { host } = await scripted(["upstream_data args", "upstream_data nth 1 return 1", "upstream_data nth 1 continue_stream 3"]);
    const conn = host.openTcp();
    conn.upstreamData(enc("a"));
    expect(conn.downstreamReceived).toEqual([]);
    conn.upstreamData(enc("bc"));
    expect(results(host, "upstream_data")).toEqual(["args: 1 0", "continue_stream: Unimplemented", "args: 3 0"]);
    expect(dec(conn.downstreamReceived)).toBe("abc");
  });

  it("a filter may rewrite the bytes it passes on", async () => {
    const { host } = await scripted(["downstream_data set_buffer downstream_data 0 0 >>", "upstream_data set_buffer upstream_data 0 5 *****"]);
    const conn = host.openTcp({ upstream: () => enc("secret!") });
    conn.downstreamData(enc("ping"));
    await host.advance(0);
    expect(dec(conn.upstreamReceived)).toBe(">>ping");
    expect(dec(conn.downstreamReceived)).toBe("*****t!");
  });

  it("read filters see client bytes in chain order, write filters upstream bytes in reverse", async () => {
    const { host } = await scripted(["downstream_data get_property plugin_name", "upstream_data get_property plugin_name"], { name: "first" });
    await host.loadPlugin({ wasm: "build/fixtures/scripted.wasm", name: "second", vmId: "2", config: "downstream_data get_property plugin_name\nupstream_data get_property plugin_name" });
    const conn = host.openTcp({ upstream: () => enc("pong") });
    conn.downstreamData(enc("ping"));
    await host.advance(0);
    expect(host.logs().map((l) => l.message)).toEqual([
      "downstream_data get_property: Ok first",
      "downstream_data get_property: Ok second",
      "upstream_data get_property: Ok second",
      "upstream_data get_property: Ok first",
    ]);
  });

  it("close_stream from the filter closes the connection: a Local close event, then done, log, delete", async () => {
    const { host } = await scripted(["downstream_data close_stream 2", "downstream_data log info still-running", "downstream_close args"]);
    const conn = host.openTcp();
    conn.downstreamData(enc("bad"));
    expect(conn.closed).toBe(true);
    expect(conn.closedBy).toBe("plugin");
    expect(conn.upstreamReceived).toEqual([]);
    // Envoy closes the connection after the callback returns; the close raises LocalClose.
    expect(results(host, "downstream_close")).toEqual(["args: 1"]);
    expect(callbacksOf(host, conn)).toEqual([
      "on_context_create",
      "on_new_connection",
      "on_downstream_data",
      "on_downstream_connection_close",
      "on_done",
      "on_log",
      "on_delete",
    ]);
    // The client's own close comes too late: the contexts are gone, no more callbacks.
    conn.closeDownstream(2);
    expect(callbacksOf(host, conn)).toHaveLength(7);
  });

  it("a trap fails the connection closed; the other filters hear a Local close", async () => {
    const { host } = await scripted(["downstream_data trap"], { name: "trapper" });
    await host.loadPlugin({ wasm: "build/fixtures/scripted.wasm", name: "bystander", vmId: "2", config: "new_connection return 0\ndownstream_close args" });
    const conn = host.openTcp();
    conn.downstreamData(enc("x"));
    expect(conn.closed).toBe(true);
    expect(conn.upstreamReceived).toEqual([]);
    expect(host.traps).toHaveLength(1);
    expect(host.logs().filter((l) => l.plugin === "bystander").map((l) => l.message)).toEqual(["downstream_close args: 1"]);
    expect(host.timeline.filter((t) => t.plugin === "bystander" && (t as { stream?: number }).stream === conn.id).map((t) => t.callback)).toEqual([
      "proxy_on_context_create",
      "proxy_on_new_connection",
      "proxy_on_downstream_connection_close",
      "proxy_on_done",
      "proxy_on_log",
      "proxy_on_delete",
    ]);
  });
});

/** connection_id is a uint64 property: 8 little-endian bytes, printed percent-encoded. */
function encodeU64(n: number): string {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return [...b].map((x) => (x >= 0x21 && x <= 0x7e && x !== 0x25 && x !== 0x26 && x !== 0x3d ? String.fromCharCode(x) : "%" + x.toString(16).toUpperCase().padStart(2, "0"))).join("");
}

// gRPC callouts end to end (proxy-wasm-abi.md §3.10, §2.5): unary calls and streams through the
// SDK; the shim hands the bytes to a per-cluster handler and delivers the answers to the root.
import { describe, expect, it } from "vitest";
import { Host, type GrpcCalloutRequest } from "../../host-shim/index.ts";
import { results, scripted } from "./helpers.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("unary calls (proxy_grpc_call)", () => {
  it("sends service, method, metadata and message; the answer arrives in on_grpc_receive", async () => {
    const seen: GrpcCalloutRequest[] = [];
    const host = new Host().grpcCluster("ratelimit", (req) => {
      seen.push(req);
      return { status: 0, message: bytes("OK:" + new TextDecoder().decode(req.message)), delayMs: 10 };
    });
    await scripted([
      "request_headers grpc_call ratelimit envoy.service.ratelimit.v3.RateLimitService ShouldRateLimit X-Tenant=acme domain-1 1000",
      "request_headers return 1",
      "grpc_receive args",
      "grpc_receive whoami",
      "grpc_receive get_buffer grpc_receive_buffer 0 100",
      "grpc_receive buffer_status grpc_receive_buffer",
      "grpc_receive continue_stream 0",
      "grpc_close args",
    ], { host });
    const r = await host.send();
    expect(r.response!.status).toBe(200);
    expect(seen).toEqual([
      {
        cluster: "ratelimit",
        service: "envoy.service.ratelimit.v3.RateLimitService",
        method: "ShouldRateLimit",
        metadata: [["x-tenant", "acme"]], // names lower-cased
        message: bytes("domain-1"),
        timeoutMs: 1000,
        streaming: false,
      },
    ]);
    const [call] = results(host, "request_headers");
    const token = Number(call.split(" ").pop());
    expect(call).toMatch(/^grpc_call: Ok \d+$/);
    expect(token & 3).toBe(1); // gRPC call tokens end in 01
    expect(results(host, "grpc_receive")).toEqual([
      `args: ${token} 11`,
      "whoami: Ok context=2 root=1 root_id=", // handed to the issuing stream by the SDK
      "get_buffer: Ok OK:domain-1",
      "buffer_status: Ok 11 0",
      "continue_stream: Ok",
    ]);
    expect(results(host, "grpc_close")).toEqual([]); // a successful unary call ends with the message
    expect(host.callouts).toMatchObject([{ cluster: "ratelimit", refused: false, grpc: { service: "envoy.service.ratelimit.v3.RateLimitService", method: "ShouldRateLimit" } }]);
  });

  it("a non-OK status arrives as on_grpc_close with the message in proxy_get_status", async () => {
    const host = new Host().grpcCluster("authz", () => ({ status: 7, statusMessage: "permission denied" }));
    await scripted(["configure grpc_call authz pkg.Authz Check ~ req 1000", "grpc_close args", "grpc_close get_status", "grpc_receive args"], { host });
    await host.advance(0);
    const token = Number(results(host, "configure")[0].split(" ").pop());
    expect(results(host, "grpc_close")).toEqual([`args: ${token} 7`, "get_status: Ok 7 permission%20denied"]);
    expect(results(host, "grpc_receive")).toEqual([]);
  });

  it("no answer within the call's timeout closes it with DEADLINE_EXCEEDED (4) on the virtual clock", async () => {
    const host = new Host({ clock: 0 }).grpcCluster("slow", () => ({ timeout: true }));
    await scripted(["configure grpc_call slow pkg.Svc M ~ x 300", "grpc_close args", "grpc_close get_time", "grpc_close get_status"], { host });
    await host.advance(299);
    expect(results(host, "grpc_close")).toEqual([]);
    await host.advance(1);
    const token = Number(results(host, "configure")[0].split(" ").pop());
    expect(results(host, "grpc_close")).toEqual([`args: ${token} 4`, "get_time: Ok 300000000", "get_status: Ok 4 deadline%20exceeded"]);
  });

  it("a handler that throws closes the call with UNAVAILABLE (14)", async () => {
    const host = new Host().grpcCluster("down", () => {
      throw new Error("connection refused");
    });
    await scripted(["configure grpc_call down pkg.Svc M ~ x 1000", "grpc_close args", "grpc_close get_status"], { host });
    await host.advance(0);
    const token = Number(results(host, "configure")[0].split(" ").pop());
    expect(results(host, "grpc_close")).toEqual([`args: ${token} 14`, "get_status: Ok 14 connection%20refused"]);
  });

  it("cancel and close of a call: no further callbacks", async () => {
    const host = new Host().grpcCluster("svc", () => ({ status: 0, message: bytes("late"), delayMs: 50 }));
    await scripted([
      "configure grpc_call svc pkg.Svc A ~ x 1000",
      "configure grpc_cancel last",
      "configure grpc_call svc pkg.Svc B ~ x 1000",
      "configure grpc_close last",
      "configure grpc_cancel last", // already gone
      "grpc_receive args",
      "grpc_close args",
    ], { host });
    await host.advance(2000);
    expect(results(host, "configure").slice(1)).toEqual([
      "grpc_cancel: Ok",
      expect.stringMatching(/^grpc_call: Ok \d+$/),
      "grpc_close: Ok",
      "grpc_cancel: NotFound",
    ]);
    expect(host.timeline.map((t) => t.callback).filter((c) => c.includes("grpc"))).toEqual([]);
  });

  it("an unknown cluster is ParseFailure and listed as refused", async () => {
    const { host } = await scripted(["configure grpc_call nowhere pkg.Svc M ~ x 1000", "configure grpc_stream nowhere pkg.Svc S ~"]);
    expect(results(host, "configure")).toEqual(["grpc_call: ParseFailure", "grpc_stream: ParseFailure"]);
    expect(host.callouts).toMatchObject([
      { cluster: "nowhere", refused: true, grpc: { service: "pkg.Svc", method: "M" } },
      { cluster: "nowhere", refused: true, grpc: { service: "pkg.Svc", method: "S" } },
    ]);
  });
});

describe("streams (proxy_grpc_stream)", () => {
  it("send, initial metadata once, a message per answer, trailing metadata and close", async () => {
    const seen: GrpcCalloutRequest[] = [];
    const host = new Host().grpcCluster("xds", (req) => {
      seen.push(req);
      const text = new TextDecoder().decode(req.message);
      if (text === "bye") return { status: 0, statusMessage: "", trailingMetadata: [["x-end", "1"]] };
      return { message: bytes(`ack ${text}`), initialMetadata: [["x-server", "s1"]] };
    });
    await scripted([
      "configure grpc_stream xds pkg.Discovery Stream X-Node=n1",
      "configure grpc_send last one 0",
      "configure grpc_send last two 0",
      "grpc_receive_initial_metadata args",
      "grpc_receive_initial_metadata get_headers grpc_initial_metadata",
      "grpc_receive args",
      "grpc_receive get_buffer grpc_receive_buffer 0 100",
      "grpc_receive nth 2 grpc_send last bye 1",
      "grpc_receive_trailing_metadata args",
      "grpc_receive_trailing_metadata get_headers grpc_trailing_metadata",
      "grpc_close args",
      "grpc_close get_status",
    ], { host });
    await host.advance(0);
    const [open] = results(host, "configure");
    const token = Number(open.split(" ").pop());
    expect(open).toMatch(/^grpc_stream: Ok \d+$/);
    expect(token & 3).toBe(2); // stream tokens end in 10
    expect(results(host, "configure").slice(1)).toEqual(["grpc_send: Ok", "grpc_send: Ok"]);
    expect(seen.map((s) => [new TextDecoder().decode(s.message), s.streaming, s.service, s.method, s.metadata])).toEqual([
      ["one", true, "pkg.Discovery", "Stream", [["x-node", "n1"]]],
      ["two", true, "pkg.Discovery", "Stream", [["x-node", "n1"]]],
      ["bye", true, "pkg.Discovery", "Stream", [["x-node", "n1"]]],
    ]);
    expect(results(host, "grpc_receive_initial_metadata")).toEqual([`args: ${token} 1`, "get_headers: Ok x-server=s1"]);
    expect(results(host, "grpc_receive")).toEqual([
      `args: ${token} 7`,
      "get_buffer: Ok ack%20one",
      `args: ${token} 7`,
      "get_buffer: Ok ack%20two",
      "grpc_send: Ok",
    ]);
    expect(results(host, "grpc_receive_trailing_metadata")).toEqual([`args: ${token} 1`, "get_headers: Ok x-end=1"]);
    expect(results(host, "grpc_close")).toEqual([`args: ${token} 0`, "get_status: Ok 0 ~"]);
    expect(host.timeline.map((t) => t.callback.replace("proxy_on_grpc_", "")).filter((c) => !c.startsWith("proxy"))).toEqual([
      "receive_initial_metadata",
      "receive",
      "receive",
      "receive_trailing_metadata",
      "close",
    ]);
  });

  it("send checks its token: a call token is BadArgument, an unknown stream NotFound", async () => {
    const host = new Host().grpcCluster("svc", () => ({ status: 0, message: bytes("x"), delayMs: 10 }));
    await scripted([
      "configure grpc_call svc pkg.Svc M ~ x 1000",
      "configure grpc_send last m 0",
      "configure grpc_send 6 m 0", // a stream token nobody opened
      "configure grpc_send 4 m 0", // an HTTP token
      "configure grpc_close 4",
      "configure grpc_cancel 8",
    ], { host });
    expect(results(host, "configure").slice(1)).toEqual(["grpc_send: BadArgument", "grpc_send: NotFound", "grpc_send: BadArgument", "grpc_close: BadArgument", "grpc_cancel: BadArgument"]);
  });

  it("close half-closes: an answer already on its way still arrives; cancel drops it", async () => {
    const host = new Host().grpcCluster("svc", (req) => ({ message: req.message, delayMs: 20 }));
    await scripted([
      "configure grpc_stream svc pkg.Svc Half ~",
      "configure grpc_send last kept 0",
      "configure grpc_close last",
      "configure grpc_stream svc pkg.Svc Cancelled ~",
      "configure grpc_send last dropped 0",
      "configure grpc_cancel last",
      "configure grpc_send last after-cancel 0",
      "grpc_receive get_buffer grpc_receive_buffer 0 100",
    ], { host });
    await host.advance(100);
    expect(results(host, "configure").filter((l) => !l.startsWith("grpc_stream"))).toEqual([
      "grpc_send: Ok",
      "grpc_close: Ok",
      "grpc_send: Ok",
      "grpc_cancel: Ok",
      "grpc_send: NotFound",
    ]);
    expect(results(host, "grpc_receive")).toEqual(["get_buffer: Ok kept"]);
  });

  it("stream tokens are owned by the root of the issuing stream; a stream gone drops the answers", async () => {
    const host = new Host().grpcCluster("svc", (req) => ({ message: req.message, delayMs: 50 }));
    await scripted([
      "request_headers grpc_stream svc pkg.Svc S ~",
      "request_headers grpc_send last from-stream 0",
      "grpc_receive log info must-not-run",
    ], { host });
    await host.send();
    await host.advance(100);
    const delivered = host.timeline.filter((t) => t.callback === "proxy_on_grpc_receive");
    expect(delivered).toHaveLength(1);
    expect(delivered[0].args[0]).toBe(1); // the root context
    expect(host.logs().map((l) => l.message)).not.toContain("grpc_receive log: Ok");
    expect(host.traps).toEqual([]);
  });
});

describe("stream answers on the virtual clock", () => {
  it("an answer's delay is honoured for stream messages too", async () => {
    const host = new Host({ clock: 0 }).grpcCluster("svc", (req) => ({ message: req.message, delayMs: 250 }));
    await scripted(["configure grpc_stream svc pkg.Svc S ~", "configure grpc_send last m 0", "grpc_receive get_time"], { host });
    await host.advance(249);
    expect(results(host, "grpc_receive")).toEqual([]);
    await host.advance(1);
    expect(results(host, "grpc_receive")).toEqual(["get_time: Ok 250000000"]);
  });

  it("a stream whose handler fails is closed with UNAVAILABLE (14), like a failed call", async () => {
    const host = new Host().grpcCluster("svc", () => {
      throw new Error("upstream gone");
    });
    await scripted(["configure grpc_stream svc pkg.Svc S ~", "configure grpc_send last m 0", "grpc_close args", "grpc_close get_status", "configure grpc_send last again 0"], { host });
    await host.advance(0);
    const token = Number(results(host, "configure")[0].split(" ").pop());
    expect(results(host, "grpc_close")).toEqual([`args: ${token} 14`, "get_status: Ok 14 upstream%20gone"]);
  });
});

// Findings of the host-shim review against proxy-wasm-abi.md: each test pins a place where the
// shim was more permissive than Envoy (or let a guest argument escape as something other than a
// result code).
import { describe, expect, it } from "vitest";
import { Host } from "../../host-shim/index.ts";
import { names, results, SCRIPTED, scripted } from "./helpers.ts";

describe("StopAllIterationAndBuffer from headers is bounded by the buffer limit (§2.3, §5.5)", () => {
  it("a request body past the limit while headers hold with status 3 gets a 413, never the upstream", async () => {
    const { host } = await scripted(["request_headers return 3"], { hostOptions: { bufferLimit: 1000 } });
    const r = await host.send({ method: "POST", body: ["a".repeat(600), "b".repeat(600)] });
    expect(r.upstream).toBeNull();
    expect(r.response!.status).toBe(413);
    expect(r.details).toBe("request_payload_too_large");
  });
});

describe("WASI fd_write takes iovs_len as unsigned (§3.15, §4.7)", () => {
  it("an iovec count past the end of memory is EFAULT, not an empty success", async () => {
    const { host } = await scripted(["request_headers raw fd_write 1 $out -1 $out"]);
    await host.send();
    expect(results(host, "request_headers")).toEqual(["raw: Status21"]);
  });
});

describe("proxy_grpc_cancel / proxy_grpc_close check the token kind first (§3.10)", () => {
  // Envoy looks at the token's low bits before any lookup: neither a gRPC call (…01) nor a
  // gRPC stream (…10) is BadArgument, whether or not such a token was ever issued.
  it("an HTTP-shaped token is BadArgument even when no call has it; an unknown gRPC token is NotFound", async () => {
    const { host } = await scripted([
      "request_headers grpc_cancel 4",
      "request_headers grpc_close 8",
      "request_headers grpc_cancel 5",
      "request_headers grpc_close 6",
    ]);
    await host.send();
    expect(results(host, "request_headers")).toEqual([
      "grpc_cancel: BadArgument",
      "grpc_close: BadArgument",
      "grpc_cancel: NotFound",
      "grpc_close: NotFound",
    ]);
  });
});

describe("gRPC local replies carry the body as grpc-message in gRPC's percent-encoding (§5.4)", () => {
  // Envoy percent-encodes the text the way the gRPC protocol defines it: only bytes outside
  // printable ASCII (0x20–0x7E) and '%' are escaped; spaces, '/', ':' and the like stay as they
  // are, and bytes are escaped as bytes (not as UTF-8 decoded text).
  it("printable ASCII passes unescaped; '%' and bytes outside it are %XX", async () => {
    const { host } = await scripted(["request_headers send_local_response 403 denied a%20b/c:d,e%25f%0Ag%FF ~ -1"]);
    const r = await host.send({ method: "POST", path: "/pkg.Svc/Call", headers: { "content-type": "application/grpc" } });
    expect(r.response!.status).toBe(200);
    expect(r.response!.header("grpc-status")).toBe("7");
    expect(r.response!.header("grpc-message")).toBe("a b/c:d,e%25f%0Ag%FF");
  });
});

describe("reading trailers on the last body chunk does not create them (§5.6, §3.6)", () => {
  // Envoy reads through its const map (no creation) and creates trailers only for a write
  // (add/replace/remove/set/size go through the mutable map): a read on the last chunk of a
  // message without trailers finds no map, and adds nothing to the stream.
  it("get on REQUEST_TRAILERS in the last on_request_body is BadArgument / Ok-empty and adds no trailers", async () => {
    const host = new Host();
    await host.loadPlugin({ wasm: SCRIPTED, name: "a", config: ["request_body get_header 1 x-t", "request_body get_headers 1"].join("\n") });
    await host.loadPlugin({ wasm: SCRIPTED, name: "b", vmId: "b", config: "request_trailers args" });
    const r = await host.send({ method: "POST", body: "hello" });
    expect(results(host, "request_body")).toEqual(["get_header: BadArgument", "get_headers: Ok ~"]);
    expect(names(r.timeline)).not.toContain("on_request_trailers");
    expect(r.upstream!.text()).toBe("hello");
  });

  it("a write on the last chunk still creates them, and they follow the body", async () => {
    const host = new Host();
    await host.loadPlugin({ wasm: SCRIPTED, name: "a", config: "request_body add_header 1 x-t v" });
    const r = await host.send({ method: "POST", body: "hello" });
    expect(results(host, "request_body")).toEqual(["add_header: Ok"]);
    expect(r.upstream!.trailers).toEqual([["x-t", "v"]]);
  });
});

describe("a local reply sent through another context of the same stream stops the request (§5.4, §5.10)", () => {
  // Two plugins of one VM: b, during its on_request_headers, makes a's context of the same
  // stream effective and sends a local reply there. Envoy runs the reply after b's callback
  // returns and aborts the decoder chain: b's Continue no longer takes the request upstream.
  it("the upstream is never called, the client gets the reply", async () => {
    const host = new Host();
    await host.loadPlugin({ wasm: SCRIPTED, name: "a", vmId: "shared", config: "request_headers whoami" });
    await host.loadPlugin({
      wasm: SCRIPTED, name: "b", vmId: "shared", rootId: "second",
      config: ["request_headers whoami", "request_headers set_effective_context 3", "request_headers send_local_response 403 denied no ~ -1"].join("\n"),
    });
    const r = await host.send();
    expect(results(host, "request_headers")).toEqual([
      "whoami: Ok context=3 root=1 root_id=",
      "whoami: Ok context=4 root=2 root_id=second",
      "set_effective_context: Ok",
      "send_local_response: Ok",
    ]);
    expect(r.upstream).toBeNull();
    expect(r.response!.status).toBe(403);
  });
});

describe("header-derived properties return the header's bytes (§4.5, §6.2)", () => {
  // The header map holds one JS char per byte (latin1), and get_header_map_value returns those
  // bytes; the request.* / response.* properties must return the same bytes, not their UTF-8
  // re-encoding (in Envoy both read the same HeaderMap).
  it("a non-ASCII byte reads the same through the header map and through request.headers / request.path", async () => {
    const { host } = await scripted([
      "request_headers get_header 0 x-u",
      "request_headers get_property request/headers/x-u",
      "request_headers get_header 0 :path",
      "request_headers get_property request/path",
    ]);
    await host.send({ path: "/caf\u00e9", headers: { "x-u": "\u00e9t\u00e9" } });
    expect(results(host, "request_headers")).toEqual([
      "get_header: Ok %E9t%E9",
      "get_property: Ok %E9t%E9",
      "get_header: Ok /caf%E9",
      "get_property: Ok /caf%E9",
    ]);
  });
});

// Findings of the host-shim review against proxy-wasm-abi.md: each test pins a place where the
// shim was more permissive than Envoy (or let a guest argument escape as something other than a
// result code).
import { describe, expect, it } from "vitest";
import { results, scripted } from "./helpers.ts";

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

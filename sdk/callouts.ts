// HTTP and gRPC callouts (proxy-wasm-abi.md §3.9, §3.10, §5.8).
//
// Each call returns its token (0 on failure, see lastResult()) and records the calling
// context, so the response is delivered to that context's onHttpCallResponse / onGrpc*
// (the dispatcher sets the effective context first) — or dropped if it is gone.

import {
  proxy_grpc_call, proxy_grpc_cancel, proxy_grpc_close, proxy_grpc_send, proxy_grpc_stream, proxy_http_call,
} from "./abi/callouts";
import { CalloutKind, calloutKind, forgetCallout, recordCallout } from "./callout-owners";
import { lenOf, OUT_WORD, ptrOf, utf8 } from "./memory";
import { BytesPair, encodePairs, encodeStringPairs, Pair } from "./pairs";
import { recordResult, WasmResult } from "./result";

/**
 * Sends an HTTP request to Envoy cluster `cluster` (a cluster name, not a URL). `headers`
 * must hold `:method`, `:path` and `:authority`. `timeoutMs = 0` means no timeout in Envoy.
 */
export function httpCall(
  cluster: string, headers: Array<Pair>, body: ArrayBuffer | null, trailers: Array<Pair> | null, timeoutMs: u32,
): u32 {
  const c = utf8(cluster);
  const h = encodeStringPairs(headers);
  const t = encodeStringPairs(trailers);
  return httpCallRaw(c, h, body, t, timeoutMs);
}

/** Bytes twin of httpCall. */
export function httpCallBytes(
  cluster: ArrayBuffer, headers: Array<BytesPair>, body: ArrayBuffer | null, trailers: Array<BytesPair> | null,
  timeoutMs: u32,
): u32 {
  const h = encodePairs(headers);
  const t: ArrayBuffer | null = trailers === null ? null : encodePairs(trailers);
  return httpCallRaw(cluster, h, body, t, timeoutMs);
}

function httpCallRaw(
  cluster: ArrayBuffer, headers: ArrayBuffer, body: ArrayBuffer | null, trailers: ArrayBuffer | null, timeoutMs: u32,
): u32 {
  store<u32>(OUT_WORD, 0);
  const r = recordResult(proxy_http_call(
    changetype<usize>(cluster), cluster.byteLength,
    headers.byteLength ? changetype<usize>(headers) : 0, headers.byteLength,
    lenOf(body) ? ptrOf(body) : 0, lenOf(body),
    lenOf(trailers) ? ptrOf(trailers) : 0, lenOf(trailers),
    timeoutMs, OUT_WORD));
  if (r != WasmResult.Ok) return 0;
  const token = load<u32>(OUT_WORD);
  recordCallout(token, CalloutKind.Http);
  return token;
}

/**
 * Unary gRPC call. `service` is a cluster name or a serialized
 * `envoy.config.core.v3.GrpcService`; `serviceName` e.g. `envoy.service.auth.v3.Authorization`.
 */
export function grpcCall(
  service: ArrayBuffer, serviceName: string, method: string, initialMetadata: Array<BytesPair> | null,
  message: ArrayBuffer | null, timeoutMs: u32,
): u32 {
  const sn = utf8(serviceName);
  const m = utf8(method);
  const md: ArrayBuffer | null = initialMetadata === null ? null : encodePairs(initialMetadata);
  return grpcCallRaw(service, sn, m, md, message, timeoutMs);
}

/** grpcCall with all names as bytes (for arbitrary test input). */
export function grpcCallRaw(
  service: ArrayBuffer, serviceName: ArrayBuffer, method: ArrayBuffer, metadata: ArrayBuffer | null,
  message: ArrayBuffer | null, timeoutMs: u32,
): u32 {
  store<u32>(OUT_WORD, 0);
  const r = recordResult(proxy_grpc_call(
    changetype<usize>(service), service.byteLength,
    changetype<usize>(serviceName), serviceName.byteLength,
    changetype<usize>(method), method.byteLength,
    lenOf(metadata) ? ptrOf(metadata) : 0, lenOf(metadata),
    lenOf(message) ? ptrOf(message) : 0, lenOf(message),
    timeoutMs, OUT_WORD));
  if (r != WasmResult.Ok) return 0;
  const token = load<u32>(OUT_WORD);
  recordCallout(token, CalloutKind.GrpcCall);
  return token;
}

/** Opens a gRPC stream; send with grpcSend, end with grpcClose / grpcCancel. */
export function grpcStream(
  service: ArrayBuffer, serviceName: string, method: string, initialMetadata: Array<BytesPair> | null,
): u32 {
  const sn = utf8(serviceName);
  const m = utf8(method);
  const md: ArrayBuffer | null = initialMetadata === null ? null : encodePairs(initialMetadata);
  return grpcStreamRaw(service, sn, m, md);
}

export function grpcStreamRaw(
  service: ArrayBuffer, serviceName: ArrayBuffer, method: ArrayBuffer, metadata: ArrayBuffer | null,
): u32 {
  store<u32>(OUT_WORD, 0);
  const r = recordResult(proxy_grpc_stream(
    changetype<usize>(service), service.byteLength,
    changetype<usize>(serviceName), serviceName.byteLength,
    changetype<usize>(method), method.byteLength,
    lenOf(metadata) ? ptrOf(metadata) : 0, lenOf(metadata),
    OUT_WORD));
  if (r != WasmResult.Ok) return 0;
  const token = load<u32>(OUT_WORD);
  recordCallout(token, CalloutKind.GrpcStream);
  return token;
}

/** Sends one message on a gRPC stream. */
export function grpcSend(token: u32, message: ArrayBuffer | null, endStream: bool): WasmResult {
  return recordResult(proxy_grpc_send(token, lenOf(message) ? ptrOf(message) : 0, lenOf(message), endStream ? 1 : 0));
}

/** Cancels a call or resets a stream: no further callbacks for it. */
export function grpcCancel(token: u32): WasmResult {
  const r = recordResult(proxy_grpc_cancel(token));
  forgetCallout(token);
  return r;
}

/** Closes a call (as cancel) or half-closes a stream (remote messages may still arrive). */
export function grpcClose(token: u32): WasmResult {
  const r = recordResult(proxy_grpc_close(token));
  if (calloutKind(token) == CalloutKind.GrpcCall) forgetCallout(token);
  return r;
}

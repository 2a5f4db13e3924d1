// Stream control and local replies (proxy-wasm-abi.md §3.8, §5.4).

import { proxy_close_stream, proxy_continue_stream, proxy_send_local_response } from "./abi/stream";
import { lenOf, ptrOf, utf8 } from "./memory";
import { BytesPair, encodePairs, encodeStringPairs, Pair } from "./pairs";
import { recordResult, WasmResult } from "./result";

/** proxy_stream_type_t (§3.2). */
export enum StreamType {
  HttpRequest = 0,
  HttpResponse = 1,
  Downstream = 2,
  Upstream = 3,
}

/** gRPC status codes (§3.2); Unset (-1) lets Envoy derive it from the HTTP status. */
export enum GrpcStatus {
  Unset = -1,
  Ok = 0,
  Canceled = 1,
  Unknown = 2,
  InvalidArgument = 3,
  DeadlineExceeded = 4,
  NotFound = 5,
  AlreadyExists = 6,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  FailedPrecondition = 9,
  Aborted = 10,
  OutOfRange = 11,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
  DataLoss = 15,
  Unauthenticated = 16,
}

/** Resumes a paused stream after the current callback returns (Upstream ⇒ Unimplemented in Envoy). */
export function continueStream(type: i32): WasmResult {
  return recordResult(proxy_continue_stream(type));
}

/** Resets the HTTP stream (0/1) or closes the connection (2/3) after the current callback. */
export function closeStream(type: i32): WasmResult {
  return recordResult(proxy_close_stream(type));
}

export function continueRequest(): WasmResult { return continueStream(StreamType.HttpRequest); }
export function continueResponse(): WasmResult { return continueStream(StreamType.HttpResponse); }
export function continueDownstream(): WasmResult { return continueStream(StreamType.Downstream); }
export function closeRequest(): WasmResult { return closeStream(StreamType.HttpRequest); }
export function closeResponse(): WasmResult { return closeStream(StreamType.HttpResponse); }
export function closeDownstream(): WasmResult { return closeStream(StreamType.Downstream); }

/**
 * Replies locally instead of (or in place of) the upstream response. `details` becomes
 * `response.code_details` (whitespace → `_`); Envoy adds content-length and, for a
 * non-empty body, `content-type: text/plain` unless given. Call at most once per stream,
 * then return a stop status (Envoy overrides the callback's status anyway, §2.3).
 */
export function sendLocalResponse(
  statusCode: u32, details: string, body: string, headers: Array<Pair> | null, grpcStatus: i32 = -1,
): WasmResult {
  const d = utf8(details);
  const b = utf8(body);
  const h = encodeStringPairs(headers);
  return sendLocalResponseRaw(statusCode, d, b, h, grpcStatus);
}

/** Bytes twin of sendLocalResponse. */
export function sendLocalResponseBytes(
  statusCode: u32, details: ArrayBuffer, body: ArrayBuffer | null, headers: Array<BytesPair> | null, grpcStatus: i32 = -1,
): WasmResult {
  const h: ArrayBuffer | null = headers === null ? null : encodePairs(headers);
  return sendLocalResponseRaw(statusCode, details, body, h, grpcStatus);
}

function sendLocalResponseRaw(
  statusCode: u32, details: ArrayBuffer, body: ArrayBuffer | null, headers: ArrayBuffer | null, grpcStatus: i32,
): WasmResult {
  const hp = lenOf(headers) ? ptrOf(headers) : 0;
  const bp = lenOf(body) ? ptrOf(body) : 0;
  const dp = details.byteLength ? changetype<usize>(details) : 0;
  return recordResult(proxy_send_local_response(
    statusCode, dp, details.byteLength, bp, lenOf(body), hp, lenOf(headers), grpcStatus));
}

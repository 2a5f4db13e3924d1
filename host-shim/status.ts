// Enumerations of the proxy-wasm ABI 0.2.1 as Envoy uses them (proxy-wasm-abi.md §3.1, §3.2, §2.3).

/** WasmResult: the i32 every hostcall returns. */
export const enum WasmResult {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  BadExpression = 5,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  ResultMismatch = 9,
  InternalFailure = 10,
  BrokenConnection = 11,
  Unimplemented = 12,
}

export const WASM_RESULT_NAMES = [
  "Ok", "NotFound", "BadArgument", "SerializationFailure", "ParseFailure", "BadExpression",
  "InvalidMemoryAccess", "Empty", "CasMismatch", "ResultMismatch", "InternalFailure",
  "BrokenConnection", "Unimplemented",
] as const;

export const enum MapType {
  RequestHeaders = 0,
  RequestTrailers = 1,
  ResponseHeaders = 2,
  ResponseTrailers = 3,
  GrpcReceiveInitialMetadata = 4,
  GrpcReceiveTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
}

export const enum BufferType {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  DownstreamData = 2,
  UpstreamData = 3,
  HttpCallResponseBody = 4,
  GrpcReceiveBuffer = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
  CallData = 8,
}

export const enum StreamType {
  HttpRequest = 0,
  HttpResponse = 1,
  Downstream = 2,
  Upstream = 3,
}

export const enum MetricType {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "critical";
export const LOG_LEVELS: readonly LogLevel[] = ["trace", "debug", "info", "warn", "error", "critical"];
export function logLevelIndex(level: LogLevel | "off"): number {
  return level === "off" ? 6 : LOG_LEVELS.indexOf(level);
}

/** The raw values a headers callback may return (FilterHeadersStatus) and what Envoy makes of them. */
export type HeadersAction = "continue" | "stop-all";
/** FilterDataStatus after Envoy's conversion. */
export type DataAction = "continue" | "buffer" | "watermark" | "no-buffer";

/**
 * Envoy's convertFilterHeadersStatus (§2.3): 0 Continue, 2 ContinueAndEndStream (treated as
 * Continue); 1 StopIteration becomes StopAllIterationAndWatermark unless
 * allow_on_headers_stop_iteration; 3, 4 and anything larger stop everything.
 */
export function convertHeadersStatus(raw: number, allowOnHeadersStopIteration: boolean): "continue" | "stop-all" | "stop-headers" {
  const v = raw >>> 0;
  if (v === 0 || v === 2) return "continue";
  if (v === 1 && allowOnHeadersStopIteration) return "stop-headers";
  return "stop-all";
}

/** Envoy's convertFilterDataStatus (§2.3). */
export function convertDataStatus(raw: number): DataAction {
  const v = raw >>> 0;
  if (v === 0) return "continue";
  if (v === 1) return "buffer";
  if (v === 2) return "watermark";
  return "no-buffer";
}

/** FilterTrailersStatus: 0 Continue, anything else StopIteration. */
export function convertTrailersStatus(raw: number): "continue" | "stop" {
  return raw === 0 ? "continue" : "stop";
}

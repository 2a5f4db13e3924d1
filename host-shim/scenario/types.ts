// Types of a loaded scenario (spec/scenario-format.md) with every default of
// the format applied, so the runner never has to know a default; and the
// shapes the runner observes, which check.ts compares against expectations.
//
// Conventions: times and durations are milliseconds (numbers); bytes are
// Uint8Array; header names are lower-case; header maps are ordered lists of
// [name, value] pairs.

export type Pairs = Array<[string, string]>;

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "critical";
/** Severity order, least severe first (proxy_log_level_t numbering). */
export const LOG_LEVELS: readonly LogLevel[] = ["trace", "debug", "info", "warn", "error", "critical"];

export type FailStrategy = "FAIL_CLOSE" | "FAIL_OPEN" | "FAIL_RELOAD";
export type ConfigureExpectation = "ok" | "rejected" | "trapped" | "load-error" | "fail";
export type LogPhase = "startup" | "configure" | "tick" | "shutdown";

/** Where a scenario or a request entry starts in its file (1-based). */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

export interface Scenario {
  name: string;
  tags: string[];
  source: SourcePos;
  host: HostSettings;
  /** The chain, in order; at least one. */
  plugins: PluginSpec[];
  expectConfigure: ConfigureExpectation;
  expectLogs: LogExpectation[];
  requests: RequestStep[];
  /** Legal but contradictory or pointless things the loader ignored, as `file:line:col: path: message`. */
  warnings: string[];
}

export interface HostSettings {
  /** Start of the virtual clock, unix milliseconds. Default 2030-01-01T00:00:00Z. */
  clock: number;
  /** Simulated worker VMs per plugin. Default 1. */
  workers: number;
  allowOnHeadersStopIteration: boolean;
  /** Level reported by proxy_get_log_level; lines below it are not captured. Default info. */
  logLevel: LogLevel;
  /** Virtual ms a stream may stay paused before it is reported stuck. Default 60000. */
  maxWait: number;
  /** Scripted answers to HTTP callouts, by cluster name. */
  clusters: Record<string, ClusterScript<CalloutAnswer>>;
  /** Scripted answers to gRPC callouts, by cluster name. */
  grpcClusters: Record<string, ClusterScript<GrpcAnswer>>;
  /** Extra properties for every stream, by dotted Envoy name. */
  properties: Record<string, PropertyValue>;
}

/**
 * How a cluster answers. "sequence" (no answer has `when`): answers are
 * consumed in order, the last one repeats. "rules" (some answer has `when`):
 * every call gets the first answer whose `when` matches (an answer without
 * `when` matches every call); nothing is consumed. See docs/scenarios.md.
 */
export interface ClusterScript<A> {
  mode: "sequence" | "rules";
  answers: A[];
}

export interface CalloutMatcher {
  method?: string;
  path?: string;
  authority?: string;
  headers?: HeaderExpectation;
  body?: Uint8Array;
  bodyContains?: Uint8Array;
}

export interface CalloutAnswer {
  /** null: matches every call. */
  when: CalloutMatcher | null;
  /** Virtual ms before the answer arrives. Default 0. */
  delay: number;
  outcome:
    | { kind: "response"; status: number; headers: Pairs; body: Uint8Array; trailers: Pairs }
    /** The connection is reset: on_http_call_response with no headers (Envoy's Reset). */
    | { kind: "reset" }
    /** Envoy's 504 after the call's own timeout. */
    | { kind: "timeout" };
  source: SourcePos;
}

export interface GrpcCalloutMatcher {
  service?: string;
  method?: string;
}

export interface GrpcAnswer {
  when: GrpcCalloutMatcher | null;
  delay: number;
  outcome:
    /** status: grpc-status (0–16); message: the response message bytes (empty if not given). */
    | { kind: "response"; status: number; message: Uint8Array }
    | { kind: "reset" }
    | { kind: "timeout" };
  source: SourcePos;
}

/**
 * A property value. int/uint are 64-bit (bigint), timestamp is nanoseconds
 * since the epoch (Envoy's int64 ns encoding), "notFound" makes
 * proxy_get_property answer NotFound (written `null`).
 */
export type PropertyValue =
  | { type: "string"; value: string }
  | { type: "bytes"; value: Uint8Array }
  | { type: "int"; value: bigint }
  | { type: "uint"; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "double"; value: number }
  | { type: "timestamp"; value: bigint }
  | { type: "notFound" };

export interface PluginSpec {
  /** plugin_name. Default: the wasm file name without directory and extension. */
  name: string;
  /** Path from the project root, as written. */
  wasm: string;
  rootId: string;
  vmId: string;
  vmConfig: Uint8Array;
  /** Object/list → JSON text, string → verbatim UTF-8, {base64} → those bytes; absent → empty. */
  config: Uint8Array;
  failStrategy: FailStrategy;
  source: SourcePos;
}

export interface LogExpectation {
  /** Startup logs only; "any" matches every phase. Always "any" inside a request's expect. */
  phase: LogPhase | "any";
  /** Exact level of the line; absent: any level. */
  level?: LogLevel;
  /** Substring of the message; absent: any message. */
  contains?: string;
}

export interface ConnectionSpec {
  /** source.address, ip:port. Default 10.0.0.1:5555. */
  source: string;
  /** destination.address, ip:port. Default 10.0.0.2:8080. */
  destination: string;
  /** connection.mtls; true whenever peerPrincipal is given. */
  mtls: boolean;
  peerPrincipal?: string;
  sni?: string;
}

export interface HttpRequestSpec {
  method: string;
  path: string;
  authority: string;
  scheme: string;
  /** Regular headers only (no pseudo-headers), names lower-case, in order. */
  headers: Pairs;
  /** Chunks of the body; null: no body (end_of_stream on the headers). */
  body: Uint8Array[] | null;
  /** Empty: no trailers. */
  trailers: Pairs;
}

export type UpstreamAnswer =
  | { kind: "response"; status: number; headers: Pairs; body: Uint8Array[] | null; trailers: Pairs }
  /** The router's 504 local reply (upstream request timeout). */
  | { kind: "timeout" }
  /** The upstream resets the stream. */
  | { kind: "reset" };

export interface RequestStep {
  name: string;
  source: SourcePos;
  /** Virtual ms to pass before this entry. Default 0. */
  advance: number;
  /** Identical copies to send. Default 1 (always 1 for a time step). */
  repeat: number;
  concurrent: boolean;
  /** null: a time step (`advance` without `request`): only lets time pass. */
  request: HttpRequestSpec | null;
  connection: ConnectionSpec;
  properties: Record<string, PropertyValue>;
  /** As if set with proxy_set_property by an earlier filter on this stream. */
  filterState: Record<string, Uint8Array>;
  upstream: UpstreamAnswer;
  expect: Expectations;
  /** Reported when it does not hold, never fails the case; null when absent. */
  advisory: Expectations | null;
}

export interface HeaderExpectation {
  /** name → exact value of the first occurrence. */
  equals?: Record<string, string>;
  has?: string[];
  lacks?: string[];
  /** name → all values, in order. */
  values?: Record<string, string[]>;
}

export interface UpstreamExpectation {
  called?: boolean;
  method?: string;
  path?: string;
  authority?: string;
  headers?: HeaderExpectation;
  body?: Uint8Array;
  bodyContains?: Uint8Array;
  trailers?: HeaderExpectation;
}

export interface ResponseExpectation {
  status?: number;
  headers?: HeaderExpectation;
  body?: Uint8Array;
  bodyContains?: Uint8Array;
  grpcStatus?: number;
  trailers?: HeaderExpectation;
  reset?: boolean;
}

/** `false`: no local reply may have been sent; an object: one was sent, matching the given fields. */
export type LocalReplyExpectation = false | { status?: number; details?: string };

export interface CalloutExpectation {
  cluster: string;
  method?: string;
  path?: string;
  authority?: string;
  headers?: HeaderExpectation;
  body?: Uint8Array;
  bodyContains?: Uint8Array;
  /** Default false: the call was accepted by the host. */
  refused: boolean;
}

export interface GrpcCalloutExpectation {
  cluster: string;
  service?: string;
  method?: string;
  refused: boolean;
}

/** Every field optional: absent means not checked. */
export interface Expectations {
  upstream?: UpstreamExpectation;
  response?: ResponseExpectation;
  localReply?: LocalReplyExpectation;
  stuck?: boolean;
  callouts?: CalloutExpectation[];
  grpcCallouts?: GrpcCalloutExpectation[];
  logs?: LogExpectation[];
  noLogsAbove?: LogLevel;
  metrics?: Record<string, number>;
  /** null: not set or empty. */
  filterState?: Record<string, Uint8Array | null>;
  /** Callback names without the proxy_ prefix. */
  timeline?: string[];
}

export type ExpectationSection = keyof Expectations;

// ---- What the runner observes -------------------------------------------

export interface ObservedRequest {
  upstream: { called: boolean; method?: string; path?: string; authority?: string; headers: Pairs; body: Uint8Array; trailers: Pairs };
  /** null while the stream is stuck. */
  response: { status: number; headers: Pairs; body: Uint8Array; trailers: Pairs; reset: boolean } | null;
  /** A local reply sent by a plugin (or the host's fail-closed reply). */
  localReply: { status: number; details: string } | null;
  stuck: boolean;
  callouts: Array<{ cluster: string; method?: string; path?: string; authority?: string; headers: Pairs; body: Uint8Array; refused: boolean }>;
  grpcCallouts: Array<{ cluster: string; service?: string; method?: string; refused: boolean }>;
  logs: Array<{ level: LogLevel; message: string }>;
  /** Cumulative values after this request. */
  metrics: Record<string, number>;
  /** Keys as written with proxy_set_property (e.g. "wasmesh.jwt.principal"). */
  filterState: Record<string, Uint8Array>;
  /** e.g. ["on_context_create", "on_request_headers", …] without arguments. */
  timeline: string[];
}

export interface ObservedConfigure {
  outcome: "ok" | "rejected" | "trapped" | "load-error";
  logs: Array<{ phase: LogPhase; level: LogLevel; message: string }>;
}

/** One failed expectation: `path` names it (e.g. "expect.response.status"), `message` says what was observed. */
export interface Failure {
  path: string;
  message: string;
}

// The public vocabulary of the shim: what a test sends, what it gets back.
import type { LogLevel } from "./status.ts";
import type { Pairs } from "./memory.ts";

export type Headers = Record<string, string> | Array<[string, string]>;
export type Body = string | Uint8Array;

/** Istio WasmPlugin.failStrategy (§5.9). */
export type FailStrategy = "FAIL_CLOSE" | "FAIL_OPEN" | "FAIL_RELOAD";

export interface ConnectionSpec {
  /** source.address, `ip:port` (default 127.0.0.1:50000). */
  source?: string;
  /** destination.address, `ip:port` (default 127.0.0.1:8080). */
  destination?: string;
  /** connection.mtls; implied by peerPrincipal. */
  mtls?: boolean;
  /** URI SAN of the peer certificate (connection.uri_san_peer_certificate), e.g. spiffe://cluster.local/ns/default/sa/sleep. */
  peerPrincipal?: string;
  /** URI SAN of the local certificate. */
  localPrincipal?: string;
  /** connection.requested_server_name. */
  sni?: string;
  tlsVersion?: string;
}

export interface RequestSpec {
  method?: string;
  path?: string;
  authority?: string;
  scheme?: string;
  headers?: Headers;
  /** Absent: no body (end of stream on the headers). A list sends one chunk each. */
  body?: Body | Body[];
  trailers?: Headers;
  connection?: ConnectionSpec;
  /** Extra properties for this stream, by dotted Envoy name (`node.metadata.X`, …). */
  properties?: Record<string, PropertyInput>;
  /** Filter state as if set by an earlier filter (name -> bytes). */
  filterState?: Record<string, Body>;
  /** HTTP protocol reported as request.protocol (default HTTP/1.1). */
  protocol?: string;
}

/** A typed property value for the attribute tree (§4.5 encodings); null = NotFound. */
export type PropertyInput =
  | string
  | null
  | { int: number | bigint }
  | { uint: number | bigint }
  | { bool: boolean }
  | { double: number }
  | { bytes: Uint8Array }
  | { timestamp: number }
  | { map: Record<string, string> }
  | { list: string[] };

export interface UpstreamRequest {
  method: string;
  path: string;
  authority: string;
  scheme: string;
  headers: Pairs;
  body: Uint8Array;
  trailers: Pairs;
  header(name: string): string | undefined;
  text(): string;
}

export interface UpstreamResponseSpec {
  status?: number;
  headers?: Headers;
  body?: Body | Body[];
  trailers?: Headers;
  /** The router's 504 local reply (upstream request timeout). */
  timeout?: boolean;
  /** The upstream reset the stream before answering: the router's 503 local reply. */
  reset?: boolean;
}

export type UpstreamHandler = (req: UpstreamRequest) => UpstreamResponseSpec | Promise<UpstreamResponseSpec>;

export interface ClientResponse {
  status: number;
  headers: Pairs;
  body: Uint8Array;
  trailers: Pairs;
  /** The stream was reset instead of answered. */
  reset: boolean;
  header(name: string): string | undefined;
  text(): string;
}

export interface CallbackRecord {
  plugin: string;
  worker: number;
  /** Export name, e.g. proxy_on_request_headers. */
  callback: string;
  args: number[];
  /** Raw return value; undefined for void callbacks; "trap" when the call trapped. */
  result?: number | "trap";
}

export interface LogRecord {
  seq: number;
  plugin: string;
  worker: number;
  level: LogLevel;
  message: string;
  phase: "startup" | "configure" | "stream" | "tick" | "callout" | "queue" | "shutdown";
  /** The stream the line belongs to, when it was logged for one. */
  stream?: number;
  /** The line as Envoy's `wasm` logger prints it: `wasm log <plugin> [<root_id>] [<vm_id>]: <message>` (§3.4). */
  envoy?: string;
}

export interface LocalReplyRecord {
  plugin: string;
  status: number;
  details: string;
  body: Uint8Array;
  headers: Pairs;
  grpcStatus: number;
  /** Sent by the host (fail closed, buffer overflow) rather than by a plugin. */
  byHost: boolean;
}

export interface StreamResult {
  id: number;
  /** What the upstream received, or null when it was never called. */
  upstream: UpstreamRequest | null;
  /** The response the client got; null if the stream was still paused when given up on (stuck). */
  response: ClientResponse | null;
  localReply: LocalReplyRecord | null;
  /** response.code_details as Envoy would record it. */
  details: string;
  stuck: boolean;
  /** Callbacks of every plugin for this stream, in order. */
  timeline: CallbackRecord[];
  logs: LogRecord[];
  /** Filter state written during the stream (name -> bytes), as proxy_set_property stored it. */
  filterState: Map<string, Uint8Array>;
  /** Traps that happened during the stream (with source locations). */
  traps: Error[];
}

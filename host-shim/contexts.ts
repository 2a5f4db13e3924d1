// Contexts as the host keeps them (§1.1, §1.2): one root per plugin per VM, one stream context
// per HTTP exchange (or TCP connection) per plugin.
import type { HeaderMap } from "./header-map.ts";
import type { PluginSpec } from "./plugin.ts";
import type { TimerHandle } from "./scheduler.ts";
import type { Vm } from "./vm.ts";
import type { HttpStream } from "./http-stream.ts";
import type { TcpConnection } from "./tcp.ts";

/** A body the host currently holds for a context: the guest may read and (if mutable) edit it. */
export class BodyRef {
  constructor(public bytes: Uint8Array) {}
}

export class RootContext {
  readonly kind = "root";
  pluginConfigReadable = false;
  pendingDone = false;
  tickPeriod = 0;
  tickTimer: TimerHandle | null = null;
  /** proxy_get_status: the last callout failure or gRPC close (§3.10). */
  status: { code: number; message: Uint8Array } = { code: 0, message: new Uint8Array(0) };
  /** The HTTP callout response being delivered (readable only during on_http_call_response). */
  httpCallResponse: { headers: HeaderMap; body: Uint8Array; trailers: HeaderMap } | null = null;
  /** gRPC data being delivered. */
  grpcMetadata: HeaderMap | null = null;
  grpcMetadataType = -1;
  grpcMessage: Uint8Array | null = null;
  /** Foreign-function arguments being delivered. */
  callData: Uint8Array | null = null;
  /** Outstanding callouts by token, so they can be cancelled. */
  readonly callouts = new Map<number, { cancel(): void; kind: "http" | "grpc-call" | "grpc-stream"; caller: number }>();

  constructor(readonly vm: Vm, readonly id: number, readonly plugin: PluginSpec) {}

  cancelTimers(): void {
    this.tickTimer?.cancel();
    this.tickTimer = null;
    for (const c of this.callouts.values()) c.cancel();
    this.callouts.clear();
  }
}

/** Per-context references to the stream's maps and buffers, as Envoy's wasm Context keeps them. */
export class HttpStreamContext {
  readonly kind = "http";
  /** Set while the corresponding callback runs or the filter holds that phase (§5.2). */
  reqHeaders: HeaderMap | null = null;
  reqBody: BodyRef | null = null;
  reqTrailers: HeaderMap | null = null;
  respHeaders: HeaderMap | null = null;
  respBody: BodyRef | null = null;
  respTrailers: HeaderMap | null = null;
  /** On the last body chunk of a direction without trailers, trailers may be created (§5.6). */
  canCreateReqTrailers = false;
  canCreateRespTrailers = false;
  /** During on_log the maps are read-only and unavailable ones answer NotFound (§5.2). */
  inLog = false;
  created = false;
  deleted = false;
  localReplySent = false;

  constructor(
    readonly vm: Vm,
    readonly id: number,
    readonly root: RootContext,
    readonly stream: HttpStream,
    readonly slot: number,
  ) {}

  get plugin(): PluginSpec {
    return this.root.plugin;
  }
  get streamId(): number {
    return this.stream.id;
  }
  /** A local reply was requested during the running callback: its status becomes "stop" (§2.3). */
  localReplyPending = false;
  /** proxy_continue_stream drops the context's references to the request data, whichever
   *  direction it resumes (§3.8, Envoy's Context::continueStream). */
  dropRequestReferences(): void {
    this.reqHeaders = null;
    this.reqBody = null;
    this.reqTrailers = null;
  }
}

export class TcpStreamContext {
  readonly kind = "tcp";
  downstreamData: BodyRef | null = null;
  upstreamData: BodyRef | null = null;
  created = false;
  deleted = false;
  constructor(
    readonly vm: Vm,
    readonly id: number,
    readonly root: RootContext,
    readonly connection: TcpConnection,
  ) {}
  get plugin(): PluginSpec {
    return this.root.plugin;
  }
  get streamId(): number {
    return this.connection.id;
  }
}

export type Context = RootContext | HttpStreamContext | TcpStreamContext;

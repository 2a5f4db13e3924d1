// The context classes a filter extends (proxy-wasm-abi.md §1, §2).
//
//   RootContext  — one per plugin per VM: configuration, ticks, queues; creates streams.
//   HttpContext  — one per HTTP request/response exchange.
//   TcpContext   — one per TCP connection (network filter).
//
// Every method has a default that does nothing and continues, so a filter overrides only
// what it needs. Callout responses (HTTP, gRPC) arrive on the context that issued the call.

/** FilterHeadersStatus, with Envoy's raw values (§2.3). */
export enum FilterHeadersStatus {
  Continue = 0,
  /** "Pause": Envoy stops headers and body (StopAllIterationAndWatermark) unless the plugin allows headers-only stops. */
  StopIteration = 1,
  /** Treated as Continue by Envoy. */
  ContinueAndEndStream = 2,
  StopAllIterationAndBuffer = 3,
  StopAllIterationAndWatermark = 4,
}

/** FilterDataStatus (§2.3). */
export enum FilterDataStatus {
  Continue = 0,
  /** "Pause": keep buffering; the next body callback sees every buffered byte. */
  StopIterationAndBuffer = 1,
  StopIterationAndWatermark = 2,
  StopIterationNoBuffer = 3,
}

/** FilterTrailersStatus (§2.3). */
export enum FilterTrailersStatus {
  Continue = 0,
  StopIteration = 1,
}

/** FilterMetadataStatus (§2.3): Envoy treats every value as Continue. */
export enum FilterMetadataStatus {
  Continue = 0,
}

/** Network FilterStatus (§2.4). */
export enum FilterStatus {
  Continue = 0,
  StopIteration = 1,
}

/** proxy_peer_type_t (§3.2). */
export enum PeerType {
  Unknown = 0,
  Local = 1,
  Remote = 2,
}

/** What every context has: its id and callout responses. */
export class Context {
  /** The host's context id (unique within this VM). */
  readonly id: u32;

  constructor(id: u32) {
    this.id = id;
  }

  /**
   * Response to an httpCall this context made. `numHeaders == 0`: the call failed without
   * a response (getStatus() says why). Read it with httpCallResponseHeaders,
   * getBufferBytes(BufferType.HttpCallResponseBody), httpCallResponseTrailers.
   */
  onHttpCallResponse(token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {}

  /** gRPC stream initial metadata (grpcInitialMetadata). */
  onGrpcReceiveInitialMetadata(token: u32, numElements: u32): void {}

  /** One gRPC message, in BufferType.GrpcReceiveBuffer. */
  onGrpcReceive(token: u32, messageSize: u32): void {}

  /** gRPC stream trailing metadata (grpcTrailingMetadata). */
  onGrpcReceiveTrailingMetadata(token: u32, numElements: u32): void {}

  /** A gRPC call/stream ended with `status` (0 = Ok); getStatus() has the message. */
  onGrpcClose(token: u32, status: u32): void {}
}

/** One plugin's root context. */
export class RootContext extends Context {
  /** The `root_id` this root was registered for (Envoy's plugin root_id). */
  readonly rootId: string;

  constructor(id: u32, rootId: string) {
    super(id);
    this.rootId = rootId;
  }

  /** VM start; the VM configuration is in BufferType.VmConfiguration. false ⇒ start failure. */
  onVmStart(vmConfigurationSize: u32): bool { return true; }

  /** Plugin configuration (BufferType.PluginConfiguration). false ⇒ configuration rejected. */
  onConfigure(pluginConfigurationSize: u32): bool { return true; }

  /** Timer set with setTickPeriod. */
  onTick(): void {}

  /** One item was enqueued on a queue this root registered. */
  onQueueReady(queueId: u32): void {}

  /** An embedder called one of our functions; arguments in BufferType.CallData. */
  onForeignFunction(functionId: u32, argsSize: u32): void {}

  /** Only when the plugin is used as an Envoy access logger. */
  onLog(): void {}

  /** Plugin removal. Return false to finish later with done(). */
  onDone(): bool { return true; }

  onDelete(): void {}

  /** A new HTTP stream of this plugin; null if this root is not an HTTP filter. */
  newHttpContext(contextId: u32): HttpContext | null { return null; }

  /** A new TCP connection of this plugin; null if this root is not a network filter. */
  newTcpContext(contextId: u32): TcpContext | null { return null; }
}

/** Base of HTTP and TCP stream contexts. */
export class StreamContext extends Context {
  readonly root: RootContext;

  constructor(id: u32, root: RootContext) {
    super(id);
    this.root = root;
  }

  /** Access-log time; header maps are read-only (HTTP: after the response). */
  onLog(): void {}

  /** The stream ended (Envoy ignores the result for streams). */
  onDone(): bool { return true; }

  /** Forget the stream; its pending callouts are dropped. */
  onDelete(): void {}
}

/** An HTTP stream (request + response). */
export class HttpContext extends StreamContext {
  constructor(id: u32, root: RootContext) {
    super(id, root);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus { return FilterHeadersStatus.Continue; }
  onRequestBody(bodySize: u32, endOfStream: bool): FilterDataStatus { return FilterDataStatus.Continue; }
  onRequestTrailers(numTrailers: u32): FilterTrailersStatus { return FilterTrailersStatus.Continue; }
  onRequestMetadata(numElements: u32): FilterMetadataStatus { return FilterMetadataStatus.Continue; }
  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus { return FilterHeadersStatus.Continue; }
  onResponseBody(bodySize: u32, endOfStream: bool): FilterDataStatus { return FilterDataStatus.Continue; }
  onResponseTrailers(numTrailers: u32): FilterTrailersStatus { return FilterTrailersStatus.Continue; }
  onResponseMetadata(numElements: u32): FilterMetadataStatus { return FilterMetadataStatus.Continue; }
}

/** A TCP connection (network filter). */
export class TcpContext extends StreamContext {
  constructor(id: u32, root: RootContext) {
    super(id, root);
  }

  onNewConnection(): FilterStatus { return FilterStatus.Continue; }
  /** Client → proxy bytes in BufferType.DownstreamData (cumulative after a StopIteration). */
  onDownstreamData(dataSize: u32, endOfStream: bool): FilterStatus { return FilterStatus.Continue; }
  /** Upstream → client bytes in BufferType.UpstreamData. */
  onUpstreamData(dataSize: u32, endOfStream: bool): FilterStatus { return FilterStatus.Continue; }
  onDownstreamConnectionClose(peerType: PeerType): void {}
  /** Envoy always reports PeerType.Unknown here. */
  onUpstreamConnectionClose(peerType: PeerType): void {}
}

// The host: what a test arranges (plugins, clusters, time), acts on (send a request, advance
// the clock) and asserts on (the stream result, logs, metrics, the callback timeline). It plays
// Envoy's part for the modules: one VM per plugin group per simulated worker, alive across
// streams (§1.1, §5.13).
import { readFileSync } from "node:fs";
import { randomBytes as nodeRandomBytes, createHash } from "node:crypto";
import { HeaderMap } from "./header-map.ts";
import { LoadError, type WasmTrap } from "./errors.ts";
import { Logger, MetricsRegistry, SharedData, SharedQueues, type ClusterHandler, type GrpcClusterHandler, type HostCore, type CalloutRequest } from "./host-core.ts";
import { HttpStream, toChunks, toPairs, DEFAULT_BUFFER_LIMIT } from "./http-stream.ts";
import { LoadedPlugin, type WorkerState } from "./loaded-plugin.ts";
import { utf8, type Pairs } from "./memory.ts";
import { vmKey, type PluginSpec } from "./plugin.ts";
import { RealScheduler, VirtualScheduler, type Scheduler } from "./scheduler.ts";
import type { LogLevel } from "./status.ts";
import { TcpConnection } from "./tcp.ts";
import { compressForeignFunction, uncompressForeignFunction } from "./foreign/zlib.ts";
import type { ConnectionSpec } from "./types.ts";
import type { CallbackRecord, FailStrategy, LogRecord, PropertyInput, RequestSpec, StreamResult, UpstreamHandler } from "./types.ts";
import { V, type Value } from "./values.ts";
import { CompiledModule, Vm } from "./vm.ts";
import type { Context } from "./contexts.ts";
import { verifySignatureForeignFunction } from "./foreign/verify-signature.ts";

export interface HostOptions {
  /** Simulated worker threads: each gets its own VM of every plugin (default 1). */
  workers?: number;
  /** Virtual clock start (ms since the epoch, or a Date); `real: true` uses the wall clock. */
  clock?: number | Date;
  real?: boolean;
  /** The level proxy_get_log_level reports; lower lines are dropped (default "trace"). */
  logLevel?: LogLevel;
  /** Envoy version emulated for version-dependent behaviour (default 1.35). */
  envoyVersion?: string;
  /** FAIL_RELOAD: time after a failure before a fresh VM is started (default 1000 ms, Envoy's base interval). */
  reloadBackoffMs?: number;
  /** Per-stream buffer limit (default 1 MiB, Envoy's per_connection_buffer_limit_bytes). */
  bufferLimit?: number;
  /** Node identity and metadata (xds.node.*). */
  node?: { id?: string; cluster?: string; metadata?: Record<string, unknown> };
  /** Route attributes (xds.route_name, xds.cluster_name, …). */
  route?: { routeName?: string; clusterName?: string; listenerDirection?: number; virtualHostName?: string };
  /** Extra properties for every stream, by dotted Envoy name. */
  properties?: Record<string, PropertyInput>;
  /**
   * Keep the whole callback and log history on the host (default true, for assertions on
   * `host.timeline` / `host.logs()`); false keeps only what each stream result needs, for long
   * runs and benchmarks.
   */
  history?: boolean;
  /** Seed for WASI random_get (reproducible tests); unseeded uses the OS CSPRNG. */
  randomSeed?: number;
  /** Echo every captured log line (e.g. to stdout in `wasmesh serve`). */
  onLog?: (r: LogRecord) => void;
}

export interface PluginOptions {
  /** A path to a .wasm file or its bytes. */
  wasm: string | Uint8Array;
  name?: string;
  rootId?: string;
  vmId?: string;
  vmConfig?: string | Uint8Array;
  /** Plugin configuration: an object is serialized as JSON, a string or bytes are passed verbatim. */
  config?: unknown;
  failStrategy?: FailStrategy;
  allowOnHeadersStopIteration?: boolean;
  env?: Record<string, string>;
}

export interface SendOptions {
  /** The chain (default: every loaded plugin, in load order). */
  plugins?: LoadedPlugin[];
  /** Upstream: a handler, or a fixed answer (default 200 with an empty body). */
  upstream?: UpstreamHandler;
  /** The worker that handles the stream (default: round robin). */
  worker?: number;
  /** Virtual time a paused stream may wait before it is reported stuck (default 60 s). */
  maxWaitMs?: number;
}

const enc = (v: string | Uint8Array | undefined) => (v === undefined ? new Uint8Array(0) : typeof v === "string" ? utf8(v) : v);

export class Host implements HostCore {
  readonly scheduler: Scheduler;
  readonly logger = new Logger();
  readonly sharedData = new SharedData();
  readonly queues = new SharedQueues();
  readonly metrics = new MetricsRegistry();
  readonly clusters = new Map<string, ClusterHandler>();
  readonly grpcClusters = new Map<string, GrpcClusterHandler>();
  readonly foreignFunctions = new Map<string, (args: Uint8Array, vm: Vm) => { status: number; result?: Uint8Array }>();
  readonly nodeProperties: Value;
  readonly envoyVersion: [number, number];
  readonly bufferLimit: number;
  readonly reloadBackoffMs: number;
  readonly workers: number;
  readonly upstreamAddress = "127.0.0.1:8081";
  readonly plugins: LoadedPlugin[] = [];
  /** Every callback, in order, across plugins and streams (kept while `history` is on). */
  readonly timeline: Array<CallbackRecord & { seq: number; stream?: number }> = [];
  /** Callbacks of root contexts (no stream), in order: a stream's window is searched here. */
  private readonly rootTimeline: Array<CallbackRecord & { seq: number }> = [];
  /** Callbacks by stream, taken when the stream is collected. */
  private readonly streamTimeline = new Map<number, CallbackRecord[]>();
  /** Every callout made, in order. */
  readonly callouts: Array<{ seq: number; cluster: string; stream?: number; refused: boolean; request?: CalloutRequest; grpc?: { service: string; method: string } }> = [];
  readonly traps: WasmTrap[] = [];
  private readonly vms = new Map<string, Vm>();
  private readonly modules = new Map<string, CompiledModule>();
  private readonly route: Value;
  private readonly extraProperties: Map<string, Value | null>;
  get rootProperties(): Map<string, Value | null> {
    return this.extraProperties;
  }
  private streamSeq = 0;
  private rr = 0;
  private seq = 0;
  private rng: (() => number) | null = null;
  private readonly history: boolean;
  private readonly streamConn = new WeakMap<HttpStream, number>();
  private readonly inFlight = new Set<HttpStream>();

  constructor(readonly options: HostOptions = {}) {
    const start = options.clock instanceof Date ? options.clock.getTime() : options.clock;
    this.scheduler = options.real ? new RealScheduler() : new VirtualScheduler(start);
    this.logger.level = options.logLevel ?? "trace";
    if (options.onLog) this.logger.echo = options.onLog;
    const [maj, min] = (options.envoyVersion ?? "1.35").split(".").map(Number);
    this.envoyVersion = [maj, min];
    this.bufferLimit = options.bufferLimit ?? DEFAULT_BUFFER_LIMIT;
    this.reloadBackoffMs = options.reloadBackoffMs ?? 1000;
    this.workers = Math.max(1, options.workers ?? 1);
    this.history = options.history ?? true;
    this.logger.retain = this.history;
    const node = options.node ?? {};
    this.nodeProperties = V.map({
      xds: V.map({
        node: V.message({
          id: V.str(node.id ?? "sidecar~10.0.0.2~app-0.default~default.svc.cluster.local"),
          cluster: V.str(node.cluster ?? "app.default"),
          metadata: V.fromJson(node.metadata ?? {}),
        }),
      }),
    });
    const r = options.route ?? {};
    this.route = V.map({
      route_name: V.str(r.routeName ?? "default"),
      cluster_name: V.str(r.clusterName ?? "inbound|8080||"),
      listener_direction: V.int(r.listenerDirection ?? 1),
      virtual_host_name: V.str(r.virtualHostName ?? "inbound|http|8080"),
    });
    this.extraProperties = propertyMap(options.properties ?? {});
    if (options.randomSeed !== undefined) this.rng = mulberry32(options.randomSeed);
    this.registerDefaultForeignFunctions();
  }

  // ---- arrange ----------------------------------------------------------------------------

  /**
   * Loads a plugin on every worker: links and initialises its VM (or joins an existing one with
   * the same vm_id, VM configuration and code), then creates its root context and runs
   * on_vm_start and on_configure. A module that cannot load throws LoadError; a plugin whose
   * start-up returns false or traps is returned with `outcome` saying so, and streams through
   * it fail closed (or pass, with FAIL_OPEN).
   */
  async loadPlugin(opts: PluginOptions): Promise<LoadedPlugin> {
    const plugin = await this.tryLoadPlugin(opts);
    if (plugin.loadError) throw plugin.loadError;
    return plugin;
  }

  /**
   * Like loadPlugin, but a module that cannot load is kept in the chain with outcome
   * "load-error", so streams through it show its fail strategy (as scenarios expect).
   */
  async tryLoadPlugin(opts: PluginOptions): Promise<LoadedPlugin> {
    const name = opts.name ?? (typeof opts.wasm === "string" ? opts.wasm.replace(/^.*\//, "").replace(/\.wasm$/, "") : "plugin");
    let code: CompiledModule | null = null;
    let loadError: Error | null = null;
    try {
      code = this.compile(opts.wasm);
    } catch (e) {
      loadError = e instanceof LoadError ? e : new LoadError(String((e as Error).message ?? e));
    }
    const spec: PluginSpec = {
      name,
      rootId: opts.rootId ?? "",
      vmId: opts.vmId ?? "",
      vmConfig: enc(opts.vmConfig as string | Uint8Array | undefined),
      configuration: configBytes(opts.config),
      failStrategy: opts.failStrategy ?? "FAIL_CLOSE",
      allowOnHeadersStopIteration: opts.allowOnHeadersStopIteration ?? false,
      env: opts.env ?? {},
      code: code!,
    };
    const plugin = new LoadedPlugin(spec);
    if (!loadError) {
      try {
        for (let w = 0; w < this.workers; w++) plugin.workers.push(this.startOn(plugin, w));
      } catch (e) {
        plugin.workers.length = 0;
        loadError = e as Error;
      }
    }
    plugin.loadError = loadError;
    if (loadError) this.logger.log({ plugin: name, worker: 0, level: "critical", message: `Unable to create Wasm plugin ${name}: ${loadError.message}`, phase: "startup" });
    this.plugins.push(plugin);
    if (this.scheduler instanceof VirtualScheduler) await this.scheduler.settleNow();
    return plugin;
  }

  private compile(wasm: string | Uint8Array): CompiledModule {
    const bytes = typeof wasm === "string" ? readFileSync(wasm) : wasm;
    const key = createHash("sha256").update(bytes).digest("hex") + (typeof wasm === "string" ? wasm : "");
    let m = this.modules.get(key);
    if (!m) this.modules.set(key, (m = new CompiledModule(new Uint8Array(bytes), typeof wasm === "string" ? wasm : undefined)));
    return m;
  }

  private startOn(plugin: LoadedPlugin, worker: number): WorkerState {
    const key = `${vmKey(plugin.spec)}|${worker}`;
    let vm = this.vms.get(key);
    if (!vm || vm.failed) {
      vm = this.newVm(plugin.spec, worker);
      this.vms.set(key, vm);
    }
    const { outcome, root } = vm.createRoot(plugin.spec);
    if (outcome !== "ok") {
      // Envoy refuses such a configuration (NACK at runtime, no start at boot); say why.
      const what = outcome === "trapped" ? `trapped: ${vm.failed?.message}` : "on_vm_start or on_configure returned false";
      this.logger.log({ plugin: plugin.spec.name, worker, level: "error", message: `plugin ${plugin.spec.name} failed to start: ${what}`, phase: "configure" });
    }
    return { vm, root, outcome };
  }

  private newVm(spec: PluginSpec, worker: number): Vm {
    const vm = new Vm(spec.code, this, { vmId: spec.vmId, vmConfig: spec.vmConfig, env: spec.env, worker, label: spec.name });
    vm.logPlugin = spec;
    try {
      vm.start();
    } catch (e) {
      if (e instanceof LoadError) throw e;
      throw new LoadError(`module initialisation failed: ${(e as Error).message}`);
    }
    return vm;
  }

  /** Answers HTTP callouts to `cluster` (proxy_http_call's upstream name). */
  cluster(name: string, handler: ClusterHandler): this {
    this.clusters.set(name, handler);
    return this;
  }
  grpcCluster(name: string, handler: GrpcClusterHandler): this {
    this.grpcClusters.set(name, handler);
    return this;
  }

  // ---- act --------------------------------------------------------------------------------

  /** Sends one request through the chain and waits until the client has the response (or it is stuck). */
  async send(request: RequestSpec = {}, opts: SendOptions = {}): Promise<StreamResult> {
    const stream = this.open(request, opts);
    const maxWait = opts.maxWaitMs ?? 60_000;
    if (this.scheduler instanceof VirtualScheduler) {
      const deadline = this.scheduler.now() + maxWait;
      await this.scheduler.runUntil(() => stream.finished, deadline);
    } else {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => resolve(), maxWait);
        stream.whenFinished(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    if (!stream.finished) stream.abandon();
    return this.collect(stream);
  }

  /** Starts a stream without waiting (for concurrent requests); `host.send` is open + wait. */
  open(request: RequestSpec = {}, opts: SendOptions = {}): HttpStream {
    const chain = opts.plugins ?? this.plugins;
    const worker = opts.worker ?? this.rr++ % this.workers;
    const id = ++this.streamSeq;
    const upstream: UpstreamHandler = opts.upstream ?? (() => ({ status: 200 }));
    const headers = toPairs(request.headers as any);
    const stream = new HttpStream(
      this,
      {
        id,
        method: request.method ?? "GET",
        path: request.path ?? "/",
        authority: request.authority ?? headers.find(([k]) => k === "host")?.[1] ?? "example.com",
        scheme: request.scheme ?? "http",
        headers,
        body: request.body === undefined ? null : toChunks(request.body as any),
        trailers: request.trailers ? toPairs(request.trailers as any) : null,
        connection: request.connection ?? {},
        properties: new Map([...this.extraProperties, ...propertyMap(request.properties ?? {})]),
        filterState: new Map(Object.entries(request.filterState ?? {}).map(([k, v]) => [`wasm.${k}`, enc(v)])),
        protocol: request.protocol ?? "HTTP/1.1",
        upstream,
      },
      chain.map((plugin) => ({ plugin, ...this.vmFor(plugin, worker) })),
    );
    (stream as any).startSeq = this.seq;
    this.streamConn.set(stream, id);
    this.inFlight.add(stream);
    stream.whenFinished(() => {
      this.inFlight.delete(stream);
      (stream as any).endSeq = this.seq;
    });
    this.scheduler.post(() => stream.start());
    return stream;
  }

  /**
   * Opens a TCP connection through network-filter plugins (§1.6): on_context_create and
   * on_new_connection run now; then drive it with downstreamData / upstreamData /
   * closeDownstream. Callbacks run synchronously; deferred actions after each callback.
   */
  openTcp(opts: { plugins?: LoadedPlugin[]; connection?: ConnectionSpec; worker?: number; upstream?: (data: Uint8Array, eos: boolean) => Uint8Array | void } = {}): TcpConnection {
    const chain = opts.plugins ?? this.plugins;
    const worker = opts.worker ?? this.rr++ % this.workers;
    const id = ++this.streamSeq;
    const conn = new TcpConnection(
      this,
      { id, connection: opts.connection ?? {}, properties: new Map(this.extraProperties), upstream: opts.upstream ?? (() => undefined) },
      chain.map((plugin) => {
        const { vm, broken } = this.vmFor(plugin, worker);
        // A broken plugin on a TCP chain fails the connection closed at once.
        return { plugin, vm: broken ? null : vm, broken };
      }),
    );
    conn.open();
    return conn;
  }

  /** Waits for streams started with `open`. */
  async wait(streams: HttpStream[], maxWaitMs = 60_000): Promise<StreamResult[]> {
    const deadline = this.scheduler.now() + maxWaitMs;
    await this.scheduler.runUntil(() => streams.every((s) => s.finished), deadline);
    for (const s of streams) if (!s.finished) s.abandon();
    return streams.map((s) => this.collect(s));
  }

  /** Lets virtual time pass: ticks, timers and delayed callout answers run in order. */
  async advance(ms: number): Promise<void> {
    await this.scheduler.advance(ms);
  }

  /**
   * The VM a plugin uses on a worker for a new stream. After a failure: FAIL_RELOAD starts a
   * fresh VM (module init, root create, on_vm_start, on_configure again) once the reload
   * backoff has passed, and fails streams closed until then; FAIL_OPEN leaves the plugin out
   * of the chain (null); FAIL_CLOSE keeps the failed VM so the stream gets the 503 (§5.9).
   */
  private vmFor(plugin: LoadedPlugin, worker: number): { vm: Vm | null; broken: boolean } {
    const failOpen = plugin.spec.failStrategy === "FAIL_OPEN";
    // A plugin that never configured: not installed (fail open) or every stream gets the 503.
    if (plugin.outcome !== "ok") return { vm: null, broken: !failOpen };
    const failed = plugin.workers[worker].vm;
    if (failed.failed) {
      if (failOpen) return { vm: null, broken: false };
      if (plugin.spec.failStrategy === "FAIL_RELOAD") {
        if (this.scheduler.now() - failed.failedAt < this.reloadBackoffMs) return { vm: failed, broken: false };
        try {
          this.reload(plugin, worker);
        } catch {
          return { vm: null, broken: true };
        }
      }
    }
    const state = plugin.workers[worker];
    if (state.outcome !== "ok") return { vm: null, broken: !failOpen };
    return { vm: state.vm, broken: false };
  }

  private reload(plugin: LoadedPlugin, worker: number): void {
    const key = `${vmKey(plugin.spec)}|${worker}`;
    const vm = this.newVm(plugin.spec, worker);
    this.vms.set(key, vm);
    for (const p of this.plugins) {
      if (`${vmKey(p.spec)}|${worker}` !== key) continue;
      const { outcome, root } = vm.createRoot(p.spec);
      p.workers[worker] = { vm, root, outcome };
    }
  }

  // ---- assert -----------------------------------------------------------------------------

  private collect(stream: HttpStream): StreamResult {
    const r = stream.result!;
    const start = (stream as any).startSeq as number;
    const end = (stream as any).endSeq as number;
    // The stream's own callbacks, merged in order with root callbacks made while it was in flight.
    const own = (this.streamTimeline.get(stream.id) ?? []) as Array<CallbackRecord & { seq: number }>;
    this.streamTimeline.delete(stream.id);
    const roots = this.rootTimeline.slice(lowerBound(this.rootTimeline, start), lowerBound(this.rootTimeline, end));
    r.timeline = [...own, ...roots].sort((a, b) => a.seq - b.seq).map(({ seq: _s, stream: _st, ...rest }: any) => rest);
    r.logs = this.logger.takeStream(stream.id);
    if (!this.history) {
      // Root callbacks older than every stream still in flight can no longer be asked for.
      let oldest = this.seq;
      for (const s of this.inFlight) oldest = Math.min(oldest, (s as any).startSeq as number);
      this.rootTimeline.splice(0, lowerBound(this.rootTimeline, oldest));
    }
    return r;
  }

  /** Captured log lines, optionally only those at `level` or one of `levels`. */
  logs(level?: LogLevel): LogRecord[] {
    return level ? this.logger.records.filter((r) => r.level === level) : this.logger.records;
  }

  // ---- HostCore ---------------------------------------------------------------------------

  recordCallback(vm: Vm, ctx: Context | null, callback: string, args: number[]) {
    const stream = ctx && ctx.kind !== "root" ? ctx.streamId : undefined;
    const plugin = ctx ? ctx.plugin.name : (vm.logPlugin?.name ?? vm.options.label);
    const rec = { seq: this.seq++, plugin, worker: vm.options.worker, callback, args: args.map((a) => a >>> 0), stream } as CallbackRecord & { seq: number; stream?: number };
    if (this.history) this.timeline.push(rec);
    if (stream === undefined) {
      this.rootTimeline.push(rec);
    } else {
      let list = this.streamTimeline.get(stream);
      if (!list) this.streamTimeline.set(stream, (list = []));
      list.push(rec);
    }
    return rec;
  }

  onTrap(vm: Vm, trap: WasmTrap, ctx: Context | null): void {
    this.traps.push(trap);
    if (ctx && ctx.kind === "http") ctx.stream.traps.push(trap);
    vm.log("critical", trap.message);
  }

  randomBytes(n: number): Uint8Array {
    if (!this.rng) return new Uint8Array(nodeRandomBytes(n));
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.rng() * 256);
    return out;
  }

  noteCallout(record: { cluster: string; stream?: number; refused: boolean; request?: CalloutRequest; grpc?: { service: string; method: string } }): void {
    const seq = this.seq++;
    if (this.history) this.callouts.push({ seq, ...record });
  }

  newHeaderMap(pairs: Pairs = []): HeaderMap {
    return new HeaderMap(pairs);
  }

  connectionIdFor(stream: HttpStream): number {
    return this.streamConn.get(stream) ?? 0;
  }

  routeAttributes(): Value {
    return this.route;
  }

  private registerDefaultForeignFunctions(): void {
    // Envoy ≥ 1.33 replaces implicit route-cache clearing with this foreign function (§3.14).
    this.foreignFunctions.set("clear_route_cache", () => ({ status: 0 }));
    this.foreignFunctions.set("compress", compressForeignFunction);
    this.foreignFunctions.set("uncompress", uncompressForeignFunction);
    this.foreignFunctions.set("verify_signature", verifySignatureForeignFunction); // Envoy's, on node:crypto (foreign/verify-signature.ts)
  }

  /** Runs the root shutdown of every VM (on_done / on_delete). */
  async shutdown(): Promise<void> {
    for (const vm of new Set(this.vms.values())) vm.shutdown();
    if (this.scheduler instanceof VirtualScheduler) await this.scheduler.settleNow();
  }
}

/** First index whose seq is >= seq (records are in seq order). */
function lowerBound(list: Array<{ seq: number }>, seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function configBytes(config: unknown): Uint8Array {
  if (config === undefined || config === null) return new Uint8Array(0);
  if (typeof config === "string") return utf8(config);
  if (config instanceof Uint8Array) return config;
  return utf8(JSON.stringify(config));
}

export function propertyValue(p: PropertyInput): Value | null {
  if (p === null) return null;
  if (typeof p === "string") return V.str(p);
  if ("int" in p) return V.int(p.int);
  if ("uint" in p) return V.uint(p.uint);
  if ("bool" in p) return V.bool(p.bool);
  if ("double" in p) return V.double(p.double);
  if ("bytes" in p) return V.bytes(p.bytes);
  if ("timestamp" in p) return V.timestampMs(p.timestamp * 1000);
  if ("map" in p) return V.map(new Map(Object.entries(p.map).map(([k, v]) => [k, V.str(v)])));
  if ("list" in p) return V.list(p.list.map(V.str));
  return null;
}

function propertyMap(props: Record<string, PropertyInput>): Map<string, Value | null> {
  return new Map(Object.entries(props).map(([k, v]) => [k, propertyValue(v)]));
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

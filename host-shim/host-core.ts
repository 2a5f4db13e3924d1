// Host-wide services shared by every VM: the event loop, logs, the callback timeline, shared
// data and queues (§3.11, §3.12), metrics (§3.13), callout clusters (§3.9, §3.10).
import type { Scheduler } from "./scheduler.ts";
import type { CallbackRecord, LogRecord } from "./types.ts";
import type { LogLevel } from "./status.ts";
import { logLevelIndex } from "./status.ts";
import type { Context } from "./contexts.ts";
import type { Vm } from "./vm.ts";
import type { WasmTrap } from "./errors.ts";
import type { HeaderMap } from "./header-map.ts";

export class Logger {
  readonly records: LogRecord[] = [];
  /** Lines by stream, so a stream's logs are found without scanning the whole history. */
  readonly byStream = new Map<number, LogRecord[]>();
  private seq = 0;
  /** The level proxy_get_log_level reports; lines below it are not captured (as Envoy drops them). */
  level: LogLevel = "trace";
  echo: ((r: LogRecord) => void) | null = null;
  /** Keep every line (tests); false keeps none once its stream has been collected (long runs). */
  retain = true;
  log(r: Omit<LogRecord, "seq">): void {
    if (logLevelIndex(r.level) < logLevelIndex(this.level)) return;
    const rec = { ...r, seq: this.seq++ };
    if (this.retain) this.records.push(rec);
    if (rec.stream !== undefined) {
      let list = this.byStream.get(rec.stream);
      if (!list) this.byStream.set(rec.stream, (list = []));
      list.push(rec);
    }
    this.echo?.(rec);
  }
  /** Takes the lines of a finished stream (and forgets them). */
  takeStream(stream: number): LogRecord[] {
    const list = this.byStream.get(stream) ?? [];
    this.byStream.delete(stream);
    return list;
  }
  get nextSeq(): number {
    return this.seq;
  }
}

/** Shared data for one vm_id (§3.11): key -> value with a CAS from a process-wide counter. */
export class SharedData {
  private stores = new Map<string, Map<string, { value: Uint8Array; cas: number }>>();
  private casSeq = 0;
  private store(vmId: string) {
    let s = this.stores.get(vmId);
    if (!s) this.stores.set(vmId, (s = new Map()));
    return s;
  }
  get(vmId: string, key: string): { value: Uint8Array; cas: number } | undefined {
    return this.store(vmId).get(key);
  }
  /** cas = 0: unconditional; else must match the current CAS when the key exists. */
  set(vmId: string, key: string, value: Uint8Array, cas: number): "ok" | "mismatch" {
    const s = this.store(vmId);
    const cur = s.get(key);
    if (cas !== 0 && cur && cur.cas !== cas) return "mismatch";
    this.casSeq = (this.casSeq + 1) >>> 0 || 1;
    s.set(key, { value: value.slice(), cas: this.casSeq });
    return "ok";
  }
  keys(vmId: string): string[] {
    return [...this.store(vmId).keys()];
  }
}

export interface QueueBinding {
  vm: Vm;
  rootId: number;
}

/** Shared queues (§3.12): identity (vm_id, name), ids from 1, the last registrant is notified. */
export class SharedQueues {
  private byName = new Map<string, number>();
  private queues = new Map<number, { vmId: string; name: string; items: Uint8Array[]; binding: QueueBinding | null }>();
  private seq = 0;
  register(vmId: string, name: string, binding: QueueBinding): number {
    const key = `${vmId}\0${name}`;
    let id = this.byName.get(key);
    if (id === undefined) {
      id = ++this.seq;
      this.byName.set(key, id);
      this.queues.set(id, { vmId, name, items: [], binding });
    } else {
      this.queues.get(id)!.binding = binding;
    }
    return id;
  }
  resolve(vmId: string, name: string): number | undefined {
    return this.byName.get(`${vmId}\0${name}`);
  }
  enqueue(id: number, value: Uint8Array): QueueBinding | null | undefined {
    const q = this.queues.get(id);
    if (!q) return undefined;
    q.items.push(value.slice());
    return q.binding;
  }
  dequeue(id: number): Uint8Array | "empty" | undefined {
    const q = this.queues.get(id);
    if (!q) return undefined;
    return q.items.shift() ?? "empty";
  }
}

export interface Metric {
  name: string;
  type: "counter" | "gauge" | "histogram";
  value: bigint;
  samples: bigint[];
}

/** Process-wide stats (§3.13): `wasmcustom.<name>`, shared by every VM and worker. */
export class MetricsRegistry {
  readonly metrics = new Map<string, Metric>();
  /** Envoy keeps counters, gauges and histograms apart: one name may exist as each. */
  define(name: string, type: Metric["type"]): Metric {
    const key = `${type}:${name}`;
    let m = this.metrics.get(key);
    if (!m) this.metrics.set(key, (m = { name, type, value: 0n, samples: [] }));
    return m;
  }
  /** A metric by name (and type, when one name is used for several). */
  get(name: string, type?: Metric["type"]): Metric | undefined {
    if (type) return this.metrics.get(`${type}:${name}`);
    return this.metrics.get(`counter:${name}`) ?? this.metrics.get(`gauge:${name}`) ?? this.metrics.get(`histogram:${name}`);
  }
  /** Counter and gauge values by name (histograms: sample count). */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const m of this.metrics.values()) out[m.name] = m.type === "histogram" ? m.samples.length : Number(m.value);
    return out;
  }
  /**
   * Prometheus text exposition, sorted by name. Envoy's Prometheus output strips `wasmcustom.`
   * and turns the remaining dots into underscores; tags embedded in the name stay part of it.
   * Histograms are Prometheus histograms with Envoy's default buckets (cumulative), as Envoy
   * renders them.
   */
  prometheus(): string {
    const lines: string[] = [];
    const sanitize = (n: string) => n.replace(/[^a-zA-Z0-9_:]/g, "_");
    const named = [...this.metrics.values()].map((m) => [sanitize(m.name), m] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [name, m] of named) {
      if (m.type === "histogram") {
        lines.push(`# TYPE ${name} histogram`);
        for (const le of ENVOY_HISTOGRAM_BUCKETS) {
          const n = m.samples.filter((v) => Number(v) <= le).length;
          lines.push(`${name}_bucket{le="${le}"} ${n}`);
        }
        const sum = m.samples.reduce((a, b) => a + b, 0n);
        lines.push(`${name}_bucket{le="+Inf"} ${m.samples.length}`, `${name}_sum ${sum}`, `${name}_count ${m.samples.length}`);
      } else {
        lines.push(`# TYPE ${name} ${m.type}`, `${name} ${m.value}`);
      }
    }
    return lines.join("\n") + (lines.length ? "\n" : "");
  }
}

/** Envoy's default histogram bucket bounds (stats_config.histogram_bucket_settings unset). */
const ENVOY_HISTOGRAM_BUCKETS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

/** An HTTP callout as a cluster handler sees it. */
export interface CalloutRequest {
  cluster: string;
  method: string;
  path: string;
  authority: string;
  headers: Array<[string, string]>;
  body: Uint8Array;
  trailers: Array<[string, string]>;
  timeoutMs: number;
}
export interface CalloutResponse {
  status?: number;
  headers?: Array<[string, string]> | Record<string, string>;
  body?: string | Uint8Array;
  trailers?: Array<[string, string]> | Record<string, string>;
  /** Delay before the answer arrives (virtual or real ms). */
  delayMs?: number;
  /** The call is reset without a response: on_http_call_response(…, 0, 0, 0). */
  reset?: boolean;
  /** Never answers: the call's own timeout produces Envoy's 504. */
  timeout?: boolean;
}
export type ClusterHandler = (req: CalloutRequest) => CalloutResponse | Promise<CalloutResponse>;

export interface GrpcCalloutRequest {
  cluster: string;
  service: string;
  method: string;
  metadata: Array<[string, string]>;
  message: Uint8Array;
  timeoutMs: number;
  streaming: boolean;
}
export interface GrpcCalloutResponse {
  /** grpc-status; 0 = OK. */
  status?: number;
  message?: Uint8Array;
  statusMessage?: string;
  initialMetadata?: Array<[string, string]>;
  trailingMetadata?: Array<[string, string]>;
  delayMs?: number;
  /** Never answers: the call's own deadline (DEADLINE_EXCEEDED) ends it. */
  timeout?: boolean;
}
export type GrpcClusterHandler = (req: GrpcCalloutRequest) => GrpcCalloutResponse | Promise<GrpcCalloutResponse>;

/** What the Host implements for the VMs. */
export interface HostCore {
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly sharedData: SharedData;
  readonly queues: SharedQueues;
  readonly metrics: MetricsRegistry;
  readonly clusters: Map<string, ClusterHandler>;
  readonly grpcClusters: Map<string, GrpcClusterHandler>;
  readonly foreignFunctions: Map<string, (args: Uint8Array, vm: Vm) => { status: number; result?: Uint8Array }>;
  /** Top-level properties outside any stream: node metadata, xds, … (dotted names). */
  readonly nodeProperties: import("./values.ts").Value;
  /** Envoy version that decides legacy attribute names (≤ 1.32 keeps `node.*` etc.). */
  readonly envoyVersion: [number, number];
  /** Properties given by dotted name for root contexts (no stream). */
  readonly rootProperties: Map<string, import("./values.ts").Value | null>;
  recordCallback(vm: Vm, ctx: Context | null, callback: string, args: number[]): { result?: number | "trap" } | null;
  onTrap(vm: Vm, trap: WasmTrap, ctx: Context | null): void;
  /** Random bytes for WASI random_get (seedable for reproducible tests). */
  randomBytes(n: number): Uint8Array;
  /** Notes an HTTP callout for the stream timeline / scenario expectations. */
  noteCallout(record: { cluster: string; stream?: number; refused: boolean; request?: CalloutRequest; grpc?: { service: string; method: string } }): void;
  /** Header maps for callouts are plain HeaderMaps. */
  newHeaderMap(pairs?: Array<[string, string]>): HeaderMap;
}

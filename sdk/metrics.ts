// Metrics (proxy-wasm-abi.md §3.13): Envoy stats named `wasmcustom.<name>`, process-wide.
//
// The classes define their metric lazily on first use: proxy_define_metric is not allowed
// in `_initialize` (Envoy traps restricted hostcalls there), so a module-level
// `const requests = new Counter("requests_total")` is safe.

import { proxy_define_metric, proxy_get_metric, proxy_increment_metric, proxy_record_metric } from "./abi/metrics";
import { OUT_U64, OUT_WORD, utf8 } from "./memory";
import { recordResult, WasmResult } from "./result";

/** proxy_metric_type_t (§3.2). */
export enum MetricType {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

/** Defines (or looks up) a metric; its id, 0 on failure. */
export function defineMetric(type: i32, name: string): u32 {
  return defineMetricBytes(type, utf8(name));
}

export function defineMetricBytes(type: i32, name: ArrayBuffer): u32 {
  store<u32>(OUT_WORD, 0);
  const r = recordResult(proxy_define_metric(type, changetype<usize>(name), name.byteLength, OUT_WORD));
  return r == WasmResult.Ok ? load<u32>(OUT_WORD) : 0;
}

/** Counter: offset must be > 0; gauge: adds or subtracts; histogram ⇒ BadArgument. */
export function incrementMetric(id: u32, offset: i64): WasmResult {
  return recordResult(proxy_increment_metric(id, offset));
}

/** Counter: adds; gauge: sets; histogram: records a sample. */
export function recordMetric(id: u32, value: u64): WasmResult {
  return recordResult(proxy_record_metric(id, value));
}

/** Current value of a counter or gauge (0 on failure; histograms ⇒ BadArgument). */
export function getMetric(id: u32): u64 {
  store<u64>(OUT_U64, 0);
  const r = recordResult(proxy_get_metric(id, OUT_U64));
  return r == WasmResult.Ok ? load<u64>(OUT_U64) : 0;
}

/** A named metric, defined on first use. */
export class Metric {
  readonly type: MetricType;
  readonly name: string;
  private id: u32 = 0;

  constructor(type: MetricType, name: string) {
    this.type = type;
    this.name = name;
  }

  /** The host's metric id (defines the metric on first call); 0 if definition failed. */
  metricId(): u32 {
    if (this.id == 0) this.id = defineMetric(this.type, this.name);
    return this.id;
  }
}

export class Counter extends Metric {
  constructor(name: string) {
    super(MetricType.Counter, name);
  }
  increment(offset: u64 = 1): WasmResult {
    return incrementMetric(this.metricId(), <i64>offset);
  }
  value(): u64 {
    return getMetric(this.metricId());
  }
}

export class Gauge extends Metric {
  constructor(name: string) {
    super(MetricType.Gauge, name);
  }
  add(delta: i64): WasmResult {
    return incrementMetric(this.metricId(), delta);
  }
  set(value: u64): WasmResult {
    return recordMetric(this.metricId(), value);
  }
  value(): u64 {
    return getMetric(this.metricId());
  }
}

export class Histogram extends Metric {
  constructor(name: string) {
    super(MetricType.Histogram, name);
  }
  record(value: u64): WasmResult {
    return recordMetric(this.metricId(), value);
  }
}

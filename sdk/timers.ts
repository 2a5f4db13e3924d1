// The root context's timer and the clocks (proxy-wasm-abi.md §3.4, §3.15).

import { proxy_get_current_time_nanoseconds, proxy_set_tick_period_milliseconds } from "./abi/timers";
import { clock_time_get } from "./abi/wasi";
import { OUT_U64 } from "./memory";
import { recordResult, WasmResult } from "./result";

/**
 * Sets the period of `on_tick` for the root of the current context (0 disables). The first
 * tick fires one period after the call; the timer re-arms after each tick returns.
 */
export function setTickPeriod(milliseconds: u32): WasmResult {
  return recordResult(proxy_set_tick_period_milliseconds(milliseconds));
}

/** Wall-clock time, ns since the Unix epoch (0 on failure). */
export function currentTimeNanos(): u64 {
  store<u64>(OUT_U64, 0);
  const r = recordResult(proxy_get_current_time_nanoseconds(OUT_U64));
  return r == WasmResult.Ok ? load<u64>(OUT_U64) : 0;
}

/** Wall-clock time in milliseconds since the Unix epoch. */
export function currentTimeMillis(): u64 {
  return currentTimeNanos() / 1_000_000;
}

/** Monotonic time in ns (WASI clock 1), for measuring durations; 0 on failure. */
export function monotonicTimeNanos(): u64 {
  store<u64>(OUT_U64, 0);
  const errno = clock_time_get(1, 1, OUT_U64);
  return errno == 0 ? load<u64>(OUT_U64) : 0;
}

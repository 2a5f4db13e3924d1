// Logging through the host (proxy-wasm-abi.md §3.4). proxy_log is the only hostcall allowed
// everywhere (also in `_initialize` and the allocator), so these never trap.

import { proxy_get_log_level, proxy_log } from "./abi/logs";
import { OUT_WORD, utf8 } from "./memory";
import { recordResult, WasmResult } from "./result";

/** proxy_log_level_t (§3.2); Off (6) is what Envoy reports when its logger is off. */
export enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
  Off = 6,
}

/** Logs `message` (UTF-8) at `level`. */
export function log(level: i32, message: string): WasmResult {
  const m = utf8(message);
  return recordResult(proxy_log(level, changetype<usize>(m), m.byteLength));
}

/** Logs raw bytes at `level` (Envoy does not check UTF-8). */
export function logBytes(level: i32, message: ArrayBuffer): WasmResult {
  return recordResult(proxy_log(level, changetype<usize>(message), message.byteLength));
}

export function logTrace(message: string): WasmResult { return log(LogLevel.Trace, message); }
export function logDebug(message: string): WasmResult { return log(LogLevel.Debug, message); }
export function logInfo(message: string): WasmResult { return log(LogLevel.Info, message); }
export function logWarn(message: string): WasmResult { return log(LogLevel.Warn, message); }
export function logError(message: string): WasmResult { return log(LogLevel.Error, message); }
export function logCritical(message: string): WasmResult { return log(LogLevel.Critical, message); }

/**
 * The host's current log level (0.2.1), or Trace if the host cannot say. Not allowed in
 * `_initialize` (Envoy traps restricted calls there): call it from callbacks only.
 */
export function getLogLevel(): LogLevel {
  store<u32>(OUT_WORD, 0);
  const r = recordResult(proxy_get_log_level(OUT_WORD));
  return r == WasmResult.Ok ? <LogLevel>load<u32>(OUT_WORD) : LogLevel.Trace;
}

/** Whether a message at `level` would be logged: check before formatting an expensive one. */
export function logEnabled(level: LogLevel): bool {
  return level >= getLogLevel();
}

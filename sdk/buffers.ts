// Bodies, TCP data, configurations and callout buffers (proxy-wasm-abi.md §3.5).

import { proxy_get_buffer_bytes, proxy_get_buffer_status, proxy_set_buffer_bytes } from "./abi/buffers";
import { clearOut, OUT_PTR, OUT_SIZE, OUT_WORD, takeOutBytes, takeOutString, utf8 } from "./memory";
import { recordResult, WasmResult } from "./result";

/** proxy_buffer_type_t (§3.2). */
export enum BufferType {
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

/** "Everything" for max_size (§3.5). */
export const WHOLE_BUFFER: u32 = 0xFFFFFFFF;

/** Length and flags of a buffer (flags are always 0 in Envoy). */
export class BufferStatus {
  length: u32;
  flags: u32;
  constructor(length: u32, flags: u32) {
    this.length = length;
    this.flags = flags;
  }
}

/** Status of buffer `type`, or null (NotFound: not available now; see lastResult()). */
export function getBufferStatus(type: i32): BufferStatus | null {
  clearOut();
  const r = recordResult(proxy_get_buffer_status(type, OUT_PTR, OUT_WORD));
  if (r != WasmResult.Ok) return null;
  return new BufferStatus(load<u32>(OUT_PTR), load<u32>(OUT_WORD));
}

/** Bytes `[start, start + maxSize)` of buffer `type` (clamped by the host), or null. */
export function getBufferBytes(type: i32, start: u32 = 0, maxSize: u32 = WHOLE_BUFFER): ArrayBuffer | null {
  clearOut();
  const r = recordResult(proxy_get_buffer_bytes(type, start, maxSize, OUT_PTR, OUT_SIZE));
  if (r != WasmResult.Ok) return null;
  return takeOutBytes();
}

/** The same as UTF-8 text. */
export function getBufferString(type: i32, start: u32 = 0, maxSize: u32 = WHOLE_BUFFER): string | null {
  clearOut();
  const r = recordResult(proxy_get_buffer_bytes(type, start, maxSize, OUT_PTR, OUT_SIZE));
  if (r != WasmResult.Ok) return null;
  return takeOutString();
}

/**
 * The raw setter. Envoy supports only: `start = 0, size = 0` prepend; `start = 0, size = N`
 * replace the first N bytes; `start ≥ length` append; anything else ⇒ BadArgument.
 */
export function setBufferBytes(type: i32, start: u32, size: u32, data: ArrayBuffer): WasmResult {
  return recordResult(proxy_set_buffer_bytes(type, start, size, changetype<usize>(data), data.byteLength));
}

/** Replaces the whole buffer (the current body chunk) with `data`. */
export function replaceBufferBytes(type: i32, data: ArrayBuffer): WasmResult {
  return setBufferBytes(type, 0, WHOLE_BUFFER, data);
}

export function prependBufferBytes(type: i32, data: ArrayBuffer): WasmResult {
  return setBufferBytes(type, 0, 0, data);
}

/** Appends: any start ≥ length appends. */
export function appendBufferBytes(type: i32, data: ArrayBuffer): WasmResult {
  return setBufferBytes(type, WHOLE_BUFFER, 0, data);
}

export function replaceBufferString(type: i32, text: string): WasmResult {
  return replaceBufferBytes(type, utf8(text));
}

export function prependBufferString(type: i32, text: string): WasmResult {
  return prependBufferBytes(type, utf8(text));
}

export function appendBufferString(type: i32, text: string): WasmResult {
  return appendBufferBytes(type, utf8(text));
}

/** The plugin configuration (readable in on_configure and the root's creation), or null. */
export function getPluginConfiguration(): ArrayBuffer | null {
  return getBufferBytes(BufferType.PluginConfiguration);
}

/** The VM configuration, or null. */
export function getVmConfiguration(): ArrayBuffer | null {
  return getBufferBytes(BufferType.VmConfiguration);
}

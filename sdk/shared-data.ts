// Shared data: a key/value store per vm_id, shared by all worker VMs, with compare-and-swap
// (proxy-wasm-abi.md §3.11). There is no delete; write an empty value by convention.

import { proxy_get_shared_data, proxy_set_shared_data } from "./abi/shared-data";
import { clearOut, OUT_PTR, OUT_SIZE, OUT_WORD, takeOutBytes, utf8 } from "./memory";
import { recordResult, WasmResult } from "./result";

/** A value and the CAS to pass back to setSharedData for a conditional write. */
export class SharedValue {
  value: ArrayBuffer;
  cas: u32;
  constructor(value: ArrayBuffer, cas: u32) {
    this.value = value;
    this.cas = cas;
  }
  text(): string {
    return String.UTF8.decode(this.value, false);
  }
}

/** The value of `key`, or null (NotFound: see lastResult()). */
export function getSharedData(key: string): SharedValue | null {
  return getSharedDataBytes(utf8(key));
}

export function getSharedDataBytes(key: ArrayBuffer): SharedValue | null {
  clearOut();
  const r = recordResult(proxy_get_shared_data(changetype<usize>(key), key.byteLength, OUT_PTR, OUT_SIZE, OUT_WORD));
  if (r != WasmResult.Ok) return null;
  const cas = load<u32>(OUT_WORD);
  return new SharedValue(takeOutBytes(), cas);
}

/**
 * Writes `value`. `cas = 0` writes unconditionally; otherwise the write fails with
 * CasMismatch if someone wrote since the read that returned `cas`.
 */
export function setSharedData(key: string, value: ArrayBuffer, cas: u32 = 0): WasmResult {
  return setSharedDataBytes(utf8(key), value, cas);
}

export function setSharedDataString(key: string, value: string, cas: u32 = 0): WasmResult {
  return setSharedDataBytes(utf8(key), utf8(value), cas);
}

export function setSharedDataBytes(key: ArrayBuffer, value: ArrayBuffer, cas: u32 = 0): WasmResult {
  return recordResult(proxy_set_shared_data(
    changetype<usize>(key), key.byteLength, value.byteLength ? changetype<usize>(value) : 0, value.byteLength, cas));
}

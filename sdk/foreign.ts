// Foreign functions registered by the host (proxy-wasm-abi.md §3.14): `compress`,
// `uncompress`, `declare_property`, `set_envoy_filter_state`, `clear_route_cache`, …

import { proxy_call_foreign_function } from "./abi/context";
import { clearOut, OUT_PTR, OUT_SIZE, takeOutBytes, utf8 } from "./memory";
import { lastResult, recordResult, WasmResult } from "./result";

/**
 * Calls host function `name` with opaque `args`; its result bytes (empty when it returns
 * none), or null when the call failed (NotFound for an unknown name: see lastResult()).
 */
export function callForeignFunction(name: string, args: ArrayBuffer | null): ArrayBuffer | null {
  return callForeignFunctionBytes(utf8(name), args);
}

export function callForeignFunctionBytes(name: ArrayBuffer, args: ArrayBuffer | null): ArrayBuffer | null {
  clearOut();
  const a = args === null ? new ArrayBuffer(0) : args;
  const r = recordResult(proxy_call_foreign_function(
    changetype<usize>(name), name.byteLength, a.byteLength ? changetype<usize>(a) : 0, a.byteLength, OUT_PTR, OUT_SIZE));
  if (r != WasmResult.Ok) {
    // A failing function may still have produced (and allocated) a result.
    const ptr = <usize>load<u32>(OUT_PTR);
    if (ptr) heap.free(ptr);
    return null;
  }
  return takeOutBytes();
}

/**
 * Re-selects the route after header edits. Envoy ≥ 1.33 no longer clears the route cache
 * implicitly for Wasm header changes; older Envoy lacks the function (NotFound).
 */
export function clearRouteCache(): WasmResult {
  callForeignFunction("clear_route_cache", null);
  return lastResult();
}

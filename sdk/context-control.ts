// Effective context, deferred root completion and the last host status
// (proxy-wasm-abi.md §3.14, §3.10).

import { proxy_done, proxy_get_status, proxy_set_effective_context } from "./abi/context";
import { setActiveContextId } from "./callout-owners";
import { clearOut, OUT_PTR, OUT_SIZE, OUT_WORD, takeOutString } from "./memory";
import { recordResult, WasmResult } from "./result";

/**
 * Makes the following hostcalls of this callback act on context `id` (e.g. a stream, from
 * a root callback). The dispatcher does this itself before handing a callout response to
 * the stream that issued it. BadArgument for an id unknown to the host.
 */
export function setEffectiveContext(id: u32): WasmResult {
  const r = recordResult(proxy_set_effective_context(id));
  if (r == WasmResult.Ok) setActiveContextId(id);
  return r;
}

/** Completes a root context that returned false from onDone. NotFound if none is pending. */
export function done(): WasmResult {
  return recordResult(proxy_done());
}

/** The host's last status of the root context: code and message. */
export class HostStatus {
  code: u32;
  message: string;
  constructor(code: u32, message: string) {
    this.code = code;
    this.message = message;
  }
}

/**
 * The gRPC status and message inside onGrpcClose, or 11 (BrokenConnection) "reset" after a
 * failed HTTP callout (numHeaders == 0). Stale elsewhere: only read it in those callbacks.
 */
export function getStatus(): HostStatus | null {
  clearOut();
  store<u32>(OUT_WORD, 0);
  const r = recordResult(proxy_get_status(OUT_WORD, OUT_PTR, OUT_SIZE));
  if (r != WasmResult.Ok) return null;
  const code = load<u32>(OUT_WORD);
  return new HostStatus(code, takeOutString());
}

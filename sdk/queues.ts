// Shared queues (proxy-wasm-abi.md §3.12). The registering root context receives
// onQueueReady(queueId) once per enqueue; any context may dequeue.

import {
  proxy_dequeue_shared_queue, proxy_enqueue_shared_queue, proxy_register_shared_queue, proxy_resolve_shared_queue,
} from "./abi/queues";
import { clearOut, OUT_PTR, OUT_SIZE, OUT_WORD, takeOutBytes, utf8 } from "./memory";
import { recordResult, WasmResult } from "./result";

/** Registers (or re-binds to this root) queue `name` of this VM's vm_id; its id, 0 on failure. */
export function registerSharedQueue(name: string): u32 {
  return registerSharedQueueBytes(utf8(name));
}

export function registerSharedQueueBytes(name: ArrayBuffer): u32 {
  store<u32>(OUT_WORD, 0);
  const r = recordResult(proxy_register_shared_queue(changetype<usize>(name), name.byteLength, OUT_WORD));
  return r == WasmResult.Ok ? load<u32>(OUT_WORD) : 0;
}

/** The id of queue `name` registered under `vmId` ("" = this VM's), 0 if not registered. */
export function resolveSharedQueue(vmId: string, name: string): u32 {
  return resolveSharedQueueBytes(utf8(vmId), utf8(name));
}

export function resolveSharedQueueBytes(vmId: ArrayBuffer, name: ArrayBuffer): u32 {
  store<u32>(OUT_WORD, 0);
  const r = recordResult(proxy_resolve_shared_queue(
    changetype<usize>(vmId), vmId.byteLength, changetype<usize>(name), name.byteLength, OUT_WORD));
  return r == WasmResult.Ok ? load<u32>(OUT_WORD) : 0;
}

export function enqueueSharedQueue(queueId: u32, value: ArrayBuffer): WasmResult {
  return recordResult(proxy_enqueue_shared_queue(queueId, value.byteLength ? changetype<usize>(value) : 0, value.byteLength));
}

export function enqueueSharedQueueString(queueId: u32, value: string): WasmResult {
  return enqueueSharedQueue(queueId, utf8(value));
}

/** The front item, or null (Empty, NotFound: see lastResult()). */
export function dequeueSharedQueue(queueId: u32): ArrayBuffer | null {
  clearOut();
  const r = recordResult(proxy_dequeue_shared_queue(queueId, OUT_PTR, OUT_SIZE));
  if (r != WasmResult.Ok) return null;
  return takeOutBytes();
}

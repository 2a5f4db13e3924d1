// Envoy's `compress` / `uncompress` foreign functions (§3.14): zlib streams in, zlib streams out.
import { deflateSync, inflateSync } from "node:zlib";
import { WasmResult } from "../status.ts";

export function compressForeignFunction(args: Uint8Array): { status: number; result?: Uint8Array } {
  return { status: WasmResult.Ok, result: new Uint8Array(deflateSync(args)) };
}

/** Bytes that are not a zlib stream are a SerializationFailure, as Envoy reports a failed inflate. */
export function uncompressForeignFunction(args: Uint8Array): { status: number; result?: Uint8Array } {
  try {
    return { status: WasmResult.Ok, result: new Uint8Array(inflateSync(args)) };
  } catch {
    return { status: WasmResult.SerializationFailure };
  }
}

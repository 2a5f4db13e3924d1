// Header maps, trailers, HTTP-call response headers and gRPC metadata (proxy-wasm-abi.md §3.6).
//
// Two layers: flat bytes-level verbs on a MapType (what the ABI offers, used by the
// `scripted` fixture), and `HeaderMap` objects with string and bytes twins for filters.
// Absent and empty are different things: an absent header is `null`, an empty one "".

import {
  proxy_add_header_map_value, proxy_get_header_map_pairs, proxy_get_header_map_size,
  proxy_get_header_map_value, proxy_remove_header_map_value, proxy_replace_header_map_value,
  proxy_set_header_map_pairs,
} from "./abi/headers";
import { clearOut, OUT_PTR, OUT_SIZE, OUT_WORD, takeOutBytes, takeOutString, utf8 } from "./memory";
import { BytesPair, decodePairs, encodePairs, Pair, pairsToBytes, pairsToStrings } from "./pairs";
import { recordResult, WasmResult } from "./result";

/** proxy_map_type_t (§3.2). */
export enum MapType {
  RequestHeaders = 0,
  RequestTrailers = 1,
  ResponseHeaders = 2,
  ResponseTrailers = 3,
  GrpcReceiveInitialMetadata = 4,
  GrpcReceiveTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
}

// ---- bytes-level verbs -------------------------------------------------------------------

/** First value of `key`, or null (NotFound, map unavailable: see lastResult()). */
export function getHeaderMapValueBytes(map: i32, key: ArrayBuffer): ArrayBuffer | null {
  clearOut();
  const r = recordResult(proxy_get_header_map_value(map, changetype<usize>(key), key.byteLength, OUT_PTR, OUT_SIZE));
  if (r != WasmResult.Ok) return null;
  return takeOutBytes();
}

/** All entries in map order. Envoy returns Ok and nothing for an unavailable map (§3.6). */
export function getHeaderMapPairsBytes(map: i32): Array<BytesPair> {
  clearOut();
  const r = recordResult(proxy_get_header_map_pairs(map, OUT_PTR, OUT_SIZE));
  if (r != WasmResult.Ok) return new Array<BytesPair>();
  const ptr = <usize>load<u32>(OUT_PTR);
  const size = <usize>load<u32>(OUT_SIZE);
  const pairs = decodePairs(ptr, size);
  if (ptr) heap.free(ptr);
  return pairs;
}

/** Replaces the whole map with `pairs` (an empty list clears it). */
export function setHeaderMapPairsBytes(map: i32, pairs: Array<BytesPair>): WasmResult {
  const buf = encodePairs(pairs);
  const len = buf.byteLength;
  return recordResult(proxy_set_header_map_pairs(map, len ? changetype<usize>(buf) : 0, len));
}

export function addHeaderMapValueBytes(map: i32, key: ArrayBuffer, value: ArrayBuffer): WasmResult {
  return recordResult(proxy_add_header_map_value(
    map, changetype<usize>(key), key.byteLength, changetype<usize>(value), value.byteLength));
}

export function replaceHeaderMapValueBytes(map: i32, key: ArrayBuffer, value: ArrayBuffer): WasmResult {
  return recordResult(proxy_replace_header_map_value(
    map, changetype<usize>(key), key.byteLength, changetype<usize>(value), value.byteLength));
}

/** Removes every entry of `key`; Ok when absent. */
export function removeHeaderMapValueBytes(map: i32, key: ArrayBuffer): WasmResult {
  return recordResult(proxy_remove_header_map_value(map, changetype<usize>(key), key.byteLength));
}

/** Envoy's byte size Σ(len(key) + len(value)) — not the entry count; 0 on failure. */
export function getHeaderMapByteSize(map: i32): u32 {
  store<u32>(OUT_WORD, 0);
  const r = recordResult(proxy_get_header_map_size(map, OUT_WORD));
  return r == WasmResult.Ok ? load<u32>(OUT_WORD) : 0;
}

// ---- HeaderMap ---------------------------------------------------------------------------

/** One of the host's header maps. Use the module constants (`requestHeaders`, …). */
export class HeaderMap {
  readonly type: MapType;

  constructor(type: MapType) {
    this.type = type;
  }

  /** First value of `name` (lower-case), or null when absent. */
  get(name: string): string | null {
    const key = utf8(name);
    clearOut();
    const r = recordResult(proxy_get_header_map_value(this.type, changetype<usize>(key), key.byteLength, OUT_PTR, OUT_SIZE));
    if (r != WasmResult.Ok) return null;
    return takeOutString();
  }

  /** First value of `name` as bytes, or null when absent. */
  getBytes(name: string): ArrayBuffer | null {
    return getHeaderMapValueBytes(this.type, utf8(name));
  }

  /** Whether `name` is present (with any value, even empty). */
  has(name: string): bool {
    return this.getBytes(name) !== null;
  }

  /** Every entry, in order. */
  getAll(): Array<Pair> {
    return pairsToStrings(getHeaderMapPairsBytes(this.type));
  }

  getAllBytes(): Array<BytesPair> {
    return getHeaderMapPairsBytes(this.type);
  }

  /** Replaces every entry with `pairs`. */
  setAll(pairs: Array<Pair>): WasmResult {
    return setHeaderMapPairsBytes(this.type, pairsToBytes(pairs));
  }

  setAllBytes(pairs: Array<BytesPair>): WasmResult {
    return setHeaderMapPairsBytes(this.type, pairs);
  }

  /** Appends an entry (Envoy folds some well-known headers into one comma-joined entry). */
  add(name: string, value: string): WasmResult {
    return addHeaderMapValueBytes(this.type, utf8(name), utf8(value));
  }

  addBytes(name: string, value: ArrayBuffer): WasmResult {
    return addHeaderMapValueBytes(this.type, utf8(name), value);
  }

  /** Sets `name` to exactly one entry `value` (added if absent). */
  replace(name: string, value: string): WasmResult {
    return replaceHeaderMapValueBytes(this.type, utf8(name), utf8(value));
  }

  replaceBytes(name: string, value: ArrayBuffer): WasmResult {
    return replaceHeaderMapValueBytes(this.type, utf8(name), value);
  }

  /** Removes every entry of `name`. */
  remove(name: string): WasmResult {
    return removeHeaderMapValueBytes(this.type, utf8(name));
  }

  /** Envoy's byte size of the map (see getHeaderMapByteSize). */
  byteSize(): u32 {
    return getHeaderMapByteSize(this.type);
  }
}

export const requestHeaders = new HeaderMap(MapType.RequestHeaders);
export const requestTrailers = new HeaderMap(MapType.RequestTrailers);
export const responseHeaders = new HeaderMap(MapType.ResponseHeaders);
export const responseTrailers = new HeaderMap(MapType.ResponseTrailers);
export const httpCallResponseHeaders = new HeaderMap(MapType.HttpCallResponseHeaders);
export const httpCallResponseTrailers = new HeaderMap(MapType.HttpCallResponseTrailers);
export const grpcInitialMetadata = new HeaderMap(MapType.GrpcReceiveInitialMetadata);
export const grpcTrailingMetadata = new HeaderMap(MapType.GrpcReceiveTrailingMetadata);

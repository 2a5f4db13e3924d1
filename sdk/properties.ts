// Properties (Envoy attributes) and their value encodings (proxy-wasm-abi.md §3.7, §4.3, §4.5).
//
// A path is a list of segments joined with 0x00, without a trailing 0x00. Typed readers
// decode Envoy's serialization; a value of the wrong shape sets lastResult() to
// SerializationFailure. Numeric readers return `fallback` on any failure.

import { proxy_get_property, proxy_set_property } from "./abi/properties";
import { clearOut, OUT_PTR, OUT_SIZE, takeOutBytes, takeOutString, utf8 } from "./memory";
import { BytesPair, decodePairs, Pair, pairsToStrings } from "./pairs";
import { recordResult, WasmResult } from "./result";

/** Encodes path segments as `seg0 \0 seg1 \0 … segN` (no trailing NUL). */
export function encodePath(path: Array<string>): ArrayBuffer {
  const parts = new Array<ArrayBuffer>(path.length);
  let total = 0;
  for (let i = 0; i < path.length; i++) {
    const b = utf8(unchecked(path[i]));
    parts[i] = b;
    total += b.byteLength + (i > 0 ? 1 : 0);
  }
  return joinSegments(parts, total);
}

/** Encodes byte segments (for names that are not UTF-8). */
export function encodePathBytes(path: Array<ArrayBuffer>): ArrayBuffer {
  let total = 0;
  for (let i = 0; i < path.length; i++) total += unchecked(path[i]).byteLength + (i > 0 ? 1 : 0);
  return joinSegments(path, total);
}

function joinSegments(parts: Array<ArrayBuffer>, total: i32): ArrayBuffer {
  const out = new ArrayBuffer(total);
  let at = changetype<usize>(out);
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) at += 1; // the 0x00 separator (buffer is zero-filled)
    const b = unchecked(parts[i]);
    memory.copy(at, changetype<usize>(b), b.byteLength);
    at += b.byteLength;
  }
  return out;
}

/** Raw value at an encoded path, or null (NotFound, SerializationFailure: see lastResult()). */
export function getPropertyRaw(encodedPath: ArrayBuffer): ArrayBuffer | null {
  clearOut();
  const r = recordResult(proxy_get_property(changetype<usize>(encodedPath), encodedPath.byteLength, OUT_PTR, OUT_SIZE));
  if (r != WasmResult.Ok) return null;
  return takeOutBytes();
}

/** Sets the raw value at an encoded path. */
export function setPropertyRaw(encodedPath: ArrayBuffer, value: ArrayBuffer): WasmResult {
  return recordResult(proxy_set_property(
    changetype<usize>(encodedPath), encodedPath.byteLength, changetype<usize>(value), value.byteLength));
}

/** Raw bytes of the property at `path`, or null. */
export function getProperty(path: Array<string>): ArrayBuffer | null {
  return getPropertyRaw(encodePath(path));
}

/** String / bytes attribute as text, or null. */
export function getPropertyString(path: Array<string>): string | null {
  const p = encodePath(path);
  clearOut();
  const r = recordResult(proxy_get_property(changetype<usize>(p), p.byteLength, OUT_PTR, OUT_SIZE));
  if (r != WasmResult.Ok) return null;
  return takeOutString();
}

/** int attribute (8 bytes LE two's complement; also timestamps and durations in ns). */
export function getPropertyInt64(path: Array<string>, fallback: i64 = 0): i64 {
  const v = getProperty(path);
  if (v === null) return fallback;
  if (v.byteLength != 8) {
    recordResult(WasmResult.SerializationFailure);
    return fallback;
  }
  return load<i64>(changetype<usize>(v));
}

/** uint attribute (8 bytes LE). */
export function getPropertyUint64(path: Array<string>, fallback: u64 = 0): u64 {
  const v = getProperty(path);
  if (v === null) return fallback;
  if (v.byteLength != 8) {
    recordResult(WasmResult.SerializationFailure);
    return fallback;
  }
  return load<u64>(changetype<usize>(v));
}

/** bool attribute (1 byte; any non-zero is true). */
export function getPropertyBool(path: Array<string>, fallback: bool = false): bool {
  const v = getProperty(path);
  if (v === null) return fallback;
  if (v.byteLength != 1) {
    recordResult(WasmResult.SerializationFailure);
    return fallback;
  }
  return load<u8>(changetype<usize>(v)) != 0;
}

/** double attribute (8 bytes IEEE-754 LE; numbers inside a google.protobuf.Struct). */
export function getPropertyDouble(path: Array<string>, fallback: f64 = 0): f64 {
  const v = getProperty(path);
  if (v === null) return fallback;
  if (v.byteLength != 8) {
    recordResult(WasmResult.SerializationFailure);
    return fallback;
  }
  return load<f64>(changetype<usize>(v));
}

/** map or list attribute as pairs (a list has empty values), or null. */
export function getPropertyPairs(path: Array<string>): Array<BytesPair> | null {
  const v = getProperty(path);
  if (v === null) return null;
  return decodePairs(changetype<usize>(v), v.byteLength);
}

/** map attribute with string keys and values, or null. */
export function getPropertyMap(path: Array<string>): Array<Pair> | null {
  const v = getPropertyPairs(path);
  if (v === null) return null;
  return pairsToStrings(v);
}

/** list attribute as strings (the keys of the pairs encoding), or null. */
export function getPropertyList(path: Array<string>): Array<string> | null {
  const v = getPropertyPairs(path);
  if (v === null) return null;
  const out = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = String.UTF8.decode(unchecked(v[i]).key, false);
  return out;
}

export function setProperty(path: Array<string>, value: ArrayBuffer): WasmResult {
  return setPropertyRaw(encodePath(path), value);
}

export function setPropertyString(path: Array<string>, value: string): WasmResult {
  return setPropertyRaw(encodePath(path), utf8(value));
}

// Typed attribute values and Envoy's serializeValue (§4.5), plus path navigation (§4.3).
import { encodePairs, utf8, type BytePairs } from "./memory.ts";

export type Value =
  | { t: "string"; v: string }
  | { t: "bytes"; v: Uint8Array }
  | { t: "int"; v: bigint }
  | { t: "uint"; v: bigint }
  | { t: "double"; v: number }
  | { t: "bool"; v: boolean }
  | { t: "timestamp"; v: bigint } // ns since the epoch
  | { t: "duration"; v: bigint } // ns
  | { t: "map"; v: Map<string, Value> }
  | { t: "list"; v: Value[] }
  /** A protobuf message: navigable by field name; serialized whole it would be protobuf binary. */
  | { t: "message"; v: Map<string, Value> }
  | { t: "null" };

export const V = {
  str: (v: string): Value => ({ t: "string", v }),
  bytes: (v: Uint8Array): Value => ({ t: "bytes", v }),
  int: (v: number | bigint): Value => ({ t: "int", v: BigInt(v) }),
  uint: (v: number | bigint): Value => ({ t: "uint", v: BigInt(v) }),
  double: (v: number): Value => ({ t: "double", v }),
  bool: (v: boolean): Value => ({ t: "bool", v }),
  timestampMs: (ms: number): Value => ({ t: "timestamp", v: BigInt(Math.round(ms)) * 1_000_000n }),
  durationMs: (ms: number): Value => ({ t: "duration", v: BigInt(Math.round(ms * 1_000_000)) }),
  map: (entries: Record<string, Value | undefined> | Map<string, Value>): Value => ({
    t: "map",
    v: entries instanceof Map ? entries : new Map(Object.entries(entries).filter((e): e is [string, Value] => e[1] !== undefined)),
  }),
  message: (entries: Record<string, Value | undefined>): Value => ({
    t: "message",
    v: new Map(Object.entries(entries).filter((e): e is [string, Value] => e[1] !== undefined)),
  }),
  list: (items: Value[]): Value => ({ t: "list", v: items }),
  /** A JSON-like value as google.protobuf.Struct/Value unwraps to CEL: numbers become doubles. */
  fromJson(j: unknown): Value {
    if (j === null || j === undefined) return { t: "null" };
    if (typeof j === "string") return V.str(j);
    if (typeof j === "number") return V.double(j);
    if (typeof j === "boolean") return V.bool(j);
    if (Array.isArray(j)) return V.list(j.map(V.fromJson));
    return V.map(new Map(Object.entries(j as object).map(([k, x]) => [k, V.fromJson(x)])));
  },
};

export class SerializationFailure extends Error {}

function le64(v: bigint, signed: boolean): Uint8Array {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  if (signed) dv.setBigInt64(0, BigInt.asIntN(64, v), true);
  else dv.setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}

/** Envoy's serializeValue: the bytes proxy_get_property returns for a value. */
export function serializeValue(value: Value): Uint8Array {
  switch (value.t) {
    case "string":
      return utf8(value.v);
    case "bytes":
      return value.v;
    case "int":
    case "timestamp":
    case "duration":
      return le64(value.v, true);
    case "uint":
      return le64(value.v, false);
    case "double": {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, value.v, true);
      return b;
    }
    case "bool":
      return new Uint8Array([value.v ? 1 : 0]);
    case "map": {
      const pairs: BytePairs = [];
      for (const [k, v] of value.v) pairs.push([utf8(k), serializeValue(v)]);
      return encodePairs(pairs);
    }
    case "list":
      return encodePairs(value.v.map((item) => [serializeValue(item), new Uint8Array(0)]));
    case "message":
      // Envoy returns the protobuf binary encoding of a whole message. The shim keeps messages
      // as field maps only, so a whole-message read is reported as unserializable; read a leaf.
      throw new SerializationFailure("whole protobuf messages are not serialized by the shim; request a field");
    case "null":
      throw new SerializationFailure("null value");
  }
}

/** Applies path segments after the first to a value (§4.3); undefined = NotFound. */
export function navigate(value: Value | undefined, segments: string[]): Value | undefined {
  let cur = value;
  for (const seg of segments) {
    if (!cur) return undefined;
    switch (cur.t) {
      case "map":
      case "message":
        cur = cur.v.get(seg);
        break;
      case "list": {
        if (!/^\d+$/.test(seg)) return undefined;
        cur = cur.v[Number(seg)];
        break;
      }
      default:
        return undefined;
    }
  }
  return cur;
}

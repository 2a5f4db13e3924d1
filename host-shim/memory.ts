// The host's view of a module's linear memory: bounds-checked reads and writes, the copy-out
// protocol (§4.4) and the pairs format (§4.1).

export type Pairs = Array<[string, string]>;
export type BytePairs = Array<[Uint8Array, Uint8Array]>;

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: false });
export const utf8 = (s: string): Uint8Array => enc.encode(s);
export const fromUtf8 = (b: Uint8Array): string => dec.decode(b);
/** Bytes to a JS string one byte per char (keeps arbitrary bytes, e.g. header values). */
export const latin1 = (b: Uint8Array): string => Buffer.from(b).toString("latin1");

/** Thrown (and caught by the hostcall wrapper) when a pointer/size is outside linear memory. */
export class OutOfBounds extends Error {}

export class GuestMemory {
  constructor(private readonly memory: () => WebAssembly.Memory) {}

  get size(): number {
    return this.memory().buffer.byteLength;
  }
  private check(ptr: number, len: number): void {
    if (ptr < 0 || len < 0 || ptr + len > this.size) throw new OutOfBounds(`[${ptr}, ${ptr + len}) outside memory of ${this.size} bytes`);
  }
  /** A copy of [ptr, ptr+len); (any, 0) is the empty value. */
  read(ptr: number, len: number): Uint8Array {
    ptr >>>= 0;
    len >>>= 0;
    if (len === 0) return new Uint8Array(0);
    this.check(ptr, len);
    return new Uint8Array(this.memory().buffer, ptr, len).slice();
  }
  readString(ptr: number, len: number): string {
    return fromUtf8(this.read(ptr, len));
  }
  write(ptr: number, bytes: Uint8Array): void {
    ptr >>>= 0;
    this.check(ptr, bytes.length);
    new Uint8Array(this.memory().buffer).set(bytes, ptr);
  }
  /** Checks that [ptr, ptr+len) is writable without writing (out-pointers are validated first). */
  assertWritable(ptr: number, len: number): void {
    this.check(ptr >>> 0, len);
  }
  u32(ptr: number): number {
    ptr >>>= 0;
    this.check(ptr, 4);
    return new DataView(this.memory().buffer).getUint32(ptr, true);
  }
  setU32(ptr: number, v: number): void {
    ptr >>>= 0;
    this.check(ptr, 4);
    new DataView(this.memory().buffer).setUint32(ptr, v >>> 0, true);
  }
  setU64(ptr: number, v: bigint): void {
    ptr >>>= 0;
    this.check(ptr, 8);
    new DataView(this.memory().buffer).setBigUint64(ptr, BigInt.asUintN(64, v), true);
  }
}

/**
 * Serializes pairs (§4.1): u32 N; N x {u32 key_len, u32 value_len}; N x {key, 0, value, 0}.
 * An empty map is the empty byte string (returned as (0, 0), no allocation).
 */
export function encodePairs(pairs: BytePairs | Pairs): Uint8Array {
  if (pairs.length === 0) return new Uint8Array(0);
  const bin: BytePairs = pairs.map(([k, v]) => [typeof k === "string" ? utf8(k) : k, typeof v === "string" ? utf8(v) : v]);
  let size = 4;
  for (const [k, v] of bin) size += 8 + k.length + 1 + v.length + 1;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, bin.length, true);
  let p = 4;
  for (const [k, v] of bin) {
    dv.setUint32(p, k.length, true);
    dv.setUint32(p + 4, v.length, true);
    p += 8;
  }
  for (const [k, v] of bin) {
    out.set(k, p);
    p += k.length + 1;
    out.set(v, p);
    p += v.length + 1;
  }
  return out;
}

export const PAIRS_MAX_BYTES = 1024 * 1024;
export const PAIRS_MAX_COUNT = 1024;

/**
 * Parses guest-provided pairs the way cpp-host's toPairs does (§4.1): any malformation, more than
 * 1024 pairs or more than 1 MiB yields an empty map, silently.
 */
export function decodePairs(data: Uint8Array): BytePairs {
  if (data.length < 4 || data.length > PAIRS_MAX_BYTES) return [];
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = dv.getUint32(0, true);
  if (n > PAIRS_MAX_COUNT) return [];
  let p = 4;
  if (p + n * 8 > data.length) return [];
  const sizes: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    sizes.push([dv.getUint32(p, true), dv.getUint32(p + 4, true)]);
    p += 8;
  }
  const out: BytePairs = [];
  for (const [kl, vl] of sizes) {
    if (p + kl + 1 > data.length || data[p + kl] !== 0) return [];
    const k = data.slice(p, p + kl);
    p += kl + 1;
    if (p + vl + 1 > data.length || data[p + vl] !== 0) return [];
    const v = data.slice(p, p + vl);
    p += vl + 1;
    out.push([k, v]);
  }
  if (p !== data.length) return [];
  return out;
}

/** Parses pairs produced by a host (or the guest) leniently for reading: accepts size 0/1 and N = 0. */
export function decodePairsStrings(data: Uint8Array): Pairs {
  return decodePairs(data).map(([k, v]) => [latin1(k), latin1(v)]);
}

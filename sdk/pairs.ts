// The "pairs" codec (proxy-wasm-abi.md §4.1), both directions:
//
//   u32 N; N × {u32 key_len, u32 value_len}; N × {key, 0x00, value, 0x00}
//
// Used by header maps, gRPC metadata, local-reply and callout headers, and map/list
// properties. Decoding honours the size table and never scans for NUL (property keys and
// values may contain 0x00); `size == 0`, `size == 1` and `N == 0` all mean "empty".

/** One header / metadata entry as strings (UTF-8 on the wire). */
export class Pair {
  key: string;
  value: string;
  constructor(key: string, value: string) {
    this.key = key;
    this.value = value;
  }
}

/** One entry as raw bytes, for non-UTF-8 values and binary property maps. */
export class BytesPair {
  key: ArrayBuffer;
  value: ArrayBuffer;
  constructor(key: ArrayBuffer, value: ArrayBuffer) {
    this.key = key;
    this.value = value;
  }
}

/**
 * Decodes `size` bytes at `ptr`. Malformed input (a size table or an entry running past
 * the end) decodes as an empty list, like the host's own parser.
 */
export function decodePairs(ptr: usize, size: usize): Array<BytesPair> {
  const out = new Array<BytesPair>();
  if (size < 4) return out;
  const n = <u64>load<u32>(ptr);
  if (n == 0) return out;
  const tableEnd: u64 = 4 + n * 8;
  if (tableEnd > <u64>size) return out;
  let data: u64 = tableEnd;
  // First pass: validate every entry against the size table.
  for (let i: u64 = 0; i < n; i++) {
    const entry = ptr + 4 + <usize>(i * 8);
    const keyLen = <u64>load<u32>(entry);
    const valueLen = <u64>load<u32>(entry, 4);
    data += keyLen + 1 + valueLen + 1;
    if (data > <u64>size) return new Array<BytesPair>();
  }
  data = tableEnd;
  for (let i: u64 = 0; i < n; i++) {
    const entry = ptr + 4 + <usize>(i * 8);
    const keyLen = <usize>load<u32>(entry);
    const valueLen = <usize>load<u32>(entry, 4);
    const key = new ArrayBuffer(<i32>keyLen);
    memory.copy(changetype<usize>(key), ptr + <usize>data, keyLen);
    data += <u64>keyLen + 1;
    const value = new ArrayBuffer(<i32>valueLen);
    memory.copy(changetype<usize>(value), ptr + <usize>data, valueLen);
    data += <u64>valueLen + 1;
    out.push(new BytesPair(key, value));
  }
  return out;
}

/** Decodes a pairs blob held in an ArrayBuffer. */
export function decodePairsBuffer(buf: ArrayBuffer): Array<BytesPair> {
  return decodePairs(changetype<usize>(buf), <usize>buf.byteLength);
}

/** Encodes pairs; an empty list encodes as an empty buffer (sent as `(0, 0)`). */
export function encodePairs(pairs: Array<BytesPair>): ArrayBuffer {
  const n = pairs.length;
  if (n == 0) return new ArrayBuffer(0);
  let total: usize = 4 + <usize>n * 8;
  for (let i = 0; i < n; i++) {
    const p = unchecked(pairs[i]);
    total += <usize>p.key.byteLength + 1 + <usize>p.value.byteLength + 1;
  }
  const buf = new ArrayBuffer(<i32>total); // zero-filled: terminators are already 0x00
  const base = changetype<usize>(buf);
  store<u32>(base, <u32>n);
  let data = base + 4 + <usize>n * 8;
  for (let i = 0; i < n; i++) {
    const p = unchecked(pairs[i]);
    const keyLen = <usize>p.key.byteLength;
    const valueLen = <usize>p.value.byteLength;
    store<u32>(base + 4 + <usize>i * 8, <u32>keyLen);
    store<u32>(base + 8 + <usize>i * 8, <u32>valueLen);
    memory.copy(data, changetype<usize>(p.key), keyLen);
    data += keyLen + 1;
    memory.copy(data, changetype<usize>(p.value), valueLen);
    data += valueLen + 1;
  }
  return buf;
}

/** String pairs → bytes pairs (UTF-8). */
export function pairsToBytes(pairs: Array<Pair>): Array<BytesPair> {
  const out = new Array<BytesPair>(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    const p = unchecked(pairs[i]);
    out[i] = new BytesPair(String.UTF8.encode(p.key, false), String.UTF8.encode(p.value, false));
  }
  return out;
}

/** Bytes pairs → string pairs (UTF-8; invalid sequences become U+FFFD). */
export function pairsToStrings(pairs: Array<BytesPair>): Array<Pair> {
  const out = new Array<Pair>(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    const p = unchecked(pairs[i]);
    out[i] = new Pair(String.UTF8.decode(p.key, false), String.UTF8.decode(p.value, false));
  }
  return out;
}

/** Encodes string pairs (null or empty ⇒ empty buffer). */
export function encodeStringPairs(pairs: Array<Pair> | null): ArrayBuffer {
  if (pairs === null) return new ArrayBuffer(0);
  return encodePairs(pairsToBytes(pairs));
}

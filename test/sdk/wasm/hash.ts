// Test and bench entry for the SDK's hashes, HMAC, constant-time compare and base64.
import { sha256 as _sha256, sha384 as _sha384, sha512 as _sha512, digest, digestRange, HashAlg, Sha256, Sha512, Sha384 } from "../../../sdk/crypto/sha2";

export function sha256(data: Uint8Array): Uint8Array {
  return _sha256(data);
}
export function sha384(data: Uint8Array): Uint8Array {
  return _sha384(data);
}
export function sha512(data: Uint8Array): Uint8Array {
  return _sha512(data);
}
export function digestBy(alg: i32, data: Uint8Array): Uint8Array {
  return digest(<HashAlg>alg, data);
}

export function digestRangeOf(alg: i32, data: Uint8Array, start: i32, end: i32): Uint8Array {
  return digestRange(<HashAlg>alg, data, start, end);
}

/** Streams `data` in chunks of the given sizes (cycled), through the streaming hasher of `alg`. */
export function digestChunked(alg: i32, data: Uint8Array, chunks: Int32Array): Uint8Array {
  let pos = 0;
  let ci = 0;
  if (alg == 0) {
    const h = new Sha256();
    while (pos < data.length) {
      const end = min(data.length, pos + max(1, chunks[ci++ % chunks.length]));
      h.updateRange(data, pos, end);
      pos = end;
    }
    return h.digest();
  }
  const h: Sha512 = alg == 1 ? new Sha384() : new Sha512();
  while (pos < data.length) {
    const end = min(data.length, pos + max(1, chunks[ci++ % chunks.length]));
    h.updateRange(data, pos, end);
    pos = end;
  }
  return h.digest();
}

/** Hashes `data` `rounds` times (for benchmarks: one boundary crossing per batch). */
export function sha256Repeat(data: Uint8Array, rounds: i32): void {
  for (let i = 0; i < rounds; i++) _sha256(data);
}

// --- HMAC ---
import { HmacKey, HmacKeyOf, hmac as _hmac, hmacVerify as _hmacVerify } from "../../../sdk/crypto/hmac";

export function hmac(alg: i32, key: Uint8Array, data: Uint8Array): Uint8Array {
  return _hmac(<HashAlg>alg, key, data);
}
export function hmacVerify(alg: i32, key: Uint8Array, data: Uint8Array, tag: Uint8Array): bool {
  return _hmacVerify(<HashAlg>alg, key, data, tag);
}
export function hmacVerifyTruncated(alg: i32, key: Uint8Array, data: Uint8Array, tag: Uint8Array, tagLength: i32): bool {
  return new HmacKey(<HashAlg>alg, key).verifyTruncated(data, tag, tagLength);
}
/** Signs `data[start, end)` with a cached key (exercises signRange and key reuse). */
export function hmacRangeTwice(alg: i32, key: Uint8Array, data: Uint8Array, start: i32, end: i32): Uint8Array {
  const k = new HmacKey(<HashAlg>alg, key);
  const first = k.signRange(data, start, end);
  const second = k.signRange(data, start, end);
  for (let i = 0; i < first.length; i++) if (first[i] != second[i]) return new Uint8Array(0);
  return second;
}

/** The single-hash key classes (HmacKeyOf<Sha256|Sha384|Sha512>), which link one hash each. */
export function hmacTyped(alg: i32, key: Uint8Array, data: Uint8Array, tag: Uint8Array): Uint8Array {
  let mac: Uint8Array;
  let ok: bool;
  if (alg == 0) {
    const k = new HmacKeyOf<Sha256>(key);
    mac = k.sign(data);
    ok = k.verify(data, tag);
  } else if (alg == 1) {
    const k = new HmacKeyOf<Sha384>(key);
    mac = k.sign(data);
    ok = k.verify(data, tag);
  } else {
    const k = new HmacKeyOf<Sha512>(key);
    mac = k.sign(data);
    ok = k.verify(data, tag);
  }
  // The verdict on `tag` in the last byte, after the MAC.
  const out = new Uint8Array(mac.length + 1);
  out.set(mac);
  out[mac.length] = ok ? 1 : 0;
  return out;
}

let benchKey: HmacKeyOf<Sha256> | null = null;
/** Benchmark helper: MACs `data` `rounds` times with one cached HS256 key. */
export function hmac256Repeat(key: Uint8Array, data: Uint8Array, rounds: i32): void {
  let k = benchKey;
  if (k === null) benchKey = k = new HmacKeyOf<Sha256>(key);
  for (let i = 0; i < rounds; i++) k.sign(data);
}

// --- constant-time compare ---
import { ctEqual as _ctEqual, ctEqualRange as _ctEqualRange } from "../../../sdk/crypto/ct";

export function ctEqual(a: Uint8Array, b: Uint8Array): bool {
  return _ctEqual(a, b);
}
export function ctEqualRange(a: Uint8Array, aStart: i32, b: Uint8Array, bStart: i32, len: i32): bool {
  return _ctEqualRange(a, aStart, b, bStart, len);
}

// --- base64 ---
import {
  base64Decode as _b64dec, base64DecodeRange as _b64decRange, base64Encode as _b64enc,
  base64Error as _b64err, base64ErrorPosition as _b64pos,
  base64UrlDecode as _b64udec, base64UrlDecodeRange as _b64udecRange, base64UrlEncode as _b64uenc,
} from "../../../sdk/crypto/base64";

export function base64Encode(data: Uint8Array): string {
  return _b64enc(data);
}
export function base64UrlEncode(data: Uint8Array): string {
  return _b64uenc(data);
}
export function base64Decode(s: string): Uint8Array | null {
  return _b64dec(s);
}
export function base64UrlDecode(s: string): Uint8Array | null {
  return _b64udec(s);
}
/** Decodes the UTF-8 bytes of the input (the byte-range decoders). */
export function base64DecodeBytes(b: Uint8Array): Uint8Array | null {
  return _b64decRange(b, 0, b.length);
}
export function base64UrlDecodeBytes(b: Uint8Array): Uint8Array | null {
  return _b64udecRange(b, 0, b.length);
}
export function base64Error(): string {
  return _b64err();
}
export function base64ErrorPosition(): i32 {
  return _b64pos();
}

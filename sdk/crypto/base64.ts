// base64 (RFC 4648 §4) and base64url (RFC 4648 §5), strict.
//
// A JWS verifier must accept exactly one encoding of each value: otherwise two different tokens
// carry the same signature, and anything keyed on the token text (replay caches, logs, deny
// lists) can be dodged. So decoding rejects, with a reason and a position:
// - any character outside the alphabet (including whitespace, and the other variant's `+/`/`-_`);
// - for base64url (RFC 7515 §2: "with all trailing '=' characters omitted"): any `=` at all,
//   and a length of 4k+1, which no byte string encodes to;
// - for standard base64: a length that is not a multiple of 4, or padding that is missing,
//   misplaced or longer than the final quantum needs;
// - non-canonical trailing bits: the bits of the last character that fall past the last byte
//   must be zero (RFC 4648 §3.5), so `QQ` decodes but `QR` does not.
//
// Decoders return null on error; `base64Error()` then says why and `base64ErrorPosition()` at
// which character (0-based). After a successful decode the reason is "".

// @ts-ignore: decorator
@lazy const INVALID: u8 = 0xff;

/** Decoding table for A-Z a-z 0-9 + / (everything else INVALID). */
// @ts-ignore: decorator
@lazy const STD_TABLE: usize = buildTable(false);
/** Decoding table for A-Z a-z 0-9 - _. */
// @ts-ignore: decorator
@lazy const URL_TABLE: usize = buildTable(true);

const STD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function buildTable(url: bool): usize {
  const t = heap.alloc(256);
  memory.fill(t, INVALID, 256);
  const alphabet = url ? URL_ALPHABET : STD_ALPHABET;
  for (let i = 0; i < 64; i++) store<u8>(t + <usize>alphabet.charCodeAt(i), <u8>i);
  return t;
}

let lastError: string = "";
let lastErrorPos: i32 = -1;

/** Why the last decode failed, or "" if it succeeded. */
export function base64Error(): string {
  return lastError;
}

/** Character position (0-based) of the last decode failure, or -1. */
export function base64ErrorPosition(): i32 {
  return lastErrorPos;
}

function fail(reason: string, pos: i32): Uint8Array | null {
  lastError = reason;
  lastErrorPos = pos;
  return null;
}

/** Reads character `i` of the input: a UTF-16 code unit (string) or a byte. */
// @ts-ignore: decorator
@inline function charAt<T>(ptr: usize, i: i32): u32 {
  return <u32>load<T>(ptr + (<usize>i << alignof<T>()));
}

/**
 * The core: decodes `len` characters of width T at `ptr`. `url` picks the alphabet and forbids
 * padding; otherwise padding is required.
 */
function decodeCore<T>(ptr: usize, len: i32, url: bool): Uint8Array | null {
  const table = url ? URL_TABLE : STD_TABLE;
  // Data characters: everything before the padding.
  let data = len;
  if (url) {
    if ((len & 3) == 1) return fail("bad length: " + len.toString() + " characters cannot encode whole bytes", len - 1);
  } else {
    if ((len & 3) != 0) return fail("bad length: standard base64 needs padding to a multiple of 4", len);
    if (len > 0 && charAt<T>(ptr, len - 1) == 0x3d) {
      data--;
      if (charAt<T>(ptr, len - 2) == 0x3d) data--;
    }
  }
  const full = data >> 2;
  const rest = data & 3;
  const out = new Uint8Array(full * 3 + (rest == 0 ? 0 : rest - 1));
  let o = out.dataStart;
  let i = 0;
  for (let q = 0; q < full; q++) {
    const c0 = charAt<T>(ptr, i);
    const c1 = charAt<T>(ptr, i + 1);
    const c2 = charAt<T>(ptr, i + 2);
    const c3 = charAt<T>(ptr, i + 3);
    // Anything above 0xff is invalid; the OR of the four table entries has bit 7 set iff any is.
    const v0: u32 = c0 > 0xff ? INVALID : <u32>load<u8>(table + c0);
    const v1: u32 = c1 > 0xff ? INVALID : <u32>load<u8>(table + c1);
    const v2: u32 = c2 > 0xff ? INVALID : <u32>load<u8>(table + c2);
    const v3: u32 = c3 > 0xff ? INVALID : <u32>load<u8>(table + c3);
    if ((v0 | v1 | v2 | v3) & 0x80) return badChar<T>(ptr, i, 4, len, url);
    const w = (v0 << 18) | (v1 << 12) | (v2 << 6) | v3;
    store<u8>(o, <u8>(w >> 16));
    store<u8>(o, <u8>(w >> 8), 1);
    store<u8>(o, <u8>w, 2);
    o += 3;
    i += 4;
  }
  // rest == 1 cannot happen: base64url rejected 4k+1 lengths above, and padded base64 strips at
  // most two '=' from a multiple of 4.
  if (rest >= 2) {
    let w: u32 = 0;
    for (let k = 0; k < rest; k++) {
      const c = charAt<T>(ptr, i + k);
      const v: u32 = c > 0xff ? INVALID : <u32>load<u8>(table + c);
      if (v & 0x80) return badChar<T>(ptr, i + k, 1, len, url);
      w = (w << 6) | v;
    }
    if (rest == 2) {
      // 12 bits, 8 used: the low 4 bits of the second character must be zero.
      if (w & 0xf) return fail("non-canonical encoding: unused trailing bits are not zero", i + 1);
      store<u8>(o, <u8>(w >> 4));
    } else {
      // 18 bits, 16 used.
      if (w & 0x3) return fail("non-canonical encoding: unused trailing bits are not zero", i + 2);
      store<u8>(o, <u8>(w >> 10));
      store<u8>(o, <u8>(w >> 2), 1);
    }
  }
  lastError = "";
  lastErrorPos = -1;
  return out;
}

/** Finds and reports the first bad character among `count` at `from`. */
function badChar<T>(ptr: usize, from: i32, count: i32, len: i32, url: bool): Uint8Array | null {
  for (let k = from; k < from + count; k++) {
    const c = charAt<T>(ptr, k);
    if (c == 0x3d) {
      if (url) return fail("bad padding: '=' at " + k.toString() + ", base64url here is unpadded (RFC 7515 §2)", k);
      let tail = k;
      while (tail < len && charAt<T>(ptr, tail) == 0x3d) tail++;
      // Only '=' from here to the end: more padding than the final quantum allows ("Q===").
      if (tail == len) return fail("bad padding: too much padding at " + k.toString(), k);
      return fail("bad padding: '=' inside the data at " + k.toString(), k);
    }
    if (c > 0xff || load<u8>(STD_TABLE + c) == INVALID && load<u8>(URL_TABLE + c) == INVALID) {
      return fail("bad character " + describe(c) + " at " + k.toString(), k);
    }
    // In the other variant's alphabet but not this one's ('+' '/' vs '-' '_').
    const std = load<u8>(STD_TABLE + c) != INVALID;
    const url = load<u8>(URL_TABLE + c) != INVALID;
    if (std != url) return fail("bad character " + describe(c) + " at " + k.toString() + " (wrong base64 variant)", k);
  }
  return fail("bad character", from);
}

function describe(c: u32): string {
  if (c >= 0x21 && c < 0x7f) return "'" + String.fromCharCode(c) + "'";
  return "U+" + c.toString(16).padStart(4, "0");
}

/** Strict base64url (unpadded, RFC 7515 §2) of a string; null on error (see `base64Error`). */
export function base64UrlDecode(s: string): Uint8Array | null {
  return decodeCore<u16>(changetype<usize>(s), s.length, true);
}

/** Strict base64url of the bytes `b[start, end)` (e.g. a segment of a token), no copy. */
export function base64UrlDecodeRange(b: Uint8Array, start: i32, end: i32): Uint8Array | null {
  if (start < 0 || end > b.length || start > end) return fail("bad range", 0);
  return decodeCore<u8>(b.dataStart + <usize>start, end - start, true);
}

/** Strict padded standard base64 of a string; null on error (see `base64Error`). */
export function base64Decode(s: string): Uint8Array | null {
  return decodeCore<u16>(changetype<usize>(s), s.length, false);
}

/** Strict padded standard base64 of the bytes `b[start, end)`. */
export function base64DecodeRange(b: Uint8Array, start: i32, end: i32): Uint8Array | null {
  if (start < 0 || end > b.length || start > end) return fail("bad range", 0);
  return decodeCore<u8>(b.dataStart + <usize>start, end - start, false);
}

function encodeCore(data: Uint8Array, url: bool): string {
  const n = data.length;
  const full = n / 3;
  const rest = n - full * 3;
  const outLen = url ? full * 4 + (rest == 0 ? 0 : rest + 1) : (full + (rest == 0 ? 0 : 1)) * 4;
  const out = changetype<string>(__new(<usize>outLen << 1, idof<string>()));
  const alphabet = changetype<usize>(url ? URL_ALPHABET : STD_ALPHABET);
  let p = data.dataStart;
  let o = changetype<usize>(out);
  for (let q = 0; q < full; q++) {
    const w = (<u32>load<u8>(p) << 16) | (<u32>load<u8>(p, 1) << 8) | <u32>load<u8>(p, 2);
    store<u16>(o, load<u16>(alphabet + ((w >> 18) << 1)));
    store<u16>(o, load<u16>(alphabet + (((w >> 12) & 63) << 1)), 2);
    store<u16>(o, load<u16>(alphabet + (((w >> 6) & 63) << 1)), 4);
    store<u16>(o, load<u16>(alphabet + ((w & 63) << 1)), 6);
    p += 3;
    o += 8;
  }
  if (rest == 1) {
    const w = <u32>load<u8>(p);
    store<u16>(o, load<u16>(alphabet + ((w >> 2) << 1)));
    store<u16>(o, load<u16>(alphabet + ((w & 3) << 5)), 2);
    if (!url) {
      store<u16>(o, 0x3d, 4);
      store<u16>(o, 0x3d, 6);
    }
  } else if (rest == 2) {
    const w = (<u32>load<u8>(p) << 8) | <u32>load<u8>(p, 1);
    store<u16>(o, load<u16>(alphabet + ((w >> 10) << 1)));
    store<u16>(o, load<u16>(alphabet + (((w >> 4) & 63) << 1)), 2);
    store<u16>(o, load<u16>(alphabet + ((w & 15) << 3)), 4);
    if (!url) store<u16>(o, 0x3d, 6);
  }
  return out;
}

/** base64url without padding (the JWS form). */
export function base64UrlEncode(data: Uint8Array): string {
  return encodeCore(data, true);
}

/** Standard base64 with padding. */
export function base64Encode(data: Uint8Array): string {
  return encodeCore(data, false);
}

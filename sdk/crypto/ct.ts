// Constant-time comparison, for MAC tags and anything else secret-dependent.
//
// The time taken depends only on the lengths, never on where the first difference is: a
// comparison that stops at the first mismatching byte lets an attacker who can time requests
// forge an HMAC tag byte by byte. Lengths are public (a tag's length is fixed by its algorithm),
// so unequal lengths return false at once.

/** True iff `a` and `b` have the same length and bytes, in time independent of their contents. */
export function ctEqual(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  return ctEqualRaw(a.dataStart, b.dataStart, a.length);
}

/** True iff `a[aStart, aStart + len)` equals `b[bStart, bStart + len)`; out-of-range is false. */
export function ctEqualRange(a: Uint8Array, aStart: i32, b: Uint8Array, bStart: i32, len: i32): bool {
  if (len < 0 || aStart < 0 || bStart < 0 || aStart > a.length - len || bStart > b.length - len) return false;
  return ctEqualRaw(a.dataStart + <usize>aStart, b.dataStart + <usize>bStart, len);
}

/** Compares `len` bytes at two linear-memory addresses, without early exit. */
export function ctEqualRaw(a: usize, b: usize, len: i32): bool {
  let diff: u64 = 0;
  let i: i32 = 0;
  // Eight bytes at a time (unaligned loads are fine in wasm), then the tail.
  for (; i + 8 <= len; i += 8) diff |= load<u64>(a + <usize>i) ^ load<u64>(b + <usize>i);
  for (; i < len; i++) diff |= <u64>(load<u8>(a + <usize>i) ^ load<u8>(b + <usize>i));
  return diff == 0;
}

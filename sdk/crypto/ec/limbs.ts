// Helpers over 29-bit limbs in u64 slots (the representation of sdk/crypto/ec/field.ts):
// conversion from and to bytes, comparison, and width-w NAF recoding of scalars.
//
// All of it is variable-time: ECDSA and EdDSA verification only ever handle public values.

/** Reads `len` big-endian bytes at `src` into `n` limbs at `dst`; false if the value needs more than 29n bits. */
export function limbsFromBE(dst: usize, n: i32, src: usize, len: i32): bool {
  return limbsFromBytes(dst, n, src, len, true);
}

/** Reads `len` little-endian bytes at `src` into `n` limbs at `dst`; false on overflow. */
export function limbsFromLE(dst: usize, n: i32, src: usize, len: i32): bool {
  return limbsFromBytes(dst, n, src, len, false);
}

/** Bytes, least significant first whichever way they are stored, into 29-bit limbs. */
function limbsFromBytes(dst: usize, n: i32, src: usize, len: i32, bigEndian: bool): bool {
  let acc: u64 = 0;
  let bits: i32 = 0;
  let k: i32 = 0;
  for (let i = 0; i < len; i++) {
    const at = bigEndian ? len - 1 - i : i;
    acc |= (<u64>load<u8>(src + <usize>at)) << <u64>bits;
    bits += 8;
    if (bits >= 29) {
      if (k >= n) return false;
      store<u64>(dst + (<usize>k << 3), acc & 0x1fffffff);
      k++;
      acc >>= 29;
      bits -= 29;
    }
  }
  if (acc != 0) {
    if (k >= n) return false;
    store<u64>(dst + (<usize>k << 3), acc);
    k++;
  }
  for (; k < n; k++) store<u64>(dst + (<usize>k << 3), 0);
  return true;
}

/** Writes the low 8*len bits of `n` limbs at `src` as `len` little-endian bytes at `dst`. */
export function limbsToLE(dst: usize, len: i32, src: usize, n: i32): void {
  let acc: u64 = 0;
  let bits: i32 = 0;
  let k: i32 = 0;
  for (let i = 0; i < len; i++) {
    if (bits < 8) {
      if (k < n) acc |= load<u64>(src + (<usize>k << 3)) << <u64>bits;
      k++;
      bits += 29;
    }
    store<u8>(dst + <usize>i, <u8>acc);
    acc >>= 8;
    bits -= 8;
  }
}

/** -1, 0 or 1 as the integer at `a` is less than, equal to or greater than the one at `b`. */
export function limbsCmp(a: usize, b: usize, n: i32): i32 {
  for (let i = n - 1; i >= 0; i--) {
    const x = load<u64>(a + (<usize>i << 3));
    const y = load<u64>(b + (<usize>i << 3));
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

export function limbsIsZero(a: usize, n: i32): bool {
  let acc: u64 = 0;
  for (let i = 0; i < n; i++) acc |= load<u64>(a + (<usize>i << 3));
  return acc == 0;
}

export function limbsEq(a: usize, b: usize, n: i32): bool {
  let acc: u64 = 0;
  for (let i = 0; i < n; i++) acc |= load<u64>(a + (<usize>i << 3)) ^ load<u64>(b + (<usize>i << 3));
  return acc == 0;
}

/** dst = a + b as plain integers (no reduction); the top limb keeps any carry. */
export function limbsAdd(dst: usize, a: usize, b: usize, n: i32): void {
  let c: u64 = 0;
  for (let i = 0; i < n; i++) {
    c += load<u64>(a + (<usize>i << 3)) + load<u64>(b + (<usize>i << 3));
    if (i < n - 1) {
      store<u64>(dst + (<usize>i << 3), c & 0x1fffffff);
      c >>= 29;
    } else {
      store<u64>(dst + (<usize>i << 3), c);
    }
  }
}

// w bits of the scalar starting at bit `i` (bits past the top read as zero).
@inline
function bitsAt(k: usize, n: i32, i: i32, w: i32): i32 {
  const limb = i / 29;
  const off = i % 29;
  if (limb >= n) return 0;
  let v = load<u64>(k + (<usize>limb << 3)) >> <u64>off;
  if (off + w > 29 && limb + 1 < n) v |= load<u64>(k + (<usize>(limb + 1) << 3)) << <u64>(29 - off);
  return <i32>(v & ((<u64>1 << <u64>w) - 1));
}

/**
 * Width-w NAF of the scalar in `n` limbs at `k`: one signed digit per bit position in `out`
 * (i8; odd digits in (-2^(w-1), 2^(w-1)), at least w-1 zeros after each non-zero digit).
 * `out` must have room for 29n + w + 1 digits. Returns one past the highest non-zero digit.
 *
 * Scanning from the bottom: where the running value (bit + carry) is odd, take the next w bits
 * as a digit, and if it is 2^(w-1) or more use digit - 2^w and carry one upwards.
 */
export function wnaf(out: usize, k: usize, n: i32, w: i32): i32 {
  const bits = n * 29;
  memory.fill(out, 0, <usize>(bits + w + 1));
  let carry = 0;
  let i = 0;
  let top = 0;
  while (i < bits) {
    if (bitsAt(k, n, i, 1) == carry) {
      i++;
      continue;
    }
    let word = bitsAt(k, n, i, w) + carry;
    carry = (word >> (w - 1)) & 1;
    word -= carry << w;
    store<i8>(out + <usize>i, <i8>word);
    i += w;
    top = i - w + 1;
  }
  if (carry != 0) {
    store<i8>(out + <usize>i, 1);
    top = i + 1;
  }
  return top;
}

/** dst = the low `bits` bits of the n-limb integer at src (dst may be src). */
export function limbsLow(dst: usize, src: usize, n: i32, bits: i32): void {
  for (let i = 0; i < n; i++) {
    const lo = i * 29;
    let v = load<u64>(src + (<usize>i << 3));
    if (lo >= bits) v = 0;
    else if (lo + 29 > bits) v &= (<u64>1 << <u64>(bits - lo)) - 1;
    store<u64>(dst + (<usize>i << 3), v);
  }
}

/** dst = the n-limb integer at src shifted right by `bits` (dst must not overlap src). */
export function limbsShiftRight(dst: usize, src: usize, n: i32, bits: i32): void {
  const q = bits / 29;
  const r = <u64>(bits % 29);
  for (let i = 0; i < n; i++) {
    const j = i + q;
    let v: u64 = j < n ? load<u64>(src + (<usize>j << 3)) >> r : 0;
    if (r != 0 && j + 1 < n) v |= (load<u64>(src + (<usize>(j + 1) << 3)) << (29 - r)) & 0x1fffffff;
    store<u64>(dst + (<usize>i << 3), v);
  }
}

// ---- Modular inversion by Bernstein–Yang "divsteps" (variable time) ----
//
// Fermat inversion of a 256-bit scalar costs ~320 Montgomery products, a seventh of an ES256
// verification. The divstep algorithm (Bernstein and Yang, "Fast constant-time gcd computation
// and modular inversion", 2019) does the same job on machine words: batches of 29 divsteps run
// on the low limbs of f and g alone, record a 2x2 transition matrix, and the matrix is then
// applied once to the full f, g and to the Bezout-style coefficients d, e. Signed integers here
// are limbs 0..n-2 in [0, 2^29) plus a signed top limb, all in i64 slots.
//
// Invariants (mod m, for the input x): f = d x and g = e x, starting from f = m, d = 0, g = x,
// e = 1. When g reaches 0, f = +-1 (m is prime, 0 < x < m), so x^-1 = +-d.

const INV_F: usize = memory.data(19 * 8, 16);
const INV_G: usize = memory.data(19 * 8, 16);
const INV_D: usize = memory.data(19 * 8, 16);
const INV_E: usize = memory.data(19 * 8, 16);
const INV_TMP: usize = memory.data(19 * 8, 16);

@inline
function sLimb(p: usize, i: i32): i64 {
  return load<i64>(p + (<usize>i << 3));
}

/** t = (u a + v b) / 2^29 for signed a, b whose combination is divisible by 2^29 (t may be a). */
function combineShift(t: usize, a: usize, b: usize, u: i64, v: i64, n: i32): void {
  let c: i64 = u * sLimb(a, 0) + v * sLimb(b, 0);
  c >>= 29; // the low 29 bits are zero by construction
  for (let i = 1; i < n; i++) {
    c += u * sLimb(a, i) + v * sLimb(b, i);
    store<i64>(t + (<usize>(i - 1) << 3), c & 0x1fffffff);
    c >>= 29;
  }
  store<i64>(t + (<usize>(n - 1) << 3), c);
}

/** t = (u a + v b + k m) / 2^29 mod m with k making it divisible; t in (-m, m) for a, b there. */
function combineShiftMod(t: usize, a: usize, b: usize, u: i64, v: i64, m: usize, minv: i64, n: i32): void {
  const low = (u * sLimb(a, 0) + v * sLimb(b, 0)) & 0x1fffffff;
  const k: i64 = ((0x20000000 - low) * minv) & 0x1fffffff; // k = -low / m mod 2^29
  let c: i64 = u * sLimb(a, 0) + v * sLimb(b, 0) + k * sLimb(m, 0);
  c >>= 29;
  for (let i = 1; i < n; i++) {
    c += u * sLimb(a, i) + v * sLimb(b, i) + k * sLimb(m, i);
    store<i64>(t + (<usize>(i - 1) << 3), c & 0x1fffffff);
    c >>= 29;
  }
  store<i64>(t + (<usize>(n - 1) << 3), c);
  // |u| + |v| <= 2^29 and |a|, |b| < m, k < 2^29: the result is in (-2m, 2m); bring it to (-m, m).
  if (sLimb(t, n - 1) < 0) {
    addSigned(t, m, 1, n);
  } else {
    addSigned(t, m, -1, n);
    if (sLimb(t, n - 1) < 0) addSigned(t, m, 1, n);
  }
}

/** t += sign * m (signed limbs). */
function addSigned(t: usize, m: usize, sign: i64, n: i32): void {
  let c: i64 = 0;
  for (let i = 0; i < n; i++) {
    c += sLimb(t, i) + sign * sLimb(m, i);
    if (i < n - 1) {
      store<i64>(t + (<usize>i << 3), c & 0x1fffffff);
      c >>= 29;
    } else {
      store<i64>(t + (<usize>i << 3), c);
    }
  }
}

/**
 * dst = x^-1 mod m for a prime m (n limbs, plain representation) and 0 < x < m.
 * `minv` is m^-1 mod 2^29. Variable time: for public values only.
 */
export function limbsInverse(dst: usize, x: usize, m: usize, minv: i64, n: i32): void {
  const f = INV_F, g = INV_G, d = INV_D, e = INV_E;
  memory.copy(f, m, <usize>n << 3);
  memory.copy(g, x, <usize>n << 3);
  memory.fill(d, 0, <usize>n << 3);
  memory.fill(e, 0, <usize>n << 3);
  store<i64>(e, 1);
  let delta: i32 = 1;
  while (!limbsIsZero(g, n)) {
    let f0 = sLimb(f, 0);
    let g0 = sLimb(g, 0);
    // Transition matrix of 29 divsteps: 2^29 (f', g') = (u f + v g, q f + r g).
    let u: i64 = 1, v: i64 = 0, q: i64 = 0, r: i64 = 1;
    for (let j = 0; j < 29; j++) {
      if ((g0 & 1) == 0) {
        g0 >>= 1;
        u <<= 1;
        v <<= 1;
        delta++;
      } else if (delta > 0) {
        const nf = g0;
        g0 = (g0 - f0) >> 1;
        f0 = nf;
        const nu = q << 1, nv = r << 1;
        q -= u;
        r -= v;
        u = nu;
        v = nv;
        delta = 1 - delta;
      } else {
        g0 = (g0 + f0) >> 1;
        q += u;
        r += v;
        u <<= 1;
        v <<= 1;
        delta++;
      }
    }
    combineShiftMod(INV_TMP, d, e, u, v, m, minv, n);
    combineShiftMod(e, d, e, q, r, m, minv, n);
    memory.copy(d, INV_TMP, <usize>n << 3);
    combineShift(INV_TMP, f, g, u, v, n);
    combineShift(g, f, g, q, r, n);
    memory.copy(f, INV_TMP, <usize>n << 3);
  }
  // f = +-1: x^-1 = f d, in (-m, m); then into [0, m).
  if (sLimb(f, n - 1) < 0) {
    memory.fill(INV_TMP, 0, <usize>n << 3);
    addSigned(INV_TMP, d, -1, n);
    memory.copy(d, INV_TMP, <usize>n << 3);
  }
  if (sLimb(d, n - 1) < 0) addSigned(d, m, 1, n);
  memory.copy(dst, d, <usize>n << 3);
}

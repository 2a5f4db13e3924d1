// Montgomery arithmetic modulo an odd 2048..4096-bit modulus, for RSA public-key operations.
//
// Representation: little-endian limbs of LIMB_BITS = 28 bits, one per u32. A 28×28-bit product
// is < 2^56, so a column of the schoolbook product can add up to 256 of them in a u64 before it
// overflows. Multiplication is Montgomery "product scanning" (one column at a time, the
// reduction digit m_i interleaved), and a column's sum is split over at least two u64
// accumulator lanes, each of which takes at most ~k products (k ≤ 147 limbs for 4096 bits;
// a squaring's doubled cross products count twice), far below 256 — so no carry is handled
// inside the inner loop at all: carries are resolved once per column, in locals. The pairing
// is exactly the one of wasm SIMD's `i64x2.extmul_{low,high}_i32x4_u` (two 32×32→64 products
// per instruction), which the SIMD build uses; the scalar build runs the same sums on i64.
// The kernels are generated (bigint-kernels.ts, by scripts/gen-mont.mjs, which says why).
//
// For the column sums to be contiguous loads, the second operand and the modulus are stored
// reversed (`br[k-1-t] = b_t`); a squaring's reversed operand holds 2a, so its cross products
// a_j·a_(i-j), j < i-j, come out doubled and share the accumulators with the rest. Every limb
// buffer has PAD zero limbs before and after its k limbs, so an inner loop may round its range
// outwards to whole chunks of 4: each extra product has a zero factor from a padding limb.
// Results are written forward and reversed at once, so one squaring's output is the next
// squaring's input without a copy; into other buffers than the inputs (the exponentiation
// alternates two), because a column reading a limb that the previous column just stored would
// stall on store-to-load forwarding.
//
// R = 2^(28k) > 4n, so inputs and outputs below 2n stay below 2n (Walter, "Montgomery
// exponentiation needs no final subtractions", 1999): the exponentiation never subtracts n;
// only the final result is reduced once. Public operations only: nothing here is constant-time,
// and nothing needs to be (modulus, exponent, signature and message are all public).

export const LIMB_BITS: i32 = 28;
const MASK: u64 = (1 << 28) - 1;
/** Zero limbs on each side of every limb buffer. */
export const PAD: i32 = 4;
/** Limbs for a 4096-bit modulus with R > 4n: ceil((4096 + 2) / 28). */
export const MAX_LIMBS: i32 = 147;
/** u32 slots of one padded limb buffer (PAD + MAX_LIMBS + PAD, rounded up to 16 bytes). */
export const BUF_LIMBS: i32 = 156;

/** Limbs needed for a modulus of `bits` bits, keeping R = 2^(28k) > 4n. */
export function limbsFor(bits: i32): i32 {
  return (bits + 2 + LIMB_BITS - 1) / LIMB_BITS;
}

/** A zeroed padded limb buffer (BUF_LIMBS u32s); `limb0` gives the address of its limb 0. */
export function newLimbBuffer(): StaticArray<u32> {
  return new StaticArray<u32>(BUF_LIMBS);
}
// @ts-ignore: decorator
@inline export function limb0(buf: StaticArray<u32>): usize {
  return changetype<usize>(buf) + (<usize>PAD << 2);
}

// ---------------------------------------------------------------------------------------------
// Conversions

/** `len` big-endian bytes at `bytes` → k little-endian limbs at `out` (and reversed at `outR` if ≠ 0). */
export function limbsFromBytes(out: usize, outR: usize, k: i32, bytes: usize, len: i32): void {
  let acc: u64 = 0;
  let bits = 0;
  let t = 0;
  for (let p = len - 1; p >= 0; p--) {
    acc |= (<u64>load<u8>(bytes + <usize>p)) << <u64>bits;
    bits += 8;
    if (bits >= LIMB_BITS) {
      if (t < k) storeLimb(out, outR, k, t, <u32>(acc & MASK));
      t++;
      acc >>= <u64>LIMB_BITS;
      bits -= LIMB_BITS;
    }
  }
  if (bits > 0 && t < k) {
    storeLimb(out, outR, k, t, <u32>acc);
    t++;
  }
  for (; t < k; t++) storeLimb(out, outR, k, t, 0);
}

// @ts-ignore: decorator
@inline function storeLimb(out: usize, outR: usize, k: i32, t: i32, v: u32): void {
  store<u32>(out + (<usize>t << 2), v);
  if (outR) store<u32>(outR + (<usize>(k - 1 - t) << 2), v);
}

/** k limbs at `a` → `len` big-endian bytes at `out` (higher bits than len*8 are dropped). */
export function limbsToBytes(out: usize, len: i32, a: usize, k: i32): void {
  let acc: u64 = 0;
  let bits = 0;
  let t = 0;
  for (let p = len - 1; p >= 0; p--) {
    if (bits < 8) {
      if (t < k) acc |= (<u64>(<u32>load<u32>(a + (<usize>t << 2)))) << <u64>bits;
      t++;
      bits += LIMB_BITS;
    }
    store<u8>(out + <usize>p, <u8>acc);
    acc >>= 8;
    bits -= 8;
  }
}

// ---------------------------------------------------------------------------------------------
// Plain limb arithmetic (set-up and the final reduction only)

/** -1, 0 or 1 as a <, =, > b (k normalised limbs each). */
export function compareLimbs(a: usize, b: usize, k: i32): i32 {
  for (let t = k - 1; t >= 0; t--) {
    const x = load<u32>(a + (<usize>t << 2));
    const y = load<u32>(b + (<usize>t << 2));
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** a -= b (a ≥ b), k normalised limbs; also rewrites the reversed copy at aR if ≠ 0. */
export function subLimbs(a: usize, aR: usize, b: usize, k: i32): void {
  let borrow: i32 = 0;
  for (let t = 0; t < k; t++) {
    let d = <i32>load<u32>(a + (<usize>t << 2)) - <i32>load<u32>(b + (<usize>t << 2)) - borrow;
    borrow = d < 0 ? 1 : 0;
    storeLimb(a, aR, k, t, <u32>(d & <i32>MASK));
  }
}

/** a = 2a mod n for a < n (k limbs, a has room for no extra limb: 2a < 2n < R). */
export function doubleMod(a: usize, n: usize, k: i32): void {
  let c: u32 = 0;
  for (let t = 0; t < k; t++) {
    const v = (load<u32>(a + (<usize>t << 2)) << 1) | c;
    c = v >>> LIMB_BITS;
    store<u32>(a + (<usize>t << 2), v & <u32>MASK);
  }
  if (compareLimbs(a, n, k) >= 0) subLimbs(a, 0, n, k);
}

/** -n^-1 mod 2^28 for odd n0. */
export function montInverse(n0: u32): u32 {
  let inv: u32 = n0; // n0·n0 ≡ 1 mod 8: 3 correct bits; each Newton step doubles them
  for (let i = 0; i < 4; i++) inv *= 2 - n0 * inv;
  return (0 - inv) & <u32>MASK;
}

// ---------------------------------------------------------------------------------------------
// Montgomery multiplication and squaring: generated with unrolled column sums (see
// scripts/gen-mont.mjs for why).

export { montMul, montSqr } from "./bigint-kernels";

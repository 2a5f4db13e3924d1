// Correctly rounded decimal → f64 conversion for the JSON parser.
//
// AssemblyScript's parseFloat keeps 19 digits and scales approximately, which can be an ULP
// off; a JSON parser used for differential checks against JSON.parse (and for claims that
// other services re-read) must produce the same double as every other correct parser. So:
// 1. Exact fast path (Clinger): at most 19 significant digits whose value is ≤ 2^53, and a
//    power of ten ≤ 10^22, are both exact doubles; one correctly rounded multiply/divide.
// 2. Otherwise an approximation within a few ULPs is corrected by exact big-integer
//    comparison of the decimal against the halfway points between neighbouring doubles
//    (the approach of "AlgorithmR"/bigcomp), ties to even. Inputs with more than 800
//    significant digits are truncated with a sticky digit, which cannot change the result:
//    halfway points between doubles have at most 767 significant digits.

/** Returned (as the value) when the number is too large for f64. */
export const DECIMAL_OVERFLOW: f64 = Infinity;

// @ts-ignore: decorator
@inline const MAX_DIGITS = 800;
// @ts-ignore: decorator
@inline const LIMBS = 320;

/** Significant digits, gathered from the literal (no leading zeros, no trailing zeros). */
// @ts-ignore: decorator
@lazy const DIGITS: usize = heap.alloc(MAX_DIGITS + 1);

// @ts-ignore: decorator
@lazy const POW10: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/**
 * The double nearest to ±(int digits)(.frac digits) × 10^exp, where the digits are bytes at
 * `base + [intStart, intEnd)` and `base + [fracStart, fracEnd)`. Returns ±0 on underflow and
 * DECIMAL_OVERFLOW (Infinity, sign not applied) on overflow.
 */
export function parseDecimal(base: usize, intStart: i32, intEnd: i32, fracStart: i32, fracEnd: i32, exp: i64, negative: bool): f64 {
  // Gather significant digits and the exponent of the last one kept. The exponent is i64 until
  // the range check: a huge written exponent and millions of digits may cancel out.
  let count = 0;
  let dropped = false; // nonzero digits beyond MAX_DIGITS
  let e10w: i64 = exp - <i64>(fracEnd - fracStart);
  for (let part = 0; part < 2; part++) {
    const from = part == 0 ? intStart : fracStart;
    const to = part == 0 ? intEnd : fracEnd;
    for (let i = from; i < to; i++) {
      const d = load<u8>(base + <usize>i) - 0x30;
      if (count == 0 && d == 0) continue;
      if (count < MAX_DIGITS) {
        store<u8>(DIGITS + <usize>count, d);
        count++;
      } else {
        if (d != 0) dropped = true;
      }
    }
  }
  if (count == 0) return negative ? -0.0 : 0.0;
  // Digits not kept shift the exponent of the last kept digit.
  const totalSig = countSignificant(base, intStart, intEnd, fracStart, fracEnd);
  e10w += <i64>(totalSig - count);
  // Trim trailing zeros (cheaper big numbers, and the fast path sees fewer digits).
  while (count > 1 && load<u8>(DIGITS + <usize>(count - 1)) == 0) {
    count--;
    e10w++;
  }
  if (dropped) {
    // A sticky nonzero digit below the kept ones: strictly above the truncated value.
    store<u8>(DIGITS + <usize>count, 1);
    count++;
    e10w--;
  }
  // Magnitude is in [10^(count-1+e10), 10^(count+e10)).
  const magnitude = <i64>count + e10w;
  if (magnitude > 310) return DECIMAL_OVERFLOW;
  if (magnitude < -326) return negative ? -0.0 : 0.0;
  // In range now: count <= 801, so e10 lies in [-1127, 310].
  const e10 = <i32>e10w;

  let f: f64;
  if (count <= 19) {
    let m: u64 = 0;
    for (let i = 0; i < count; i++) m = m * 10 + <u64>load<u8>(DIGITS + <usize>i);
    if (m <= (<u64>1 << 53) && e10 >= -22 && e10 <= 22) {
      f = e10 >= 0 ? <f64>m * unchecked(POW10[e10]) : <f64>m / unchecked(POW10[-e10]);
      return negative ? -f : f;
    }
    f = approximate(<f64>m, e10);
  } else {
    let m: u64 = 0;
    for (let i = 0; i < 19; i++) m = m * 10 + <u64>load<u8>(DIGITS + <usize>i);
    f = approximate(<f64>m, e10 + count - 19);
  }
  f = refine(f, count, e10);
  if (f == Infinity) return DECIMAL_OVERFLOW;
  return negative ? -f : f;
}

function countSignificant(base: usize, intStart: i32, intEnd: i32, fracStart: i32, fracEnd: i32): i32 {
  let seen = false;
  let n = 0;
  for (let part = 0; part < 2; part++) {
    const from = part == 0 ? intStart : fracStart;
    const to = part == 0 ? intEnd : fracEnd;
    for (let i = from; i < to; i++) {
      if (!seen && load<u8>(base + <usize>i) == 0x30) continue;
      seen = true;
      n++;
    }
  }
  return n;
}

/** m × 10^e within a few ULPs (each step rounds once; scaled to avoid early subnormals). */
function approximate(m: f64, e: i32): f64 {
  let f = m;
  if (e >= 0) {
    while (e > 22) {
      f *= 1e22;
      e -= 22;
    }
    f *= unchecked(POW10[e]);
    // A value just below the largest double may round past it here; refine() starts below.
    if (f == Infinity) f = F64.MAX_VALUE;
    return f;
  }
  // Keep intermediates normal: scale up by 2^600 and back at the end (one final rounding).
  f *= reinterpret<f64>(<u64>(1023 + 600) << 52);
  e = -e;
  while (e > 22) {
    f /= 1e22;
    e -= 22;
  }
  f /= unchecked(POW10[e]);
  return f * reinterpret<f64>(<u64>(1023 - 600) << 52);
}

// --- Exact comparison against halfway points -----------------------------------------------

/** A non-negative big integer, little-endian u32 limbs, fixed capacity. */
class Big {
  limbs: StaticArray<u32> = new StaticArray<u32>(LIMBS);
  n: i32 = 0;

  setU64(v: u64): void {
    this.n = 0;
    while (v != 0) {
      this.limbs[this.n++] = <u32>v;
      v >>= 32;
    }
  }

  mulAdd(mul: u32, add: u32): void {
    let carry: u64 = add;
    const l = this.limbs;
    for (let i = 0; i < this.n; i++) {
      const t = <u64>unchecked(l[i]) * mul + carry;
      unchecked((l[i] = <u32>t));
      carry = t >> 32;
    }
    if (carry != 0) l[this.n++] = <u32>carry;
  }

  mulPow5(k: i32): void {
    while (k >= 13) {
      this.mulAdd(1220703125, 0); // 5^13
      k -= 13;
    }
    let p: u32 = 1;
    for (let i = 0; i < k; i++) p *= 5;
    if (p != 1) this.mulAdd(p, 0);
  }

  shl(bits: i32): void {
    if (this.n == 0 || bits == 0) return;
    const words = bits >> 5;
    const r = bits & 31;
    const l = this.limbs;
    l[this.n + words] = 0;
    if (r == 0) {
      for (let i = this.n - 1; i >= 0; i--) l[i + words] = l[i];
    } else {
      for (let i = this.n - 1; i >= 0; i--) {
        const v = l[i];
        l[i + words + 1] |= v >>> (32 - r);
        l[i + words] = v << r;
      }
    }
    for (let i = 0; i < words; i++) l[i] = 0;
    this.n += words + 1;
    while (this.n > 0 && l[this.n - 1] == 0) this.n--;
  }

  cmp(o: Big): i32 {
    if (this.n != o.n) return this.n > o.n ? 1 : -1;
    for (let i = this.n - 1; i >= 0; i--) {
      const a = this.limbs[i];
      const b = o.limbs[i];
      if (a != b) return a > b ? 1 : -1;
    }
    return 0;
  }
}

// @ts-ignore: decorator
@lazy const LEFT = new Big();
// @ts-ignore: decorator
@lazy const RIGHT = new Big();

/** Compares digits × 10^e10 with M × 2^K: -1, 0 or 1. */
function compareDecimal(count: i32, e10: i32, M: u64, K: i32): i32 {
  const L = LEFT;
  const R = RIGHT;
  L.n = 0;
  // Digits in chunks of 9 (10^9 < 2^32).
  let i = 0;
  while (i < count) {
    const take = min(9, count - i);
    let chunk: u32 = 0;
    let mul: u32 = 1;
    for (let k = 0; k < take; k++) {
      chunk = chunk * 10 + <u32>load<u8>(DIGITS + <usize>(i + k));
      mul *= 10;
    }
    if (L.n == 0) L.setU64(chunk);
    else L.mulAdd(mul, chunk);
    i += take;
  }
  R.setU64(M);
  // digits × 5^e10 × 2^e10  vs  M × 2^K
  if (e10 >= 0) L.mulPow5(e10);
  else R.mulPow5(-e10);
  if (e10 > K) L.shl(e10 - K);
  else if (K > e10) R.shl(K - e10);
  return L.cmp(R);
}

/** Mantissa and exponent of a finite non-negative double: f = m × 2^k (Infinity → 2^1024). */
// @ts-ignore: decorator
@inline function mantissa(f: f64): u64 {
  const bits = reinterpret<u64>(f);
  const e = <i32>(bits >> 52);
  if (e == 0x7ff) return <u64>1 << 52;
  const frac = bits & 0xfffffffffffff;
  return e == 0 ? frac : frac | (<u64>1 << 52);
}
// @ts-ignore: decorator
@inline function exponent(f: f64): i32 {
  const e = <i32>(reinterpret<u64>(f) >> 52);
  if (e == 0x7ff) return 1024 - 52;
  return e == 0 ? -1074 : e - 1075;
}

/** Compares the decimal with the midpoint of adjacent doubles a < b. */
function compareMidpoint(count: i32, e10: i32, a: f64, b: f64): i32 {
  let ma = mantissa(a);
  let mb = mantissa(b);
  const ka = exponent(a);
  const kb = exponent(b);
  const k = min(ka, kb);
  ma <<= <u64>(ka - k);
  mb <<= <u64>(kb - k);
  return compareDecimal(count, e10, ma + mb, k - 1);
}

// @ts-ignore: decorator
@inline function nextUp(f: f64): f64 {
  return reinterpret<f64>(reinterpret<u64>(f) + 1);
}
// @ts-ignore: decorator
@inline function nextDown(f: f64): f64 {
  return reinterpret<f64>(reinterpret<u64>(f) - 1);
}
// @ts-ignore: decorator
@inline function isOdd(f: f64): bool {
  return (reinterpret<u64>(f) & 1) != 0;
}

/** Moves `f` to the double nearest to digits × 10^e10 (ties to even); may return Infinity. */
function refine(f: f64, count: i32, e10: i32): f64 {
  if (!(f > 0)) f = 4.9e-324; // the smallest subnormal; underflow is handled by stepping down
  while (true) {
    if (f != Infinity) {
      const up = nextUp(f);
      const c = compareMidpoint(count, e10, f, up);
      if (c > 0 || (c == 0 && isOdd(f))) {
        f = up;
        continue;
      }
    }
    if (reinterpret<u64>(f) == 0) return f;
    const down = f == Infinity ? F64.MAX_VALUE : nextDown(f);
    const c = compareMidpoint(count, e10, down, f);
    if (c < 0 || (c == 0 && isOdd(f))) {
      f = down;
      continue;
    }
    return f;
  }
  return f;
}

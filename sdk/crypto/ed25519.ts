// Ed25519 signature verification (RFC 8032 §5.1.7, pure Ed25519: no context, no prehash), for
// JWS "EdDSA" with an OKP key of crv "Ed25519" (RFC 8037).
//
//   const key = Ed25519PublicKey.create(a);               // null: see Ed25519PublicKey.lastError
//   if (key !== null && ed25519Verify(key, signingInput, sig)) { ... }
//
// Decisions, each checked against Wycheproof's ed25519_test.json:
//  - Cofactorless verification: accept iff [S]B - [k]A encodes to exactly the 32 bytes of R.
//    This is what RFC 8032 §5.1.7 permits as the alternative to the cofactored check, what
//    libsodium, BoringSSL and Go's crypto/ed25519 do, and what node:crypto (OpenSSL) does, so a
//    token accepted here is accepted there and vice versa. Comparing encodings also rejects any
//    non-canonical or invalid R without decoding it.
//  - A and R with y >= p (non-canonical) are rejected; so is "x = 0 with the sign bit set" and
//    any y that has no x on the curve.
//  - S >= L is rejected (signature malleability, RFC 8032 §5.1.7 step 1).
//  - A signature of any length other than 64 bytes is rejected.
//  - Small-order public keys are not rejected: RFC 8032 does not ask for it and neither does
//    Wycheproof. Such a key is worthless (anyone can forge signatures for it), but it only
//    hurts whoever publishes it, and a JWKS is trusted configuration.
// Variable-time throughout: verification handles only public values.
import { Sha512 } from "./sha2";
import {
  f25519_mul, f25519_sqr, f25519_add, f25519_sub, f25519_inv, f25519_pow22523, f25519_M, f25519_MINV29, f25519_ONE,
  fl25519_mul, fl25519_add, fl25519_M, fl25519_ONE,
  ed25519_D, ed25519_D2, ed25519_SQRTM1, ed25519_BX, ed25519_BY, ed25519_L_2P256,
} from "./ec/field";
import { limbsCmp, limbsFromLE, limbsInverse, limbsLow, limbsShiftRight, limbsToLE, wnaf } from "./ec/limbs";

const FE: usize = 72; // 9 limbs of 29 bits, in u64 slots
/** wNAF widths: the base point's table is built once; each key builds its own narrower one. */
const WB: i32 = 8;
const WA: i32 = 5;
const B_ENTRIES: i32 = 1 << (WB - 2);
const A_ENTRIES: i32 = 1 << (WA - 2);

// Extended coordinates (X : Y : Z : T) with x = X/Z, y = Y/Z, xy = T/Z: 4 field elements.
// "Cached" form of a point for additions: (Y+X, Y-X, 2dT, 2Z); affine "Niels" form (Z = 1):
// (y+x, y-x, 2dxy), three elements.
const ZERO: usize = memory.data(72, 16);
const T0: usize = memory.data(72, 16);
const T1: usize = memory.data(72, 16);
const T2: usize = memory.data(72, 16);
const T3: usize = memory.data(72, 16);
const T4: usize = memory.data(72, 16);
const T5: usize = memory.data(72, 16);
const T6: usize = memory.data(72, 16);
const T7: usize = memory.data(72, 16);
const ACC: usize = memory.data(4 * 72, 16);
const PT: usize = memory.data(4 * 72, 16);
const SL: usize = memory.data(72, 16); // S as limbs
const KL: usize = memory.data(72, 16); // k as limbs
const H0: usize = memory.data(72, 16);
const H1: usize = memory.data(72, 16);
const NAF_S: usize = memory.data(9 * 29 + 16, 16);
const NAF_K: usize = memory.data(9 * 29 + 16, 16);
const ENC: usize = memory.data(32, 16);
let baseTable: StaticArray<u64> | null = null;

@inline function isZero(a: usize): bool {
  let acc: u64 = 0;
  for (let i: usize = 0; i < 9; i++) acc |= load<u64>(a + (i << 3));
  return acc == 0;
}
@inline function eq(a: usize, b: usize): bool {
  let acc: u64 = 0;
  for (let i: usize = 0; i < 9; i++) acc |= load<u64>(a + (i << 3)) ^ load<u64>(b + (i << 3));
  return acc == 0;
}

/**
 * r = 2p (extended; r may be p). dbl-2008-hwcd with a = -1, E = 2XY as a product (a square and
 * two subtractions cost more here), and F, H negated: (-X3 : -Y3 : -Z3 : -T3) is the same point,
 * and H = A + B needs no negation. 4M + 3S.
 */
function dbl(r: usize, p: usize): void {
  const X1 = p, Y1 = p + FE, Z1 = p + 2 * FE;
  const A = T0, B = T1, C = T2, E = T3, G = T4, F = T5, H = T6;
  f25519_sqr(A, X1);
  f25519_sqr(B, Y1);
  f25519_sqr(C, Z1);
  f25519_add(C, C, C); // C = 2 Z^2
  f25519_mul(E, X1, Y1);
  f25519_add(E, E, E); // E = 2XY
  f25519_sub(G, B, A); // G = aA + B with a = -1
  f25519_sub(F, C, G); // F = C - G: the negated F = G - C
  f25519_add(H, A, B); // H = A + B: the negated H = aA - B
  f25519_mul(r, E, F);
  f25519_mul(r + FE, G, H);
  f25519_mul(r + 2 * FE, F, G);
  f25519_mul(r + 3 * FE, E, H);
}

/**
 * r = p + q (or p - q when `negate`) with q in cached form (Y+X, Y-X, 2dT, 2Z), or in Niels
 * form (y+x, y-x, 2dxy) when `niels` (then Z = 1). add-2008-hwcd-3 with a = -1: complete.
 */
function add(r: usize, p: usize, q: usize, negate: bool, niels: bool): void {
  const X1 = p, Y1 = p + FE, Z1 = p + 2 * FE, T1_ = p + 3 * FE;
  const A = T0, B = T1, C = T2, D = T3, E = T4, F = T5, G = T6, H = T7;
  // Subtracting q = adding (-x, y): swaps Y+X with Y-X and negates 2dT.
  const qPlus = negate ? q + FE : q;
  const qMinus = negate ? q : q + FE;
  f25519_sub(A, Y1, X1);
  f25519_mul(A, A, qMinus); // A = (Y1 - X1)(Y2 - X2)
  f25519_add(B, Y1, X1);
  f25519_mul(B, B, qPlus); // B = (Y1 + X1)(Y2 + X2)
  f25519_mul(C, T1_, q + 2 * FE); // C = T1 2d T2
  if (niels) f25519_add(D, Z1, Z1);
  else f25519_mul(D, Z1, q + 3 * FE); // D = Z1 2 Z2
  f25519_sub(E, B, A);
  f25519_add(H, B, A);
  if (negate) {
    f25519_add(F, D, C);
    f25519_sub(G, D, C);
  } else {
    f25519_sub(F, D, C);
    f25519_add(G, D, C);
  }
  f25519_mul(r, E, F);
  f25519_mul(r + FE, G, H);
  f25519_mul(r + 2 * FE, F, G);
  f25519_mul(r + 3 * FE, E, H);
}

/** Writes the cached form (Y+X, Y-X, 2dT, 2Z) of the extended point p to `dst`. */
function toCached(dst: usize, p: usize): void {
  f25519_add(dst, p + FE, p);
  f25519_sub(dst + FE, p + FE, p);
  f25519_mul(dst + 2 * FE, p + 3 * FE, ed25519_D2);
  f25519_add(dst + 3 * FE, p + 2 * FE, p + 2 * FE);
}

/**
 * Decodes a 32-byte point encoding (RFC 8032 §5.1.3) at `src` into extended coordinates at
 * `dst`. False for y >= p, for a y with no x on the curve, and for x = 0 with the sign bit set.
 */
function decode(dst: usize, src: usize): bool {
  const X = dst, Y = dst + FE, Z = dst + 2 * FE, T = dst + 3 * FE;
  const sign = <u32>load<u8>(src + 31) >> 7;
  memory.copy(ENC, src, 32);
  store<u8>(ENC + 31, load<u8>(ENC + 31) & 0x7f);
  limbsFromLE(Y, 9, ENC, 32);
  if (limbsCmp(Y, f25519_M, 9) >= 0) return false; // non-canonical y
  const u = T0, v = T1, v3 = T2, x = T3, t = T4;
  f25519_sqr(u, Y);
  f25519_mul(v, u, ed25519_D);
  f25519_sub(u, u, f25519_ONE); // u = y^2 - 1
  f25519_add(v, v, f25519_ONE); // v = d y^2 + 1
  // x = u v^3 (u v^7)^((p-5)/8): a square root of u/v when one exists.
  f25519_sqr(v3, v);
  f25519_mul(v3, v3, v); // v^3
  f25519_sqr(x, v3);
  f25519_mul(x, x, v);
  f25519_mul(x, x, u); // u v^7
  f25519_pow22523(x, x);
  f25519_mul(x, x, v3);
  f25519_mul(x, x, u);
  f25519_sqr(t, x);
  f25519_mul(t, t, v); // v x^2
  if (!eq(t, u)) {
    f25519_sub(t, ZERO, t);
    if (!eq(t, u)) return false; // u/v is not a square: no point with this y
    f25519_mul(x, x, ed25519_SQRTM1);
  }
  if (isZero(x) && sign == 1) return false; // "-0" is not a valid encoding
  if (<u32>(load<u64>(x) & 1) != sign) f25519_sub(x, ZERO, x);
  memory.copy(X, x, FE);
  memory.copy(Z, f25519_ONE, FE);
  f25519_mul(T, x, Y);
  return true;
}

/** Fills `tab` with `count` cached odd multiples P, 3P, 5P, ... of the extended point p. */
// Temporaries are static scratch, never managed objects held as raw addresses: such an object is
// no GC root, and the incremental collector may free it at the next allocation.
const KEYPOINT: usize = memory.data(4 * 72, 16);
const HPOINT: usize = memory.data(4 * 72, 16);
const SH: usize = memory.data(72, 16); // high half of S
const KH: usize = memory.data(72, 16); // high half of k
const NAF_SH: usize = memory.data(9 * 29 + 16, 16);
const NAF_KH: usize = memory.data(9 * 29 + 16, 16);
/** Scalars split as lo + 2^SPLIT hi: four half-length NAFs share SPLIT doublings, not 253. */
const SPLIT: i32 = 128;
const P2: usize = memory.data(4 * 72, 16);

/** Fills `tab` with `count` cached odd multiples P, 3P, 5P, ... of the extended point p. */
function oddMultiplesCached(tab: usize, p: usize, count: i32): void {
  const cur = PT;
  dbl(ACC, p);
  toCached(P2, ACC);
  memory.copy(cur, p, 4 * FE);
  toCached(tab, cur);
  for (let i = 1; i < count; i++) {
    add(cur, cur, P2, false, false);
    toCached(tab + <usize>i * 4 * FE, cur);
  }
}

/** dst = 2^SPLIT p (extended coordinates; dst must not be p). */
function mulPow2(dst: usize, p: usize): void {
  memory.copy(dst, p, 4 * FE);
  for (let i = 0; i < SPLIT; i++) dbl(dst, dst);
}

/** Fills `out` with `count` odd multiples of the extended point p in affine Niels form. */
function oddMultiplesNiels(out: usize, p: usize, count: i32): void {
  // Each entry is normalised to Z = 1 as it comes: one inversion per entry, once per module.
  dbl(ACC, p);
  toCached(P2, ACC);
  const cur = PT;
  memory.copy(cur, p, 4 * FE);
  for (let i = 0; i < count; i++) {
    if (i > 0) add(cur, cur, P2, false, false);
    const o = out + <usize>i * 3 * FE;
    f25519_inv(T5, cur + 2 * FE);
    f25519_mul(T6, cur, T5); // x
    f25519_mul(T7, cur + FE, T5); // y
    f25519_add(o, T7, T6);
    f25519_sub(o + FE, T7, T6);
    f25519_mul(o + 2 * FE, T6, T7);
    f25519_mul(o + 2 * FE, o + 2 * FE, ed25519_D2);
  }
}

/** The tables of B and of 2^SPLIT B (affine Niels form), built on first use and kept. */
function baseTablePtr(): usize {
  let t = baseTable;
  if (t === null) {
    t = new StaticArray<u64>(2 * B_ENTRIES * 3 * 9);
    const out = changetype<usize>(t);
    const b = KEYPOINT;
    memory.copy(b, ed25519_BX, FE);
    memory.copy(b + FE, ed25519_BY, FE);
    memory.copy(b + 2 * FE, f25519_ONE, FE);
    f25519_mul(b + 3 * FE, ed25519_BX, ed25519_BY);
    mulPow2(HPOINT, b);
    oddMultiplesNiels(out, b, B_ENTRIES);
    oddMultiplesNiels(out + <usize>B_ENTRIES * 3 * FE, HPOINT, B_ENTRIES);
    baseTable = t;
  }
  return changetype<usize>(t);
}

/** A validated Ed25519 public key with its precomputed table (built once, at creation). */
export class Ed25519PublicKey {
  /** Why the last `create` returned null. */
  static lastError: string = "";

  private constructor(
    /** The 32-byte encoding, hashed into every signature check. */
    readonly bytes: Uint8Array,
    // Cached odd multiples of -A, for the wNAF of k in [S]B + [k](-A).
    private readonly table: StaticArray<u64>,
  ) {}

  /** Decodes the 32-byte public key `a` (a JWK's `x`); null with the reason in `lastError`. */
  static create(a: Uint8Array): Ed25519PublicKey | null {
    if (a.length != 32) return Ed25519PublicKey.fail(`Ed25519 public key must be 32 bytes, got ${a.length}`);
    const p = KEYPOINT;
    if (!decode(p, a.dataStart)) return Ed25519PublicKey.fail("Ed25519 public key is not a canonical encoding of a curve point");
    // -A = (-X, Y, Z, -T)
    f25519_sub(p, ZERO, p);
    f25519_sub(p + 3 * FE, ZERO, p + 3 * FE);
    const table = new StaticArray<u64>(2 * A_ENTRIES * 4 * 9);
    mulPow2(HPOINT, p);
    oddMultiplesCached(changetype<usize>(table), p, A_ENTRIES);
    oddMultiplesCached(changetype<usize>(table) + <usize>A_ENTRIES * 4 * FE, HPOINT, A_ENTRIES);
    Ed25519PublicKey.lastError = "";
    return new Ed25519PublicKey(a.slice(), table);
  }

  /** @internal the table's address, for verification. */
  get tablePtr(): usize {
    return changetype<usize>(this.table);
  }

  private static fail(reason: string): Ed25519PublicKey | null {
    Ed25519PublicKey.lastError = reason;
    return null;
  }
}

/** Verifies the 64-byte Ed25519 signature `sig` (R‖S) of `msg` under `key`. */
export function ed25519Verify(key: Ed25519PublicKey, msg: Uint8Array, sig: Uint8Array): bool {
  if (sig.length != 64) return false;
  const sig0 = sig.dataStart;
  // S < L, or the signature is malleable (S + L verifies too).
  limbsFromLE(SL, 9, sig0 + 32, 32);
  if (limbsCmp(SL, fl25519_M, 9) >= 0) return false;
  // k = SHA-512(R ‖ A ‖ M) mod L, the 512-bit digest read little-endian as h0 + 2^256 h1.
  const h = new Sha512();
  h.updateRange(sig, 0, 32);
  h.update(key.bytes);
  h.update(msg);
  const d = h.digest();
  limbsFromLE(H0, 9, d.dataStart, 32);
  limbsFromLE(H1, 9, d.dataStart + 32, 32);
  fl25519_mul(H0, H0, fl25519_ONE); // h0 R / R = h0 mod L
  fl25519_mul(H1, H1, ed25519_L_2P256); // h1 2^256 R / R
  fl25519_add(KL, H0, H1);
  // P = [S]B + [k](-A), with one chain of doublings for both (Shamir's trick).
  const btab = baseTablePtr();
  const atab = key.tablePtr;
  limbsShiftRight(SH, SL, 9, SPLIT);
  limbsLow(SL, SL, 9, SPLIT);
  limbsShiftRight(KH, KL, 9, SPLIT);
  limbsLow(KL, KL, 9, SPLIT);
  const topS = wnaf(NAF_S, SL, 9, WB);
  const topK = wnaf(NAF_K, KL, 9, WA);
  const topSH = wnaf(NAF_SH, SH, 9, WB);
  const topKH = wnaf(NAF_KH, KH, 9, WA);
  const btabH = btab + <usize>B_ENTRIES * 3 * FE;
  const atabH = atab + <usize>A_ENTRIES * 4 * FE;
  const acc = ACC;
  // The identity (0 : 1 : 1 : 0).
  memory.fill(acc, 0, 4 * FE);
  memory.copy(acc + FE, f25519_ONE, FE);
  memory.copy(acc + 2 * FE, f25519_ONE, FE);
  let started = false;
  for (let i = max(max(topS, topK), max(topSH, topKH)) - 1; i >= 0; i--) {
    if (started) dbl(acc, acc);
    const ds = <i32>load<i8>(NAF_S + <usize>i);
    if (ds != 0) {
      started = true;
      add(acc, acc, btab + <usize>(abs(ds) >> 1) * 3 * FE, ds < 0, true);
    }
    const dk = <i32>load<i8>(NAF_K + <usize>i);
    if (dk != 0) {
      started = true;
      add(acc, acc, atab + <usize>(abs(dk) >> 1) * 4 * FE, dk < 0, false);
    }
    const dsh = <i32>load<i8>(NAF_SH + <usize>i);
    if (dsh != 0) {
      started = true;
      add(acc, acc, btabH + <usize>(abs(dsh) >> 1) * 3 * FE, dsh < 0, true);
    }
    const dkh = <i32>load<i8>(NAF_KH + <usize>i);
    if (dkh != 0) {
      started = true;
      add(acc, acc, atabH + <usize>(abs(dkh) >> 1) * 4 * FE, dkh < 0, false);
    }
  }
  // Encode P and compare with R byte for byte. (Z is never 0: the formulas are complete.)
  const zi = T5, x = T6, y = T7;
  limbsInverse(zi, acc + 2 * FE, f25519_M, f25519_MINV29, 9); // divsteps: faster than Fermat
  f25519_mul(x, acc, zi);
  f25519_mul(y, acc + FE, zi);
  limbsToLE(ENC, 32, y, 9);
  store<u8>(ENC + 31, load<u8>(ENC + 31) | (<u8>(load<u64>(x) & 1) << 7));
  let diff: u32 = 0;
  for (let i: usize = 0; i < 32; i++) diff |= <u32>(load<u8>(ENC + i) ^ load<u8>(sig0 + i));
  return diff == 0;
}

/** @internal for tests: the canonical encoding of [s]B for a 32-byte little-endian scalar s. */
export function ed25519BaseMul(s: Uint8Array): Uint8Array {
  limbsFromLE(SL, 9, s.dataStart, min(32, s.length));
  const btab = baseTablePtr();
  const top = wnaf(NAF_S, SL, 9, WB);
  const acc = ACC;
  memory.fill(acc, 0, 4 * FE);
  memory.copy(acc + FE, f25519_ONE, FE);
  memory.copy(acc + 2 * FE, f25519_ONE, FE);
  for (let i = top - 1; i >= 0; i--) {
    dbl(acc, acc);
    const ds = <i32>load<i8>(NAF_S + <usize>i);
    if (ds != 0) add(acc, acc, btab + <usize>(abs(ds) >> 1) * 3 * FE, ds < 0, true);
  }
  f25519_inv(T5, acc + 2 * FE);
  f25519_mul(T6, acc, T5);
  f25519_mul(T7, acc + FE, T5);
  const out = new Uint8Array(32);
  limbsToLE(out.dataStart, 32, T7, 9);
  out[31] |= <u8>(load<u64>(T6) & 1) << 7;
  return out;
}

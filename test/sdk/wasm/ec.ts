// Test and bench entry for ECDSA (sdk/crypto/ec/) and Ed25519 (sdk/crypto/ed25519.ts).
// Keys live in a handle table so that JS holds plain integers, not managed references.
import { HashAlg } from "../../../sdk/crypto/sha2";
import { EcPublicKey, ecdsaVerify as _ecdsaVerify } from "../../../sdk/crypto/ec/ecdsa";

const ecKeys = new Array<EcPublicKey | null>();

/** A handle (>= 0) for the key, or -1: then `ecKeyError()` says why. */
export function ecKeyCreate(curve: i32, x: Uint8Array, y: Uint8Array): i32 {
  const key = EcPublicKey.create(curve, x, y);
  if (key === null) return -1;
  ecKeys.push(key);
  return ecKeys.length - 1;
}
export function ecKeyError(): string {
  return EcPublicKey.lastError;
}
export function ecKeyFree(handle: i32): void {
  ecKeys[handle] = null;
}
export function ecdsaVerify(handle: i32, alg: i32, msg: Uint8Array, sig: Uint8Array): bool {
  return _ecdsaVerify(ecKeys[handle]!, <HashAlg>alg, msg, sig);
}
/** Verifies `rounds` times (benchmarks: one boundary crossing per batch). */
export function ecdsaVerifyRepeat(handle: i32, alg: i32, msg: Uint8Array, sig: Uint8Array, rounds: i32): bool {
  let ok = true;
  const key = ecKeys[handle]!;
  for (let i = 0; i < rounds; i++) ok = _ecdsaVerify(key, <HashAlg>alg, msg, sig) && ok;
  return ok;
}
/** Creates and drops a key `rounds` times (benchmarks: per-key set-up). */
export function ecKeyCreateRepeat(curve: i32, x: Uint8Array, y: Uint8Array, rounds: i32): bool {
  let ok = true;
  for (let i = 0; i < rounds; i++) ok = EcPublicKey.create(curve, x, y) !== null && ok;
  return ok;
}

// --- Raw field kernels, for property tests against BigInt ---
import * as F from "../../../sdk/crypto/ec/field";
import { limbsFromBE, limbsInverse, limbsToLE, wnaf as _wnaf } from "../../../sdk/crypto/ec/limbs";

const FA: usize = memory.data(18 * 8, 16);
const FB: usize = memory.data(18 * 8, 16);
const FR: usize = memory.data(18 * 8, 16);

function fieldLimbs(field: i32): i32 {
  if (field <= 1 || field >= 6) return 9;
  return field <= 3 ? 14 : 18;
}

/**
 * Applies op (0 mul, 1 sqr, 2 add, 3 sub, 4 inv) of field (0 fp256, 1 fn256, 2 fp384, 3 fn384,
 * 4 fp521, 5 fn521, 6 fl25519, 7 f25519) to big-endian a, b; returns the result little-endian.
 * Montgomery fields compute a b / R for mul and sqr, and a^(m-2) for inv. For fp256 and fp384
 * also 5: (3a)(4b)/R and 6: (3a)^2/R with the sums left unreduced (addLazy), as the curves do.
 * Op 7, every field: a^-1 by divsteps (limbsInverse), plain representation, for 0 < a < m.
 */
export function fieldOp(field: i32, op: i32, a: Uint8Array, b: Uint8Array): Uint8Array {
  const n = fieldLimbs(field);
  limbsFromBE(FA, n, a.dataStart, a.length);
  limbsFromBE(FB, n, b.dataStart, b.length);
  switch (field * 8 + op) {
    case 0: F.fp256_mul(FR, FA, FB); break;
    case 1: F.fp256_sqr(FR, FA); break;
    case 2: F.fp256_add(FR, FA, FB); break;
    case 3: F.fp256_sub(FR, FA, FB); break;
    case 4: F.fp256_inv(FR, FA); break;
    case 5: lazyMul3x4(0); break;
    case 6: lazySqr3(0); break;
    case 8: F.fn256_mul(FR, FA, FB); break;
    case 9: F.fn256_sqr(FR, FA); break;
    case 12: F.fn256_inv(FR, FA); break;
    case 16: F.fp384_mul(FR, FA, FB); break;
    case 17: F.fp384_sqr(FR, FA); break;
    case 18: F.fp384_add(FR, FA, FB); break;
    case 19: F.fp384_sub(FR, FA, FB); break;
    case 21: lazyMul3x4(2); break;
    case 22: lazySqr3(2); break;
    case 24: F.fn384_mul(FR, FA, FB); break;
    case 25: F.fn384_sqr(FR, FA); break;
    case 32: F.fp521_mul(FR, FA, FB); break;
    case 33: F.fp521_sqr(FR, FA); break;
    case 34: F.fp521_add(FR, FA, FB); break;
    case 35: F.fp521_sub(FR, FA, FB); break;
    case 40: F.fn521_mul(FR, FA, FB); break;
    case 41: F.fn521_sqr(FR, FA); break;
    case 48: F.fl25519_mul(FR, FA, FB); break;
    case 49: F.fl25519_sqr(FR, FA); break;
    case 56: F.f25519_mul(FR, FA, FB); break;
    case 57: F.f25519_sqr(FR, FA); break;
    case 58: F.f25519_add(FR, FA, FB); break;
    case 59: F.f25519_sub(FR, FA, FB); break;
    case 60: F.f25519_inv(FR, FA); break;
    case 7: limbsInverse(FR, FA, F.fp256_M, F.fp256_MINV29, 9); break;
    case 15: limbsInverse(FR, FA, F.fn256_M, F.fn256_MINV29, 9); break;
    case 23: limbsInverse(FR, FA, F.fp384_M, F.fp384_MINV29, 14); break;
    case 31: limbsInverse(FR, FA, F.fn384_M, F.fn384_MINV29, 14); break;
    case 39: limbsInverse(FR, FA, F.fp521_M, F.fp521_MINV29, 18); break;
    case 47: limbsInverse(FR, FA, F.fn521_M, F.fn521_MINV29, 18); break;
    case 55: limbsInverse(FR, FA, F.fl25519_M, F.fl25519_MINV29, 9); break;
    case 63: limbsInverse(FR, FA, F.f25519_M, F.f25519_MINV29, 9); break;
    default: unreachable();
  }
  const out = new Uint8Array(n * 29 / 8 + 1);
  limbsToLE(out.dataStart, out.length, FR, n);
  return out;
}

const FT: usize = memory.data(18 * 8, 16);

// Unreduced sums as mul/sqr operands, as the point formulas use them: (3a)(4b)/R and (3a)^2/R.
function lazyMul3x4(field: i32): void {
  if (field == 0) {
    F.fp256_addLazy(FT, FA, FA);
    F.fp256_addLazy(FT, FT, FA);
    F.fp256_addLazy(FR, FB, FB);
    F.fp256_addLazy(FR, FR, FR);
    F.fp256_mul(FR, FT, FR);
  } else {
    F.fp384_addLazy(FT, FA, FA);
    F.fp384_addLazy(FT, FT, FA);
    F.fp384_addLazy(FR, FB, FB);
    F.fp384_addLazy(FR, FR, FR);
    F.fp384_mul(FR, FT, FR);
  }
}
function lazySqr3(field: i32): void {
  if (field == 0) {
    F.fp256_addLazy(FT, FA, FA);
    F.fp256_addLazy(FT, FT, FA);
    F.fp256_sqr(FR, FT);
  } else {
    F.fp384_addLazy(FT, FA, FA);
    F.fp384_addLazy(FT, FT, FA);
    F.fp384_sqr(FR, FT);
  }
}

/** Width-w NAF digits of the big-endian scalar k (up to 66 bytes). */
export function wnaf(k: Uint8Array, w: i32): Int8Array {
  limbsFromBE(FA, 18, k.dataStart, k.length);
  const out = new Int8Array(18 * 29 + 16);
  const top = _wnaf(out.dataStart, FA, 18, w);
  return out.subarray(0, top);
}

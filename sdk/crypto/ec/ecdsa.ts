// ECDSA signature verification for JWS ES256, ES384 and ES512 (RFC 7518 §3.4): P-256, P-384
// and P-521 public keys from their uncompressed affine coordinates, signatures in the fixed-length
// r‖s form (not DER).
//
//   const key = EcPublicKey.create(EcCurve.P256, x, y);   // null: see EcPublicKey.lastError
//   if (key !== null && ecdsaVerify(key, HashAlg.SHA256, signingInput, sig)) { ... }
//
// What is rejected, and why (each is a known way verifiers have been broken):
//  - coordinates of the wrong length, >= p, or not on the curve (invalid-curve attacks recover
//    keys from implementations that compute with points of another curve);
//  - a signature whose length is not exactly 2 * the field size (no leading-zero games);
//  - r or s equal to 0 or >= n (the all-zero signature of CVE-2022-21449 verified any message);
//  - a result point at infinity.
// x(R) is compared with r modulo n, as the standard says: x(R) may lie in [n, p), and then r is
// x(R) - n (Wycheproof has vectors for exactly that).
//
// High-S signatures are accepted, as node:crypto, OpenSSL and JWS do; ECDSA itself has no
// low-S rule. The work is variable-time, which is fine: everything here is public.
import { HashAlg, digest } from "../sha2";
import { limbsFromBE } from "./limbs";
import {
  p256_setKey, p256_verify, p256_KEY_TABLE_SLOTS, p256_LIMBS,
  p384_setKey, p384_verify, p384_KEY_TABLE_SLOTS, p384_LIMBS,
  p521_setKey, p521_verify, p521_KEY_TABLE_SLOTS, p521_LIMBS,
} from "./nist";

/** The curves of JWS ES256 / ES384 / ES512. */
export const enum EcCurve {
  P256 = 0,
  P384 = 1,
  P521 = 2,
}

/** Bytes of a field element (and of r and s) on `curve`; 0 for an unknown curve. */
export function ecCoordinateLength(curve: i32): i32 {
  if (curve == EcCurve.P256) return 32;
  if (curve == EcCurve.P384) return 48;
  if (curve == EcCurve.P521) return 66;
  return 0;
}

/** The JWK `crv` name of `curve` ("P-256", "P-384", "P-521"). */
export function ecCurveName(curve: i32): string {
  if (curve == EcCurve.P256) return "P-256";
  if (curve == EcCurve.P384) return "P-384";
  if (curve == EcCurve.P521) return "P-521";
  return "unknown";
}

function limbCount(curve: i32): i32 {
  if (curve == EcCurve.P256) return p256_LIMBS;
  if (curve == EcCurve.P384) return p384_LIMBS;
  return p521_LIMBS;
}

// Scratch for r, s, e and the key coordinates as limbs (18 limbs covers P-521).
const X_LIMBS: usize = memory.data(18 * 8, 16);
const Y_LIMBS: usize = memory.data(18 * 8, 16);
const R_LIMBS: usize = memory.data(18 * 8, 16);
const S_LIMBS: usize = memory.data(18 * 8, 16);
const E_LIMBS: usize = memory.data(18 * 8, 16);

/** A validated ECDSA public key with its precomputed table (built once, at creation). */
export class EcPublicKey {
  /** Why the last `create` returned null. */
  static lastError: string = "";

  private constructor(
    /** An `EcCurve`. */
    readonly curve: i32,
    // Affine odd multiples Q, 3Q, 5Q, ... for the wNAF of u2 (Montgomery form, 29-bit limbs).
    private readonly table: StaticArray<u64>,
  ) {}

  /**
   * Checks (x, y) — big-endian, exactly the curve's coordinate length (32, 48 or 66 bytes, as
   * in a JWK) — and returns the key, or null with the reason in `EcPublicKey.lastError`.
   */
  static create(curve: i32, x: Uint8Array, y: Uint8Array): EcPublicKey | null {
    const len = ecCoordinateLength(curve);
    if (len == 0) return EcPublicKey.fail("unsupported curve");
    const name = ecCurveName(curve);
    if (x.length != len) return EcPublicKey.fail(`${name} x must be ${len} bytes, got ${x.length}`);
    if (y.length != len) return EcPublicKey.fail(`${name} y must be ${len} bytes, got ${y.length}`);
    const n = limbCount(curve);
    // 66 bytes hold 528 bits, more than the 29n = 522 the limbs hold: such a value is >= p anyway.
    if (!limbsFromBE(X_LIMBS, n, x.dataStart, len) || !limbsFromBE(Y_LIMBS, n, y.dataStart, len)) {
      return EcPublicKey.fail(`${name} coordinate is not less than the field prime`);
    }
    let table: StaticArray<u64>;
    let status: i32;
    if (curve == EcCurve.P256) {
      table = new StaticArray<u64>(p256_KEY_TABLE_SLOTS);
      status = p256_setKey(changetype<usize>(table), X_LIMBS, Y_LIMBS);
    } else if (curve == EcCurve.P384) {
      table = new StaticArray<u64>(p384_KEY_TABLE_SLOTS);
      status = p384_setKey(changetype<usize>(table), X_LIMBS, Y_LIMBS);
    } else {
      table = new StaticArray<u64>(p521_KEY_TABLE_SLOTS);
      status = p521_setKey(changetype<usize>(table), X_LIMBS, Y_LIMBS);
    }
    if (status == 1) return EcPublicKey.fail(`${name} coordinate is not less than the field prime`);
    if (status != 0) return EcPublicKey.fail(`${name} point is not on the curve`);
    EcPublicKey.lastError = "";
    return new EcPublicKey(curve, table);
  }

  /** Length of a JWS signature r‖s for this key: 64, 96 or 132 bytes. */
  get signatureLength(): i32 {
    return 2 * ecCoordinateLength(this.curve);
  }

  /** @internal the table's address, for the verification core. */
  get tablePtr(): usize {
    return changetype<usize>(this.table);
  }

  private static fail(reason: string): EcPublicKey | null {
    EcPublicKey.lastError = reason;
    return null;
  }
}

/** Verifies the JWS signature `sig` (r‖s) of `msg` hashed with `alg`. */
export function ecdsaVerify(key: EcPublicKey, alg: HashAlg, msg: Uint8Array, sig: Uint8Array): bool {
  // Check the length before hashing: a wrong-sized signature is rejected without work.
  if (sig.length != key.signatureLength) return false;
  return ecdsaVerifyDigest(key, digest(alg, msg), sig);
}

/** Verifies `sig` (r‖s) over an already computed message digest `hash`. */
export function ecdsaVerifyDigest(key: EcPublicKey, hash: Uint8Array, sig: Uint8Array): bool {
  const curve = key.curve;
  const len = ecCoordinateLength(curve);
  if (sig.length != 2 * len) return false;
  const n = limbCount(curve);
  // r and s >= 2^(29n) cannot be < n: reject them here, the range check proper is in the core.
  if (!limbsFromBE(R_LIMBS, n, sig.dataStart, len)) return false;
  if (!limbsFromBE(S_LIMBS, n, sig.dataStart + <usize>len, len)) return false;
  // e = the leftmost bits(n) bits of the hash (SEC 1 §4.1.4 step 5). bits(n) is 256, 384, 521:
  // a longer hash is cut to whole bytes for P-256 and P-384; no SHA-2 output exceeds 521 bits,
  // so a P-521 hash (SHA-512's 512 bits included) is used whole, never padded or shifted.
  const bytesN = curve == EcCurve.P521 ? 66 : len;
  const hlen = min(hash.length, bytesN);
  limbsFromBE(E_LIMBS, n, hash.dataStart, hlen);
  const tab = key.tablePtr;
  if (curve == EcCurve.P256) return p256_verify(tab, R_LIMBS, S_LIMBS, E_LIMBS);
  if (curve == EcCurve.P384) return p384_verify(tab, R_LIMBS, S_LIMBS, E_LIMBS);
  return p521_verify(tab, R_LIMBS, S_LIMBS, E_LIMBS);
}

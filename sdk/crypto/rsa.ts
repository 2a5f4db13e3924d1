// RSA signature verification (RFC 8017): RSASSA-PKCS1-v1_5 (JWS RS256/384/512) and RSASSA-PSS
// (PS256/384/512), public key 2048..4096 bits. The modular exponentiation is in ./bigint.ts.
//
// PKCS#1 v1.5 is verified by building the one expected encoded message EM' (00 01 FF…FF 00
// DigestInfo H) and comparing it with the whole of s^e mod n, never by parsing the decrypted
// block: parsing is where the classic forgeries live (Bleichenbacher 2006 / CVE-2006-4339:
// garbage after the hash or inside lenient ASN.1 lengths, which with e = 3 lets anyone forge).
// PSS follows every step of EMSA-PSS-VERIFY (RFC 8017 §9.1.2).
//
// Key checks (RsaPublicKey.check) and why:
// - modulus of 2048..4096 bits: below 2048 is too weak (NIST SP 800-131A), above 4096 costs a
//   verifier more than it is worth and is not offered (the limb buffers are sized for 4096);
// - modulus odd: Montgomery arithmetic needs it, and an even n is not an RSA modulus;
// - exponent odd, ≥ 3 and < 2^32: e = 1 makes every s its own signature, an even e is not
//   invertible mod φ(n); the 32-bit cap bounds the work per verification (Go's crypto/rsa caps
//   e below 2^31 for the same reason). e = 3 is accepted: with exact re-encoding it is safe,
//   and Wycheproof has valid signatures under e = 3 keys.
import { HashAlg, digest, digestLength, digestRaw } from "./sha2";
import {
  BUF_LIMBS, LIMB_BITS, PAD, limbsFor, limbsFromBytes, limbsToBytes, compareLimbs, subLimbs,
  doubleMod, montInverse, montMul, montSqr, newLimbBuffer, limb0,
} from "./bigint";

export const RSA_MIN_BITS: i32 = 2048;
export const RSA_MAX_BITS: i32 = 4096;

// Scratch limb buffers for one exponentiation (static: no allocation while verifying).
const BUF_BYTES: usize = <usize>BUF_LIMBS << 2;
const SCRATCH_COUNT: usize = 9;
const SCRATCH: usize = memory.data(<i32>(BUF_BYTES * SCRATCH_COUNT), 16);
// @ts-ignore: decorator
@inline function scratch(i: usize): usize {
  return SCRATCH + i * BUF_BYTES + (<usize>PAD << 2);
}

// The encoded message s^e mod n (≤ 512 bytes), and M' = 0x00·8 ‖ mHash ‖ salt for PSS (the
// salt is at most the encoded message long) and one MGF1 input, so a verification allocates
// only the digests.
const EM: usize = memory.data(512, 16);
const M_PRIME: usize = memory.data(8 + 64 + 512, 16);
const MGF_INPUT: usize = memory.data(64 + 4, 16);

/** An RSA public key with its Montgomery constants computed once (cache the object per key). */
export class RsaPublicKey {
  /** Why the last `create` returned null ("" after a success). */
  static lastError: string = "";

  /** Bits of the modulus. */
  readonly bits: i32;
  /** Bytes of the modulus, which is the length of every signature. */
  readonly size: i32;
  /** The public exponent. */
  readonly e: u32;
  /** Big-endian modulus without leading zeros. */
  readonly modulus: Uint8Array;
  private k: i32 = 0;
  private n0: u32 = 0;
  private n0inv: u32 = 0;
  private n: StaticArray<u32> = newLimbBuffer(); // forward limbs, padded
  private nr: StaticArray<u32> = newLimbBuffer(); // reversed limbs, padded
  private r2r: StaticArray<u32> = newLimbBuffer(); // R² mod n, reversed, padded

  /** "" if (n, e) is an acceptable public key, else why not. n and e are big-endian unsigned. */
  static check(n: Uint8Array, e: Uint8Array): string {
    const ns = firstNonZero(n);
    if (ns == n.length) return "RSA modulus is zero";
    const bits = bitLength(n, ns);
    if (bits < RSA_MIN_BITS) return `RSA modulus has ${bits} bits; at least ${RSA_MIN_BITS} are required`;
    if (bits > RSA_MAX_BITS) return `RSA modulus has ${bits} bits; at most ${RSA_MAX_BITS} are supported`;
    if ((n[n.length - 1] & 1) == 0) return "RSA modulus is even";
    const es = firstNonZero(e);
    if (e.length - es > 4) return "RSA public exponent is too large (more than 32 bits)";
    const ev = exponentValue(e, es);
    if (ev < 3) return "RSA public exponent must be at least 3";
    if ((ev & 1) == 0) return "RSA public exponent must be odd";
    return "";
  }

  /** The key, or null (reason in `RsaPublicKey.lastError`, see `check`). */
  static create(n: Uint8Array, e: Uint8Array): RsaPublicKey | null {
    const why = RsaPublicKey.check(n, e);
    RsaPublicKey.lastError = why;
    if (why.length > 0) return null;
    return new RsaPublicKey(n, e);
  }

  private constructor(n: Uint8Array, e: Uint8Array) {
    const ns = firstNonZero(n);
    this.bits = bitLength(n, ns);
    this.size = n.length - ns;
    this.e = exponentValue(e, firstNonZero(e));
    this.modulus = n.slice(ns);
    const k = limbsFor(bitLength(n, ns));
    this.k = k;
    const nf = limb0(this.n);
    limbsFromBytes(nf, limb0(this.nr), k, this.modulus.dataStart, this.size);
    this.n0 = load<u32>(nf);
    this.n0inv = montInverse(this.n0);
    this.computeR2();
  }

  /** R² mod n, R = 2^(28k): doublings up to R mod n, then square-and-double in Montgomery form. */
  private computeR2(): void {
    const k = this.k;
    const nf = limb0(this.n), nr = limb0(this.nr);
    memory.fill(SCRATCH, 0, BUF_BYTES * SCRATCH_COUNT);
    const a = scratch(0), ar = scratch(1), m = scratch(2), sq = scratch(3), sqr = scratch(4);
    // 2^(bits-1) < n (n is odd), then double up to 2^(28k) mod n = R mod n, then once more:
    // 2R mod n is 2 in Montgomery form.
    const top = this.bits - 1;
    store<u32>(a + (<usize>(top / LIMB_BITS) << 2), 1 << <u32>(top % LIMB_BITS));
    const doublings = LIMB_BITS * k - top + 1;
    for (let i = 0; i < doublings; i++) doubleMod(a, nf, k);
    // 2^E in Montgomery form for E = 28k is (2^E)·R = R² mod n.
    const exp = LIMB_BITS * k;
    for (let b = 30 - clz(exp); b >= 0; b--) {
      reverseLimbs(ar, a, k, 1);
      montSqr(sq, sqr, a, ar, m, nr, k, this.n0, this.n0inv);
      memory.copy(a, sq, <usize>k << 2);
      if (compareLimbs(a, nf, k) >= 0) subLimbs(a, 0, nf, k);
      if ((exp >> b) & 1) doubleMod(a, nf, k);
    }
    reverseLimbs(limb0(this.r2r), a, k, 0);
  }

  /**
   * RSAVP1 (RFC 8017 §5.2.2): s^e mod n as `size` big-endian bytes, or null when the signature
   * is not `size` bytes long or, as an integer, not below n.
   */
  verifyPrimitive(sig: Uint8Array): Uint8Array | null {
    if (!this.publicOp(sig, EM)) return null;
    const out = new Uint8Array(this.size);
    memory.copy(out.dataStart, EM, <usize>this.size);
    return out;
  }

  /** RSAVP1 into `size` bytes at `out`; false when sig has the wrong length or is ≥ n. */
  publicOp(sig: Uint8Array, out: usize): bool {
    if (sig.length != this.size) return false;
    const k = this.k;
    const nf = limb0(this.n), nr = limb0(this.nr);
    const n0 = this.n0, n0inv = this.n0inv;
    memory.fill(SCRATCH, 0, BUF_BYTES * SCRATCH_COUNT); // padding limbs must be zero
    const x = scratch(0), xr = scratch(1), xmr = scratch(2), m = scratch(3), sink = scratch(4);
    // The kernels never write over their inputs: y (and y reversed) alternate between two
    // buffer pairs.
    let y = scratch(5), yr = scratch(6), z = scratch(7), zr = scratch(8), t: usize = 0;
    // s < n, checked on the bytes: limbsFromBytes keeps only 28k bits, and for some sizes (2098
    // bits: 263 bytes = 2104 bits > 75 limbs = 2100 bits) a signature's top bits would be
    // dropped unseen, so s + 2^(28k) verified like s (a second signature node rejects).
    if (!lessThanBE(sig, this.modulus)) return false;
    limbsFromBytes(x, xr, k, sig.dataStart, sig.length);
    // y = x·R (Montgomery form of x), also kept reversed in xmr for the multiplications (the
    // kernels write reversed outputs doubled, for montSqr; a multiplier is not doubled).
    montMul(y, yr, x, limb0(this.r2r), m, nr, k, n0, n0inv);
    reverseLimbs(xmr, y, k, 0);
    // Left to right over e's bits below the top one. The last bit (e is odd) multiplies by
    // the plain x instead of x·R, which leaves Montgomery form: (x^(e-1)·R)·x·R^-1 = x^e.
    const e = this.e;
    for (let b = 30 - <i32>clz(e); b >= 1; b--) {
      montSqr(z, zr, y, yr, m, nr, k, n0, n0inv);
      t = y; y = z; z = t;
      t = yr; yr = zr; zr = t;
      if ((e >> b) & 1) {
        montMul(z, zr, y, xmr, m, nr, k, n0, n0inv);
        t = y; y = z; z = t;
        t = yr; yr = zr; zr = t;
      }
    }
    montSqr(z, zr, y, yr, m, nr, k, n0, n0inv);
    montMul(y, sink, z, xr, m, nr, k, n0, n0inv);
    // y ≤ n here (x < n, z < 2n, R > 4n); n itself means x^e ≡ 0.
    if (compareLimbs(y, nf, k) >= 0) subLimbs(y, 0, nf, k);
    limbsToBytes(out, this.size, y, k);
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.2, EMSA-PKCS1-v1_5 §9.2)

// DER of DigestInfo up to the digest: SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING (hLen) }
// (RFC 8017 §9.2 note 1). The NULL parameters are required: a "MissingNull" encoding is
// rejected, as Wycheproof allows and most libraries do.
const PREFIX_SHA256: usize = memory.data<u8>([0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]);
const PREFIX_SHA384: usize = memory.data<u8>([0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30]);
const PREFIX_SHA512: usize = memory.data<u8>([0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40]);
const PREFIX_LEN: i32 = 19;

/** RSASSA-PKCS1-v1_5 verification of `sig` over `msg` hashed with `alg` (JWS RS256/384/512). */
export function rsaVerifyPkcs1(key: RsaPublicKey, alg: HashAlg, msg: Uint8Array, sig: Uint8Array): bool {
  if (sig.length != key.size) return false; // before hashing: cheap rejection
  return rsaVerifyPkcs1Digest(key, alg, digest(alg, msg), sig);
}

/** As rsaVerifyPkcs1, with the message already hashed (`mHash` = the `alg` digest). */
export function rsaVerifyPkcs1Digest(key: RsaPublicKey, alg: HashAlg, mHash: Uint8Array, sig: Uint8Array): bool {
  const hLen = digestLength(alg);
  if (mHash.length != hLen) return false;
  const emLen = key.size;
  const tLen = PREFIX_LEN + hLen;
  if (emLen < tLen + 11) return false; // cannot happen for ≥ 2048-bit keys
  if (!key.publicOp(sig, EM)) return false;
  const prefix = alg == HashAlg.SHA256 ? PREFIX_SHA256 : alg == HashAlg.SHA384 ? PREFIX_SHA384 : PREFIX_SHA512;
  // Compare every byte of EM with the expected encoding; accumulate differences (no early exit).
  const p = EM;
  let diff: u32 = <u32>load<u8>(p) | (<u32>load<u8>(p, 1) ^ 0x01);
  const psEnd = emLen - tLen - 1;
  for (let i = 2; i < psEnd; i++) diff |= <u32>load<u8>(p + <usize>i) ^ 0xff;
  diff |= <u32>load<u8>(p + <usize>psEnd);
  const t = p + <usize>(psEnd + 1);
  for (let i = 0; i < PREFIX_LEN; i++) diff |= <u32>load<u8>(t + <usize>i) ^ <u32>load<u8>(prefix + <usize>i);
  const h = t + <usize>PREFIX_LEN;
  for (let i = 0; i < hLen; i++) diff |= <u32>load<u8>(h + <usize>i) ^ <u32>mHash[i];
  return diff == 0;
}

// ---------------------------------------------------------------------------------------------
// RSASSA-PSS (RFC 8017 §8.1.2, EMSA-PSS-VERIFY §9.1.2), MGF1 with the same hash

/**
 * RSASSA-PSS verification of `sig` over `msg`, hash and MGF1 hash `alg`, salt of exactly
 * `saltLen` bytes. JWS PS256/384/512 (RFC 7518 §3.5) require saltLen = the digest length.
 */
export function rsaVerifyPss(key: RsaPublicKey, alg: HashAlg, msg: Uint8Array, sig: Uint8Array, saltLen: i32): bool {
  if (sig.length != key.size) return false;
  return rsaVerifyPssDigest(key, alg, digest(alg, msg), sig, saltLen);
}

/** As rsaVerifyPss, with the message already hashed (`mHash` = the `alg` digest). */
export function rsaVerifyPssDigest(key: RsaPublicKey, alg: HashAlg, mHash: Uint8Array, sig: Uint8Array, saltLen: i32): bool {
  const hLen = digestLength(alg);
  if (mHash.length != hLen || saltLen < 0) return false;
  if (!key.publicOp(sig, EM)) return false;
  // §8.1.2 step 2c: EM = I2OSP(m, emLen), emBits = modBits - 1. When modBits ≡ 1 (mod 8) EM
  // is one byte shorter than the modulus, and that leading byte must be zero.
  const emBits = key.bits - 1;
  const emLen = (emBits + 7) >> 3;
  let em = EM;
  if (emLen < key.size) {
    if (load<u8>(em) != 0) return false;
    em += 1;
  }
  // §9.1.2 step 3: room for H, the salt, the 0x01 separator and 0xbc. Written as a bound on
  // saltLen: `hLen + saltLen + 2` wraps for a caller's saltLen near 2^31 and let a negative PS
  // length through to out-of-bounds reads (a trap).
  if (saltLen > emLen - hLen - 2) return false;
  // Step 4: the trailer.
  if (load<u8>(em + <usize>(emLen - 1)) != 0xbc) return false;
  // Step 5: maskedDB ‖ H ‖ 0xbc.
  const dbLen = emLen - hLen - 1;
  const hPtr = em + <usize>dbLen;
  // Step 6: the leftmost 8·emLen − emBits bits of maskedDB must be zero.
  const zeroBits = 8 * emLen - emBits;
  const topMask = <u8>(<u32>0xff >> <u32>zeroBits);
  if ((load<u8>(em) & ~topMask) != 0) return false;
  // Steps 7–9: DB = maskedDB ⊕ MGF1(H, dbLen), leftmost bits cleared (in place: maskedDB is
  // not needed afterwards, and H follows it untouched).
  const db = em;
  mgf1Xor(alg, hPtr, hLen, db, dbLen);
  store<u8>(db, load<u8>(db) & topMask);
  // Step 10: PS (zeros) then 0x01.
  const psLen = emLen - hLen - saltLen - 2;
  for (let i = 0; i < psLen; i++) if (load<u8>(db + <usize>i) != 0) return false;
  if (load<u8>(db + <usize>psLen) != 0x01) return false;
  // Steps 11–13: M' = 0x00·8 ‖ mHash ‖ salt, H' = Hash(M').
  memory.fill(M_PRIME, 0, 8);
  memory.copy(M_PRIME + 8, mHash.dataStart, <usize>hLen);
  memory.copy(M_PRIME + 8 + <usize>hLen, db + <usize>(dbLen - saltLen), <usize>saltLen);
  const h2 = digestRaw(alg, M_PRIME, 8 + hLen + saltLen);
  // Step 14.
  let diff: u32 = 0;
  for (let i = 0; i < hLen; i++) diff |= <u32>load<u8>(hPtr + <usize>i) ^ <u32>h2[i];
  return diff == 0;
}

/** The `len` bytes at `out` ^= MGF1(seed, len) with hash `alg` (RFC 8017 §B.2.1). */
function mgf1Xor(alg: HashAlg, seed: usize, seedLen: i32, out: usize, len: i32): void {
  const hLen = digestLength(alg);
  memory.copy(MGF_INPUT, seed, <usize>seedLen);
  const ctr = MGF_INPUT + <usize>seedLen;
  let counter: u32 = 0;
  for (let pos = 0; pos < len; pos += hLen) {
    store<u32>(ctr, bswap<u32>(counter)); // big-endian counter
    const t = digestRaw(alg, MGF_INPUT, seedLen + 4);
    const n = min(hLen, len - pos);
    for (let i = 0; i < n; i++) store<u8>(out + <usize>(pos + i), load<u8>(out + <usize>(pos + i)) ^ t[i]);
    counter++;
  }
}

// ---------------------------------------------------------------------------------------------

/** a < b for big-endian byte strings of the same length. */
function lessThanBE(a: Uint8Array, b: Uint8Array): bool {
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    if (x != y) return x < y;
  }
  return false;
}

function firstNonZero(b: Uint8Array): i32 {
  let i = 0;
  while (i < b.length && b[i] == 0) i++;
  return i;
}

/** Bits of the big-endian number b[start..], b[start] ≠ 0. */
function bitLength(b: Uint8Array, start: i32): i32 {
  return (b.length - start - 1) * 8 + (32 - <i32>clz(<u32>b[start]));
}

function exponentValue(e: Uint8Array, start: i32): u32 {
  let v: u32 = 0;
  for (let i = start; i < e.length; i++) v = (v << 8) | e[i];
  return v;
}

/** dst = src reversed, each limb shifted left by `shift` (1: the doubled form montSqr takes). */
function reverseLimbs(dst: usize, src: usize, k: i32, shift: u32): void {
  for (let t = 0; t < k; t++) store<u32>(dst + (<usize>(k - 1 - t) << 2), load<u32>(src + (<usize>t << 2)) << shift);
}

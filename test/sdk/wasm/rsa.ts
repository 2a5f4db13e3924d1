// Test and bench entry for RSA verification (sdk/crypto/rsa.ts, sdk/crypto/bigint.ts).
// Keys live in a table here and are named by index, since the raw bindings cannot hand
// AssemblyScript objects to JavaScript.
import { HashAlg } from "../../../sdk/crypto/sha2";
import { RsaPublicKey, rsaVerifyPkcs1, rsaVerifyPss } from "../../../sdk/crypto/rsa";

const keys = new Array<RsaPublicKey | null>();

/** Why (n, e) is not an acceptable key, or "". */
export function keyCheck(n: Uint8Array, e: Uint8Array): string {
  return RsaPublicKey.check(n, e);
}

/** A new key's index, or -1 (then `lastKeyError()` says why). Computes the Montgomery set-up. */
export function keyNew(n: Uint8Array, e: Uint8Array): i32 {
  const key = RsaPublicKey.create(n, e);
  if (key === null) return -1;
  keys.push(key);
  return keys.length - 1;
}

export function lastKeyError(): string {
  return RsaPublicKey.lastError;
}

/** Drops a key so the GC can take it. */
export function keyFree(id: i32): void {
  keys[id] = null;
}

export function keyBits(id: i32): i32 {
  return keys[id]!.bits;
}

/** s^e mod n as modulus-length bytes, or null (wrong length, s ≥ n). */
export function rsaPublic(id: i32, sig: Uint8Array): Uint8Array | null {
  return keys[id]!.verifyPrimitive(sig);
}

export function verifyPkcs1(id: i32, alg: i32, msg: Uint8Array, sig: Uint8Array): bool {
  return rsaVerifyPkcs1(keys[id]!, <HashAlg>alg, msg, sig);
}

export function verifyPss(id: i32, alg: i32, msg: Uint8Array, sig: Uint8Array, saltLen: i32): bool {
  return rsaVerifyPss(keys[id]!, <HashAlg>alg, msg, sig, saltLen);
}

// Bench helpers: `times` verifications in one call, so the JS↔wasm crossing and the copy of the
// arguments are paid once per batch. Returns how many verified (the bench checks it is all).
export function verifyPkcs1Repeat(id: i32, alg: i32, msg: Uint8Array, sig: Uint8Array, times: i32): i32 {
  const key = keys[id]!;
  let ok = 0;
  for (let i = 0; i < times; i++) if (rsaVerifyPkcs1(key, <HashAlg>alg, msg, sig)) ok++;
  return ok;
}

export function verifyPssRepeat(id: i32, alg: i32, msg: Uint8Array, sig: Uint8Array, saltLen: i32, times: i32): i32 {
  const key = keys[id]!;
  let ok = 0;
  for (let i = 0; i < times; i++) if (rsaVerifyPss(key, <HashAlg>alg, msg, sig, saltLen)) ok++;
  return ok;
}

/** Builds the key `times` times (Montgomery set-up included); returns the last index. */
export function keyNewRepeat(n: Uint8Array, e: Uint8Array, times: i32): i32 {
  let id = -1;
  for (let i = 0; i < times; i++) {
    if (id >= 0) keys[id] = null;
    id = keyNew(n, e);
  }
  return id;
}

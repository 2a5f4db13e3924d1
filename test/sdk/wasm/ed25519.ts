// Test and bench entry for Ed25519 verification (sdk/crypto/ed25519.ts).
// Keys live in a handle table so that JS holds plain integers, not managed references.
import { Ed25519PublicKey, ed25519Verify as _verify, ed25519BaseMul as _baseMul } from "../../../sdk/crypto/ed25519";

const keys = new Array<Ed25519PublicKey | null>();

/** A handle (>= 0) for the key, or -1: then `ed25519KeyError()` says why. */
export function ed25519KeyCreate(a: Uint8Array): i32 {
  const key = Ed25519PublicKey.create(a);
  if (key === null) return -1;
  keys.push(key);
  return keys.length - 1;
}
export function ed25519KeyError(): string {
  return Ed25519PublicKey.lastError;
}
export function ed25519KeyFree(handle: i32): void {
  keys[handle] = null;
}
export function ed25519Verify(handle: i32, msg: Uint8Array, sig: Uint8Array): bool {
  return _verify(keys[handle]!, msg, sig);
}
/** Verifies `rounds` times (benchmarks: one boundary crossing per batch). */
export function ed25519VerifyRepeat(handle: i32, msg: Uint8Array, sig: Uint8Array, rounds: i32): bool {
  let ok = true;
  const key = keys[handle]!;
  for (let i = 0; i < rounds; i++) ok = _verify(key, msg, sig) && ok;
  return ok;
}
/** Creates and drops a key `rounds` times (benchmarks: per-key set-up). */
export function ed25519KeyCreateRepeat(a: Uint8Array, rounds: i32): bool {
  let ok = true;
  for (let i = 0; i < rounds; i++) ok = Ed25519PublicKey.create(a) !== null && ok;
  return ok;
}
/** The encoding of [s]B (s: 32 bytes, little-endian). */
export function ed25519BaseMul(s: Uint8Array): Uint8Array {
  return _baseMul(s);
}

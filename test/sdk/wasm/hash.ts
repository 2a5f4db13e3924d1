// Test and bench entry for the SDK's hashes, HMAC, constant-time compare and base64.
import { sha256 as _sha256, sha384 as _sha384, sha512 as _sha512, digest, HashAlg, Sha256, Sha512, Sha384 } from "../../../sdk/crypto/sha2";

export function sha256(data: Uint8Array): Uint8Array {
  return _sha256(data);
}
export function sha384(data: Uint8Array): Uint8Array {
  return _sha384(data);
}
export function sha512(data: Uint8Array): Uint8Array {
  return _sha512(data);
}
export function digestBy(alg: i32, data: Uint8Array): Uint8Array {
  return digest(<HashAlg>alg, data);
}

/** Streams `data` in chunks of the given sizes (cycled), through the streaming hasher of `alg`. */
export function digestChunked(alg: i32, data: Uint8Array, chunks: Int32Array): Uint8Array {
  let pos = 0;
  let ci = 0;
  if (alg == 0) {
    const h = new Sha256();
    while (pos < data.length) {
      const end = min(data.length, pos + max(1, chunks[ci++ % chunks.length]));
      h.updateRange(data, pos, end);
      pos = end;
    }
    return h.digest();
  }
  const h: Sha512 = alg == 1 ? new Sha384() : new Sha512();
  while (pos < data.length) {
    const end = min(data.length, pos + max(1, chunks[ci++ % chunks.length]));
    h.updateRange(data, pos, end);
    pos = end;
  }
  return h.digest();
}

/** Hashes `data` `rounds` times (for benchmarks: one boundary crossing per batch). */
export function sha256Repeat(data: Uint8Array, rounds: i32): void {
  for (let i = 0; i < rounds; i++) _sha256(data);
}

// HMAC (RFC 2104) over SHA-256, SHA-384 and SHA-512: JWS HS256/HS384/HS512 (RFC 7518 §3.2).
//
// Tag size: `verify` accepts only a full-length tag (32/48/64 bytes), which is what JWS
// requires; a shorter tag is rejected, never compared as a prefix, so a token cannot shorten
// its own MAC. Truncated MACs (RFC 2104 §5) exist for other protocols: `verifyTruncated`
// takes the expected tag length from the caller (never from the tag) and allows it only
// between half the digest length (the RFC's lower bound) and the full length.
//
// `HmacKey` hashes the padded key once and keeps the inner and outer states, so a verifier
// that holds one key per configuration pays two compressions less per message.
import { blockLength, digestLength, HashAlg, Sha256, Sha512 } from "./sha2";
import { ctEqualRaw } from "./ct";

/** A MAC key bound to one hash algorithm, with its keyed states precomputed. */
export class HmacKey {
  readonly alg: HashAlg;
  /** Tag length in bytes (= digest length). */
  readonly tagLength: i32;
  private inner256: Sha256 | null = null;
  private outer256: Sha256 | null = null;
  private work256: Sha256 | null = null;
  private inner512: Sha512 | null = null;
  private outer512: Sha512 | null = null;
  private work512: Sha512 | null = null;

  constructor(alg: HashAlg, key: Uint8Array) {
    this.alg = alg;
    this.tagLength = digestLength(alg);
    const block = blockLength(alg);
    // Keys longer than a block are hashed first (RFC 2104 §2); shorter ones are zero-padded.
    const k = new Uint8Array(block);
    if (key.length > block) {
      k.set(hashOnce(alg, key));
    } else {
      k.set(key);
    }
    const ipad = new Uint8Array(block);
    const opad = new Uint8Array(block);
    for (let i = 0; i < block; i++) {
      ipad[i] = k[i] ^ 0x36;
      opad[i] = k[i] ^ 0x5c;
    }
    if (alg == HashAlg.SHA256) {
      const inner = new Sha256();
      inner.update(ipad);
      const outer = new Sha256();
      outer.update(opad);
      this.inner256 = inner;
      this.outer256 = outer;
      this.work256 = new Sha256();
    } else {
      const is384 = alg == HashAlg.SHA384;
      const inner = new Sha512(is384);
      inner.update(ipad);
      const outer = new Sha512(is384);
      outer.update(opad);
      this.inner512 = inner;
      this.outer512 = outer;
      this.work512 = new Sha512(is384);
    }
    // Do not leave key material lying in freed memory longer than needed.
    k.fill(0);
    ipad.fill(0);
    opad.fill(0);
  }

  /** The MAC of `data`. */
  sign(data: Uint8Array): Uint8Array {
    return this.signRaw(data.dataStart, data.length);
  }

  /** The MAC of `data[start, end)` (e.g. a JWS signing input inside the token); bad range traps. */
  signRange(data: Uint8Array, start: i32, end: i32): Uint8Array {
    if (start < 0 || end > data.length || start > end) throw new RangeError("HmacKey.signRange: bad range");
    return this.signRaw(data.dataStart + <usize>start, end - start);
  }

  /** The MAC of `len` bytes at linear-memory address `ptr`. */
  signRaw(ptr: usize, len: i32): Uint8Array {
    if (this.alg == HashAlg.SHA256) {
      const w = this.work256!;
      w.copyFrom(this.inner256!);
      w.updateRaw(ptr, len);
      const ih = w.digest();
      w.copyFrom(this.outer256!);
      w.update(ih);
      return w.digest();
    }
    const w = this.work512!;
    w.copyFrom(this.inner512!);
    w.updateRaw(ptr, len);
    const ih = w.digest();
    w.copyFrom(this.outer512!);
    w.update(ih);
    return w.digest();
  }

  /** True iff `tag` is the full-length MAC of `data` (constant-time compare). */
  verify(data: Uint8Array, tag: Uint8Array): bool {
    if (tag.length != this.tagLength) return false;
    const mac = this.sign(data);
    return ctEqualRaw(mac.dataStart, tag.dataStart, this.tagLength);
  }

  /** `verify` of `data[start, end)`. */
  verifyRange(data: Uint8Array, start: i32, end: i32, tag: Uint8Array): bool {
    if (tag.length != this.tagLength) return false;
    const mac = this.signRange(data, start, end);
    return ctEqualRaw(mac.dataStart, tag.dataStart, this.tagLength);
  }

  /**
   * True iff `tag` is the MAC of `data` truncated to `tagLength` bytes. `tagLength` is the
   * caller's policy: it must lie in [digest length / 2, digest length] and `tag` must have
   * exactly that length, otherwise false. Not for JWS, which uses full tags.
   */
  verifyTruncated(data: Uint8Array, tag: Uint8Array, tagLength: i32): bool {
    if (tagLength < (this.tagLength >> 1) || tagLength > this.tagLength || tag.length != tagLength) return false;
    const mac = this.sign(data);
    return ctEqualRaw(mac.dataStart, tag.dataStart, tagLength);
  }
}

function hashOnce(alg: HashAlg, data: Uint8Array): Uint8Array {
  if (alg == HashAlg.SHA256) {
    const h = new Sha256();
    h.update(data);
    return h.digest();
  }
  const h = new Sha512(alg == HashAlg.SHA384);
  h.update(data);
  return h.digest();
}

/** HMAC-`alg` of `data` under `key`. */
export function hmac(alg: HashAlg, key: Uint8Array, data: Uint8Array): Uint8Array {
  return new HmacKey(alg, key).sign(data);
}

/** True iff `tag` is the full-length HMAC-`alg` of `data` under `key`. */
export function hmacVerify(alg: HashAlg, key: Uint8Array, data: Uint8Array, tag: Uint8Array): bool {
  return new HmacKey(alg, key).verify(data, tag);
}

// HMAC (RFC 2104) over SHA-256, SHA-384 and SHA-512: JWS HS256/HS384/HS512 (RFC 7518 §3.2).
//
// Tag size: `verify` accepts only a full-length tag (32/48/64 bytes), which is what JWS
// requires; a shorter tag is rejected, never compared as a prefix, so a token cannot shorten
// its own MAC. Truncated MACs (RFC 2104 §5) exist for other protocols: `verifyTruncated`
// takes the expected tag length from the caller (never from the tag) and allows it only
// between half the digest length (the RFC's lower bound) and the full length.
//
// Keys hash the padded key once and keep the inner and outer states, so a verifier holding
// one key per configuration pays two compressions less per message.
//
// Two ways in, for code size: `HmacKey` picks the hash at run time (the algorithm comes from a
// token or a JWKS) and so links SHA-256 and SHA-512; `HmacSha256Key`, `HmacSha384Key` and
// `HmacSha512Key` link only their own hash (bench/sizes.bench.mjs shows the difference).
import { digestLength, HashAlg, Sha256, Sha384, Sha512 } from "./sha2";
import { ctEqualRaw } from "./ct";

/** HMAC with the hash `H` (Sha256, Sha384 or Sha512), keyed states precomputed. */
export class HmacKeyOf<H> {
  /** Tag length in bytes (= digest length). */
  readonly tagLength: i32;
  private inner: H;
  private outer: H;
  private work: H;

  constructor(key: Uint8Array) {
    const inner = instantiate<H>();
    const block = inner.blockLength;
    this.tagLength = inner.digestLength;
    // Keys longer than a block are hashed first (RFC 2104 §2); shorter ones are zero-padded.
    const k = new Uint8Array(block);
    if (key.length > block) {
      inner.update(key);
      k.set(inner.digest());
    } else {
      k.set(key);
    }
    const pad = new Uint8Array(block);
    for (let i = 0; i < block; i++) pad[i] = k[i] ^ 0x36;
    inner.update(pad);
    const outer = instantiate<H>();
    for (let i = 0; i < block; i++) pad[i] = k[i] ^ 0x5c;
    outer.update(pad);
    this.inner = inner;
    this.outer = outer;
    this.work = instantiate<H>();
    // Do not leave key material lying in freed memory longer than needed.
    k.fill(0);
    pad.fill(0);
  }

  /** The MAC of `data`. */
  sign(data: Uint8Array): Uint8Array {
    return this.signRaw(data.dataStart, data.length);
  }

  /** The MAC of `data[start, end)` (e.g. a JWS signing input inside the token); bad range traps. */
  signRange(data: Uint8Array, start: i32, end: i32): Uint8Array {
    if (start < 0 || end > data.length || start > end) throw new RangeError("HMAC signRange: bad range");
    return this.signRaw(data.dataStart + <usize>start, end - start);
  }

  /** The MAC of `len` bytes at linear-memory address `ptr`. */
  signRaw(ptr: usize, len: i32): Uint8Array {
    const w = this.work;
    w.copyFrom(this.inner);
    w.updateRaw(ptr, len);
    const ih = w.digest();
    w.copyFrom(this.outer);
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

/** HS256 key: links SHA-256 only. */
export type HmacSha256Key = HmacKeyOf<Sha256>;
/** HS384 key: links SHA-512 only. */
export type HmacSha384Key = HmacKeyOf<Sha384>;
/** HS512 key: links SHA-512 only. */
export type HmacSha512Key = HmacKeyOf<Sha512>;

/** A MAC key whose hash is chosen at run time (links both SHA-256 and SHA-512). */
export class HmacKey {
  readonly alg: HashAlg;
  /** Tag length in bytes (= digest length). */
  readonly tagLength: i32;
  private k256: HmacKeyOf<Sha256> | null = null;
  private k384: HmacKeyOf<Sha384> | null = null;
  private k512: HmacKeyOf<Sha512> | null = null;

  constructor(alg: HashAlg, key: Uint8Array) {
    this.alg = alg;
    this.tagLength = digestLength(alg);
    if (alg == HashAlg.SHA256) this.k256 = new HmacKeyOf<Sha256>(key);
    else if (alg == HashAlg.SHA384) this.k384 = new HmacKeyOf<Sha384>(key);
    else this.k512 = new HmacKeyOf<Sha512>(key);
  }

  sign(data: Uint8Array): Uint8Array {
    return this.signRaw(data.dataStart, data.length);
  }

  signRange(data: Uint8Array, start: i32, end: i32): Uint8Array {
    if (start < 0 || end > data.length || start > end) throw new RangeError("HmacKey.signRange: bad range");
    return this.signRaw(data.dataStart + <usize>start, end - start);
  }

  signRaw(ptr: usize, len: i32): Uint8Array {
    if (this.alg == HashAlg.SHA256) return this.k256!.signRaw(ptr, len);
    if (this.alg == HashAlg.SHA384) return this.k384!.signRaw(ptr, len);
    return this.k512!.signRaw(ptr, len);
  }

  /** True iff `tag` is the full-length MAC of `data` (constant-time compare). */
  verify(data: Uint8Array, tag: Uint8Array): bool {
    if (tag.length != this.tagLength) return false;
    const mac = this.sign(data);
    return ctEqualRaw(mac.dataStart, tag.dataStart, this.tagLength);
  }

  verifyRange(data: Uint8Array, start: i32, end: i32, tag: Uint8Array): bool {
    if (tag.length != this.tagLength) return false;
    const mac = this.signRange(data, start, end);
    return ctEqualRaw(mac.dataStart, tag.dataStart, this.tagLength);
  }

  /** See HmacKeyOf.verifyTruncated. */
  verifyTruncated(data: Uint8Array, tag: Uint8Array, tagLength: i32): bool {
    if (tagLength < (this.tagLength >> 1) || tagLength > this.tagLength || tag.length != tagLength) return false;
    const mac = this.sign(data);
    return ctEqualRaw(mac.dataStart, tag.dataStart, tagLength);
  }
}

/** HMAC-`alg` of `data` under `key`. */
export function hmac(alg: HashAlg, key: Uint8Array, data: Uint8Array): Uint8Array {
  return new HmacKey(alg, key).sign(data);
}

/** True iff `tag` is the full-length HMAC-`alg` of `data` under `key`. */
export function hmacVerify(alg: HashAlg, key: Uint8Array, data: Uint8Array, tag: Uint8Array): bool {
  return new HmacKey(alg, key).verify(data, tag);
}

// SHA-256, SHA-384 and SHA-512 (FIPS 180-4): one-shot functions and streaming hashers.
//
// Speed notes (bench/hash.bench.mjs measures them against node:crypto):
// - The compression functions keep the eight working variables in locals and run the rounds
//   eight at a time with the variables' roles rotated in the source instead of shuffled at run
//   time (V8 optimises wasm loops poorly; eight rounds per iteration is the sweet spot between
//   that and code size).
// - No allocation per block: the message schedule and round constants live in static memory,
//   full blocks are compressed straight from the caller's bytes, only a trailing partial block
//   is copied into the hasher's buffer.
// - One-shot functions (`sha256`, `digest`, ...) use a static state, so hashing a small message
//   allocates only the result.
//
// Not reentrant across threads (wasm modules in Envoy are single-threaded per VM).

/** A SHA-2 hash algorithm, as a JWS `alg` needs it (HS256/RS256/ES256/PS256 → SHA256, ...). */
export const enum HashAlg {
  SHA256 = 0,
  SHA384 = 1,
  SHA512 = 2,
}

/** Bytes of the digest of `alg`: 32, 48 or 64. */
export function digestLength(alg: HashAlg): i32 {
  return alg == HashAlg.SHA256 ? 32 : alg == HashAlg.SHA384 ? 48 : 64;
}

/** Bytes of one block of `alg`: 64 for SHA-256, 128 for SHA-384/512 (HMAC pads keys to it). */
export function blockLength(alg: HashAlg): i32 {
  return alg == HashAlg.SHA256 ? 64 : 128;
}

// ---------------------------------------------------------------------------------------------
// SHA-256

const K256: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
/** Message schedule, 64 words. */
const W256: usize = memory.data(64 * 4);

/** Compresses `blocks` 64-byte blocks at `p` into the 8-word state at `state`. */
function compress256(state: usize, p: usize, blocks: usize): void {
  let a = load<u32>(state, 0);
  let b = load<u32>(state, 4);
  let c = load<u32>(state, 8);
  let d = load<u32>(state, 12);
  let e = load<u32>(state, 16);
  let f = load<u32>(state, 20);
  let g = load<u32>(state, 24);
  let h = load<u32>(state, 28);
  while (blocks > 0) {
    blocks--;
    const W = W256;
    for (let i: usize = 0; i < 64; i += 16) {
      store<u32>(W + i, bswap<u32>(load<u32>(p + i)));
      store<u32>(W + i, bswap<u32>(load<u32>(p + i, 4)), 4);
      store<u32>(W + i, bswap<u32>(load<u32>(p + i, 8)), 8);
      store<u32>(W + i, bswap<u32>(load<u32>(p + i, 12)), 12);
    }
    for (let i: usize = 64; i < 256; i += 8) {
      let x = load<u32>(W + i - 60);
      let y = load<u32>(W + i - 8);
      store<u32>(W + i, load<u32>(W + i - 64) + load<u32>(W + i - 28)
        + (rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3))
        + (rotr<u32>(y, 17) ^ rotr<u32>(y, 19) ^ (y >>> 10)));
      x = load<u32>(W + i - 56);
      y = load<u32>(W + i - 4);
      store<u32>(W + i, load<u32>(W + i - 60) + load<u32>(W + i - 24)
        + (rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3))
        + (rotr<u32>(y, 17) ^ rotr<u32>(y, 19) ^ (y >>> 10)), 4);
    }
    const a0 = a, b0 = b, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = h;
    let k = K256;
    let w = W;
    let t: u32;
    for (let r = 0; r < 8; r++) {
      t = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) + <u32>load<u32>(k + 0) + <u32>load<u32>(w + 0);
      d += t;
      h = t + (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) | (c & (a | b)));
      t = g + (rotr<u32>(d, 6) ^ rotr<u32>(d, 11) ^ rotr<u32>(d, 25)) + (f ^ (d & (e ^ f))) + <u32>load<u32>(k + 4) + <u32>load<u32>(w + 4);
      c += t;
      g = t + (rotr<u32>(h, 2) ^ rotr<u32>(h, 13) ^ rotr<u32>(h, 22)) + ((h & a) | (b & (h | a)));
      t = f + (rotr<u32>(c, 6) ^ rotr<u32>(c, 11) ^ rotr<u32>(c, 25)) + (e ^ (c & (d ^ e))) + <u32>load<u32>(k + 8) + <u32>load<u32>(w + 8);
      b += t;
      f = t + (rotr<u32>(g, 2) ^ rotr<u32>(g, 13) ^ rotr<u32>(g, 22)) + ((g & h) | (a & (g | h)));
      t = e + (rotr<u32>(b, 6) ^ rotr<u32>(b, 11) ^ rotr<u32>(b, 25)) + (d ^ (b & (c ^ d))) + <u32>load<u32>(k + 12) + <u32>load<u32>(w + 12);
      a += t;
      e = t + (rotr<u32>(f, 2) ^ rotr<u32>(f, 13) ^ rotr<u32>(f, 22)) + ((f & g) | (h & (f | g)));
      t = d + (rotr<u32>(a, 6) ^ rotr<u32>(a, 11) ^ rotr<u32>(a, 25)) + (c ^ (a & (b ^ c))) + <u32>load<u32>(k + 16) + <u32>load<u32>(w + 16);
      h += t;
      d = t + (rotr<u32>(e, 2) ^ rotr<u32>(e, 13) ^ rotr<u32>(e, 22)) + ((e & f) | (g & (e | f)));
      t = c + (rotr<u32>(h, 6) ^ rotr<u32>(h, 11) ^ rotr<u32>(h, 25)) + (b ^ (h & (a ^ b))) + <u32>load<u32>(k + 20) + <u32>load<u32>(w + 20);
      g += t;
      c = t + (rotr<u32>(d, 2) ^ rotr<u32>(d, 13) ^ rotr<u32>(d, 22)) + ((d & e) | (f & (d | e)));
      t = b + (rotr<u32>(g, 6) ^ rotr<u32>(g, 11) ^ rotr<u32>(g, 25)) + (a ^ (g & (h ^ a))) + <u32>load<u32>(k + 24) + <u32>load<u32>(w + 24);
      f += t;
      b = t + (rotr<u32>(c, 2) ^ rotr<u32>(c, 13) ^ rotr<u32>(c, 22)) + ((c & d) | (e & (c | d)));
      t = a + (rotr<u32>(f, 6) ^ rotr<u32>(f, 11) ^ rotr<u32>(f, 25)) + (h ^ (f & (g ^ h))) + <u32>load<u32>(k + 28) + <u32>load<u32>(w + 28);
      e += t;
      a = t + (rotr<u32>(b, 2) ^ rotr<u32>(b, 13) ^ rotr<u32>(b, 22)) + ((b & c) | (d & (b | c)));
      k += 32;
      w += 32;
    }
    a += a0; b += b0; c += c0; d += d0; e += e0; f += f0; g += g0; h += h0;
    p += 64;
  }
  store<u32>(state, a, 0);
  store<u32>(state, b, 4);
  store<u32>(state, c, 8);
  store<u32>(state, d, 12);
  store<u32>(state, e, 16);
  store<u32>(state, f, 20);
  store<u32>(state, g, 24);
  store<u32>(state, h, 28);
}

// @ts-ignore: decorator
@inline function init256(state: usize): void {
  store<u32>(state, 0x6a09e667, 0);
  store<u32>(state, 0xbb67ae85, 4);
  store<u32>(state, 0x3c6ef372, 8);
  store<u32>(state, 0xa54ff53a, 12);
  store<u32>(state, 0x510e527f, 16);
  store<u32>(state, 0x9b05688c, 20);
  store<u32>(state, 0x1f83d9ab, 24);
  store<u32>(state, 0x5be0cd19, 28);
}

/** Pads the `used` bytes at `tail` (a 128-byte scratch block), compresses, writes the digest. */
function finish256(state: usize, tail: usize, used: usize, total: u64, out: usize): void {
  store<u8>(tail + used, 0x80);
  used++;
  if (used > 56) {
    memory.fill(tail + used, 0, 64 - used);
    compress256(state, tail, 1);
    used = 0;
  }
  memory.fill(tail + used, 0, 56 - used);
  store<u64>(tail, bswap<u64>(total << 3), 56);
  compress256(state, tail, 1);
  for (let i: usize = 0; i < 32; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(state + i)));
}

const ONESHOT_STATE: usize = memory.data(64);
const ONESHOT_TAIL: usize = memory.data(128);

function oneShot256(p: usize, len: i32): Uint8Array {
  const state = ONESHOT_STATE;
  init256(state);
  const n = <usize>len;
  const full = n >>> 6;
  compress256(state, p, full);
  const rest = n & 63;
  memory.copy(ONESHOT_TAIL, p + (full << 6), rest);
  const out = new Uint8Array(32);
  finish256(state, ONESHOT_TAIL, rest, <u64>n, out.dataStart);
  return out;
}

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  return oneShot256(data.dataStart, data.length);
}

/** Streaming SHA-256. `digest()` finishes and resets, so a hasher can be reused. */
export class Sha256 {
  private state: StaticArray<u32> = new StaticArray<u32>(8);
  private buf: StaticArray<u8> = new StaticArray<u8>(128);
  private used: i32 = 0;
  private total: u64 = 0;

  constructor() {
    this.reset();
  }

  /** Forgets everything absorbed so far. */
  reset(): void {
    init256(changetype<usize>(this.state));
    this.used = 0;
    this.total = 0;
  }

  /** Makes this hasher continue from `other`'s state (HMAC caches keyed states this way). */
  copyFrom(other: Sha256): void {
    memory.copy(changetype<usize>(this.state), changetype<usize>(other.state), 32);
    memory.copy(changetype<usize>(this.buf), changetype<usize>(other.buf), 64);
    this.used = other.used;
    this.total = other.total;
  }

  update(data: Uint8Array): void {
    this.updateRaw(data.dataStart, data.length);
  }

  /** Absorbs `data[start, end)`; a range outside `data` is a programming error (traps). */
  updateRange(data: Uint8Array, start: i32, end: i32): void {
    if (start < 0 || end > data.length || start > end) throw new RangeError("Sha256.updateRange: bad range");
    this.updateRaw(data.dataStart + <usize>start, end - start);
  }

  /** Absorbs `len` bytes at linear-memory address `ptr`. */
  updateRaw(ptr: usize, len: i32): void {
    if (len <= 0) return;
    let n = <usize>len;
    this.total += <u64>n;
    const buf = changetype<usize>(this.buf);
    const state = changetype<usize>(this.state);
    let used = <usize>this.used;
    if (used > 0) {
      const take = min<usize>(64 - used, n);
      memory.copy(buf + used, ptr, take);
      used += take;
      ptr += take;
      n -= take;
      if (used < 64) {
        this.used = <i32>used;
        return;
      }
      compress256(state, buf, 1);
      used = 0;
    }
    const full = n >>> 6;
    if (full > 0) {
      compress256(state, ptr, full);
      ptr += full << 6;
      n &= 63;
    }
    if (n > 0) memory.copy(buf, ptr, n);
    this.used = <i32>n;
  }

  /** The digest of everything absorbed; the hasher is reset afterwards. */
  digest(): Uint8Array {
    const out = new Uint8Array(32);
    finish256(changetype<usize>(this.state), changetype<usize>(this.buf), <usize>this.used, this.total, out.dataStart);
    this.reset();
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// SHA-512 and SHA-384

const K512: usize = memory.data<u64>([
  0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
  0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
  0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
  0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
  0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
  0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
  0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
  0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
  0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
  0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
  0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
  0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
  0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
  0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
  0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
  0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
  0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
  0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
  0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
  0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
]);
/** Message schedule, 80 words. */
const W512: usize = memory.data(80 * 8);

/** Compresses `blocks` 128-byte blocks at `p` into the 8-word state at `state`. */
function compress512(state: usize, p: usize, blocks: usize): void {
  let a = load<u64>(state, 0);
  let b = load<u64>(state, 8);
  let c = load<u64>(state, 16);
  let d = load<u64>(state, 24);
  let e = load<u64>(state, 32);
  let f = load<u64>(state, 40);
  let g = load<u64>(state, 48);
  let h = load<u64>(state, 56);
  while (blocks > 0) {
    blocks--;
    const W = W512;
    for (let i: usize = 0; i < 128; i += 16) {
      store<u64>(W + i, bswap<u64>(load<u64>(p + i)));
      store<u64>(W + i, bswap<u64>(load<u64>(p + i, 8)), 8);
    }
    for (let i: usize = 128; i < 640; i += 16) {
      let x = load<u64>(W + i - 120);
      let y = load<u64>(W + i - 16);
      store<u64>(W + i, load<u64>(W + i - 128) + load<u64>(W + i - 56)
        + (rotr<u64>(x, 1) ^ rotr<u64>(x, 8) ^ (x >>> 7))
        + (rotr<u64>(y, 19) ^ rotr<u64>(y, 61) ^ (y >>> 6)));
      x = load<u64>(W + i - 112);
      y = load<u64>(W + i - 8);
      store<u64>(W + i, load<u64>(W + i - 120) + load<u64>(W + i - 48)
        + (rotr<u64>(x, 1) ^ rotr<u64>(x, 8) ^ (x >>> 7))
        + (rotr<u64>(y, 19) ^ rotr<u64>(y, 61) ^ (y >>> 6)), 8);
    }
    const a0 = a, b0 = b, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = h;
    let k = K512;
    let w = W;
    let t: u64;
    for (let r = 0; r < 10; r++) {
      t = h + (rotr<u64>(e, 14) ^ rotr<u64>(e, 18) ^ rotr<u64>(e, 41)) + (g ^ (e & (f ^ g))) + load<u64>(k + 0) + load<u64>(w + 0);
      d += t;
      h = t + (rotr<u64>(a, 28) ^ rotr<u64>(a, 34) ^ rotr<u64>(a, 39)) + ((a & b) | (c & (a | b)));
      t = g + (rotr<u64>(d, 14) ^ rotr<u64>(d, 18) ^ rotr<u64>(d, 41)) + (f ^ (d & (e ^ f))) + load<u64>(k + 8) + load<u64>(w + 8);
      c += t;
      g = t + (rotr<u64>(h, 28) ^ rotr<u64>(h, 34) ^ rotr<u64>(h, 39)) + ((h & a) | (b & (h | a)));
      t = f + (rotr<u64>(c, 14) ^ rotr<u64>(c, 18) ^ rotr<u64>(c, 41)) + (e ^ (c & (d ^ e))) + load<u64>(k + 16) + load<u64>(w + 16);
      b += t;
      f = t + (rotr<u64>(g, 28) ^ rotr<u64>(g, 34) ^ rotr<u64>(g, 39)) + ((g & h) | (a & (g | h)));
      t = e + (rotr<u64>(b, 14) ^ rotr<u64>(b, 18) ^ rotr<u64>(b, 41)) + (d ^ (b & (c ^ d))) + load<u64>(k + 24) + load<u64>(w + 24);
      a += t;
      e = t + (rotr<u64>(f, 28) ^ rotr<u64>(f, 34) ^ rotr<u64>(f, 39)) + ((f & g) | (h & (f | g)));
      t = d + (rotr<u64>(a, 14) ^ rotr<u64>(a, 18) ^ rotr<u64>(a, 41)) + (c ^ (a & (b ^ c))) + load<u64>(k + 32) + load<u64>(w + 32);
      h += t;
      d = t + (rotr<u64>(e, 28) ^ rotr<u64>(e, 34) ^ rotr<u64>(e, 39)) + ((e & f) | (g & (e | f)));
      t = c + (rotr<u64>(h, 14) ^ rotr<u64>(h, 18) ^ rotr<u64>(h, 41)) + (b ^ (h & (a ^ b))) + load<u64>(k + 40) + load<u64>(w + 40);
      g += t;
      c = t + (rotr<u64>(d, 28) ^ rotr<u64>(d, 34) ^ rotr<u64>(d, 39)) + ((d & e) | (f & (d | e)));
      t = b + (rotr<u64>(g, 14) ^ rotr<u64>(g, 18) ^ rotr<u64>(g, 41)) + (a ^ (g & (h ^ a))) + load<u64>(k + 48) + load<u64>(w + 48);
      f += t;
      b = t + (rotr<u64>(c, 28) ^ rotr<u64>(c, 34) ^ rotr<u64>(c, 39)) + ((c & d) | (e & (c | d)));
      t = a + (rotr<u64>(f, 14) ^ rotr<u64>(f, 18) ^ rotr<u64>(f, 41)) + (h ^ (f & (g ^ h))) + load<u64>(k + 56) + load<u64>(w + 56);
      e += t;
      a = t + (rotr<u64>(b, 28) ^ rotr<u64>(b, 34) ^ rotr<u64>(b, 39)) + ((b & c) | (d & (b | c)));
      k += 64;
      w += 64;
    }
    a += a0; b += b0; c += c0; d += d0; e += e0; f += f0; g += g0; h += h0;
    p += 128;
  }
  store<u64>(state, a, 0);
  store<u64>(state, b, 8);
  store<u64>(state, c, 16);
  store<u64>(state, d, 24);
  store<u64>(state, e, 32);
  store<u64>(state, f, 40);
  store<u64>(state, g, 48);
  store<u64>(state, h, 56);
}

function init512(state: usize, is384: bool): void {
  if (is384) {
    store<u64>(state, 0xcbbb9d5dc1059ed8, 0);
    store<u64>(state, 0x629a292a367cd507, 8);
    store<u64>(state, 0x9159015a3070dd17, 16);
    store<u64>(state, 0x152fecd8f70e5939, 24);
    store<u64>(state, 0x67332667ffc00b31, 32);
    store<u64>(state, 0x8eb44a8768581511, 40);
    store<u64>(state, 0xdb0c2e0d64f98fa7, 48);
    store<u64>(state, 0x47b5481dbefa4fa4, 56);
  } else {
    store<u64>(state, 0x6a09e667f3bcc908, 0);
    store<u64>(state, 0xbb67ae8584caa73b, 8);
    store<u64>(state, 0x3c6ef372fe94f82b, 16);
    store<u64>(state, 0xa54ff53a5f1d36f1, 24);
    store<u64>(state, 0x510e527fade682d1, 32);
    store<u64>(state, 0x9b05688c2b3e6c1f, 40);
    store<u64>(state, 0x1f83d9abfb41bd6b, 48);
    store<u64>(state, 0x5be0cd19137e2179, 56);
  }
}

/** Pads the `used` bytes at `tail` (a 256-byte scratch block), compresses, writes `outLen` bytes. */
function finish512(state: usize, tail: usize, used: usize, total: u64, out: usize, outLen: usize): void {
  store<u8>(tail + used, 0x80);
  used++;
  if (used > 112) {
    memory.fill(tail + used, 0, 128 - used);
    compress512(state, tail, 1);
    used = 0;
  }
  memory.fill(tail + used, 0, 112 - used);
  // The length field is 128 bits; a byte count in a u64 has at most 67 significant bits.
  store<u64>(tail, bswap<u64>(total >>> 61), 112);
  store<u64>(tail, bswap<u64>(total << 3), 120);
  compress512(state, tail, 1);
  for (let i: usize = 0; i < outLen; i += 8) store<u64>(out + i, bswap<u64>(load<u64>(state + i)));
}

const ONESHOT_TAIL512: usize = memory.data(256);

function oneShot512(p: usize, len: i32, is384: bool): Uint8Array {
  const state = ONESHOT_STATE;
  init512(state, is384);
  const n = <usize>len;
  const full = n >>> 7;
  compress512(state, p, full);
  const rest = n & 127;
  memory.copy(ONESHOT_TAIL512, p + (full << 7), rest);
  const outLen: i32 = is384 ? 48 : 64;
  const out = new Uint8Array(outLen);
  finish512(state, ONESHOT_TAIL512, rest, <u64>n, out.dataStart, <usize>outLen);
  return out;
}

/** SHA-384 of `data`. */
export function sha384(data: Uint8Array): Uint8Array {
  return oneShot512(data.dataStart, data.length, true);
}

/** SHA-512 of `data`. */
export function sha512(data: Uint8Array): Uint8Array {
  return oneShot512(data.dataStart, data.length, false);
}

/** Streaming SHA-512 (or SHA-384 with `is384`). `digest()` finishes and resets. */
export class Sha512 {
  private state: StaticArray<u64> = new StaticArray<u64>(8);
  private buf: StaticArray<u8> = new StaticArray<u8>(256);
  private used: i32 = 0;
  private total: u64 = 0;
  private is384: bool;

  constructor(is384: bool = false) {
    this.is384 = is384;
    this.reset();
  }

  /** Digest length in bytes: 64, or 48 for SHA-384. */
  get digestLength(): i32 {
    return this.is384 ? 48 : 64;
  }

  reset(): void {
    init512(changetype<usize>(this.state), this.is384);
    this.used = 0;
    this.total = 0;
  }

  /** Makes this hasher continue from `other`'s state (same variant expected). */
  copyFrom(other: Sha512): void {
    memory.copy(changetype<usize>(this.state), changetype<usize>(other.state), 64);
    memory.copy(changetype<usize>(this.buf), changetype<usize>(other.buf), 128);
    this.used = other.used;
    this.total = other.total;
    this.is384 = other.is384;
  }

  update(data: Uint8Array): void {
    this.updateRaw(data.dataStart, data.length);
  }

  /** Absorbs `data[start, end)`; a range outside `data` is a programming error (traps). */
  updateRange(data: Uint8Array, start: i32, end: i32): void {
    if (start < 0 || end > data.length || start > end) throw new RangeError("Sha512.updateRange: bad range");
    this.updateRaw(data.dataStart + <usize>start, end - start);
  }

  /** Absorbs `len` bytes at linear-memory address `ptr`. */
  updateRaw(ptr: usize, len: i32): void {
    if (len <= 0) return;
    let n = <usize>len;
    this.total += <u64>n;
    const buf = changetype<usize>(this.buf);
    const state = changetype<usize>(this.state);
    let used = <usize>this.used;
    if (used > 0) {
      const take = min<usize>(128 - used, n);
      memory.copy(buf + used, ptr, take);
      used += take;
      ptr += take;
      n -= take;
      if (used < 128) {
        this.used = <i32>used;
        return;
      }
      compress512(state, buf, 1);
      used = 0;
    }
    const full = n >>> 7;
    if (full > 0) {
      compress512(state, ptr, full);
      ptr += full << 7;
      n &= 127;
    }
    if (n > 0) memory.copy(buf, ptr, n);
    this.used = <i32>n;
  }

  /** The digest of everything absorbed; the hasher is reset afterwards. */
  digest(): Uint8Array {
    const outLen = this.digestLength;
    const out = new Uint8Array(outLen);
    finish512(changetype<usize>(this.state), changetype<usize>(this.buf), <usize>this.used, this.total, out.dataStart, <usize>outLen);
    this.reset();
    return out;
  }
}

/** Streaming SHA-384: SHA-512 with its own initial values, truncated to 48 bytes. */
export class Sha384 extends Sha512 {
  constructor() {
    super(true);
  }
}

// ---------------------------------------------------------------------------------------------
// By algorithm

/** The `alg` digest of `data`. */
export function digest(alg: HashAlg, data: Uint8Array): Uint8Array {
  return digestRaw(alg, data.dataStart, data.length);
}

/** The `alg` digest of `data[start, end)` (e.g. a JWS signing input inside a token), no copy. */
export function digestRange(alg: HashAlg, data: Uint8Array, start: i32, end: i32): Uint8Array {
  if (start < 0 || end > data.length || start > end) throw new RangeError("digestRange: bad range");
  return digestRaw(alg, data.dataStart + <usize>start, end - start);
}

/** The `alg` digest of `len` bytes at linear-memory address `ptr`. */
export function digestRaw(alg: HashAlg, ptr: usize, len: i32): Uint8Array {
  if (alg == HashAlg.SHA256) return oneShot256(ptr, len);
  return oneShot512(ptr, len, alg == HashAlg.SHA384);
}

// Randomness without `env.seed` (proxy-wasm-abi.md §3.16): WASI random_get (a CSPRNG in
// Envoy, allowed in every phase) and an optional fast PRNG seeded from it.

import { random_get } from "./abi/wasi";

/** random_get accepts at most 64 KiB per call in Envoy. */
const RANDOM_CHUNK: usize = 65536;
const WORD: usize = memory.data(8, 8);

/** Fills `len` bytes at `ptr` from the host CSPRNG; false if the host refused. */
export function fillRandom(ptr: usize, len: usize): bool {
  while (len > 0) {
    const n = len < RANDOM_CHUNK ? len : RANDOM_CHUNK;
    if (random_get(ptr, n) != 0) return false;
    ptr += n;
    len -= n;
  }
  return true;
}

/** `n` bytes from the host CSPRNG (zeros if the host refused). */
export function randomBytes(n: i32): ArrayBuffer {
  const buf = new ArrayBuffer(n);
  fillRandom(changetype<usize>(buf), <usize>n);
  return buf;
}

export function randomU32(): u32 {
  store<u64>(WORD, 0);
  fillRandom(WORD, 4);
  return load<u32>(WORD);
}

export function randomU64(): u64 {
  store<u64>(WORD, 0);
  fillRandom(WORD, 8);
  return load<u64>(WORD);
}

/** A uniform double in [0, 1) from the host CSPRNG. */
export function randomFloat(): f64 {
  return <f64>(randomU64() >> 11) * (1.0 / 9007199254740992.0);
}

/**
 * xoshiro128** / splitmix-seeded PRNG for hot paths (e.g. fault percentages) where a
 * hostcall per draw is too much. Not for secrets. `Prng.fromHost()` seeds it from WASI.
 */
export class Prng {
  private s0: u32;
  private s1: u32;
  private s2: u32;
  private s3: u32;

  constructor(seed: u64) {
    // splitmix64 spreads any seed (even 0) over the 128-bit state.
    let z = seed;
    z += 0x9E3779B97F4A7C15;
    let a = z;
    a = (a ^ (a >> 30)) * 0xBF58476D1CE4E5B9;
    a = (a ^ (a >> 27)) * 0x94D049BB133111EB;
    a ^= a >> 31;
    z += 0x9E3779B97F4A7C15;
    let b = z;
    b = (b ^ (b >> 30)) * 0xBF58476D1CE4E5B9;
    b = (b ^ (b >> 27)) * 0x94D049BB133111EB;
    b ^= b >> 31;
    this.s0 = <u32>a;
    this.s1 = <u32>(a >> 32);
    this.s2 = <u32>b;
    this.s3 = <u32>(b >> 32);
    if ((this.s0 | this.s1 | this.s2 | this.s3) == 0) this.s0 = 1;
  }

  /** A generator seeded from the host CSPRNG. */
  static fromHost(): Prng {
    return new Prng(randomU64());
  }

  nextU32(): u32 {
    const result = rotl<u32>(this.s1 * 5, 7) * 9;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl<u32>(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1). */
  nextFloat(): f64 {
    const hi = <u64>(this.nextU32() >> 5);
    const lo = <u64>(this.nextU32() >> 6);
    return <f64>((hi << 26) | lo) * (1.0 / 9007199254740992.0);
  }

  /** A uniform integer in [0, bound) (bound > 0), without modulo bias. */
  nextBelow(bound: u32): u32 {
    const threshold = (0 - bound) % bound;
    while (true) {
      const r = this.nextU32();
      if (r >= threshold) return r % bound;
    }
    return 0;
  }
}

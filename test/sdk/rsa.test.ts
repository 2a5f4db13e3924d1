// RSA verification of the SDK (sdk/crypto/rsa.ts over sdk/crypto/bigint.ts), run through the
// built wasm (SIMD and scalar builds): Wycheproof's PKCS#1 v1.5 and PSS vectors, key checks,
// and differential tests against node:crypto with keys generated here.
import { constants, generateKeyPairSync, privateEncrypt, publicDecrypt, sign, verify, type KeyObject } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { loadPure } from "./load-pure.ts";
import { hex, loadWycheproof, type RsaPkcs1Group, type RsaPssGroup } from "./wycheproof.ts";

const HASHES = { "SHA-256": 0, "SHA-384": 1, "SHA-512": 2 } as Record<string, number>;
const NODE_HASH = ["sha256", "sha384", "sha512"];
const H_LEN = [32, 48, 64];

const PKCS1_FILES = [
  "rsa_signature_2048_sha256_test.json",
  "rsa_signature_2048_sha384_test.json",
  "rsa_signature_2048_sha512_test.json",
  "rsa_signature_3072_sha256_test.json",
  "rsa_signature_4096_sha256_test.json",
  "rsa_signature_4096_sha512_test.json",
];
const PSS_FILES = [
  "rsa_pss_2048_sha256_mgf1_32_test.json",
  "rsa_pss_2048_sha384_mgf1_48_test.json",
  "rsa_pss_3072_sha256_mgf1_32_test.json",
  "rsa_pss_4096_sha512_mgf1_64_test.json",
];

// `acceptable` vectors, decided per flag. The only one in these files is MissingNull (a
// DigestInfo without the NULL parameters): we compare against the one DER encoding RFC 8017
// §9.2 specifies, so it is rejected.
const ACCEPTABLE_DECISION: Record<string, boolean> = { MissingNull: false };

interface TestKey {
  bits: number;
  e: number;
  publicKey: KeyObject;
  privateKey: KeyObject;
  n: Uint8Array;
  eBytes: Uint8Array;
}

// A few keys per size (key generation is slow and the machine is shared): the three JWS sizes
// with e = 65537, odd sizes with e = 3 and 65537 so that moduli whose length is not a multiple
// of 8 bits (or of 28-bit limbs) are exercised, including PSS's emLen = k - 1 case, and the
// largest accepted exponent, 2^32 - 1 (every exponent bit set).
const KEY_SPECS = [
  { bits: 2048, e: 65537 },
  { bits: 2048, e: 0xffffffff },
  { bits: 3072, e: 65537 },
  { bits: 4096, e: 65537 },
  { bits: 2049, e: 3 },
  { bits: 3001, e: 65537 },
  // 2098 bits: 263 bytes hold 2104 bits, more than the 75 limbs of 28 bits (2100) the
  // arithmetic keeps, so a signature's top bits must be range-checked before they are dropped.
  { bits: 2098, e: 65537 },
];
let testKeys: TestKey[] = [];
beforeAll(() => {
  testKeys = KEY_SPECS.map(({ bits, e }) => {
    // OpenSSL now and then returns a modulus one bit short of an odd requested size: retry,
    // so that the 2049-bit case (PSS with emLen = k - 1) is really exercised.
    for (let attempt = 0; ; attempt++) {
      const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: bits, publicExponent: e });
      const jwk = publicKey.export({ format: "jwk" });
      const n = b64u(jwk.n!);
      if (bigOf(n).toString(2).length !== bits && attempt < 5) continue;
      return { bits: bigOf(n).toString(2).length, e, publicKey, privateKey, n, eBytes: b64u(jwk.e!) };
    }
  });
});

function b64u(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, "base64url"));
}
function bigOf(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt("0x" + Buffer.from(b).toString("hex"));
}
function bytesOf(x: bigint, len: number): Uint8Array {
  return new Uint8Array(Buffer.from(x.toString(16).padStart(len * 2, "0"), "hex"));
}
function pssOpts(key: KeyObject, saltLength: number) {
  return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength };
}

describe.each([
  { build: "simd", scalar: false },
  { build: "scalar", scalar: true },
])("RSA ($build build)", ({ scalar }) => {
  let m: Record<string, any>;
  beforeAll(async () => {
    m = await loadPure("rsa", { scalar });
  });

  /** Runs one Wycheproof file; returns the failures (empty when every vector behaves). */
  function runVectors(file: string, pss: boolean): { failures: string[]; count: number } | null {
    const data = loadWycheproof<RsaPssGroup>(file);
    if (data === null) return null;
    const failures: string[] = [];
    let count = 0;
    for (const g of data.testGroups) {
      const id = m.keyNew(hex(g.publicKey.modulus), hex(g.publicKey.publicExponent));
      if (id < 0) failures.push(`key of group with ${g.keySize} bits: ${m.lastKeyError()}`);
      const alg = HASHES[g.sha];
      if (pss) expect(g.mgfSha).toBe(g.sha); // MGF1 with the same hash is all JWS needs
      for (const t of g.tests) {
        count++;
        const want =
          t.result === "valid" ? true : t.result === "invalid" ? false : ACCEPTABLE_DECISION[t.flags.join(",")];
        if (want === undefined) {
          failures.push(`tcId ${t.tcId}: acceptable with undecided flags ${t.flags}`);
          continue;
        }
        const got =
          id < 0
            ? false
            : pss
              ? m.verifyPss(id, alg, hex(t.msg), hex(t.sig), g.sLen)
              : m.verifyPkcs1(id, alg, hex(t.msg), hex(t.sig));
        if (got !== want) failures.push(`tcId ${t.tcId} (${t.result}, ${t.flags} ${t.comment}): got ${got}`);
      }
      if (id >= 0) m.keyFree(id);
    }
    return { failures, count };
  }

  describe("Wycheproof RSASSA-PKCS1-v1_5", () => {
    it.each(PKCS1_FILES)("%s", (file) => {
      const r = runVectors(file, false);
      if (r === null) return; // vectors absent: one warning printed, nothing counted
      expect(r.failures).toEqual([]);
      expect(r.count).toBeGreaterThan(200);
    });
  });

  describe("Wycheproof RSASSA-PSS", () => {
    it.each(PSS_FILES)("%s", (file) => {
      const r = runVectors(file, true);
      if (r === null) return;
      expect(r.failures).toEqual([]);
      expect(r.count).toBeGreaterThan(100);
    });
  });

  it("keeps every key usable while many others are created and dropped (GC pressure)", () => {
    // A key's limb buffers are managed objects filled through raw addresses; one not held by
    // the key would be freed and reused under it. Churn keys (each set-up allocates), then
    // re-check the first ones. A smoke test: when a collection runs is not deterministic.
    const msg = Buffer.from("gc pressure");
    const made = testKeys.map((k) => {
      const id = m.keyNew(k.n, k.eBytes);
      expect(id, m.lastKeyError()).toBeGreaterThanOrEqual(0);
      m.keyFree(m.keyNewRepeat(k.n, k.eBytes, 20));
      return { id, rs: new Uint8Array(sign("sha256", msg, k.privateKey)), ps: new Uint8Array(sign("sha256", msg, pssOpts(k.privateKey, 32))) };
    });
    for (const k of made) {
      expect(m.verifyPkcs1(k.id, 0, msg, k.rs)).toBe(true);
      expect(m.verifyPss(k.id, 0, msg, k.ps, 32)).toBe(true);
      m.keyFree(k.id);
    }
  });

  describe("key checks", () => {
    const n2048 = () => testKeys[0].n;
    const e65537 = Uint8Array.of(1, 0, 1);

    it("accept 2048..4096-bit odd moduli with an odd exponent ≥ 3", () => {
      for (const k of testKeys) {
        expect(m.keyCheck(k.n, k.eBytes)).toBe("");
        const id = m.keyNew(k.n, k.eBytes);
        expect(id).toBeGreaterThanOrEqual(0);
        expect(m.keyBits(id)).toBe(k.bits);
        m.keyFree(id);
      }
      // Leading zero bytes (as in DER integers) are ignored.
      expect(m.keyCheck(Uint8Array.of(0, 0, ...n2048()), Uint8Array.of(0, 1, 0, 1))).toBe("");
      // The largest accepted exponent: 2^32 - 1.
      expect(m.keyCheck(n2048(), Uint8Array.of(0xff, 0xff, 0xff, 0xff))).toBe("");
    });

    it("reject moduli outside 2048..4096 bits, even moduli, zero", () => {
      const at = (bits: number) => bytesOf((1n << BigInt(bits - 1)) | 1n, Math.ceil(bits / 8));
      expect(m.keyCheck(at(2047), e65537)).toBe("RSA modulus has 2047 bits; at least 2048 are required");
      expect(m.keyCheck(at(1024), e65537)).toMatch(/1024 bits; at least 2048/);
      expect(m.keyCheck(at(2048), e65537)).toBe("");
      expect(m.keyCheck(at(4096), e65537)).toBe("");
      expect(m.keyCheck(at(4097), e65537)).toBe("RSA modulus has 4097 bits; at most 4096 are supported");
      const even = n2048().slice();
      even[even.length - 1] &= 0xfe;
      expect(m.keyCheck(even, e65537)).toBe("RSA modulus is even");
      expect(m.keyCheck(new Uint8Array(256), e65537)).toBe("RSA modulus is zero");
      expect(m.keyCheck(new Uint8Array(0), e65537)).toBe("RSA modulus is zero");
    });

    it("reject exponents that are even, below 3 or wider than 32 bits", () => {
      expect(m.keyCheck(n2048(), Uint8Array.of())).toBe("RSA public exponent must be at least 3");
      expect(m.keyCheck(n2048(), Uint8Array.of(0))).toBe("RSA public exponent must be at least 3");
      expect(m.keyCheck(n2048(), Uint8Array.of(1))).toBe("RSA public exponent must be at least 3");
      expect(m.keyCheck(n2048(), Uint8Array.of(2))).toBe("RSA public exponent must be at least 3");
      expect(m.keyCheck(n2048(), Uint8Array.of(1, 0, 0))).toBe("RSA public exponent must be odd");
      expect(m.keyCheck(n2048(), Uint8Array.of(1, 0, 0, 0, 1))).toBe(
        "RSA public exponent is too large (more than 32 bits)",
      );
      expect(m.keyCheck(n2048(), Uint8Array.of(0, 0, 0, 0, 0, 3))).toBe("");
    });

    it("create returns no key and says why", () => {
      expect(m.keyNew(n2048(), Uint8Array.of(1))).toBe(-1);
      expect(m.lastKeyError()).toBe("RSA public exponent must be at least 3");
      const id = m.keyNew(n2048(), e65537);
      expect(id).toBeGreaterThanOrEqual(0);
      expect(m.lastKeyError()).toBe("");
      m.keyFree(id);
    });
  });

  describe("against node:crypto", () => {
    // Each property runs on every generated key; the key's wasm set-up is made once per key.
    function withKeys(body: (k: TestKey, id: number) => void) {
      for (const k of testKeys) {
        const id = m.keyNew(k.n, k.eBytes);
        expect(id, m.lastKeyError()).toBeGreaterThanOrEqual(0);
        try {
          body(k, id);
        } finally {
          m.keyFree(id);
        }
      }
    }

    it("s^e mod n equals node's raw RSA public operation, for any s < n; s ≥ n is refused", () => {
      withKeys((k, id) => {
        const n = bigOf(k.n);
        const len = k.n.length;
        const raw = (s: Uint8Array) => publicDecrypt({ key: k.publicKey, padding: constants.RSA_NO_PADDING }, s);
        const edge = [0n, 1n, 2n, n - 1n, n - 2n, n >> 1n, (1n << BigInt(k.bits - 1)) - 1n];
        for (const s of edge) expect(hexOf(m.rsaPublic(id, bytesOf(s, len))), `s = ${s}`).toBe(hexOf(raw(bytesOf(s, len))));
        for (const s of [n, n + 1n, (1n << BigInt(8 * len)) - 1n]) expect(m.rsaPublic(id, bytesOf(s, len))).toBeNull();
        fc.assert(
          fc.property(fc.uint8Array({ minLength: len, maxLength: len }), (s) => {
            if (bigOf(s) >= n) return m.rsaPublic(id, s) === null;
            return hexOf(m.rsaPublic(id, s)) === hexOf(raw(s));
          }),
          { numRuns: 60 },
        );
      });
    });

    it("a signature plus 2^(28k) or plus n (still modulus-length bytes) is rejected, as node rejects it (s < n)", () => {
      withKeys((k, id) => {
        const n = bigOf(k.n);
        const len = k.n.length;
        const limbBits = 28n * BigInt(Math.ceil((k.bits + 2) / 28));
        const msg = Buffer.from("malleate me");
        const good = new Uint8Array(sign("sha256", msg, k.privateKey));
        const pss = new Uint8Array(sign("sha256", msg, pssOpts(k.privateKey, 32)));
        expect(m.verifyPkcs1(id, 0, msg, good)).toBe(true);
        for (const add of [1n << limbBits, n]) {
          for (const [sig, isPss] of [[good, false], [pss, true]] as const) {
            const s = bigOf(sig) + add;
            if (s >= 1n << BigInt(8 * len)) continue; // does not fit: a length error, tested elsewhere
            const bad = bytesOf(s, len);
            expect(m.rsaPublic(id, bad), `${k.bits} bits, s + ${add === n ? "n" : "2^" + limbBits}`).toBeNull();
            const ours = isPss ? m.verifyPss(id, 0, msg, bad, 32) : m.verifyPkcs1(id, 0, msg, bad);
            expect(ours, `${k.bits} bits, ${isPss ? "PS256" : "RS256"}, s + ${add === n ? "n" : "2^" + limbBits}`).toBe(false);
            expect(verify("sha256", msg, isPss ? pssOpts(k.publicKey, 32) : k.publicKey, bad)).toBe(false);
          }
        }
      });
    });

    it("RS256/384/512: node's signatures verify, over random messages", () => {
      withKeys((k, id) => {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 2 }), (msg, alg) => {
            const sig = sign(NODE_HASH[alg], msg, k.privateKey);
            if (!m.verifyPkcs1(id, alg, msg, sig)) return false;
            // The same signature under another hash, or over another message, does not.
            if (m.verifyPkcs1(id, (alg + 1) % 3, msg, sig)) return false;
            return !m.verifyPkcs1(id, alg, Uint8Array.of(...msg, 0), sig);
          }),
          { numRuns: 15 },
        );
      });
    });

    it("PS256/384/512: node's signatures verify with salt = hash length, and only with that salt length", () => {
      withKeys((k, id) => {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 2 }), (msg, alg) => {
            const sig = sign(NODE_HASH[alg], msg, pssOpts(k.privateKey, H_LEN[alg]));
            if (!m.verifyPss(id, alg, msg, sig, H_LEN[alg])) return false;
            if (m.verifyPss(id, alg, msg, sig, H_LEN[alg] - 1) || m.verifyPss(id, alg, msg, sig, H_LEN[alg] + 1)) return false;
            if (m.verifyPkcs1(id, alg, msg, sig)) return false; // a PSS signature is not PKCS#1 v1.5
            return !m.verifyPss(id, alg, Uint8Array.of(...msg, 1), sig, H_LEN[alg]);
          }),
          { numRuns: 10 },
        );
        // Other salt lengths (Wycheproof-style parameters), including none.
        for (const salt of [0, 20, 100]) {
          const msg = Buffer.from(`salt ${salt}`);
          const sig = sign("sha256", msg, pssOpts(k.privateKey, salt));
          expect(m.verifyPss(id, 0, msg, sig, salt)).toBe(true);
          expect(m.verifyPss(id, 0, msg, sig, 32)).toBe(verify("sha256", msg, pssOpts(k.publicKey, 32), sig));
        }
      });
    });

    it("PSS: a salt length too large for the key is a rejection, never a trap (no i32 overflow in hLen + sLen + 2)", () => {
      withKeys((k, id) => {
        const msg = Buffer.from("huge salt");
        const sig = sign("sha256", msg, pssOpts(k.privateKey, 32));
        for (const salt of [k.n.length, k.n.length - 33, 0x7fffffff, 0x7fffffff - 33, 0x7fffffff - 34, 0x40000000]) {
          expect(m.verifyPss(id, 0, msg, sig, salt), `saltLen ${salt}`).toBe(false);
        }
      });
    });

    // The encoded message must match exactly, byte for byte: for every byte position of EM,
    // a signature (made with the private key on the raw integer) of EM with that one byte
    // changed is rejected, and of EM itself is accepted. Random corruptions of s almost never
    // reach this (they scramble all of EM); this is what catches a comparison that skips a
    // byte of the padding, the DigestInfo or the PSS trailer.
    it("every single-byte change of the encoded message is rejected (RS256, PS256)", () => {
      for (const k of testKeys.filter((t) => t.bits <= 2049)) {
        const id = m.keyNew(k.n, k.eBytes);
        const msg = Buffer.from("one byte at a time");
        const n = bigOf(k.n);
        for (const pss of [false, true]) {
          const good = pss ? sign("sha256", msg, pssOpts(k.privateKey, 32)) : sign("sha256", msg, k.privateKey);
          const em = publicDecrypt({ key: k.publicKey, padding: constants.RSA_NO_PADDING }, good);
          const rawSign = (x: Uint8Array) => privateEncrypt({ key: k.privateKey, padding: constants.RSA_NO_PADDING }, x);
          const check = (s: Uint8Array) => (pss ? m.verifyPss(id, 0, msg, s, 32) : m.verifyPkcs1(id, 0, msg, s));
          expect(check(rawSign(em))).toBe(true);
          const rejected: number[] = [];
          for (let p = 0; p < em.length; p++) {
            const bad = Buffer.from(em);
            bad[p] ^= 1 << (p % 8);
            if (bigOf(bad) >= n) continue; // not a value a signature can produce
            if (!check(rawSign(bad))) rejected.push(p);
          }
          const possible = [...em.keys()].filter((p) => {
            const bad = Buffer.from(em);
            bad[p] ^= 1 << (p % 8);
            return bigOf(bad) < n;
          });
          expect(rejected, `${pss ? "PSS" : "PKCS#1"} ${k.bits} bits`).toEqual(possible);
        }
        m.keyFree(id);
      }
    });

    // A corruption of a valid signature. Same-length corruptions must get node's verdict;
    // a signature whose length is not the modulus length is always rejected (RFC 8017 §8.1.2
    // and §8.2.2 step 1), which is stricter than node: OpenSSL accepts a PSS signature with
    // its leading zero byte removed.
    const corruption = (len: number) =>
      fc.oneof(
        fc.record({ kind: fc.constant("flip"), at: fc.nat(len * 8 - 1) }),
        fc.record({ kind: fc.constant("truncate"), at: fc.integer({ min: 0, max: len - 1 }) }),
        fc.record({ kind: fc.constant("extend"), at: fc.integer({ min: 1, max: 8 }) }),
        fc.record({ kind: fc.constant("prepend0"), at: fc.constant(1) }),
        fc.record({ kind: fc.constantFrom("zero", "one", "n-1", "n", "random", "byte"), at: fc.nat(len - 1) }),
      );
    function corrupt(sig: Uint8Array, n: Uint8Array, c: { kind: string; at: number }, rnd: Uint8Array): Uint8Array {
      const len = sig.length;
      switch (c.kind) {
        case "flip": {
          const s = sig.slice();
          s[c.at >> 3] ^= 1 << (c.at & 7);
          return s;
        }
        case "truncate":
          return sig.slice(0, c.at);
        case "extend":
          return Uint8Array.of(...sig, ...rnd.slice(0, c.at));
        case "prepend0":
          return Uint8Array.of(0, ...sig);
        case "zero":
          return new Uint8Array(len);
        case "one":
          return bytesOf(1n, len);
        case "n-1":
          return bytesOf(bigOf(n) - 1n, len);
        case "n":
          return n.slice();
        case "byte": {
          const s = sig.slice();
          s[c.at] = rnd[0] === s[c.at] ? s[c.at] ^ 0x80 : rnd[0];
          return s;
        }
        default:
          return rnd.slice(0, len);
      }
    }

    it("corrupted RS* and PS* signatures: same verdict as node, wrong lengths always rejected", () => {
      withKeys((k, id) => {
        const len = k.n.length;
        fc.assert(
          fc.property(
            fc.uint8Array({ maxLength: 100 }),
            fc.integer({ min: 0, max: 2 }),
            fc.boolean(),
            corruption(len),
            fc.uint8Array({ minLength: len, maxLength: len }),
            (msg, alg, pss, c, rnd) => {
              const hash = NODE_HASH[alg];
              const good = new Uint8Array(pss ? sign(hash, msg, pssOpts(k.privateKey, H_LEN[alg])) : sign(hash, msg, k.privateKey));
              const bad = corrupt(good, k.n, c, rnd);
              const ours = pss ? m.verifyPss(id, alg, msg, bad, H_LEN[alg]) : m.verifyPkcs1(id, alg, msg, bad);
              if (bad.length !== len) return ours === false;
              let theirs: boolean;
              try {
                theirs = pss ? verify(hash, msg, pssOpts(k.publicKey, H_LEN[alg]), bad) : verify(hash, msg, k.publicKey, bad);
              } catch {
                theirs = false; // e.g. s ≥ n: OpenSSL raises "data too large for modulus"
              }
              return ours === theirs;
            },
          ),
          { numRuns: 40 },
        );
      });
    });
  });
});

function hexOf(b: Uint8Array | null): string | null {
  return b === null ? null : Buffer.from(b).toString("hex");
}

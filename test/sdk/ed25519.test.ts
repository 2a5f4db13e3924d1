// Ed25519 verification (sdk/crypto/ed25519.ts) for JWS EdDSA, run through the built wasm (SIMD
// and scalar builds): RFC 8032 examples, every Wycheproof vector of ed25519_test.json, key
// decoding edge cases, and differential tests against node:crypto on random messages and
// corrupted signatures.
import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { loadPure } from "./load-pure.ts";
import { allTests, hex, loadWycheproof, type EddsaGroup } from "./wycheproof.ts";

const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const le = (x: bigint, len = 32) => new Uint8Array(Buffer.from(x.toString(16).padStart(len * 2, "0"), "hex").reverse());
const fromLE = (b: Uint8Array) => BigInt("0x" + (Buffer.from(b).reverse().toString("hex") || "0"));
const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");
const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;
function modpow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b = mod(b, m);
  for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}

describe.each([
  { build: "simd", scalar: false },
  { build: "scalar", scalar: true },
])("Ed25519 ($build build)", ({ scalar }) => {
  let m: Record<string, any>;
  beforeAll(async () => {
    m = await loadPure("ed25519", { scalar });
  });
  const keyOf = (a: Uint8Array) => {
    const k = m.ed25519KeyCreate(a);
    expect(k, `key rejected: ${m.ed25519KeyError()}`).toBeGreaterThanOrEqual(0);
    return k as number;
  };

  it("computes [s]B: B itself, 2B, and the public keys node derives", () => {
    expect(hexOf(m.ed25519BaseMul(le(1n)))).toBe("5866666666666666666666666666666666666666666666666666666666666666");
    // [L]B is the identity (0, 1); [L-1]B is -B (B with the sign bit set).
    expect(hexOf(m.ed25519BaseMul(le(L)))).toBe("01" + "00".repeat(31));
    expect(hexOf(m.ed25519BaseMul(le(L - 1n)))).toBe("58666666666666666666666666666666666666666666666666666666666666e6");
  });

  it("verifies RFC 8032 §7.1 test 1 and test 2", () => {
    const k1 = keyOf(hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
    const s1 = hex(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
    expect(m.ed25519Verify(k1, new Uint8Array(0), s1)).toBe(true);
    expect(m.ed25519Verify(k1, new Uint8Array([0]), s1)).toBe(false);
    const k2 = keyOf(hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"));
    const s2 = hex(
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    );
    expect(m.ed25519Verify(k2, hex("72"), s2)).toBe(true);
  });

  it("passes every Wycheproof vector of ed25519_test.json (cofactorless verification)", () => {
    const file = loadWycheproof<EddsaGroup>("ed25519_test.json");
    if (file === null) return; // vectors absent: one warning printed, nothing counted
    let count = 0;
    for (const { group, test } of allTests(file)) {
      const key = keyOf(hex(group.publicKey.pk));
      const got = m.ed25519Verify(key, hex(test.msg), hex(test.sig));
      m.ed25519KeyFree(key);
      // The file has no "acceptable" cases; one appearing would need a decision here.
      expect(test.result, `tcId ${test.tcId}`).not.toBe("acceptable");
      expect(got, `tcId ${test.tcId} (${test.comment}; ${test.flags.join(", ")})`).toBe(test.result === "valid");
      count++;
    }
    expect(count).toBe(file.numberOfTests);
  });

  it("rejects public keys that are not canonical encodings of curve points", () => {
    const reject = (a: Uint8Array, reason: RegExp) => {
      expect(m.ed25519KeyCreate(a), hexOf(a)).toBe(-1);
      expect(m.ed25519KeyError()).toMatch(reason);
    };
    reject(new Uint8Array(31), /32 bytes/);
    reject(new Uint8Array(33), /32 bytes/);
    // y = p, p + 1, 2^255 - 1: non-canonical (y >= p), whatever the sign bit.
    for (const y of [P, P + 1n, P + 18n]) {
      reject(le(y), /not a canonical/);
      const neg = le(y);
      neg[31] |= 0x80;
      reject(neg, /not a canonical/);
    }
    // y = 1 is the identity with x = 0: its encoding with the sign bit set ("-0") is invalid.
    const minusZero = le(1n);
    minusZero[31] |= 0x80;
    reject(minusZero, /not a canonical/);
    // y = 2: (y^2 - 1)/(d y^2 + 1) is not a square mod p, so no point has it.
    reject(le(2n), /not a canonical/);
    // The identity and the canonical small-order points decode (they are points); see the module doc.
    expect(m.ed25519KeyCreate(le(1n))).toBeGreaterThanOrEqual(0);
    expect(m.ed25519KeyCreate(le(P - 1n))).toBeGreaterThanOrEqual(0); // (0, -1), order 2
  });

  it("decodes exactly the encodings a BigInt reference decodes (random 32-byte strings)", () => {
    const D = mod(-121665n * modpow(121666n, P - 2n, P), P);
    const exists = (a: Uint8Array) => {
      const y = fromLE(a) & ((1n << 255n) - 1n);
      const sign = a[31] >> 7;
      if (y >= P) return false;
      const x2 = mod((y * y - 1n) * modpow(D * y * y + 1n, P - 2n, P), P);
      if (x2 === 0n) return sign === 0; // x = 0: only "+0" is canonical
      return modpow(x2, (P - 1n) / 2n, P) === 1n; // Euler: x^2 must be a square
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          // Force y near p and the small values that hold the special points.
          fc.tuple(fc.bigInt({ min: 0n, max: 40n }), fc.boolean(), fc.boolean()).map(([d, high, neg]) => {
            const a = le(high ? P - 20n + d : d);
            if (neg) a[31] |= 0x80;
            return a;
          }),
        ),
        (a) => {
          expect(m.ed25519KeyCreate(a) >= 0, hexOf(a)).toBe(exists(a));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("keeps every key usable while many others are created and dropped (GC pressure)", () => {
    // Key tables are built with temporaries; a temporary the collector does not see as live
    // would be freed and reused under an older key's feet (Wycheproof tcId 115 once caught
    // exactly that). Churn allocations, then re-check every key. When a collection runs is not
    // deterministic, so this is a smoke test, not a proof.
    const made = Array.from({ length: 150 }, (_, i) => {
      const { publicKey, privateKey } = generateKeyPairSync("ed25519");
      const a = new Uint8Array(Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url"));
      const handle = keyOf(a);
      const msg = randomBytes(50 + i);
      const sig = new Uint8Array(sign(null, msg, privateKey));
      expect(m.ed25519Verify(handle, msg, sig)).toBe(true);
      expect(m.ed25519KeyCreateRepeat(a, 1 + (i % 3))).toBe(true);
      return { handle, msg, sig };
    });
    for (const k of made) expect(m.ed25519Verify(k.handle, k.msg, k.sig)).toBe(true);
    for (const k of made) m.ed25519KeyFree(k.handle);
  });

  describe("against node:crypto", () => {
    let keys: { priv: KeyObject; pub: KeyObject; handle: number }[];
    beforeAll(() => {
      keys = Array.from({ length: 3 }, () => {
        const { publicKey, privateKey } = generateKeyPairSync("ed25519");
        const a = new Uint8Array(Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url"));
        return { priv: privateKey, pub: publicKey, handle: keyOf(a) };
      });
    });
    const nodeVerify = (pub: KeyObject, msg: Uint8Array, sig: Uint8Array) => {
      try {
        return verify(null, msg, pub, sig);
      } catch {
        return false;
      }
    };

    it("accepts node's signatures of random messages, and rejects them under another key or message", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 500 }), fc.integer({ min: 0, max: 2 }), (msg, ki) => {
          const k = keys[ki];
          const sig = new Uint8Array(sign(null, msg, k.priv));
          expect(m.ed25519Verify(k.handle, msg, sig)).toBe(true);
          expect(m.ed25519Verify(keys[(ki + 1) % 3].handle, msg, sig)).toBe(false);
          expect(m.ed25519Verify(k.handle, new Uint8Array([...msg, 1]), sig)).toBe(false);
        }),
        { numRuns: 80 },
      );
    });

    it("rejects corrupted signatures exactly when node:crypto does", () => {
      const corruptions = [
        (sig: Uint8Array, a: number) => { const s = sig.slice(); s[a % 64] ^= 1 << (a % 8); return s; }, // bit flip
        (sig: Uint8Array) => new Uint8Array([...sig.subarray(32), ...sig.subarray(0, 32)]), // swap R and S
        (sig: Uint8Array) => new Uint8Array([...sig.subarray(0, 32), ...le(fromLE(sig.subarray(32)) + L)]), // S + L (malleability)
        (sig: Uint8Array) => new Uint8Array([...sig.subarray(0, 32), ...le(L)]), // S = L
        (sig: Uint8Array) => new Uint8Array([...sig.subarray(0, 32), ...new Uint8Array(32)]), // S = 0
        (sig: Uint8Array) => new Uint8Array([...new Uint8Array(32), ...sig.subarray(32)]), // R = 0 (y = 0)
        (sig: Uint8Array) => new Uint8Array([...le(1n), ...sig.subarray(32)]), // R = identity
        (sig: Uint8Array) => { // R with y + p (non-canonical) when that fits in 255 bits
          const y = fromLE(sig.subarray(0, 32)) & ((1n << 255n) - 1n);
          const r = le(y + P < 1n << 255n ? y + P : y);
          r[31] |= sig[31] & 0x80;
          return new Uint8Array([...r, ...sig.subarray(32)]);
        },
        (sig: Uint8Array, a: number) => sig.subarray(0, a % 64), // truncation
        (sig: Uint8Array) => new Uint8Array([...sig, 0]), // trailing byte
        () => new Uint8Array(64), // all zero
      ];
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 100 }),
          fc.integer({ min: 0, max: corruptions.length - 1 }),
          fc.nat(),
          (msg, ci, arg) => {
            const k = keys[arg % 3];
            const bad = corruptions[ci](new Uint8Array(sign(null, msg, k.priv)), arg);
            expect(m.ed25519Verify(k.handle, msg, bad), `corruption ${ci}`).toBe(nodeVerify(k.pub, msg, bad));
          },
        ),
        { numRuns: 300 },
      );
    });

    it("rejects a valid signature whose S is pushed over L (the malleated twin verifies elsewhere)", () => {
      const k = keys[0];
      const msg = randomBytes(20);
      const sig = new Uint8Array(sign(null, msg, k.priv));
      const s = fromLE(sig.subarray(32));
      if (s + L < 1n << 256n) {
        const twin = new Uint8Array([...sig.subarray(0, 32), ...le(s + L)]);
        expect(m.ed25519Verify(k.handle, msg, twin)).toBe(false);
      }
      expect(m.ed25519Verify(k.handle, msg, sig)).toBe(true);
    });
  });
});

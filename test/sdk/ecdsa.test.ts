// ECDSA verification (sdk/crypto/ec/) for ES256/ES384/ES512, run through the built wasm (SIMD
// and scalar builds): the generated field kernels against BigInt, every Wycheproof P1363 vector
// for P-256/SHA-256, P-384/SHA-384 and P-521/SHA-512, key validation, and differential tests
// against node:crypto on random messages and corrupted signatures.
import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { loadPure } from "./load-pure.ts";
import { allTests, hex, loadWycheproof, type EcdsaGroup } from "./wycheproof.ts";

const P256 = (1n << 256n) - (1n << 224n) + (1n << 192n) + (1n << 96n) - 1n;
const N256 = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P384 = (1n << 384n) - (1n << 128n) - (1n << 96n) + (1n << 32n) - 1n;
const N384 = 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n;
const P521 = (1n << 521n) - 1n;
const N521 =
  0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n;
const L25519 = (1n << 252n) + 27742317777372353535851937790883648493n;
const P25519 = (1n << 255n) - 19n;

/** The JWS algorithms: curve id of the wasm API, coordinate bytes, hash id (HashAlg) and name. */
const CURVES = [
  { alg: "ES256", crv: "P-256", id: 0, len: 32, hashId: 0, hash: "sha256", p: P256, n: N256, file: "ecdsa_secp256r1_sha256_p1363_test.json" },
  { alg: "ES384", crv: "P-384", id: 1, len: 48, hashId: 1, hash: "sha384", p: P384, n: N384, file: "ecdsa_secp384r1_sha384_p1363_test.json" },
  { alg: "ES512", crv: "P-521", id: 2, len: 66, hashId: 2, hash: "sha512", p: P521, n: N521, file: "ecdsa_secp521r1_sha512_p1363_test.json" },
] as const;

/** Field ids of the test entry's fieldOp, with limb counts: Montgomery unless noted. */
const FIELDS = [
  { name: "P-256 p", m: P256, limbs: 9 },
  { name: "P-256 n", m: N256, limbs: 9 },
  { name: "P-384 p", m: P384, limbs: 14 },
  { name: "P-384 n", m: N384, limbs: 14 },
  { name: "P-521 p", m: P521, limbs: 18 },
  { name: "P-521 n", m: N521, limbs: 18 },
  { name: "Ed25519 L", m: L25519, limbs: 9 },
  { name: "2^255-19 (plain)", m: P25519, limbs: 9, plain: true },
];

const be = (x: bigint, len: number) => new Uint8Array(Buffer.from(x.toString(16).padStart(len * 2, "0"), "hex"));
const fromLE = (b: Uint8Array) => BigInt("0x" + (Buffer.from(b).reverse().toString("hex") || "0"));
const fromBE = (b: Uint8Array) => BigInt("0x" + (Buffer.from(b).toString("hex") || "0"));
const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;
function modpow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b = mod(b, m);
  for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}
/** A hex coordinate from the vectors (may carry a leading 00 or drop leading zeros) at exactly len bytes. */
function fixedLength(hexValue: string, len: number): Uint8Array {
  return be(BigInt("0x" + hexValue), len);
}

describe.each([
  { build: "simd", scalar: false },
  { build: "scalar", scalar: true },
])("ECDSA ($build build)", ({ scalar }) => {
  let m: Record<string, any>;
  beforeAll(async () => {
    m = await loadPure("ec", { scalar });
  });

  describe("field kernels", () => {
    // Values near the edges catch carry and conditional-subtraction bugs that random ones miss.
    const arb = (mod_: bigint) =>
      fc.oneof(
        fc.bigInt({ min: 0n, max: mod_ - 1n }),
        fc.constantFrom(0n, 1n, 2n, mod_ - 1n, mod_ - 2n, mod_ >> 1n, (1n << 29n) - 1n, 1n << 29n),
        fc.integer({ min: 1, max: 40 }).map((k) => mod_ - (1n << BigInt(k))),
      );
    for (const [id, f] of FIELDS.entries()) {
      it(`${f.name}: mul, sqr, add, sub, inv (and lazy operands) agree with BigInt`, () => {
        const R = f.plain ? 1n : 1n << BigInt(29 * f.limbs);
        const rInv = modpow(R, f.m - 2n, f.m);
        const op = (o: number, a: bigint, b: bigint) => fromLE(m.fieldOp(id, o, be(a, 66), be(b, 66)));
        fc.assert(
          fc.property(arb(f.m), arb(f.m), (a, b) => {
            expect(op(0, a, b)).toBe((a * b * rInv) % f.m);
            expect(op(1, a, 0n)).toBe((a * a * rInv) % f.m);
            // add/sub exist for the base fields; the group-order fields only multiply.
            if ((id % 2 === 0 && id < 6) || f.plain) {
              expect(op(2, a, b)).toBe((a + b) % f.m);
              expect(op(3, a, b)).toBe(mod(a - b, f.m));
            }
          }),
          { numRuns: 400 },
        );
        // The point formulas feed unreduced sums (addLazy, up to 4p) into mul/sqr of P-256/P-384.
        if (id === 0 || id === 2) {
          fc.assert(
            fc.property(arb(f.m), arb(f.m), (a, b) => {
              expect(op(5, a, b)).toBe((12n * a * b * rInv) % f.m);
              expect(op(6, a, 0n)).toBe((9n * a * a * rInv) % f.m);
            }),
            { numRuns: 300 },
          );
        }
        // Inversion by divsteps (plain representation): every field, at the edges and at random.
        fc.assert(
          fc.property(arb(f.m).filter((a) => a !== 0n), (a) => {
            expect(op(7, a, 0n)).toBe(modpow(a, f.m - 2n, f.m));
          }),
          { numRuns: 300 },
        );
        // Inversion by Fermat: a^(m-2) with Montgomery products is a^(m-2) / R^(m-3).
        if (id <= 1 || f.plain) {
          for (const a of [1n, 2n, f.m - 1n, 0x1234567890abcdefn]) {
            const want = f.plain ? modpow(a, f.m - 2n, f.m) : (modpow(a, f.m - 2n, f.m) * modpow(rInv, f.m - 3n, f.m)) % f.m;
            expect(op(4, a, 0n)).toBe(want);
          }
        }
      });
    }

    it("wNAF digits are odd, bounded, spaced by w and sum to the scalar", () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 65 }), fc.integer({ min: 2, max: 8 }), (k, w) => {
          const digits: Int8Array = m.wnaf(k, w).slice();
          let v = 0n;
          for (let i = digits.length - 1; i >= 0; i--) v = 2n * v + BigInt(digits[i]);
          expect(v).toBe(fromBE(k));
          for (let i = 0; i < digits.length; i++) {
            if (digits[i] === 0) continue;
            expect(Math.abs(digits[i] % 2)).toBe(1);
            expect(Math.abs(digits[i])).toBeLessThan(1 << (w - 1));
            for (let j = 1; j < w && i + j < digits.length; j++) expect(digits[i + j]).toBe(0);
          }
        }),
        { numRuns: 500 },
      );
    });
  });

  for (const c of CURVES) {
    describe(`${c.alg} (${c.crv}, ${c.hash})`, () => {
      it(`passes every Wycheproof vector of ${c.file}`, () => {
        const file = loadWycheproof<EcdsaGroup>(c.file);
        if (file === null) return; // vectors absent: one warning printed, nothing counted
        let count = 0;
        for (const { group, test } of allTests(file)) {
          const key = m.ecKeyCreate(c.id, fixedLength(group.publicKey.wx, c.len), fixedLength(group.publicKey.wy, c.len));
          expect(key, `tcId ${test.tcId}: key rejected: ${m.ecKeyError()}`).toBeGreaterThanOrEqual(0);
          const got = m.ecdsaVerify(key, c.hashId, hex(test.msg), hex(test.sig));
          m.ecKeyFree(key);
          // These files have no "acceptable" cases; one appearing would need a decision here.
          expect(test.result, `tcId ${test.tcId}`).not.toBe("acceptable");
          expect(got, `tcId ${test.tcId} (${test.comment}; ${test.flags.join(", ")})`).toBe(test.result === "valid");
          count++;
        }
        expect(count).toBe(file.numberOfTests);
      });

      it("rejects public keys of the wrong length, off the curve, or with coordinates >= p", () => {
        const { publicKey } = generateKeyPairSync("ec", { namedCurve: c.crv });
        const jwk = publicKey.export({ format: "jwk" });
        const x = new Uint8Array(Buffer.from(jwk.x!, "base64url"));
        const y = new Uint8Array(Buffer.from(jwk.y!, "base64url"));
        const reject = (kx: Uint8Array, ky: Uint8Array, reason: RegExp) => {
          expect(m.ecKeyCreate(c.id, kx, ky)).toBe(-1);
          expect(m.ecKeyError()).toMatch(reason);
        };
        expect(m.ecKeyCreate(c.id, x, y)).toBeGreaterThanOrEqual(0);
        // (x, -y) is the negated point: on the curve too.
        expect(m.ecKeyCreate(c.id, x, be(c.p - fromBE(y), c.len))).toBeGreaterThanOrEqual(0);
        reject(x.subarray(1), y, /x must be/);
        reject(x, new Uint8Array([0, ...y]), /y must be/);
        reject(new Uint8Array(0), new Uint8Array(0), /must be/);
        const yy = y.slice();
        yy[yy.length - 1] ^= 1;
        reject(x, yy, /not on the curve/);
        // Infinity has no affine encoding; (0, 0) is the usual stand-in and is off the curve.
        reject(new Uint8Array(c.len), new Uint8Array(c.len), /not on the curve/);
        // x + p encodes the same residue as x when it fits: must be rejected, not reduced.
        if (fromBE(x) + c.p < 1n << BigInt(8 * c.len)) reject(be(fromBE(x) + c.p, c.len), y, /not less than/);
        reject(be(c.p, c.len), y, /not less than/);
        reject(x, be(c.p, c.len), /not less than/);
        reject(new Uint8Array(c.len).fill(0xff), y, /not less than/);
        expect(m.ecKeyCreate(7, x, y)).toBe(-1);
        expect(m.ecKeyError()).toMatch(/unsupported curve/);
      });

      it("keeps every key usable while many others are created and dropped (GC pressure)", () => {
        // Key tables are built with temporaries; a temporary the collector does not see as live
        // would be freed and reused under an older key's feet. Churn allocations, then re-check
        // (a smoke test: when a collection runs is not deterministic).
        const made = Array.from({ length: 12 }, () => {
          const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: c.crv });
          const jwk = publicKey.export({ format: "jwk" });
          const x = Buffer.from(jwk.x!, "base64url"), y = Buffer.from(jwk.y!, "base64url");
          const handle = m.ecKeyCreate(c.id, x, y);
          expect(m.ecKeyCreateRepeat(c.id, x, y, 4)).toBe(true);
          const msg = randomBytes(50);
          return { handle, msg, sig: new Uint8Array(sign(c.hash, msg, { key: privateKey, dsaEncoding: "ieee-p1363" })) };
        });
        for (const k of made) expect(m.ecdsaVerify(k.handle, c.hashId, k.msg, k.sig)).toBe(true);
        for (const k of made) m.ecKeyFree(k.handle);
      });

      describe("against node:crypto", () => {
        let keys: { priv: KeyObject; pub: KeyObject; handle: number }[];
        beforeAll(() => {
          keys = Array.from({ length: 3 }, () => {
            const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: c.crv });
            const jwk = publicKey.export({ format: "jwk" });
            const handle = m.ecKeyCreate(c.id, Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url"));
            expect(handle).toBeGreaterThanOrEqual(0);
            return { priv: privateKey, pub: publicKey, handle };
          });
        });
        const nodeSign = (priv: KeyObject, msg: Uint8Array) => new Uint8Array(sign(c.hash, msg, { key: priv, dsaEncoding: "ieee-p1363" }));
        const nodeVerify = (pub: KeyObject, msg: Uint8Array, sig: Uint8Array) => {
          try {
            return verify(c.hash, msg, { key: pub, dsaEncoding: "ieee-p1363" }, sig);
          } catch {
            return false; // node throws on some malformed signatures: a rejection all the same
          }
        };
        const runs = c.id === 0 ? 60 : 25;

        it("accepts node's signatures of random messages, and rejects them under another key or message", () => {
          fc.assert(
            fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 2 }), (msg, ki) => {
              const k = keys[ki];
              const sig = nodeSign(k.priv, msg);
              expect(m.ecdsaVerify(k.handle, c.hashId, msg, sig)).toBe(true);
              expect(m.ecdsaVerify(keys[(ki + 1) % 3].handle, c.hashId, msg, sig)).toBe(false);
              const other = new Uint8Array([...msg, 0]);
              expect(m.ecdsaVerify(k.handle, c.hashId, other, sig)).toBe(false);
            }),
            { numRuns: runs },
          );
        });

        it("accepts high-S signatures (s replaced by n - s), as node does", () => {
          const k = keys[0];
          for (let i = 0; i < 5; i++) {
            const msg = randomBytes(40);
            const sig = nodeSign(k.priv, msg);
            const s = fromBE(sig.subarray(c.len));
            const flipped = new Uint8Array([...sig.subarray(0, c.len), ...be(c.n - s, c.len)]);
            expect(nodeVerify(k.pub, msg, flipped)).toBe(true);
            expect(m.ecdsaVerify(k.handle, c.hashId, msg, flipped)).toBe(true);
          }
        });

        it("rejects corrupted signatures exactly when node:crypto does", () => {
          const L = c.len;
          const corruptions = [
            // [name, make(sig, arg) -> corrupted]
            (sig: Uint8Array, a: number) => { const s = sig.slice(); s[a % s.length] ^= 1 << (a % 8); return s; }, // bit flip
            (sig: Uint8Array) => new Uint8Array([...sig.subarray(L), ...sig.subarray(0, L)]), // swap r and s
            (sig: Uint8Array) => new Uint8Array([...new Uint8Array(L), ...sig.subarray(L)]), // r = 0
            (sig: Uint8Array) => new Uint8Array([...sig.subarray(0, L), ...new Uint8Array(L)]), // s = 0
            (sig: Uint8Array) => new Uint8Array([...be(c.n, L), ...sig.subarray(L)]), // r = n
            (sig: Uint8Array) => new Uint8Array([...sig.subarray(0, L), ...be(c.n, L)]), // s = n
            (sig: Uint8Array) => new Uint8Array([...be(c.n - 1n, L), ...sig.subarray(L)]), // r = n - 1
            (sig: Uint8Array) => new Uint8Array([...sig.subarray(0, L), ...be(c.n - 1n, L)]), // s = n - 1
            (sig: Uint8Array) => new Uint8Array([...be(c.p, L), ...sig.subarray(L)]), // r = p
            (sig: Uint8Array) => new Uint8Array([...sig.subarray(0, L), ...be(c.p, L)]), // s = p
            (sig: Uint8Array) => new Uint8Array([...be(1n, L), ...sig.subarray(L)]), // r = 1
            (sig: Uint8Array) => new Uint8Array([...be(fromBE(sig.subarray(0, L)) + c.n, L + 1).subarray(1), ...sig.subarray(L)]), // r + n (mod 2^8L)
            (sig: Uint8Array, a: number) => sig.subarray(0, a % sig.length), // truncation
            (sig: Uint8Array, a: number) => new Uint8Array([...sig, ...new Uint8Array(1 + (a % 3))]), // trailing bytes
            (sig: Uint8Array) => new Uint8Array([0, ...sig.subarray(0, L), 0, ...sig.subarray(L, 2 * L - 1)]), // shifted halves
            () => new Uint8Array(2 * L), // all zero (CVE-2022-21449)
          ];
          fc.assert(
            fc.property(
              fc.uint8Array({ maxLength: 100 }),
              fc.integer({ min: 0, max: corruptions.length - 1 }),
              fc.nat(),
              (msg, ci, arg) => {
                const k = keys[arg % 3];
                const bad = corruptions[ci](nodeSign(k.priv, msg), arg);
                const want = nodeVerify(k.pub, msg, bad);
                expect(m.ecdsaVerify(k.handle, c.hashId, msg, bad), `corruption ${ci}`).toBe(want);
              },
            ),
            { numRuns: runs * 3 },
          );
        });

        it("uses the hash the caller names (a signature over SHA-256 fails as SHA-384/512)", () => {
          const k = keys[1];
          const msg = randomBytes(64);
          const sig = nodeSign(k.priv, msg);
          for (const h of [0, 1, 2]) expect(m.ecdsaVerify(k.handle, h, msg, sig)).toBe(h === c.hashId);
        });
      });
    });
  }
});

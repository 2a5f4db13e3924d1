// JWK and JWKS parsing (sdk/crypto/jwk.ts) through the built wasm: real keys from node:crypto,
// every JWK in the Wycheproof vector files, and the error/skip rules with their JSON paths.
import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { loadPure } from "./load-pure.ts";
import { hex, loadWycheproof, type EcdsaGroup, type EddsaGroup, type RsaPkcs1Group } from "./wycheproof.ts";

type Described = {
  index: number; kty: string; kid: string | null; alg: string | null; use: string | null; key_ops: string[] | null;
  n: string | null; e: string | null; bits: number; crv: number; x: string | null; y: string | null; k: string | null;
};
const CRV = { "P-256": 0, "P-384": 1, "P-521": 2, Ed25519: 3 } as const;
const b64u = (b: Uint8Array) => Buffer.from(b).toString("base64url");

const rsaJwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" }) as Record<string, string>;
const rsa4096Jwk = generateKeyPairSync("rsa", { modulusLength: 4096, publicExponent: 3 }).publicKey.export({ format: "jwk" }) as Record<string, string>;
const ecJwk = (crv: string) => generateKeyPairSync("ec", { namedCurve: crv }).publicKey.export({ format: "jwk" }) as Record<string, string>;
const edJwk = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" }) as Record<string, string>;
const p256 = ecJwk("P-256");

describe.each([
  { build: "simd", scalar: false },
  { build: "scalar", scalar: true },
])("JWK ($build build)", ({ scalar }) => {
  let m: Record<string, any>;
  const set = (keys: unknown[]) => JSON.parse(m.jwks(JSON.stringify({ keys })));
  const one = (key: unknown) => JSON.parse(m.jwk(JSON.stringify(key)));
  beforeAll(async () => {
    m = await loadPure("json", { scalar });
  });

  it("parses real keys from node:crypto into records with their bytes", () => {
    const keys: Record<string, unknown>[] = [
      { ...rsaJwk, kid: "r1", alg: "RS256", use: "sig" },
      { ...rsa4096Jwk, kid: "r2", alg: "PS512", key_ops: ["verify"] },
      { ...p256, kid: "e1", alg: "ES256" },
      { ...ecJwk("P-384"), kid: "e2" },
      { ...ecJwk("P-521"), kid: "e3", alg: "ES512" },
      { ...edJwk, kid: "o1", alg: "EdDSA" },
      { kty: "oct", k: b64u(new Uint8Array(32).fill(9)), alg: "HS256", kid: "h1" },
    ];
    const out = set(keys);
    expect(out.skipped).toEqual([]);
    const got: Described[] = out.keys;
    expect(got.map((k) => [k.index, k.kty, k.kid, k.alg])).toEqual([
      [0, "RSA", "r1", "RS256"], [1, "RSA", "r2", "PS512"], [2, "EC", "e1", "ES256"], [3, "EC", "e2", null],
      [4, "EC", "e3", "ES512"], [5, "OKP", "o1", "EdDSA"], [6, "oct", "h1", "HS256"],
    ]);
    expect(got[0]).toMatchObject({ n: rsaJwk.n, e: rsaJwk.e, bits: 2048, use: "sig", crv: -1, x: null, k: null });
    expect(got[1]).toMatchObject({ n: rsa4096Jwk.n, e: "Aw", bits: 4096, key_ops: ["verify"] });
    for (const i of [2, 3, 4]) expect(got[i]).toMatchObject({ x: keys[i].x, y: keys[i].y, crv: CRV[keys[i].crv as keyof typeof CRV], n: null });
    expect(got[5]).toMatchObject({ crv: 3, x: edJwk.x, y: null });
    expect(got[6]).toMatchObject({ k: keys[6].k });
    expect(m.jwksKidIndexes(JSON.stringify({ keys }), "e2")).toBe("3");
    expect(m.jwksKidIndexes(JSON.stringify({ keys: [...keys, { ...p256, kid: "e2" }] }), "e2")).toBe("3,7");
    // UTF-8 bytes in, same result.
    expect(m.jwksBytes(new TextEncoder().encode(JSON.stringify({ keys })))).toBe(m.jwks(JSON.stringify({ keys })));
  });

  it("parses every JWK given in the Wycheproof vector files, bytes equal to their hex fields", () => {
    let seen = 0;
    const rsaFiles = ["rsa_signature_2048_sha256_test.json", "rsa_signature_4096_sha512_test.json", "rsa_pss_2048_sha256_mgf1_32_test.json"];
    for (const file of rsaFiles) {
      const v = loadWycheproof<RsaPkcs1Group>(file);
      if (v === null) return; // vectors absent: said once; nothing counted
      for (const g of v.testGroups) {
        if (!g.keyJwk) continue;
        const out = one(g.keyJwk);
        expect(out.error, `${file}: ${out.error}`).toBeUndefined();
        // The hex modulus is DER-style (a leading 00 when the top bit is set); the JWK is minimal.
        expect(Buffer.from(out.key.n, "base64url").toString("hex")).toBe(g.publicKey.modulus.replace(/^(00)+/, ""));
        expect(Buffer.from(out.key.e, "base64url").toString("hex")).toBe(g.publicKey.publicExponent.replace(/^(00)+/, ""));
        expect(out.key.bits).toBe(g.keySize);
        seen++;
      }
    }
    for (const [file, crv] of [
      ["ecdsa_secp256r1_sha256_p1363_test.json", 0], ["ecdsa_secp384r1_sha384_p1363_test.json", 1], ["ecdsa_secp521r1_sha512_p1363_test.json", 2],
    ] as const) {
      const v = loadWycheproof<EcdsaGroup>(file);
      if (v === null) return;
      const len = [32, 48, 66][crv];
      for (const g of v.testGroups) {
        if (!g.publicKeyJwk) continue;
        const out = one(g.publicKeyJwk);
        expect(out.error, `${file}: ${out.error}`).toBeUndefined();
        expect(out.key.crv).toBe(crv);
        const pad = (h: string) => h.replace(/^(00)+/, "").padStart(2 * len, "0");
        expect(Buffer.from(out.key.x, "base64url").toString("hex")).toBe(pad(g.publicKey.wx));
        expect(Buffer.from(out.key.y, "base64url").toString("hex")).toBe(pad(g.publicKey.wy));
        seen++;
      }
    }
    const ed = loadWycheproof<EddsaGroup>("ed25519_test.json");
    if (ed === null) return;
    for (const g of ed.testGroups) {
      if (!g.publicKeyJwk) continue;
      const out = one(g.publicKeyJwk);
      expect(out.error, String(out.error)).toBeUndefined();
      expect(Buffer.from(out.key.x, "base64url")).toEqual(Buffer.from(hex(g.publicKey.pk)));
      seen++;
    }
    expect(seen).toBeGreaterThan(100);
  });

  it("rejects malformed keys with the JSON path, in a set and alone", () => {
    const cases: [unknown, string][] = [
      [{ n: rsaJwk.n, e: "AQAB" }, "kty: required"],
      [{ kty: 1 }, "kty: must be a string, got number"],
      [{ kty: "RSA", e: "AQAB" }, "n: required"],
      [{ kty: "RSA", n: rsaJwk.n }, "e: required"],
      [{ kty: "RSA", n: 5, e: "AQAB" }, "n: must be a string, got number"],
      [{ kty: "RSA", n: "+" + rsaJwk.n.slice(1), e: "AQAB" }, "n: not base64url: bad character '+' at"],
      [{ kty: "RSA", n: rsaJwk.n + "=", e: "AQAB" }, "n: not base64url: bad padding: '=' at 342"],
      [{ kty: "RSA", n: rsaJwk.n, e: "AQAB==" }, "e: not base64url: bad padding: '=' at 4, base64url here is unpadded (RFC 7515 §2)"],
      [{ kty: "RSA", n: rsaJwk.n, e: "AQB" }, "e: not base64url: non-canonical encoding"],
      [{ kty: "RSA", n: rsaJwk.n.slice(1), e: "AQAB" }, "n: not base64url: bad length: 341 characters cannot encode whole bytes"],
      [{ kty: "RSA", n: b64u(Buffer.concat([Buffer.alloc(1), Buffer.from(rsaJwk.n, "base64url")])), e: "AQAB" }, "n: leading zero octet"],
      [{ kty: "RSA", n: rsaJwk.n, e: "AAEAAQ" }, "e: leading zero octet"],
      [{ kty: "RSA", n: "", e: "AQAB" }, "n: empty"],
      [{ ...p256, crv: undefined }, "crv: required"],
      [{ ...p256, x: b64u(Buffer.from(p256.x, "base64url").subarray(1)) }, "x: P-256 coordinates are 32 bytes, got 31"],
      [{ ...p256, y: b64u(Buffer.concat([Buffer.alloc(1), Buffer.from(p256.y, "base64url")])) }, "y: P-256 coordinates are 32 bytes, got 33"],
      [{ ...p256, crv: "P-384" }, "x: P-384 coordinates are 48 bytes, got 32"],
      [{ ...p256, y: undefined }, "y: required"],
      [{ ...edJwk, x: b64u(new Uint8Array(31)) }, "x: Ed25519 public keys are 32 bytes, got 31"],
      [{ kty: "oct", k: "" }, "k: empty"],
      [{ ...p256, kid: 7 }, "kid: must be a string, got number"],
      [{ ...p256, alg: null }, "alg: must be a string, got null"],
      [{ ...p256, use: ["sig"] }, "use: must be a string, got array"],
      [{ ...p256, key_ops: "verify" }, "key_ops: must be an array of strings, got string"],
      [{ ...p256, key_ops: ["verify", 1] }, "key_ops[1]: must be a string, got number"],
      [{ ...p256, key_ops: ["verify", "verify"] }, 'key_ops[1]: duplicate key operation "verify" (RFC 7517 §4.3)'],
      ["a string", "a JWK must be a JSON object, got string"],
    ];
    for (const [key, message] of cases) {
      const alone = one(key);
      expect(alone.error, JSON.stringify(key)).toBeDefined();
      expect(alone.error.startsWith(message), `${alone.error} vs ${message}`).toBe(true);
      // In a set, after a good key: fatal for the whole set, with the path inside it.
      const inSet = set([p256, key]);
      const pathed = message.startsWith("a JWK") ? `keys[1]: ${message}` : `keys[1].${message}`;
      expect(inSet.error, JSON.stringify(key)).toBeDefined();
      expect(inSet.error.startsWith(pathed), `${inSet.error} vs ${pathed}`).toBe(true);
    }
  });

  it("skips keys it cannot use in a set, with the reason; a single such JWK is an error", () => {
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "jwk" });
    const cases: [unknown, string][] = [
      [{ kty: "foo" }, 'kty: unsupported key type "foo"'],
      [{ ...p256, crv: "secp256k1" }, 'crv: unsupported EC curve "secp256k1" (P-256, P-384 and P-521 are)'],
      [generateKeyPairSync("x25519").publicKey.export({ format: "jwk" }), 'crv: unsupported OKP curve "X25519" (Ed25519 is)'],
      [weak, "n: RSA modulus has 1024 bits; at least 2048 are required"],
      [{ ...p256, use: "enc" }, 'use: "enc" key, not a signature key'],
      [{ ...p256, key_ops: ["sign"] }, 'key_ops: does not include "verify"'],
      [{ ...p256, alg: "RS256" }, "alg: alg RS256 does not fit an EC key"],
      [{ ...p256, alg: "ES384" }, "alg: alg ES384 does not fit curve P-256 (ES256 does)"],
      [{ ...rsaJwk, alg: "HS256" }, "alg: alg HS256 does not fit an RSA key"],
      [{ ...edJwk, alg: "ES256" }, "alg: alg ES256 does not fit an OKP key"],
      [{ kty: "oct", k: b64u(new Uint8Array(47)), alg: "HS384" }, "alg: HS384 needs a key of at least 48 bytes (RFC 7518 §3.2), k has 47"],
      [{ kty: "oct", k: "AA", alg: "RS256" }, "alg: alg RS256 does not fit an oct key"],
    ];
    const out = set([...cases.map(([k]) => k), p256]);
    expect(out.error).toBeUndefined();
    expect(out.keys.map((k: Described) => k.index)).toEqual([cases.length]);
    expect(out.skipped).toEqual(cases.map(([, why], i) => `keys[${i}].${why}`));
    for (const [key, why] of cases) expect(one(key).error).toBe(why);
  });

  it("rejects documents that are not a key set", () => {
    expect(JSON.parse(m.jwks("[]")).error).toBe("a JWK set must be a JSON object, got array");
    expect(JSON.parse(m.jwks("{}")).error).toBe("keys: required");
    expect(JSON.parse(m.jwks('{"keys":{}}')).error).toBe("keys: must be an array, got object");
    expect(JSON.parse(m.jwks('{"keys":[1]}')).error).toBe("keys[0]: a JWK must be a JSON object, got number");
    expect(JSON.parse(m.jwks('{"keys":[],"keys":[]}')).error).toBe('invalid JSON: duplicate key "keys" at byte 11');
    expect(JSON.parse(m.jwks('{"keys":[]')).error).toMatch(/^invalid JSON: unexpected end of input in object at byte 10$/);
    expect(JSON.parse(m.jwks('{"keys":[]}'))).toEqual({ keys: [], skipped: [] });
  });

  it("never crashes on random JSON and reports errors with a path", () => {
    const member = fc.oneof(
      fc.constant("kty"), fc.constant("n"), fc.constant("e"), fc.constant("crv"), fc.constant("x"), fc.constant("y"),
      fc.constant("k"), fc.constant("kid"), fc.constant("alg"), fc.constant("use"), fc.constant("key_ops"),
    );
    const value = fc.oneof(
      fc.constantFrom("RSA", "EC", "OKP", "oct", "P-256", "P-521", "Ed25519", "sig", "AQAB", p256.x, rsaJwk.n, "ES256", "RS256"),
      fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null), fc.array(fc.constantFrom("verify", "sign"), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(fc.dictionary(member, value), { maxLength: 4 }), (keys) => {
        const out = set(keys);
        if (out.error !== undefined) expect(out.error).toMatch(/^keys\[\d+\](\.[a-z_]+(\[\d+\])?)?: /);
        else {
          expect(out.keys.length + out.skipped.length).toBe(keys.length);
          for (const s of out.skipped) expect(s).toMatch(/^keys\[\d+\]\.[a-z_]+: /);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

// Every JWS algorithm, keys of every type in one JWKS, key-selection rules (§1.7), JWKS parsing
// (§1.7.3), algorithm confusion and `alg: none` — with signatures checked in wasm and, with
// `signatureVerifier: "host"`, through the shim's verify_signature foreign function.
import { createHmac, generateKeyPairSync, sign as nodeSign } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { ALGS, ISS, b64u, host, jwks, key, outcome, raw, state, token, type Alg, type TestKey } from "./helpers.ts";

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

let keys: Record<string, TestKey> = {};
let allJwks: string;
beforeAll(async () => {
  for (const alg of ALGS) keys[alg] = await key(alg);
  allJwks = jwks(...ALGS.map((a) => keys[a]));
});

for (const verifier of ["wasm", "host"] as const) {
  describe(`signatures checked by ${verifier}`, () => {
    for (const alg of ALGS) {
      it(`${alg}: valid passes, tampered fails, other key types refuse it`, async () => {
        const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: allJwks }], signatureVerifier: verifier });
        const k = keys[alg];
        const t = await token(k, { iss: ISS, sub: alg });
        const r = await h.send({ headers: bearer(t) });
        expect(outcome(r)).toBe("200");
        expect(state(r, "wasmesh.jwt.principal")).toBe(`${ISS}/${alg}`);
        // Without kid every key is tried: still exactly the right one verifies.
        expect(outcome(await h.send({ headers: bearer(await token(k, { iss: ISS, sub: "nokid" }, { kid: null })) }))).toBe("200");
        const [hs, ps, ss] = t.split(".");
        const sig = Buffer.from(ss, "base64url");
        sig[sig.length >> 1] ^= 0x40;
        expect(outcome(await h.send({ headers: bearer(`${hs}.${ps}.${b64u(sig)}`) }))).toBe("401 Jwt verification fails");
        const p2 = b64u(JSON.stringify({ iss: ISS, sub: "admin" }));
        expect(outcome(await h.send({ headers: bearer(`${hs}.${p2}.${ss}`) }))).toBe("401 Jwt verification fails");
        expect(h.traps).toEqual([]);
      });
    }

    it("host verifier: the foreign function is called for RS* and ES* only", async () => {
      const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: allJwks }], signatureVerifier: verifier });
      const calls: string[] = [];
      const real = h.foreignFunctions.get("verify_signature")!;
      h.foreignFunctions.set("verify_signature", (args, vm) => {
        calls.push(Buffer.from(args).toString("latin1").match(/sha(256|384|512)/)![0]);
        return real(args, vm);
      });
      for (const alg of ALGS) expect(outcome(await h.send({ headers: bearer(await token(keys[alg], { iss: ISS, sub: `ff-${alg}` })) }))).toBe("200");
      expect(calls).toEqual(verifier === "host" ? ["sha256", "sha384", "sha512", "sha256", "sha384", "sha512"] : []);
    });
  });
}

describe("host verifier fallbacks", () => {
  it("a host without verify_signature: verified in wasm, one warning", async () => {
    const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: allJwks }], signatureVerifier: "host" });
    h.foreignFunctions.delete("verify_signature");
    expect(outcome(await h.send({ headers: bearer(await token(keys.RS256, { iss: ISS, sub: "a" })) }))).toBe("200");
    expect(outcome(await h.send({ headers: bearer(await token(keys.ES384, { iss: ISS, sub: "b" })) }))).toBe("200");
    expect(h.logs("warn").filter((l) => l.message.includes("no verify_signature"))).toHaveLength(1);
  });

  it("the host's verdict is final: a host that says no fails the token closed", async () => {
    const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: allJwks }], signatureVerifier: "host" });
    h.foreignFunctions.set("verify_signature", () => ({ status: 0, result: new Uint8Array([0x10, 0x00]) }));
    expect(outcome(await h.send({ headers: bearer(await token(keys.RS256, { iss: ISS })) }))).toBe("401 Jwt verification fails");
    h.foreignFunctions.set("verify_signature", () => ({ status: 2 }));
    expect(outcome(await h.send({ headers: bearer(await token(keys.ES256, { iss: ISS, x: 1 })) }))).toBe("401 Jwt verification fails");
    // PS*, HS*, EdDSA never go to the host.
    expect(outcome(await h.send({ headers: bearer(await token(keys.PS256, { iss: ISS })) }))).toBe("200");
  });
});

describe("key selection and algorithm confusion (§1.7.2, §1.7.4)", () => {
  it("RS256 token vs a JWKS whose only key is alg RS384 ⇒ no matching key", async () => {
    const rs = await key("RS256", "only");
    const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: jwks({ ...rs.jwk, alg: "RS384" }) }] });
    expect(outcome(await h.send({ headers: bearer(await token(rs, { iss: ISS })) }))).toBe("401 Jwks doesn't have key to match kid or alg from Jwt");
  });

  it("token without kid vs two keys where the second verifies", async () => {
    const a = await key("RS256", "a");
    const b = await key("RS256", "b");
    const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: jwks(a, b) }] });
    expect(outcome(await h.send({ headers: bearer(await token(b, { iss: ISS }, { kid: null })) }))).toBe("200");
  });

  it("HS256 signed with the RSA public key as the secret vs an RSA JWKS (alg-less key) ⇒ verification fails", async () => {
    const rs = await key("RS256", "conf", { withAlg: false });
    const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: jwks(rs) }] });
    const pem = (await import("node:crypto")).createPublicKey({ key: rs.jwk as any, format: "jwk" }).export({ type: "spki", format: "pem" });
    for (const secret of [Buffer.from(pem as string), Buffer.from(rs.jwk.n!, "base64url"), Buffer.from(JSON.stringify(rs.jwk))]) {
      const hs = b64u(JSON.stringify({ alg: "HS256", kid: "conf" }));
      const ps = b64u(JSON.stringify({ iss: ISS, sub: "admin" }));
      const mac = createHmac("sha256", secret).update(`${hs}.${ps}`).digest();
      expect(outcome(await h.send({ headers: bearer(`${hs}.${ps}.${b64u(mac)}`) }))).toBe("401 Jwt verification fails");
    }
  });

  it("an ES256 key refuses RS256, an oct key refuses EdDSA, an OKP key refuses HS256", async () => {
    const ec = await key("ES256", "ec", { withAlg: false });
    const oct = await key("HS256", "oct", { withAlg: false });
    const okp = await key("EdDSA", "okp", { withAlg: false });
    const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: jwks(ec, oct, okp) }] });
    const rsa = await key("RS256", "ec");
    expect(outcome(await h.send({ headers: bearer(await token(rsa, { iss: ISS })) }))).toBe("401 Jwt verification fails");
    const ed = await key("EdDSA", "oct");
    expect(outcome(await h.send({ headers: bearer(await token(ed, { iss: ISS })) }))).toBe("401 Jwt verification fails");
    const hsTok = await token({ ...oct, kid: "okp" }, { iss: ISS });
    expect(outcome(await h.send({ headers: bearer(hsTok) }))).toBe("401 Jwt verification fails");
    // and each still verifies its own algorithm
    expect(outcome(await h.send({ headers: bearer(await token(oct, { iss: ISS })) }))).toBe("200");
  });

  it("alg none with an empty or any signature is refused before keys are looked at", async () => {
    const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: allJwks }] });
    expect(outcome(await h.send({ headers: bearer(`${b64u('{"alg":"none"}')}.${b64u(`{"iss":"${ISS}"}`)}.`) }))).toBe("401 Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections");
    expect(outcome(await h.send({ headers: bearer(raw('{"alg":"none"}', `{"iss":"${ISS}"}`, "x")) }))).toBe("401 Jwt header [alg] is not supported");
    expect(outcome(await h.send({ headers: bearer(raw('{"alg":"None"}', `{"iss":"${ISS}"}`, "x")) }))).toBe("401 Jwt header [alg] is not supported");
  });

  it("ES256 with a DER signature fails; EdDSA with 63 bytes is the wrong length", async () => {
    const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: allJwks }] });
    const es = keys.ES256;
    const hs = b64u(JSON.stringify({ alg: "ES256", kid: es.kid }));
    const ps = b64u(JSON.stringify({ iss: ISS }));
    const der = nodeSign("sha256", Buffer.from(`${hs}.${ps}`), { key: es.privateKey as any, dsaEncoding: "der" });
    expect(outcome(await h.send({ headers: bearer(`${hs}.${ps}.${b64u(der)}`) }))).toBe("401 Jwt verification fails");
    const t = await token(keys.EdDSA, { iss: ISS });
    const [h2, p2, s2] = t.split(".");
    const short = Buffer.from(s2, "base64url").subarray(0, 63);
    expect(outcome(await h.send({ headers: bearer(`${h2}.${p2}.${b64u(short)}`) }))).toBe("401 Jwt ED25519 signature is wrong length");
  });

  it("ECDSA: the all-zero signature (CVE-2022-21449) fails, in wasm and through the host", async () => {
    for (const signatureVerifier of ["wasm", "host"]) {
      const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: allJwks }], signatureVerifier });
      for (const [alg, size] of [["ES256", 64], ["ES384", 96], ["ES512", 132]] as const) {
        const t = await token(keys[alg], { iss: ISS });
        const [hs, ps] = t.split(".");
        expect(outcome(await h.send({ headers: bearer(`${hs}.${ps}.${b64u(new Uint8Array(size))}`) })), `${signatureVerifier} ${alg}`).toBe("401 Jwt verification fails");
      }
    }
  });
});

describe("JWKS parsing (§1.7.3)", () => {
  it("invalid keys are dropped, the valid ones still serve; dropped keys are logged at configure", async () => {
    const rs = await key("RS256", "good");
    const doc = JSON.stringify({
      keys: [
        "not an object",
        { kty: "RSA", kid: "bad-n", n: "!!", e: "AQAB" },
        { kty: "RSA", kid: "e17", n: rs.jwk.n, e: "EQ" },
        { kty: "EC", kid: "off-curve", crv: "P-256", x: b64u(new Uint8Array(32).fill(1)), y: b64u(new Uint8Array(32).fill(2)) },
        { kty: "OKP", kid: "x448", crv: "X448", x: "AA" },
        { kty: "weird", kid: "w" },
        { kid: "no-kty" },
        rs.jwk,
      ],
    });
    const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: doc }] });
    expect(outcome(await h.send({ headers: bearer(await token(rs, { iss: ISS })) }))).toBe("200");
    const dropped = h.logs("warn").map((l) => l.message).filter((m) => m.includes("key dropped"));
    expect(dropped).toHaveLength(7);
    expect(dropped[2]).toContain("keys[2]: RSA exponent must be 3 or 65537");
  });

  it("an EC key without crv is P-256", async () => {
    const es = await key("ES256", "nocrv");
    const { crv: _c, ...noCrv } = es.jwk;
    const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: JSON.stringify({ keys: [noCrv] }) }] });
    expect(outcome(await h.send({ headers: bearer(await token(es, { iss: ISS })) }))).toBe("200");
  });

  it("a JWKS with no usable key loads, and tokens then fail with 'no valid public key'", async () => {
    const { host: h, plugin } = await host({ jwtRules: [{ issuer: ISS, jwks: JSON.stringify({ keys: [{ kty: "RSA", n: "AQAB", e: "AQAB" }] }) }] });
    expect(plugin.outcome).toBe("ok");
    expect(outcome(await h.send({ headers: bearer(await token(keys.RS256, { iss: ISS })) }))).toBe("401 Jwks doesn't have any valid public key");
    expect(outcome(await h.send({}))).toBe("200");
  });
});

describe("the verify_signature foreign function (host-shim/foreign)", () => {
  it("answers Envoy's messages", async () => {
    const { decodeVerifySignatureArguments, verifySignatureForeignFunction } = await import("../../../host-shim/foreign/verify-signature.ts");
    const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const der = publicKey.export({ type: "spki", format: "der" });
    const text = Buffer.from("hello");
    const sig = nodeSign("sha256", text, { key: privateKey, dsaEncoding: "der" });
    const field = (n: number, b: Uint8Array) => [(n << 3) | 2, ...varint(b.length), ...b];
    const varint = (n: number) => { const o: number[] = []; while (n >= 0x80) { o.push((n & 0x7f) | 0x80); n >>>= 7; } o.push(n); return o; };
    const msg = (hash: string, key: Uint8Array, s: Uint8Array) => new Uint8Array([...field(1, Buffer.from(hash)), ...field(2, key), ...field(3, s), ...field(4, text)]);
    expect(decodeVerifySignatureArguments(msg("sha256", der, sig))).toMatchObject({ hashFunction: "sha256" });
    expect(verifySignatureForeignFunction(msg("SHA256", der, sig))).toEqual({ status: 0, result: new Uint8Array([0x08, 0x01]) });
    const bad = verifySignatureForeignFunction(msg("sha256", der, new Uint8Array([1, 2, 3])));
    expect(bad.status).toBe(0);
    expect(Buffer.from(bad.result!).toString("latin1")).toContain("Failed to verify digest. Error code: 0");
    expect(Buffer.from(verifySignatureForeignFunction(msg("md5", der, sig)).result!).toString("latin1")).toContain("md5 is not supported.");
    expect(verifySignatureForeignFunction(msg("sha256", new Uint8Array([1, 2]), sig))).toEqual({ status: 2 });
    expect(verifySignatureForeignFunction(new Uint8Array([0x0a, 0x7f]))).toEqual({ status: 2 });
    const ed = generateKeyPairSync("ed25519");
    const edDer = ed.publicKey.export({ type: "spki", format: "der" });
    expect(Buffer.from(verifySignatureForeignFunction(msg("sha512", edDer, sig)).result!).toString("latin1")).toContain("Failed to initialize digest verify.");
  });
});

describe("ES* algorithms are bound to their curve (RFC 7518 §3.4)", () => {
  // A P-384 key without `alg` is eligible for an ES256 token; its holder can sign SHA-256 on
  // P-384. That is no forgery, but ES256 means P-256 with SHA-256, and nothing else.
  for (const verifier of ["wasm", "host"] as const) {
    it(`an ES256 token signed with a P-384 key is refused (${verifier})`, async () => {
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
      const jwk = { ...publicKey.export({ format: "jwk" }), kid: "p384" };
      const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: JSON.stringify({ keys: [jwk] }) }], signatureVerifier: verifier });
      const header = b64u(JSON.stringify({ alg: "ES256", kid: "p384" }));
      const payload = b64u(JSON.stringify({ iss: ISS, sub: "mismatch" }));
      const sig = nodeSign("sha256", Buffer.from(`${header}.${payload}`), { key: privateKey, dsaEncoding: "ieee-p1363" });
      expect(outcome(await h.send({ headers: bearer(`${header}.${payload}.${b64u(sig)}`) }))).toBe("401 Jwt verification fails");
      // The same key, used as ES384 demands, passes.
      const h384 = b64u(JSON.stringify({ alg: "ES384", kid: "p384" }));
      const sig384 = nodeSign("sha384", Buffer.from(`${h384}.${payload}`), { key: privateKey, dsaEncoding: "ieee-p1363" });
      expect(outcome(await h.send({ headers: bearer(`${h384}.${payload}.${b64u(sig384)}`) }))).toBe("200");
    });
  }
});

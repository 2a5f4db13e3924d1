// policy-semantics.md §1.12 through the shim on build/jwt-authn.wasm: token locations,
// missing vs invalid, time, issuer, audiences, several rules, outputs, normalization.
import { beforeAll, describe, expect, it } from "vitest";
import { ISS, NOW, b64u, host, jwks, key, outcome, raw, state, token, type TestKey } from "./helpers.ts";

let k1: TestKey;
let cfgA: unknown;
beforeAll(async () => {
  k1 = await key("RS256", "k1");
  cfgA = { jwtRules: [{ issuer: ISS, jwks: jwks(k1) }] };
});

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe("Setup A: one rule, inline RS256 key k1, no audiences", () => {
  it("J1: no token passes, nothing published, authorization untouched", async () => {
    const { host: h } = await host(cfgA);
    const r = await h.send({ headers: { "x-other": "1" } });
    expect(outcome(r)).toBe("200");
    expect(state(r, "wasmesh.jwt.claims")).toBeUndefined();
    expect(state(r, "wasmesh.jwt.principal")).toBeUndefined();
    expect(h.metrics.snapshot()).toMatchObject({ wasmesh_jwt_missing_total: 1 });
  });

  it("J2: a valid token passes, the payload is published and authorization removed", async () => {
    const { host: h } = await host(cfgA);
    const t = await token(k1, { iss: ISS, sub: "u1", exp: NOW + 3600, aud: ["x", "y"], azp: "client-7" });
    const r = await h.send({ headers: bearer(t) });
    expect(outcome(r)).toBe("200");
    expect(r.upstream!.header("authorization")).toBeUndefined();
    expect(state(r, "wasmesh.jwt.principal")).toBe(`${ISS}/u1`);
    expect(JSON.parse(state(r, "wasmesh.jwt.claims")!)).toEqual({ iss: ISS, sub: "u1", exp: NOW + 3600, aud: ["x", "y"], azp: "client-7" });
    expect(JSON.parse(state(r, "wasmesh.jwt.audiences")!)).toEqual(["x", "y"]);
    expect(state(r, "wasmesh.jwt.presenter")).toBe("client-7");
    expect(h.metrics.snapshot()).toMatchObject({ wasmesh_jwt_allowed_total: 1 });
  });

  it("J3: the same token in ?access_token passes and stays in the query", async () => {
    const { host: h } = await host(cfgA);
    const t = await token(k1, { iss: ISS, sub: "u1" });
    const r = await h.send({ path: `/p?x=1&access_token=${t}` });
    expect(outcome(r)).toBe("200");
    expect(r.upstream!.path).toBe(`/p?x=1&access_token=${t}`);
    expect(state(r, "wasmesh.jwt.principal")).toBe(`${ISS}/u1`);
  });

  it("J4: forwardOriginalToken keeps the header", async () => {
    const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: jwks(k1), forwardOriginalToken: true }] });
    const t = await token(k1, { iss: ISS, sub: "u1" });
    const r = await h.send({ headers: bearer(t) });
    expect(outcome(r)).toBe("200");
    expect(r.upstream!.header("authorization")).toBe(`Bearer ${t}`);
  });

  it("J5: exp = now - 61 is expired: 401, body, www-authenticate and details", async () => {
    const { host: h } = await host(cfgA);
    const t = await token(k1, { iss: ISS, exp: NOW - 61 });
    const r = await h.send({ path: "/get?x=1", authority: "example.com", headers: bearer(t) });
    expect(r.upstream).toBeNull();
    expect(r.response!.status).toBe(401);
    expect(r.response!.text()).toBe("Jwt is expired");
    expect(r.response!.header("www-authenticate")).toBe('Bearer realm="http://example.com/get?x=1", error="invalid_token"');
    expect(r.localReply!.details).toBe("jwt_authn_access_denied{Jwt_is_expired}");
    expect(h.metrics.snapshot()).toMatchObject({ wasmesh_jwt_denied_total: 1, wasmesh_jwt_denied_expired_total: 1 });
  });

  it("the realm uses x-envoy-original-path and cuts the path to 256 bytes", async () => {
    const { host: h } = await host(cfgA);
    const t = await token(k1, { iss: ISS, exp: NOW - 61 });
    const r1 = await h.send({ path: "/rewritten", scheme: "https", authority: "api.test", headers: { ...bearer(t), "x-envoy-original-path": "/orig?q" } });
    expect(r1.response!.header("www-authenticate")).toBe('Bearer realm="https://api.test/orig?q", error="invalid_token"');
    const long = "/" + "a".repeat(400);
    const r2 = await h.send({ path: long, authority: "api.test", headers: bearer(t) });
    expect(r2.response!.header("www-authenticate")).toBe(`Bearer realm="http://api.test${long.slice(0, 256)}", error="invalid_token"`);
  });

  it("J6-J8: skew of 60 s on exp and nbf; no exp never expires", async () => {
    const { host: h } = await host(cfgA);
    const cases: Array<[Record<string, number>, string]> = [
      [{ exp: NOW - 60 }, "200"],
      [{ exp: NOW - 61 }, "401 Jwt is expired"],
      [{ nbf: NOW + 60 }, "200"],
      [{ nbf: NOW + 61 }, "401 Jwt not yet valid"],
      [{}, "200"],
    ];
    for (const [claims, want] of cases) {
      const t = await token(k1, { iss: ISS, ...claims });
      expect(outcome(await h.send({ headers: bearer(t) })), JSON.stringify(claims)).toBe(want);
    }
  });

  it("exp is re-checked as the virtual clock moves (a cached verification does not outlive it)", async () => {
    const { host: h } = await host(cfgA);
    const t = await token(k1, { iss: ISS, exp: NOW + 10 });
    expect(outcome(await h.send({ headers: bearer(t) }))).toBe("200");
    expect(outcome(await h.send({ headers: bearer(t) }))).toBe("200");
    await h.advance(71_000);
    expect(outcome(await h.send({ headers: bearer(t) }))).toBe("401 Jwt is expired");
  });

  it("J9/J10: an unconfigured issuer is rejected, before the time check", async () => {
    const { host: h } = await host(cfgA);
    const other = await token(k1, { iss: "https://b.example" });
    expect(outcome(await h.send({ headers: bearer(other) }))).toBe("401 Jwt issuer is not configured");
    const expired = await token(k1, { iss: "https://b.example", exp: NOW - 3600 });
    expect(outcome(await h.send({ headers: bearer(expired) }))).toBe("401 Jwt issuer is not configured");
    const noIss = await token(k1, { sub: "x" });
    expect(outcome(await h.send({ headers: bearer(noIss) }))).toBe("401 Jwt issuer is not configured");
  });

  it("J11-J16: malformed tokens get jwt_verify_lib's status texts", async () => {
    const { host: h } = await host(cfgA);
    const good = await token(k1, { iss: ISS });
    const [hs, ps, ss] = good.split(".");
    const cases: Array<[string, string]> = [
      ["abc.def", "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections"],
      [`${hs}.${ps}.`, "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections"],
      [`${hs}..${ps}`, "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections"],
      [`${hs}.${ps}.${ss}.x`, "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections"],
      [raw('{"alg":"none"}', `{"iss":"${ISS}"}`), "Jwt header [alg] is not supported"],
      [raw('{"typ":"JWT"}', `{"iss":"${ISS}"}`), "Jwt header [alg] field is required and must be a string"],
      [raw('{"alg":256}', `{"iss":"${ISS}"}`), "Jwt header [alg] field is required and must be a string"],
      [raw('{"alg":"rs256"}', `{"iss":"${ISS}"}`), "Jwt header [alg] is not supported"],
      [raw('{"alg":"ES256K"}', `{"iss":"${ISS}"}`), "Jwt header [alg] is not supported"],
      [raw('{"alg":"RS256","kid":7}', `{"iss":"${ISS}"}`), "Jwt header [kid] field is not a string"],
      [raw("not json", `{"iss":"${ISS}"}`), "Jwt header is an invalid JSON"],
      [raw("[1]", `{"iss":"${ISS}"}`), "Jwt header is an invalid JSON"],
      [raw('{"alg":"RS256","alg":"none"}', `{"iss":"${ISS}"}`), "Jwt header is an invalid JSON"],
      [`e30*.${ps}.${ss}`, "Jwt header is an invalid Base64url encoded"],
      [`${b64u('{"alg":"RS256"}')}=.${ps}.${ss}`, "Jwt header is an invalid Base64url encoded"],
      [`${hs}.${ps}+.${ss}`, "Jwt payload is an invalid Base64url encoded"],
      [raw('{"alg":"RS256"}', "{"), "Jwt payload is an invalid JSON"],
      [raw('{"alg":"RS256"}', `{"iss":"${ISS}","sub":"a","sub":"admin"}`), "Jwt payload is an invalid JSON"],
      [raw('{"alg":"RS256"}', `{"iss":5}`), "Jwt payload [iss] field is not a string"],
      [raw('{"alg":"RS256"}', `{"iss":"${ISS}","sub":true}`), "Jwt payload [sub] field is not a string"],
      [raw('{"alg":"RS256"}', `{"iss":"${ISS}","iat":"1"}`), "Jwt payload [iat] field is not an integer"],
      [raw('{"alg":"RS256"}', `{"iss":"${ISS}","iat":-1}`), "Jwt payload [iat] field is not a positive 64 bit integer"],
      [raw('{"alg":"RS256"}', `{"iss":"${ISS}","nbf":null}`), "Jwt payload [nbf] field is not an integer"],
      [raw('{"alg":"RS256"}', `{"iss":"${ISS}","nbf":-5}`), "Jwt payload [nbf] field is not a positive 64 bit integer"],
      [raw('{"alg":"RS256"}', `{"iss":"${ISS}","exp":"1700000000"}`), "Jwt payload [exp] field is not an integer"],
      [raw('{"alg":"RS256"}', `{"iss":"${ISS}","exp":1e20}`), "Jwt payload [exp] field is not a positive 64 bit integer"],
      [raw('{"alg":"RS256"}', `{"iss":"${ISS}","jti":1}`), "Jwt payload [jti] field is not a string"],
      [raw('{"alg":"RS256"}', `{"iss":"${ISS}","aud":[1,2]}`), "Jwt payload [aud] field is not a string or string list"],
      [raw('{"alg":"RS256"}', `{"iss":"${ISS}","aud":{}}`), "Jwt payload [aud] field is not a string or string list"],
      [`${hs}.${ps}.${ss.slice(0, -1)}*`, "Jwt signature is an invalid Base64url encoded"],
    ];
    for (const [t, body] of cases) {
      const r = await h.send({ headers: { authorization: `Bearer ${t}` }, path: `/?access_token=${encodeURIComponent(t)}` });
      expect(`${r.response!.status} ${r.response!.text()}`, t).toBe(`401 ${body}`);
    }
    expect(h.traps).toEqual([]);
  });

  it("a huge token is rejected cleanly (bad signature), and deep JSON nesting is invalid JSON", async () => {
    const { host: h } = await host(cfgA);
    const big = await token(k1, { iss: ISS, pad: "x".repeat(200_000) });
    const [hs, ps] = big.split(".");
    const forged = `${hs}.${ps}.${b64u(new Uint8Array(256))}`;
    expect(outcome(await h.send({ headers: bearer(forged) }))).toBe("401 Jwt verification fails");
    const deep = raw('{"alg":"RS256"}', `{"iss":"${ISS}","a":${"[".repeat(5000)}${"]".repeat(5000)}}`);
    expect(outcome(await h.send({ headers: bearer(deep) }))).toBe("401 Jwt payload is an invalid JSON");
    expect(h.traps).toEqual([]);
  });

  it("J17: altered signature bytes fail verification", async () => {
    const { host: h } = await host(cfgA);
    const t = await token(k1, { iss: ISS });
    const [hs, ps, ss] = t.split(".");
    const sig = Buffer.from(ss, "base64url");
    sig[10] ^= 1;
    expect(outcome(await h.send({ headers: bearer(`${hs}.${ps}.${b64u(sig)}`) }))).toBe("401 Jwt verification fails");
    // the payload altered under a valid signature
    const p2 = b64u(JSON.stringify({ iss: ISS, sub: "admin" }));
    expect(outcome(await h.send({ headers: bearer(`${hs}.${p2}.${ss}`) }))).toBe("401 Jwt verification fails");
  });

  it("J18-J20: kid selection", async () => {
    const { host: h } = await host(cfgA);
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS }, { kid: "k9" })) }))).toBe("401 Jwks doesn't have key to match kid or alg from Jwt");
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS }, { kid: null })) }))).toBe("200");
    const { kid: _drop, ...noKid } = k1.jwk;
    const { host: h2 } = await host({ jwtRules: [{ issuer: ISS, jwks: JSON.stringify({ keys: [noKid] }) }] });
    expect(outcome(await h2.send({ headers: bearer(await token(k1, { iss: ISS }, { kid: "anything" })) }))).toBe("200");
  });

  it("J21/J22: a header without the exact prefix is treated as missing", async () => {
    const { host: h } = await host(cfgA);
    const t = await token(k1, { iss: ISS, exp: NOW - 3600 });
    for (const value of [`bearer ${t}`, "Basic dXNlcjpw"]) {
      const r = await h.send({ headers: { authorization: value } });
      expect(outcome(r), value).toBe("200");
      expect(r.upstream!.header("authorization")).toBe(value);
      expect(state(r, "wasmesh.jwt.claims")).toBeUndefined();
    }
  });

  it("prefix search: anywhere in the value, first token run after it", async () => {
    const { host: h } = await host(cfgA);
    const good = await token(k1, { iss: ISS, sub: "s" });
    const bad = await token(k1, { iss: ISS, exp: NOW - 3600 });
    expect(outcome(await h.send({ headers: { authorization: `Foo Bearer ${good}` } }))).toBe("200");
    expect(outcome(await h.send({ headers: { authorization: `Bearer ${good}, Bearer ${bad}` } }))).toBe("200");
    expect(outcome(await h.send({ headers: [["authorization", `Bearer ${bad}`], ["authorization", `Bearer ${good}`]] }))).toBe("401 Jwt is expired");
  });

  it("J23: a good header token and an expired query token fail with the expired one", async () => {
    const { host: h } = await host(cfgA);
    const good = await token(k1, { iss: ISS });
    const bad = await token(k1, { iss: ISS, exp: NOW - 61 });
    const r = await h.send({ path: `/?access_token=${bad}`, headers: bearer(good) });
    expect(outcome(r)).toBe("401 Jwt is expired");
    expect(r.upstream).toBeNull();
  });

  it("J24/J25: CORS preflight bypass needs both origin and access-control-request-method", async () => {
    const { host: h } = await host(cfgA);
    const bad = await token(k1, { iss: ISS, exp: NOW - 61 });
    expect(outcome(await h.send({ method: "OPTIONS", headers: { ...bearer(bad), origin: "https://x", "access-control-request-method": "GET" } }))).toBe("200");
    expect(outcome(await h.send({ method: "OPTIONS", headers: { ...bearer(bad), "access-control-request-method": "GET" } }))).toBe("401 Jwt is expired");
    expect(outcome(await h.send({ method: "GET", headers: { ...bearer(bad), origin: "https://x", "access-control-request-method": "GET" } }))).toBe("401 Jwt is expired");
  });
});

describe("Setup B: audiences", () => {
  const cfg = async () => ({ jwtRules: [{ issuer: ISS, jwks: jwks(k1), audiences: ["bookstore.example.com"] }] });
  it("J30-J34: sanitized exact match; failure is 403 and audience precedes signature", async () => {
    const { host: h } = await host(await cfg());
    const cases: Array<[unknown, string]> = [
      ["bookstore.example.com", "200"],
      [["other", "https://bookstore.example.com/"], "200"],
      ["http://bookstore.example.com", "200"],
      ["Bookstore.example.com", "403 Audiences in Jwt are not allowed"],
      [undefined, "403 Audiences in Jwt are not allowed"],
      [[], "403 Audiences in Jwt are not allowed"],
    ];
    for (const [aud, want] of cases) {
      const t = await token(k1, { iss: ISS, ...(aud === undefined ? {} : { aud: aud as string }) });
      expect(outcome(await h.send({ headers: bearer(t) })), JSON.stringify(aud)).toBe(want);
    }
    const t = await token(k1, { iss: ISS, aud: "nope" });
    const [hs, ps] = t.split(".");
    const r = await h.send({ headers: bearer(`${hs}.${ps}.${b64u("forged")}`) });
    expect(outcome(r)).toBe("403 Audiences in Jwt are not allowed");
    expect(r.response!.header("www-authenticate")).toBe('Bearer realm="http://example.com/", error="invalid_token"');
    expect(r.localReply!.details).toBe("jwt_authn_access_denied{Audiences_in_Jwt_are_not_allowed}");
  });

  it("a configured https://x/ accepts token aud x; [bar, \"\"]-style empty token aud does not match", async () => {
    const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: jwks(k1), audiences: ["https://example_service/"] }] });
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS, aud: "example_service" })) }))).toBe("200");
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS, aud: "" })) }))).toBe("403 Audiences in Jwt are not allowed");
  });
});

describe("Setup C: two rules, default locations", () => {
  let kb: TestKey;
  let cfg: unknown;
  beforeAll(async () => {
    kb = await key("ES256", "kb");
    cfg = { jwtRules: [{ issuer: "https://b.example", jwks: jwks(kb) }, { issuer: ISS, jwks: jwks(k1) }] };
  });

  it("J40-J43", async () => {
    const { host: h } = await host(cfg);
    const r = await h.send({ headers: bearer(await token(kb, { iss: "https://b.example", sub: "bob" })) });
    expect(outcome(r)).toBe("200");
    expect(state(r, "wasmesh.jwt.principal")).toBe("https://b.example/bob");
    expect(outcome(await h.send({ headers: bearer(await token(kb, { iss: "https://c.example" })) }))).toBe("401 Jwt issuer is not configured");
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS, exp: NOW - 61 })) }))).toBe("401 Jwt is expired");
    expect(outcome(await h.send({}))).toBe("200");
  });

  it("keys are per rule: b's key is not tried for a's tokens", async () => {
    const { host: h } = await host(cfg);
    // ES256 token for a: a's only key is RS256 (alg rule) ⇒ no eligible key.
    expect(outcome(await h.send({ headers: bearer(await token(kb, { iss: ISS }, { kid: null })) }))).toBe("401 Jwks doesn't have key to match kid or alg from Jwt");
    // RS256 token for a signed by another RSA key: k1 is eligible and fails.
    const stranger = await key("RS256", "stranger");
    expect(outcome(await h.send({ headers: bearer(await token(stranger, { iss: ISS }, { kid: null })) }))).toBe("401 Jwt verification fails");
  });
});

describe("Setup D: custom header location and outputs", () => {
  let cfg: unknown;
  beforeAll(() => {
    cfg = {
      jwtRules: [{
        issuer: ISS, jwks: jwks(k1), fromHeaders: [{ name: "x-jwt-assertion" }], outputPayloadToHeader: "x-jwt-payload",
        outputClaimToHeaders: [{ header: "x-sub", claim: "sub" }, { header: "x-grp", claim: "org.group" }, { header: "x-n", claim: "n" }],
      }],
    };
  });

  it("J50: the default authorization location is disabled", async () => {
    const { host: h } = await host(cfg);
    const bad = await token(k1, { iss: ISS, exp: NOW - 3600 });
    const r = await h.send({ headers: bearer(bad), path: `/?access_token=${bad}` });
    expect(outcome(r)).toBe("200");
    expect(state(r, "wasmesh.jwt.claims")).toBeUndefined();
  });

  it("J51: payload and claim headers, nested claims, the token header removed", async () => {
    const { host: h } = await host(cfg);
    const t = await token(k1, { iss: ISS, sub: "u1", org: { group: "g" }, n: 7 });
    const r = await h.send({ headers: { "x-jwt-assertion": t } });
    expect(outcome(r)).toBe("200");
    const up = r.upstream!;
    expect(up.header("x-jwt-payload")).toBe(t.split(".")[1]);
    expect(up.header("x-sub")).toBe("u1");
    expect(up.header("x-grp")).toBe("g");
    expect(up.header("x-n")).toBe("7");
    expect(up.header("x-jwt-assertion")).toBeUndefined();
  });

  it("J52/J53: output headers from the client are stripped, token or not", async () => {
    const { host: h } = await host(cfg);
    const r = await h.send({ headers: { "x-sub": "admin", "x-jwt-payload": "forged", "x-grp": "root" } });
    expect(outcome(r)).toBe("200");
    expect(r.upstream!.header("x-sub")).toBeUndefined();
    expect(r.upstream!.header("x-jwt-payload")).toBeUndefined();
    expect(r.upstream!.header("x-grp")).toBeUndefined();
    const bad = await token(k1, { iss: ISS, exp: NOW - 3600 });
    expect(outcome(await h.send({ headers: { "x-jwt-payload": "forged", "x-jwt-assertion": bad } }))).toBe("401 Jwt is expired");
  });

  it("a CORS preflight skips verification but not the stripping of output headers", async () => {
    // Upstreams trust these headers as verified identity; the preflight bypass must not let a
    // client hand them in (stricter than Envoy, whose per-provider sanitizing is skipped too).
    const { host: h } = await host(cfg);
    const r = await h.send({ method: "OPTIONS", headers: { origin: "https://x", "access-control-request-method": "GET", "x-sub": "admin", "x-jwt-payload": "forged", "x-grp": "root" } });
    expect(outcome(r)).toBe("200");
    expect(r.upstream!.header("x-sub")).toBeUndefined();
    expect(r.upstream!.header("x-jwt-payload")).toBeUndefined();
    expect(r.upstream!.header("x-grp")).toBeUndefined();
    expect(r.upstream!.header("origin")).toBe("https://x");
  });

  it("J54/J55 and the other renderings of claim values", async () => {
    const { host: h } = await host(cfg);
    const cases: Array<[Record<string, unknown>, Record<string, string | undefined>]> = [
      [{ n: 1.5 }, { "x-n": "1.500000" }],
      [{ n: -3 }, { "x-n": "-3.000000" }],
      [{ n: 1e3 }, { "x-n": "1000" }],
      // std::to_string(double) is printf("%f"): the exact binary value, rounded half to even
      // at six decimals, however large (no exponent, no 64-bit saturation).
      [{ n: -2e13 }, { "x-n": "-20000000000000.000000" }],
      [{ n: 100000000000000.5 }, { "x-n": "100000000000000.500000" }],
      [{ n: -9223372036854775808 }, { "x-n": "-9223372036854775808.000000" }],
      [{ n: 1e20 }, { "x-n": "100000000000000000000.000000" }],
      [{ n: -1e300 }, { "x-n": `-${BigInt(1e300)}.000000` }],
      [{ n: 0.0078125 }, { "x-n": "0.007812" }],
      [{ n: 0.0234375 }, { "x-n": "0.023438" }],
      [{ n: -1e-7 }, { "x-n": "-0.000000" }],
      [{ n: 2.0000005 }, { "x-n": "2.000001" }],
      [{ n: true }, { "x-n": "true" }],
      [{ n: null }, { "x-n": undefined }],
      [{ n: "" }, { "x-n": undefined }],
      [{ org: { group: ["a", "b"] } }, { "x-grp": "WyJhIiwiYiJd" }],
      [{ org: { group: { k: 1 } } }, { "x-grp": Buffer.from('{"k":1}').toString("base64") }],
      [{ org: "flat" }, { "x-grp": undefined }],
      [{ sub: "ü" }, { "x-sub": Buffer.from("ü").toString("latin1") }], // the UTF-8 bytes, as header bytes
    ];
    for (const [claims, want] of cases) {
      const r = await h.send({ headers: { "x-jwt-assertion": await token(k1, { iss: ISS, ...claims }) } });
      expect(outcome(r)).toBe("200");
      for (const [name, value] of Object.entries(want)) expect(r.upstream!.header(name), `${JSON.stringify(claims)} ${name}`).toBe(value);
    }
  });

  it("params and cookies: tokens found there are never removed", async () => {
    const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: jwks(k1), fromParams: ["jwt"], fromCookies: ["session"] }] });
    const t = await token(k1, { iss: ISS, sub: "c" });
    const r1 = await h.send({ headers: { cookie: `a=b; session=${t}; c=d` } });
    expect(outcome(r1)).toBe("200");
    expect(r1.upstream!.header("cookie")).toBe(`a=b; session=${t}; c=d`);
    expect(state(r1, "wasmesh.jwt.principal")).toBe(`${ISS}/c`);
    const r2 = await h.send({ path: `/x?jwt=${encodeURIComponent(t)}` });
    expect(outcome(r2)).toBe("200");
    const bad = await token(k1, { iss: ISS, exp: NOW - 3600 });
    expect(outcome(await h.send({ headers: { cookie: `session="${bad}"` } }))).toBe("401 Jwt is expired");
    expect(outcome(await h.send({ headers: bearer(bad) }))).toBe("200"); // authorization is not a location of this rule
  });
});

describe("Setup E: normalization of space-delimited claims", () => {
  it("J60-J62", async () => {
    const { host: h } = await host({ jwtRules: [{ issuer: ISS, jwks: jwks(k1), spaceDelimitedClaims: ["roles"] }] });
    const t = await token(k1, { iss: ISS, sub: "u", scope: "read  write", roles: "a b", permission: ["x y"], other: "p q" });
    const r = await h.send({ headers: bearer(t) });
    const claims = JSON.parse(state(r, "wasmesh.jwt.claims")!);
    expect(claims.scope).toEqual(["read", "write"]);
    expect(claims.roles).toEqual(["a", "b"]);
    expect(claims.permission).toEqual(["x y"]);
    expect(claims.other).toBe("p q");
  });
});

describe("memory", () => {
  it("stays flat over many distinct tokens (the verified-token cache is bounded)", async () => {
    const { createHmac } = await import("node:crypto");
    const secret = Buffer.alloc(32, 7);
    const oct = { kty: "oct", kid: "h", alg: "HS256", k: b64u(secret) };
    const { host: h, plugin } = await host({ jwtRules: [{ issuer: ISS, jwks: JSON.stringify({ keys: [oct] }), outputClaimToHeaders: [{ header: "x-sub", claim: "sub" }] }], verifiedTokenCacheSize: 64 }, { history: false });
    const vm = plugin.workers[0].vm;
    const pages = () => (vm.instance.exports.memory as WebAssembly.Memory).buffer.byteLength;
    const hs = b64u(JSON.stringify({ alg: "HS256", kid: "h" }));
    let seq = 0;
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const ps = b64u(JSON.stringify({ iss: ISS, sub: `user-${seq++}`, scope: "a b c", pad: "x".repeat(500) }));
        const sig = createHmac("sha256", secret).update(`${hs}.${ps}`).digest();
        const r = await h.send({ headers: bearer(`${hs}.${ps}.${b64u(sig)}`) });
        expect(r.response!.status).toBe(200);
      }
    };
    await run(2000);
    const after2k = pages();
    await run(4000);
    expect(pages()).toBe(after2k);
  });
});

describe("more edges", () => {
  it("a gRPC request gets Envoy's trailers-only reply: grpc-status 16 and the text as grpc-message", async () => {
    const { host: h } = await host(cfgA);
    const t = await token(k1, { iss: ISS, exp: NOW - 61 });
    const r = await h.send({ method: "POST", path: "/pkg.Svc/Call", headers: { ...bearer(t), "content-type": "application/grpc" }, body: "x" });
    expect(r.upstream).toBeNull();
    expect(r.response!.status).toBe(200);
    const all = [...r.response!.headers, ...r.response!.trailers];
    expect(all).toContainEqual(["grpc-status", "16"]);
    expect(all.find(([k]) => k === "grpc-message")?.[1]).toMatch(/^Jwt(%20| )is(%20| )expired$/);
  });

  it("fractional time claims are truncated; numbers are doubles, so 2^64 - 1 is out of range and 2^63 is far future", async () => {
    const { host: h } = await host(cfgA);
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS, exp: NOW - 60.9 })) }))).toBe("401 Jwt is expired");
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS, exp: NOW - 59.5 })) }))).toBe("200");
    expect(outcome(await h.send({ headers: bearer(raw('{"alg":"RS256"}', `{"iss":"${ISS}","exp":18446744073709551615}`)) }))).toBe("401 Jwt payload [exp] field is not a positive 64 bit integer");
    expect(outcome(await h.send({ headers: bearer(raw('{"alg":"RS256"}', `{"iss":"${ISS}","exp":9223372036854775808}`)) }))).toBe("401 Jwt verification fails");
  });

  it("two rules and two tokens: each rule checks only the tokens at its own locations", async () => {
    const kb = await key("ES256", "kb2");
    const { host: h } = await host({
      jwtRules: [
        { issuer: ISS, jwks: jwks(k1), fromHeaders: [{ name: "x-a" }] },
        { issuer: "https://b.example", jwks: jwks(kb), fromHeaders: [{ name: "x-b" }] },
      ],
    });
    const a = await token(k1, { iss: ISS, sub: "a" });
    const b = await token(kb, { iss: "https://b.example", sub: "b" });
    const r = await h.send({ headers: { "x-a": a, "x-b": b } });
    expect(outcome(r)).toBe("200");
    expect(r.upstream!.header("x-a")).toBeUndefined();
    expect(r.upstream!.header("x-b")).toBeUndefined();
    // b's token under a's header: a's location only allows a's issuer.
    expect(outcome(await h.send({ headers: { "x-a": b } }))).toBe("401 Jwt issuer is not configured");
  });

  it("two verified tokens: the published identity is the last token's alone, never a mix of both", async () => {
    const kb = await key("ES256", "kb3");
    const { host: h } = await host({
      jwtRules: [
        { issuer: ISS, jwks: jwks(k1), fromHeaders: [{ name: "x-a" }] },
        { issuer: "https://b.example", jwks: jwks(kb), fromHeaders: [{ name: "x-b" }] },
      ],
    });
    const a = await token(k1, { iss: ISS, sub: "alice", azp: "app-a", aud: "api" });
    const b = await token(kb, { iss: "https://b.example", scope: "read" }); // no sub, azp or aud
    const r = await h.send({ headers: { "x-a": a, "x-b": b } });
    expect(outcome(r)).toBe("200");
    expect(JSON.parse(state(r, "wasmesh.jwt.claims")!)).toEqual({ iss: "https://b.example", scope: ["read"] });
    expect(state(r, "wasmesh.jwt.principal")).toBeUndefined(); // not alice: her claims were not published
    expect(state(r, "wasmesh.jwt.presenter")).toBeUndefined();
    expect(JSON.parse(state(r, "wasmesh.jwt.audiences")!)).toEqual([]);
  });
});

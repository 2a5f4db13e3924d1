// The configuration (config.ts): Istio's JWTRule fields plus wasmesh settings; every invalid
// field fails on_configure with its JSON path (policy-semantics.md §1.11).
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../../host-shim/index.ts";
import { ISS, T0, WASM, jwks, key, outcome, token, type TestKey } from "./helpers.ts";

let k1: TestKey;
let keys: string;
beforeAll(async () => {
  k1 = await key("RS256", "k1");
  keys = jwks(k1);
});

async function configure(config: unknown) {
  const h = new Host({ clock: T0 });
  const plugin = await h.loadPlugin({ wasm: WASM, config, name: "jwt" });
  const line = h.logs("warn").find((l) => l.message.startsWith("jwt-authn: invalid configuration: "));
  return { h, plugin, error: line?.message.slice("jwt-authn: invalid configuration: ".length) };
}

describe("configuration", () => {
  it("accepts every Istio field and every wasmesh setting", async () => {
    const { plugin, error } = await configure({
      jwtRules: [
        {
          issuer: ISS, audiences: ["a", "b"], jwks: keys,
          fromHeaders: [{ name: "X-Jwt", prefix: "Bearer " }, { name: "x-raw" }], fromParams: ["t"], fromCookies: ["c"],
          outputPayloadToHeader: "x-payload", outputClaimToHeaders: [{ header: "x-sub", claim: "sub" }],
          forwardOriginalToken: true, timeout: "1.5s", spaceDelimitedClaims: ["roles"],
        },
        { issuer: "https://b.example", jwksUri: "http://keys.local:8080/jwks?v=1", jwksCluster: "keys", jwksCacheDuration: "2m", timeout: "250ms" },
      ],
      verifiedTokenCacheSize: 10, jwksMaxBytes: 1000, jwksRefetchCooldown: "30s", signatureVerifier: "host", clockSkewSeconds: 5, clearRouteCache: true,
    });
    expect(error).toBeUndefined();
    expect(plugin.outcome).toBe("ok");
  });

  it("the seed manifest rule loads as is", async () => {
    const { plugin, h } = await configure({ jwtRules: [{ issuer: "https://auth.example.com", jwksUri: "https://auth.example.com/.well-known/jwks.json", audiences: ["api.example.com"], forwardOriginalToken: true }] });
    expect(plugin.outcome).toBe("ok");
    expect(h.logs("info").map((l) => l.message)).toContain("jwt-authn: 1 rule(s) configured");
  });

  it("an empty configuration and an empty rule list pass every request", async () => {
    for (const config of [undefined, {}, { jwtRules: [] }]) {
      const { h, plugin } = await configure(config);
      expect(plugin.outcome).toBe("ok");
      expect(outcome(await h.send({ headers: { authorization: "Bearer x.y.z" } }))).toBe("200");
    }
  });

  const cases: Array<[string, () => unknown, string]> = [
    ["not JSON", () => "{", "invalid JSON: "],
    ["not an object", () => "[]", "must be a JSON object, got array"],
    ["unknown top-level field", () => ({ jwtRule: [] }), "jwtRule: unknown field"],
    ["jwtRules not an array", () => ({ jwtRules: {} }), "jwtRules: must be an array, got object"],
    ["rule not an object", () => ({ jwtRules: [1] }), "jwtRules[0]: must be an object, got number"],
    ["unknown rule field", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, audience: ["x"] }] }), "jwtRules[0].audience: unknown field"],
    ["issuer not a string", () => ({ jwtRules: [{ issuer: 1, jwks: keys }] }), "jwtRules[0].issuer: must be a string"],
    ["neither issuer nor jwksUri", () => ({ jwtRules: [{ jwks: keys }] }), "jwtRules[0].issuer: required unless jwksUri is set"],
    ["neither jwks nor jwksUri", () => ({ jwtRules: [{ issuer: ISS }] }), "jwtRules[0]: one of jwks or jwksUri is required (OpenID discovery is not supported)"],
    ["both jwks and jwksUri", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, jwksUri: "https://x/j" }] }), "jwtRules[0]: jwks and jwksUri are mutually exclusive"],
    ["jwks not JSON", () => ({ jwtRules: [{ issuer: ISS, jwks: "{" }] }), "jwtRules[0].jwks: not a JWKS: invalid JSON or not an object"],
    ["jwks without keys", () => ({ jwtRules: [{ issuer: ISS, jwks: "{}" }] }), "jwtRules[0].jwks: not a JWKS: no [keys] field"],
    ["jwks keys not an array", () => ({ jwtRules: [{ issuer: ISS, jwks: '{"keys":{}}' }] }), "jwtRules[0].jwks: not a JWKS: [keys] is not an array"],
    ["jwks an object", () => ({ jwtRules: [{ issuer: ISS, jwks: { keys: [] } }] }), "jwtRules[0].jwks: must be a string (the JWKS JSON text)"],
    ["jwksUri not http", () => ({ jwtRules: [{ issuer: ISS, jwksUri: "ftp://x/j" }] }), 'jwtRules[0].jwksUri: must be an http or https URL with a host, got "ftp://x/j"'],
    ["jwksUri without host", () => ({ jwtRules: [{ issuer: ISS, jwksUri: "https:///j" }] }), 'jwtRules[0].jwksUri: must be an http or https URL with a host, got "https:///j"'],
    ["jwksUri with a bad port", () => ({ jwtRules: [{ issuer: ISS, jwksUri: "https://x:abc/j" }] }), 'jwtRules[0].jwksUri: must be an http or https URL with a host, got "https://x:abc/j"'],
    ["empty audience", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, audiences: ["a", ""] }] }), "jwtRules[0].audiences[1]: must not be empty"],
    ["audience not a string", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, audiences: [1] }] }), "jwtRules[0].audiences[0]: must be a string"],
    ["audiences not a list", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, audiences: "a" }] }), "jwtRules[0].audiences: must be an array of strings, got string"],
    ["fromHeaders not a list", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, fromHeaders: {} }] }), "jwtRules[0].fromHeaders: must be an array"],
    ["fromHeaders entry without name", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, fromHeaders: [{ prefix: "B " }] }] }), "jwtRules[0].fromHeaders[0].name: required"],
    ["fromHeaders empty name", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, fromHeaders: [{ name: "" }] }] }), "jwtRules[0].fromHeaders[0].name: must be a non-empty string"],
    ["fromHeaders bad name", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, fromHeaders: [{ name: "a b" }] }] }), "jwtRules[0].fromHeaders[0].name: not a valid header name"],
    ["fromHeaders prefix not a string", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, fromHeaders: [{ name: "a", prefix: 1 }] }] }), "jwtRules[0].fromHeaders[0].prefix: must be a string"],
    ["fromHeaders unknown field", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, fromHeaders: [{ name: "a", valuePrefix: "x" }] }] }), "jwtRules[0].fromHeaders[0].valuePrefix: unknown field"],
    ["empty param", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, fromParams: [""] }] }), "jwtRules[0].fromParams[0]: must not be empty"],
    ["empty cookie", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, fromCookies: ["a", ""] }] }), "jwtRules[0].fromCookies[1]: must not be empty"],
    ["payload header not a string", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, outputPayloadToHeader: true }] }), "jwtRules[0].outputPayloadToHeader: must be a string"],
    ["payload header invalid", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, outputPayloadToHeader: "x y" }] }), "jwtRules[0].outputPayloadToHeader: not a valid header name"],
    ["claim header invalid", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, outputClaimToHeaders: [{ header: "x.y", claim: "sub" }] }] }), "jwtRules[0].outputClaimToHeaders[0].header: must match ^[-_A-Za-z0-9]+$"],
    ["claim header missing", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, outputClaimToHeaders: [{ claim: "sub" }] }] }), "jwtRules[0].outputClaimToHeaders[0].header: must be a non-empty string"],
    ["claim missing", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, outputClaimToHeaders: [{ header: "x" }] }] }), "jwtRules[0].outputClaimToHeaders[0].claim: must be a non-empty string"],
    ["forwardOriginalToken not a bool", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, forwardOriginalToken: "true" }] }), "jwtRules[0].forwardOriginalToken: must be a boolean"],
    ["timeout not a duration", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, timeout: "5" }] }), 'jwtRules[0].timeout: must be a duration such as "5s", "1.5s", "500ms", "2m", got "5"'],
    ["timeout a number", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, timeout: 5 }] }), 'jwtRules[0].timeout: must be a duration such as "5s", "1.5s", "500ms", "2m", got number'],
    ["timeout zero", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, timeout: "0s" }] }), "jwtRules[0].timeout: must be at least 1ms"],
    ["spaceDelimitedClaims entry", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, spaceDelimitedClaims: [null] }] }), "jwtRules[0].spaceDelimitedClaims[0]: must be a string"],
    ["jwksCluster without jwksUri", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, jwksCluster: "c" }] }), "jwtRules[0].jwksCluster: only meaningful with jwksUri"],
    ["jwksCluster empty", () => ({ jwtRules: [{ issuer: ISS, jwksUri: "https://x/j", jwksCluster: "" }] }), "jwtRules[0].jwksCluster: must be a non-empty string"],
    ["jwksCacheDuration too short", () => ({ jwtRules: [{ issuer: ISS, jwksUri: "https://x/j", jwksCacheDuration: "10ms" }] }), "jwtRules[0].jwksCacheDuration: must be at least 1s"],
    // Output headers are stripped from every request before tokens are looked for: one that is
    // also a token location would hide every token there, and every request would pass as anonymous.
    ["payload header is a token location", () => ({ jwtRules: [{ issuer: ISS, jwks: keys, fromHeaders: [{ name: "x-jwt" }], outputPayloadToHeader: "X-Jwt" }] }), "jwtRules[0].outputPayloadToHeader: x-jwt is where jwtRules[0] reads tokens (output headers are stripped from every request)"],
    ["claim header is another rule's default location", () => ({ jwtRules: [{ issuer: ISS, jwks: keys }, { issuer: "https://b.example", jwks: keys, fromParams: ["t"], outputClaimToHeaders: [{ header: "x-sub", claim: "sub" }, { header: "Authorization", claim: "sub" }] }] }), "jwtRules[1].outputClaimToHeaders[1].header: authorization is where jwtRules[0] reads tokens (output headers are stripped from every request)"],
    ["second rule's error", () => ({ jwtRules: [{ issuer: ISS, jwks: keys }, { issuer: ISS, jwks: keys, fromParams: [3] }] }), "jwtRules[1].fromParams[0]: must be a string"],
    ["verifiedTokenCacheSize negative", () => ({ verifiedTokenCacheSize: -1 }), "verifiedTokenCacheSize: must be an integer from 0 to 100000"],
    ["verifiedTokenCacheSize fractional", () => ({ verifiedTokenCacheSize: 1.5 }), "verifiedTokenCacheSize: must be an integer from 0 to 100000"],
    ["jwksMaxBytes zero", () => ({ jwksMaxBytes: 0 }), "jwksMaxBytes: must be an integer from 1 to 4194304"],
    ["jwksRefetchCooldown bad", () => ({ jwksRefetchCooldown: "soon" }), 'jwksRefetchCooldown: must be a duration such as "5s", "1.5s", "500ms", "2m", got "soon"'],
    // 0 would let every request with a random kid start a JWKS fetch (the amplification the cooldown exists to stop).
    ["jwksRefetchCooldown zero", () => ({ jwksRefetchCooldown: "0s" }), "jwksRefetchCooldown: must be at least 1s"],
    ["jwksRefetchCooldown under a second", () => ({ jwksRefetchCooldown: "999ms" }), "jwksRefetchCooldown: must be at least 1s"],
    ["signatureVerifier bad", () => ({ signatureVerifier: "envoy" }), 'signatureVerifier: must be "wasm" or "host"'],
    ["clockSkewSeconds bad", () => ({ clockSkewSeconds: "60" }), "clockSkewSeconds: must be an integer from 0 to 86400"],
    ["clearRouteCache bad", () => ({ clearRouteCache: 1 }), "clearRouteCache: must be a boolean"],
  ];
  for (const [what, config, message] of cases) {
    it(`rejects ${what}`, async () => {
      const { plugin, error, h } = await configure(config());
      expect(plugin.outcome).toBe("rejected");
      if (message.endsWith(": ")) expect(error).toMatch(new RegExp(`^${message}`));
      else expect(error).toBe(message);
      // A filter that failed to configure fails requests closed (FAIL_CLOSE).
      expect((await h.send({})).response!.status).toBe(503);
    });
  }

  it("rules are sorted by issuer, as Istio builds providers (error precedence follows)", async () => {
    const ka = await key("ES256", "ka");
    const { h } = await configure({ jwtRules: [{ issuer: "https://z.example", jwks: jwks(ka) }, { issuer: "https://m.example", jwks: jwks(k1) }] });
    // A token for neither, expired: both rules say "unknown issuer".
    const t = await token(k1, { iss: "https://q.example", exp: 1 });
    expect(outcome(await h.send({ headers: { authorization: `Bearer ${t}` } }))).toBe("401 Jwt issuer is not configured");
    // Two specific errors: the first rule in issuer order decides (requires_all of the Istio
    // requirement fails on its first failing provider). Listed z first, m sorts first.
    const { h: h2 } = await configure({
      jwtRules: [
        { issuer: "https://z.example", jwks: jwks(ka), fromHeaders: [{ name: "x-z" }] },
        { issuer: "https://m.example", jwks: jwks(k1), fromHeaders: [{ name: "x-m" }] },
      ],
    });
    const zBadSig = await token(k1, { iss: "https://z.example" }, { kid: null }); // z's key is ES256
    const mExpired = await token(k1, { iss: "https://m.example", exp: T0 / 1000 - 3600 });
    expect(outcome(await h2.send({ headers: { "x-z": zBadSig } }))).toBe("401 Jwks doesn't have key to match kid or alg from Jwt");
    expect(outcome(await h2.send({ headers: { "x-z": zBadSig, "x-m": mExpired } }))).toBe("401 Jwt is expired");
  });

  it("clockSkewSeconds changes the skew; 0 means Envoy's default 60", async () => {
    const now = T0 / 1000;
    const { h } = await configure({ jwtRules: [{ issuer: ISS, jwks: keys }], clockSkewSeconds: 5 });
    expect(outcome(await h.send({ headers: { authorization: `Bearer ${await token(k1, { iss: ISS, exp: now - 5 })}` } }))).toBe("200");
    expect(outcome(await h.send({ headers: { authorization: `Bearer ${await token(k1, { iss: ISS, exp: now - 6 })}` } }))).toBe("401 Jwt is expired");
    const { h: h0 } = await configure({ jwtRules: [{ issuer: ISS, jwks: keys }], clockSkewSeconds: 0 });
    expect(outcome(await h0.send({ headers: { authorization: `Bearer ${await token(k1, { iss: ISS, exp: now - 60 })}` } }))).toBe("200");
  });

  it("clearRouteCache calls the host's clear_route_cache after a verified token only", async () => {
    for (const clear of [true, false]) {
      const { h } = await configure({ jwtRules: [{ issuer: ISS, jwks: keys }], clearRouteCache: clear });
      let calls = 0;
      h.foreignFunctions.set("clear_route_cache", () => {
        calls++;
        return { status: 0 };
      });
      expect(outcome(await h.send({ headers: { authorization: `Bearer ${await token(k1, { iss: ISS })}` } }))).toBe("200");
      expect(outcome(await h.send({}))).toBe("200");
      expect(calls).toBe(clear ? 1 : 0);
    }
  });

  it("a rule without issuer (jwksUri only) accepts any iss", async () => {
    const h = new Host({ clock: T0 });
    h.cluster("k", () => ({ status: 200, body: keys }));
    await h.loadPlugin({ wasm: WASM, config: { jwtRules: [{ jwksUri: "https://keys/j", jwksCluster: "k" }] } });
    expect(outcome(await h.send({ headers: { authorization: `Bearer ${await token(k1, { iss: "https://anyone" })}` } }))).toBe("200");
    expect(outcome(await h.send({ headers: { authorization: `Bearer ${await token(k1, { sub: "no-iss" })}` } }))).toBe("200");
  });
});

// Remote JWKS (policy-semantics.md §1.8 and issue 5): fetched with an HTTP callout while the
// request waits, cached, refreshed on the tick, shared between workers through shared data,
// fetch failures failing waiting requests closed, no stampede, kid-miss refetch cooldown,
// size cap, superseded answers ignored.
import { beforeAll, describe, expect, it } from "vitest";
import type { CalloutRequest } from "../../../host-shim/index.ts";
import { Host } from "../../../host-shim/index.ts";
import { NOW, T0, WASM, jwks, key, outcome, state, token, type TestKey } from "./helpers.ts";

const ISS = "https://auth.example.com";
const URI = "https://auth.example.com/.well-known/jwks.json";
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const names = (tl: Array<{ callback: string }>) => tl.map((t) => t.callback.replace(/^proxy_/, ""));

let k1: TestKey;
let k2: TestKey;
beforeAll(async () => {
  k1 = await key("RS256", "k1");
  k2 = await key("ES256", "k2");
});

type Answer = { status?: number; body?: string; delayMs?: number; reset?: boolean; timeout?: boolean };

async function setup(rule: Record<string, unknown> = {}, top: Record<string, unknown> = {}, opts: { workers?: number } = {}) {
  const h = new Host({ clock: T0, workers: opts.workers ?? 1 });
  const calls: CalloutRequest[] = [];
  const answers: Answer[] = [];
  let fallback: Answer = { status: 200, body: jwks(k1) };
  h.cluster("jwks", (req) => {
    calls.push(req);
    const a = answers.shift() ?? fallback;
    if (a.reset) return { reset: true };
    if (a.timeout) return { timeout: true };
    return { status: a.status ?? 200, headers: { "content-type": "application/json" }, body: a.body ?? "", delayMs: a.delayMs ?? 0 };
  });
  const plugin = await h.loadPlugin({ wasm: WASM, name: "jwt", config: { jwtRules: [{ issuer: ISS, jwksUri: URI, jwksCluster: "jwks", ...rule }], ...top } });
  return { h, plugin, calls, answers, setFallback: (a: Answer) => (fallback = a) };
}

describe("remote JWKS", () => {
  it("the seed manifest rule loads as is and fetches from Istio's cluster name for the URI", async () => {
    const h = new Host({ clock: T0 });
    const seen: CalloutRequest[] = [];
    h.cluster("outbound|443||auth.example.com", (req) => {
      seen.push(req);
      return { status: 200, body: jwks(k1) };
    });
    const plugin = await h.loadPlugin({ wasm: WASM, config: { jwtRules: [{ issuer: ISS, jwksUri: URI, audiences: ["api.example.com"], forwardOriginalToken: true }] } });
    expect(plugin.outcome).toBe("ok");
    const t = await token(k1, { iss: ISS, sub: "user-1", aud: "api.example.com" });
    const r = await h.send({ headers: bearer(t) });
    expect(outcome(r)).toBe("200");
    expect(r.upstream!.header("authorization")).toBe(`Bearer ${t}`);
    expect(state(r, "wasmesh.jwt.principal")).toBe(`${ISS}/user-1`);
    expect(seen).toMatchObject([{ method: "GET", path: "/.well-known/jwks.json", authority: "auth.example.com", timeoutMs: 5000 }]);
  });

  it("a request that needs the keys is paused, resumed when they arrive, and later requests use the cache", async () => {
    const { h, calls, answers } = await setup({ timeout: "2s" });
    answers.push({ status: 200, body: jwks(k1), delayMs: 40 });
    const t = await token(k1, { iss: ISS, sub: "u" });
    const r = await h.send({ headers: bearer(t) });
    expect(outcome(r)).toBe("200");
    expect(names(r.timeline)).toEqual(["on_context_create", "on_request_headers", "on_http_call_response", "on_response_headers", "on_log", "on_done", "on_delete"]);
    expect(r.timeline.find((c) => c.callback === "proxy_on_request_headers")!.result).toBe(1); // StopIteration
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ path: "/.well-known/jwks.json", authority: "auth.example.com", timeoutMs: 2000 });
    const again = await h.send({ headers: bearer(await token(k1, { iss: ISS, sub: "v" })) });
    expect(outcome(again)).toBe("200");
    expect(names(again.timeline)).not.toContain("on_http_call_response");
    expect(calls).toHaveLength(1);
    expect(h.metrics.snapshot()).toMatchObject({ wasmesh_jwt_jwks_fetches_total: 1, wasmesh_jwt_allowed_total: 2 });
  });

  // With Envoy's allow_on_headers_stop_iteration, a StopIteration on the headers is only a
  // headers stop: a body callback that answers Continue would release the paused headers, and
  // the request would reach the upstream before its token was checked (fail open).
  for (const [what, request] of [
    ["a body", { method: "POST", body: ["part-1", "part-2"] }],
    ["a body and trailers", { method: "POST", body: "payload", trailers: { "x-t": "1" } }],
  ] as Array<[string, Record<string, unknown>]>) {
    it(`a request with ${what} stays paused until the keys decide it (allow_on_headers_stop_iteration)`, async () => {
      for (const [answer, want] of [
        [{ status: 503, body: "down", delayMs: 50 }, "401 Jwks remote fetch is failed"],
        [{ status: 200, body: jwks(k1), delayMs: 50 }, "200"],
      ] as Array<[Answer, string]>) {
        const h = new Host({ clock: T0 });
        h.cluster("jwks", () => ({ status: answer.status!, body: answer.body!, delayMs: answer.delayMs! }));
        await h.loadPlugin({ wasm: WASM, name: "jwt", allowOnHeadersStopIteration: true, config: { jwtRules: [{ issuer: ISS, jwksUri: URI, jwksCluster: "jwks" }] } });
        const r = await h.send({ ...request, headers: bearer(await token(k1, { iss: ISS, sub: "u" })) });
        expect(outcome(r), what).toBe(want);
        if (want === "200") {
          expect(r.upstream!.header("authorization")).toBeUndefined(); // removed after verification, not before
          expect(new TextDecoder().decode(r.upstream!.body)).toBe(Array.isArray(request.body) ? request.body.join("") : request.body);
        } else {
          expect(r.upstream).toBeNull();
        }
      }
    });
  }

  it("requests without a token never fetch", async () => {
    const { h, calls } = await setup();
    expect(outcome(await h.send({}))).toBe("200");
    expect(calls).toHaveLength(0);
  });

  it("many concurrent requests wait for one fetch (no stampede)", async () => {
    const { h, calls, answers } = await setup();
    answers.push({ status: 200, body: jwks(k1), delayMs: 100 });
    const streams = [];
    for (let i = 0; i < 20; i++) streams.push(h.open({ headers: bearer(await token(k1, { iss: ISS, sub: `u${i}` })) }));
    const results = await h.wait(streams);
    expect(results.map(outcome)).toEqual(Array(20).fill("200"));
    expect(calls).toHaveLength(1);
  });

  for (const [what, answer, body] of [
    ["a 503", { status: 503, body: "down" }, "Jwks remote fetch is failed"],
    ["a reset", { reset: true }, "Jwks remote fetch is failed"],
    ["a timeout", { timeout: true }, "Jwks remote fetch is failed"],
    ["a body that is not JSON", { status: 200, body: "<html>" }, "Jwks is an invalid JSON"],
    ["a JWKS without keys", { status: 200, body: "{}" }, "Jwks does not have [keys] field"],
    ["a JWKS with no usable key", { status: 200, body: '{"keys":[{"kty":"RSA"}]}' }, "Jwks doesn't have any valid public key"],
    ["a JWKS over the size cap", { status: 200, body: JSON.stringify({ keys: [], pad: "x".repeat(70_000) }) }, "Jwks remote fetch is failed"],
  ] as Array<[string, Answer, string]>) {
    it(`${what} fails the waiting requests closed`, async () => {
      const { h, calls, answers } = await setup({ timeout: "1s" });
      answers.push({ ...answer, delayMs: 10 });
      const streams = [];
      for (let i = 0; i < 3; i++) streams.push(h.open({ headers: bearer(await token(k1, { iss: ISS, sub: `u${i}` })) }));
      const results = await h.wait(streams);
      for (const r of results) {
        expect(outcome(r)).toBe(`401 ${body}`);
        expect(r.response!.header("www-authenticate")).toBe('Bearer realm="http://example.com/", error="invalid_token"');
        expect(r.upstream).toBeNull();
      }
      expect(calls).toHaveLength(1);
      expect(h.metrics.snapshot()).toMatchObject({ wasmesh_jwt_jwks_fetch_failures_total: 1, wasmesh_jwt_denied_total: 3 });
      // The next request tries again (Envoy fetches when the cache is empty).
      expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS })) }))).toBe("200");
      expect(calls).toHaveLength(2);
    });
  }

  it("the size cap is configurable", async () => {
    const { h } = await setup({}, { jwksMaxBytes: 100 });
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS })) }))).toBe("401 Jwks remote fetch is failed");
    expect(h.logs("warn").some((l) => l.message.includes("over the limit of 100"))).toBe(true);
  });

  it("refreshes on the tick after the cache duration; stale keys serve while the refresh runs; rotation lands", async () => {
    const { h, calls, answers } = await setup({ jwksCacheDuration: "10s" });
    answers.push({ status: 200, body: jwks(k1) });
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS })) }))).toBe("200");
    expect(calls).toHaveLength(1);
    // Rotation: the next JWKS has k2 only, and is slow to arrive.
    answers.push({ status: 200, body: jwks(k2), delayMs: 3000 }); // within the 5 s fetch timeout
    await h.advance(11_000); // the tick notices the keys are stale and starts the refresh
    expect(calls).toHaveLength(2);
    const during = await h.send({ headers: bearer(await token(k1, { iss: ISS, sub: "during" })) });
    expect(outcome(during)).toBe("200"); // stale k1 still serves, without waiting
    expect(names(during.timeline)).not.toContain("on_http_call_response");
    await h.advance(4_000); // the refresh answers 3 s after the tick that started it
    expect(outcome(await h.send({ headers: bearer(await token(k2, { iss: ISS, sub: "after" })) }))).toBe("200");
    expect(calls).toHaveLength(2);
  });

  it("a failed refresh keeps the stale keys and retries after the cooldown", async () => {
    const { h, calls, answers } = await setup({ jwksCacheDuration: "10s" }, { jwksRefetchCooldown: "30s" });
    answers.push({ status: 200, body: jwks(k1) });
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS })) }))).toBe("200");
    answers.push({ status: 500 });
    await h.advance(11_000);
    expect(calls).toHaveLength(2);
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS, sub: "x" })) }))).toBe("200");
    await h.advance(10_000);
    expect(calls).toHaveLength(2); // within the cooldown
    answers.push({ status: 200, body: jwks(k1, k2) });
    await h.advance(25_000);
    expect(calls).toHaveLength(3);
    expect(outcome(await h.send({ headers: bearer(await token(k2, { iss: ISS })) }))).toBe("200");
  });

  it("an unknown kid triggers one refetch, then none until the cooldown has passed", async () => {
    const { h, calls, answers } = await setup({}, { jwksRefetchCooldown: "60s" });
    answers.push({ status: 200, body: jwks(k1) });
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS })) }))).toBe("200");
    // A freshly rotated key: the refetch finds it, the request waits for it and passes.
    answers.push({ status: 200, body: jwks(k1, k2), delayMs: 20 });
    const rotated = await h.send({ headers: bearer(await token(k2, { iss: ISS })) });
    expect(outcome(rotated)).toBe("200");
    expect(calls).toHaveLength(2);
    // Random kids: no more fetches within the cooldown, however many.
    for (let i = 0; i < 10; i++) {
      const r = await h.send({ headers: bearer(await token(k1, { iss: ISS }, { kid: `random-${i}` })) });
      expect(outcome(r)).toBe("401 Jwks doesn't have key to match kid or alg from Jwt");
    }
    expect(calls).toHaveLength(2);
    await h.advance(61_000);
    answers.push({ status: 200, body: jwks(k1, k2) });
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS }, { kid: "random-x" })) }))).toBe("401 Jwks doesn't have key to match kid or alg from Jwt");
    expect(calls).toHaveLength(3);
  });

  it("workers share the fetched keys through shared data, and one worker fetches for all", async () => {
    const { h, calls, answers } = await setup({}, {}, { workers: 2 });
    answers.push({ status: 200, body: jwks(k1), delayMs: 300 });
    const s0 = h.open({ headers: bearer(await token(k1, { iss: ISS, sub: "w0" })) }, { worker: 0 });
    await h.advance(10);
    const s1 = h.open({ headers: bearer(await token(k1, { iss: ISS, sub: "w1" })) }, { worker: 1 });
    const results = await h.wait([s0, s1]);
    expect(results.map(outcome)).toEqual(["200", "200"]);
    expect(calls).toHaveLength(1); // worker 1 saw worker 0's lease and waited for its result
    expect(h.sharedData.keys("").filter((k) => k.startsWith("wasmesh.jwt-authn.jwks|"))).toHaveLength(2); // the JWKS and the lease
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS, sub: "later" })) }, { worker: 1 }))).toBe("200");
    expect(calls).toHaveLength(1);
  });

  it("when the worker holding the lease fails, a waiting worker fetches for itself", async () => {
    const { h, calls, answers } = await setup({}, {}, { workers: 2 });
    answers.push({ status: 503, delayMs: 300 }, { status: 200, body: jwks(k1), delayMs: 10 });
    const s0 = h.open({ headers: bearer(await token(k1, { iss: ISS, sub: "w0" })) }, { worker: 0 });
    await h.advance(10);
    const s1 = h.open({ headers: bearer(await token(k1, { iss: ISS, sub: "w1" })) }, { worker: 1 });
    const [r0, r1] = await h.wait([s0, s1]);
    expect(outcome(r0)).toBe("401 Jwks remote fetch is failed"); // worker 0 waited for its own failed fetch
    expect(outcome(r1)).toBe("200"); // worker 1 took over once the lease was released
    expect(calls).toHaveLength(2);
  });

  it("a refresh on one worker reaches the other through shared data, without a second fetch", async () => {
    const { h, calls, answers } = await setup({ jwksCacheDuration: "10s" }, {}, { workers: 2 });
    answers.push({ status: 200, body: jwks(k1) }, { status: 200, body: jwks(k1, k2), delayMs: 50 });
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS })) }, { worker: 0 }))).toBe("200");
    expect(outcome(await h.send({ headers: bearer(await token(k1, { iss: ISS, sub: "b" })) }, { worker: 1 }))).toBe("200");
    expect(calls).toHaveLength(1);
    await h.advance(15_000);
    expect(calls).toHaveLength(2);
    expect(outcome(await h.send({ headers: bearer(await token(k2, { iss: ISS })) }, { worker: 1 }))).toBe("200");
    expect(outcome(await h.send({ headers: bearer(await token(k2, { iss: ISS, sub: "c" })) }, { worker: 0 }))).toBe("200");
    expect(calls).toHaveLength(2);
  });

  it("rules that name the same JWKS share one cache and one fetch", async () => {
    const h = new Host({ clock: T0 });
    let fetches = 0;
    h.cluster("jwks", () => {
      fetches++;
      return { status: 200, body: jwks(k1), delayMs: 20 };
    });
    const rule = { jwksUri: URI, jwksCluster: "jwks" };
    await h.loadPlugin({ wasm: WASM, config: { jwtRules: [{ issuer: "https://tenant-a.example", ...rule }, { issuer: "https://tenant-b.example", ...rule }] } });
    const a = h.open({ headers: bearer(await token(k1, { iss: "https://tenant-a.example" })) });
    const b = h.open({ headers: bearer(await token(k1, { iss: "https://tenant-b.example" })) });
    expect((await h.wait([a, b])).map(outcome)).toEqual(["200", "200"]);
    expect(fetches).toBe(1);
  });

  it("an answer is ignored when shared data already holds newer keys (superseded fetch)", async () => {
    const { h, calls, answers } = await setup();
    answers.push({ status: 200, body: jwks(k1), delayMs: 500 });
    const s = h.open({ headers: bearer(await token(k2, { iss: ISS, sub: "s" })) });
    await h.advance(100);
    // Another VM of the same vm_id stores a newer JWKS while this fetch is in flight.
    const key = h.sharedData.keys("").find((k) => k.startsWith("wasmesh.jwt-authn.jwks|") && !k.endsWith("|lease"))
      ?? `wasmesh.jwt-authn.jwks|jwks|auth.example.com/.well-known/jwks.json`;
    h.sharedData.set("", key, new TextEncoder().encode(`${T0 + 100}\n${jwks(k2)}`), 0);
    const [r] = await h.wait([s]);
    expect(outcome(r)).toBe("200"); // verified with k2 from shared data, not the late k1 answer
    expect(calls).toHaveLength(1);
    expect(new TextDecoder().decode(h.sharedData.get("", key)!.value)).toBe(`${T0 + 100}\n${jwks(k2)}`);
    expect(h.logs("debug").some((l) => l.message.includes("superseded"))).toBe(true);
  });

  it("a shared-data JWKS stamped in the future is not trusted: the keys are fetched", async () => {
    const { h, calls } = await setup();
    // Keys stamped far ahead would never go stale: no refresh, no revocation, for ever.
    const key = "wasmesh.jwt-authn.jwks|jwks|auth.example.com/.well-known/jwks.json";
    h.sharedData.set("", key, new TextEncoder().encode(`9000000000000000000\n${jwks(k2)}`), 0);
    // Signed with k2, which only the bogus entry holds: trusting it would let the token in.
    const r = await h.send({ headers: bearer(await token(k2, { iss: ISS, sub: "stamp" })) });
    // The entry was not trusted: the keys were fetched (k1), then once more for the unknown kid.
    expect(calls).toHaveLength(2);
    expect(outcome(r)).toBe("401 Jwks doesn't have key to match kid or alg from Jwt");
  });

  it("a cluster the host does not know fails closed at once", async () => {
    const h = new Host({ clock: T0 });
    await h.loadPlugin({ wasm: WASM, config: { jwtRules: [{ issuer: ISS, jwksUri: URI, jwksCluster: "nowhere" }] } });
    const r = await h.send({ headers: bearer(await token(k1, { iss: ISS })) });
    expect(outcome(r)).toBe("401 Jwks remote fetch is failed");
    expect(h.callouts).toMatchObject([{ cluster: "nowhere", refused: true }]);
  });

  it("a fetch the host refuses at once does not re-enter the stream that asked: another rule's OK still lets it through", async () => {
    // Rule 0 (no issuer, remote keys on an unknown cluster) fails with "fetch failed" while the
    // stream is still in its own on_request_headers; rule 1 verifies the token (requires_any).
    for (const allowOnHeadersStopIteration of [false, true]) {
      for (const body of [undefined, "payload"]) {
        const h = new Host({ clock: T0 });
        await h.loadPlugin({ wasm: WASM, name: "jwt", allowOnHeadersStopIteration, config: { jwtRules: [{ jwksUri: "https://keys.example/j", jwksCluster: "nowhere" }, { issuer: "https://a.example", jwks: jwks(k1) }] } });
        const r = await h.send({ method: "POST", body, headers: bearer(await token(k1, { iss: "https://a.example", sub: "u" })) });
        const what = `${allowOnHeadersStopIteration} ${body}`;
        expect(outcome(r), what).toBe("200");
        expect(r.upstream!.header("authorization"), what).toBeUndefined();
        expect(new TextDecoder().decode(r.upstream!.body), what).toBe(body ?? "");
        expect(state(r, "wasmesh.jwt.principal"), what).toBe("https://a.example/u");
        expect(h.metrics.snapshot(), what).toMatchObject({ wasmesh_jwt_allowed_total: 1 });
        expect(h.metrics.snapshot().wasmesh_jwt_denied_total ?? 0, what).toBe(0);
      }
    }
  });

  it("the verified-token cache: a repeated token skips verification until the keys change", async () => {
    const { h, answers, setFallback } = await setup({ jwksCacheDuration: "10s" }, { verifiedTokenCacheSize: 2 });
    const t = await token(k1, { iss: ISS, sub: "c", exp: NOW + 3600 });
    for (let i = 0; i < 3; i++) expect(outcome(await h.send({ headers: bearer(t) }))).toBe("200");
    expect(h.metrics.snapshot()).toMatchObject({ wasmesh_jwt_token_cache_hits_total: 2 });
    // k1 is withdrawn (rotated out): the cached verification must not outlive the key.
    answers.push({ status: 200, body: jwks(k2) });
    setFallback({ status: 200, body: jwks(k2) });
    await h.advance(11_000);
    expect(outcome(await h.send({ headers: bearer(t) }))).toBe("401 Jwks doesn't have key to match kid or alg from Jwt");
    expect(h.metrics.snapshot()).toMatchObject({ wasmesh_jwt_token_cache_hits_total: 2 });
  });
});

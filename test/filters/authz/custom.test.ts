// CUSTOM policies: an external authorizer over HTTP with the semantics of Istio's
// envoyExtAuthzHttp provider. First against a real HTTP authorizer on loopback started by the
// test (the callout cluster is mapped to it with host-shim/real-cluster.ts), then the failure
// modes with scripted cluster answers.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../../host-shim/index.ts";
import { httpClusterTo } from "../../../host-shim/real-cluster.ts";
import type { CalloutRequest, CalloutResponse } from "../../../host-shim/host-core.ts";
import { AUTHZ, state, verdict } from "./helpers.ts";

const CLUSTER = "outbound|8000||ext-authz.foo.svc.cluster.local";

function provider(extra: Record<string, unknown> = {}) {
  return {
    name: "ext-authz",
    envoyExtAuthzHttp: {
      service: "ext-authz.foo.svc.cluster.local",
      port: 8000,
      timeout: "30s", // generous: a loaded machine must not turn a slow loopback answer into an error
      pathPrefix: "/check",
      includeRequestHeadersInCheck: ["x-ext-authz"],
      includeAdditionalHeadersInCheck: { "x-ext-authz-from": "wasmesh" },
      headersToUpstreamOnAllow: ["x-user", "x-ext-authz-check-result"],
      headersToDownstreamOnAllow: ["x-ext-authz-session"],
      headersToDownstreamOnDeny: ["x-ext-authz-check-result", "location"],
      ...extra,
    },
  };
}

const customPolicy = (rules: unknown[] = [{ to: [{ operation: { paths: ["/api/*"] } }] }], extra: Record<string, unknown> = {}) => ({
  name: "ext-authz-api",
  namespace: "foo",
  action: "CUSTOM",
  provider: { name: "ext-authz" },
  rules,
  ...extra,
});

async function load(config: Record<string, unknown>, cluster: (req: CalloutRequest) => CalloutResponse | Promise<CalloutResponse>) {
  const host = new Host();
  host.cluster(CLUSTER, cluster);
  const plugin = await host.loadPlugin({ wasm: AUTHZ, name: "authz", config });
  expect(plugin.outcome).toBe("ok");
  return host;
}

describe("CUSTOM against a real local HTTP authorizer", () => {
  let server: Server;
  let url = "";
  const seen: Array<{ method: string; path: string; headers: IncomingHttpHeaders; body: string }> = [];

  beforeAll(async () => {
    // A small authorizer in the style of Istio's ext-authz sample: `x-ext-authz: allow` passes.
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push({ method: req.method!, path: req.url!, headers: req.headers, body });
        if (req.headers["x-ext-authz"] === "allow") {
          res.writeHead(200, { "x-ext-authz-check-result": "allowed", "x-user": "alice", "x-ext-authz-session": "s1", "x-not-forwarded": "1" });
          res.end();
        } else if (req.headers["x-ext-authz"] === "login") {
          res.writeHead(302, { location: "https://login.example.com/", "x-ext-authz-check-result": "denied" });
          res.end();
        } else {
          res.writeHead(403, { "x-ext-authz-check-result": "denied", "content-type": "text/plain", "x-secret": "no" });
          res.end("denied by ext_authz for header x-ext-authz");
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const real = (policies: unknown[]) => load({ extensionProviders: [provider()], policies }, httpClusterTo(url));

  it("allowed on 2xx: the check request carries the configured headers; chosen answer headers go upstream and to the client", async () => {
    const host = await real([customPolicy()]);
    seen.length = 0;
    const r = await host.send({
      method: "POST",
      path: "/api/orders?id=7",
      authority: "shop.example.com",
      headers: { "x-ext-authz": "allow", authorization: "Bearer t", cookie: "c=1", "x-ext-authz-from": "client" },
      body: "payload",
    });
    expect(verdict(r)).toBe("allow");
    expect(seen).toHaveLength(1);
    const check = seen[0];
    expect(check.method).toBe("POST");
    expect(check.path).toBe("/check/api/orders?id=7"); // pathPrefix + the original path
    expect(check.headers.host).toBe("shop.example.com");
    expect(check.headers["x-ext-authz"]).toBe("allow");
    expect(check.headers.authorization).toBe("Bearer t");
    expect(check.headers["x-ext-authz-from"]).toBe("wasmesh"); // the configured value wins
    expect(check.headers.cookie).toBeUndefined(); // not in includeRequestHeadersInCheck
    expect(check.body).toBe(""); // the check request has no body
    expect(r.upstream!.header("x-user")).toBe("alice");
    expect(r.upstream!.header("x-ext-authz-check-result")).toBe("allowed");
    expect(r.upstream!.header("x-not-forwarded")).toBeUndefined();
    expect(r.upstream!.text()).toBe("payload"); // the body waited for the answer
    expect(r.response!.header("x-ext-authz-session")).toBe("s1");
    expect(state(r, "wasmesh.authz.decision")).toBe("allow");
  });

  it("denied: the authorizer's status, body and selected headers reach the client", async () => {
    const host = await real([customPolicy()]);
    const r = await host.send({ path: "/api/orders", headers: { "x-ext-authz": "deny" } });
    expect(r.upstream).toBeNull();
    expect(r.response!.status).toBe(403);
    expect(r.response!.text()).toBe("denied by ext_authz for header x-ext-authz");
    expect(r.response!.header("x-ext-authz-check-result")).toBe("denied");
    expect(r.response!.header("x-secret")).toBeUndefined();
    expect(r.details).toBe("ext_authz_denied");
    expect(state(r, "wasmesh.authz.decision")).toBe("deny");
    expect(state(r, "wasmesh.authz.policy")).toBe("ns[foo]-policy[ext-authz-api]-rule[0]");
    expect(r.logs.some((l) => l.message === "authz: deny GET /api/orders by CUSTOM ns[foo]-policy[ext-authz-api]-rule[0] (authorizer answered 403)")).toBe(true);
    expect(host.metrics.snapshot().wasmesh_authz_denied_total).toBe(1);
  });

  it("a redirect from the authorizer is passed to the client", async () => {
    const host = await real([customPolicy()]);
    const r = await host.send({ path: "/api/x", headers: { "x-ext-authz": "login" } });
    expect(r.response!.status).toBe(302);
    expect(r.response!.header("location")).toBe("https://login.example.com/");
  });

  it("requests no CUSTOM rule matches are not sent to the authorizer", async () => {
    const host = await real([customPolicy()]);
    seen.length = 0;
    const r = await host.send({ path: "/public/x" });
    expect(verdict(r)).toBe("allow");
    expect(seen).toHaveLength(0);
  });

  it("CUSTOM runs first; an allowed request still meets DENY and ALLOW, which see the headers the authorizer added", async () => {
    const host = await real([
      customPolicy([{}]),
      { name: "deny-admin", namespace: "foo", action: "DENY", rules: [{ to: [{ operation: { paths: ["/admin*"] } }] }] },
      { name: "only-alice", namespace: "foo", rules: [{ when: [{ key: "request.headers[x-user]", values: ["alice"] }] }] },
    ]);
    seen.length = 0;
    const admin = await host.send({ path: "/admin", headers: { "x-ext-authz": "allow" } });
    expect(seen).toHaveLength(1); // the authorizer was asked first
    expect(admin.response!.status).toBe(403);
    expect(admin.details).toBe("rbac_access_denied_matched_policy[ns[foo]-policy[deny-admin]-rule[0]]");
    const ok = await host.send({ path: "/x", headers: { "x-ext-authz": "allow" } });
    expect(verdict(ok)).toBe("allow"); // x-user: alice came from the authorizer
    const denied = await host.send({ path: "/x", headers: { "x-ext-authz": "deny", "x-user": "alice" } });
    expect(denied.response!.status).toBe(403);
    expect(denied.details).toBe("ext_authz_denied");
  });
});

describe("CUSTOM failure modes fail closed", () => {
  const config = (extra: Record<string, unknown> = {}, policies: unknown[] = [customPolicy()]) => ({ extensionProviders: [provider(extra)], policies });

  const failures: Array<[string, CalloutResponse]> = [
    ["timeout (Envoy's 504)", { timeout: true }],
    ["reset", { reset: true }],
    ["5xx from the authorizer", { status: 500, body: "boom" }],
    ["503 from the authorizer", { status: 503 }],
    // No final answer is 1xx, and nothing above 599 is a status: an error, never a verdict.
    ["1xx from the authorizer", { status: 150 }],
    ["a status past 599", { status: 999 }],
  ];
  for (const [name, answer] of failures) {
    it(`${name}: 403 with an empty body, ext_authz_error`, async () => {
      const host = await load(config(), () => answer);
      const r = await host.send({ path: "/api/x" });
      expect(r.upstream).toBeNull();
      expect(r.response!.status).toBe(403);
      expect(r.response!.text()).toBe("");
      expect(r.details).toBe("ext_authz_error");
      expect(state(r, "wasmesh.authz.decision")).toBe("deny");
      expect(host.metrics.snapshot()).toMatchObject({ wasmesh_authz_ext_authz_error_total: 1, wasmesh_authz_denied_total: 1 });
      expect(r.logs.some((l) => l.level === "error" && l.message.startsWith("authz: CUSTOM ns[foo]-policy[ext-authz-api]-rule[0]: authorizer"))).toBe(true);
    });
  }

  it("the timeout is the provider's", async () => {
    const calls: number[] = [];
    const host = await load(config({ timeout: "250ms" }), (req) => {
      calls.push(req.timeoutMs);
      return { timeout: true };
    });
    await host.send({ path: "/api/x" });
    expect(calls).toEqual([250]);
  });

  it("statusOnError sets the status", async () => {
    const host = await load(config({ statusOnError: "503" }), () => ({ reset: true }));
    expect((await host.send({ path: "/api/x" })).response!.status).toBe(503);
  });

  it("an unknown cluster (the call is refused) fails closed at once", async () => {
    const host = new Host();
    await host.loadPlugin({ wasm: AUTHZ, name: "authz", config: config() });
    const r = await host.send({ path: "/api/x" });
    expect(r.response!.status).toBe(403);
    expect(r.details).toBe("ext_authz_error");
    expect(host.callouts.map((c) => c.refused)).toEqual([true]);
  });

  it("failOpen lets the request on to DENY/ALLOW", async () => {
    const host = await load(
      config({ failOpen: true }, [customPolicy([{}]), { name: "deny-admin", namespace: "foo", action: "DENY", rules: [{ to: [{ operation: { paths: ["/admin"] } }] }] }]),
      () => ({ reset: true }),
    );
    expect(verdict(await host.send({ path: "/x" }))).toBe("allow");
    expect((await host.send({ path: "/admin" })).response!.status).toBe(403);
    expect(host.metrics.snapshot().wasmesh_authz_ext_authz_error_total).toBe(2);
  });

  it("without headersToDownstreamOnDeny every authorizer header but the framing ones is returned", async () => {
    const p = provider();
    delete (p.envoyExtAuthzHttp as Record<string, unknown>).headersToDownstreamOnDeny;
    const host = await load({ extensionProviders: [p], policies: [customPolicy()] }, () => ({ status: 401, headers: { "www-authenticate": "Basic", "x-a": "1" }, body: "who?" }));
    const r = await host.send({ path: "/api/x" });
    expect(r.response!.status).toBe(401);
    expect(r.response!.text()).toBe("who?");
    expect(r.response!.header("www-authenticate")).toBe("Basic");
    expect(r.response!.header("x-a")).toBe("1");
  });

  it("a dry-run CUSTOM policy never calls the authorizer; the rule it would have used is recorded", async () => {
    let calls = 0;
    const host = await load(config({}, [customPolicy(undefined, { dryRun: true })]), () => {
      calls++;
      return { status: 403 };
    });
    const r = await host.send({ path: "/api/x" });
    expect(verdict(r)).toBe("allow");
    expect(calls).toBe(0);
    expect(state(r, "wasmesh.authz.dry_run_custom_policy")).toBe("ns[foo]-policy[ext-authz-api]-rule[0]");
  });

  it("the cluster defaults to Istio's outbound|<port>||<service>, or is given", async () => {
    const host = new Host();
    const seen: string[] = [];
    host.cluster("my-authz", (req) => {
      seen.push(req.cluster);
      return { status: 200 };
    });
    await host.loadPlugin({ wasm: AUTHZ, name: "authz", config: config({ cluster: "my-authz" }) });
    expect(verdict(await host.send({ path: "/api/x" }))).toBe("allow");
    expect(seen).toEqual(["my-authz"]);
  });
});

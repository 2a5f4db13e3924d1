// Configuration: the seed's four policies load as written; every invalid field rejects the whole
// configuration (on_configure returns false) with one error line naming its JSON path; requests
// through a rejected plugin fail closed.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Host } from "../../../host-shim/index.ts";
import { AUTHZ, authz, verdict } from "./helpers.ts";

// Written from issue 6's description (the seed manifest itself is not in the repository).
const seed = JSON.parse(readFileSync("test/filters/authz/fixtures/seed-policies.json", "utf8"));

async function rejected(config: unknown): Promise<string[]> {
  const host = new Host();
  const plugin = await host.loadPlugin({ wasm: AUTHZ, name: "authz", config });
  expect(plugin.outcome).toBe("rejected");
  // The filter's own lines (the host adds one of its own saying the plugin failed to start).
  return host
    .logs("error")
    .filter((l) => l.message.startsWith("authz: configuration rejected: "))
    .map((l) => l.message.replace(/^authz: configuration rejected: /, ""));
}

const rule = (r: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ policies: [{ name: "p", namespace: "foo", rules: [r], ...extra }] });

describe("seed policies", () => {
  it("load as written", async () => {
    const { host, plugin } = await authz(seed);
    expect(plugin.outcome).toBe("ok");
    expect(host.logs("info").map((l) => l.message)).toContain("authz: loaded 4 policies (3 rules)");
  });

  const frontend = { peerPrincipal: "spiffe://cluster.local/ns/production/sa/frontend", destination: "10.0.0.2:8080" };
  const admin = { "wasmesh.jwt.principal": "https://auth.example.com/alice", "wasmesh.jwt.claims": JSON.stringify({ iss: "https://auth.example.com", sub: "alice", role: "admin" }) };
  const user = { "wasmesh.jwt.principal": "https://auth.example.com/bob", "wasmesh.jwt.claims": JSON.stringify({ iss: "https://auth.example.com", sub: "bob", role: "viewer" }) };
  const cases: Array<[string, Record<string, unknown>, "allow" | number]> = [
    ["frontend GET /api/orders", { path: "/api/orders", connection: frontend }, "allow"],
    ["frontend POST /api/orders", { method: "POST", path: "/api/orders", connection: frontend }, "allow"],
    ["frontend DELETE /api/orders", { method: "DELETE", path: "/api/orders", connection: frontend }, 403],
    ["frontend GET /admin", { path: "/admin", connection: frontend }, 403],
    ["frontend GET /health on 8080 (per-port policy)", { path: "/health", connection: frontend }, "allow"],
    ["frontend GET /health on 9090", { path: "/health", connection: { ...frontend, destination: "10.0.0.2:9090" } }, 403],
    ["backend identity GET /api/orders", { path: "/api/orders", connection: { peerPrincipal: "spiffe://cluster.local/ns/production/sa/backend" } }, 403],
    ["plaintext GET /api/orders", { path: "/api/orders" }, 403],
    ["JWT role admin DELETE /anything", { method: "DELETE", path: "/anything", filterState: admin }, "allow"],
    ["JWT role viewer GET /api/orders (plaintext)", { path: "/api/orders", filterState: user }, 403],
    ["JWT from another issuer with role admin", { path: "/x", filterState: { "wasmesh.jwt.claims": JSON.stringify({ iss: "https://evil.example", sub: "m", role: "admin" }) } }, 403],
    ["no identity at all", { path: "/" }, 403],
  ];
  for (const [name, req, expected] of cases) {
    it(name, async () => {
      const { host } = await authz(seed);
      expect(verdict(await host.send(req))).toBe(expected);
    });
  }
});

describe("validation: every error names its JSON path", () => {
  const table: Array<[string, unknown, string]> = [
    ["not JSON", "{policies:", "(configuration): not JSON"],
    ["empty configuration", "", "(configuration): required"],
    ["policies missing", {}, "policies: required"],
    ["policies not a list", { policies: {} }, "policies: expected a list, got object"],
    ["unknown top-level field", { policies: [], pathNormalisation: "BASE" }, "pathNormalisation: unknown field"],
    ["bad pathNormalization", { policies: [], pathNormalization: "STRICT" }, "pathNormalization: expected NONE, BASE, MERGE_SLASHES or DECODE_AND_MERGE_SLASHES"],
    ["bad numTrustedProxies", { policies: [], numTrustedProxies: -1 }, "numTrustedProxies: expected an integer 0-64"],
    ["name missing", { policies: [{ rules: [{}] }] }, "policies[0].name: required"],
    ["duplicate policy", { policies: [{ name: "a", namespace: "n" }, { name: "a", namespace: "n" }] }, "policies[1].name: duplicate policy 'a' in namespace 'n'"],
    ["bad action", { policies: [{ name: "a", action: "REJECT", rules: [{}] }] }, "policies[0].action: expected ALLOW, DENY, AUDIT or CUSTOM"],
    ["bad dryRun", { policies: [{ name: "a", rules: [{}], dryRun: "maybe" }] }, "policies[0].dryRun: expected a boolean"],
    ["DENY without rules", { policies: [{ name: "a", action: "DENY" }] }, "policies[0].rules: a DENY policy needs rules"],
    ["AUDIT without rules", { policies: [{ name: "a", action: "AUDIT", rules: [] }] }, "policies[0].rules: an AUDIT policy needs rules"],
    ["provider on ALLOW", { policies: [{ name: "a", provider: { name: "x" }, rules: [{}] }] }, "policies[0].provider: only a CUSTOM policy may name a provider"],
    ["CUSTOM without provider", { policies: [{ name: "a", action: "CUSTOM", rules: [{}] }] }, "policies[0].provider: required for a CUSTOM policy"],
    ["CUSTOM with an unknown provider", { policies: [{ name: "a", action: "CUSTOM", provider: { name: "nope" }, rules: [{}] }] }, "policies[0].provider.name: unknown provider 'nope'"],
    ["from: []", rule({ from: [] }), "policies[0].rules[0].from: empty list"],
    ["to: []", rule({ to: [] }), "policies[0].rules[0].to: empty list"],
    ["when: []", rule({ when: [] }), "policies[0].rules[0].when: empty list"],
    ["source {}", rule({ from: [{ source: {} }] }), "policies[0].rules[0].from[0].source: empty source"],
    ["operation {}", rule({ to: [{ operation: {} }] }), "policies[0].rules[0].to[0].operation: empty operation"],
    ["unknown source field (did you mean)", rule({ from: [{ source: { principal: ["x"] } }] }), "policies[0].rules[0].from[0].source.principal: unknown field (did you mean 'principals'?)"],
    ["unknown operation field", rule({ to: [{ operation: { notPath: ["/x"] } }] }), "policies[0].rules[0].to[0].operation.notPath: unknown field (did you mean 'notPaths'?)"],
    ["unknown rule field", rule({ from: [{ source: { namespaces: ["a"] } }], selector: {} }), "policies[0].rules[0].selector: unknown field"],
    ["empty string value", rule({ to: [{ operation: { methods: ["GET", ""] } }] }), "policies[0].rules[0].to[0].operation.methods[1]: empty value"],
    ["value not a string", rule({ to: [{ operation: { ports: [8080] } }] }), "policies[0].rules[0].to[0].operation.ports[0]: expected a string, got number"],
    ["bad CIDR", { policies: [{ name: "a", rules: [{}] }, { name: "b", rules: [{ from: [{ source: { ipBlocks: ["10.0.0.0/8", "::1", "10.0.0.256"] } }] }] }] }, "policies[1].rules[0].from[0].source.ipBlocks[2]: not a CIDR"],
    ["bad prefix length", rule({ from: [{ source: { remoteIpBlocks: ["10.0.0.0/33"] } }] }), "policies[0].rules[0].from[0].source.remoteIpBlocks[0]: not a CIDR"],
    ["leading zeros in IPv4", rule({ from: [{ source: { notIpBlocks: ["010.0.0.1"] } }] }), "policies[0].rules[0].from[0].source.notIpBlocks[0]: not a CIDR"],
    ["bad IPv6", rule({ from: [{ source: { ipBlocks: ["2001:db8:::1"] } }] }), "policies[0].rules[0].from[0].source.ipBlocks[0]: not a CIDR"],
    ["port out of range", rule({ to: [{ operation: { ports: ["65536"] } }] }), "policies[0].rules[0].to[0].operation.ports[0]: not a port"],
    ["port not a number", rule({ to: [{ operation: { notPorts: ["http"] } }] }), "policies[0].rules[0].to[0].operation.notPorts[0]: not a port"],
    ["template inside a segment", rule({ to: [{ operation: { paths: ["/a/{*}.txt"] } }] }), "policies[0].rules[0].to[0].operation.paths[0]: invalid path template"],
    ["template after {**}", rule({ to: [{ operation: { paths: ["/{**}/x/{*}"] } }] }), "policies[0].rules[0].to[0].operation.paths[0]: invalid path template: '{*}' after '{**}'"],
    ["serviceAccounts with two slashes", rule({ from: [{ source: { serviceAccounts: ["ns/sa/x"] } }] }), "policies[0].rules[0].from[0].source.serviceAccounts[0]: expected '<namespace>/<service account>'"],
    ["serviceAccounts wildcard", rule({ from: [{ source: { serviceAccounts: ["sa*"] } }] }), "policies[0].rules[0].from[0].source.serviceAccounts[0]: wildcards are not allowed"],
    ["serviceAccounts with principals", rule({ from: [{ source: { serviceAccounts: ["sa"], principals: ["x"] } }] }), "policies[0].rules[0].from[0].source.serviceAccounts: cannot be combined with principals or namespaces"],
    ["more than 16 service accounts", rule({ from: [{ source: { serviceAccounts: Array.from({ length: 17 }, (_, i) => `sa${i}`) } }] }), "policies[0].rules[0].from[0].source.serviceAccounts: at most 16"],
    ["trust domain with /", rule({ from: [{ source: { trustDomains: ["td/x"] } }] }), "policies[0].rules[0].from[0].source.trustDomains[0]: a trust domain cannot contain '/'"],
    ["when key claims[]", rule({ when: [{ key: "request.auth.claims[]", values: ["x"] }] }), "policies[0].rules[0].when[0].key: expected request.auth.claims[<name>]"],
    ["when key unknown", rule({ when: [{ key: "foo.bar", values: ["x"] }] }), "policies[0].rules[0].when[0].key: unknown attribute 'foo.bar'"],
    ["when key obsolete", rule({ when: [{ key: "destination.labels[app]", values: ["x"] }] }), "policies[0].rules[0].when[0].key: 'destination.labels[app]' is no longer supported"],
    ["when key headers without a name", rule({ when: [{ key: "request.headers[]", values: ["x"] }] }), "policies[0].rules[0].when[0].key: expected request.headers[<name>]"],
    ["when key experimental", rule({ when: [{ key: "experimental.envoy.filters.a[b]", values: ["x"] }] }), "policies[0].rules[0].when[0].key: 'experimental.envoy.filters.a[b]' (dynamic metadata) is not supported"],
    ["condition without values", rule({ when: [{ key: "request.headers[x]" }] }), "policies[0].rules[0].when[0]: needs values or notValues"],
    ["condition with empty values", rule({ when: [{ key: "request.headers[x]", values: [] }] }), "policies[0].rules[0].when[0]: needs values or notValues"],
    ["when source.ip bad", rule({ when: [{ key: "source.ip", notValues: ["1.2.3"] }] }), "policies[0].rules[0].when[0].notValues[0]: not a CIDR"],
    ["when destination.port bad", rule({ when: [{ key: "destination.port", values: ["99999"] }] }), "policies[0].rules[0].when[0].values[0]: not a port"],
  ];
  for (const [name, config, error] of table) {
    it(name, async () => {
      const errors = await rejected(config);
      expect(errors.some((e) => e.startsWith(error)), `errors: ${JSON.stringify(errors)}`).toBe(true);
    });
  }

  it("reports every error, each on its own line", async () => {
    const errors = await rejected({
      policies: [
        { name: "a", rules: [{ to: [{ operation: { ports: ["x"] } }] }] },
        { name: "b", action: "DENY", rules: [{ from: [{ source: { ipBlocks: ["nope"] } }] }] },
      ],
    });
    expect(errors).toEqual([
      "policies[0].rules[0].to[0].operation.ports[0]: not a port ('x': expected an integer 0-65535)",
      "policies[1].rules[0].from[0].source.ipBlocks[0]: not a CIDR ('nope' is not an IPv4/IPv6 address or address/prefix-length)",
    ]);
  });

  it("requests through a rejected plugin fail closed (503), or pass with FAIL_OPEN", async () => {
    const host = new Host();
    await host.loadPlugin({ wasm: AUTHZ, name: "authz", config: { policies: [{ name: "a", action: "DENY" }] } });
    const r = await host.send({});
    expect(r.response!.status).toBe(503);
    expect(r.upstream).toBeNull();
    const open = new Host();
    await open.loadPlugin({ wasm: AUTHZ, name: "authz", config: "{", failStrategy: "FAIL_OPEN" });
    expect(verdict(await open.send({}))).toBe("allow");
  });
});

describe("CUSTOM validation", () => {
  const provider = { name: "ext", envoyExtAuthzHttp: { service: "authz.local", port: 8000 } };
  const custom = (r: Record<string, unknown>) => ({ extensionProviders: [provider], policies: [{ name: "c", action: "CUSTOM", provider: { name: "ext" }, rules: [r] }] });
  const table: Array<[string, unknown, string]> = [
    ["principals in a CUSTOM rule", custom({ from: [{ source: { principals: ["x"] } }] }), "policies[0].rules[0].from[0].source.principals: not allowed in a CUSTOM policy"],
    ["requestPrincipals in a CUSTOM rule", custom({ from: [{ source: { notRequestPrincipals: ["*"] } }] }), "policies[0].rules[0].from[0].source.notRequestPrincipals: not allowed in a CUSTOM policy"],
    ["request.auth in a CUSTOM when", custom({ when: [{ key: "request.auth.claims[a]", values: ["b"] }] }), "policies[0].rules[0].when[0].key: 'request.auth.claims[a]' is not allowed in a CUSTOM policy"],
    ["CUSTOM without rules", { extensionProviders: [provider], policies: [{ name: "c", action: "CUSTOM", provider: { name: "ext" } }] }, "policies[0].rules: a CUSTOM policy needs rules"],
    ["two providers", {
      extensionProviders: [provider, { name: "ext2", envoyExtAuthzHttp: { service: "b", port: 1 } }],
      policies: [{ name: "c", action: "CUSTOM", provider: { name: "ext" }, rules: [{}] }, { name: "d", action: "CUSTOM", provider: { name: "ext2" }, rules: [{}] }],
    }, "policies[1].provider.name: only one CUSTOM provider per workload"],
    ["gRPC provider", { extensionProviders: [{ name: "g", envoyExtAuthzGrpc: { service: "a", port: 1 } }], policies: [] }, "extensionProviders[0].envoyExtAuthzGrpc: not supported"],
    ["provider without port", { extensionProviders: [{ name: "e", envoyExtAuthzHttp: { service: "a" } }], policies: [] }, "extensionProviders[0].envoyExtAuthzHttp.port: required"],
    ["provider bad timeout", { extensionProviders: [{ name: "e", envoyExtAuthzHttp: { service: "a", port: 1, timeout: "soon" } }], policies: [] }, "extensionProviders[0].envoyExtAuthzHttp.timeout: expected a duration"],
    ["provider bad pathPrefix", { extensionProviders: [{ name: "e", envoyExtAuthzHttp: { service: "a", port: 1, pathPrefix: "check" } }], policies: [] }, "extensionProviders[0].envoyExtAuthzHttp.pathPrefix: must start with '/'"],
    ["provider body in check", { extensionProviders: [{ name: "e", envoyExtAuthzHttp: { service: "a", port: 1, includeRequestBodyInCheck: { maxRequestBytes: 10 } } }], policies: [] }, "extensionProviders[0].envoyExtAuthzHttp.includeRequestBodyInCheck: not supported"],
    ["provider bad statusOnError", { extensionProviders: [{ name: "e", envoyExtAuthzHttp: { service: "a", port: 1, statusOnError: "abc" } }], policies: [] }, "extensionProviders[0].envoyExtAuthzHttp.statusOnError: expected an HTTP status"],
    ["duplicate providers", { extensionProviders: [provider, provider], policies: [] }, "extensionProviders[1].name: duplicate provider 'ext'"],
  ];
  for (const [name, config, error] of table) {
    it(name, async () => {
      const errors = await rejected(config);
      expect(errors.some((e) => e.startsWith(error)), `errors: ${JSON.stringify(errors)}`).toBe(true);
    });
  }
});

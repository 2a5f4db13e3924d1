// Istio AuthorizationPolicy semantics through the shim on build/authz.wasm: the test table of
// policy-semantics.md §2.12 (Z1–Z52), then every Source/Operation field, every `not…` form and
// every `when` key. Peer identity A = spiffe://cluster.local/ns/foo/sa/sleep over mTLS.
import { describe, expect, it } from "vitest";
import type { RequestSpec } from "../../../host-shim/types.ts";
import { authz, jwt, PEER_A, state, verdict, type Policy } from "./helpers.ts";

const A = { peerPrincipal: PEER_A };
const BAR = { peerPrincipal: "spiffe://cluster.local/ns/bar/sa/sleep" };

interface Case {
  id: string;
  policies: Policy[];
  /** Extra top-level configuration (pathNormalization, numTrustedProxies, …). */
  config?: Record<string, unknown>;
  req: RequestSpec;
  expect: "allow" | number;
  details?: string;
}

const allow = (rule: Record<string, unknown>, name = "p"): Policy => ({ name, namespace: "foo", action: "ALLOW", rules: [rule] });
const deny = (rule: Record<string, unknown>, name = "p"): Policy => ({ name, namespace: "foo", action: "DENY", rules: [rule] });
const src = (source: Record<string, unknown>) => ({ from: [{ source }] });
const op = (operation: Record<string, unknown>) => ({ to: [{ operation }] });
const when = (key: string, values?: string[], notValues?: string[]) => ({ when: [{ key, ...(values ? { values } : {}), ...(notValues ? { notValues } : {}) }] });

async function run(c: Case) {
  const { host, plugin } = await authz({ policies: c.policies, ...(c.config ?? {}) });
  expect(plugin.outcome, `${c.id}: configuration`).toBe("ok");
  const r = await host.send(c.req);
  expect(verdict(r), `${c.id}: ${JSON.stringify(c.req)}`).toBe(c.expect);
  if (c.details) expect(r.details).toBe(c.details);
  return r;
}

const reference: Case[] = [
  { id: "Z1 no policies", policies: [], req: {}, expect: "allow" },
  { id: "Z2 ALLOW spec {}", policies: [{ name: "allow-nothing", namespace: "foo" }], req: {}, expect: 403, details: "rbac_access_denied_matched_policy[none]" },
  { id: "Z3 ALLOW rules [{}]", policies: [allow({})], req: {}, expect: "allow" },
  { id: "Z4 DENY rules [{}]", policies: [deny({}, "deny-all")], req: {}, expect: 403, details: "rbac_access_denied_matched_policy[ns[foo]-policy[deny-all]-rule[0]]" },
  { id: "Z5 principals, peer A", policies: [allow(src({ principals: ["cluster.local/ns/foo/sa/sleep"] }))], req: { connection: A }, expect: "allow" },
  { id: "Z6 principals, plaintext", policies: [allow(src({ principals: ["cluster.local/ns/foo/sa/sleep"] }))], req: {}, expect: 403 },
  { id: "Z7 principals *, plaintext", policies: [allow(src({ principals: ["*"] }))], req: {}, expect: 403 },
  { id: "Z8 DENY notPrincipals *, plaintext", policies: [deny(src({ notPrincipals: ["*"] }))], req: {}, expect: 403 },
  { id: "Z9 DENY notPrincipals *, peer A", policies: [deny(src({ notPrincipals: ["*"] }))], req: { connection: A }, expect: "allow" },
  { id: "Z10 namespaces foo", policies: [allow(src({ namespaces: ["foo"] }))], req: { connection: A }, expect: "allow" },
  { id: "Z11 namespaces fo", policies: [allow(src({ namespaces: ["fo"] }))], req: { connection: A }, expect: 403 },
  { id: "Z12 serviceAccounts sleep (policy namespace foo)", policies: [allow(src({ serviceAccounts: ["sleep"] }))], req: { connection: A }, expect: "allow" },
  { id: "Z13 requestPrincipals *, no JWT", policies: [allow(src({ requestPrincipals: ["*"] }))], req: {}, expect: 403 },
  { id: "Z14 requestPrincipals *, iss+sub", policies: [allow(src({ requestPrincipals: ["*"] }))], req: { filterState: jwt({ iss: "https://a.example", sub: "u1" }) }, expect: "allow" },
  { id: "Z15 requestPrincipals *, no sub", policies: [allow(src({ requestPrincipals: ["*"] }))], req: { filterState: jwt({ iss: "https://a.example" }) }, expect: 403 },
  { id: "Z16 requestPrincipals exact", policies: [allow(src({ requestPrincipals: ["https://a.example/u1"] }))], req: { filterState: jwt({ iss: "https://a.example", sub: "u1" }) }, expect: "allow" },
  { id: "Z17 requestPrincipals split at the last /", policies: [allow(src({ requestPrincipals: ["https://a.example/u1"] }))], req: { filterState: jwt({ iss: "https://a.example/u1" }) }, expect: 403 },
  { id: "Z18 requestPrincipals iss/*", policies: [allow(src({ requestPrincipals: ["https://a.example/*"] }))], req: { filterState: jwt({ iss: "https://a.example", sub: "anything" }) }, expect: "allow" },
  { id: "Z19 DENY notRequestPrincipals *, no JWT", policies: [deny(src({ notRequestPrincipals: ["*"] }))], req: {}, expect: 403 },
  { id: "Z20 paths+methods", policies: [allow(op({ paths: ["/info*"], methods: ["GET"] }))], req: { path: "/info/x?y=1" }, expect: "allow" },
  { id: "Z21 wrong method", policies: [allow(op({ paths: ["/info*"], methods: ["GET"] }))], req: { method: "POST", path: "/info" }, expect: 403 },
  { id: "Z22 paths are case-sensitive", policies: [allow(op({ paths: ["/info*"], methods: ["GET"] }))], req: { path: "/INFO" }, expect: 403 },
  { id: "Z23 query ignored", policies: [allow(op({ paths: ["/data"] }))], req: { path: "/data?x=1" }, expect: "allow" },
  { id: "Z24 hosts case-insensitive", policies: [allow(op({ hosts: ["example.com"] }))], req: { authority: "EXAMPLE.com" }, expect: "allow" },
  { id: "Z25 hosts keep the port", policies: [allow(op({ hosts: ["example.com"] }))], req: { authority: "example.com:8080" }, expect: 403 },
  { id: "Z26 hosts suffix", policies: [allow(op({ hosts: ["*.example.com"] }))], req: { authority: "a.example.com" }, expect: "allow" },
  {
    id: "Z27 rules are ORed",
    policies: [{ name: "p", namespace: "foo", rules: [src({ namespaces: ["foo"] }), op({ methods: ["GET"] })] }],
    req: { connection: BAR },
    expect: "allow",
  },
  { id: "Z28 from AND to", policies: [allow({ ...src({ namespaces: ["foo"] }), ...op({ methods: ["GET"] }) })], req: { connection: BAR }, expect: 403 },
  // §2.8a overrides Z29: each value of a repeated header is matched on its own (CVE-2026-26308 fix).
  { id: "Z29 (2.8a) repeated header values matched one by one", policies: [allow(when("request.headers[x-user]", ["admin"]))], req: { headers: [["x-user", "admin"], ["x-user", "bob"]] }, expect: "allow" },
  { id: "Z29b DENY catches a repeated header value", policies: [deny(when("request.headers[x-role]", ["admin"]))], req: { headers: [["x-role", "user"], ["x-role", "admin"]] }, expect: 403 },
  { id: "Z30 DENY notValues, header absent", policies: [deny(when("request.headers[x-token]", undefined, ["s3cret"]))], req: {}, expect: 403 },
  { id: "Z31 list claim", policies: [allow(when("request.auth.claims[groups]", ["dev"]))], req: { filterState: jwt({ iss: "i", sub: "s", groups: ["ops", "dev"] }) }, expect: "allow" },
  { id: "Z32 string claim", policies: [allow(when("request.auth.claims[groups]", ["dev"]))], req: { filterState: jwt({ iss: "i", sub: "s", groups: "dev" }) }, expect: "allow" },
  { id: "Z33 bool claim never matches", policies: [allow(when("request.auth.claims[admin]", ["true"]))], req: { filterState: jwt({ iss: "i", sub: "s", admin: true }) }, expect: 403 },
  { id: "Z34 scope is space-delimited", policies: [allow(when("request.auth.claims[scope]", ["write"]))], req: { filterState: jwt({ iss: "i", sub: "s", scope: "read write" }) }, expect: "allow" },
  { id: "Z35 scope whole string", policies: [allow(when("request.auth.claims[scope]", ["read write"]))], req: { filterState: jwt({ iss: "i", sub: "s", scope: "read write" }) }, expect: 403 },
  { id: "Z36 nested claim", policies: [allow(when("request.auth.claims[a][b]", ["c"]))], req: { filterState: jwt({ iss: "i", sub: "s", a: { b: "c" } }) }, expect: "allow" },
  { id: "Z37 [a.b] is one claim (nested: no)", policies: [allow(when("request.auth.claims[a.b]", ["c"]))], req: { filterState: jwt({ iss: "i", sub: "s", a: { b: "c" } }) }, expect: 403 },
  { id: "Z37 [a.b] is one claim (literal: yes)", policies: [allow(when("request.auth.claims[a.b]", ["c"]))], req: { filterState: jwt({ iss: "i", sub: "s", "a.b": "c" }) }, expect: "allow" },
  { id: "Z38 ipBlocks use the direct peer", policies: [allow(src({ ipBlocks: ["10.0.0.0/8"] }))], req: { connection: { source: "10.1.2.3:5555" }, headers: { "x-forwarded-for": "1.2.3.4" } }, expect: "allow" },
  { id: "Z39 remoteIpBlocks: right-most XFF (sidecar)", policies: [allow(src({ remoteIpBlocks: ["1.2.3.4"] }))], req: { connection: { source: "10.1.2.3:5555" }, headers: { "x-forwarded-for": "9.9.9.9, 1.2.3.4" } }, expect: "allow" },
  { id: "Z40 BASE removes dot segments", policies: [deny(op({ paths: ["/admin*"] }))], config: { pathNormalization: "BASE" }, req: { path: "/public/../admin/x" }, expect: 403 },
  { id: "Z41 BASE keeps //", policies: [deny(op({ paths: ["/admin*"] }))], config: { pathNormalization: "BASE" }, req: { path: "//admin/x" }, expect: "allow" },
  { id: "Z42 {*} one segment", policies: [allow(op({ paths: ["/foo/{*}"] }))], req: { path: "/foo/bar" }, expect: "allow" },
  { id: "Z42 {*} not two", policies: [allow(op({ paths: ["/foo/{*}"] }))], req: { path: "/foo/bar/baz" }, expect: 403 },
  { id: "Z43 {**} many", policies: [allow(op({ paths: ["/foo/{**}/bar"] }))], req: { path: "/foo/a/b/bar" }, expect: "allow" },
  { id: "Z43 {**} empty", policies: [allow(op({ paths: ["/foo/{**}/bar"] }))], req: { path: "/foo//bar" }, expect: "allow" },
  { id: "Z43 {**} needs the slashes", policies: [allow(op({ paths: ["/foo/{**}/bar"] }))], req: { path: "/foo/bar" }, expect: 403 },
  { id: "Z44 DENY port 8080", policies: [deny(op({ ports: ["8080"] }))], req: { connection: { destination: "10.0.0.2:8080" } }, expect: 403 },
  { id: "Z44 other port", policies: [deny(op({ ports: ["8080"] }))], req: { connection: { destination: "10.0.0.2:9090" } }, expect: "allow" },
  { id: "Z47 DENY before ALLOW", policies: [deny(op({ methods: ["POST"] }), "d"), allow(op({ methods: ["POST"] }), "a")], req: { method: "POST" }, expect: 403, details: "rbac_access_denied_matched_policy[ns[foo]-policy[d]-rule[0]]" },
  { id: "Z49 lexicographically first DENY", policies: [deny({}, "z"), deny({}, "a")], req: {}, expect: 403, details: "rbac_access_denied_matched_policy[ns[foo]-policy[a]-rule[0]]" },
  { id: "Z51 sni * without TLS", policies: [allow(when("connection.sni", ["*"]))], req: {}, expect: 403 },
  { id: "Z52 methods * and notMethods", policies: [allow(op({ methods: ["*"], notMethods: ["DELETE"] }))], req: { method: "DELETE" }, expect: 403 },
];

describe("policy-semantics §2.12 reference cases", () => {
  for (const c of reference) it(c.id, () => run(c).then(() => undefined));

  it("Z45 dry-run DENY: allowed, shadow result denied with the rule", async () => {
    const r = await run({ id: "Z45", policies: [{ name: "P1", namespace: "foo", action: "DENY", rules: [{}], dryRun: true }], req: {}, expect: "allow" });
    expect(state(r, "wasmesh.authz.dry_run_deny_result")).toBe("denied");
    expect(state(r, "wasmesh.authz.dry_run_deny_policy")).toBe("ns[foo]-policy[P1]-rule[0]");
    expect(state(r, "wasmesh.authz.decision")).toBe("allow");
  });

  it("Z46 dry-run ALLOW does not count as an ALLOW policy; its shadow result is recorded", async () => {
    const { host } = await authz([
      { name: "shadow", namespace: "foo", rules: [op({ paths: ["/a"] })], dryRun: "true" },
      { name: "real", namespace: "foo", rules: [op({ paths: ["/b"] })] },
    ]);
    const r = await host.send({ path: "/a" });
    expect(verdict(r)).toBe(403);
    expect(state(r, "wasmesh.authz.dry_run_allow_result")).toBe("allowed");
    expect(state(r, "wasmesh.authz.dry_run_allow_policy")).toBe("ns[foo]-policy[shadow]-rule[0]");
    expect(host.metrics.snapshot()).toMatchObject({ wasmesh_authz_denied_total: 1, wasmesh_authz_shadow_allowed_total: 1 });
  });

  it("Z48 AUDIT never blocks and sets the access-log hint", async () => {
    const { host } = await authz([{ name: "audit-x", namespace: "foo", action: "AUDIT", rules: [op({ paths: ["/x"] })] }]);
    const hit = await host.send({ path: "/x" });
    expect(verdict(hit)).toBe("allow");
    expect(state(hit, "wasmesh.authz.audit")).toBe("true");
    expect(state(hit, "wasmesh.authz.audit_policy")).toBe("ns[foo]-policy[audit-x]-rule[0]");
    const miss = await host.send({ path: "/y" });
    expect(state(miss, "wasmesh.authz.audit")).toBe("false");
    expect(host.metrics.snapshot().wasmesh_authz_audited_total).toBe(1);
  });

  it("Z50 a denied gRPC request gets grpc-status 7", async () => {
    const { host } = await authz([deny({})]);
    const r = await host.send({ method: "POST", path: "/pkg.Svc/Call", headers: { "content-type": "application/grpc" } });
    expect(r.response!.status).toBe(200);
    expect(r.response!.header("grpc-status")).toBe("7");
    expect(decodeURIComponent(r.response!.header("grpc-message")!)).toBe("RBAC: access denied"); // percent-encoded on the wire
  });
});

describe("denied response, filter state, logs and metrics", () => {
  it("403 with Envoy's body and content-type; decision and rule in filter state and logs", async () => {
    const { host } = await authz([deny(op({ paths: ["/admin*"] }), "deny-admin")]);
    const r = await host.send({ path: "/admin/users" });
    expect(r.response!.status).toBe(403);
    expect(r.response!.text()).toBe("RBAC: access denied");
    expect(r.response!.header("content-type")).toBe("text/plain");
    expect(r.details).toBe("rbac_access_denied_matched_policy[ns[foo]-policy[deny-admin]-rule[0]]");
    expect(state(r, "wasmesh.authz.decision")).toBe("deny");
    expect(state(r, "wasmesh.authz.policy")).toBe("ns[foo]-policy[deny-admin]-rule[0]");
    expect(r.logs.map((l) => `${l.level} ${l.message}`)).toContain("info authz: deny GET /admin/users by DENY ns[foo]-policy[deny-admin]-rule[0]");
  });

  it("an allow records the ALLOW rule that matched, or no rule when no ALLOW policy applies", async () => {
    const { host } = await authz([allow(op({ methods: ["GET"] }), "allow-get")]);
    const r = await host.send({});
    expect(state(r, "wasmesh.authz.decision")).toBe("allow");
    expect(state(r, "wasmesh.authz.policy")).toBe("ns[foo]-policy[allow-get]-rule[0]");
    expect(r.logs.some((l) => l.level === "debug" && l.message === "authz: allow GET / by ALLOW ns[foo]-policy[allow-get]-rule[0]")).toBe(true);
    const open = await authz([]);
    const r2 = await open.host.send({});
    expect(state(r2, "wasmesh.authz.decision")).toBe("allow");
    expect(state(r2, "wasmesh.authz.policy")).toBeUndefined();
  });

  it("an ALLOW miss reports the policy `none`", async () => {
    const { host } = await authz([allow(op({ methods: ["GET"] }))]);
    const r = await host.send({ method: "PUT" });
    expect(state(r, "wasmesh.authz.policy")).toBe("none");
    expect(r.details).toBe("rbac_access_denied_matched_policy[none]");
  });

  it("counts allowed, denied and shadow decisions", async () => {
    const { host } = await authz([
      deny(op({ paths: ["/admin*"] }), "deny-admin"),
      { name: "maybe", namespace: "foo", action: "DENY", rules: [op({ methods: ["DELETE"] })], dryRun: true },
    ]);
    await host.send({ path: "/a" });
    await host.send({ path: "/admin" });
    await host.send({ method: "DELETE", path: "/b" });
    expect(host.metrics.snapshot()).toMatchObject({
      wasmesh_authz_allowed_total: 2,
      wasmesh_authz_denied_total: 1,
      wasmesh_authz_shadow_allowed_total: 2,
      wasmesh_authz_shadow_denied_total: 1,
    });
  });

  it("rules of one policy are named by index; rule[10] sorts before rule[2] (Envoy's map order)", async () => {
    const rules = Array.from({ length: 11 }, () => ({}));
    const { host } = await authz([{ name: "many", namespace: "foo", action: "DENY", rules }]);
    const r = await host.send({});
    expect(r.details).toBe("rbac_access_denied_matched_policy[ns[foo]-policy[many]-rule[0]]");
    const { host: h2 } = await authz([{ name: "many", namespace: "foo", action: "DENY", rules: [...Array.from({ length: 10 }, () => op({ paths: ["/never"] })), {}, op({ methods: ["GET"] }), op({ methods: ["GET"] })] }]);
    const r2 = await h2.send({});
    expect(r2.details).toBe("rbac_access_denied_matched_policy[ns[foo]-policy[many]-rule[10]]");
  });

  it("a namespace-less policy is in namespace default", async () => {
    const { host } = await authz([{ name: "d", action: "DENY", rules: [{}] }]);
    expect((await host.send({})).details).toBe("rbac_access_denied_matched_policy[ns[default]-policy[d]-rule[0]]");
  });
});

// Every Source field, its not-form, and the peer/mTLS rule.
describe("source fields", () => {
  const cases: Case[] = [
    { id: "principals prefix", policies: [allow(src({ principals: ["cluster.local/ns/foo/*"] }))], req: { connection: A }, expect: "allow" },
    { id: "principals suffix", policies: [allow(src({ principals: ["*/sa/sleep"] }))], req: { connection: A }, expect: "allow" },
    { id: "principals suffix needs spiffe://", policies: [allow(src({ principals: ["*/sa/sleep"] }))], req: { connection: { peerPrincipal: "https://x/sa/sleep" } }, expect: 403 },
    { id: "principals * over mTLS", policies: [allow(src({ principals: ["*"] }))], req: { connection: A }, expect: "allow" },
    { id: "principals exact miss", policies: [allow(src({ principals: ["cluster.local/ns/foo/sa/other"] }))], req: { connection: A }, expect: 403 },
    { id: "notPrincipals hit", policies: [deny(src({ notPrincipals: ["cluster.local/ns/foo/sa/sleep"] }))], req: { connection: A }, expect: "allow" },
    { id: "notPrincipals miss", policies: [deny(src({ notPrincipals: ["cluster.local/ns/foo/sa/other"] }))], req: { connection: A }, expect: 403 },
    { id: "namespaces wildcard", policies: [allow(src({ namespaces: ["f*"] }))], req: { connection: A }, expect: "allow" },
    { id: "namespaces plaintext", policies: [allow(src({ namespaces: ["foo"] }))], req: {}, expect: 403 },
    { id: "notNamespaces", policies: [deny(src({ notNamespaces: ["foo"] }))], req: { connection: BAR }, expect: 403 },
    { id: "notNamespaces own", policies: [deny(src({ notNamespaces: ["foo"] }))], req: { connection: A }, expect: "allow" },
    { id: "serviceAccounts ns/sa", policies: [allow(src({ serviceAccounts: ["bar/sleep"] }))], req: { connection: BAR }, expect: "allow" },
    { id: "serviceAccounts defaults to the policy namespace", policies: [allow(src({ serviceAccounts: ["sleep"] }))], req: { connection: BAR }, expect: 403 },
    { id: "notServiceAccounts", policies: [deny(src({ notServiceAccounts: ["foo/sleep"] }))], req: { connection: BAR }, expect: 403 },
    { id: "trustDomains exact", policies: [allow(src({ trustDomains: ["cluster.local"] }))], req: { connection: A }, expect: "allow" },
    { id: "trustDomains other", policies: [allow(src({ trustDomains: ["other.local"] }))], req: { connection: A }, expect: 403 },
    { id: "trustDomains suffix", policies: [allow(src({ trustDomains: ["*.local"] }))], req: { connection: A }, expect: "allow" },
    { id: "trustDomains prefix", policies: [allow(src({ trustDomains: ["cluster*"] }))], req: { connection: A }, expect: "allow" },
    { id: "trustDomains * needs a SPIFFE id", policies: [allow(src({ trustDomains: ["*"] }))], req: { connection: { peerPrincipal: "https://not-spiffe/x" } }, expect: 403 },
    { id: "trustDomains * over mTLS", policies: [allow(src({ trustDomains: ["*"] }))], req: { connection: A }, expect: "allow" },
    { id: "trustDomains plaintext", policies: [allow(src({ trustDomains: ["*"] }))], req: {}, expect: 403 },
    { id: "serviceAccounts with a nested path", policies: [allow(src({ serviceAccounts: ["foo/sleep"] }))], req: { connection: { peerPrincipal: "spiffe://td/ns/foo/x/sa/sleep" } }, expect: "allow" },
    { id: "serviceAccounts name is whole", policies: [allow(src({ serviceAccounts: ["foo/sleep"] }))], req: { connection: { peerPrincipal: "spiffe://td/ns/foo/sa/sleepy" } }, expect: 403 },
    { id: "notTrustDomains", policies: [deny(src({ notTrustDomains: ["cluster.local"] }))], req: { connection: { peerPrincipal: "spiffe://evil.example/ns/foo/sa/sleep" } }, expect: 403 },
    { id: "requestPrincipals *suffix/sub", policies: [allow(src({ requestPrincipals: ["*.example/u1"] }))], req: { filterState: jwt({ iss: "https://a.example", sub: "u1" }) }, expect: "allow" },
    { id: "requestPrincipals *sub-suffix", policies: [allow(src({ requestPrincipals: ["*1"] }))], req: { filterState: jwt({ iss: "https://a.example", sub: "u1" }) }, expect: "allow" },
    { id: "requestPrincipals iss-prefix* (no /)", policies: [allow(src({ requestPrincipals: ["issuer-a*"] }))], req: { filterState: jwt({ iss: "issuer-abc", sub: "u1" }) }, expect: "allow" },
    // The value is split at its last '/' first: `https://a*` means iss == "https:/" and sub prefix "a".
    { id: "requestPrincipals https://a* splits at the last /", policies: [allow(src({ requestPrincipals: ["https://a*"] }))], req: { filterState: jwt({ iss: "https://a.example", sub: "u1" }) }, expect: 403 },
    { id: "requestPrincipals sub-prefix", policies: [allow(src({ requestPrincipals: ["https://a.example/u*"] }))], req: { filterState: jwt({ iss: "https://a.example", sub: "x1" }) }, expect: 403 },
    { id: "requestPrincipals from the principal alone", policies: [allow(src({ requestPrincipals: ["https://a.example/u1"] }))], req: { filterState: { "wasmesh.jwt.principal": "https://a.example/u1" } }, expect: "allow" },
    { id: "notRequestPrincipals, other issuer", policies: [deny(src({ notRequestPrincipals: ["https://a.example/*"] }))], req: { filterState: jwt({ iss: "https://evil", sub: "u" }) }, expect: 403 },
    { id: "notRequestPrincipals, right issuer", policies: [deny(src({ notRequestPrincipals: ["https://a.example/*"] }))], req: { filterState: jwt({ iss: "https://a.example", sub: "u" }) }, expect: "allow" },
    { id: "ipBlocks IPv4 miss", policies: [allow(src({ ipBlocks: ["10.0.0.0/8"] }))], req: { connection: { source: "192.168.0.1:1" } }, expect: 403 },
    { id: "ipBlocks bare IP", policies: [allow(src({ ipBlocks: ["192.168.0.1"] }))], req: { connection: { source: "192.168.0.1:1" } }, expect: "allow" },
    { id: "ipBlocks IPv6", policies: [allow(src({ ipBlocks: ["2001:db8::/32"] }))], req: { connection: { source: "[2001:db8:1::7]:443" } }, expect: "allow" },
    { id: "ipBlocks IPv6 miss", policies: [allow(src({ ipBlocks: ["2001:db8::/32"] }))], req: { connection: { source: "[2001:db9::7]:443" } }, expect: 403 },
    { id: "ipBlocks IPv4-mapped IPv6 peer", policies: [deny(src({ ipBlocks: ["10.0.0.0/8"] }))], req: { connection: { source: "[::ffff:10.9.9.9]:443" } }, expect: 403 },
    // A zone id names the interface, not the address: it must not make the peer unparsable
    // (no IP reads as "not in the range", which dodged a DENY).
    { id: "ipBlocks, IPv6 peer with a zone id", policies: [deny(src({ ipBlocks: ["fe80::/10"] }))], req: { connection: { source: "[fe80::1%eth0]:443" } }, expect: 403 },
    // An IPv6 range holds an IPv4 peer only when it is an IPv4-mapped range (::ffff:0:0/96 or
    // narrower); `::/0` means "any IPv6 peer", as in Envoy, where families never mix.
    { id: "ipBlocks ::/0 does not hold an IPv4 peer", policies: [allow(src({ ipBlocks: ["::/0"] }))], req: { connection: { source: "8.8.8.8:1" } }, expect: 403 },
    { id: "ipBlocks IPv4-mapped range holds the IPv4 peer", policies: [allow(src({ ipBlocks: ["::ffff:10.0.0.0/104"] }))], req: { connection: { source: "10.1.2.3:1" } }, expect: "allow" },
    { id: "notIpBlocks", policies: [deny(src({ notIpBlocks: ["10.0.0.0/8", "fd00::/8"] }))], req: { connection: { source: "8.8.8.8:1" } }, expect: 403 },
    { id: "notIpBlocks inside", policies: [deny(src({ notIpBlocks: ["10.0.0.0/8", "fd00::/8"] }))], req: { connection: { source: "[fd00::1]:1" } }, expect: "allow" },
    { id: "remoteIpBlocks without XFF = peer", policies: [allow(src({ remoteIpBlocks: ["10.1.2.3"] }))], req: { connection: { source: "10.1.2.3:5" } }, expect: "allow" },
    { id: "remoteIpBlocks invalid XFF entry falls back to the peer", policies: [allow(src({ remoteIpBlocks: ["10.1.2.3"] }))], req: { connection: { source: "10.1.2.3:5" }, headers: { "x-forwarded-for": "1.2.3.4, garbage" } }, expect: "allow" },
    { id: "remoteIpBlocks, 1 trusted proxy (sidecar)", policies: [allow(src({ remoteIpBlocks: ["9.9.9.9"] }))], config: { numTrustedProxies: 1 }, req: { connection: { source: "10.1.2.3:5" }, headers: { "x-forwarded-for": "9.9.9.9, 1.2.3.4" } }, expect: "allow" },
    { id: "remoteIpBlocks, gateway, 0 trusted proxies = peer", policies: [allow(src({ remoteIpBlocks: ["1.2.3.4"] }))], config: { useRemoteAddress: true }, req: { connection: { source: "10.1.2.3:5" }, headers: { "x-forwarded-for": "1.2.3.4" } }, expect: 403 },
    { id: "remoteIpBlocks, gateway, 1 trusted proxy", policies: [allow(src({ remoteIpBlocks: ["1.2.3.4"] }))], config: { useRemoteAddress: true, numTrustedProxies: 1 }, req: { connection: { source: "10.1.2.3:5" }, headers: { "x-forwarded-for": "6.6.6.6, 1.2.3.4" } }, expect: "allow" },
    { id: "remoteIpBlocks, repeated XFF headers read as one list", policies: [allow(src({ remoteIpBlocks: ["1.2.3.4"] }))], req: { connection: { source: "10.1.2.3:5" }, headers: [["x-forwarded-for", "9.9.9.9"], ["x-forwarded-for", "1.2.3.4"]] }, expect: "allow" },
    { id: "notRemoteIpBlocks", policies: [deny(src({ notRemoteIpBlocks: ["1.2.3.0/24"] }))], req: { connection: { source: "10.1.2.3:5" }, headers: { "x-forwarded-for": "5.5.5.5" } }, expect: 403 },
    { id: "fields of one source are ANDed", policies: [allow(src({ namespaces: ["foo"], ipBlocks: ["10.0.0.0/8"] }))], req: { connection: { ...A, source: "11.0.0.1:1" } }, expect: 403 },
    { id: "x and notX both hold", policies: [allow(src({ namespaces: ["*"], notNamespaces: ["foo"] }))], req: { connection: A }, expect: 403 },
    { id: "from entries are ORed", policies: [allow({ from: [{ source: { namespaces: ["bar"] } }, { source: { namespaces: ["foo"] } }] })], req: { connection: A }, expect: "allow" },
  ];
  for (const c of cases) it(c.id, () => run(c).then(() => undefined));
});

describe("operation fields", () => {
  const cases: Case[] = [
    { id: "hosts * = present", policies: [allow(op({ hosts: ["*"] }))], req: {}, expect: "allow" },
    { id: "hosts prefix with port", policies: [allow(op({ hosts: ["example.com:*"] }))], req: { authority: "Example.COM:8080" }, expect: "allow" },
    { id: "notHosts", policies: [deny(op({ notHosts: ["api.example.com"] }))], req: { authority: "other.example.com" }, expect: 403 },
    { id: "notHosts case-insensitive", policies: [deny(op({ notHosts: ["api.example.com"] }))], req: { authority: "API.example.com" }, expect: "allow" },
    { id: "ports", policies: [allow(op({ ports: ["8080", "9090"] }))], req: { connection: { destination: "10.0.0.2:9090" } }, expect: "allow" },
    { id: "notPorts", policies: [deny(op({ notPorts: ["8080"] }))], req: { connection: { destination: "10.0.0.2:9090" } }, expect: 403 },
    { id: "methods exact", policies: [allow(op({ methods: ["GET", "HEAD"] }))], req: { method: "HEAD" }, expect: "allow" },
    { id: "methods are case-sensitive", policies: [allow(op({ methods: ["get"] }))], req: { method: "GET" }, expect: 403 },
    { id: "notMethods", policies: [deny(op({ notMethods: ["GET", "HEAD"] }))], req: { method: "POST" }, expect: 403 },
    { id: "paths suffix", policies: [allow(op({ paths: ["*.css"] }))], req: { path: "/static/a.css?v=1" }, expect: "allow" },
    { id: "paths * matches any path", policies: [allow(op({ paths: ["*"] }))], req: { path: "/x" }, expect: "allow" },
    { id: "paths infix * is literal", policies: [allow(op({ paths: ["/a*b"] }))], req: { path: "/axxb" }, expect: 403 },
    { id: "paths ignore the fragment", policies: [deny(op({ paths: ["/admin"] }))], req: { path: "/admin#frag" }, expect: 403 },
    { id: "notPaths", policies: [deny(op({ notPaths: ["/public/*"] }))], req: { path: "/private" }, expect: 403 },
    { id: "notPaths template", policies: [deny(op({ notPaths: ["/api/{*}/items"] }))], req: { path: "/api/v1/items" }, expect: "allow" },
    { id: "to entries are ORed", policies: [allow({ to: [{ operation: { methods: ["PUT"] } }, { operation: { paths: ["/x"] } }] })], req: { path: "/x" }, expect: "allow" },
  ];
  for (const c of cases) it(c.id, () => run(c).then(() => undefined));
});

describe("when conditions", () => {
  const cases: Case[] = [
    { id: "request.headers presence matches an empty value", policies: [allow(when("request.headers[x-a]", ["*"]))], req: { headers: { "x-a": "" } }, expect: "allow" },
    { id: "request.headers name is case-insensitive", policies: [allow(when("request.headers[X-Api-Key]", ["k*"]))], req: { headers: { "x-api-key": "k1" } }, expect: "allow" },
    { id: "request.headers notValues with a different value", policies: [deny(when("request.headers[x-token]", undefined, ["s3cret"]))], req: { headers: { "x-token": "guess" } }, expect: 403 },
    { id: "request.headers notValues with the value", policies: [deny(when("request.headers[x-token]", undefined, ["s3cret"]))], req: { headers: { "x-token": "s3cret" } }, expect: "allow" },
    { id: "values and notValues both", policies: [allow({ when: [{ key: "request.headers[x-env]", values: ["prod*"], notValues: ["prod-eu"] }] })], req: { headers: { "x-env": "prod-eu" } }, expect: 403 },
    { id: "conditions are ANDed", policies: [allow({ when: [{ key: "request.headers[a]", values: ["1"] }, { key: "request.headers[b]", values: ["2"] }] })], req: { headers: { a: "1" } }, expect: 403 },
    { id: "source.ip", policies: [allow(when("source.ip", ["10.0.0.0/8"]))], req: { connection: { source: "10.2.2.2:1" } }, expect: "allow" },
    { id: "source.ip notValues", policies: [deny(when("source.ip", undefined, ["10.0.0.0/8"]))], req: { connection: { source: "11.2.2.2:1" } }, expect: 403 },
    { id: "remote.ip", policies: [allow(when("remote.ip", ["203.0.113.0/24"]))], req: { headers: { "x-forwarded-for": "203.0.113.9" } }, expect: "allow" },
    { id: "destination.ip", policies: [allow(when("destination.ip", ["10.0.0.2"]))], req: { connection: { destination: "10.0.0.2:8080" } }, expect: "allow" },
    { id: "destination.port", policies: [allow(when("destination.port", ["8080"]))], req: { connection: { destination: "10.0.0.2:8080" } }, expect: "allow" },
    { id: "source.principal", policies: [allow(when("source.principal", ["cluster.local/ns/foo/sa/sleep"]))], req: { connection: A }, expect: "allow" },
    { id: "source.namespace", policies: [allow(when("source.namespace", ["foo"]))], req: { connection: A }, expect: "allow" },
    { id: "source.namespace plaintext", policies: [allow(when("source.namespace", ["foo"]))], req: {}, expect: 403 },
    { id: "source.serviceAccount", policies: [allow(when("source.serviceAccount", ["foo/sleep"]))], req: { connection: A }, expect: "allow" },
    { id: "source.trustDomain", policies: [allow(when("source.trustDomain", ["cluster.local"]))], req: { connection: A }, expect: "allow" },
    { id: "request.auth.principal", policies: [allow(when("request.auth.principal", ["https://a.example/u1"]))], req: { filterState: jwt({ iss: "https://a.example", sub: "u1" }) }, expect: "allow" },
    { id: "request.auth.audiences list", policies: [allow(when("request.auth.audiences", ["api.example.com"]))], req: { filterState: jwt({ iss: "i", sub: "s", aud: ["web", "api.example.com"] }) }, expect: "allow" },
    { id: "request.auth.audiences string", policies: [allow(when("request.auth.audiences", ["api.example.com"]))], req: { filterState: jwt({ iss: "i", sub: "s", aud: "api.example.com" }) }, expect: "allow" },
    { id: "request.auth.audiences non-strings never match", policies: [allow(when("request.auth.audiences", ["1"]))], req: { filterState: jwt({ iss: "i", sub: "s", aud: [1, { a: "1" }] }) }, expect: 403 },
    { id: "request.auth.audiences from filter state", policies: [allow(when("request.auth.audiences", ["api"]))], req: { filterState: { ...jwt({ iss: "i", sub: "s" }), "wasmesh.jwt.audiences": '["api"]' } }, expect: "allow" },
    { id: "request.auth.presenter", policies: [allow(when("request.auth.presenter", ["web-app"]))], req: { filterState: jwt({ iss: "i", sub: "s", azp: "web-app" }) }, expect: "allow" },
    { id: "request.auth.presenter absent", policies: [allow(when("request.auth.presenter", ["web-app"]))], req: { filterState: jwt({ iss: "i", sub: "s" }) }, expect: 403 },
    { id: "claims nested list", policies: [allow(when("request.auth.claims[realm][roles]", ["admin"]))], req: { filterState: jwt({ iss: "i", sub: "s", realm: { roles: ["user", "admin"] } }) }, expect: "allow" },
    { id: "claims with / in the name", policies: [allow(when("request.auth.claims[foo.com/name]", ["x"]))], req: { filterState: jwt({ iss: "i", sub: "s", "foo.com/name": "x" }) }, expect: "allow" },
    { id: "claims number never matches", policies: [allow(when("request.auth.claims[level]", ["3"]))], req: { filterState: jwt({ iss: "i", sub: "s", level: 3 }) }, expect: 403 },
    { id: "claims missing: notValues matches", policies: [deny(when("request.auth.claims[role]", undefined, ["admin"]))], req: { filterState: jwt({ iss: "i", sub: "s" }) }, expect: 403 },
    { id: "claims without a token", policies: [allow(when("request.auth.claims[role]", ["admin"]))], req: {}, expect: 403 },
    { id: "connection.sni", policies: [allow(when("connection.sni", ["*.example.com"]))], req: { connection: { sni: "api.example.com" } }, expect: "allow" },
    { id: "connection.sni notValues", policies: [deny(when("connection.sni", undefined, ["api.example.com"]))], req: { connection: { sni: "evil.example.com" } }, expect: 403 },
  ];
  for (const c of cases) it(c.id, () => run(c).then(() => undefined));
});

describe("identity in filter state fails closed", () => {
  const policies = [deny(src({ requestPrincipals: ["https://evil.example/*"] }))];
  for (const [what, fs] of [
    ["claims that are not JSON", { "wasmesh.jwt.claims": "{not json" }],
    ["claims that are not an object", { "wasmesh.jwt.claims": '["a"]' }],
    ["claims with duplicate keys", { "wasmesh.jwt.claims": '{"iss":"https://a.example","iss":"https://evil.example"}' }],
    ["audiences that are not a list of strings", { "wasmesh.jwt.claims": '{"iss":"i","sub":"s"}', "wasmesh.jwt.audiences": "[1]" }],
    ["a principal without '/'", { "wasmesh.jwt.principal": "nobody" }],
  ] as const) {
    it(`${what}: 403 and an error log`, async () => {
      const { host } = await authz(policies);
      const r = await host.send({ filterState: fs });
      expect(verdict(r)).toBe(403);
      expect(r.logs.some((l) => l.level === "error" && l.message.startsWith("authz: deny: malformed identity in filter state"))).toBe(true);
    });
  }

  it("policies that never read request.auth ignore the identity", async () => {
    const { host } = await authz([allow(op({ methods: ["GET"] }))]);
    expect(verdict(await host.send({ filterState: { "wasmesh.jwt.claims": "{broken" } }))).toBe("allow");
  });
});

describe("memory", () => {
  it("stays flat over many decisions (claims parsed, filter state written, rules walked every time)", async () => {
    const { host, plugin } = await authz([
      { name: "d", namespace: "foo", action: "DENY", rules: [{ to: [{ operation: { paths: ["/admin*"] } }] }] },
      { name: "a", namespace: "foo", rules: [{ when: [{ key: "request.auth.claims[groups]", values: ["dev"] }] }] },
    ]);
    const vm = plugin.workers[0].vm;
    const pages = () => (vm.instance.exports.memory as WebAssembly.Memory).buffer.byteLength;
    const req = { path: "/api/./x", filterState: { "wasmesh.jwt.claims": JSON.stringify({ iss: "i", sub: "s", groups: ["ops", "dev"], pad: "x".repeat(2000) }) } };
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) {
        host.timeline.length = 0;
        host.logger.records.length = 0;
        expect(verdict(await host.send(req))).toBe("allow");
      }
    };
    await run(2000);
    const after2k = pages();
    await run(8000);
    expect(pages()).toBe(after2k);
  });
});

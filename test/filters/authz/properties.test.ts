// Property-based tests (fast-check): random policies and random requests, the filter's verdict
// and reported rule against a small reference model of Istio's rule matching written here in
// TypeScript from policy-semantics.md §2 (CIDRs checked with node:net's BlockList).
import { BlockList, isIPv4 } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RequestSpec } from "../../../host-shim/types.ts";
import { authz, verdict } from "./helpers.ts";

// ---- vocabularies: small, so that random rules and requests often meet ----

const PEERS = [undefined, "spiffe://cluster.local/ns/foo/sa/sleep", "spiffe://cluster.local/ns/bar/sa/x", "spiffe://other.td/ns/foo/sa/sleep"];
const SOURCE_IPS = ["10.1.2.3", "10.2.0.1", "192.168.1.1", "8.8.8.8", "2001:db8::1", "fd00::5"];
const XFFS = [undefined, "192.168.1.1", "8.8.8.8, 10.1.2.3", "2001:db8::9"];
const METHODS = ["GET", "POST", "DELETE"];
const HOSTS = ["example.com", "api.example.com", "EXAMPLE.com:8080"];
const PATHS = ["/a", "/a/b", "/a/b/c", "/x.css", "/a/x/c", "/b?q=1", "/a/"];
const PORTS = [8080, 9090];
const ROLES = [[], ["admin"], ["user"], ["user", "admin"], [""]];
const JWTS: Array<Record<string, unknown> | undefined> = [
  undefined,
  { iss: "iss1", sub: "u1", groups: ["dev", "ops"] },
  { iss: "iss2", sub: "u1", groups: "dev" },
  { iss: "iss1", groups: ["ops"] },
  { iss: "iss1", sub: "u2", groups: true },
];

const V = {
  principals: ["cluster.local/ns/foo/sa/sleep", "cluster.local/ns/*", "*/sa/sleep", "*", "cluster.local/ns/bar/sa/x"],
  namespaces: ["foo", "bar", "f*", "*"],
  ipBlocks: ["10.0.0.0/8", "10.1.0.0/16", "192.168.1.1", "2001:db8::/32", "0.0.0.0/0"],
  requestPrincipals: ["*", "iss1/u1", "iss1/*", "*/u1", "iss*", "*1"],
  hosts: ["example.com", "*.example.com", "example.com:*", "*"],
  methods: ["GET", "POST", "*"],
  paths: ["/a", "/a/*", "*.css", "/a/{*}", "/a/{**}/c", "*", "/a/{**}"],
  ports: ["8080", "9090"],
  roles: ["admin", "user", "*", "ad*"],
  groups: ["dev", "ops", "*"],
};

type Source = Partial<Record<"principals" | "notPrincipals" | "namespaces" | "notNamespaces" | "ipBlocks" | "notIpBlocks" | "remoteIpBlocks" | "notRemoteIpBlocks" | "requestPrincipals" | "notRequestPrincipals", string[]>>;
type Operation = Partial<Record<"hosts" | "notHosts" | "methods" | "notMethods" | "paths" | "notPaths" | "ports" | "notPorts", string[]>>;
type Condition = { key: string; values?: string[]; notValues?: string[] };
type Rule = { from?: Array<{ source: Source }>; to?: Array<{ operation: Operation }>; when?: Condition[] };
type Policy = { name: string; namespace: string; action: "ALLOW" | "DENY"; rules?: Rule[] };

const values = (list: string[]) => fc.uniqueArray(fc.constantFrom(...list), { minLength: 1, maxLength: 2 });

function fieldsArb<K extends string>(spec: Array<[K, string[]]>) {
  const entries = spec.map(([k, list]) => [k, values(list)] as const);
  return fc
    .record(Object.fromEntries(entries) as Record<K, fc.Arbitrary<string[]>>, { requiredKeys: [] })
    .filter((o) => Object.keys(o).length > 0) as fc.Arbitrary<Partial<Record<K, string[]>>>;
}

const sourceArb = fieldsArb<keyof Source>([
  ["principals", V.principals], ["notPrincipals", V.principals], ["namespaces", V.namespaces], ["notNamespaces", V.namespaces],
  ["ipBlocks", V.ipBlocks], ["notIpBlocks", V.ipBlocks], ["remoteIpBlocks", V.ipBlocks], ["notRemoteIpBlocks", V.ipBlocks],
  ["requestPrincipals", V.requestPrincipals], ["notRequestPrincipals", V.requestPrincipals],
]);
const operationArb = fieldsArb<keyof Operation>([
  ["hosts", V.hosts], ["notHosts", V.hosts], ["methods", V.methods], ["notMethods", V.methods],
  ["paths", V.paths], ["notPaths", V.paths], ["ports", V.ports], ["notPorts", V.ports],
]);
const conditionArb: fc.Arbitrary<Condition> = fc
  .tuple(
    fc.constantFrom<[string, string[]]>(["request.headers[x-role]", V.roles], ["request.auth.claims[groups]", V.groups], ["source.ip", V.ipBlocks], ["destination.port", V.ports], ["request.auth.principal", V.requestPrincipals], ["source.namespace", V.namespaces]),
    fc.boolean(),
    fc.boolean(),
  )
  .chain(([[key, list], hasValues, hasNot]) =>
    fc.record({ key: fc.constant(key), values: values(list), notValues: values(list) }).map((c) => {
      const out: Condition = { key: c.key };
      if (hasValues || !hasNot) out.values = c.values;
      if (hasNot) out.notValues = c.notValues;
      return out;
    }),
  );
const ruleArb: fc.Arbitrary<Rule> = fc.record(
  {
    from: fc.array(sourceArb.map((source) => ({ source })), { minLength: 1, maxLength: 2 }),
    to: fc.array(operationArb.map((operation) => ({ operation })), { minLength: 1, maxLength: 2 }),
    when: fc.array(conditionArb, { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const policiesArb: fc.Arbitrary<Policy[]> = fc
  .array(
    fc.record({
      action: fc.constantFrom<"ALLOW" | "DENY">("ALLOW", "DENY"),
      rules: fc.array(ruleArb, { minLength: 0, maxLength: 3 }),
      namespace: fc.constantFrom("foo", "bar"),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((ps) =>
    ps.map((p, i) => {
      const policy: Policy = { name: `p${i}`, namespace: p.namespace, action: p.action };
      // DENY needs rules; ALLOW without rules is allow-nothing.
      if (p.rules.length > 0) policy.rules = p.rules;
      else if (p.action === "DENY") policy.rules = [{}];
      return policy;
    }),
  );

interface Req {
  peer?: string;
  sourceIp: string;
  xff?: string;
  method: string;
  host: string;
  path: string;
  port: number;
  roles: string[];
  jwt?: Record<string, unknown>;
}
const requestArb: fc.Arbitrary<Req> = fc.record({
  peer: fc.constantFrom(...PEERS),
  sourceIp: fc.constantFrom(...SOURCE_IPS),
  xff: fc.constantFrom(...XFFS),
  method: fc.constantFrom(...METHODS),
  host: fc.constantFrom(...HOSTS),
  path: fc.constantFrom(...PATHS),
  port: fc.constantFrom(...PORTS),
  roles: fc.constantFrom(...ROLES),
  jwt: fc.constantFrom(...JWTS),
});

function toSpec(r: Req): RequestSpec {
  const headers: Array<[string, string]> = r.roles.map((v) => ["x-role", v]);
  if (r.xff) headers.push(["x-forwarded-for", r.xff]);
  const fs: Record<string, string> = {};
  if (r.jwt) fs["wasmesh.jwt.claims"] = JSON.stringify(r.jwt);
  const source = isIPv4(r.sourceIp) ? `${r.sourceIp}:5555` : `[${r.sourceIp}]:5555`;
  return {
    method: r.method,
    authority: r.host,
    path: r.path,
    headers,
    filterState: fs,
    connection: { source, destination: `10.0.0.2:${r.port}`, ...(r.peer ? { peerPrincipal: r.peer } : {}) },
  };
}

// ---- the reference model ----

/** Istio's value language (§2.4): `*` presence, `*x` suffix, `x*` prefix, else exact. */
function str(v: string, s: string | undefined, opts: { ignoreCase?: boolean; presenceAnyValue?: boolean } = {}): boolean {
  if (s === undefined) return false;
  if (v === "*") return opts.presenceAnyValue ? true : s.length > 0;
  const [a, b] = opts.ignoreCase ? [v.toLowerCase(), s.toLowerCase()] : [v, s];
  if (a.startsWith("*")) return b.endsWith(a.slice(1));
  if (a.endsWith("*")) return b.startsWith(a.slice(0, -1));
  return a === b;
}

function template(v: string, path: string): boolean {
  const seg = "[A-Za-z0-9\\-._~%!$&'()+,;:@=*]";
  const re = v
    .split("/")
    .map((s) => (s === "{*}" ? `${seg}+` : s === "{**}" ? `(?:${seg}|/)*` : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${re}$`).test(path);
}

function cidr(block: string, ip: string | undefined): boolean {
  if (!ip) return false;
  const [addr, len] = block.split("/");
  const v6 = addr.includes(":");
  if (v6 !== ip.includes(":")) return false;
  const bl = new BlockList();
  bl.addSubnet(addr, len === undefined ? (v6 ? 128 : 32) : Number(len), v6 ? "ipv6" : "ipv4");
  return bl.check(ip, v6 ? "ipv6" : "ipv4");
}

function remoteIp(r: Req): string {
  if (!r.xff) return r.sourceIp;
  const parts = r.xff.split(",").map((s) => s.trim());
  return parts[parts.length - 1];
}

function principal(v: string, peer: string | undefined): boolean {
  if (!peer) return false; // no mTLS
  if (v === "*") return peer.length > 0;
  if (!peer.startsWith("spiffe://")) return false;
  return str(v, peer.slice("spiffe://".length));
}

function namespace(v: string, peer: string | undefined): boolean {
  if (!peer) return false;
  const re = new RegExp(`^.*/ns/${v.split("*").map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}/.*$`);
  return re.test(peer);
}

function requestPrincipal(v: string, jwt: Record<string, unknown> | undefined): boolean {
  if (!jwt) return false;
  const iss = typeof jwt.iss === "string" ? jwt.iss : undefined;
  const sub = typeof jwt.sub === "string" ? jwt.sub : undefined;
  if (iss === undefined || sub === undefined) return false;
  const any = (s: string) => s.length > 0;
  if (v === "*") return any(iss) && any(sub);
  const slash = v.lastIndexOf("/");
  if (v.startsWith("*")) {
    if (slash >= 0) {
      const ip = v.slice(0, slash);
      return (ip === "*" ? any(iss) : iss.endsWith(ip.slice(1))) && sub === v.slice(slash + 1);
    }
    return any(iss) && sub.endsWith(v.slice(1));
  }
  if (v.endsWith("*")) {
    if (slash >= 0) {
      const sp = v.slice(slash + 1);
      return iss === v.slice(0, slash) && (sp === "*" ? any(sub) : sub.startsWith(sp.slice(0, -1)));
    }
    return iss.startsWith(v.slice(0, -1)) && any(sub);
  }
  if (slash < 0) return iss === v && sub === "";
  return iss === v.slice(0, slash) && sub === v.slice(slash + 1);
}

function claimStrings(jwt: Record<string, unknown> | undefined, name: string): string[] {
  const v = jwt?.[name];
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return [];
}

const pathOnly = (p: string) => p.split("?")[0];

/** Whether any listed value matches the attribute, by attribute name. */
function hit(field: string, vals: string[], r: Req): boolean {
  const any = (f: (v: string) => boolean) => vals.some(f);
  switch (field) {
    case "principals": return any((v) => principal(v, r.peer));
    case "namespaces": case "source.namespace": return any((v) => namespace(v, r.peer));
    case "ipBlocks": case "source.ip": return any((v) => cidr(v, r.sourceIp));
    case "remoteIpBlocks": return any((v) => cidr(v, remoteIp(r)));
    case "requestPrincipals": case "request.auth.principal": return any((v) => requestPrincipal(v, r.jwt));
    case "hosts": return any((v) => str(v, r.host, { ignoreCase: true, presenceAnyValue: true }));
    case "methods": return any((v) => str(v, r.method, { presenceAnyValue: true }));
    case "paths": return any((v) => (v.includes("{") ? template(v, pathOnly(r.path)) : str(v, pathOnly(r.path))));
    case "ports": case "destination.port": return any((v) => Number(v) === r.port);
    case "request.headers[x-role]": return r.roles.some((h) => any((v) => str(v, h, { presenceAnyValue: true })));
    case "request.auth.claims[groups]": return claimStrings(r.jwt, "groups").some((c) => any((v) => str(v, c)));
    default: throw new Error(`model: unknown field ${field}`);
  }
}

function fieldsMatch(fields: Record<string, string[] | undefined>, r: Req): boolean {
  return Object.entries(fields).every(([k, vals]) => {
    if (!vals) return true;
    if (k.startsWith("not")) return !hit(k[3].toLowerCase() + k.slice(4), vals, r);
    return hit(k, vals, r);
  });
}

function ruleMatches(rule: Rule, r: Req): boolean {
  const from = !rule.from || rule.from.some((f) => fieldsMatch(f.source, r));
  const to = !rule.to || rule.to.some((t) => fieldsMatch(t.operation, r));
  const when = (rule.when ?? []).every((c) => (!c.values || hit(c.key, c.values, r)) && (!c.notValues || !hit(c.key, c.notValues, r)));
  return from && to && when;
}

/** The model's verdict: "allow", or the denied details string. */
function model(policies: Policy[], r: Req): string {
  const ids = (action: string) =>
    policies
      .filter((p) => p.action === action)
      .flatMap((p) => (p.rules ?? []).map((rule, i) => ({ id: `ns[${p.namespace}]-policy[${p.name}]-rule[${i}]`, rule })))
      .filter(({ rule }) => ruleMatches(rule, r))
      .map(({ id }) => id)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const deny = ids("DENY");
  if (deny.length) return `rbac_access_denied_matched_policy[${deny[0]}]`;
  if (!policies.some((p) => p.action === "ALLOW")) return "allow";
  return ids("ALLOW").length ? "allow" : "rbac_access_denied_matched_policy[none]";
}

describe("rule matching against a reference model", () => {
  it("random policies x random requests: same verdict and same reported rule", async () => {
    await fc.assert(
      fc.asyncProperty(policiesArb, fc.array(requestArb, { minLength: 1, maxLength: 6 }), async (policies, requests) => {
        const { host, plugin } = await authz({ pathNormalization: "NONE", policies });
        expect(plugin.outcome).toBe("ok");
        for (const req of requests) {
          const r = await host.send(toSpec(req));
          const got = verdict(r) === "allow" ? "allow" : r.details;
          expect(got, `request ${JSON.stringify(req)}`).toBe(model(policies, req));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a single field and its not-form always disagree (for the same values)", async () => {
    const fieldArb = fc.constantFrom<[string, string[], "source" | "operation"]>(
      ["principals", V.principals, "source"], ["namespaces", V.namespaces, "source"], ["ipBlocks", V.ipBlocks, "source"],
      ["remoteIpBlocks", V.ipBlocks, "source"], ["requestPrincipals", V.requestPrincipals, "source"],
      ["hosts", V.hosts, "operation"], ["methods", V.methods, "operation"], ["paths", V.paths, "operation"], ["ports", V.ports, "operation"],
    );
    await fc.assert(
      fc.asyncProperty(fieldArb.chain(([f, list, kind]) => values(list).map((vals) => [f, vals, kind] as const)), requestArb, async ([field, vals, kind], req) => {
        const notField = `not${field[0].toUpperCase()}${field.slice(1)}`;
        const wrap = (k: string) => (kind === "source" ? { from: [{ source: { [k]: vals } }] } : { to: [{ operation: { [k]: vals } }] });
        const a = await authz({ pathNormalization: "NONE", policies: [{ name: "x", namespace: "foo", rules: [wrap(field)] }] });
        const b = await authz({ pathNormalization: "NONE", policies: [{ name: "x", namespace: "foo", rules: [wrap(notField)] }] });
        const va = verdict(await a.host.send(toSpec(req)));
        const vb = verdict(await b.host.send(toSpec(req)));
        expect(va === "allow").toBe(vb !== "allow");
        expect(va === "allow").toBe(hit(field, vals, req));
      }),
      { numRuns: 200 },
    );
  });
});

// The matchers of sdk/match through the filter, on random inputs: CIDR ranges against node:net's
// BlockList, and the string language against the model above.
describe("matchers on random inputs", () => {
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join("."));
  const v6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((g) => g.map((x) => x.toString(16)).join(":"));
  const rangeAndAddress = fc.oneof(
    fc.tuple(v4, fc.nat(32), v4, fc.boolean()).map(([net, len, ip, near]) => ({ v6: false, net, len, ip: near ? net : ip })),
    fc.tuple(v6, fc.nat(128), v6, fc.boolean()).map(([net, len, ip, near]) => ({ v6: true, net, len, ip: near ? net.replace(/[0-9a-f]+$/, "1") : ip })),
  );

  it("ipBlocks agree with node:net BlockList (host bits of the range ignored)", async () => {
    await fc.assert(
      fc.asyncProperty(rangeAndAddress, async ({ v6: six, net, len, ip }) => {
        const bl = new BlockList();
        // BlockList wants the network address; the filter clears host bits itself, as Envoy does.
        bl.addSubnet(net, len, six ? "ipv6" : "ipv4");
        const { host } = await authz([{ name: "p", namespace: "foo", rules: [{ from: [{ source: { ipBlocks: [`${net}/${len}`] } }] }] }]);
        const r = await host.send({ connection: { source: six ? `[${ip}]:1` : `${ip}:1` } });
        expect(verdict(r) === "allow", `${net}/${len} vs ${ip}`).toBe(bl.check(ip, six ? "ipv6" : "ipv4"));
      }),
      { numRuns: 300 },
    );
  });

  const token = fc.string({ unit: fc.constantFrom("a", "b", "/", ".", "-", "A"), minLength: 0, maxLength: 6 });
  it("exact / prefix / suffix / presence on paths and hosts agree with the model", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(token, fc.constantFrom("", "*"), fc.constantFrom("", "*")).map(([t, pre, post]) => `${pre}${t}${post}`).filter((v) => v.length > 0),
        token,
        async (value, tail) => {
          const path = `/${tail}`;
          const { host } = await authz({ pathNormalization: "NONE", policies: [{ name: "p", namespace: "foo", rules: [{ to: [{ operation: { paths: [value] } }] }] }] });
          expect(verdict(await host.send({ path })) === "allow", `paths ${value} vs ${path}`).toBe(str(value, path));
          const h = await authz([{ name: "p", namespace: "foo", rules: [{ to: [{ operation: { hosts: [value] } }] }] }]);
          const authority = `x${tail}`;
          expect(verdict(await h.host.send({ authority })) === "allow", `hosts ${value} vs ${authority}`).toBe(str(value, authority, { ignoreCase: true, presenceAnyValue: true }));
        },
      ),
      { numRuns: 300 },
    );
  });
});

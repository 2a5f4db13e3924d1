import { describe, expect, it } from "vitest";
import {
  calloutMatches,
  checkConfigure,
  checkExpectations,
  checkStartupLogs,
  formatFailure,
  grpcCalloutMatches,
  REPLAY_UNCHECKED_SECTIONS,
  showBytes,
  uncheckedSections,
  type CheckOptions,
} from "../../host-shim/scenario/check.ts";
import { parseScenarios } from "../../host-shim/scenario/load.ts";
import type { Expectations, ObservedConfigure, ObservedRequest } from "../../host-shim/scenario/types.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** A request that went through: upstream called, 200 "ok" back. Override what a case is about. */
function observed(over: Partial<ObservedRequest> = {}): ObservedRequest {
  return {
    upstream: {
      called: true,
      method: "GET",
      path: "/users",
      authority: "api.example.com",
      headers: [
        ["x-jwt-payload", "e30"],
        ["x-forwarded-for", "10.0.0.1"],
        ["x-forwarded-for", "10.0.0.9"],
        ["authorization", "Bearer x"],
      ],
      body: enc("hello"),
      trailers: [],
    },
    response: { status: 200, headers: [["content-type", "text/plain"]], body: enc("ok"), trailers: [], reset: false },
    localReply: null,
    stuck: false,
    callouts: [
      { cluster: "jwks", method: "GET", path: "/.well-known/jwks.json", authority: "auth.example.com", headers: [["accept", "application/json"]], body: new Uint8Array(0), refused: false },
      { cluster: "nowhere", headers: [], body: new Uint8Array(0), refused: true },
    ],
    grpcCallouts: [{ cluster: "ratelimit", service: "pkg.Svc", method: "Check", refused: false }],
    logs: [
      { level: "debug", message: "jwt: fetching jwks" },
      { level: "info", message: "request allowed for user-1" },
      { level: "warn", message: "jwks cache is stale" },
    ],
    metrics: { wasmesh_jwt_allowed_total: 1, wasmesh_jwt_denied_total: 0 },
    filterState: { "wasmesh.jwt.principal": enc("https://auth.example.com/user-1"), "wasmesh.empty": new Uint8Array(0) },
    timeline: ["on_context_create", "on_request_headers", "on_response_headers", "on_log", "on_done", "on_delete"],
    ...over,
  };
}

/** Expectations written in the scenario format, read by the loader (so both halves agree on shapes). */
function expectations(yaml: string, clusters = "jwks: {status: 200}"): Expectations {
  const text = `name: t\nhost: {clusters: {${clusters}}, grpcClusters: {ratelimit: {status: 0}}}\nplugins: [{wasm: a.wasm}]\nrequests:\n  - name: r\n    expect:\n${yaml
    .trim()
    .split("\n")
    .map((l) => `      ${l}`)
    .join("\n")}\n`;
  const r = parseScenarios(text, "t.yaml");
  if (r.errors.length > 0) throw new Error(r.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`).join("\n"));
  return r.scenarios[0]!.requests[0]!.expect;
}

function failures(yaml: string, obs: ObservedRequest = observed(), opts?: CheckOptions): string[] {
  return checkExpectations(expectations(yaml), obs, opts).map(formatFailure);
}

describe("checkExpectations passes when expectations hold", () => {
  it("a full set of expectations against a matching observation", () => {
    expect(
      failures(`
upstream:
  called: true
  method: GET
  path: /users
  authority: api.example.com
  headers:
    equals: {X-JWT-Payload: e30, x-forwarded-for: 10.0.0.1}
    has: [x-jwt-payload, AUTHORIZATION]
    lacks: [cookie]
    values: {x-forwarded-for: [10.0.0.1, 10.0.0.9]}
  body: hello
  bodyContains: ell
response:
  status: 200
  headers: {equals: {content-type: text/plain}}
  body: ok
  reset: false
localReply: false
stuck: false
callouts:
  - {cluster: jwks, method: GET, path: /.well-known/jwks.json, authority: auth.example.com, headers: {has: [accept]}, body: ""}
  - {cluster: nowhere, refused: true}
grpcCallouts: [{cluster: ratelimit, service: pkg.Svc, method: Check}]
logs:
  - {level: info, contains: allowed}
  - {contains: stale}
  - {level: debug}
noLogsAbove: warn
metrics: {wasmesh_jwt_allowed_total: 1, wasmesh_jwt_denied_total: 0}
filterState: {wasmesh.jwt.principal: "https://auth.example.com/user-1", wasmesh.empty: null, wasmesh.fault: null}
timeline: [proxy_on_context_create, on_request_headers, proxy_on_response_headers, on_log, on_done, on_delete]
`),
    ).toEqual([]);
  });

  it("an empty expectation, and stuck: true for a stuck stream", () => {
    expect(checkExpectations({}, observed())).toEqual([]);
    expect(failures("stuck: true\nupstream: {called: false}", observed({ stuck: true, response: null, upstream: { called: false, headers: [], body: new Uint8Array(0), trailers: [] } }))).toEqual([]);
  });

  it("gRPC status from the trailers, or from the headers of a trailers-only reply", () => {
    const viaTrailers = observed({ response: { status: 200, headers: [["content-type", "application/grpc"]], body: new Uint8Array(0), trailers: [["grpc-status", "16"]], reset: false } });
    const trailersOnly = observed({ response: { status: 200, headers: [["grpc-status", "16"], ["grpc-message", "Jwt is expired"]], body: new Uint8Array(0), trailers: [], reset: false } });
    expect(failures("response: {grpcStatus: 16}", viaTrailers)).toEqual([]);
    expect(failures("response: {grpcStatus: 16}", trailersOnly)).toEqual([]);
    expect(failures("response: {grpcStatus: 7}", trailersOnly)).toEqual(['expect.response.grpcStatus: expected 7, observed "16"']);
    expect(failures("response: {grpcStatus: 7}")).toEqual(["expect.response.grpcStatus: expected 7, observed none (no grpc-status trailer or header)"]);
  });
});

describe("checkExpectations reports each failure with what was observed", () => {
  it("response status, body, bodyContains, reset", () => {
    expect(failures("response: {status: 401, body: Jwt is expired, reset: true}")).toEqual([
      "expect.response.status: expected 401, observed 200",
      'expect.response.body: expected "Jwt is expired", observed "ok"',
      "expect.response.reset: expected true, observed false",
    ]);
    expect(failures("response: {bodyContains: expired}")).toEqual(['expect.response.bodyContains: "expired" not found in body "ok"']);
  });

  it("headers: equals, has, lacks, values", () => {
    expect(
      failures(`
upstream:
  headers:
    equals: {x-jwt-payload: other, x-missing: v}
    has: [x-user]
    lacks: [authorization]
    values: {x-forwarded-for: [10.0.0.1]}
`),
    ).toEqual([
      'expect.upstream.headers.equals.x-jwt-payload: expected "other", observed "e30"',
      'expect.upstream.headers.equals.x-missing: expected "v", header is absent',
      'expect.upstream.headers.has: "x-user" is absent; present: x-jwt-payload, x-forwarded-for, authorization',
      'expect.upstream.headers.lacks: "authorization" is present ("Bearer x")',
      'expect.upstream.headers.values.x-forwarded-for: expected ["10.0.0.1"], observed ["10.0.0.1","10.0.0.9"]',
    ]);
  });

  it("upstream called, not called, path, body; trailers", () => {
    expect(failures("upstream: {called: false}")).toEqual(["expect.upstream.called: expected false, observed true"]);
    const denied = observed({
      upstream: { called: false, headers: [], body: new Uint8Array(0), trailers: [] },
      localReply: { status: 401, details: "jwt_authn_access_denied" },
      response: { status: 401, headers: [], body: enc("Jwt is expired"), trailers: [], reset: false },
    });
    expect(failures("upstream: {called: true, path: /users}", denied)).toEqual([
      'expect.upstream.called: expected true, observed false (local reply 401 "jwt_authn_access_denied")',
    ]);
    expect(failures("upstream: {path: /users}", denied)).toEqual(['expect.upstream: the upstream was not called (local reply 401 "jwt_authn_access_denied")']);
    expect(failures("upstream: {path: /v2/users, method: POST, body: {base64: AAE=}, trailers: {has: [x-checksum]}}")).toEqual([
      'expect.upstream.method: expected "POST", observed "GET"',
      'expect.upstream.path: expected "/v2/users", observed "/users"',
      'expect.upstream.body: expected base64:AAE=, observed "hello"',
      'expect.upstream.trailers.has: "x-checksum" is absent; present: none',
    ]);
  });

  it("localReply: expected, unexpected, details, status", () => {
    expect(failures("localReply: {}")).toEqual(["expect.localReply: expected a local reply, none was sent"]);
    const reply = observed({ localReply: { status: 403, details: "rbac_access_denied" } });
    expect(failures("localReply: false", reply)).toEqual(['expect.localReply: expected no local reply, observed 403 "rbac_access_denied"']);
    expect(failures("localReply: {status: 401, details: jwt_authn_access_denied}", reply)).toEqual([
      "expect.localReply.status: expected 401, observed 403",
      'expect.localReply.details: expected "jwt_authn_access_denied", observed "rbac_access_denied"',
    ]);
  });

  it("stuck: expected or not, and a stuck stream nobody expected", () => {
    const stuck = observed({ stuck: true, response: null });
    expect(failures("stuck: true")).toEqual(["expect.stuck: expected true, observed false (the stream finished)"]);
    expect(failures("stuck: false", stuck)).toEqual(["expect.stuck: expected false, observed true (the stream was still paused after maxWait)"]);
    expect(failures("metrics: {wasmesh_jwt_allowed_total: 1}", stuck)).toEqual(["expect.stuck: the stream was still paused after maxWait (write stuck: true if that is expected)"]);
    expect(failures("response: {status: 200}", stuck, { implicitStuck: false })).toEqual(["expect.response: no response: the stream is stuck"]);
  });

  it("callouts: the list in order, its length too", () => {
    expect(failures("callouts: [{cluster: jwks}]")).toEqual(["expect.callouts: expected 1 callout, observed 2: jwks GET auth.example.com/.well-known/jwks.json, nowhere (refused)"]);
    expect(failures("callouts: []")).toEqual(["expect.callouts: expected 0 callouts, observed 2: jwks GET auth.example.com/.well-known/jwks.json, nowhere (refused)"]);
    expect(failures("callouts: []", observed({ callouts: [] }))).toEqual([]);
    // A listed cluster may still refuse a call (e.g. no :path), so refused: false is checked too.
    const x = expectations("callouts: [{cluster: jwks, path: /keys, headers: {equals: {accept: text/plain}}, bodyContains: x}, {cluster: nowhere}]", "jwks: {status: 200}, nowhere: {status: 200}");
    expect(checkExpectations(x, observed()).map(formatFailure)).toEqual([
      'expect.callouts[0].path: expected "/keys", observed "/.well-known/jwks.json"',
      'expect.callouts[0].headers.equals.accept: expected "text/plain", observed "application/json"',
      'expect.callouts[0].bodyContains: "x" not found in body ""',
      "expect.callouts[1].refused: expected false, observed true",
    ]);
  });

  it("gRPC callouts", () => {
    expect(failures("grpcCallouts: [{cluster: ratelimit, method: Report}]")).toEqual(['expect.grpcCallouts[0].method: expected "Report", observed "Check"']);
    expect(failures("grpcCallouts: []")).toEqual(["expect.grpcCallouts: expected 0 gRPC callouts, observed 1: ratelimit pkg.Svc/Check"]);
  });

  it("logs: each expectation must match a line; noLogsAbove", () => {
    expect(failures("logs: [{level: info, contains: allowed}, {level: info, contains: denied}, {contains: nope}, {level: error}]")).toEqual([
      'expect.logs[1]: no log line of level info contains "denied"; lines: [debug] jwt: fetching jwks | [info] request allowed for user-1 | [warn] jwks cache is stale',
      'expect.logs[2]: no log line contains "nope"; lines: [debug] jwt: fetching jwks | [info] request allowed for user-1 | [warn] jwks cache is stale',
      "expect.logs[3]: no log line of level error; lines: [debug] jwt: fetching jwks | [info] request allowed for user-1 | [warn] jwks cache is stale",
    ]);
    expect(failures("logs: [{contains: x}]", observed({ logs: [] }))).toEqual(['expect.logs[0]: no log line contains "x"; lines: none']);
    expect(failures("noLogsAbove: info")).toEqual(["expect.noLogsAbove: 1 line above info: [warn] jwks cache is stale"]);
    expect(failures("noLogsAbove: warn")).toEqual([]);
  });

  it("metrics compare numbers", () => {
    expect(failures("metrics: {wasmesh_jwt_denied_total: 1, wasmesh_other: 0}")).toEqual([
      "expect.metrics.wasmesh_jwt_denied_total: expected 1, observed 0",
      "expect.metrics.wasmesh_other: expected 0, observed none (no such metric)",
    ]);
  });

  it("filterState: values, and null for absent or empty", () => {
    expect(failures('filterState: {wasmesh.jwt.principal: user-2, wasmesh.authz.decision: allow, wasmesh.jwt.claims: null}')).toEqual([
      'expect.filterState["wasmesh.jwt.principal"]: expected "user-2", observed "https://auth.example.com/user-1"',
      'expect.filterState["wasmesh.authz.decision"]: expected "allow", observed not set',
    ]);
    expect(failures("filterState: {wasmesh.jwt.principal: null}")).toEqual(['expect.filterState["wasmesh.jwt.principal"]: expected not set, observed "https://auth.example.com/user-1"']);
  });

  it("timeline compares the sequence exactly, with or without the proxy_ prefix", () => {
    expect(failures("timeline: [on_request_headers, on_log]")).toEqual([
      "expect.timeline: expected [on_request_headers, on_log], observed [on_context_create, on_request_headers, on_response_headers, on_log, on_done, on_delete] (first difference at [0])",
    ]);
    const obs = observed({ timeline: ["proxy_on_request_headers", "proxy_on_log"] });
    expect(failures("timeline: [on_request_headers, proxy_on_log]", obs)).toEqual([]);
    expect(failures("timeline: [on_request_headers]", obs)).toEqual(["expect.timeline: expected [on_request_headers], observed [on_request_headers, on_log] (first difference at [1])"]);
  });
});

describe("options", () => {
  it("advisory: another path prefix, and no implicit stuck report", () => {
    const stuck = observed({ stuck: true, response: null });
    expect(failures("metrics: {wasmesh_jwt_allowed_total: 2}", stuck, { path: "advisory", implicitStuck: false })).toEqual([
      "advisory.metrics.wasmesh_jwt_allowed_total: expected 2, observed 1",
    ]);
  });

  it("skip: sections a host cannot observe are not checked, and are listed as unchecked", () => {
    const x = expectations("response: {status: 401}\nlogs: [{contains: denied}]\ncallouts: []\ntimeline: [on_log]");
    const skip = REPLAY_UNCHECKED_SECTIONS;
    expect(checkExpectations(x, observed({ stuck: true }), { skip }).map(formatFailure)).toEqual(["expect.response.status: expected 401, observed 200"]);
    expect(uncheckedSections(x, skip)).toEqual(["callouts", "logs", "timeline"]);
    // Everything the format names is either checked by replay or listed as not checked.
    const all = ["upstream", "response", "localReply", "stuck", "callouts", "grpcCallouts", "logs", "noLogsAbove", "metrics", "filterState", "timeline"];
    expect(all.filter((k) => !skip.includes(k as never))).toEqual(["upstream", "response", "metrics"]);
  });
});

describe("checkConfigure and checkStartupLogs", () => {
  const logs: ObservedConfigure["logs"] = [
    { phase: "startup", level: "info", message: "vm started" },
    { phase: "configure", level: "error", message: "jwtRules[0].issuer: required" },
  ];

  it("compares the configure outcome; fail accepts rejected, trapped and load-error", () => {
    expect(checkConfigure("ok", { outcome: "ok", logs })).toEqual([]);
    expect(checkConfigure("fail", { outcome: "rejected", logs })).toEqual([]);
    expect(checkConfigure("fail", { outcome: "trapped", logs })).toEqual([]);
    expect(checkConfigure("fail", { outcome: "load-error", logs })).toEqual([]);
    expect(checkConfigure("ok", { outcome: "rejected", logs }).map(formatFailure)).toEqual([
      "expectConfigure: expected ok, observed rejected; logs: [configure error] jwtRules[0].issuer: required",
    ]);
    expect(checkConfigure("fail", { outcome: "ok", logs: [] }).map(formatFailure)).toEqual(["expectConfigure: expected fail (rejected, trapped or load-error), observed ok"]);
    expect(checkConfigure("trapped", { outcome: "rejected", logs: [] }).map(formatFailure)).toEqual(["expectConfigure: expected trapped, observed rejected"]);
  });

  it("matches start-up log expectations by phase, level and text", () => {
    expect(
      checkStartupLogs(
        [
          { phase: "configure", level: "error", contains: "issuer" },
          { phase: "any", contains: "vm started" },
        ],
        logs,
      ),
    ).toEqual([]);
    expect(checkStartupLogs([{ phase: "startup", contains: "issuer" }, { phase: "any", level: "warn" }], logs).map(formatFailure)).toEqual([
      'expectLogs[0]: no startup log line contains "issuer"; lines: [startup info] vm started | [configure error] jwtRules[0].issuer: required',
      "expectLogs[1]: no log line of level warn; lines: [startup info] vm started | [configure error] jwtRules[0].issuer: required",
    ]);
  });
});

describe("matchers for scripted answers", () => {
  it("calloutMatches checks method, path, authority, headers and body", () => {
    const call = { cluster: "authz-provider", method: "POST", path: "/check", authority: "authz", headers: [["X-Ext-Authz", "allow"]] as Array<[string, string]>, body: enc('{"user":"u1"}'), refused: false };
    expect(calloutMatches({ headers: { equals: { "x-ext-authz": "allow" } } }, call)).toBe(true);
    expect(calloutMatches({ method: "POST", path: "/check", bodyContains: enc("u1") }, call)).toBe(true);
    expect(calloutMatches({ headers: { equals: { "x-ext-authz": "deny" } } }, call)).toBe(false);
    expect(calloutMatches({ authority: "other" }, call)).toBe(false);
    expect(calloutMatches({}, call)).toBe(true);
  });

  it("grpcCalloutMatches checks service and method", () => {
    expect(grpcCalloutMatches({ service: "pkg.Svc" }, { service: "pkg.Svc", method: "Check" })).toBe(true);
    expect(grpcCalloutMatches({ service: "pkg.Svc", method: "Report" }, { service: "pkg.Svc", method: "Check" })).toBe(false);
  });

  it("showBytes quotes printable text and falls back to base64", () => {
    expect(showBytes(enc("a\nb"))).toBe('"a\\nb"');
    expect(showBytes(new Uint8Array([0, 255]))).toBe("base64:AP8=");
    expect(showBytes(enc("x".repeat(300)))).toBe(`"${"x".repeat(200)}"… (300 bytes)`);
  });
});

import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDuration, parseInstantMillis, parseInstantNanos } from "../../host-shim/scenario/duration.ts";
import {
  DEFAULT_CLOCK_MS,
  ScenarioLoadError,
  decodeBase64,
  globToRegExp,
  loadScenarioFile,
  loadScenarios,
  parseScenarios,
  type ScenarioError,
} from "../../host-shim/scenario/load.ts";
import type { Scenario } from "../../host-shim/scenario/types.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** The full example of spec/scenario-format.md, verbatim. */
const FULL_EXAMPLE = `name: expired token is rejected with 401     # required
tags: [jwt, time]                             # optional, for filtering
host:                                         # optional
  clock: 1893456000            # start of the virtual clock: unix seconds (number) or RFC 3339 string
  workers: 1                   # simulated worker VMs per plugin
  allowOnHeadersStopIteration: false
  logLevel: info               # default info: the level proxy_get_log_level reports; lines below it are not captured
  maxWait: 60s                 # virtual time a stream may stay paused before it is reported stuck
  clusters:                    # scripted answers to callouts, by cluster name, used in order, the last repeats
    jwks:
      - status: 200
        headers: {content-type: application/json}
        body: '{"keys":[]}'
        delay: 20ms            # virtual time before the answer arrives
      - reset: true            # or: timeout: true   (Envoy's 504 after the call's own timeout)
    authz-provider:            # an answer may depend on the call: the first whose \`when\` matches is used
      - when: {headers: {equals: {x-ext-authz: allow}}}
        status: 200
      - status: 403
        body: denied by policy
  grpcClusters:                # scripted answers to gRPC callouts, same rules; message bytes as {base64: …}
    ratelimit:
      - status: 0              # grpc-status
        message: {base64: CAE=}
  properties:                  # extra properties for every stream (Envoy names, dotted)
    node.metadata.NAMESPACE: production
plugins:                       # the chain, in order; required, at least one
  - name: jwt                  # plugin_name
    wasm: build/jwt-authn.wasm # path from the project root
    rootId: ""                 # plugin_root_id, default ""
    vmId: ""                   # plugins with the same vmId and wasm share a VM (shared data, queues)
    vmConfig: ""               # string
    config: {jwtRules: []}     # object or list: serialized as JSON; a string: passed verbatim; {base64: …} raw bytes
    failStrategy: FAIL_CLOSE   # FAIL_CLOSE (default) | FAIL_OPEN | FAIL_RELOAD
expectConfigure: ok            # ok (default) | rejected (on_configure returned false) | trapped | load-error | fail (any of the three)
expectLogs:                    # log lines outside any request: start-up, configure, ticks, shutdown
  - {phase: configure, level: info, contains: "loaded 2 rules"}   # phase: startup | configure | tick | shutdown | any
requests:                      # sent in order; each after the previous finished unless \`concurrent\`
  - name: expired              # required
    advance: 0s                # virtual time to pass before this request (ticks and timers run)
    repeat: 1                  # send N identical copies
    concurrent: false          # true: the copies (and following requests marked concurrent) are in flight together
    connection:
      source: 10.0.0.1:5555            # source.address (ip:port)
      destination: 10.0.0.2:8080       # destination.address
      mtls: false                      # connection.mtls
      peerPrincipal: spiffe://cluster.local/ns/production/sa/frontend   # URI SAN of the peer certificate; implies mtls
      sni: api.example.com             # connection.requested_server_name
    request:
      method: GET              # default GET
      path: /api/v1/users      # default /
      authority: api.example.com   # default example.com
      scheme: https            # default http
      headers:                 # a map, or a list of [name, value] pairs when order or repeats matter
        authorization: Bearer eyJ...
      body: ["chunk one", "chunk two"]   # string or list of chunks; absent = no body (end_of_stream on headers)
      trailers: {}
    properties: {}             # per-request extra properties; a value may be typed: {int: 5} {uint: 5} {bool: true} {double: 1.5} {bytes: {base64: …}} {timestamp: 1893456000}; null = NotFound
    filterState: {}            # as if set with proxy_set_property by an earlier filter on this stream (name → string)
    upstream:                  # how the upstream answers if the request reaches it
      status: 200              # default 200; or timeout: true (the router's 504 local reply) or reset: true
      headers: {content-type: text/plain}
      body: ok                 # string or list of chunks
      trailers: {}
    expect:
      upstream:
        called: false          # default: not checked
        path: /users           # :path as received upstream
        headers:
          equals: {x-foo: bar} # exact value (first value for repeated headers)
          has: [x-jwt-payload] # present, any value
          lacks: [authorization]
          values: {x-forwarded-for: ["10.0.0.1"]}   # all values, in order
        body: "..."
        trailers: {has: [], lacks: [], equals: {}}
      response:                # what the client received
        status: 401
        headers: {equals: {}, has: [www-authenticate], lacks: []}
        body: Jwt is expired   # exact; or bodyContains: "expired"
        grpcStatus: 16         # for gRPC requests (trailers-only replies)
        trailers: {has: [], lacks: [], equals: {}}
        reset: false           # true: the stream was reset instead of answered
      localReply: {details: jwt_authn_access_denied}   # a local reply was sent ({} = any); details where the host exposes them
      stuck: false             # true: the stream must still be paused after maxWait
      callouts:                # every callout made during this request, in order; omit to not check
        - {cluster: jwks, method: GET, path: /.well-known/jwks.json, authority: auth.example.com,
           headers: {has: [], equals: {}}, body: ""}
        - {cluster: nowhere, refused: true}   # a call the host refused (BadArgument) is listed with refused: true
      grpcCallouts: [{cluster: ratelimit, service: pkg.Svc, method: Check}, {cluster: nowhere, refused: true}]
      logs:                    # each must match at least one log line of this request
        - {level: info, contains: "denied"}
      noLogsAbove: warn        # no log line more severe than this level
      metrics: {wasmesh_jwt_denied_total: 1}   # values after this request (counters cumulative over the scenario)
      filterState: {wasmesh.jwt.principal: "https://auth.example.com/user-1"}   # values set with proxy_set_property; null = not set or empty
      timeline: [on_request_headers, on_log]   # optional, host-specific: callbacks seen, in order (names without the proxy_ prefix are fine)
    advisory:                  # same shape as expect: reported when it does not hold, never fails the case
      response: {body: "RBAC: access denied"}
`;

function load(text: string, file = "t.yaml"): Scenario[] {
  const r = parseScenarios(text, file);
  if (r.errors.length > 0) throw new ScenarioLoadError(r.errors);
  return r.scenarios;
}

function errorsOf(text: string, file = "t.yaml"): string[] {
  const r = parseScenarios(text, file);
  return r.errors.map((e: ScenarioError) => `${e.file}:${e.line}:${e.column}: ${e.path}: ${e.message}`);
}

const MINIMAL = `name: minimal
plugins:
  - wasm: build/headers.wasm
`;

describe("the full example of scenario-format.md", () => {
  const [s] = load(FULL_EXAMPLE, "example.yaml");

  it("loads one scenario with its name, tags and position", () => {
    expect(s!.name).toBe("expired token is rejected with 401");
    expect(s!.tags).toEqual(["jwt", "time"]);
    expect(s!.source).toEqual({ file: "example.yaml", line: 1, column: 1 });
  });

  it("reads the host: clock in ms, durations in ms, clusters with their scripts", () => {
    const h = s!.host;
    expect(h.clock).toBe(1893456000_000);
    expect(h.workers).toBe(1);
    expect(h.allowOnHeadersStopIteration).toBe(false);
    expect(h.logLevel).toBe("info");
    expect(h.maxWait).toBe(60_000);
    expect(h.clusters.jwks!.mode).toBe("sequence");
    expect(h.clusters.jwks!.answers.map((a) => [a.when, a.delay, a.outcome])).toEqual([
      [null, 20, { kind: "response", status: 200, headers: [["content-type", "application/json"]], body: enc('{"keys":[]}'), trailers: [] }],
      [null, 0, { kind: "reset" }],
    ]);
    expect(h.clusters.jwks!.answers[1]!.source).toEqual({ file: "example.yaml", line: 15, column: 9 });
    const authz = h.clusters["authz-provider"]!;
    expect(authz.mode).toBe("rules");
    expect(authz.answers[0]!.when).toEqual({ headers: { equals: { "x-ext-authz": "allow" } } });
    expect(authz.answers[1]!.when).toBeNull();
    expect(authz.answers[1]!.outcome).toEqual({ kind: "response", status: 403, headers: [], body: enc("denied by policy"), trailers: [] });
    expect(h.grpcClusters.ratelimit).toEqual({
      mode: "sequence",
      answers: [{ when: null, delay: 0, outcome: { kind: "response", status: 0, message: new Uint8Array([8, 1]) }, source: { file: "example.yaml", line: 23, column: 9 } }],
    });
    expect(h.properties).toEqual({ "node.metadata.NAMESPACE": { type: "string", value: "production" } });
  });

  it("reads the plugin with its configuration as JSON bytes", () => {
    expect(s!.plugins).toEqual([
      {
        name: "jwt",
        wasm: "build/jwt-authn.wasm",
        rootId: "",
        vmId: "",
        vmConfig: new Uint8Array(0),
        config: enc('{"jwtRules":[]}'),
        failStrategy: "FAIL_CLOSE",
        source: { file: "example.yaml", line: 28, column: 5 },
      },
    ]);
    expect(s!.expectConfigure).toBe("ok");
    expect(s!.expectLogs).toEqual([{ phase: "configure", level: "info", contains: "loaded 2 rules" }]);
  });

  it("reads the request entry", () => {
    expect(s!.requests).toHaveLength(1);
    const r = s!.requests[0]!;
    expect(r.name).toBe("expired");
    expect(r.source).toEqual({ file: "example.yaml", line: 39, column: 5 });
    expect([r.advance, r.repeat, r.concurrent]).toEqual([0, 1, false]);
    expect(r.connection).toEqual({
      source: "10.0.0.1:5555",
      destination: "10.0.0.2:8080",
      mtls: true, // peerPrincipal implies mtls
      peerPrincipal: "spiffe://cluster.local/ns/production/sa/frontend",
      sni: "api.example.com",
    });
    expect(r.request).toEqual({
      method: "GET",
      path: "/api/v1/users",
      authority: "api.example.com",
      scheme: "https",
      headers: [["authorization", "Bearer eyJ..."]],
      body: [enc("chunk one"), enc("chunk two")],
      trailers: [],
    });
    expect(r.properties).toEqual({});
    expect(r.filterState).toEqual({});
    expect(r.upstream).toEqual({ kind: "response", status: 200, headers: [["content-type", "text/plain"]], body: [enc("ok")], trailers: [] });
  });

  it("reads every expectation", () => {
    const x = s!.requests[0]!.expect;
    expect(x.upstream).toEqual({
      called: false,
      path: "/users",
      headers: { equals: { "x-foo": "bar" }, has: ["x-jwt-payload"], lacks: ["authorization"], values: { "x-forwarded-for": ["10.0.0.1"] } },
      body: enc("..."),
      trailers: { has: [], lacks: [], equals: {} },
    });
    expect(x.response).toEqual({
      status: 401,
      headers: { equals: {}, has: ["www-authenticate"], lacks: [] },
      body: enc("Jwt is expired"),
      grpcStatus: 16,
      trailers: { has: [], lacks: [], equals: {} },
      reset: false,
    });
    expect(x.localReply).toEqual({ details: "jwt_authn_access_denied" });
    expect(x.stuck).toBe(false);
    expect(x.callouts).toEqual([
      { cluster: "jwks", method: "GET", path: "/.well-known/jwks.json", authority: "auth.example.com", headers: { has: [], equals: {} }, body: new Uint8Array(0), refused: false },
      { cluster: "nowhere", refused: true },
    ]);
    expect(x.grpcCallouts).toEqual([
      { cluster: "ratelimit", service: "pkg.Svc", method: "Check", refused: false },
      { cluster: "nowhere", refused: true },
    ]);
    expect(x.logs).toEqual([{ phase: "any", level: "info", contains: "denied" }]);
    expect(x.noLogsAbove).toBe("warn");
    expect(x.metrics).toEqual({ wasmesh_jwt_denied_total: 1 });
    expect(x.filterState).toEqual({ "wasmesh.jwt.principal": enc("https://auth.example.com/user-1") });
    expect(x.timeline).toEqual(["on_request_headers", "on_log"]);
    expect(s!.requests[0]!.advisory).toEqual({ response: { body: enc("RBAC: access denied") } });
  });

  it("warns (without failing) about the contradictions the example carries", () => {
    expect(s!.warnings).toEqual([
      "example.yaml:46:13: requests[0].connection.mtls: ignored: peerPrincipal implies mtls: true",
      'example.yaml:68:9: requests[0].expect.upstream.path: not checked: called: false expects the upstream to receive nothing',
      'example.yaml:69:9: requests[0].expect.upstream.headers: not checked: called: false expects the upstream to receive nothing',
      'example.yaml:74:9: requests[0].expect.upstream.body: not checked: called: false expects the upstream to receive nothing',
      'example.yaml:75:9: requests[0].expect.upstream.trailers: not checked: called: false expects the upstream to receive nothing',
    ]);
  });
});

describe("defaults", () => {
  it("fills every default of the format", () => {
    const [s] = load(`${MINIMAL}requests:\n  - name: plain\n`);
    expect(s).toEqual({
      name: "minimal",
      tags: [],
      source: { file: "t.yaml", line: 1, column: 1 },
      host: {
        clock: DEFAULT_CLOCK_MS,
        workers: 1,
        allowOnHeadersStopIteration: false,
        logLevel: "info",
        maxWait: 60_000,
        clusters: {},
        grpcClusters: {},
        properties: {},
      },
      plugins: [
        { name: "headers", wasm: "build/headers.wasm", rootId: "", vmId: "", vmConfig: new Uint8Array(0), config: new Uint8Array(0), failStrategy: "FAIL_CLOSE", source: { file: "t.yaml", line: 3, column: 5 } },
      ],
      expectConfigure: "ok",
      expectLogs: [],
      requests: [
        {
          name: "plain",
          source: { file: "t.yaml", line: 5, column: 5 },
          advance: 0,
          repeat: 1,
          concurrent: false,
          request: { method: "GET", path: "/", authority: "example.com", scheme: "http", headers: [], body: null, trailers: [] },
          connection: { source: "10.0.0.1:5555", destination: "10.0.0.2:8080", mtls: false },
          properties: {},
          filterState: {},
          upstream: { kind: "response", status: 200, headers: [], body: null, trailers: [] },
          expect: {},
          advisory: null,
        },
      ],
      warnings: [],
    });
    expect(DEFAULT_CLOCK_MS).toBe(1893456000_000);
  });

  it("reads a time step: advance with no request", () => {
    const [s] = load(`${MINIMAL}requests:\n  - name: wait\n    advance: 2m\n    expect: {metrics: {ticks: 2}, logs: [{contains: tick}]}\n`);
    const step = s!.requests[0]!;
    expect(step.request).toBeNull();
    expect(step.advance).toBe(120_000);
    expect(step.expect).toEqual({ metrics: { ticks: 2 }, logs: [{ phase: "any", contains: "tick" }] });
  });
});

describe("values", () => {
  it("accepts the clock as RFC 3339", () => {
    const [s] = load(`${MINIMAL}host: {clock: "2030-01-01T00:00:01.5Z"}\n`);
    expect(s!.host.clock).toBe(1893456001_500);
  });

  it("serialises configurations: object/list as JSON, string verbatim, base64 as bytes", () => {
    const [s] = load(`name: c
plugins:
  - {wasm: a.wasm, config: {rules: [{a: 1, b: "x"}], on: true}}
  - {wasm: b.wasm, config: [1, 2]}
  - {wasm: c.wasm, config: "not: json"}
  - {wasm: d.wasm, config: {base64: AAEC/w==}, vmConfig: {cache: 5}}
`);
    expect(s!.plugins.map((p) => new TextDecoder().decode(p.config))).toEqual(['{"rules":[{"a":1,"b":"x"}],"on":true}', "[1,2]", "not: json", "\u0000\u0001\u0002\ufffd"]);
    expect(s!.plugins[3]!.config).toEqual(new Uint8Array([0, 1, 2, 255]));
    expect(s!.plugins[3]!.vmConfig).toEqual(enc('{"cache":5}'));
    expect(s!.plugins.map((p) => p.name)).toEqual(["a", "b", "c", "d"]);
  });

  it("normalises headers from a map or a list of pairs, lower-case, in order, values as written", () => {
    const [s] = load(`${MINIMAL}requests:
  - name: map
    request: {headers: {X-Foo: bar, Content-Length: 5, x-ratio: 1.50}}
  - name: pairs
    request:
      headers: [[Set-Cookie, a=1], [set-cookie, b=2], [x-n, 7]]
      body: {base64: aGk=}
      trailers: {grpc-status: 0}
`);
    expect(s!.requests[0]!.request!.headers).toEqual([["x-foo", "bar"], ["content-length", "5"], ["x-ratio", "1.50"]]);
    expect(s!.requests[1]!.request!.headers).toEqual([["set-cookie", "a=1"], ["set-cookie", "b=2"], ["x-n", "7"]]);
    expect(s!.requests[1]!.request!.body).toEqual([enc("hi")]);
    expect(s!.requests[1]!.request!.trailers).toEqual([["grpc-status", "0"]]);
  });

  it("types property values", () => {
    const [s] = load(`${MINIMAL}requests:
  - name: props
    properties:
      a: plain
      b: {int: -5}
      c: {uint: "18446744073709551615"}
      d: {bool: true}
      e: {double: 1.5}
      f: {bytes: {base64: AP8=}}
      g: {timestamp: 1893456000}
      h: {timestamp: "2030-01-01T00:00:00.000000001Z"}
      i: null
      j: {bytes: text}
      k: {base64: AP8=}
      l: {string: 1.10}
    filterState: {wasmesh.jwt.principal: user-1}
`);
    const r = s!.requests[0]!;
    expect(r.properties).toEqual({
      a: { type: "string", value: "plain" },
      b: { type: "int", value: -5n },
      c: { type: "uint", value: 18446744073709551615n },
      d: { type: "bool", value: true },
      e: { type: "double", value: 1.5 },
      f: { type: "bytes", value: new Uint8Array([0, 255]) },
      g: { type: "timestamp", value: 1893456000_000_000_000n },
      h: { type: "timestamp", value: 1893456000_000_000_001n },
      i: { type: "notFound" },
      j: { type: "bytes", value: enc("text") },
      k: { type: "bytes", value: new Uint8Array([0, 255]) },
      l: { type: "string", value: "1.10" },
    });
    expect(r.filterState).toEqual({ "wasmesh.jwt.principal": enc("user-1") });
  });

  it("reads upstream timeout and reset, localReply true/false, filterState null, timeline with proxy_ prefix", () => {
    const [s] = load(`${MINIMAL}host:
  clusters: {auth: {status: 204}}
requests:
  - name: a
    upstream: {timeout: true}
    expect: {localReply: false, filterState: {wasmesh.fault: null}, timeline: [proxy_on_request_headers, on_log]}
  - name: b
    upstream: {reset: true}
    expect: {localReply: true, callouts: [{cluster: auth, body: [a, b]}]}
`);
    expect(s!.host.clusters.auth!.answers[0]!.outcome).toEqual({ kind: "response", status: 204, headers: [], body: new Uint8Array(0), trailers: [] });
    expect(s!.requests[0]!.upstream).toEqual({ kind: "timeout" });
    expect(s!.requests[0]!.expect).toEqual({ localReply: false, filterState: { "wasmesh.fault": null }, timeline: ["on_request_headers", "on_log"] });
    expect(s!.requests[1]!.upstream).toEqual({ kind: "reset" });
    expect(s!.requests[1]!.expect).toEqual({ localReply: {}, callouts: [{ cluster: "auth", body: enc("ab"), refused: false }] });
  });

  it("holds a list of scenarios, several documents, anchors and merge keys", () => {
    const list = load(`- &base
  name: one
  plugins: [{wasm: build/fault.wasm, config: {abort: {httpStatus: 503}}}]
- <<: *base
  name: two
---
name: three
plugins: [{wasm: build/authz.wasm}]
`);
    expect(list.map((s) => s.name)).toEqual(["one", "two", "three"]);
    expect(list[1]!.plugins[0]!.config).toEqual(enc('{"abort":{"httpStatus":503}}'));
  });
});

describe("errors: file:line:col: path: message", () => {
  it("an unknown key, with a did-you-mean", () => {
    const text = `${MINIMAL}requests:
  - name: jwt
    expect:
      respnse: {status: 401}
      metricz: {}
      zzz: 1
`;
    expect(errorsOf(text, "test/scenarios/jwt.yaml")).toEqual([
      'test/scenarios/jwt.yaml:7:7: requests[0].expect.respnse: unknown key (did you mean "response"?)',
      'test/scenarios/jwt.yaml:8:7: requests[0].expect.metricz: unknown key (did you mean "metrics"?)',
      "test/scenarios/jwt.yaml:9:7: requests[0].expect.zzz: unknown key (expected one of: upstream, response, localReply, stuck, callouts, grpcCallouts, logs, noLogsAbove, metrics, filterState, timeline)",
    ]);
  });

  it("a wrong type", () => {
    expect(errorsOf(`${MINIMAL}host:\n  workers: two\n  allowOnHeadersStopIteration: yes\nrequests:\n  - name: x\n    repeat: 0\n    request: {headers: [a, b]}\n`)).toEqual([
      't.yaml:5:12: host.workers: expected an integer, found a string ("two")',
      't.yaml:6:32: host.allowOnHeadersStopIteration: expected true or false, found a string ("yes")',
      "t.yaml:9:13: requests[0].repeat: expected an integer from 1 to 1000000, found 0",
      't.yaml:10:25: requests[0].request.headers[0]: expected a [name, value] pair, found a string ("a")',
      't.yaml:10:28: requests[0].request.headers[1]: expected a [name, value] pair, found a string ("b")',
    ]);
    expect(errorsOf(`name: x\nplugins: {wasm: a.wasm}\n`)).toEqual(["t.yaml:2:10: plugins: expected a list of plugins, found a map"]);
  });

  it("a missing required field", () => {
    expect(errorsOf(`tags: [a]\n`)).toEqual(["t.yaml:1:1: name: required", "t.yaml:1:1: plugins: required"]);
    expect(errorsOf(`name: x\nplugins: []\n`)).toEqual(["t.yaml:2:10: plugins: at least one plugin is required"]);
    expect(errorsOf(`name: x\nplugins:\n  - name: jwt\nrequests:\n  - request: {path: /}\n`)).toEqual([
      "t.yaml:3:5: plugins[0].wasm: required",
      "t.yaml:5:5: requests[0].name: required",
    ]);
  });

  it("a bad duration", () => {
    expect(errorsOf(`${MINIMAL}host: {maxWait: 20 mins}\nrequests:\n  - {name: x, advance: -5}\n`)).toEqual([
      't.yaml:4:17: host.maxWait: bad duration "20 mins": expected a number of milliseconds or a string like "20ms", "1.5s", "2m", "1h", "1m30s"',
      "t.yaml:6:24: requests[0].advance: bad duration -5: must be a non-negative number of milliseconds",
    ]);
  });

  it("bad base64", () => {
    expect(errorsOf(`${MINIMAL}requests:\n  - name: x\n    request:\n      body: {base64: "ab!d"}\n`)).toEqual([
      't.yaml:7:22: requests[0].request.body.base64: bad base64: unexpected character "!" at offset 2',
    ]);
    expect(errorsOf(`name: x\nplugins:\n  - {wasm: a.wasm, config: {base64: abcde}}\n`)).toEqual([
      "t.yaml:3:37: plugins[0].config.base64: bad base64: wrong length (5 characters)",
    ]);
  });

  it("a time step with a forbidden expectation or request-only field", () => {
    expect(
      errorsOf(`${MINIMAL}requests:
  - name: wait
    advance: 10s
    upstream: {status: 500}
    expect:
      metrics: {a: 1}
      response: {status: 200}
      localReply: {}
`),
    ).toEqual([
      "t.yaml:7:5: requests[0].upstream: a time step (advance with no request) sends nothing, so it cannot have upstream",
      "t.yaml:10:7: requests[0].expect.response: a time step (advance with no request) may expect only logs, metrics, callouts, grpcCallouts",
      "t.yaml:11:7: requests[0].expect.localReply: a time step (advance with no request) may expect only logs, metrics, callouts, grpcCallouts",
    ]);
  });

  it("other static rules: unknown clusters, stuck with a response, enum typos, pseudo-headers, reset with a status", () => {
    expect(
      errorsOf(`name: x
plugins: [{wasm: a.wasm, failStrategy: FAIL_CLOSED}]
host:
  clusters:
    auth: [{reset: true, status: 200}]
requests:
  - name: r
    request: {headers: {":path": /x}}
    expect:
      stuck: true
      response: {status: 200}
      callouts: [{cluster: jwks}]
      grpcCallouts: [{cluster: rl}]
      filterState: {request: x}
`),
    ).toEqual([
      't.yaml:2:40: plugins[0].failStrategy: expected one of FAIL_CLOSE, FAIL_OPEN, FAIL_RELOAD, found "FAIL_CLOSED" (did you mean "FAIL_CLOSE"?)',
      "t.yaml:5:26: host.clusters.auth[0].status: reset: true excludes status (no answer arrives)",
      't.yaml:8:25: requests[0].request.headers[":path"]: pseudo-header :path: set it with request.path',
      "t.yaml:11:7: requests[0].expect.response: a stream expected stuck has no response to check (stuck: true)",
      't.yaml:12:28: requests[0].expect.callouts[0].cluster: "jwks" is not in host.clusters, so the host refuses the call (BadArgument): add the cluster or write refused: true',
      't.yaml:13:32: requests[0].expect.grpcCallouts[0].cluster: "rl" is not in host.grpcClusters, so the host refuses the call (ParseFailure): add the cluster or write refused: true',
      't.yaml:14:21: requests[0].expect.filterState.request: "request" is a built-in attribute name: filter state under it cannot be read back (ABI spec §3.7)',
    ]);
  });

  it("an ambiguous property value and a YAML syntax error", () => {
    expect(errorsOf(`${MINIMAL}host: {properties: {node.metadata.VERSION: 1.10}}\n`)).toEqual([
      "t.yaml:4:44: host.properties[\"node.metadata.VERSION\"]: ambiguous a number (1.1): write \"1.10\" for a string or a typed value such as {int: 1.10}, {double: …}, {bool: …}",
    ]);
    expect(errorsOf(`${MINIMAL}host: {properties: {a: {int: 1.5}, b: {int: 1, bool: true}, c: {strng: x}}}\n`)).toEqual([
      "t.yaml:4:30: host.properties.a.int: expected an integer, found a number (1.5)",
      "t.yaml:4:39: host.properties.b: a typed value has exactly one of the keys string, int, uint, bool, double, bytes, timestamp, base64",
      't.yaml:4:65: host.properties.c.strng: unknown type (did you mean "string"?)',
    ]);
    expect(errorsOf(`${MINIMAL}host: {properties: {node.metadata: {NAMESPACE: prod}}}\n`)).toEqual([
      't.yaml:4:36: host.properties["node.metadata"]: a property value is a string, null or one typed value ({string: …}, {int: …}, {uint: …}, {bool: …}, {double: …}, {bytes: …}, {timestamp: …}, {base64: …}); give the entries of a map one by one with dotted names (node.metadata.NAMESPACE: …)',
    ]);
    const syntax = errorsOf(`name: x\nplugins: [\n`);
    expect(syntax).toHaveLength(1);
    expect(syntax[0]).toMatch(/^t\.yaml:\d+:\d+: : YAML [A-Z_]+: /);
  });

  it("reports every error of a file together", () => {
    const r = parseScenarios(`name: x\nplugins: [{wasm: 5}]\nexpectConfigure: maybe\nrequests: [{name: a, advance: soon}]\n`, "t.yaml");
    expect(r.scenarios).toEqual([]);
    expect(r.errors.map((e) => `${e.line}:${e.column} ${e.path}`)).toEqual(["2:18 plugins[0].wasm", "3:18 expectConfigure", "4:31 requests[0].advance"]);
  });

  it("duplicate scenario and request names", () => {
    expect(errorsOf(`- {name: a, plugins: [{wasm: a.wasm}], requests: [{name: r}, {name: r}]}\n- {name: a, plugins: [{wasm: a.wasm}]}\n`)).toEqual([
      't.yaml:1:69: [0].requests[1].name: duplicate request name "r" (also at line 1)',
      't.yaml:2:10: [1].name: duplicate scenario name "a" (also at line 1)',
    ]);
  });

  it("prefixes paths with the index in a list of scenarios", () => {
    expect(errorsOf(`- ${MINIMAL.replace(/\n(?=.)/g, "\n  ")}- name: two\n  plugins: [{wasm: a.wasm, root: x}]\n`)).toEqual([
      't.yaml:5:28: [1].plugins[0].root: unknown key (did you mean "rootId"?)',
    ]);
  });
});

describe("docs/scenarios.md", () => {
  it("its example loads", () => {
    const md = readFileSync(new URL("../../docs/scenarios.md", import.meta.url), "utf8");
    const example = /```yaml\n([\s\S]*?)```/.exec(md)![1]!;
    const [s] = load(example, "docs/scenarios.md");
    expect(s!.host.clock).toBe(DEFAULT_CLOCK_MS);
    expect(s!.requests.map((r) => [r.name, r.request === null, r.advance])).toEqual([
      ["expired token", false, 0],
      ["an hour later the cache refreshes", true, 3_600_000],
    ]);
    expect(s!.warnings).toEqual([]);
  });
});

describe("files", () => {
  const dir = mkdtempSync(join(tmpdir(), "wasmesh-scenarios-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("loads a file and a directory tree in name order, and throws every error of every file together", () => {
    mkdirSync(join(dir, "good", "sub"), { recursive: true });
    writeFileSync(join(dir, "good", "b.yaml"), MINIMAL.replace("minimal", "b"));
    writeFileSync(join(dir, "good", "a.yml"), `- ${MINIMAL.replace("minimal", "a1").replace(/\n(?=.)/g, "\n  ")}- ${MINIMAL.replace("minimal", "a2").replace(/\n(?=.)/g, "\n  ")}`);
    writeFileSync(join(dir, "good", "sub", "c.yaml"), MINIMAL.replace("minimal", "c"));
    writeFileSync(join(dir, "good", "notes.txt"), "not a scenario");
    expect(loadScenarioFile(join(dir, "good", "b.yaml")).map((s) => s.name)).toEqual(["b"]);
    expect(loadScenarios(join(dir, "good")).map((s) => [s.name, s.source.file])).toEqual([
      ["a1", join(dir, "good", "a.yml")],
      ["a2", join(dir, "good", "a.yml")],
      ["b", join(dir, "good", "b.yaml")],
      ["c", join(dir, "good", "sub", "c.yaml")],
    ]);

    expect(loadScenarios(`${dir}/good/**/*.{yaml,yml}`).map((s) => s.name)).toEqual(["a1", "a2", "b", "c"]);
    expect(loadScenarios(`${dir}/good/*.yaml`).map((s) => s.name)).toEqual(["b"]);
    expect(loadScenarios(`${dir}/good/**/c.yaml`).map((s) => s.source.file)).toEqual([`${dir}/good/sub/c.yaml`]);
    expect(() => loadScenarios(`${dir}/nowhere/*.yaml`)).toThrow(/no scenario file matches/);

    mkdirSync(join(dir, "bad"));
    writeFileSync(join(dir, "bad", "one.yaml"), "name: one\n");
    writeFileSync(join(dir, "bad", "two.yaml"), "plugins: [{wasm: a.wasm}]\n");
    let thrown: unknown;
    try {
      loadScenarios(join(dir, "bad"));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ScenarioLoadError);
    expect((thrown as Error).message).toBe(`${join(dir, "bad", "one.yaml")}:1:1: plugins: required\n${join(dir, "bad", "two.yaml")}:1:1: name: required`);
  });
});

describe("globToRegExp", () => {
  it("matches *, ?, ** and {a,b} over / separated paths", () => {
    const g = globToRegExp("test/scenarios/**/*.{yaml,yml}");
    expect(["test/scenarios/a.yaml", "test/scenarios/jwt/b.yml", "test/scenarios/x/y/c.yaml"].every((p) => g.test(p))).toBe(true);
    expect(["test/scenarios/a.json", "test/scenariosX/a.yaml", "test/other/a.yaml"].some((p) => g.test(p))).toBe(false);
    expect(globToRegExp("a/?.yaml").test("a/b.yaml")).toBe(true);
    expect(globToRegExp("a/*.yaml").test("a/b/c.yaml")).toBe(false);
    expect(globToRegExp("a+b/(x).yaml").test("a+b/(x).yaml")).toBe(true);
  });
});

describe("duration and time helpers", () => {
  it("parses durations to ms", () => {
    expect(["20ms", "1.5s", "2m", "60s", "1h", "1m30s", 250, "250", "0s"].map(parseDuration)).toEqual([20, 1500, 120_000, 60_000, 3_600_000, 90_000, 250, 250, 0]);
    for (const bad of ["", "5 s", "1d", "s", "-1s", "1.s"]) expect(() => parseDuration(bad), bad).toThrow(/bad duration/);
    expect(() => parseDuration(-1)).toThrow(/non-negative/);
  });

  it("parses instants", () => {
    expect(parseInstantMillis(1893456000)).toBe(1893456000_000);
    expect(parseInstantMillis("2030-01-01T01:00:00+01:00")).toBe(1893456000_000);
    expect(parseInstantNanos("2030-01-01T00:00:00.123456789Z")).toBe(1893456000_123_456_789n);
    for (const bad of ["2030-02-31T00:00:00Z", "2030-01-01", "2030-01-01T00:00:00", "yesterday"]) expect(() => parseInstantMillis(bad), bad).toThrow(/bad time/);
  });

  it("decodes base64 strictly", () => {
    expect(decodeBase64("aGk=")).toEqual(enc("hi"));
    expect(decodeBase64("aGk")).toEqual(enc("hi"));
    expect(decodeBase64("_-8=")).toEqual(new Uint8Array([255, 239]));
    expect(() => decodeBase64("a=b=")).toThrow(/inside/);
    expect(() => decodeBase64("aGk==")).toThrow(/wrong length/);
  });
});

// Compares what a host observed for one request (or the start-up of a
// chain) with a scenario's expectations (spec/scenario-format.md).
//
// Each Failure names the expectation that failed by its path in the
// scenario and says what was observed instead, e.g.
//   expect.response.status: expected 401, observed 200
// The checker is host-neutral: the shim's runner and `wasmesh replay` both
// use it; a host that cannot observe a section passes it in `skip`.

import { idx, sub } from "./path.ts";
import {
  LOG_LEVELS,
  type CalloutMatcher,
  type ConfigureExpectation,
  type ExpectationSection,
  type Expectations,
  type Failure,
  type GrpcCalloutMatcher,
  type HeaderExpectation,
  type LogExpectation,
  type LogLevel,
  type ObservedConfigure,
  type ObservedRequest,
  type Pairs,
} from "./types.ts";

export interface CheckOptions {
  /** Prefix of failure paths: "expect" (default), or "advisory" for advisory expectations. */
  path?: string;
  /** Sections this host cannot observe (replay against Envoy: callouts, logs, …): not checked. */
  skip?: readonly ExpectationSection[];
  /**
   * Report a stuck stream even when `stuck` is not expected (default true),
   * since a stream still paused after maxWait fails the case unless expected.
   * The runner passes false when checking advisory expectations, so the
   * same stuck stream is not reported twice.
   */
  implicitStuck?: boolean;
}

/**
 * What `wasmesh replay` cannot observe through Envoy (spec/scenario-format.md,
 * "Replay against Envoy"): it checks only upstream (via an echo upstream),
 * response and metrics (via admin stats). Pass as `skip` and report these
 * as not checked.
 */
export const REPLAY_UNCHECKED_SECTIONS: readonly ExpectationSection[] = ["localReply", "stuck", "callouts", "grpcCallouts", "logs", "noLogsAbove", "filterState", "timeline"];

export function formatFailure(f: Failure): string {
  return `${f.path}: ${f.message}`;
}

/** The sections `expect` holds that `skip` leaves unchecked (for "not checked" reports). */
export function uncheckedSections(expect: Expectations, skip: readonly ExpectationSection[]): ExpectationSection[] {
  return (Object.keys(expect) as ExpectationSection[]).filter((k) => expect[k] !== undefined && skip.includes(k));
}

/** Callback names compare without the `proxy_` prefix. */
export function stripProxyPrefix(name: string): string {
  return name.startsWith("proxy_") ? name.slice("proxy_".length) : name;
}

export function checkExpectations(expect: Expectations, observed: ObservedRequest, opts: CheckOptions = {}): Failure[] {
  const root = opts.path ?? "expect";
  const skip = new Set(opts.skip ?? []);
  const out: Failure[] = [];
  const fail = (path: string, message: string) => out.push({ path, message });
  const want = <K extends ExpectationSection>(k: K): Expectations[K] | undefined => (skip.has(k) ? undefined : expect[k]);

  // Stuck first: it explains every other failure of a stream that never finished.
  if (!skip.has("stuck")) {
    if (expect.stuck !== undefined && expect.stuck !== observed.stuck) {
      fail(sub(root, "stuck"), `expected ${expect.stuck}, observed ${observed.stuck}${observed.stuck ? " (the stream was still paused after maxWait)" : " (the stream finished)"}`);
    } else if (expect.stuck === undefined && observed.stuck && opts.implicitStuck !== false) {
      fail(sub(root, "stuck"), "the stream was still paused after maxWait (write stuck: true if that is expected)");
    }
  }

  const upstream = want("upstream");
  if (upstream !== undefined) {
    const p = sub(root, "upstream");
    const o = observed.upstream;
    if (upstream.called !== undefined && upstream.called !== o.called) {
      fail(sub(p, "called"), `expected ${upstream.called}, observed ${o.called}${o.called ? "" : describeEnding(observed)}`);
    }
    const { called: _called, ...rest } = upstream;
    const more = Object.values(rest).some((v) => v !== undefined);
    if (upstream.called !== false && more) {
      if (!o.called) {
        if (upstream.called === undefined) fail(p, `the upstream was not called${describeEnding(observed)}`);
      } else {
        compareText(fail, sub(p, "method"), upstream.method, o.method);
        compareText(fail, sub(p, "path"), upstream.path, o.path);
        compareText(fail, sub(p, "authority"), upstream.authority, o.authority);
        if (upstream.headers) checkHeaders(fail, sub(p, "headers"), upstream.headers, o.headers);
        compareBody(fail, p, upstream.body, upstream.bodyContains, o.body);
        if (upstream.trailers) checkHeaders(fail, sub(p, "trailers"), upstream.trailers, o.trailers);
      }
    }
  }

  const response = want("response");
  if (response !== undefined) {
    const p = sub(root, "response");
    const o = observed.response;
    if (o === null) {
      fail(p, observed.stuck ? "no response: the stream is stuck" : "no response was observed");
    } else {
      if (response.status !== undefined && response.status !== o.status) fail(sub(p, "status"), `expected ${response.status}, observed ${o.status}${o.reset ? " (the stream was reset)" : ""}`);
      if (response.headers) checkHeaders(fail, sub(p, "headers"), response.headers, o.headers);
      compareBody(fail, p, response.body, response.bodyContains, o.body);
      if (response.grpcStatus !== undefined) {
        const raw = firstValue(o.trailers, "grpc-status") ?? firstValue(o.headers, "grpc-status");
        if (raw === undefined) fail(sub(p, "grpcStatus"), `expected ${response.grpcStatus}, observed none (no grpc-status trailer or header)`);
        else if (raw.trim() !== String(response.grpcStatus)) fail(sub(p, "grpcStatus"), `expected ${response.grpcStatus}, observed ${JSON.stringify(raw)}`);
      }
      if (response.trailers) checkHeaders(fail, sub(p, "trailers"), response.trailers, o.trailers);
      if (response.reset !== undefined && response.reset !== o.reset) fail(sub(p, "reset"), `expected ${response.reset}, observed ${o.reset}`);
    }
  }

  const localReply = want("localReply");
  if (localReply !== undefined) {
    const p = sub(root, "localReply");
    const o = observed.localReply;
    if (localReply === false) {
      if (o !== null) fail(p, `expected no local reply, observed ${o.status} ${JSON.stringify(o.details)}`);
    } else if (o === null) {
      fail(p, "expected a local reply, none was sent");
    } else {
      if (localReply.status !== undefined && localReply.status !== o.status) fail(sub(p, "status"), `expected ${localReply.status}, observed ${o.status}`);
      compareText(fail, sub(p, "details"), localReply.details, o.details);
    }
  }

  const callouts = want("callouts");
  if (callouts !== undefined) {
    const p = sub(root, "callouts");
    const o = observed.callouts;
    if (callouts.length !== o.length) {
      fail(p, `expected ${count(callouts.length, "callout")}, observed ${o.length}: ${listOrNone(o.map(describeCallout))}`);
    } else {
      callouts.forEach((x, i) => {
        const q = idx(p, i);
        const c = o[i]!;
        compareText(fail, sub(q, "cluster"), x.cluster, c.cluster);
        if (x.refused !== c.refused) fail(sub(q, "refused"), `expected ${x.refused}, observed ${c.refused}`);
        compareText(fail, sub(q, "method"), x.method, c.method);
        compareText(fail, sub(q, "path"), x.path, c.path);
        compareText(fail, sub(q, "authority"), x.authority, c.authority);
        if (x.headers) checkHeaders(fail, sub(q, "headers"), x.headers, c.headers);
        compareBody(fail, q, x.body, x.bodyContains, c.body);
      });
    }
  }

  const grpcCallouts = want("grpcCallouts");
  if (grpcCallouts !== undefined) {
    const p = sub(root, "grpcCallouts");
    const o = observed.grpcCallouts;
    if (grpcCallouts.length !== o.length) {
      fail(p, `expected ${count(grpcCallouts.length, "gRPC callout")}, observed ${o.length}: ${listOrNone(o.map(describeGrpcCallout))}`);
    } else {
      grpcCallouts.forEach((x, i) => {
        const q = idx(p, i);
        const c = o[i]!;
        compareText(fail, sub(q, "cluster"), x.cluster, c.cluster);
        if (x.refused !== c.refused) fail(sub(q, "refused"), `expected ${x.refused}, observed ${c.refused}`);
        compareText(fail, sub(q, "service"), x.service, c.service);
        compareText(fail, sub(q, "method"), x.method, c.method);
      });
    }
  }

  const logs = want("logs");
  if (logs !== undefined) {
    logs.forEach((x, i) => {
      if (!observed.logs.some((l) => logMatches(x, l))) {
        fail(idx(sub(root, "logs"), i), `${describeMissingLog(x)}; lines: ${listOrNone(observed.logs.map(describeLog), " | ")}`);
      }
    });
  }

  const noLogsAbove = want("noLogsAbove");
  if (noLogsAbove !== undefined) {
    const above = observed.logs.filter((l) => severity(l.level) > severity(noLogsAbove));
    if (above.length > 0) fail(sub(root, "noLogsAbove"), `${count(above.length, "line")} above ${noLogsAbove}: ${listOrNone(above.map(describeLog), " | ")}`);
  }

  const metrics = want("metrics");
  if (metrics !== undefined) {
    for (const [name, value] of Object.entries(metrics)) {
      const o = observed.metrics[name];
      if (o === undefined) fail(sub(sub(root, "metrics"), name), `expected ${value}, observed none (no such metric)`);
      else if (o !== value) fail(sub(sub(root, "metrics"), name), `expected ${value}, observed ${o}`);
    }
  }

  const filterState = want("filterState");
  if (filterState !== undefined) {
    for (const [name, value] of Object.entries(filterState)) {
      const p = sub(sub(root, "filterState"), name);
      const o = Object.prototype.hasOwnProperty.call(observed.filterState, name) ? observed.filterState[name] : undefined;
      if (value === null) {
        if (o !== undefined && o.length > 0) fail(p, `expected not set, observed ${showBytes(o)}`);
      } else if (o === undefined) {
        fail(p, `expected ${showBytes(value)}, observed not set`);
      } else if (!bytesEqual(value, o)) {
        fail(p, `expected ${showBytes(value)}, observed ${showBytes(o)}`);
      }
    }
  }

  const timeline = want("timeline");
  if (timeline !== undefined) {
    const exp = timeline.map(stripProxyPrefix);
    const obs = observed.timeline.map(stripProxyPrefix);
    let at = 0;
    while (at < exp.length && at < obs.length && exp[at] === obs[at]) at++;
    if (at < exp.length || at < obs.length) {
      fail(sub(root, "timeline"), `expected [${exp.join(", ")}], observed [${obs.join(", ")}] (first difference at [${at}])`);
    }
  }
  return out;
}

/** Whether `expectConfigure` holds: "fail" accepts any outcome but "ok". */
export function checkConfigure(expected: ConfigureExpectation, observed: ObservedConfigure): Failure[] {
  const holds = expected === "fail" ? observed.outcome !== "ok" : expected === observed.outcome;
  if (holds) return [];
  const serious = observed.logs.filter((l) => severity(l.level) >= severity("warn"));
  const why = serious.length > 0 ? `; logs: ${serious.map((l) => `[${l.phase} ${l.level}] ${l.message}`).join(" | ")}` : "";
  return [{ path: "expectConfigure", message: `expected ${expected === "fail" ? "fail (rejected, trapped or load-error)" : expected}, observed ${observed.outcome}${why}` }];
}

/** Each of `expectLogs` must match at least one line logged outside requests. */
export function checkStartupLogs(expectLogs: LogExpectation[], logs: ObservedConfigure["logs"]): Failure[] {
  const out: Failure[] = [];
  expectLogs.forEach((x, i) => {
    const pool = x.phase === "any" ? logs : logs.filter((l) => l.phase === x.phase);
    if (!pool.some((l) => logMatches(x, l))) {
      const phase = x.phase === "any" ? "" : `${x.phase} `;
      out.push({
        path: idx("expectLogs", i),
        message: `${describeMissingLog(x).replace("no log line", `no ${phase}log line`)}; lines: ${listOrNone(logs.map((l) => `[${l.phase} ${l.level}] ${l.message}`), " | ")}`,
      });
    }
  });
  return out;
}

/** Whether a callout matches a scripted answer's `when` (for the runner's "rules" clusters). */
export function calloutMatches(when: CalloutMatcher, call: ObservedRequest["callouts"][number]): boolean {
  const failures: Failure[] = [];
  const fail = (path: string, message: string) => failures.push({ path, message });
  compareText(fail, "method", when.method, call.method);
  compareText(fail, "path", when.path, call.path);
  compareText(fail, "authority", when.authority, call.authority);
  if (when.headers) checkHeaders(fail, "headers", when.headers, call.headers);
  compareBody(fail, "", when.body, when.bodyContains, call.body);
  return failures.length === 0;
}

/** Whether a gRPC callout matches a scripted answer's `when`. */
export function grpcCalloutMatches(when: GrpcCalloutMatcher, call: { service?: string; method?: string }): boolean {
  return (when.service === undefined || when.service === call.service) && (when.method === undefined || when.method === call.method);
}

/** Header expectations against an ordered list of pairs; names compare lower-case. */
export function checkHeaders(fail: (path: string, message: string) => void, path: string, exp: HeaderExpectation, pairs: Pairs): void {
  const valuesOf = (name: string) => pairs.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
  for (const [name, value] of Object.entries(exp.equals ?? {})) {
    const vs = valuesOf(name);
    const p = sub(sub(path, "equals"), name);
    if (vs.length === 0) fail(p, `expected ${JSON.stringify(value)}, header is absent`);
    else if (vs[0] !== value) fail(p, `expected ${JSON.stringify(value)}, observed ${JSON.stringify(vs[0])}`);
  }
  for (const name of exp.has ?? []) {
    if (valuesOf(name).length === 0) fail(sub(path, "has"), `${JSON.stringify(name)} is absent; present: ${listOrNone(uniqueNames(pairs))}`);
  }
  for (const name of exp.lacks ?? []) {
    const vs = valuesOf(name);
    if (vs.length > 0) fail(sub(path, "lacks"), `${JSON.stringify(name)} is present (${vs.map((v) => JSON.stringify(v)).join(", ")})`);
  }
  for (const [name, values] of Object.entries(exp.values ?? {})) {
    const vs = valuesOf(name);
    if (vs.length !== values.length || vs.some((v, i) => v !== values[i])) {
      fail(sub(sub(path, "values"), name), `expected ${JSON.stringify(values)}, observed ${JSON.stringify(vs)}`);
    }
  }
}

// ---- helpers ---------------------------------------------------------------

type Fail = (path: string, message: string) => void;

function compareText(fail: Fail, path: string, expected: string | undefined, observed: string | undefined): void {
  if (expected === undefined || expected === observed) return;
  fail(path, `expected ${JSON.stringify(expected)}, observed ${observed === undefined ? "none" : JSON.stringify(observed)}`);
}

function compareBody(fail: Fail, parent: string, body: Uint8Array | undefined, contains: Uint8Array | undefined, observed: Uint8Array): void {
  if (body !== undefined && !bytesEqual(body, observed)) fail(sub(parent, "body"), `expected ${showBytes(body)}, observed ${showBytes(observed)}`);
  if (contains !== undefined && indexOfBytes(observed, contains) < 0) fail(sub(parent, "bodyContains"), `${showBytes(contains)} not found in body ${showBytes(observed)}`);
}

function firstValue(pairs: Pairs, name: string): string | undefined {
  return pairs.find(([n]) => n.toLowerCase() === name)?.[1];
}

function uniqueNames(pairs: Pairs): string[] {
  return [...new Set(pairs.map(([n]) => n.toLowerCase()))];
}

function severity(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}

function logMatches(x: LogExpectation, line: { level: LogLevel; message: string }): boolean {
  return (x.level === undefined || x.level === line.level) && (x.contains === undefined || line.message.includes(x.contains));
}

function describeMissingLog(x: LogExpectation): string {
  const level = x.level === undefined ? "" : ` of level ${x.level}`;
  const contains = x.contains === undefined ? "" : ` contains ${JSON.stringify(x.contains)}`;
  return `no log line${level}${contains}`;
}

function describeLog(l: { level: LogLevel; message: string }): string {
  return `[${l.level}] ${l.message}`;
}

function describeEnding(o: ObservedRequest): string {
  if (o.localReply !== null) return ` (local reply ${o.localReply.status} ${JSON.stringify(o.localReply.details)})`;
  if (o.stuck) return " (the stream is stuck)";
  if (o.response?.reset) return " (the stream was reset)";
  return "";
}

function describeCallout(c: ObservedRequest["callouts"][number]): string {
  if (c.refused) return `${c.cluster} (refused)`;
  return [c.cluster, c.method, `${c.authority ?? ""}${c.path ?? ""}`].filter((s) => s !== undefined && s !== "").join(" ");
}

function describeGrpcCallout(c: ObservedRequest["grpcCallouts"][number]): string {
  const call = c.service !== undefined || c.method !== undefined ? ` ${c.service ?? "?"}/${c.method ?? "?"}` : "";
  return `${c.cluster}${call}${c.refused ? " (refused)" : ""}`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

const MAX_LISTED = 20;

function listOrNone(items: string[], sep = ", "): string {
  if (items.length === 0) return "none";
  const shown = items.slice(0, MAX_LISTED).join(sep);
  return items.length > MAX_LISTED ? `${shown}${sep}… (${items.length - MAX_LISTED} more)` : shown;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function indexOfBytes(hay: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 0) return 0;
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const MAX_SHOWN = 200;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** A body or value for a message: quoted text when it is printable UTF-8, else base64. */
export function showBytes(b: Uint8Array): string {
  let text: string | undefined;
  try {
    text = strictUtf8.decode(b);
  } catch {
    text = undefined;
  }
  // eslint-disable-next-line no-control-regex
  if (text !== undefined && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    return text.length > MAX_SHOWN ? `${JSON.stringify(text.slice(0, MAX_SHOWN))}… (${b.length} bytes)` : JSON.stringify(text);
  }
  const b64 = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
  return b64.length > MAX_SHOWN ? `base64:${b64.slice(0, MAX_SHOWN)}… (${b.length} bytes)` : `base64:${b64}`;
}

// Runs a loaded scenario (spec/scenario-format.md) through the host shim on virtual time and
// reports, per request, which expectations failed and what was observed.
import { join } from "node:path";
import { Host } from "../host.ts";
import type { LoadedPlugin } from "../loaded-plugin.ts";
import type { CalloutRequest, CalloutResponse, GrpcCalloutResponse } from "../host-core.ts";
import type { HttpStream } from "../http-stream.ts";
import type { PropertyInput, RequestSpec, StreamResult, UpstreamResponseSpec } from "../types.ts";
import { calloutMatches, checkConfigure, checkExpectations, checkStartupLogs, grpcCalloutMatches } from "./check.ts";
import type {
  CalloutAnswer, ClusterScript, Failure, GrpcAnswer, ObservedConfigure, ObservedRequest, PropertyValue, RequestStep, Scenario,
} from "./types.ts";

export interface RequestOutcome {
  /** The request's name, with `#n` for repeated copies. */
  name: string;
  step: RequestStep;
  failures: Failure[];
  advisories: Failure[];
  observed: ObservedRequest;
}

export interface ScenarioOutcome {
  scenario: Scenario;
  configure: { observed: ObservedConfigure; failures: Failure[] };
  requests: RequestOutcome[];
  /** Problems of the run itself (a callout no scripted answer matched, …). */
  runnerErrors: string[];
}

export interface RunOptions {
  /** Project root that `wasm:` paths are relative to (default: the current directory). */
  root?: string;
}

export async function runScenario(scenario: Scenario, opts: RunOptions = {}): Promise<ScenarioOutcome> {
  const root = opts.root ?? process.cwd();
  const runnerErrors: string[] = [];
  const host = new Host({
    clock: scenario.host.clock,
    workers: scenario.host.workers,
    logLevel: scenario.host.logLevel,
    properties: propertyInputs(scenario.host.properties),
  });
  for (const [name, script] of Object.entries(scenario.host.clusters)) host.cluster(name, httpCluster(name, script, runnerErrors));
  for (const [name, script] of Object.entries(scenario.host.grpcClusters)) host.grpcCluster(name, grpcCluster(name, script, runnerErrors));

  // Start-up: load every plugin of the chain; the scenario's configure outcome is the worst.
  const plugins: LoadedPlugin[] = [];
  for (const p of scenario.plugins) {
    plugins.push(
      await host.tryLoadPlugin({
        wasm: join(root, p.wasm),
        name: p.name,
        rootId: p.rootId,
        vmId: p.vmId,
        vmConfig: p.vmConfig,
        config: p.config,
        failStrategy: p.failStrategy,
        allowOnHeadersStopIteration: scenario.host.allowOnHeadersStopIteration,
      }),
    );
  }
  const rank = { ok: 0, rejected: 1, trapped: 2, "load-error": 3 } as const;
  const outcome = plugins.map((p) => p.outcome).reduce((a, b) => (rank[b] > rank[a] ? b : a), "ok" as ObservedConfigure["outcome"]);
  const startupLogs: ObservedConfigure["logs"] = host.logger.records.map((l) => ({
    phase: l.phase === "configure" ? "configure" : l.phase === "tick" ? "tick" : l.phase === "shutdown" ? "shutdown" : "startup",
    level: l.level,
    message: l.message,
  }));
  const configureObserved: ObservedConfigure = { outcome, logs: startupLogs };
  const configure = {
    observed: configureObserved,
    failures: [...checkConfigure(scenario.expectConfigure, configureObserved), ...checkStartupLogs(scenario.expectLogs, startupLogs)],
  };

  const requests: RequestOutcome[] = [];
  const steps = scenario.requests;
  for (let i = 0; i < steps.length; ) {
    const step = steps[i];
    // A time step's window opens before its advance: its expectations are about what happened meanwhile.
    const beforeAdvance = windowStart(host);
    if (step.advance > 0) await host.advance(step.advance);
    if (!step.request) {
      // A time step: only time passes; its expectations see what happened meanwhile.
      const start = beforeAdvance;
      await host.advance(0);
      requests.push(evaluate(host, step, step.name, null, start, true));
      i++;
      continue;
    }
    if (step.concurrent) {
      // This entry and the following concurrent ones are in flight together.
      const batch: Array<{ step: RequestStep; name: string; stream: HttpStream; start: ReturnType<typeof windowStart> }> = [];
      let j = i;
      while (j < steps.length && steps[j].concurrent && steps[j].request) {
        const s = steps[j];
        if (j > i && s.advance > 0) await host.advance(s.advance);
        for (let c = 0; c < s.repeat; c++) {
          const start = windowStart(host);
          batch.push({ step: s, name: copyName(s, c), stream: host.open(requestSpec(s), { upstream: upstreamHandler(s), maxWaitMs: scenario.host.maxWait }), start });
        }
        j++;
      }
      const results = await host.wait(batch.map((b) => b.stream), scenario.host.maxWait);
      batch.forEach((b, k) => requests.push(evaluate(host, b.step, b.name, results[k], b.start, false)));
      i = j;
      continue;
    }
    for (let c = 0; c < step.repeat; c++) {
      const start = windowStart(host);
      const result = await host.send(requestSpec(step), { upstream: upstreamHandler(step), maxWaitMs: scenario.host.maxWait });
      requests.push(evaluate(host, step, copyName(step, c), result, start, true));
    }
    i++;
  }
  await host.shutdown();
  return { scenario, configure, requests, runnerErrors };
}

function copyName(step: RequestStep, copy: number): string {
  return step.repeat > 1 ? `${step.name} #${copy + 1}` : step.name;
}

function windowStart(host: Host) {
  return { logs: host.logger.records.length, callouts: host.callouts.length };
}

/**
 * What a host can observe about one request. Log lines and callouts that belong to no stream
 * (root callbacks such as callout responses and ticks) count for a request when they happened
 * while it was the only thing in flight.
 */
function evaluate(host: Host, step: RequestStep, name: string, result: StreamResult | null, start: ReturnType<typeof windowStart>, sequential: boolean): RequestOutcome {
  const id = result?.id;
  const inWindow = <T extends { stream?: number }>(list: T[], from: number) =>
    list.slice(from).filter((x) => (id !== undefined && x.stream === id) || (sequential && x.stream === undefined));
  // Alone in flight, a request owns every line logged meanwhile; concurrent ones only their stream's.
  const logs = sequential ? host.logger.records.slice(start.logs) : (result?.logs ?? []);
  const callouts = inWindow(host.callouts, start.callouts);
  const observed: ObservedRequest = {
    upstream: result?.upstream
      ? {
          called: true,
          method: result.upstream.method,
          path: result.upstream.path,
          authority: result.upstream.authority,
          headers: result.upstream.headers,
          body: result.upstream.body,
          trailers: result.upstream.trailers,
        }
      : { called: false, headers: [], body: new Uint8Array(0), trailers: [] },
    response: result?.response
      ? { status: result.response.status, headers: result.response.headers, body: result.response.body, trailers: result.response.trailers, reset: result.response.reset }
      : null,
    localReply: result?.localReply ? { status: result.localReply.status, details: result.localReply.details } : null,
    stuck: result?.stuck ?? false,
    callouts: callouts
      .filter((c) => !c.grpc)
      .map((c) => ({
        cluster: c.cluster,
        method: c.request?.method,
        path: c.request?.path,
        authority: c.request?.authority,
        headers: c.request?.headers ?? [],
        body: c.request?.body ?? new Uint8Array(0),
        refused: c.refused,
      })),
    grpcCallouts: callouts.filter((c) => c.grpc).map((c) => ({ cluster: c.cluster, service: c.grpc!.service, method: c.grpc!.method, refused: c.refused })),
    logs: logs.map((l) => ({ level: l.level, message: l.message })),
    metrics: host.metrics.snapshot(),
    filterState: Object.fromEntries([...(result?.filterState ?? new Map())].filter(([k]) => k.startsWith("wasm.")).map(([k, v]) => [k.slice(5), v])),
    timeline: (result?.timeline ?? []).map((t) => t.callback),
  };
  return {
    name,
    step,
    failures: checkExpectations(step.expect, observed, { path: "expect" }),
    advisories: step.advisory ? checkExpectations(step.advisory, observed, { path: "advisory", implicitStuck: false }) : [],
    observed,
  };
}

function requestSpec(step: RequestStep): RequestSpec {
  const r = step.request!;
  const c = step.connection;
  return {
    method: r.method,
    path: r.path,
    authority: r.authority,
    scheme: r.scheme,
    headers: r.headers,
    body: r.body ?? undefined,
    trailers: r.trailers.length ? r.trailers : undefined,
    connection: { source: c.source, destination: c.destination, mtls: c.mtls, peerPrincipal: c.peerPrincipal, sni: c.sni },
    properties: propertyInputs(step.properties),
    filterState: step.filterState,
  };
}

function upstreamHandler(step: RequestStep): () => UpstreamResponseSpec {
  const u = step.upstream;
  return () => {
    if (u.kind === "timeout") return { timeout: true };
    if (u.kind === "reset") return { reset: true };
    return { status: u.status, headers: u.headers, body: u.body ?? undefined, trailers: u.trailers.length ? u.trailers : undefined };
  };
}

function propertyInputs(props: Record<string, PropertyValue>): Record<string, PropertyInput> {
  const out: Record<string, PropertyInput> = {};
  for (const [k, p] of Object.entries(props)) {
    switch (p.type) {
      case "string": out[k] = p.value; break;
      case "bytes": out[k] = { bytes: p.value }; break;
      case "int": out[k] = { int: p.value }; break;
      case "uint": out[k] = { uint: p.value }; break;
      case "bool": out[k] = { bool: p.value }; break;
      case "double": out[k] = { double: p.value }; break;
      case "timestamp": out[k] = { timestamp: Number(p.value / 1_000_000_000n) }; break;
      case "notFound": out[k] = null; break;
    }
  }
  return out;
}

/** A cluster that answers from its script: in order (the last repeats), or by the first matching rule. */
function httpCluster(name: string, script: ClusterScript<CalloutAnswer>, errors: string[]) {
  let next = 0;
  return (req: CalloutRequest): CalloutResponse => {
    let answer: CalloutAnswer | undefined;
    if (script.mode === "sequence") {
      answer = script.answers[Math.min(next++, script.answers.length - 1)];
    } else {
      const call = { cluster: name, method: req.method, path: req.path, authority: req.authority, headers: req.headers, body: req.body, refused: false };
      answer = script.answers.find((a) => !a.when || calloutMatches(a.when, call));
    }
    if (!answer) {
      errors.push(`callout to ${name} ${req.method} ${req.path} matched no scripted answer; it was reset`);
      return { reset: true };
    }
    const o = answer.outcome;
    if (o.kind === "reset") return { reset: true, delayMs: answer.delay };
    if (o.kind === "timeout") return { timeout: true };
    return { status: o.status, headers: o.headers, body: o.body, trailers: o.trailers, delayMs: answer.delay };
  };
}

function grpcCluster(name: string, script: ClusterScript<GrpcAnswer>, errors: string[]) {
  let next = 0;
  return (req: { service: string; method: string }): GrpcCalloutResponse | Promise<GrpcCalloutResponse> => {
    const answer =
      script.mode === "sequence"
        ? script.answers[Math.min(next++, script.answers.length - 1)]
        : script.answers.find((a) => !a.when || grpcCalloutMatches(a.when, req));
    if (!answer) {
      errors.push(`gRPC callout to ${name} ${req.service}/${req.method} matched no scripted answer`);
      return { status: 14, statusMessage: "no scripted answer" };
    }
    const o = answer.outcome;
    if (o.kind === "reset") return { status: 14, statusMessage: "reset", delayMs: answer.delay };
    if (o.kind === "timeout") return { timeout: true }; // never answers: the call's deadline closes it
    return { status: o.status, message: o.message, delayMs: answer.delay };
  };
}

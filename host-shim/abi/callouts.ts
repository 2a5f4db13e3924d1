// HTTP and gRPC callouts (§3.9, §3.10, §5.8). Calls belong to the root context of the caller;
// answers arrive later as separate tasks, never inside the hostcall.
import { WasmResult } from "../status.ts";
import { decodePairs, latin1, utf8 } from "../memory.ts";
import { HeaderMap } from "../header-map.ts";
import type { Vm } from "../vm.ts";
import type { RootContext } from "../contexts.ts";
import type { CalloutRequest, CalloutResponse, GrpcCalloutResponse } from "../host-core.ts";
import { rootOf } from "./timers.ts";

const toPairs = (h: CalloutResponse["headers"]): Array<[string, string]> =>
  !h ? [] : Array.isArray(h) ? h.map(([k, v]) => [k.toLowerCase(), v]) : Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]);

function deliverHttp(vm: Vm, root: RootContext, token: number, r: CalloutResponse | "reset"): void {
  if (!root.callouts.has(token)) return; // answered already (timeout vs. response), or cancelled
  root.callouts.delete(token);
  if (vm.failed || !vm.contexts.has(root.id)) return;
  if (r === "reset" || r.reset) {
    // No response at all: (0, 0, 0) and proxy_get_status -> (11, "reset") (§5.8).
    root.status = { code: WasmResult.BrokenConnection, message: utf8("reset") };
    vm.call("proxy_on_http_call_response", root, [root.id, token, 0, 0, 0], "callout");
    return;
  }
  const headers = new HeaderMap([[":status", String(r.status ?? 200)], ...toPairs(r.headers).filter(([k]) => k !== ":status")]);
  const body = typeof r.body === "string" ? utf8(r.body) : (r.body ?? new Uint8Array(0));
  if (body.length && !headers.has("content-length")) headers.add("content-length", String(body.length), false);
  const trailers = new HeaderMap(toPairs(r.trailers));
  root.httpCallResponse = { headers, body, trailers };
  try {
    vm.call("proxy_on_http_call_response", root, [root.id, token, headers.size, body.length, trailers.size], "callout");
  } finally {
    root.httpCallResponse = null;
  }
}

/** Envoy's async client answers a timeout with a normal 504 response (§5.8). */
const TIMEOUT_RESPONSE: CalloutResponse = {
  status: 504,
  headers: { "content-type": "text/plain" },
  body: "upstream request timeout",
};

function grpcDeliver(vm: Vm, root: RootContext, token: number, fn: () => void): void {
  if (!root.callouts.has(token) || vm.failed || !vm.contexts.has(root.id)) return;
  fn();
}

export function calloutImports(vm: Vm) {
  const host = vm.host;
  const sched = host.scheduler;
  const grpcStreams = streamsOf(vm);

  return {
    proxy_http_call: vm.hostcall(
      "env.proxy_http_call",
      (up: number, us: number, hp: number, hs: number, bp: number, bs: number, tp: number, ts: number, timeout: number, tokenPtr: number) => {
        vm.memory.setU32(tokenPtr, 0); // validated (and zeroed) first
        const cluster = latin1(vm.memory.read(up, us));
        const headers = decodePairs(vm.memory.read(hp, hs)).map(([k, v]) => [latin1(k).toLowerCase(), latin1(v)] as [string, string]);
        const body = vm.memory.read(bp, bs);
        const trailers = decodePairs(vm.memory.read(tp, ts)).map(([k, v]) => [latin1(k).toLowerCase(), latin1(v)] as [string, string]);
        const ctx = vm.ctx;
        const stream = ctx && ctx.kind !== "root" ? ctx.streamId : undefined;
        if ((timeout | 0) < 0) return WasmResult.BadArgument;
        const handler = host.clusters.get(cluster);
        const h = new HeaderMap(headers);
        if (!handler || !h.has(":path") || !h.has(":method") || !h.has(":authority")) {
          host.noteCallout({ cluster, stream, refused: true });
          return WasmResult.BadArgument;
        }
        const root = rootOf(vm)!;
        if (body.length) h.replace("content-length", String(body.length));
        const req: CalloutRequest = {
          cluster,
          method: h.get(":method")!,
          path: h.get(":path")!,
          authority: h.get(":authority")!,
          headers: h.pairs(),
          body,
          trailers,
          timeoutMs: timeout >>> 0,
        };
        host.noteCallout({ cluster, stream, refused: false, request: req });
        const token = vm.nextToken(0);
        let timer: { cancel(): void } | null = null;
        let answerTimer: { cancel(): void } | null = null;
        root.callouts.set(token, {
          kind: "http",
          caller: ctx?.id ?? root.id,
          cancel: () => {
            timer?.cancel();
            answerTimer?.cancel();
          },
        });
        const finish = (r: CalloutResponse | "reset") => {
          timer?.cancel();
          answerTimer?.cancel();
          deliverHttp(vm, root, token, r);
        };
        if ((timeout >>> 0) > 0) timer = sched.setTimer(timeout >>> 0, () => finish(TIMEOUT_RESPONSE));
        let answer: CalloutResponse | Promise<CalloutResponse>;
        try {
          answer = handler(req);
        } catch (e) {
          answer = Promise.reject(e);
        }
        sched.track(Promise.resolve(answer), (r) => {
          if (!r.ok) {
            vm.log("error", `callout handler for cluster ${cluster} failed: ${(r.error as Error)?.message ?? r.error}`);
            return finish("reset");
          }
          const resp = r.value;
          if (resp.timeout) return; // never answers; the call's own timeout (if any) fires
          if (resp.delayMs && resp.delayMs > 0) answerTimer = sched.setTimer(resp.delayMs, () => finish(resp));
          else finish(resp);
        });
        vm.memory.setU32(tokenPtr, token);
        return WasmResult.Ok;
      },
    ),

    proxy_grpc_call: vm.hostcall(
      "env.proxy_grpc_call",
      (sp: number, ss: number, np: number, ns: number, mp: number, ms: number, mdp: number, mds: number, msgp: number, msgs: number, timeout: number, tokenPtr: number) => {
        vm.memory.setU32(tokenPtr, 0);
        const cluster = latin1(vm.memory.read(sp, ss));
        const service = latin1(vm.memory.read(np, ns));
        const method = latin1(vm.memory.read(mp, ms));
        const metadata = decodePairs(vm.memory.read(mdp, mds)).map(([k, v]) => [latin1(k).toLowerCase(), latin1(v)] as [string, string]);
        const message = vm.memory.read(msgp, msgs);
        const ctx = vm.ctx;
        const stream = ctx && ctx.kind !== "root" ? ctx.streamId : undefined;
        const handler = host.grpcClusters.get(cluster);
        if (!handler) {
          host.noteCallout({ cluster, stream, refused: true, grpc: { service, method } });
          return WasmResult.ParseFailure; // neither a GrpcService proto nor a known cluster
        }
        host.noteCallout({ cluster, stream, refused: false, grpc: { service, method } });
        const root = rootOf(vm)!;
        const token = vm.nextToken(1);
        let timer: { cancel(): void } | null = null;
        root.callouts.set(token, { kind: "grpc-call", caller: ctx?.id ?? root.id, cancel: () => timer?.cancel() });
        const close = (status: number, msg: string) =>
          grpcDeliver(vm, root, token, () => {
            root.callouts.delete(token);
            timer?.cancel();
            root.status = { code: status, message: utf8(msg) };
            vm.call("proxy_on_grpc_close", root, [root.id, token, status], "callout");
          });
        if ((timeout >>> 0) > 0) timer = sched.setTimer(timeout >>> 0, () => close(4, "deadline exceeded"));
        const answer = Promise.resolve().then(() => handler({ cluster, service, method, metadata, message, timeoutMs: timeout >>> 0, streaming: false }));
        sched.track(answer, (r) => {
          const deliver = (resp: GrpcCalloutResponse) => {
            if ((resp.status ?? 0) !== 0) return close(resp.status!, resp.statusMessage ?? "");
            grpcDeliver(vm, root, token, () => {
              root.callouts.delete(token);
              timer?.cancel();
              root.grpcMessage = resp.message ?? new Uint8Array(0);
              try {
                vm.call("proxy_on_grpc_receive", root, [root.id, token, root.grpcMessage.length], "callout");
              } finally {
                root.grpcMessage = null;
              }
            });
          };
          if (!r.ok) return close(14, String((r.error as Error)?.message ?? r.error));
          if (r.value.timeout) return;
          if (r.value.delayMs) sched.setTimer(r.value.delayMs, () => deliver(r.value));
          else deliver(r.value);
        });
        vm.memory.setU32(tokenPtr, token);
        return WasmResult.Ok;
      },
    ),

    proxy_grpc_stream: vm.hostcall(
      "env.proxy_grpc_stream",
      (sp: number, ss: number, np: number, ns: number, mp: number, ms: number, mdp: number, mds: number, tokenPtr: number) => {
        vm.memory.setU32(tokenPtr, 0);
        const cluster = latin1(vm.memory.read(sp, ss));
        const service = latin1(vm.memory.read(np, ns));
        const method = latin1(vm.memory.read(mp, ms));
        const metadata = decodePairs(vm.memory.read(mdp, mds)).map(([k, v]) => [latin1(k).toLowerCase(), latin1(v)] as [string, string]);
        const ctx = vm.ctx;
        const stream = ctx && ctx.kind !== "root" ? ctx.streamId : undefined;
        const handler = host.grpcClusters.get(cluster);
        if (!handler) {
          host.noteCallout({ cluster, stream, refused: true, grpc: { service, method } });
          return WasmResult.ParseFailure;
        }
        host.noteCallout({ cluster, stream, refused: false, grpc: { service, method } });
        const root = rootOf(vm)!;
        const token = vm.nextToken(2);
        const state = { initialSent: false, localClosed: false };
        grpcStreams.set(`${root.id}:${token}`, { cluster, service, method, metadata, state });
        root.callouts.set(token, { kind: "grpc-stream", caller: ctx?.id ?? root.id, cancel: () => grpcStreams.delete(`${root.id}:${token}`) });
        vm.memory.setU32(tokenPtr, token);
        return WasmResult.Ok;
      },
    ),

    proxy_grpc_send: vm.hostcall("env.proxy_grpc_send", (token: number, mp: number, ms: number, end: number) => {
      const message = vm.memory.read(mp, ms);
      token >>>= 0;
      if ((token & 3) !== 2) return WasmResult.BadArgument;
      const root = rootOf(vm)!;
      const s = grpcStreams.get(`${root.id}:${token}`);
      if (!s || !root.callouts.has(token)) return WasmResult.NotFound;
      if (end) s.state.localClosed = true;
      const handler = host.grpcClusters.get(s.cluster)!;
      const answer = Promise.resolve().then(() => handler({ cluster: s.cluster, service: s.service, method: s.method, metadata: s.metadata, message, timeoutMs: 0, streaming: true }));
      sched.track(answer, (r) => {
        if (!r.ok) {
          // A failing handler is the remote failing: the stream closes with UNAVAILABLE, as a call does.
          return grpcDeliver(vm, root, token, () => {
            root.callouts.delete(token);
            grpcStreams.delete(`${root.id}:${token}`);
            root.status = { code: 14, message: utf8(String((r.error as Error)?.message ?? r.error)) };
            vm.call("proxy_on_grpc_close", root, [root.id, token, 14], "callout");
          });
        }
        const resp = r.value;
        if (resp.timeout) return; // no answer to this message
        const deliver = () => grpcDeliver(vm, root, token, () => {
          if (!s.state.initialSent) {
            s.state.initialSent = true;
            root.grpcMetadata = new HeaderMap(resp.initialMetadata ?? []);
            root.grpcMetadataType = 4;
            try {
              vm.call("proxy_on_grpc_receive_initial_metadata", root, [root.id, token, root.grpcMetadata.size], "callout");
            } finally {
              root.grpcMetadata = null;
              root.grpcMetadataType = -1;
            }
          }
          if (resp.message && root.callouts.has(token)) {
            root.grpcMessage = resp.message;
            try {
              vm.call("proxy_on_grpc_receive", root, [root.id, token, resp.message.length], "callout");
            } finally {
              root.grpcMessage = null;
            }
          }
          if (resp.status !== undefined && root.callouts.has(token)) {
            root.grpcMetadata = new HeaderMap(resp.trailingMetadata ?? []);
            root.grpcMetadataType = 5;
            try {
              vm.call("proxy_on_grpc_receive_trailing_metadata", root, [root.id, token, root.grpcMetadata.size], "callout");
            } finally {
              root.grpcMetadata = null;
              root.grpcMetadataType = -1;
            }
            root.callouts.delete(token);
            grpcStreams.delete(`${root.id}:${token}`);
            root.status = { code: resp.status, message: utf8(resp.statusMessage ?? "") };
            vm.call("proxy_on_grpc_close", root, [root.id, token, resp.status], "callout");
          }
        });
        if (resp.delayMs && resp.delayMs > 0) sched.setTimer(resp.delayMs, deliver);
        else deliver();
      });
      return WasmResult.Ok;
    }),

    proxy_grpc_cancel: vm.hostcall("env.proxy_grpc_cancel", (token: number) => {
      token >>>= 0;
      if (!isGrpcToken(token)) return WasmResult.BadArgument; // the kind is checked before any lookup
      const root = rootOf(vm)!;
      const c = root.callouts.get(token);
      if (!c) return WasmResult.NotFound;
      c.cancel();
      root.callouts.delete(token); // no further callbacks
      return WasmResult.Ok;
    }),

    proxy_grpc_close: vm.hostcall("env.proxy_grpc_close", (token: number) => {
      token >>>= 0;
      if (!isGrpcToken(token)) return WasmResult.BadArgument; // the kind is checked before any lookup
      const root = rootOf(vm)!;
      const c = root.callouts.get(token);
      if (!c) return WasmResult.NotFound;
      if (c.kind === "grpc-call") {
        c.cancel();
        root.callouts.delete(token);
      } else {
        const s = grpcStreams.get(`${root.id}:${token}`);
        if (s) s.state.localClosed = true; // half-close: remote messages may still arrive
      }
      return WasmResult.Ok;
    }),
  };
}

/** Token kinds by their low bits (§3.9): …01 a gRPC call, …10 a gRPC stream. */
const isGrpcToken = (token: number): boolean => (token & 3) === 1 || (token & 3) === 2;

type GrpcStreamState = { cluster: string; service: string; method: string; metadata: Array<[string, string]>; state: { initialSent: boolean; localClosed: boolean } };
/** Open gRPC streams per VM, by "rootId:token". */
const grpcStreamsByVm = new WeakMap<Vm, Map<string, GrpcStreamState>>();
function streamsOf(vm: Vm): Map<string, GrpcStreamState> {
  let m = grpcStreamsByVm.get(vm);
  if (!m) grpcStreamsByVm.set(vm, (m = new Map()));
  return m;
}

// One HTTP exchange through a chain of plugins, in Envoy's order (§1.4) with Envoy's filter
// manager semantics: decoder filters in chain order, encoder filters in reverse; stop/continue
// statuses converted as Envoy converts them (§2.3); bodies buffered while a filter returns
// StopIterationAndBuffer, up to the buffer limit (§5.5); pauses held until
// proxy_continue_stream (§5.3); the three local-reply cases (§5.4); traps handled by the
// plugin's fail strategy (§5.9); on_log -> on_done -> on_delete at the end.
import { BodyRef, HttpStreamContext } from "./contexts.ts";
import { HeaderMap } from "./header-map.ts";
import { utf8, type Pairs } from "./memory.ts";
import { convertDataStatus, convertHeadersStatus, convertTrailersStatus } from "./status.ts";
import { V, type Value } from "./values.ts";
import { connectionAttribute, splitAddress } from "./connection-attributes.ts";
import { TRAPPED, type CallResult, type Vm } from "./vm.ts";
import { concat } from "./abi/buffers.ts";
import type { LocalReply } from "./abi/stream.ts";
import type { LoadedPlugin } from "./loaded-plugin.ts";
import type { Host } from "./host.ts";
import type { ClientResponse, ConnectionSpec, LocalReplyRecord, StreamResult, UpstreamHandler, UpstreamRequest, UpstreamResponseSpec } from "./types.ts";

type Dir = "request" | "response";
type Frame = { kind: "headers"; eos: boolean } | { kind: "data"; bytes: Uint8Array; eos: boolean } | { kind: "trailers" };

class DirState {
  queue: Frame[] = [];
  /** Why this filter holds the direction: headers (StopAll), headers-only (StopIteration with
   *  allow_on_headers_stop_iteration), data (buffering), trailers. */
  stop: "none" | "headers" | "headers-only" | "data" | "trailers" = "none";
  heldHeadersEos = false;
  /** The headers stop was StopAllIterationAndBuffer (3): the body that queues up behind it
   *  counts against the buffer limit (§5.5); the watermark variants only apply back-pressure. */
  bufferAll = false;
  /** Body handed to this filter and not yet passed on (cumulative while buffering). */
  pending = new BodyRef(new Uint8Array(0));
  pendingEos = false;
  heldTrailers = false;
  /** proxy_continue_stream was called during this filter's own callback: resume once its
   *  status has been applied (§5.3). */
  resumeRequested = false;
}

class Slot {
  ctx: HttpStreamContext | null = null;
  readonly request = new DirState();
  readonly response = new DirState();
  /** The plugin is skipped for this stream: not installed (fail open after a failure), or its
   *  VM failed during the stream and the failure was handled. */
  bypass: boolean;
  /** The plugin is unusable (failed to load or configure) and fails streams closed (§5.9). */
  broken: boolean;
  constructor(readonly index: number, readonly plugin: LoadedPlugin, readonly vm: Vm | null, broken: boolean) {
    this.broken = broken;
    this.bypass = vm === null && !broken;
  }
  dir(d: Dir): DirState {
    return d === "request" ? this.request : this.response;
  }
}

const EMPTY = new Uint8Array(0);
export const DEFAULT_BUFFER_LIMIT = 1024 * 1024;

export interface StreamInit {
  id: number;
  method: string;
  path: string;
  authority: string;
  scheme: string;
  headers: Pairs;
  body: Uint8Array[] | null;
  trailers: Pairs | null;
  connection: ConnectionSpec;
  properties: Map<string, Value | null>;
  filterState: Map<string, Uint8Array>;
  protocol: string;
  upstream: UpstreamHandler;
}

export class HttpStream {
  readonly id: number;
  readonly requestHeaders: HeaderMap;
  requestTrailers: HeaderMap | null = null;
  responseHeaders: HeaderMap | null = null;
  responseTrailers: HeaderMap | null = null;
  readonly filterState: Map<string, Uint8Array>;
  private readonly slots: Slot[];
  private pumping = false;
  /** The filter whose callback is running, while it runs. */
  private inCallback: Slot | null = null;
  private again = false;
  private requestAborted = false;
  private responseStarted = false;
  private clientHeadersSent = false;
  private routerBody: Uint8Array[] = [];
  private upstreamRequest: UpstreamRequest | null = null;
  private clientBody: Uint8Array[] = [];
  private reset_ = false;
  private localReply: LocalReplyRecord | null = null;
  private details = "";
  private readonly startMs: number;
  private endMs = 0;
  private readonly isGrpc: boolean;
  private upstreamResponded = false;
  readonly traps: Error[] = [];
  finished = false;
  result: StreamResult | null = null;
  private onFinished: Array<() => void> = [];

  constructor(
    readonly host: Host,
    readonly init: StreamInit,
    plugins: Array<{ plugin: LoadedPlugin; vm: Vm | null; broken: boolean }>,
  ) {
    this.id = init.id;
    this.startMs = host.scheduler.now();
    this.requestHeaders = new HeaderMap([
      [":authority", init.authority],
      [":path", init.path],
      [":method", init.method],
      [":scheme", init.scheme],
      ...init.headers.filter(([k]) => !k.startsWith(":") && k !== "host"),
    ]);
    this.filterState = new Map(init.filterState);
    this.isGrpc = (this.requestHeaders.get("content-type") ?? "").startsWith("application/grpc");
    this.slots = plugins.map((p, i) => new Slot(i, p.plugin, p.vm, p.broken));
  }

  whenFinished(fn: () => void): void {
    if (this.finished) fn();
    else this.onFinished.push(fn);
  }

  /** Starts the exchange: request frames enter the first filter. */
  start(): void {
    const body = this.init.body?.filter((c) => c.length > 0 || this.init.body!.length === 1) ?? null;
    const hasBody = !!body && body.length > 0;
    const hasTrailers = !!this.init.trailers;
    if (hasTrailers) this.requestTrailers = new HeaderMap(this.init.trailers!);
    const frames: Frame[] = [{ kind: "headers", eos: !hasBody && !hasTrailers }];
    if (hasBody) body!.forEach((c, i) => frames.push({ kind: "data", bytes: c, eos: i === body!.length - 1 && !hasTrailers }));
    if (hasTrailers) frames.push({ kind: "trailers" });
    for (const f of frames) this.enter("request", f);
    this.pump();
  }

  // ---- frame routing -------------------------------------------------------------------

  private order(dir: Dir): Slot[] {
    return dir === "request" ? this.slots : [...this.slots].reverse();
  }
  private enter(dir: Dir, frame: Frame, atSlot?: number): void {
    if (this.slots.length === 0) return this.sink(dir, frame);
    const first = atSlot ?? (dir === "request" ? 0 : this.slots.length - 1);
    this.slots[first].dir(dir).queue.push(frame);
  }
  private forward(slot: Slot, dir: Dir, frame: Frame): void {
    const next = dir === "request" ? slot.index + 1 : slot.index - 1;
    if (next >= 0 && next < this.slots.length) this.slots[next].dir(dir).queue.push(frame);
    else this.sink(dir, frame);
  }

  private pump(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        for (const dir of ["request", "response"] as Dir[]) {
          if (dir === "request" && this.requestAborted) continue;
          for (const slot of this.order(dir)) {
            const st = slot.dir(dir);
            while (!this.finished && st.queue.length && this.canDeliver(st, dir)) {
              const frame = st.queue.shift()!;
              this.deliver(slot, dir, frame);
              this.again = true;
              if (dir === "request" && this.requestAborted) break;
            }
            if (!this.finished && st.stop === "headers" && st.bufferAll && queuedBodyBytes(st) > this.host.bufferLimit) this.bufferOverflow(slot, dir);
          }
        }
      } while (this.again && !this.finished);
    } finally {
      this.pumping = false;
    }
  }

  private canDeliver(st: DirState, _dir: Dir): boolean {
    return st.stop !== "headers" && st.stop !== "trailers";
  }

  // ---- delivering one frame to one filter ----------------------------------------------

  private deliver(slot: Slot, dir: Dir, frame: Frame): void {
    this.deliverFrame(slot, dir, frame);
    for (const d of ["request", "response"] as Dir[]) {
      const st = slot.dir(d);
      if (!st.resumeRequested) continue;
      st.resumeRequested = false;
      if (slot.ctx && st.stop !== "none") this.resume(slot.ctx, d);
    }
  }

  private deliverFrame(slot: Slot, dir: Dir, frame: Frame): void {
    if (slot.bypass) return this.forward(slot, dir, frame);
    if (slot.broken) return this.failClosed(slot);
    const vm = slot.vm!;
    if (vm.failed) {
      // The VM failed (in this stream or another): the plugin's fail strategy decides (§5.9).
      if (slot.plugin.spec.failStrategy === "FAIL_OPEN") {
        slot.bypass = true;
        return this.forward(slot, dir, frame);
      }
      return this.failClosed(slot);
    }
    const ctx = this.ensureContext(slot);
    if (!ctx) return; // creation trapped; handled
    const st = slot.dir(dir);
    const req = dir === "request";
    if (frame.kind === "headers") {
      const map = req ? this.requestHeaders : this.responseHeaders!;
      if (req) ctx.reqHeaders = map;
      else ctx.respHeaders = map;
      const args = vm.abi === "0.1.0" ? [ctx.id, map.size] : [ctx.id, map.size, frame.eos ? 1 : 0];
      const r = this.callStatus(slot, req ? "proxy_on_request_headers" : "proxy_on_response_headers", args);
      if (r === "failed") return;
      if (r === "local-reply") {
        st.stop = "headers";
        st.heldHeadersEos = frame.eos;
        return;
      }
      const action = convertHeadersStatus(r, slot.plugin.spec.allowOnHeadersStopIteration);
      if (action === "continue") {
        if (req) ctx.reqHeaders = null;
        else ctx.respHeaders = null;
        this.forward(slot, dir, frame);
      } else {
        st.stop = action === "stop-all" ? "headers" : "headers-only";
        st.bufferAll = r >>> 0 === 3;
        st.heldHeadersEos = frame.eos;
      }
      return;
    }
    if (frame.kind === "data") {
      st.pending.bytes = concat(st.pending.bytes, frame.bytes);
      st.pendingEos = frame.eos;
      const trailersComing = req ? !!this.requestTrailers : !!this.responseTrailers;
      if (req) {
        ctx.reqBody = st.pending;
        ctx.canCreateReqTrailers = frame.eos && !trailersComing;
      } else {
        ctx.respBody = st.pending;
        ctx.canCreateRespTrailers = frame.eos && !trailersComing;
      }
      const r = this.callStatus(slot, req ? "proxy_on_request_body" : "proxy_on_response_body", [ctx.id, st.pending.bytes.length, frame.eos ? 1 : 0]);
      ctx.canCreateReqTrailers = false;
      ctx.canCreateRespTrailers = false;
      if (r === "failed") return;
      if (r === "local-reply") {
        st.stop = "data";
        return;
      }
      const action = convertDataStatus(r);
      if (action === "continue") {
        if (req) ctx.reqBody = null;
        else ctx.respBody = null;
        this.releaseBody(slot, dir);
        return;
      }
      if (action === "no-buffer") {
        // StopIterationNoBuffer: the filter keeps nothing; the chunk is not passed on.
        st.pending.bytes = EMPTY;
      }
      st.stop = "data";
      if (action === "buffer" && st.pending.bytes.length > this.host.bufferLimit) this.bufferOverflow(slot, dir);
      return;
    }
    // trailers
    const map = req ? this.requestTrailers! : this.responseTrailers!;
    if (req) ctx.reqTrailers = map;
    else ctx.respTrailers = map;
    const r = this.callStatus(slot, req ? "proxy_on_request_trailers" : "proxy_on_response_trailers", [ctx.id, map.size]);
    if (r === "failed") return;
    if (r === "local-reply" || convertTrailersStatus(r) === "stop") {
      st.stop = "trailers";
      st.heldTrailers = true;
      return;
    }
    if (req) ctx.reqTrailers = null;
    else ctx.respTrailers = null;
    this.releaseBody(slot, dir, true);
    this.forward(slot, dir, frame);
  }

  /** Passes on what a filter holds: headers held with StopIteration-only, then its body. */
  private releaseBody(slot: Slot, dir: Dir, beforeTrailers = false): void {
    const st = slot.dir(dir);
    if (st.stop === "headers-only") this.forward(slot, dir, { kind: "headers", eos: st.heldHeadersEos });
    st.stop = "none";
    const bytes = st.pending.bytes;
    const eos = st.pendingEos && !beforeTrailers;
    st.pending = new BodyRef(EMPTY);
    if (bytes.length || eos) {
      // Trailers created by the filter on the last chunk (§5.6) follow the body.
      const created = eos && (dir === "request" ? this.createdReqTrailers : this.createdRespTrailers);
      this.forward(slot, dir, { kind: "data", bytes, eos: eos && !created });
      if (created) this.forward(slot, dir, { kind: "trailers" });
    }
  }

  /**
   * Calls a status-returning callback and applies the host's overrides (§2.3): a local reply
   * requested during the callback stops iteration; a trap applies the fail strategy.
   */
  private callStatus(slot: Slot, name: string, args: number[]): number | "failed" | "local-reply" {
    const ctx = slot.ctx!;
    this.inCallback = slot;
    let r: CallResult;
    try {
      r = slot.vm!.call(name, ctx, args, "stream");
    } finally {
      this.inCallback = null;
    }
    if (this.finished) return "failed"; // reset by the callback (close_stream)
    if (r === TRAPPED) {
      if (slot.plugin.spec.failStrategy === "FAIL_OPEN") {
        slot.bypass = true;
        return ctx.localReplyPending ? "local-reply" : 0;
      }
      this.failClosed(slot);
      return "failed";
    }
    if (ctx.localReplyPending) {
      ctx.localReplyPending = false;
      return "local-reply";
    }
    // A local reply made during this callback through another context of the stream aborted the
    // request: whatever this filter returned, nothing more goes upstream (§5.4).
    if (this.requestAborted && name.includes("_request_")) return "failed";
    return r ?? 0;
  }

  private ensureContext(slot: Slot): HttpStreamContext | null {
    if (slot.ctx) return slot.ctx;
    const vm = slot.vm!;
    const root = vm.roots.get(slot.plugin.spec)!;
    const ctx = new HttpStreamContext(vm, vm.allocateContextId(), root, this, slot.index);
    vm.contexts.set(ctx.id, ctx);
    slot.ctx = ctx;
    ctx.created = true;
    const r = vm.call("proxy_on_context_create", ctx, [ctx.id, root.id], "stream");
    if (r === TRAPPED) {
      if (slot.plugin.spec.failStrategy === "FAIL_OPEN") {
        slot.bypass = true;
        return null;
      }
      this.failClosed(slot);
      return null;
    }
    return ctx;
  }

  /** Fail closed (§5.9): Envoy's 503 `wasm_fail_stream`, once per stream; no more callbacks. */
  private failClosed(slot: Slot): void {
    slot.bypass = true;
    this.hostLocalReply(slot, 503, "wasm_fail_stream", EMPTY, 14);
  }

  private bufferOverflow(slot: Slot, dir: Dir): void {
    // Buffering past the per-stream limit (§5.5): 413 on the request side; on the response side
    // 500 if the headers have not gone out yet (a reset otherwise).
    if (dir === "request") this.hostLocalReply(slot, 413, "request_payload_too_large", utf8("Payload Too Large"), -1);
    else this.hostLocalReply(slot, 500, "response_payload_too_large", utf8("Internal Server Error"), -1);
  }

  private hostLocalReply(slot: Slot, status: number, details: string, body: Uint8Array, grpcStatus: number): void {
    this.applyLocalReply(slot, { status, details, body, headers: [], grpcStatus }, true);
  }

  // ---- hostcall effects (deferred until the callback returned) ---------------------------

  /** proxy_continue_stream(HTTP_REQUEST | HTTP_RESPONSE) from this context. */
  resume(ctx: HttpStreamContext, dir: Dir): void {
    if (this.finished || ctx.deleted) return;
    if (dir === "request" && this.requestAborted) return;
    const slot = this.slots[ctx.slot];
    const st = slot.dir(dir);
    if (this.inCallback === slot) {
      st.resumeRequested = true;
      return;
    }
    switch (st.stop) {
      case "headers":
      case "headers-only":
        this.forward(slot, dir, { kind: "headers", eos: st.heldHeadersEos });
        st.stop = "none";
        if (st.pending.bytes.length) this.releaseBody(slot, dir);
        break;
      case "data":
        this.releaseBody(slot, dir);
        break;
      case "trailers":
        st.stop = "none";
        st.heldTrailers = false;
        this.releaseBody(slot, dir, true);
        this.forward(slot, dir, { kind: "trailers" });
        break;
      case "none":
        break;
    }
    if (dir === "request") ctx.reqBody = null;
    else ctx.respBody = null;
    this.pump();
  }

  /** proxy_send_local_response, applied after the callback returned (§5.4). */
  sendLocalReply(ctx: HttpStreamContext, reply: LocalReply): void {
    if (this.finished || ctx.deleted || ctx.localReplySent) return;
    ctx.localReplySent = true;
    this.applyLocalReply(this.slots[ctx.slot], reply, false);
  }

  private applyLocalReply(slot: Slot, reply: LocalReply, byHost: boolean): void {
    if (this.finished) return;
    const details = reply.details.replace(/\s/g, "_");
    this.localReply = {
      plugin: slot.plugin.spec.name,
      status: reply.status,
      details,
      body: reply.body,
      headers: reply.headers,
      grpcStatus: reply.grpcStatus,
      byHost,
    };
    this.details = details;
    const headers = new HeaderMap([[":status", String(reply.status)]]);
    for (const [k, v] of reply.headers) headers.add(k, v);
    let body = reply.body;
    if (this.isGrpc) {
      // gRPC requests get a trailers-only reply (§5.4).
      headers.replace(":status", "200");
      headers.replace("content-type", "application/grpc");
      const gs = reply.grpcStatus >= 0 && reply.grpcStatus <= 16 ? reply.grpcStatus : httpToGrpcStatus(reply.status);
      headers.replace("grpc-status", String(gs));
      if (body.length) headers.replace("grpc-message", grpcPercentEncode(body));
      body = EMPTY;
    } else {
      if (body.length && !headers.has("content-type")) headers.add("content-type", "text/plain");
      headers.replace("content-length", String(body.length));
    }
    if (!this.responseStarted) {
      // Case 1: nothing of the response exists yet. Request processing stops; the reply runs
      // through the encoder filters from the sender back to the client, sender included.
      this.abortRequest();
      this.responseStarted = true;
      this.responseHeaders = headers;
      this.enter("response", { kind: "headers", eos: body.length === 0 }, slot.index);
      if (body.length) this.enter("response", { kind: "data", bytes: body, eos: true }, slot.index);
      this.pump();
      return;
    }
    if (!this.clientHeadersSent) {
      // Case 2: response started, headers not yet sent: the reply goes straight to the client.
      for (const s of this.slots) s.response.queue = [];
      this.responseHeaders = headers;
      this.responseTrailers = null;
      this.clientBody = [body];
      this.clientHeadersSent = true;
      this.finish();
      return;
    }
    // Case 3: the headers are already downstream: Envoy resets the stream.
    this.reset("local_reply_after_headers_sent");
  }

  /** proxy_close_stream(HTTP_*): reset the stream. */
  reset(details: string): void {
    if (this.finished) return;
    if (!this.details) this.details = details;
    this.reset_ = true;
    this.finish();
  }

  private abortRequest(): void {
    this.requestAborted = true;
    for (const s of this.slots) {
      s.request.queue = [];
      s.request.stop = "none";
    }
  }

  createdReqTrailers = false;
  createdRespTrailers = false;
  createRequestTrailers(ctx: HttpStreamContext): HeaderMap {
    this.requestTrailers = new HeaderMap();
    this.createdReqTrailers = true;
    ctx.reqTrailers = this.requestTrailers;
    return this.requestTrailers;
  }
  createResponseTrailers(ctx: HttpStreamContext): HeaderMap {
    this.responseTrailers = new HeaderMap();
    this.createdRespTrailers = true;
    ctx.respTrailers = this.responseTrailers;
    return this.responseTrailers;
  }

  // ---- the router and the client -----------------------------------------------------------

  private sink(dir: Dir, frame: Frame): void {
    if (dir === "request") {
      if (frame.kind === "data") this.routerBody.push(frame.bytes);
      const complete = frame.kind === "trailers" || frame.eos;
      if (complete && !this.upstreamRequest) this.callUpstream();
      return;
    }
    if (frame.kind === "headers") this.clientHeadersSent = true;
    if (frame.kind === "data") this.clientBody.push(frame.bytes);
    const complete = frame.kind === "trailers" || frame.eos;
    if (complete) this.finish();
  }

  private callUpstream(): void {
    const h = this.requestHeaders;
    const body = Buffer.concat(this.routerBody);
    const pairs = h.pairs();
    const req: UpstreamRequest = {
      method: h.get(":method") ?? "",
      path: h.get(":path") ?? "",
      authority: h.get(":authority") ?? "",
      scheme: h.get(":scheme") ?? "",
      headers: pairs,
      body: new Uint8Array(body),
      trailers: this.requestTrailers?.pairs() ?? [],
      header: (name) => h.get(name),
      text: () => body.toString("utf8"),
    };
    this.upstreamRequest = req;
    let answer: Promise<UpstreamResponseSpec>;
    try {
      answer = Promise.resolve(this.init.upstream(req));
    } catch (e) {
      answer = Promise.reject(e);
    }
    this.host.scheduler.track(answer, (r) => {
      if (this.finished || this.upstreamResponded) return;
      this.upstreamResponded = true;
      if (!r.ok) {
        this.host.logger.log({ plugin: "upstream", worker: 0, level: "error", message: `upstream handler failed: ${(r.error as Error)?.message ?? r.error}`, phase: "stream", stream: this.id });
        return this.routerReply(503, "upstream connect error or disconnect/reset before headers. reset reason: remote reset", "upstream_reset_before_response_started{remote_reset}");
      }
      this.onUpstreamResponse(r.value);
    });
  }

  /** The router's own local replies travel the whole encoder chain (it sits after every filter). */
  private routerReply(status: number, body: string, details: string): void {
    this.details = details;
    this.responseStarted = true;
    const bytes = utf8(body);
    this.responseHeaders = new HeaderMap([[":status", String(status)], ["content-length", String(bytes.length)], ["content-type", "text/plain"]]);
    this.enter("response", { kind: "headers", eos: false });
    this.enter("response", { kind: "data", bytes, eos: true });
    this.pump();
  }

  private onUpstreamResponse(resp: UpstreamResponseSpec): void {
    if (resp.timeout) return this.routerReply(504, "upstream request timeout", "upstream_response_timeout");
    if (resp.reset) return this.routerReply(503, "upstream connect error or disconnect/reset before headers. reset reason: remote reset", "upstream_reset_before_response_started{remote_reset}");
    this.details = "via_upstream";
    this.responseStarted = true;
    const headers = toPairs(resp.headers);
    const chunks = toChunks(resp.body);
    this.responseHeaders = new HeaderMap([[":status", String(resp.status ?? 200)], ...headers.filter(([k]) => k !== ":status")]);
    const hasTrailers = !!resp.trailers && toPairs(resp.trailers).length > 0;
    if (hasTrailers) this.responseTrailers = new HeaderMap(toPairs(resp.trailers));
    this.enter("response", { kind: "headers", eos: chunks.length === 0 && !hasTrailers });
    chunks.forEach((c, i) => this.enter("response", { kind: "data", bytes: c, eos: i === chunks.length - 1 && !hasTrailers }));
    if (hasTrailers) this.enter("response", { kind: "trailers" });
    this.pump();
  }

  // ---- the end ---------------------------------------------------------------------------

  /** on_log -> on_done -> on_delete for every plugin of the chain (§1.4), then the result. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.endMs = this.host.scheduler.now();
    for (const slot of this.slots) {
      const vm = slot.vm;
      if (!vm || vm.failed) continue; // no callbacks at all from a failed VM
      if (slot.bypass && !slot.ctx) continue; // plugin not installed for this stream
      // A plugin the request never reached still sees create, log, done, delete.
      const ctx = slot.ctx ?? this.ensureContext(slot);
      if (!ctx || vm.failed) continue;
      ctx.dropRequestReferences();
      ctx.respHeaders = ctx.respBody = ctx.respTrailers = null;
      ctx.inLog = true;
      vm.call("proxy_on_log", ctx, [ctx.id], "stream");
      ctx.inLog = false;
      if (vm.failed) continue;
      vm.call("proxy_on_done", ctx, [ctx.id], "stream");
      if (vm.failed) continue;
      vm.call("proxy_on_delete", ctx, [ctx.id], "stream");
      ctx.deleted = true;
      vm.contexts.delete(ctx.id);
    }
    const response: ClientResponse | null = this.reset_
      ? { status: 0, headers: [], body: EMPTY, trailers: [], reset: true, header: () => undefined, text: () => "" }
      : makeResponse(this.responseHeaders!, Buffer.concat(this.clientBody), this.responseTrailers);
    this.result = {
      id: this.id,
      upstream: this.upstreamRequest,
      response,
      localReply: this.localReply,
      details: this.details,
      stuck: false,
      timeline: [],
      logs: [],
      filterState: new Map(this.filterState),
      traps: this.traps,
    };
    for (const fn of this.onFinished) fn();
    this.onFinished = [];
  }

  /** Given up on while paused (stuck): the client goes away; log, done and delete still run. */
  abandon(): void {
    if (this.finished) return;
    this.details = this.details || "downstream_remote_disconnect";
    this.reset_ = true;
    this.finish();
    if (this.result) {
      this.result.stuck = true;
      this.result.response = null;
    }
  }

  // ---- attributes (§6) -------------------------------------------------------------------

  attribute(ctx: HttpStreamContext | import("./contexts.ts").TcpStreamContext | import("./contexts.ts").RootContext, top: string): Value | undefined {
    if (ctx.kind !== "http") return undefined;
    const c = this.init.connection;
    const headersVisible = ctx.inLog || ctx.reqHeaders !== null;
    const respVisible = ctx.inLog || ctx.respHeaders !== null;
    switch (top) {
      case "request": {
        const h = this.requestHeaders;
        const m: Record<string, Value | undefined> = {
          time: V.timestampMs(this.startMs),
          protocol: V.str(this.init.protocol),
        };
        if (headersVisible) {
          const path = h.get(":path") ?? "";
          const q = path.indexOf("?");
          const query = q >= 0 ? path.slice(q + 1).split("#")[0] : "";
          const headers = new Map<string, Value>();
          for (const [k] of h.pairs()) if (!headers.has(k)) headers.set(k, hv(h.joined(k)!));
          Object.assign(m, {
            path: hv(path),
            url_path: hv(q >= 0 ? path.slice(0, q) : path),
            host: hv(h.get(":authority") ?? ""),
            scheme: hv(h.get(":scheme") ?? ""),
            method: hv(h.get(":method") ?? ""),
            headers: V.map(headers),
            referer: h.has("referer") ? hv(h.get("referer")!) : undefined,
            useragent: h.has("user-agent") ? hv(h.get("user-agent")!) : undefined,
            id: h.has("x-request-id") ? hv(h.get("x-request-id")!) : undefined,
            query: hv(query),
            size: V.int(h.has("content-length") ? Number(h.get("content-length")) : this.routerBody.reduce((n, b) => n + b.length, 0)),
          });
        }
        if (ctx.inLog) m.duration = V.durationMs((this.endMs || this.host.scheduler.now()) - this.startMs);
        return V.map(m);
      }
      case "response": {
        if (!this.responseStarted) return undefined;
        const h = this.responseHeaders;
        const m: Record<string, Value | undefined> = {
          code_details: V.str(this.details),
        };
        if (h) m.code = V.int(Number(h.get(":status") ?? 0));
        if (respVisible && h) {
          m.headers = V.map(new Map(h.pairs().map(([k]) => [k, hv(h.joined(k)!)])));
          const gs = this.responseTrailers?.get("grpc-status") ?? h.get("grpc-status");
          if (gs !== undefined) m.grpc_status = V.int(Number(gs));
          if (this.responseTrailers) m.trailers = V.map(new Map(this.responseTrailers.pairs().map(([k]) => [k, hv(this.responseTrailers!.joined(k)!)])));
          m.size = V.int(this.clientBody.reduce((n, b) => n + b.length, 0));
          m.flags = V.int(0);
        }
        return V.map(m);
      }
      case "source":
      case "destination":
      case "connection":
      case "connection_id":
        return connectionAttribute(c, this.host.connectionIdFor(this), top);
      case "upstream":
        if (!this.upstreamRequest) return undefined;
        return V.map({ address: V.str(this.host.upstreamAddress), port: V.int(Number(splitAddress(this.host.upstreamAddress)[1])) });
      case "metadata":
        return V.map({ filter_metadata: V.map({}) });
      case "filter_state":
        return V.map(new Map([...this.filterState].map(([k, v]) => [k, V.bytes(v)])));
      case "xds":
        return this.host.routeAttributes();
      default:
        return undefined;
    }
  }
}

/** A value read from a header map: its bytes as the map holds them (one char per byte), as the
 *  header hostcalls return them, not re-encoded as UTF-8. */
const hv = (s: string): Value => V.bytes(Buffer.from(s, "latin1"));

function queuedBodyBytes(st: DirState): number {
  let n = 0;
  for (const f of st.queue) if (f.kind === "data") n += f.bytes.length;
  return n;
}


export function toPairs(h: Record<string, string> | Array<[string, string]> | undefined): Pairs {
  if (!h) return [];
  const list = Array.isArray(h) ? h : Object.entries(h);
  return list.map(([k, v]) => [k.toLowerCase(), String(v)]);
}

export function toChunks(body: string | Uint8Array | Array<string | Uint8Array> | undefined): Uint8Array[] {
  if (body === undefined) return [];
  const list = Array.isArray(body) ? body : [body];
  const chunks = list.map((c) => (typeof c === "string" ? utf8(c) : c));
  return chunks.length === 1 && chunks[0].length === 0 ? [] : chunks;
}

function makeResponse(headers: HeaderMap, body: Uint8Array, trailers: HeaderMap | null): ClientResponse {
  const h = headers;
  return {
    status: Number(h.get(":status") ?? 0),
    headers: h.pairs(),
    body: new Uint8Array(body),
    trailers: trailers?.pairs() ?? [],
    reset: false,
    header: (name) => h.get(name) ?? trailers?.get(name),
    text: () => Buffer.from(body).toString("utf8"),
  };
}

/** gRPC's grpc-message encoding (as Envoy applies it): bytes outside 0x20–0x7E and '%' become %XX. */
function grpcPercentEncode(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b < 0x20 || b > 0x7e || b === 0x25 ? `%${b.toString(16).toUpperCase().padStart(2, "0")}` : String.fromCharCode(b);
  return out;
}

/** Envoy's HTTP -> gRPC status mapping for local replies without an explicit gRPC status. */
function httpToGrpcStatus(status: number): number {
  switch (status) {
    case 400: return 13;
    case 401: return 16;
    case 403: return 7;
    case 404: return 12;
    case 429: case 502: case 503: case 504: return 14;
    default: return 2;
  }
}

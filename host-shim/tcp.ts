// A TCP connection through a chain of network-filter plugins (§1.6): read filters see
// downstream bytes in chain order, write filters see upstream bytes in reverse order; a filter
// that returns StopIteration keeps the bytes buffered and the next callback reports the
// cumulative size; close events end with on_done -> on_log -> on_delete.
import { BodyRef, TcpStreamContext } from "./contexts.ts";
import { concat } from "./abi/buffers.ts";
import { TRAPPED, type Vm } from "./vm.ts";
import { V, type Value } from "./values.ts";
import { connectionAttribute } from "./connection-attributes.ts";
import type { Host } from "./host.ts";
import type { LoadedPlugin } from "./loaded-plugin.ts";
import type { ConnectionSpec } from "./types.ts";

type Side = "downstream" | "upstream";

class TcpSlot {
  ctx: TcpStreamContext | null = null;
  bypass: boolean;
  broken = false;
  readonly held: Record<Side, { ref: BodyRef; eos: boolean; stopped: boolean }> = {
    downstream: { ref: new BodyRef(new Uint8Array(0)), eos: false, stopped: false },
    upstream: { ref: new BodyRef(new Uint8Array(0)), eos: false, stopped: false },
  };
  constructor(readonly index: number, readonly plugin: LoadedPlugin, readonly vm: Vm | null) {
    this.bypass = vm === null;
  }
}

export interface TcpInit {
  id: number;
  connection: ConnectionSpec;
  properties: Map<string, Value | null>;
  /** The upstream: gets every byte that passed the read filters; may answer bytes. */
  upstream: (data: Uint8Array, eos: boolean) => Uint8Array | void;
}

export class TcpConnection {
  readonly id: number;
  readonly filterState = new Map<string, Uint8Array>();
  private readonly slots: TcpSlot[];
  /** Bytes that reached the upstream and the client. */
  readonly upstreamReceived: Uint8Array[] = [];
  readonly downstreamReceived: Uint8Array[] = [];
  closed = false;
  closedBy: "downstream" | "upstream" | "plugin" | null = null;

  constructor(readonly host: Host, readonly init: TcpInit, plugins: Array<{ plugin: LoadedPlugin; vm: Vm | null; broken?: boolean }>) {
    this.id = init.id;
    this.slots = plugins.map((p, i) => {
      const slot = new TcpSlot(i, p.plugin, p.vm);
      slot.broken = !!p.broken;
      return slot;
    });
  }

  /** A new connection: on_context_create then on_new_connection for each plugin. */
  open(): void {
    if (this.slots.some((s) => s.broken)) return this.closeAll("plugin");
    for (const slot of this.slots) {
      if (slot.bypass) continue;
      const ctx = this.ensureContext(slot);
      if (!ctx) continue;
      const r = slot.vm!.call("proxy_on_new_connection", ctx, [ctx.id], "stream");
      if (r === TRAPPED) this.fail(slot);
    }
  }

  private ensureContext(slot: TcpSlot): TcpStreamContext | null {
    if (slot.ctx) return slot.ctx;
    const vm = slot.vm!;
    if (vm.failed) return this.fail(slot);
    const root = vm.roots.get(slot.plugin.spec)!;
    const ctx = new TcpStreamContext(vm, vm.allocateContextId(), root, this);
    vm.contexts.set(ctx.id, ctx);
    slot.ctx = ctx;
    const r = vm.call("proxy_on_context_create", ctx, [ctx.id, root.id], "stream");
    if (r === TRAPPED) return this.fail(slot);
    return ctx;
  }

  /** §5.9 for TCP: fail closed closes the downstream connection; fail open passes bytes. */
  private fail(slot: TcpSlot): null {
    slot.bypass = true;
    if (slot.plugin.spec.failStrategy !== "FAIL_OPEN") this.endConnection(1, "plugin");
    return null;
  }

  /** Client -> proxy bytes. */
  downstreamData(data: Uint8Array, eos = false): void {
    this.flow("downstream", 0, data, eos);
  }
  /** Upstream -> client bytes. */
  upstreamData(data: Uint8Array, eos = false): void {
    this.flow("upstream", this.slots.length - 1, data, eos);
  }

  private flow(side: Side, from: number, data: Uint8Array, eos: boolean): void {
    const step = side === "downstream" ? 1 : -1;
    let bytes = data;
    for (let i = from; i >= 0 && i < this.slots.length; i += step) {
      if (this.closed) return;
      const slot = this.slots[i];
      if (slot.bypass || !slot.vm) continue;
      if (slot.vm.failed) {
        this.fail(slot);
        if (this.closed) return;
        continue;
      }
      const ctx = this.ensureContext(slot);
      if (!ctx) continue;
      const held = slot.held[side];
      held.ref.bytes = concat(held.ref.bytes, bytes);
      held.eos = eos;
      if (side === "downstream") ctx.downstreamData = held.ref;
      else ctx.upstreamData = held.ref;
      const name = side === "downstream" ? "proxy_on_downstream_data" : "proxy_on_upstream_data";
      const r = slot.vm.call(name, ctx, [ctx.id, held.ref.bytes.length, eos ? 1 : 0], "stream");
      if (side === "downstream") ctx.downstreamData = null;
      else ctx.upstreamData = null;
      if (r === TRAPPED) {
        this.fail(slot);
        if (this.closed) return;
      } else if (r !== undefined && r !== 0) {
        held.stopped = true; // bytes stay buffered; the next callback sees the cumulative size
        return;
      }
      bytes = held.ref.bytes;
      held.ref.bytes = new Uint8Array(0);
      held.stopped = false;
    }
    if (this.closed) return; // closed by the last filter's callback: nothing goes further
    this.deliver(side, bytes, eos);
  }

  private deliver(side: Side, bytes: Uint8Array, eos: boolean): void {
    if (side === "downstream") {
      if (bytes.length) this.upstreamReceived.push(bytes);
      const answer = this.init.upstream(bytes, eos);
      if (answer && answer.length) this.host.scheduler.post(() => this.upstreamData(answer));
    } else {
      if (bytes.length) this.downstreamReceived.push(bytes);
      // Envoy derives "upstream closed" from end of stream on the write path, peer Unknown.
      if (eos) this.notifyClose("proxy_on_upstream_connection_close", 0);
    }
  }

  /** proxy_continue_stream(DOWNSTREAM): release what the filter held on the read path. */
  resume(ctx: TcpStreamContext): void {
    const slot = this.slots.find((s) => s.ctx === ctx);
    if (!slot || this.closed) return;
    const held = slot.held.downstream;
    if (!held.stopped) return;
    const bytes = held.ref.bytes;
    held.ref.bytes = new Uint8Array(0);
    held.stopped = false;
    if (slot.index + 1 < this.slots.length) this.flow("downstream", slot.index + 1, bytes, held.eos);
    else this.deliver("downstream", bytes, held.eos);
  }

  /**
   * proxy_close_stream(DOWNSTREAM | UPSTREAM): Envoy closes the downstream connection, which
   * raises LocalClose: every live context hears on_downstream_connection_close(Local), then
   * done, log, delete.
   */
  close(_ctx: TcpStreamContext): void {
    this.endConnection(1, "plugin");
  }

  /** The client closes (peer Remote) or the proxy does (Local). Nothing once closed. */
  closeDownstream(peer: 1 | 2 = 2): void {
    this.endConnection(peer, "downstream");
  }

  private endConnection(peer: 1 | 2, by: "downstream" | "plugin"): void {
    if (this.closed) return; // the contexts are gone: no callbacks on deleted contexts
    this.notifyClose("proxy_on_downstream_connection_close", peer);
    this.closeAll(by);
  }

  private notifyClose(callback: string, peer: number): void {
    for (const slot of this.slots) {
      if (slot.bypass || !slot.ctx || !slot.vm || slot.vm.failed) continue;
      slot.vm.call(callback, slot.ctx, [slot.ctx.id, peer], "stream");
    }
  }

  private closeAll(by: "downstream" | "upstream" | "plugin"): void {
    if (this.closed) return;
    this.closed = true;
    this.closedBy = by;
    // TCP order: on_done, then on_log, then on_delete (§1.6).
    for (const slot of this.slots) {
      const vm = slot.vm;
      if (!vm || !slot.ctx || vm.failed) continue;
      const ctx = slot.ctx;
      for (const cb of ["proxy_on_done", "proxy_on_log", "proxy_on_delete"]) {
        if (vm.failed) break;
        vm.call(cb, ctx, [ctx.id], "stream");
      }
      ctx.deleted = true;
      vm.contexts.delete(ctx.id);
    }
  }

  attribute(_ctx: unknown, top: string): Value | undefined {
    const c = this.init.connection;
    switch (top) {
      case "source":
      case "destination":
      case "connection":
      case "connection_id":
        return connectionAttribute(c, this.id, top);
      case "filter_state":
        return V.map(new Map([...this.filterState].map(([k, v]) => [k, V.bytes(v)])));
      case "xds":
        return this.host.routeAttributes();
      default:
        return undefined;
    }
  }
}

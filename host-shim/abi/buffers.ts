// Buffer hostcalls (§3.5): status, read (clamped), and the three edit shapes Envoy supports.
import { BufferType, WasmResult } from "../status.ts";
import type { BodyRef } from "../contexts.ts";
import type { Vm } from "../vm.ts";

type Buffer_ = { bytes: Uint8Array; ref: BodyRef | null } | "unavailable" | "bad-type";

function bufferFor(vm: Vm, type: number): Buffer_ {
  if (type >>> 0 > 8) return "bad-type";
  const ctx = vm.ctx;
  if (!ctx) return "unavailable";
  const root = ctx.kind === "root" ? ctx : ctx.root;
  const empty = { bytes: new Uint8Array(0), ref: null };
  switch (type) {
    case BufferType.HttpRequestBody:
      // Always "available" but empty outside the callbacks that hold the body.
      return ctx.kind === "http" && ctx.reqBody && !ctx.inLog ? { bytes: ctx.reqBody.bytes, ref: ctx.reqBody } : empty;
    case BufferType.HttpResponseBody:
      return ctx.kind === "http" && ctx.respBody && !ctx.inLog ? { bytes: ctx.respBody.bytes, ref: ctx.respBody } : empty;
    case BufferType.DownstreamData:
      return ctx.kind === "tcp" && ctx.downstreamData ? { bytes: ctx.downstreamData.bytes, ref: ctx.downstreamData } : empty;
    case BufferType.UpstreamData:
      return ctx.kind === "tcp" && ctx.upstreamData ? { bytes: ctx.upstreamData.bytes, ref: ctx.upstreamData } : empty;
    case BufferType.HttpCallResponseBody: {
      const r = root.httpCallResponse ?? (vm.current?.kind === "root" ? vm.current.httpCallResponse : null);
      return r ? { bytes: r.body, ref: null } : "unavailable";
    }
    case BufferType.GrpcReceiveBuffer:
      return { bytes: root.grpcMessage ?? new Uint8Array(0), ref: null };
    case BufferType.VmConfiguration:
      return { bytes: vm.options.vmConfig, ref: null };
    case BufferType.PluginConfiguration:
      return root.pluginConfigReadable ? { bytes: root.plugin.configuration, ref: null } : "unavailable";
    case BufferType.CallData:
      return root.callData ? { bytes: root.callData, ref: null } : "unavailable";
  }
  return "unavailable";
}

export function bufferImports(vm: Vm) {
  return {
    proxy_get_buffer_status: vm.hostcall("env.proxy_get_buffer_status", (type: number, lenPtr: number, flagsPtr: number) => {
      const b = bufferFor(vm, type);
      if (b === "bad-type") return WasmResult.BadArgument;
      if (b === "unavailable") return WasmResult.NotFound;
      vm.memory.setU32(lenPtr, b.bytes.length);
      vm.memory.setU32(flagsPtr, 0); // Envoy always reports flags = 0
      return WasmResult.Ok;
    }),
    proxy_get_buffer_bytes: vm.hostcall("env.proxy_get_buffer_bytes", (type: number, start: number, max: number, pp: number, sp: number) => {
      const b = bufferFor(vm, type);
      if (b === "bad-type") return WasmResult.BadArgument;
      if (b === "unavailable") return WasmResult.NotFound;
      start >>>= 0;
      max >>>= 0;
      // Envoy checks start + max_size for overflow in 64 bits, which 32-bit arguments never
      // reach; everything else is clamped (§3.5).
      const len = start > b.bytes.length ? 0 : Math.min(max, b.bytes.length - start);
      return vm.copyOut(b.bytes.subarray(start, start + len), pp, sp);
    }),
    proxy_set_buffer_bytes: vm.hostcall("env.proxy_set_buffer_bytes", (type: number, start: number, size: number, dp: number, ds: number) => {
      const b = bufferFor(vm, type);
      if (b === "bad-type") return WasmResult.BadArgument;
      if (b === "unavailable") return WasmResult.NotFound;
      const data = vm.memory.read(dp, ds);
      // Immutable buffers and bodies the context does not currently hold.
      if (!b.ref) return WasmResult.BadArgument;
      start >>>= 0;
      size >>>= 0;
      const cur = b.ref.bytes;
      if (start === 0) {
        // size 0: prepend; size N: replace the first N bytes (all if N >= length).
        b.ref.bytes = concat(data, cur.subarray(Math.min(size, cur.length)));
      } else if (start >= cur.length) {
        b.ref.bytes = concat(cur, data);
      } else {
        return WasmResult.BadArgument; // no mid-buffer splice in Envoy
      }
      return WasmResult.Ok;
    }),
    // ABI 0.1.0 only: the plugin configuration during on_configure, else the VM configuration.
    proxy_get_configuration: vm.hostcall("env.proxy_get_configuration", (pp: number, sp: number) => {
      const ctx = vm.ctx;
      const root = ctx ? (ctx.kind === "root" ? ctx : ctx.root) : null;
      const bytes = root?.pluginConfigReadable ? root.plugin.configuration : vm.options.vmConfig;
      return vm.copyOut(bytes, pp, sp);
    }),
  };
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

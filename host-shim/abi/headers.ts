// Header-map hostcalls (§3.6) with Envoy's availability rules (§5.2): which map a context can
// reach in which phase, and the exact result codes when it cannot.
import { MapType, WasmResult } from "../status.ts";
import { decodePairs, encodePairs, latin1 } from "../memory.ts";
import type { HeaderMap } from "../header-map.ts";
import type { Vm } from "../vm.ts";

interface MapAccess {
  map: HeaderMap | null;
  writable: boolean;
  /** In on_log an unavailable map answers NotFound to get_header_map_value instead of BadArgument. */
  inLog: boolean;
}

/**
 * The map `type` names for the current context. `mutable` is Envoy's getMap (writes and size):
 * only it creates trailers on the last body chunk; reads go through getConstMap and never do.
 */
export function mapFor(vm: Vm, type: number, mutable = false): MapAccess | "bad-type" {
  if (type >>> 0 > 7) return "bad-type";
  const ctx = vm.ctx;
  const none: MapAccess = { map: null, writable: false, inLog: false };
  if (!ctx) return none;
  if (type === MapType.HttpCallResponseHeaders || type === MapType.HttpCallResponseTrailers) {
    // The callout response belongs to the root that made the call; it stays readable during
    // on_http_call_response even after the SDK switched the effective context to the stream.
    const root = ctx.kind === "root" ? ctx : ctx.root;
    const r = root.httpCallResponse ?? (vm.current?.kind === "root" ? vm.current.httpCallResponse : null);
    if (!r) return none;
    return { map: type === MapType.HttpCallResponseHeaders ? r.headers : r.trailers, writable: false, inLog: false };
  }
  if (type === MapType.GrpcReceiveInitialMetadata || type === MapType.GrpcReceiveTrailingMetadata) {
    const root = ctx.kind === "root" ? ctx : ctx.root;
    return { map: root.grpcMetadataType === type ? root.grpcMetadata : null, writable: false, inLog: false };
  }
  if (ctx.kind !== "http") return none;
  if (ctx.inLog) {
    const s = ctx.stream;
    const map =
      type === MapType.RequestHeaders ? s.requestHeaders :
      type === MapType.ResponseHeaders ? s.responseHeaders :
      type === MapType.ResponseTrailers ? s.responseTrailers : null;
    return { map, writable: false, inLog: true };
  }
  switch (type) {
    case MapType.RequestHeaders:
      return { map: ctx.reqHeaders, writable: true, inLog: false };
    case MapType.RequestTrailers:
      if (mutable && !ctx.reqTrailers && ctx.canCreateReqTrailers) return { map: ctx.stream.createRequestTrailers(ctx), writable: true, inLog: false };
      return { map: ctx.reqTrailers, writable: true, inLog: false };
    case MapType.ResponseHeaders:
      return { map: ctx.respHeaders, writable: true, inLog: false };
    case MapType.ResponseTrailers:
      if (mutable && !ctx.respTrailers && ctx.canCreateRespTrailers) return { map: ctx.stream.createResponseTrailers(ctx), writable: true, inLog: false };
      return { map: ctx.respTrailers, writable: true, inLog: false };
  }
  return none;
}

/** Keys are lower-cased by Envoy on every operation (§3.6). */
const key = (vm: Vm, ptr: number, size: number) => latin1(vm.memory.read(ptr, size)).toLowerCase();
const value = (vm: Vm, ptr: number, size: number) => latin1(vm.memory.read(ptr, size));
const bytes = (s: string) => Buffer.from(s, "latin1");

export function headerImports(vm: Vm) {
  const writable = (type: number): HeaderMap | WasmResult => {
    const a = mapFor(vm, type, true);
    if (a === "bad-type" || !a.map || !a.writable) return WasmResult.BadArgument;
    return a.map;
  };
  return {
    proxy_get_header_map_value: vm.hostcall("env.proxy_get_header_map_value", (type: number, kp: number, ks: number, vpp: number, vsp: number) => {
      const a = mapFor(vm, type);
      if (a === "bad-type") return WasmResult.BadArgument;
      const k = key(vm, kp, ks);
      if (!a.map) return a.inLog ? WasmResult.NotFound : WasmResult.BadArgument;
      const v = a.map.get(k);
      if (v === undefined) return WasmResult.NotFound;
      return vm.copyOut(bytes(v), vpp, vsp);
    }),
    proxy_get_header_map_pairs: vm.hostcall("env.proxy_get_header_map_pairs", (type: number, pp: number, sp: number) => {
      const a = mapFor(vm, type);
      if (a === "bad-type") return WasmResult.BadArgument;
      // An unavailable map is Ok with an empty result in Envoy, not an error (§3.6).
      const pairs = a.map ? a.map.pairs().map(([k, v]) => [bytes(k), bytes(v)] as [Uint8Array, Uint8Array]) : [];
      return vm.copyOut(encodePairs(pairs), pp, sp);
    }),
    proxy_set_header_map_pairs: vm.hostcall("env.proxy_set_header_map_pairs", (type: number, ptr: number, size: number) => {
      const m = writable(type);
      if (typeof m === "number") return m;
      // Malformed input parses as an empty map, which clears the headers (§4.1).
      const pairs = decodePairs(vm.memory.read(ptr, size)).map(([k, v]) => [latin1(k).toLowerCase(), latin1(v)] as [string, string]);
      m.setAll(pairs);
      return WasmResult.Ok;
    }),
    proxy_add_header_map_value: vm.hostcall("env.proxy_add_header_map_value", (type: number, kp: number, ks: number, vp: number, vs: number) => {
      const k = key(vm, kp, ks);
      const v = value(vm, vp, vs);
      const m = writable(type);
      if (typeof m === "number") return m;
      m.add(k, v);
      return WasmResult.Ok;
    }),
    proxy_replace_header_map_value: vm.hostcall("env.proxy_replace_header_map_value", (type: number, kp: number, ks: number, vp: number, vs: number) => {
      const k = key(vm, kp, ks);
      const v = value(vm, vp, vs);
      const m = writable(type);
      if (typeof m === "number") return m;
      m.replace(k, v);
      return WasmResult.Ok;
    }),
    proxy_remove_header_map_value: vm.hostcall("env.proxy_remove_header_map_value", (type: number, kp: number, ks: number) => {
      const k = key(vm, kp, ks);
      const m = writable(type);
      if (typeof m === "number") return m;
      m.remove(k);
      return WasmResult.Ok;
    }),
    proxy_get_header_map_size: vm.hostcall("env.proxy_get_header_map_size", (type: number, sizePtr: number) => {
      // Uses the mutable map: unavailable (including during on_log) -> BadArgument (§3.6).
      const a = mapFor(vm, type, true);
      if (a === "bad-type" || !a.map || a.inLog) return WasmResult.BadArgument;
      vm.memory.setU32(sizePtr, a.map.byteSize);
      return WasmResult.Ok;
    }),
  };
}

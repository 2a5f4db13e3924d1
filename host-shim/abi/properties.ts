// proxy_get_property / proxy_set_property (§3.7, §4.3, §4.5, §6).
import { WasmResult } from "../status.ts";
import { latin1 } from "../memory.ts";
import { navigate, serializeValue, SerializationFailure, V, type Value } from "../values.ts";
import type { Vm } from "../vm.ts";

/** Top-level names Envoy resolves before falling back to `wasm.<name>` filter state (§3.7). */
const BUILTIN = new Set([
  "request", "response", "connection", "upstream", "source", "destination", "metadata", "filter_state",
  "upstream_filter_state", "xds", "plugin_name", "plugin_root_id", "plugin_vm_id", "connection_id",
]);
/** Removed in Envoy 1.33 (§6.1): served only when the host emulates an older Envoy. */
const LEGACY = new Set(["node", "cluster_name", "cluster_metadata", "listener_direction", "listener_metadata", "route_name", "route_metadata", "upstream_host_metadata"]);

export function splitPath(raw: Uint8Array): string[] {
  // Segments stay byte strings (latin1), like header names and filter-state keys.
  const segs = latin1(raw).split("\0");
  if (segs.length > 1 && segs[segs.length - 1] === "") segs.pop(); // Envoy tolerates a trailing NUL
  return segs;
}

/** Resolves a property for the current context: a Value, or undefined for NotFound. */
export function resolveProperty(vm: Vm, segs: string[]): Value | undefined {
  const ctx = vm.ctx;
  const [top, ...rest] = segs;
  const plugin = ctx ? ctx.plugin : vm.logPlugin;
  const stream = ctx && ctx.kind !== "root" ? (ctx.kind === "http" ? ctx.stream : ctx.connection) : null;
  // Properties a test gave by dotted name (per stream, or host-wide) come first.
  const overrides = stream ? stream.init.properties : vm.host.rootProperties;
  const dotted = segs.join(".");
  if (overrides.has(dotted)) return overrides.get(dotted) ?? undefined;
  let base: Value | undefined;
  switch (top) {
    case "plugin_name":
      base = plugin ? V.str(plugin.name) : undefined;
      break;
    case "plugin_root_id":
      base = plugin ? V.str(plugin.rootId) : undefined;
      break;
    case "plugin_vm_id":
      base = V.str(vm.options.vmId);
      break;
    case "xds":
      base = navigate(vm.host.nodeProperties, ["xds"]);
      if (stream) base = mergeMaps(base, stream.attribute(ctx!, "xds"));
      break;
    default:
      if (LEGACY.has(top)) {
        const [major, minor] = vm.host.envoyVersion;
        if (major === 1 && minor >= 33) return undefined;
        base = top === "node" ? navigate(vm.host.nodeProperties, ["xds", "node"]) : stream?.attribute(ctx!, "xds")?.t === "map" ? navigate(stream.attribute(ctx!, "xds"), [top]) : undefined;
        break;
      }
      if (BUILTIN.has(top)) {
        base = stream ? stream.attribute(ctx!, top) : undefined;
        break;
      }
      // Anything else: filter state written with proxy_set_property on this stream.
      if (stream) {
        const fs = stream.filterState.get(`wasm.${top}`);
        base = fs ? V.bytes(fs) : undefined;
      }
  }
  return navigate(base, rest);
}

function mergeMaps(a: Value | undefined, b: Value | undefined): Value | undefined {
  if (!a) return b;
  if (!b || a.t !== "map" || b.t !== "map") return a;
  return { t: "map", v: new Map([...a.v, ...b.v]) };
}

export function propertyImports(vm: Vm) {
  return {
    proxy_get_property: vm.hostcall("env.proxy_get_property", (pp: number, ps: number, vpp: number, vsp: number) => {
      const raw = vm.memory.read(pp, ps);
      if (raw.length === 0) return WasmResult.SerializationFailure;
      const value = resolveProperty(vm, splitPath(raw));
      if (!value) return WasmResult.NotFound;
      let bytes: Uint8Array;
      try {
        bytes = serializeValue(value);
      } catch (e) {
        if (e instanceof SerializationFailure) return WasmResult.SerializationFailure;
        throw e;
      }
      return vm.copyOut(bytes, vpp, vsp);
    }),
    proxy_set_property: vm.hostcall("env.proxy_set_property", (pp: number, ps: number, vp: number, vs: number) => {
      const path = vm.memory.read(pp, ps);
      const value = vm.memory.read(vp, vs);
      const ctx = vm.ctx;
      if (!ctx || ctx.kind === "root") return WasmResult.NotFound; // no stream, no filter state
      // Stored under "wasm." + the raw path bytes: a multi-segment path keeps its NULs and so
      // cannot be read back by segments (§3.7).
      const stream = ctx.kind === "http" ? ctx.stream : ctx.connection;
      stream.filterState.set(`wasm.${latin1(path)}`, value);
      return WasmResult.Ok;
    }),
  };
}

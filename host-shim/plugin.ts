// A plugin: one configured use of a module (§1.1), as Envoy's PluginConfig / Istio's WasmPlugin.
import type { CompiledModule } from "./vm.ts";
import type { FailStrategy } from "./types.ts";

export interface PluginSpec {
  /** plugin_name; Istio uses `<namespace>.<name>` (§6.7). */
  name: string;
  /** plugin_root_id (WasmPlugin.pluginName). */
  rootId: string;
  /** Plugins with the same vmId, VM configuration and code share a VM (§1.1). */
  vmId: string;
  vmConfig: Uint8Array;
  /** PLUGIN_CONFIGURATION bytes (JSON text for a WasmPlugin.pluginConfig Struct). */
  configuration: Uint8Array;
  failStrategy: FailStrategy;
  /** Envoy ≥ 1.35 plugin option (§2.3). */
  allowOnHeadersStopIteration: boolean;
  /** WASI environment (WasmPlugin.vmConfig.env). */
  env: Record<string, string>;
  code: CompiledModule;
}

/** The VM key of §1.1: plugins whose key is equal share one VM per worker. */
export function vmKey(p: PluginSpec): string {
  return `${p.vmId}\0${Buffer.from(p.vmConfig).toString("base64")}\0${p.code.path ?? ""}#${p.code.bytes.length}`;
}

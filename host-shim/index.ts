// wasmesh host shim: run proxy-wasm modules (ours or anyone's) the way Envoy does, in Node.
export { Host } from "./host.ts";
export type { HostOptions, PluginOptions, SendOptions } from "./host.ts";
export { LoadedPlugin } from "./loaded-plugin.ts";
export type { ConfigureOutcome } from "./loaded-plugin.ts";
export { HttpStream } from "./http-stream.ts";
export { TcpConnection } from "./tcp.ts";
export { HeaderMap } from "./header-map.ts";
export { LoadError, RestrictedCallError, WasmTrap } from "./errors.ts";
export { CompiledModule } from "./vm.ts";
export { readModuleInfo, formatType } from "./binary.ts";
export { allowedImports, callbackSignatures, ABI_MARKERS } from "./abi-table.ts";
export { encodePairs, decodePairs } from "./memory.ts";
export type { ClusterHandler, CalloutRequest, CalloutResponse, GrpcClusterHandler, GrpcCalloutRequest, GrpcCalloutResponse } from "./host-core.ts";
export type * from "./types.ts";
export { WasmResult, MapType, BufferType, StreamType } from "./status.ts";
export { httpClusterTo } from "./real-cluster.ts";
export type { RealClusterOptions } from "./real-cluster.ts";

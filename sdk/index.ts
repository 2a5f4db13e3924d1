// wasmesh SDK: the public API. A filter's entry file:
//
//   import { registerRootContext, RootContext, HttpContext, … } from "../../sdk";
//   export * from "../../sdk/abi/exports";
//   registerRootContext((id, rootId) => new MyRoot(id, rootId), "");
//
// The hooks that replace AssemblyScript's env.abort/seed/trace (mapped by asconfig.json's
// `--use`) live in runtime/hooks.ts; importing it here is what makes the build link.
import "./runtime/hooks";

export * from "./result";
export * from "./contexts";
export { registerRootContext, RootContextFactory, getRootContext, getStreamContext, getContext, currentContextId } from "./dispatcher";
export * from "./pairs";
export * from "./headers";
export * from "./buffers";
export * from "./properties";
export * from "./attributes";
export * from "./filter-state";
export * from "./logs";
export * from "./timers";
export * from "./stream";
export * from "./callouts";
export * from "./shared-data";
export * from "./queues";
export * from "./metrics";
export * from "./foreign";
export * from "./context-control";
export * from "./random";

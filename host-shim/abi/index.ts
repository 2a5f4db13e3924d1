// Builds the import object for one VM: the env hostcalls of its ABI version and both WASI
// modules. One file per ABI area, named like the SDK's sdk/abi/ files.
import { allowedImports, WASI_MODULES } from "../abi-table.ts";
import type { Vm } from "../vm.ts";
import { bufferImports } from "./buffers.ts";
import { calloutImports } from "./callouts.ts";
import { contextImports } from "./context.ts";
import { headerImports } from "./headers.ts";
import { logImports } from "./logs.ts";
import { metricImports } from "./metrics.ts";
import { propertyImports } from "./properties.ts";
import { queueImports } from "./queues.ts";
import { sharedDataImports } from "./shared-data.ts";
import { streamImports } from "./stream.ts";
import { timerImports } from "./timers.ts";
import { wasiImports } from "./wasi.ts";

export function buildImports(vm: Vm): WebAssembly.Imports {
  const all: Record<string, Function> = {
    ...logImports(vm),
    ...timerImports(vm),
    ...headerImports(vm),
    ...bufferImports(vm),
    ...propertyImports(vm),
    ...streamImports(vm),
    ...calloutImports(vm),
    ...sharedDataImports(vm),
    ...queueImports(vm),
    ...metricImports(vm),
    ...contextImports(vm),
  };
  // Only what this ABI version registers: a module importing anything else failed to load.
  const env: Record<string, Function> = {};
  for (const key of allowedImports(vm.abi).keys()) {
    const [mod, name] = key.split(".");
    if (mod === "env" && all[name]) env[name] = all[name];
  }
  const imports: WebAssembly.Imports = { env: env as WebAssembly.ModuleImports };
  for (const m of WASI_MODULES) imports[m] = wasiImports(vm, m) as WebAssembly.ModuleImports;
  return imports;
}

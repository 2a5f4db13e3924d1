// Logging hostcalls (§3.4): proxy_log, proxy_get_log_level.
import { LOG_LEVELS, logLevelIndex, WasmResult } from "../status.ts";
import { fromUtf8 } from "../memory.ts";
import type { Vm } from "../vm.ts";

export function logImports(vm: Vm) {
  return {
    proxy_log: vm.hostcall("env.proxy_log", (level: number, ptr: number, size: number) => {
      if (level >>> 0 > 5) return WasmResult.BadArgument;
      // Envoy logs the bytes as they are; the shim keeps them as UTF-8 text.
      vm.log(LOG_LEVELS[level], fromUtf8(vm.memory.read(ptr, size)));
      return WasmResult.Ok;
    }),
    proxy_get_log_level: vm.hostcall("env.proxy_get_log_level", (ptr: number) => {
      vm.memory.setU32(ptr, logLevelIndex(vm.host.logger.level));
      return WasmResult.Ok;
    }),
  };
}

// Logging hostcalls (§3.4): proxy_log, proxy_get_log_level.
import { LOG_LEVELS, logLevelIndex, WasmResult } from "../status.ts";
import { latin1 } from "../memory.ts";
import type { Vm } from "../vm.ts";

export function logImports(vm: Vm) {
  return {
    proxy_log: vm.hostcall("env.proxy_log", (level: number, ptr: number, size: number) => {
      if (level >>> 0 > 5) return WasmResult.BadArgument;
      const msg = latin1(vm.memory.read(ptr, size));
      vm.log(LOG_LEVELS[level], Buffer.from(msg, "latin1").toString("utf8"));
      return WasmResult.Ok;
    }),
    proxy_get_log_level: vm.hostcall("env.proxy_get_log_level", (ptr: number) => {
      vm.memory.setU32(ptr, logLevelIndex(vm.host.logger.level));
      return WasmResult.Ok;
    }),
  };
}

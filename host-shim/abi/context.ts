// Context control and foreign functions (§3.14), proxy_get_status, Emscripten helpers.
import { WasmResult } from "../status.ts";
import { latin1 } from "../memory.ts";
import type { Vm } from "../vm.ts";
import { rootOf } from "./timers.ts";

export function contextImports(vm: Vm) {
  return {
    proxy_set_effective_context: vm.hostcall("env.proxy_set_effective_context", (id: number) => {
      const ctx = vm.contexts.get(id >>> 0);
      if (!ctx) return WasmResult.BadArgument;
      vm.effective = ctx;
      return WasmResult.Ok;
    }),
    proxy_done: vm.hostcall("env.proxy_done", () => {
      const root = rootOf(vm);
      if (!root || !root.pendingDone) return WasmResult.NotFound;
      root.pendingDone = false;
      vm.defer(() => vm.deleteContext(root));
      return WasmResult.Ok;
    }),
    proxy_get_status: vm.hostcall("env.proxy_get_status", (codePtr: number, mpp: number, msp: number) => {
      const root = rootOf(vm);
      const status = root?.status ?? { code: 0, message: new Uint8Array(0) };
      vm.memory.setU32(codePtr, status.code);
      return vm.copyOut(status.message, mpp, msp);
    }),
    proxy_call_foreign_function: vm.hostcall(
      "env.proxy_call_foreign_function",
      (np: number, ns: number, ap: number, as: number, rpp: number, rsp: number) => {
        const name = latin1(vm.memory.read(np, ns));
        const args = vm.memory.read(ap, as);
        const fn = vm.host.foreignFunctions.get(name);
        if (!fn) return WasmResult.NotFound;
        const { status, result } = fn(args, vm);
        if (result && rpp !== 0) {
          const r = vm.copyOut(result, rpp, rsp);
          if (r !== WasmResult.Ok) return r;
        }
        return status;
      },
    ),
    pthread_equal: vm.hostcall("env.pthread_equal", (a: number, b: number) => (a === b ? 1 : 0)),
    emscripten_notify_memory_growth: vm.hostcall("env.emscripten_notify_memory_growth", () => undefined),
    envoy_resolve_dns: vm.hostcall("env.envoy_resolve_dns", () => WasmResult.Unimplemented),
  };
}

// Time and the root tick timer (§3.4).
import { WasmResult } from "../status.ts";
import type { Vm } from "../vm.ts";
import type { RootContext } from "../contexts.ts";

export function rootOf(vm: Vm): RootContext | null {
  const ctx = vm.ctx;
  if (!ctx) return null;
  return ctx.kind === "root" ? ctx : ctx.root;
}

/** Arms (or re-arms) a root's tick: the first tick one period after the call. */
export function armTick(vm: Vm, root: RootContext): void {
  root.tickTimer?.cancel();
  root.tickTimer = null;
  if (root.tickPeriod <= 0) return;
  // Ticks are delivered only to modules that export proxy_on_tick (§3.4); the period is still Ok.
  if (!vm.code.exportsFunction("proxy_on_tick")) return;
  root.tickTimer = vm.host.scheduler.setTimer(root.tickPeriod, () => {
    root.tickTimer = null;
    if (vm.failed || !vm.contexts.has(root.id)) return;
    vm.call("proxy_on_tick", root, [root.id], "tick");
    // Re-armed after the callback returns: the period counts from the end of the tick.
    if (!vm.failed && root.tickPeriod > 0 && !root.tickTimer) armTick(vm, root);
  });
}

export function timerImports(vm: Vm) {
  return {
    proxy_set_tick_period_milliseconds: vm.hostcall("env.proxy_set_tick_period_milliseconds", (period: number) => {
      const root = rootOf(vm);
      if (!root) return WasmResult.Ok;
      root.tickPeriod = period >>> 0;
      armTick(vm, root);
      return WasmResult.Ok;
    }),
    proxy_get_current_time_nanoseconds: vm.hostcall("env.proxy_get_current_time_nanoseconds", (ptr: number) => {
      vm.memory.setU64(ptr, BigInt(Math.round(vm.host.scheduler.now())) * 1_000_000n);
      return WasmResult.Ok;
    }),
  };
}

// Metrics (§3.13): per-VM ids (type = id & 3), process-wide values by name.
import { WasmResult } from "../status.ts";
import { latin1 } from "../memory.ts";
import type { Vm } from "../vm.ts";

const TYPES = ["counter", "gauge", "histogram"] as const;

export function metricImports(vm: Vm) {
  const registry = vm.host.metrics;
  const sequences = [0, 0, 0];
  const lookup = (id: number) => {
    const m = vm.metricIds.get(id >>> 0);
    return m ? registry.get(m.name, TYPES[m.type]) : undefined;
  };
  return {
    proxy_define_metric: vm.hostcall("env.proxy_define_metric", (type: number, np: number, ns: number, idPtr: number) => {
      const name = latin1(vm.memory.read(np, ns));
      if (type >>> 0 > 2) return WasmResult.BadArgument;
      vm.memory.assertWritable(idPtr, 4);
      registry.define(name, TYPES[type]);
      // One sequence per type, as cpp-host keeps them: counters 4, 8…; gauges 5, 9…; histograms 6, 10….
      const seq = ++sequences[type];
      const id = ((seq << 2) | type) >>> 0;
      vm.metricIds.set(id, { name, type });
      vm.memory.setU32(idPtr, id);
      return WasmResult.Ok;
    }),
    proxy_increment_metric: vm.hostcall("env.proxy_increment_metric", (id: number, offset: bigint) => {
      const type = (id >>> 0) & 3;
      if (type === 2) return WasmResult.BadArgument;
      const m = lookup(id);
      if (!m) return WasmResult.NotFound;
      if (m.type === "counter") {
        if (offset <= 0n) return WasmResult.BadArgument; // even 0
        m.value += offset;
      } else {
        m.value += offset;
      }
      return WasmResult.Ok;
    }),
    proxy_record_metric: vm.hostcall("env.proxy_record_metric", (id: number, value: bigint) => {
      const m = lookup(id);
      if (!m) return WasmResult.NotFound;
      const v = BigInt.asUintN(64, value);
      if (m.type === "counter") m.value += v; // record on a counter adds
      else if (m.type === "gauge") m.value = v;
      else m.samples.push(v);
      return WasmResult.Ok;
    }),
    proxy_get_metric: vm.hostcall("env.proxy_get_metric", (id: number, ptr: number) => {
      const type = (id >>> 0) & 3;
      const m = lookup(id);
      if (type === 2) return m ? WasmResult.BadArgument : WasmResult.NotFound;
      if (!m) return WasmResult.NotFound;
      vm.memory.setU64(ptr, m.value);
      return WasmResult.Ok;
    }),
  };
}

// Shared data (§3.11): one key/value store per vm_id, across plugins and workers, with CAS.
import { WasmResult } from "../status.ts";
import { latin1 } from "../memory.ts";
import type { Vm } from "../vm.ts";

export function sharedDataImports(vm: Vm) {
  const vmId = () => vm.options.vmId;
  return {
    proxy_get_shared_data: vm.hostcall("env.proxy_get_shared_data", (kp: number, ks: number, vpp: number, vsp: number, casPtr: number) => {
      const key = latin1(vm.memory.read(kp, ks));
      const entry = vm.host.sharedData.get(vmId(), key);
      if (!entry) return WasmResult.NotFound;
      const r = vm.copyOut(entry.value, vpp, vsp);
      if (r !== WasmResult.Ok) return r;
      vm.memory.setU32(casPtr, entry.cas);
      return WasmResult.Ok;
    }),
    proxy_set_shared_data: vm.hostcall("env.proxy_set_shared_data", (kp: number, ks: number, vp: number, vs: number, cas: number) => {
      const key = latin1(vm.memory.read(kp, ks));
      const value = vm.memory.read(vp, vs);
      return vm.host.sharedData.set(vmId(), key, value, cas >>> 0) === "ok" ? WasmResult.Ok : WasmResult.CasMismatch;
    }),
  };
}

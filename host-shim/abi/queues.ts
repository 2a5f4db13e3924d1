// Shared queues (§3.12): identity (vm_id, name); the last registrant is notified, one
// proxy_on_queue_ready per enqueue, delivered asynchronously.
import { WasmResult } from "../status.ts";
import { latin1 } from "../memory.ts";
import type { Vm } from "../vm.ts";
import { rootOf } from "./timers.ts";

export function queueImports(vm: Vm) {
  const queues = vm.host.queues;
  return {
    proxy_register_shared_queue: vm.hostcall("env.proxy_register_shared_queue", (np: number, ns: number, idPtr: number) => {
      const name = latin1(vm.memory.read(np, ns));
      const root = rootOf(vm);
      const id = queues.register(vm.options.vmId, name, { vm, rootId: root?.id ?? 0 });
      vm.memory.setU32(idPtr, id);
      return WasmResult.Ok;
    }),
    proxy_resolve_shared_queue: vm.hostcall("env.proxy_resolve_shared_queue", (vp: number, vs: number, np: number, ns: number, idPtr: number) => {
      const vmId = latin1(vm.memory.read(vp, vs)) || vm.options.vmId;
      const name = latin1(vm.memory.read(np, ns));
      const id = queues.resolve(vmId, name);
      if (id === undefined) return WasmResult.NotFound;
      vm.memory.setU32(idPtr, id);
      return WasmResult.Ok;
    }),
    proxy_enqueue_shared_queue: vm.hostcall("env.proxy_enqueue_shared_queue", (id: number, vp: number, vs: number) => {
      const value = vm.memory.read(vp, vs);
      const binding = queues.enqueue(id >>> 0, value);
      if (binding === undefined) return WasmResult.NotFound;
      if (binding) {
        const { vm: target, rootId } = binding;
        vm.host.scheduler.post(() => {
          const root = target.contexts.get(rootId);
          if (!root || root.kind !== "root" || target.failed) return;
          target.call("proxy_on_queue_ready", root, [rootId, id >>> 0], "queue");
        });
      }
      return WasmResult.Ok;
    }),
    proxy_dequeue_shared_queue: vm.hostcall("env.proxy_dequeue_shared_queue", (id: number, pp: number, sp: number) => {
      const item = queues.dequeue(id >>> 0);
      if (item === undefined) return WasmResult.NotFound;
      if (item === "empty") return WasmResult.Empty;
      return vm.copyOut(item, pp, sp);
    }),
  };
}

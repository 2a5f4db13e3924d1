// A plugin loaded into the host: its spec, and on each worker the VM it runs in and how its
// start-up went.
import type { PluginSpec } from "./plugin.ts";
import type { RootContext } from "./contexts.ts";
import type { Vm } from "./vm.ts";
import type { WasmTrap } from "./errors.ts";

export type ConfigureOutcome = "ok" | "rejected" | "trapped" | "load-error";

export interface WorkerState {
  vm: Vm;
  root: RootContext;
  outcome: "ok" | "rejected" | "trapped";
}

export class LoadedPlugin {
  readonly workers: WorkerState[] = [];
  /** Set when the module could not be loaded at all (then there are no workers). */
  loadError: Error | null = null;
  constructor(readonly spec: PluginSpec) {}

  get name(): string {
    return this.spec.name;
  }
  /** How on_vm_start/on_configure went (on the first worker; every worker runs the same code). */
  get outcome(): ConfigureOutcome {
    if (this.loadError) return "load-error";
    return this.workers[0]?.outcome ?? "rejected";
  }
  get configured(): boolean {
    return this.outcome === "ok";
  }
  /** The trap that failed the start-up, if any. */
  get startupTrap(): WasmTrap | null {
    return this.workers.find((w) => w.outcome === "trapped")?.vm.failed ?? null;
  }
  vm(worker = 0): Vm {
    return this.workers[worker].vm;
  }
}

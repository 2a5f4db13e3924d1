// One VM: an instance of a module on one simulated worker (§1.1), alive across streams. It owns
// the instance, the context ids, the current/effective context during a callback, the restricted
// modes of start-up and allocation, and the failure state after a trap (§5.9).
import { ALLOWED_DURING_ALLOC, ALLOWED_DURING_INIT, WASI_MODULES, type AbiVersion } from "./abi-table.ts";
import { readModuleInfo, WasmFormatError, type ModuleInfo } from "./binary.ts";
import { checkConformance } from "./conformance.ts";
import { LoadError, RestrictedCallError, WasmTrap } from "./errors.ts";
import { GuestMemory, OutOfBounds } from "./memory.ts";
import { WasmResult, type LogLevel } from "./status.ts";
import { describeTrap, SourceMapper } from "./trap.ts";
import type { HostCore } from "./host-core.ts";
import type { PluginSpec } from "./plugin.ts";
import type { HttpStreamContext } from "./contexts.ts";
import { RootContext, type Context } from "./contexts.ts";
import { buildImports } from "./abi/index.ts";

/** What the module was loaded from; shared by every VM of the same code. */
export class CompiledModule {
  readonly info: ModuleInfo;
  readonly abi: AbiVersion;
  readonly module: WebAssembly.Module;
  readonly sourceMap: SourceMapper;
  readonly allocator: "malloc" | "proxy_on_memory_allocate";

  constructor(readonly bytes: Uint8Array, readonly path?: string) {
    let info: ModuleInfo;
    try {
      info = readModuleInfo(bytes);
    } catch (e) {
      throw new LoadError(`${path ?? "module"}: ${e instanceof WasmFormatError ? e.message : String(e)}`);
    }
    this.info = info;
    const c = checkConformance(info);
    if (c.problems.length) throw new LoadError(c.problems[0].envoy);
    this.abi = c.abi!;
    this.allocator = c.allocator!;
    try {
      this.module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    } catch (e) {
      throw new LoadError(`${path ?? "module"}: ${(e as Error).message}`);
    }
    this.sourceMap = SourceMapper.forFile(path);
  }

  exportsFunction(name: string): boolean {
    return this.info.exports.some((e) => e.kind === "function" && e.name === name);
  }
}

type Mode = "start" | "init" | "alloc" | "normal";
export const TRAPPED = Symbol("trapped");
export type CallResult = number | undefined | typeof TRAPPED;

export interface VmOptions {
  vmId: string;
  vmConfig: Uint8Array;
  env: Record<string, string>;
  worker: number;
  /** A name for logs and errors (the first plugin's name). */
  label: string;
}

export class Vm {
  readonly memory: GuestMemory;
  instance!: WebAssembly.Instance;
  private exportsMap!: Record<string, Function>;
  failed: WasmTrap | null = null;
  /** When the VM failed, on the host's clock (FAIL_RELOAD waits a backoff from here). */
  failedAt = 0;
  private mode: Mode = "start";
  readonly contexts = new Map<number, Context>();
  private nextContextId = 1;
  /** The context the running callback is for, and the one hostcalls act on. */
  current: Context | null = null;
  effective: Context | null = null;
  /** Which plugin's root each callback belongs to, for logs. */
  logPlugin: PluginSpec | null = null;
  logPhase: "startup" | "configure" | "stream" | "tick" | "callout" | "queue" | "shutdown" = "startup";
  /** Callout token counter (§3.9: 4, 8, 12…; gRPC calls …01, streams …10). */
  private tokenSeq = 0;
  /** Metric ids of this VM (§3.13): id -> registry name. */
  readonly metricIds = new Map<number, { name: string; type: number }>();
  metricSeq = 0;
  /** Stream-affecting hostcalls, run after the callback returns (§5.10). */
  private deferred: Array<() => void> = [];
  private depth = 0;
  readonly roots = new Map<PluginSpec, RootContext>();

  constructor(readonly code: CompiledModule, readonly host: HostCore, readonly options: VmOptions) {
    this.memory = new GuestMemory(() => this.instance.exports.memory as WebAssembly.Memory);
  }

  get abi(): AbiVersion {
    return this.code.abi;
  }

  /** Instantiates and runs module initialisation (§1.3 steps 3–5). Throws LoadError or WasmTrap. */
  start(): void {
    const imports = buildImports(this);
    this.mode = "start";
    try {
      this.instance = new WebAssembly.Instance(this.code.module, imports);
    } catch (e) {
      if (e instanceof RestrictedCallError) throw new LoadError(`hostcall from the wasm start section: ${e.message}`);
      throw new LoadError(`instantiation failed: ${(e as Error).message}`);
    }
    this.exportsMap = this.instance.exports as unknown as Record<string, Function>;
    this.mode = "init";
    const run = (name: string, ...args: number[]) => {
      if (!this.exportsMap[name]) return;
      try {
        this.exportsMap[name](...args);
      } catch (e) {
        this.failed = describeTrap(e, name, this.code.sourceMap);
        throw this.failed;
      }
    };
    if (this.exportsMap._initialize) {
      run("_initialize");
      if (this.exportsMap.main) run("main", 0, 0);
      else if (this.exportsMap.__main_void) run("__main_void");
    } else {
      run("_start");
    }
    this.mode = "normal";
  }

  // ---- hostcall support ------------------------------------------------------------------

  /** Wraps a hostcall: restricted modes (§1.3, §2.1) and InvalidMemoryAccess for bad pointers. */
  hostcall<F extends (...args: any[]) => number | void>(key: string, impl: F): F {
    const vm = this;
    return function (this: unknown, ...args: any[]) {
      if (vm.mode === "start") throw new RestrictedCallError(`${key} called with no current context`);
      if (vm.mode === "init" && !ALLOWED_DURING_INIT.has(key)) throw new RestrictedCallError(`restricted_callback: ${key} is not allowed during module initialisation`);
      if (vm.mode === "alloc" && !ALLOWED_DURING_ALLOC.has(key)) throw new RestrictedCallError(`restricted_callback: ${key} is not allowed inside the allocator`);
      try {
        return impl(...args);
      } catch (e) {
        if (e instanceof OutOfBounds) return key.startsWith("env.") ? WasmResult.InvalidMemoryAccess : 21 /* WASI EFAULT */;
        throw e;
      }
    } as F;
  }

  /** The context hostcalls act on: the effective one if set, else the callback's. */
  get ctx(): Context | null {
    return this.effective ?? this.current;
  }

  /** Calls the module allocator from inside a hostcall; 0 means failure. */
  allocate(size: number): number {
    const prev = this.mode;
    this.mode = "alloc";
    try {
      return (this.exportsMap[this.code.allocator](size) as number) >>> 0;
    } finally {
      this.mode = prev;
    }
  }

  /**
   * The copy-out protocol (§4.4): empty -> (0, 0) without allocating; otherwise allocate in the
   * module, copy, write ptr and size. Allocation failure -> InvalidMemoryAccess.
   */
  copyOut(bytes: Uint8Array, ptrPtr: number, sizePtr: number): WasmResult {
    if (bytes.length === 0) {
      this.memory.setU32(ptrPtr, 0);
      this.memory.setU32(sizePtr, 0);
      return WasmResult.Ok;
    }
    const ptr = this.allocate(bytes.length);
    if (ptr === 0) return WasmResult.InvalidMemoryAccess;
    this.memory.write(ptr, bytes);
    this.memory.setU32(ptrPtr, ptr);
    this.memory.setU32(sizePtr, bytes.length);
    return WasmResult.Ok;
  }

  nextToken(kind: 0 | 1 | 2): number {
    this.tokenSeq += 4;
    return (this.tokenSeq | kind) >>> 0;
  }

  /** Queues a stream-affecting action to run after the current callback returns. */
  defer(action: () => void): void {
    if (this.depth === 0) this.host.scheduler.post(action);
    else this.deferred.push(action);
  }

  log(level: LogLevel, message: string): void {
    const ctx = this.ctx;
    const stream = ctx && ctx.kind !== "root" ? (ctx as HttpStreamContext).streamId : undefined;
    const spec = ctx ? ctx.plugin : this.logPlugin;
    const plugin = spec?.name ?? this.options.label;
    const prefix = [plugin, spec?.rootId, this.options.vmId].filter(Boolean).join(" ");
    this.host.logger.log({ plugin, worker: this.options.worker, level, message, phase: this.logPhase, stream, envoy: `wasm log ${prefix}: ${message}` });
  }

  // ---- contexts --------------------------------------------------------------------------

  allocateContextId(): number {
    while (this.contexts.has(this.nextContextId)) this.nextContextId++;
    return this.nextContextId++;
  }

  /**
   * Calls an exported callback for `ctx`. A missing export behaves as if it returned the
   * default. A trap fails the VM for good (§5.9) and returns TRAPPED.
   */
  call(name: string, ctx: Context | null, args: number[], phase?: Vm["logPhase"]): CallResult {
    if (this.failed) return TRAPPED;
    const fn = this.exportsMap[name];
    // A callback the module does not export is never called (and so not in the timeline).
    if (!fn) return undefined;
    const record = this.host.recordCallback(this, ctx, name, args);
    const prev = { current: this.current, effective: this.effective, phase: this.logPhase };
    this.current = ctx;
    this.effective = null;
    if (phase) this.logPhase = phase;
    this.depth++;
    let result: CallResult;
    try {
      const r = fn(...args);
      result = r === undefined ? undefined : (r as number) >>> 0;
    } catch (e) {
      this.failed = describeTrap(e, name, this.code.sourceMap);
      this.failedAt = this.host.scheduler.now();
      this.host.onTrap(this, this.failed, ctx);
      result = TRAPPED;
    } finally {
      this.depth--;
      this.current = prev.current;
      this.effective = prev.effective;
      this.logPhase = prev.phase;
    }
    if (record) record.result = result === TRAPPED ? "trap" : result;
    if (this.depth === 0 && this.deferred.length) {
      // After the callback returns, in call order (§5.10), before the host goes on.
      const actions = this.deferred;
      this.deferred = [];
      for (const a of actions) a();
    }
    return result;
  }

  /** Creates the root context of a plugin and runs on_vm_start and on_configure (§1.3 step 6). */
  createRoot(plugin: PluginSpec): { outcome: "ok" | "rejected" | "trapped"; root: RootContext } {
    const root = new RootContext(this, this.allocateContextId(), plugin);
    this.contexts.set(root.id, root);
    this.roots.set(plugin, root);
    this.logPlugin = plugin;
    root.pluginConfigReadable = true;
    const created = this.call("proxy_on_context_create", root, [root.id, 0], "startup");
    if (created === TRAPPED) return { outcome: "trapped", root };
    const started = this.call("proxy_on_vm_start", root, [root.id, this.options.vmConfig.length], "startup");
    if (started === TRAPPED) return { outcome: "trapped", root };
    if (started === 0) {
      root.pluginConfigReadable = false;
      return { outcome: "rejected", root };
    }
    const configured = this.call("proxy_on_configure", root, [root.id, plugin.configuration.length], "configure");
    root.pluginConfigReadable = false;
    if (configured === TRAPPED) return { outcome: "trapped", root };
    if (configured === 0) return { outcome: "rejected", root };
    return { outcome: "ok", root };
  }

  /** Ends a stream or root context: on_done (root: may wait for proxy_done) and on_delete. */
  deleteContext(ctx: Context): void {
    this.call("proxy_on_delete", ctx, [ctx.id], ctx.kind === "root" ? "shutdown" : "stream");
    this.contexts.delete(ctx.id);
  }

  /** Runs the root shutdown sequence of §1.5 for every plugin on this VM. */
  shutdown(): void {
    for (const root of this.roots.values()) {
      root.cancelTimers();
      if (this.failed) continue;
      const done = this.call("proxy_on_done", root, [root.id], "shutdown");
      if (done === 0) {
        root.pendingDone = true;
        continue;
      }
      this.deleteContext(root);
    }
  }

  wasiModules(): readonly string[] {
    return WASI_MODULES;
  }
}

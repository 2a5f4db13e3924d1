// Loading as Envoy loads (§1.3, §9): modules not built with our SDK (hand-written WAT), the
// checks made before anything runs, and the restricted phases.
import { describe, expect, it } from "vitest";
import wabtInit from "wabt";
import { Host, LoadError } from "../../host-shim/index.ts";
import { names } from "./helpers.ts";

const wabt = await wabtInit();
function wat(text: string): Uint8Array {
  const mod = wabt.parseWat("test.wat", text);
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

/**
 * A tiny filter written by hand: it adds `x-wat: 1` to the request headers and counts
 * allocations, so a test can see which allocator the host called.
 */
const HAND_WRITTEN = (allocators: string) => `
(module
  (import "env" "proxy_add_header_map_value" (func $add (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_value" (func $get (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (global $mallocs (mut i32) (i32.const 0))
  (global $pmas (mut i32) (i32.const 0))
  (data (i32.const 16) "x-wat")
  (data (i32.const 32) "1")
  (data (i32.const 48) ":path")
  (data (i32.const 64) "malloc")
  (data (i32.const 80) "proxy_on_memory_allocate")
  (func (export "proxy_abi_version_0_2_1"))
  (func $bump (param $n i32) (result i32) (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (local.get $p))
  ${allocators}
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (drop (call $add (i32.const 0) (i32.const 16) (i32.const 5) (i32.const 32) (i32.const 1)))
    ;; read :path so the host must allocate; then report which allocator ran
    (drop (call $get (i32.const 0) (i32.const 48) (i32.const 5) (i32.const 200) (i32.const 204)))
    (if (global.get $mallocs) (then (drop (call $log (i32.const 2) (i32.const 64) (i32.const 6)))))
    (if (global.get $pmas) (then (drop (call $log (i32.const 2) (i32.const 80) (i32.const 24)))))
    (i32.const 0))
)`;
const BOTH = `
  (func (export "malloc") (param i32) (result i32) (global.set $mallocs (i32.add (global.get $mallocs) (i32.const 1))) (call $bump (local.get 0)))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (global.set $pmas (i32.add (global.get $pmas) (i32.const 1))) (call $bump (local.get 0)))`;

describe("modules not built with the SDK", () => {
  it("a hand-written WAT filter runs in the shim", async () => {
    const host = new Host();
    await host.loadPlugin({ wasm: wat(HAND_WRITTEN(BOTH)), name: "wat" });
    const r = await host.send({ path: "/w" });
    expect(r.upstream!.header("x-wat")).toBe("1");
    // Only the callbacks the module exports are called.
    expect(names(r.timeline)).toEqual(["on_context_create", "on_request_headers"]);
  });

  it("malloc is looked up before proxy_on_memory_allocate (§1.3 step 4)", async () => {
    const host = new Host();
    await host.loadPlugin({ wasm: wat(HAND_WRITTEN(BOTH)), name: "wat" });
    await host.send({ path: "/w" });
    expect(host.logs("info").map((l) => l.message)).toEqual(["malloc"]);

    const onlyPma = new Host();
    await onlyPma.loadPlugin({ wasm: wat(HAND_WRITTEN(BOTH.split("\n").filter((l) => !l.includes('"malloc"')).join("\n"))), name: "wat" });
    await onlyPma.send({ path: "/w" });
    expect(onlyPma.logs("info").map((l) => l.message)).toEqual(["proxy_on_memory_allocate"]);
  });
});

const MINIMAL = (extra: string, exports = `(func (export "proxy_abi_version_0_2_1")) (func (export "malloc") (param i32) (result i32) (i32.const 1024))`) => `
(module ${extra} (memory (export "memory") 1) ${exports})`;

describe("load-time checks", () => {
  const load = (bytes: Uint8Array) => new Host().loadPlugin({ wasm: bytes, name: "m" });

  it("an import Envoy does not provide is a load error naming it", async () => {
    await expect(load(wat(MINIMAL(`(import "env" "abort" (func (param i32 i32 i32 i32)))`)))).rejects.toThrow("missing import: env.abort");
    await expect(load(wat(MINIMAL(`(import "env" "seed" (func (result f64)))`)))).rejects.toThrow("missing import: env.seed");
    await expect(load(wat(MINIMAL(`(import "wasi_snapshot_preview1" "fd_read_all" (func))`)))).rejects.toThrow(LoadError);
  });

  it("an import with the wrong signature is a type mismatch", async () => {
    await expect(load(wat(MINIMAL(`(import "env" "proxy_log" (func (param i32 i32 i32)))`)))).rejects.toThrow(/import type mismatch: env.proxy_log/);
  });

  it("0.1.0-only hostcalls do not link for a 0.2.1 module", async () => {
    await expect(load(wat(MINIMAL(`(import "env" "proxy_get_configuration" (func (param i32 i32) (result i32)))`)))).rejects.toThrow("missing import: env.proxy_get_configuration");
  });

  it("imported globals are refused", async () => {
    await expect(load(wat(MINIMAL(`(import "env" "g" (global i32))`)))).rejects.toThrow(/imported globals/);
  });

  it("an ABI marker and an allocator are required", async () => {
    await expect(load(wat(MINIMAL("", `(func (export "malloc") (param i32) (result i32) (i32.const 8))`)))).rejects.toThrow("Missing or unknown Proxy-Wasm ABI version");
    await expect(load(wat(MINIMAL("", `(func (export "proxy_abi_version_0_2_1"))`)))).rejects.toThrow("Wasm module is missing malloc function");
  });

  it("a callback with the wrong signature fails the load", async () => {
    const bad = MINIMAL("", `(func (export "proxy_abi_version_0_2_1")) (func (export "malloc") (param i32) (result i32) (i32.const 8))
      (func (export "proxy_on_request_headers") (param i32 i32) (result i32) (i32.const 0))`);
    await expect(load(wat(bad))).rejects.toThrow("Bad function signature for: proxy_on_request_headers");
  });

  it("not a wasm binary", async () => {
    await expect(load(new TextEncoder().encode("hello"))).rejects.toThrow(/bad magic number/);
  });
});

describe("restricted phases", () => {
  const withInit = (body: string, importDecl: string) =>
    wat(`(module ${importDecl} (memory (export "memory") 1)
      (data (i32.const 16) "request") (data (i32.const 32) "hi")
      (func (export "proxy_abi_version_0_2_1"))
      (func (export "malloc") (param i32) (result i32) (i32.const 1024))
      (func (export "_initialize") ${body}))`);

  it("only logging (and the WASI subset) is allowed during _initialize (§1.3 step 5)", async () => {
    const logs = new Host();
    await logs.loadPlugin({
      wasm: withInit(`(drop (call $log (i32.const 2) (i32.const 32) (i32.const 2)))`, `(import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))`),
    });
    expect(logs.logs("info").map((l) => l.message)).toEqual(["hi"]);

    const property = withInit(
      `(drop (call $get (i32.const 16) (i32.const 7) (i32.const 200) (i32.const 204)))`,
      `(import "env" "proxy_get_property" (func $get (param i32 i32 i32 i32) (result i32)))`,
    );
    await expect(new Host().loadPlugin({ wasm: property })).rejects.toThrow(/restricted_callback: env.proxy_get_property/);
  });

  it("a hostcall from a wasm start section has no context and fails the load", async () => {
    const bytes = wat(`(module (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "proxy_abi_version_0_2_1"))
      (func (export "malloc") (param i32) (result i32) (i32.const 1024))
      (func $start (drop (call $log (i32.const 2) (i32.const 0) (i32.const 1))))
      (start $start))`);
    await expect(new Host().loadPlugin({ wasm: bytes })).rejects.toThrow(/start section/);
  });
});

// What Envoy links and calls, as data: every env import per ABI version, the WASI subset, the
// exported callbacks with their signatures (proxy-wasm-abi.md §2, §3.3, §3.15). The loader,
// `wasmesh lint` and the import test all read this one table.
import type { FuncType, ValType } from "./binary.ts";

export type AbiVersion = "0.1.0" | "0.2.0" | "0.2.1";
export const ABI_MARKERS: Record<string, AbiVersion> = {
  proxy_abi_version_0_1_0: "0.1.0",
  proxy_abi_version_0_2_0: "0.2.0",
  proxy_abi_version_0_2_1: "0.2.1",
};

function sig(spec: string): FuncType {
  // "iii>i": params before '>', results after; i = i32, I = i64
  const [p, r = ""] = spec.split(">");
  const map = (c: string): ValType => (c === "I" ? "i64" : c === "F" ? "f64" : "i32");
  return { params: [...p].map(map), results: [...r].map(map) };
}

/** env imports registered for every ABI version. */
const ENV_COMMON: Record<string, string> = {
  proxy_log: "iii>i",
  proxy_get_status: "iii>i",
  proxy_set_property: "iiii>i",
  proxy_get_property: "iiii>i",
  proxy_send_local_response: "iiiiiiii>i",
  proxy_get_shared_data: "iiiii>i",
  proxy_set_shared_data: "iiiii>i",
  proxy_register_shared_queue: "iii>i",
  proxy_resolve_shared_queue: "iiiii>i",
  proxy_dequeue_shared_queue: "iii>i",
  proxy_enqueue_shared_queue: "iii>i",
  proxy_get_header_map_value: "iiiii>i",
  proxy_add_header_map_value: "iiiii>i",
  proxy_replace_header_map_value: "iiiii>i",
  proxy_remove_header_map_value: "iii>i",
  proxy_get_header_map_pairs: "iii>i",
  proxy_set_header_map_pairs: "iii>i",
  proxy_get_header_map_size: "ii>i",
  proxy_get_buffer_status: "iii>i",
  proxy_get_buffer_bytes: "iiiii>i",
  proxy_set_buffer_bytes: "iiiii>i",
  proxy_http_call: "iiiiiiiiii>i",
  proxy_grpc_call: "iiiiiiiiiiii>i",
  proxy_grpc_stream: "iiiiiiiii>i",
  proxy_grpc_send: "iiii>i",
  proxy_grpc_cancel: "i>i",
  proxy_grpc_close: "i>i",
  proxy_set_tick_period_milliseconds: "i>i",
  proxy_get_current_time_nanoseconds: "i>i",
  proxy_define_metric: "iiii>i",
  proxy_increment_metric: "iI>i",
  proxy_record_metric: "iI>i",
  proxy_get_metric: "ii>i",
  proxy_set_effective_context: "i>i",
  proxy_done: ">i",
  proxy_call_foreign_function: "iiiiii>i",
  pthread_equal: "ii>i",
  emscripten_notify_memory_growth: "i>",
  envoy_resolve_dns: "iii>i",
};
const ENV_BY_VERSION: Record<AbiVersion, Record<string, string>> = {
  "0.1.0": { proxy_get_configuration: "ii>i", proxy_continue_request: ">i", proxy_continue_response: ">i", proxy_clear_route_cache: ">i" },
  "0.2.0": { proxy_continue_stream: "i>i", proxy_close_stream: "i>i" },
  "0.2.1": { proxy_continue_stream: "i>i", proxy_close_stream: "i>i", proxy_get_log_level: "i>i" },
};

/** WASI functions Envoy registers under both wasi_snapshot_preview1 and wasi_unstable (§3.15). */
export const WASI_FUNCTIONS: Record<string, string> = {
  fd_write: "iiii>i",
  fd_read: "iiii>i",
  fd_seek: "iIii>i",
  fd_close: "i>i",
  fd_fdstat_get: "ii>i",
  fd_fdstat_set_flags: "ii>i",
  fd_fdstat_set_rights: "iII>i",
  fd_prestat_get: "ii>i",
  fd_prestat_dir_name: "iii>i",
  fd_filestat_get: "ii>i",
  fd_advise: "iIIi>i",
  fd_allocate: "iII>i",
  fd_datasync: "i>i",
  fd_sync: "i>i",
  fd_filestat_set_size: "iI>i",
  fd_filestat_set_times: "iIIi>i",
  fd_pread: "iiiIi>i",
  fd_pwrite: "iiiIi>i",
  fd_readdir: "iiiIi>i",
  fd_renumber: "ii>i",
  fd_tell: "ii>i",
  environ_sizes_get: "ii>i",
  environ_get: "ii>i",
  args_sizes_get: "ii>i",
  args_get: "ii>i",
  clock_time_get: "iIi>i",
  clock_res_get: "ii>i",
  random_get: "ii>i",
  sched_yield: ">i",
  poll_oneoff: "iiii>i",
  proc_exit: "i>",
  path_open: "iiiiiIIii>i",
  path_filestat_get: "iiiii>i",
  path_create_directory: "iii>i",
  path_remove_directory: "iii>i",
  path_unlink_file: "iii>i",
  path_filestat_set_times: "iiiiIIi>i",
  path_rename: "iiiiii>i",
  path_readlink: "iiiiii>i",
  path_link: "iiiiii>i", // Envoy's non-standard arity (WASI has 7)
  path_symlink: "iiii>i", // Envoy's non-standard arity (WASI has 5)
  sock_accept: "iii>i",
  sock_recv: "iiiiii>i",
  sock_send: "iiiii>i",
  sock_shutdown: "ii>i",
};
export const WASI_MODULES = ["wasi_snapshot_preview1", "wasi_unstable"] as const;

/** Every import Envoy provides to a module of this ABI version: "module.name" -> signature. */
export function allowedImports(version: AbiVersion): Map<string, FuncType> {
  const out = new Map<string, FuncType>();
  for (const [name, s] of Object.entries({ ...ENV_COMMON, ...ENV_BY_VERSION[version] })) out.set(`env.${name}`, sig(s));
  for (const m of WASI_MODULES) for (const [name, s] of Object.entries(WASI_FUNCTIONS)) out.set(`${m}.${name}`, sig(s));
  return out;
}

/** Hostcalls allowed while `_initialize`/`_start`/`main` run (§1.3 step 5); others trap. */
export const ALLOWED_DURING_INIT = new Set([
  "env.proxy_log", "env.emscripten_notify_memory_growth",
  ...["fd_write", "args_sizes_get", "args_get", "environ_sizes_get", "environ_get", "clock_time_get",
    "clock_res_get", "random_get", "poll_oneoff", "fd_fdstat_get", "fd_fdstat_set_flags", "fd_advise",
    "fd_allocate", "fd_datasync", "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size",
    "fd_filestat_set_times", "fd_pread", "fd_prestat_dir_name", "fd_prestat_get", "fd_pwrite", "fd_readdir",
    "fd_renumber", "fd_sync", "fd_tell", "path_create_directory", "path_filestat_get",
    "path_filestat_set_times", "path_link", "path_readlink", "path_remove_directory", "path_rename",
    "path_symlink", "path_unlink_file", "sock_accept", "sock_recv", "sock_send", "sock_shutdown"]
    .flatMap((n) => WASI_MODULES.map((m) => `${m}.${n}`)),
]);

/** Hostcalls allowed while the module's allocator runs (§2.1). */
export const ALLOWED_DURING_ALLOC = new Set([
  "env.proxy_log", ...WASI_MODULES.flatMap((m) => [`${m}.fd_write`, `${m}.clock_time_get`, `${m}.poll_oneoff`]),
]);

/** Exported callbacks the host may call, with the signature it requires (§2). */
export function callbackSignatures(version: AbiVersion): Map<string, FuncType> {
  const s: Record<string, string> = {
    _initialize: ">",
    _start: ">",
    main: "ii>i",
    __main_void: ">i",
    malloc: "i>i",
    proxy_on_memory_allocate: "i>i",
    proxy_on_context_create: "ii>",
    proxy_on_vm_start: "ii>i",
    proxy_on_configure: "ii>i",
    proxy_validate_configuration: "ii>i",
    proxy_on_tick: "i>",
    proxy_on_queue_ready: "ii>",
    proxy_on_done: "i>i",
    proxy_on_log: "i>",
    proxy_on_delete: "i>",
    proxy_on_request_headers: version === "0.1.0" ? "ii>i" : "iii>i",
    proxy_on_request_body: "iii>i",
    proxy_on_request_trailers: "ii>i",
    proxy_on_request_metadata: "ii>i",
    proxy_on_response_headers: version === "0.1.0" ? "ii>i" : "iii>i",
    proxy_on_response_body: "iii>i",
    proxy_on_response_trailers: "ii>i",
    proxy_on_response_metadata: "ii>i",
    proxy_on_new_connection: "i>i",
    proxy_on_downstream_data: "iii>i",
    proxy_on_upstream_data: "iii>i",
    proxy_on_downstream_connection_close: "ii>",
    proxy_on_upstream_connection_close: "ii>",
    proxy_on_http_call_response: "iiiii>",
    proxy_on_grpc_receive_initial_metadata: "iii>",
    proxy_on_grpc_receive: "iii>",
    proxy_on_grpc_receive_trailing_metadata: "iii>",
    proxy_on_grpc_close: "iii>",
    proxy_on_foreign_function: "iii>",
  };
  if (version === "0.1.0") delete s.proxy_on_foreign_function;
  return new Map(Object.entries(s).map(([k, v]) => [k, sig(v)]));
}

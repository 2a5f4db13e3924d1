// Raw ABI: context control, the last status, and foreign functions (proxy-wasm-abi.md §3.14, §3.10).
// The Emscripten helpers `pthread_equal` and `emscripten_notify_memory_growth`, which Envoy
// also registers in `env`, are not hostcalls and are not declared.

@external("env", "proxy_set_effective_context")
export declare function proxy_set_effective_context(context_id: u32): i32;

@external("env", "proxy_done")
export declare function proxy_done(): i32;

/** The root context's last status: gRPC close status/message, or 11 "reset" after a failed HTTP call. */
@external("env", "proxy_get_status")
export declare function proxy_get_status(code_ptr: usize, message_ptr_ptr: usize, message_size_ptr: usize): i32;

@external("env", "proxy_call_foreign_function")
export declare function proxy_call_foreign_function(
  name_ptr: usize, name_size: usize, args_ptr: usize, args_size: usize,
  results_ptr_ptr: usize, results_size_ptr: usize,
): i32;

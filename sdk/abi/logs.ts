// Raw ABI: logging (proxy-wasm-abi.md §3.4). Nothing but declarations.

/** `(level, msg_ptr, msg_size) -> WasmResult`; level > 5 ⇒ BadArgument. */
@external("env", "proxy_log")
export declare function proxy_log(level: i32, message_ptr: usize, message_size: usize): i32;

/** `(level_ptr) -> WasmResult`; ABI 0.2.1 only. Writes the host's current level as a u32. */
@external("env", "proxy_get_log_level")
export declare function proxy_get_log_level(level_ptr: usize): i32;

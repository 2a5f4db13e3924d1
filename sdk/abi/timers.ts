// Raw ABI: the root context's timer and the wall clock (proxy-wasm-abi.md §3.4).

@external("env", "proxy_set_tick_period_milliseconds")
export declare function proxy_set_tick_period_milliseconds(period_ms: u32): i32;

/** Writes a u64: nanoseconds since the Unix epoch (wall clock, not frozen per callback). */
@external("env", "proxy_get_current_time_nanoseconds")
export declare function proxy_get_current_time_nanoseconds(result_u64_ptr: usize): i32;

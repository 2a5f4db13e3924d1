// Raw ABI: metrics (proxy-wasm-abi.md §3.13). Offsets and values are i64 on the wire.

@external("env", "proxy_define_metric")
export declare function proxy_define_metric(metric_type: i32, name_ptr: usize, name_size: usize, metric_id_ptr: usize): i32;

@external("env", "proxy_increment_metric")
export declare function proxy_increment_metric(metric_id: u32, offset: i64): i32;

@external("env", "proxy_record_metric")
export declare function proxy_record_metric(metric_id: u32, value: u64): i32;

@external("env", "proxy_get_metric")
export declare function proxy_get_metric(metric_id: u32, result_u64_ptr: usize): i32;

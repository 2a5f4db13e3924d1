// Raw ABI: bodies, TCP data, configuration and callout buffers (proxy-wasm-abi.md §3.5).

@external("env", "proxy_get_buffer_status")
export declare function proxy_get_buffer_status(buffer_type: i32, length_ptr: usize, flags_ptr: usize): i32;

@external("env", "proxy_get_buffer_bytes")
export declare function proxy_get_buffer_bytes(
  buffer_type: i32, start: u32, max_size: u32, data_ptr_ptr: usize, data_size_ptr: usize,
): i32;

@external("env", "proxy_set_buffer_bytes")
export declare function proxy_set_buffer_bytes(
  buffer_type: i32, start: u32, size: u32, data_ptr: usize, data_size: usize,
): i32;

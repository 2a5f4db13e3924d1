// Raw ABI: header maps and gRPC metadata (proxy-wasm-abi.md §3.6, pairs format §4.1).

@external("env", "proxy_get_header_map_value")
export declare function proxy_get_header_map_value(
  map_type: i32, key_ptr: usize, key_size: usize, value_ptr_ptr: usize, value_size_ptr: usize,
): i32;

@external("env", "proxy_add_header_map_value")
export declare function proxy_add_header_map_value(
  map_type: i32, key_ptr: usize, key_size: usize, value_ptr: usize, value_size: usize,
): i32;

@external("env", "proxy_replace_header_map_value")
export declare function proxy_replace_header_map_value(
  map_type: i32, key_ptr: usize, key_size: usize, value_ptr: usize, value_size: usize,
): i32;

@external("env", "proxy_remove_header_map_value")
export declare function proxy_remove_header_map_value(map_type: i32, key_ptr: usize, key_size: usize): i32;

@external("env", "proxy_get_header_map_pairs")
export declare function proxy_get_header_map_pairs(map_type: i32, pairs_ptr_ptr: usize, pairs_size_ptr: usize): i32;

@external("env", "proxy_set_header_map_pairs")
export declare function proxy_set_header_map_pairs(map_type: i32, pairs_ptr: usize, pairs_size: usize): i32;

/** Envoy writes Σ(len(key) + len(value)), not the entry count (§3.6). */
@external("env", "proxy_get_header_map_size")
export declare function proxy_get_header_map_size(map_type: i32, size_ptr: usize): i32;

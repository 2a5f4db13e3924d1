// Raw ABI: properties / attributes and filter state (proxy-wasm-abi.md §3.7, paths §4.3).

@external("env", "proxy_get_property")
export declare function proxy_get_property(
  path_ptr: usize, path_size: usize, value_ptr_ptr: usize, value_size_ptr: usize,
): i32;

@external("env", "proxy_set_property")
export declare function proxy_set_property(path_ptr: usize, path_size: usize, value_ptr: usize, value_size: usize): i32;

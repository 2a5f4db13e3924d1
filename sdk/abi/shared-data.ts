// Raw ABI: the per-vm_id key/value store with compare-and-swap (proxy-wasm-abi.md §3.11).

@external("env", "proxy_get_shared_data")
export declare function proxy_get_shared_data(
  key_ptr: usize, key_size: usize, value_ptr_ptr: usize, value_size_ptr: usize, cas_ptr: usize,
): i32;

@external("env", "proxy_set_shared_data")
export declare function proxy_set_shared_data(
  key_ptr: usize, key_size: usize, value_ptr: usize, value_size: usize, cas: u32,
): i32;

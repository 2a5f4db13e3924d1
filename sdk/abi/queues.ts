// Raw ABI: shared queues (proxy-wasm-abi.md §3.12).

@external("env", "proxy_register_shared_queue")
export declare function proxy_register_shared_queue(name_ptr: usize, name_size: usize, queue_id_ptr: usize): i32;

@external("env", "proxy_resolve_shared_queue")
export declare function proxy_resolve_shared_queue(
  vm_id_ptr: usize, vm_id_size: usize, name_ptr: usize, name_size: usize, queue_id_ptr: usize,
): i32;

@external("env", "proxy_dequeue_shared_queue")
export declare function proxy_dequeue_shared_queue(queue_id: u32, value_ptr_ptr: usize, value_size_ptr: usize): i32;

@external("env", "proxy_enqueue_shared_queue")
export declare function proxy_enqueue_shared_queue(queue_id: u32, value_ptr: usize, value_size: usize): i32;

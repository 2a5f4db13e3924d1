// Raw ABI: stream control and local responses (proxy-wasm-abi.md §3.8, §5.4).
// The 0.1.0-only proxy_continue_request/response and proxy_clear_route_cache are
// deliberately absent: Envoy does not register them for 0.2.1 modules (§3.3).

@external("env", "proxy_continue_stream")
export declare function proxy_continue_stream(stream_type: i32): i32;

@external("env", "proxy_close_stream")
export declare function proxy_close_stream(stream_type: i32): i32;

@external("env", "proxy_send_local_response")
export declare function proxy_send_local_response(
  status_code: u32,
  details_ptr: usize, details_size: usize,
  body_ptr: usize, body_size: usize,
  headers_ptr: usize, headers_size: usize,
  grpc_status: i32,
): i32;

// Raw ABI: HTTP and gRPC callouts (proxy-wasm-abi.md §3.9, §3.10).

@external("env", "proxy_http_call")
export declare function proxy_http_call(
  upstream_ptr: usize, upstream_size: usize,
  headers_ptr: usize, headers_size: usize,
  body_ptr: usize, body_size: usize,
  trailers_ptr: usize, trailers_size: usize,
  timeout_ms: u32,
  token_ptr: usize,
): i32;

/** 12 parameters: proxy-runtime's 10-parameter form fails to link in Envoy (§8.5). */
@external("env", "proxy_grpc_call")
export declare function proxy_grpc_call(
  service_ptr: usize, service_size: usize,
  service_name_ptr: usize, service_name_size: usize,
  method_ptr: usize, method_size: usize,
  initial_metadata_ptr: usize, initial_metadata_size: usize,
  message_ptr: usize, message_size: usize,
  timeout_ms: u32,
  token_ptr: usize,
): i32;

@external("env", "proxy_grpc_stream")
export declare function proxy_grpc_stream(
  service_ptr: usize, service_size: usize,
  service_name_ptr: usize, service_name_size: usize,
  method_ptr: usize, method_size: usize,
  initial_metadata_ptr: usize, initial_metadata_size: usize,
  token_ptr: usize,
): i32;

@external("env", "proxy_grpc_send")
export declare function proxy_grpc_send(token: u32, message_ptr: usize, message_size: usize, end_stream: i32): i32;

@external("env", "proxy_grpc_cancel")
export declare function proxy_grpc_cancel(token: u32): i32;

@external("env", "proxy_grpc_close")
export declare function proxy_grpc_close(token: u32): i32;

/**
 * Envoy-only (not proxy-wasm): asynchronous DNS, answered by the optional export
 * `envoy_on_resolve_dns`. Declared for completeness; the SDK does not use it, so it
 * never appears in a module's imports (AssemblyScript drops unused imports).
 */
@external("env", "envoy_resolve_dns")
export declare function envoy_resolve_dns(name_ptr: usize, name_size: usize, token_ptr: usize): i32;

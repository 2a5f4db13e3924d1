// Raw ABI: every callback the module exports (proxy-wasm-abi.md §2), with the exact wasm
// signatures of ABI 0.2.1, forwarding to the dispatcher. A filter re-exports this file:
//
//   export * from "../../sdk/abi/exports";

import * as dispatch from "../dispatcher";

// ---- §2.1 integration and memory ----

/** ABI marker, never called. Exactly one marker may be exported. */
export function proxy_abi_version_0_2_1(): void {}

/**
 * The host allocator (§8.2): raw heap memory the GC never moves or frees. The SDK copies
 * every host-returned block into a managed object and frees it at once. Never returns 0
 * (0 means failure to the host), even for size 0.
 */
export function proxy_on_memory_allocate(size: usize): usize {
  return heap.alloc(max<usize>(size, 1));
}

/** Envoy looks for `malloc` first (§1.3); the same allocator. */
export { proxy_on_memory_allocate as malloc };

// ---- §2.2 context lifecycle and configuration ----

export function proxy_on_context_create(context_id: u32, parent_context_id: u32): void {
  dispatch.onContextCreate(context_id, parent_context_id);
}

export function proxy_on_vm_start(root_context_id: u32, vm_configuration_size: u32): i32 {
  return dispatch.onVmStart(root_context_id, vm_configuration_size) ? 1 : 0;
}

export function proxy_on_configure(root_context_id: u32, plugin_configuration_size: u32): i32 {
  return dispatch.onConfigure(root_context_id, plugin_configuration_size) ? 1 : 0;
}

export function proxy_on_tick(root_context_id: u32): void {
  dispatch.onTick(root_context_id);
}

export function proxy_on_queue_ready(root_context_id: u32, queue_id: u32): void {
  dispatch.onQueueReady(root_context_id, queue_id);
}

export function proxy_on_foreign_function(root_context_id: u32, function_id: u32, args_size: u32): void {
  dispatch.onForeignFunction(root_context_id, function_id, args_size);
}

export function proxy_on_done(context_id: u32): i32 {
  return dispatch.onDone(context_id) ? 1 : 0;
}

export function proxy_on_log(context_id: u32): void {
  dispatch.onLog(context_id);
}

export function proxy_on_delete(context_id: u32): void {
  dispatch.onDelete(context_id);
}

// ---- §2.3 HTTP streams ----

export function proxy_on_request_headers(context_id: u32, num_headers: u32, end_of_stream: u32): i32 {
  return dispatch.onRequestHeaders(context_id, num_headers, end_of_stream);
}

export function proxy_on_request_body(context_id: u32, body_size: u32, end_of_stream: u32): i32 {
  return dispatch.onRequestBody(context_id, body_size, end_of_stream);
}

export function proxy_on_request_trailers(context_id: u32, num_trailers: u32): i32 {
  return dispatch.onRequestTrailers(context_id, num_trailers);
}

export function proxy_on_request_metadata(context_id: u32, num_elements: u32): i32 {
  return dispatch.onRequestMetadata(context_id, num_elements);
}

export function proxy_on_response_headers(context_id: u32, num_headers: u32, end_of_stream: u32): i32 {
  return dispatch.onResponseHeaders(context_id, num_headers, end_of_stream);
}

export function proxy_on_response_body(context_id: u32, body_size: u32, end_of_stream: u32): i32 {
  return dispatch.onResponseBody(context_id, body_size, end_of_stream);
}

export function proxy_on_response_trailers(context_id: u32, num_trailers: u32): i32 {
  return dispatch.onResponseTrailers(context_id, num_trailers);
}

export function proxy_on_response_metadata(context_id: u32, num_elements: u32): i32 {
  return dispatch.onResponseMetadata(context_id, num_elements);
}

// ---- §2.4 TCP streams ----

export function proxy_on_new_connection(context_id: u32): i32 {
  return dispatch.onNewConnection(context_id);
}

export function proxy_on_downstream_data(context_id: u32, data_size: u32, end_of_stream: u32): i32 {
  return dispatch.onDownstreamData(context_id, data_size, end_of_stream);
}

export function proxy_on_upstream_data(context_id: u32, data_size: u32, end_of_stream: u32): i32 {
  return dispatch.onUpstreamData(context_id, data_size, end_of_stream);
}

export function proxy_on_downstream_connection_close(context_id: u32, peer_type: u32): void {
  dispatch.onDownstreamConnectionClose(context_id, peer_type);
}

export function proxy_on_upstream_connection_close(context_id: u32, peer_type: u32): void {
  dispatch.onUpstreamConnectionClose(context_id, peer_type);
}

// ---- §2.5 callouts (always on the root context) ----

export function proxy_on_http_call_response(
  root_context_id: u32, token: u32, num_headers: u32, body_size: u32, num_trailers: u32,
): void {
  dispatch.onHttpCallResponse(root_context_id, token, num_headers, body_size, num_trailers);
}

export function proxy_on_grpc_receive_initial_metadata(root_context_id: u32, token: u32, num_elements: u32): void {
  dispatch.onGrpcReceiveInitialMetadata(root_context_id, token, num_elements);
}

export function proxy_on_grpc_receive(root_context_id: u32, token: u32, message_size: u32): void {
  dispatch.onGrpcReceive(root_context_id, token, message_size);
}

export function proxy_on_grpc_receive_trailing_metadata(root_context_id: u32, token: u32, num_elements: u32): void {
  dispatch.onGrpcReceiveTrailingMetadata(root_context_id, token, num_elements);
}

export function proxy_on_grpc_close(root_context_id: u32, token: u32, status_code: u32): void {
  dispatch.onGrpcClose(root_context_id, token, status_code);
}

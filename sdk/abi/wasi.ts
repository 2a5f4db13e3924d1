// Raw ABI: the WASI functions the SDK uses, all provided by Envoy under
// `wasi_snapshot_preview1` (proxy-wasm-abi.md §3.15). They return a WASI errno, not a WasmResult.

/** CSPRNG bytes; `len > 65536` ⇒ errno 28 (INVAL) in Envoy. Allowed during `_initialize`. */
@external("wasi_snapshot_preview1", "random_get")
export declare function random_get(buf: usize, buf_len: usize): i32;

/** Clock 0 realtime, 1 monotonic; writes a u64 of nanoseconds. */
@external("wasi_snapshot_preview1", "clock_time_get")
export declare function clock_time_get(clock_id: u32, precision: u64, time_ptr: usize): i32;

/** fd 1 ⇒ Envoy logs at INFO, fd 2 ⇒ at ERROR; one log line per call. */
@external("wasi_snapshot_preview1", "fd_write")
export declare function fd_write(fd: u32, iovs_ptr: usize, iovs_len: usize, nwritten_ptr: usize): i32;

// placeholder, replaced by the SDK
@external("env", "proxy_log")
declare function proxy_log(level: i32, ptr: usize, len: usize): i32;
@external("wasi_snapshot_preview1", "random_get")
declare function random_get(buf: usize, len: usize): u16;
export function wasmeshAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  const m = String.UTF8.encode(message !== null ? message : "abort");
  proxy_log(5, changetype<usize>(m), m.byteLength);
  unreachable();
}
export function wasmeshSeed(): f64 {
  const b = memory.data(8);
  random_get(b, 8);
  return <f64>load<u64>(b);
}
export function wasmeshTrace(message: string, n: i32 = 0, a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, a4: f64 = 0): void {
  const m = String.UTF8.encode(message);
  proxy_log(1, changetype<usize>(m), m.byteLength);
}

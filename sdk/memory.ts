// Memory protocol helpers (proxy-wasm-abi.md §4.4, §8.2, §8.3).
//
// Out-parameters live in a static scratch area, never in movable GC objects. Blocks the
// host returns were allocated by our allocator (`heap.alloc`, see abi/exports.ts): they are
// raw heap memory, copied into managed objects and freed at once.

/** 32 bytes of static scratch for out-parameters. Hostcalls never nest, so one area suffices. */
export const SCRATCH: usize = memory.data(32, 8);
/** Word: the address of a host-returned block. */
export const OUT_PTR: usize = SCRATCH;
/** Word: the length of a host-returned block. */
export const OUT_SIZE: usize = SCRATCH + 4;
/** Word: a third scalar out-parameter (token, id, CAS, flags, status code). */
export const OUT_WORD: usize = SCRATCH + 8;
/** u64 out-parameter (time, metric value), 8-byte aligned. */
export const OUT_U64: usize = SCRATCH + 16;

/** Clears the ptr/size words so a host that writes nothing reads back as empty. */
@inline export function clearOut(): void {
  store<u64>(SCRATCH, 0);
  store<u64>(SCRATCH + 8, 0);
}

/** Copies the block named by OUT_PTR/OUT_SIZE into a new ArrayBuffer and frees it. */
export function takeOutBytes(): ArrayBuffer {
  const ptr = <usize>load<u32>(OUT_PTR);
  const size = <usize>load<u32>(OUT_SIZE);
  return takeBytes(ptr, size);
}

/** Copies the block named by OUT_PTR/OUT_SIZE into a new String (UTF-8) and frees it. */
export function takeOutString(): string {
  const ptr = <usize>load<u32>(OUT_PTR);
  const size = <usize>load<u32>(OUT_SIZE);
  const s = size ? String.UTF8.decodeUnsafe(ptr, size, false) : "";
  if (ptr) heap.free(ptr);
  return s;
}

/** Copies `size` bytes at `ptr` (a host-returned block) into an ArrayBuffer and frees the block. */
export function takeBytes(ptr: usize, size: usize): ArrayBuffer {
  const buf = new ArrayBuffer(<i32>size);
  if (size) memory.copy(changetype<usize>(buf), ptr, size);
  if (ptr) heap.free(ptr);
  return buf;
}

/** Frees the block named by OUT_PTR (when a caller wants only the status). */
export function discardOut(): void {
  const ptr = <usize>load<u32>(OUT_PTR);
  if (ptr) heap.free(ptr);
}

/** UTF-8 bytes of `s`, no terminator (§4.2). */
@inline export function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s, false);
}

/** Address of an ArrayBuffer's data, or 0 for null. */
@inline export function ptrOf(buf: ArrayBuffer | null): usize {
  return buf === null ? 0 : changetype<usize>(buf);
}

/** Length of an ArrayBuffer, or 0 for null. */
@inline export function lenOf(buf: ArrayBuffer | null): usize {
  return buf === null ? 0 : <usize>buf.byteLength;
}

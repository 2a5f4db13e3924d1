// The WASI subset Envoy provides (§3.15), registered under both module names.
import { WASI_FUNCTIONS } from "../abi-table.ts";
import { fromUtf8, utf8 } from "../memory.ts";
import type { Vm } from "../vm.ts";

const E = { SUCCESS: 0, BADF: 8, NOTDIR: 20, FAULT: 21, INVAL: 28, NOENT: 44, NOSYS: 52, NOTSUP: 58 };

export function wasiImports(vm: Vm, module: string) {
  const mem = vm.memory;
  const isStd = (fd: number) => fd === 1 || fd === 2;
  const write = (fd: number, iovs: number, n: number, nwrittenPtr: number): number => {
    if (!isStd(fd)) return E.BADF;
    // iovs_len is unsigned: the whole iovec array must lie in memory (EFAULT otherwise), which
    // also bounds the loop; a negative i32 is a count past the end of memory, not zero.
    n >>>= 0;
    mem.assertWritable(iovs, n * 8);
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const p = mem.u32(iovs + i * 8);
      const l = mem.u32(iovs + i * 8 + 4);
      const b = mem.read(p, l);
      parts.push(b);
      total += l;
    }
    mem.setU32(nwrittenPtr, total);
    let text = fromUtf8(Buffer.concat(parts));
    if (text.endsWith("\n")) text = text.slice(0, -1); // one trailing newline removed
    vm.log(fd === 1 ? "info" : "error", text);
    return E.SUCCESS;
  };
  const envPairs = () => Object.entries(vm.options.env).map(([k, v]) => utf8(`${k}=${v}\0`));
  const impl: Record<string, (...a: any[]) => number | void> = {
    fd_write: write,
    fd_pwrite: (fd: number, iovs: number, n: number, _off: bigint, nw: number) => write(fd, iovs, n, nw),
    fd_read: () => E.NOSYS,
    fd_seek: () => {
      vm.log("error", "wasi fd_seek is not supported");
      return E.SUCCESS;
    },
    fd_close: () => {
      vm.log("error", "wasi fd_close is not supported");
      return E.SUCCESS;
    },
    fd_fdstat_get: (fd: number, ptr: number) => {
      if (!isStd(fd)) return E.BADF;
      const b = new Uint8Array(24);
      new DataView(b.buffer).setBigUint64(8, 64n, true); // rights_base
      mem.write(ptr, b);
      return E.SUCCESS;
    },
    fd_fdstat_set_flags: () => E.NOSYS,
    fd_fdstat_set_rights: (fd: number) => (isStd(fd) ? E.SUCCESS : E.BADF),
    fd_prestat_get: () => E.BADF,
    fd_prestat_dir_name: () => E.NOSYS,
    fd_filestat_get: () => E.BADF,
    fd_advise: () => E.SUCCESS,
    fd_allocate: (fd: number) => (isStd(fd) ? E.SUCCESS : E.BADF),
    fd_datasync: (fd: number) => (isStd(fd) ? E.SUCCESS : E.BADF),
    fd_sync: (fd: number) => (isStd(fd) ? E.SUCCESS : E.BADF),
    fd_filestat_set_size: (fd: number) => (isStd(fd) ? E.SUCCESS : E.BADF),
    fd_filestat_set_times: (fd: number) => (isStd(fd) ? E.SUCCESS : E.BADF),
    fd_pread: () => E.NOSYS,
    fd_readdir: (_fd: number, _b: number, _l: number, _c: bigint, usedPtr: number) => {
      mem.setU32(usedPtr, 0);
      return E.NOTDIR;
    },
    fd_renumber: () => E.BADF,
    fd_tell: (fd: number, ptr: number) => {
      if (!isStd(fd)) return E.BADF;
      mem.setU64(ptr, 0n);
      return E.SUCCESS;
    },
    environ_sizes_get: (countPtr: number, sizePtr: number) => {
      const pairs = envPairs();
      mem.setU32(countPtr, pairs.length);
      mem.setU32(sizePtr, pairs.reduce((n, p) => n + p.length, 0));
      return E.SUCCESS;
    },
    environ_get: (envPtr: number, bufPtr: number) => {
      let p = bufPtr;
      envPairs().forEach((pair, i) => {
        mem.setU32(envPtr + i * 4, p);
        mem.write(p, pair);
        p += pair.length;
      });
      return E.SUCCESS;
    },
    args_sizes_get: (a: number, b: number) => {
      mem.setU32(a, 0);
      mem.setU32(b, 0);
      return E.SUCCESS;
    },
    args_get: () => E.SUCCESS,
    clock_time_get: (id: number, _precision: bigint, ptr: number) => {
      if (id !== 0 && id !== 1) return E.NOTSUP;
      mem.setU64(ptr, BigInt(Math.round(vm.host.scheduler.now())) * 1_000_000n);
      return E.SUCCESS;
    },
    clock_res_get: (id: number, ptr: number) => {
      if (id !== 0 && id !== 1) return E.NOTSUP;
      mem.setU64(ptr, 1n);
      return E.SUCCESS;
    },
    random_get: (buf: number, len: number) => {
      if (len >>> 0 > 65536) return E.INVAL;
      mem.write(buf, vm.host.randomBytes(len >>> 0));
      return E.SUCCESS;
    },
    sched_yield: () => E.SUCCESS,
    poll_oneoff: (_i: number, _o: number, _n: number, neventsPtr: number) => {
      mem.setU32(neventsPtr, 0);
      return E.SUCCESS;
    },
    proc_exit: (code: number) => {
      // Envoy logs and returns: proc_exit does not stop the module (§3.15).
      vm.log("trace", `wasi proc_exit(${code})`);
    },
    path_open: () => E.NOENT,
  };
  const out: Record<string, Function> = {};
  for (const name of Object.keys(WASI_FUNCTIONS)) {
    const f = impl[name] ?? (() => E.NOTSUP);
    out[name] = vm.hostcall(`${module}.${name}`, f);
  }
  return out;
}

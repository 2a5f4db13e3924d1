// A reader for the parts of the wasm binary format the shim needs and the JS API hides:
// function signatures of imports and exports (proxy-wasm-abi.md §9, "Loading").

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";
export interface FuncType {
  params: ValType[];
  results: ValType[];
}
export interface ImportEntry {
  module: string;
  name: string;
  kind: "function" | "table" | "memory" | "global" | "tag";
  type?: FuncType;
}
export interface ExportEntry {
  name: string;
  kind: "function" | "table" | "memory" | "global" | "tag";
  index: number;
  type?: FuncType;
}
export interface ModuleInfo {
  imports: ImportEntry[];
  /** In binary order (the ABI marker is the first matching export in this order). */
  exports: ExportEntry[];
  hasStartSection: boolean;
  customSections: string[];
}

const VALTYPES: Record<number, ValType> = {
  0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref",
};
const KINDS = ["function", "table", "memory", "global", "tag"] as const;

export class WasmFormatError extends Error {}

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array, readonly end = bytes.length) {}
  byte(): number {
    if (this.pos >= this.end) throw new WasmFormatError("unexpected end of wasm binary");
    return this.bytes[this.pos++];
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
      if (shift > 35) throw new WasmFormatError("malformed LEB128 integer");
    }
  }
  name(): string {
    const len = this.u32();
    if (this.pos + len > this.end) throw new WasmFormatError("name runs past the end of its section");
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
  valtype(): ValType {
    const b = this.byte();
    const t = VALTYPES[b];
    if (!t) throw new WasmFormatError(`unknown value type 0x${b.toString(16)}`);
    return t;
  }
  limits(): void {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
}

export function readModuleInfo(bytes: Uint8Array): ModuleInfo {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new WasmFormatError("not a wasm binary (bad magic number)");
  }
  const r = new Reader(bytes);
  r.pos = 8;
  const types: FuncType[] = [];
  const imports: ImportEntry[] = [];
  const funcTypeIndices: number[] = []; // imported functions first, then defined ones
  const exports: ExportEntry[] = [];
  const customSections: string[] = [];
  let hasStartSection = false;
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (end > bytes.length) throw new WasmFormatError(`section ${id} runs past the end of the binary`);
    const s = new Reader(bytes, end);
    s.pos = r.pos;
    switch (id) {
      case 0:
        customSections.push(s.name());
        break;
      case 1: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const form = s.byte();
          if (form !== 0x60) throw new WasmFormatError(`unsupported type form 0x${form.toString(16)}`);
          const params = Array.from({ length: s.u32() }, () => s.valtype());
          const results = Array.from({ length: s.u32() }, () => s.valtype());
          types.push({ params, results });
        }
        break;
      }
      case 2: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const module = s.name();
          const name = s.name();
          const kind = s.byte();
          const entry: ImportEntry = { module, name, kind: KINDS[kind] ?? "tag" };
          if (kind === 0) {
            const ti = s.u32();
            entry.type = types[ti];
            funcTypeIndices.push(ti);
          } else if (kind === 1) {
            s.byte();
            s.limits();
          } else if (kind === 2) {
            s.limits();
          } else if (kind === 3) {
            s.valtype();
            s.byte();
          } else {
            s.byte();
            s.u32();
          }
          imports.push(entry);
        }
        break;
      }
      case 3: {
        const n = s.u32();
        for (let i = 0; i < n; i++) funcTypeIndices.push(s.u32());
        break;
      }
      case 7: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const name = s.name();
          const kind = s.byte();
          const index = s.u32();
          const entry: ExportEntry = { name, kind: KINDS[kind] ?? "tag", index };
          if (kind === 0) entry.type = types[funcTypeIndices[index]];
          exports.push(entry);
        }
        break;
      }
      case 8:
        hasStartSection = true;
        break;
    }
    r.pos = end;
  }
  return { imports, exports, hasStartSection, customSections };
}

export function formatType(t: FuncType | undefined): string {
  if (!t) return "?";
  return `(${t.params.join(", ")}) -> ${t.results.length ? t.results.join(", ") : "()"}`;
}

export function sameType(a: FuncType | undefined, b: FuncType): boolean {
  return !!a && a.params.join() === b.params.join() && a.results.join() === b.results.join();
}

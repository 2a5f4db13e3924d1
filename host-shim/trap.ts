// Maps a trap's wasm stack frames (byte offsets in the module) to AssemblyScript source lines
// through the source map the build writes next to every module (`<file>.wasm.map`).
import { existsSync, readFileSync } from "node:fs";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { WasmTrap } from "./errors.ts";

export class SourceMapper {
  private map: TraceMap | null = null;
  constructor(mapJson: string | null) {
    if (mapJson) this.map = new TraceMap(mapJson);
  }
  static forFile(wasmPath: string | undefined): SourceMapper {
    if (!wasmPath) return new SourceMapper(null);
    const mapPath = `${wasmPath}.map`;
    return new SourceMapper(existsSync(mapPath) ? readFileSync(mapPath, "utf8") : null);
  }
  /** `file.ts:line:col` for a byte offset in the module, if the map covers it. */
  locate(offset: number): string | undefined {
    if (!this.map) return undefined;
    // Wasm source maps use line 1 and the module byte offset as the column. A call
    // instruction itself is often unmapped: the nearest mapped byte before it is its statement.
    for (let o = offset; o >= 0 && o > offset - 256; o--) {
      const pos = originalPositionFor(this.map, { line: 1, column: o });
      if (pos.source && pos.line != null) {
        return `${pos.source.replace(/^.*?(?=(sdk|filters|test)\/)/, "")}:${pos.line}:${(pos.column ?? 0) + 1}`;
      }
    }
    return undefined;
  }
}

const FRAME = /at (?:(\S+) )?\(?wasm:\/\/wasm\/[^:]*:wasm-function\[(\d+)\]:0x([0-9a-f]+)\)?/g;

/** Builds a WasmTrap from whatever a call into the module threw. */
export function describeTrap(error: unknown, callback: string, mapper: SourceMapper): WasmTrap {
  const err = error instanceof Error ? error : new Error(String(error));
  const frames: string[] = [];
  let location: string | undefined;
  for (const m of (err.stack ?? "").matchAll(FRAME)) {
    const fn = m[1] ?? `wasm-function[${m[2]}]`;
    const loc = mapper.locate(parseInt(m[3], 16));
    if (loc && !location && !/\/runtime\/hooks\.ts:/.test(loc) && !loc.startsWith("~lib/")) location = loc;
    frames.push(loc ? `${fn} (${loc})` : `${fn} (0x${m[3]})`);
  }
  if (!location) {
    // Every frame was in the abort hook or the standard library: report the first mapped one.
    location = frames.map((f) => /\(([^()]+:\d+:\d+)\)$/.exec(f)?.[1]).find(Boolean);
  }
  const where = location ? ` at ${location}` : "";
  return new WasmTrap(`Function: ${callback} failed: ${err.message}${where}`, callback, location, frames, err);
}

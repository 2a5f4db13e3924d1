// Would Envoy load this module? The checks Envoy makes before running anything (§1.3, §9):
// ABI marker, every import against what the host registers for that ABI, callback
// signatures, allocator, memory. The loader throws on the first problem (with Envoy's words);
// `wasmesh lint` reports them all.
import { ABI_MARKERS, allowedImports, callbackSignatures, type AbiVersion } from "./abi-table.ts";
import { formatType, sameType, type ModuleInfo } from "./binary.ts";

export interface Problem {
  /** What Envoy says when it refuses the module. */
  envoy: string;
  /** The same, explained for a person. */
  explain: string;
}

export interface Conformance {
  abi: AbiVersion | null;
  problems: Problem[];
  /** Legal but worth knowing (portability to other hosts, start sections, …). */
  notes: string[];
  allocator: "malloc" | "proxy_on_memory_allocate" | null;
}

export function checkConformance(info: ModuleInfo): Conformance {
  const problems: Problem[] = [];
  const notes: string[] = [];
  // The first function export named like an ABI marker selects the ABI.
  const marker = info.exports.find((e) => e.kind === "function" && e.name in ABI_MARKERS);
  if (!marker) {
    problems.push({ envoy: "Missing or unknown Proxy-Wasm ABI version", explain: "no ABI marker export (proxy_abi_version_0_2_1 / _0_2_0 / _0_1_0)" });
    return { abi: null, problems, notes, allocator: null };
  }
  const abi = ABI_MARKERS[marker.name];
  const allowed = allowedImports(abi);
  for (const imp of info.imports) {
    const key = `${imp.module}.${imp.name}`;
    if (imp.kind === "global") {
      problems.push({ envoy: `imported globals are not supported: ${key}`, explain: `imports a global (${key}): Envoy does not support imported globals` });
      continue;
    }
    if (imp.kind !== "function") {
      problems.push({ envoy: `import of a ${imp.kind} (${key}) is not supported by the wasmesh host`, explain: `imports a ${imp.kind} (${key}): allowed by Envoy, not supported by the wasmesh host` });
      continue;
    }
    const want = allowed.get(key);
    if (!want) problems.push({ envoy: `missing import: ${key}`, explain: `imports ${key}: Envoy does not provide it (the load fails)` });
    else if (!sameType(imp.type, want)) {
      problems.push({
        envoy: `import type mismatch: ${key}: module imports ${formatType(imp.type)}, host provides ${formatType(want)}`,
        explain: `imports ${key} as ${formatType(imp.type)}; Envoy provides ${formatType(want)}`,
      });
    }
  }
  const callbacks = callbackSignatures(abi);
  for (const e of info.exports) {
    const want = callbacks.get(e.name);
    if (e.kind === "function" && want && !sameType(e.type, want)) {
      problems.push({
        envoy: `Bad function signature for: ${e.name}: ${formatType(e.type)}, expected ${formatType(want)}`,
        explain: `exports ${e.name} as ${formatType(e.type)}; Envoy calls it as ${formatType(want)}`,
      });
    }
    if (e.name.startsWith("proxy_on_grpc_") && !callbacks.has(e.name)) notes.push(`exports ${e.name}, a name Envoy never calls`);
  }
  const fns = new Set(info.exports.filter((e) => e.kind === "function").map((e) => e.name));
  // Envoy looks up malloc first, then proxy_on_memory_allocate (the opposite of the spec text).
  const allocator = fns.has("malloc") ? "malloc" : fns.has("proxy_on_memory_allocate") ? "proxy_on_memory_allocate" : null;
  if (!allocator) problems.push({ envoy: "Wasm module is missing malloc function", explain: "no allocator export (malloc or proxy_on_memory_allocate)" });
  else if (!fns.has("malloc")) notes.push("exports proxy_on_memory_allocate but not malloc: fine for Envoy; export both for the widest host support");
  else if (!fns.has("proxy_on_memory_allocate")) notes.push("exports malloc only: MOSN needs proxy_on_memory_allocate");
  if (!info.exports.some((e) => e.kind === "memory" && e.name === "memory")) problems.push({ envoy: "Wasm module does not export its memory", explain: "does not export its memory" });
  if (info.hasStartSection) notes.push("has a wasm start section: hostcalls from it crash in Envoy (use _initialize)");
  return { abi, problems, notes, allocator };
}

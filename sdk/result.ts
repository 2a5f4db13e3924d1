// WasmResult (proxy-wasm-abi.md §3.1) and the SDK's "last result" register.
//
// AssemblyScript has no tuples or exceptions, so a wrapper that returns a value
// (a header, a property, a token) returns it directly (null / 0 on failure) and records
// the hostcall's WasmResult here; wrappers without a value return the WasmResult.
// Read it with `lastResult()` right after the call, before the next hostcall.

export enum WasmResult {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  BadExpression = 5,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  ResultMismatch = 9,
  InternalFailure = 10,
  BrokenConnection = 11,
  Unimplemented = 12,
}

let last: i32 = WasmResult.Ok;

/** The WasmResult of the most recent SDK hostcall wrapper. */
export function lastResult(): WasmResult {
  return last;
}

/** Records `result` as the last result and returns it (for SDK wrappers). */
export function recordResult(result: i32): WasmResult {
  last = result;
  return result;
}

/** `Ok`, `NotFound`, …, or `Status<n>` for codes outside the table. */
export function wasmResultName(result: i32): string {
  switch (result) {
    case WasmResult.Ok: return "Ok";
    case WasmResult.NotFound: return "NotFound";
    case WasmResult.BadArgument: return "BadArgument";
    case WasmResult.SerializationFailure: return "SerializationFailure";
    case WasmResult.ParseFailure: return "ParseFailure";
    case WasmResult.BadExpression: return "BadExpression";
    case WasmResult.InvalidMemoryAccess: return "InvalidMemoryAccess";
    case WasmResult.Empty: return "Empty";
    case WasmResult.CasMismatch: return "CasMismatch";
    case WasmResult.ResultMismatch: return "ResultMismatch";
    case WasmResult.InternalFailure: return "InternalFailure";
    case WasmResult.BrokenConnection: return "BrokenConnection";
    case WasmResult.Unimplemented: return "Unimplemented";
  }
  return "Status" + result.toString();
}

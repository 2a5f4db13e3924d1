// Errors the shim raises. Load errors carry Envoy-like messages (§9 "Loading").

/** The module cannot be loaded: bad binary, missing ABI marker, unknown import, bad signature. */
export class LoadError extends Error {
  override name = "LoadError";
}

/** A hostcall that is not allowed in the current phase (§1.3 step 5, §2.1): a trap in Envoy. */
export class RestrictedCallError extends Error {
  override name = "RestrictedCallError";
}

/** A trap inside the module, with the location in the AssemblyScript source when known. */
export class WasmTrap extends Error {
  override name = "WasmTrap";
  constructor(
    message: string,
    /** The export that was running, e.g. proxy_on_request_headers. */
    readonly callback: string,
    /** `file.ts:line:column` of the innermost frame with a source position, if a source map was found. */
    readonly location: string | undefined,
    /** Every wasm frame, mapped where possible, innermost first. */
    readonly frames: string[],
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

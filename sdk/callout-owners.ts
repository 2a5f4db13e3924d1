// Bookkeeping of which context issued which callout (proxy-wasm-abi.md §1.7, §8.4).
//
// Envoy delivers every HTTP/gRPC callout response to the *root* context. The dispatcher
// looks the token up here and hands the response to the issuing stream (after
// proxy_set_effective_context), or drops it when that stream is gone.

/** The context whose callback is running (or the effective context set since). */
let active: u32 = 0;

export function activeContextId(): u32 {
  return active;
}

export function setActiveContextId(id: u32): void {
  active = id;
}

export enum CalloutKind {
  Http = 0,
  GrpcCall = 1,
  GrpcStream = 2,
}

const owners = new Map<u32, u32>();
const kinds = new Map<u32, i32>();

/** Records that the active context issued `token`. */
export function recordCallout(token: u32, kind: CalloutKind): void {
  owners.set(token, active);
  kinds.set(token, kind);
}

/** The context that issued `token`, or 0 when the SDK did not issue it. */
export function calloutOwner(token: u32): u32 {
  return owners.has(token) ? owners.get(token) : 0;
}

export function calloutKind(token: u32): i32 {
  return kinds.has(token) ? kinds.get(token) : -1;
}

export function forgetCallout(token: u32): void {
  owners.delete(token);
  kinds.delete(token);
}

/** Owner of a callout whose issuing context was deleted: its response is dropped. */
export const GONE: u32 = 0xFFFFFFFF;

/** Marks every callout issued by `contextId` as orphaned (its response will be dropped). */
export function orphanCalloutsOf(contextId: u32): void {
  if (owners.size == 0) return;
  const tokens = owners.keys();
  for (let i = 0; i < tokens.length; i++) {
    const t = unchecked(tokens[i]);
    if (owners.get(t) == contextId) owners.set(t, GONE);
  }
}

// Routes the host's callbacks (abi/exports.ts) to context objects (proxy-wasm-abi.md §8.4).
//
// Root contexts are created from factories registered by root id; the root id comes from
// the `plugin_root_id` property, read in proxy_on_context_create(id, 0). Stream contexts
// are created by their root. Callout responses, which Envoy always delivers to the root,
// go to the context that issued the call, after proxy_set_effective_context; responses for
// streams that are gone are dropped.

import { proxy_set_effective_context } from "./abi/context";
import {
  activeContextId, calloutKind, CalloutKind, calloutOwner, forgetCallout, GONE, orphanCalloutsOf, setActiveContextId,
} from "./callout-owners";
import { Context, HttpContext, PeerType, RootContext, StreamContext, TcpContext } from "./contexts";
import { logError } from "./logs";
import { getPropertyString } from "./properties";

/** Creates the root context for context id `contextId` and root id `rootId`. */
export type RootContextFactory = (contextId: u32, rootId: string) => RootContext;

const factoryIds = new Array<string>();
const factories = new Array<RootContextFactory>();

const roots = new Map<u32, RootContext>();
const https = new Map<u32, HttpContext>();
const tcps = new Map<u32, TcpContext>();

/**
 * Registers the root context factory for plugins with root id `rootId` ("" = the default).
 * Call from the module's top level. A root id with no factory of its own uses the only
 * registered factory, or else the one for "".
 */
export function registerRootContext(factory: RootContextFactory, rootId: string = ""): void {
  for (let i = 0; i < factoryIds.length; i++) {
    if (unchecked(factoryIds[i]) == rootId) {
      factories[i] = factory;
      return;
    }
  }
  factoryIds.push(rootId);
  factories.push(factory);
}

function factoryFor(rootId: string): i32 {
  for (let i = 0; i < factoryIds.length; i++) if (unchecked(factoryIds[i]) == rootId) return i;
  if (factoryIds.length == 1) return 0;
  for (let i = 0; i < factoryIds.length; i++) if (unchecked(factoryIds[i]) == "") return i;
  return -1;
}

/** The root context with id `id`, or null. */
export function getRootContext(id: u32): RootContext | null {
  return roots.has(id) ? roots.get(id) : null;
}

/** The live HTTP or TCP stream context with id `id`, or null. */
export function getStreamContext(id: u32): StreamContext | null {
  if (https.has(id)) return https.get(id);
  if (tcps.has(id)) return tcps.get(id);
  return null;
}

/** The live context (root or stream) with id `id`, or null. */
export function getContext(id: u32): Context | null {
  if (roots.has(id)) return roots.get(id);
  return getStreamContext(id);
}

// ---- lifecycle -----------------------------------------------------------------------------

export function onContextCreate(id: u32, parentId: u32): void {
  setActiveContextId(id);
  if (parentId == 0) {
    const rootIdOrNull = getPropertyString(["plugin_root_id"]);
    const rootId = rootIdOrNull === null ? "" : rootIdOrNull;
    const f = factoryFor(rootId);
    if (f < 0) {
      logError("wasmesh: no root context registered for root id '" + rootId + "'");
      return;
    }
    const root = unchecked(factories[f])(id, rootId);
    roots.set(id, root);
    return;
  }
  if (!roots.has(parentId)) return;
  const root = roots.get(parentId);
  const http = root.newHttpContext(id);
  if (http !== null) {
    https.set(id, http);
    return;
  }
  const tcp = root.newTcpContext(id);
  if (tcp !== null) tcps.set(id, tcp);
}

export function onVmStart(id: u32, size: u32): bool {
  setActiveContextId(id);
  // No root (unregistered root id): refuse to start rather than run half-configured.
  return roots.has(id) ? roots.get(id).onVmStart(size) : false;
}

export function onConfigure(id: u32, size: u32): bool {
  setActiveContextId(id);
  return roots.has(id) ? roots.get(id).onConfigure(size) : false;
}

export function onTick(id: u32): void {
  setActiveContextId(id);
  if (roots.has(id)) roots.get(id).onTick();
}

export function onQueueReady(id: u32, queueId: u32): void {
  setActiveContextId(id);
  if (roots.has(id)) roots.get(id).onQueueReady(queueId);
}

export function onForeignFunction(id: u32, functionId: u32, argsSize: u32): void {
  setActiveContextId(id);
  if (roots.has(id)) roots.get(id).onForeignFunction(functionId, argsSize);
}

export function onLog(id: u32): void {
  setActiveContextId(id);
  if (https.has(id)) https.get(id).onLog();
  else if (tcps.has(id)) tcps.get(id).onLog();
  else if (roots.has(id)) roots.get(id).onLog();
}

export function onDone(id: u32): bool {
  setActiveContextId(id);
  if (https.has(id)) return https.get(id).onDone();
  if (tcps.has(id)) return tcps.get(id).onDone();
  if (roots.has(id)) return roots.get(id).onDone();
  return true;
}

export function onDelete(id: u32): void {
  setActiveContextId(id);
  orphanCalloutsOf(id);
  if (https.has(id)) {
    const c = https.get(id);
    https.delete(id);
    c.onDelete();
  } else if (tcps.has(id)) {
    const c = tcps.get(id);
    tcps.delete(id);
    c.onDelete();
  } else if (roots.has(id)) {
    const c = roots.get(id);
    roots.delete(id);
    c.onDelete();
  }
}

// ---- HTTP ------------------------------------------------------------------------------------

export function onRequestHeaders(id: u32, numHeaders: u32, endOfStream: u32): i32 {
  setActiveContextId(id);
  return https.has(id) ? https.get(id).onRequestHeaders(numHeaders, endOfStream != 0) : 0;
}

export function onRequestBody(id: u32, bodySize: u32, endOfStream: u32): i32 {
  setActiveContextId(id);
  return https.has(id) ? https.get(id).onRequestBody(bodySize, endOfStream != 0) : 0;
}

export function onRequestTrailers(id: u32, numTrailers: u32): i32 {
  setActiveContextId(id);
  return https.has(id) ? https.get(id).onRequestTrailers(numTrailers) : 0;
}

export function onRequestMetadata(id: u32, numElements: u32): i32 {
  setActiveContextId(id);
  return https.has(id) ? https.get(id).onRequestMetadata(numElements) : 0;
}

export function onResponseHeaders(id: u32, numHeaders: u32, endOfStream: u32): i32 {
  setActiveContextId(id);
  return https.has(id) ? https.get(id).onResponseHeaders(numHeaders, endOfStream != 0) : 0;
}

export function onResponseBody(id: u32, bodySize: u32, endOfStream: u32): i32 {
  setActiveContextId(id);
  return https.has(id) ? https.get(id).onResponseBody(bodySize, endOfStream != 0) : 0;
}

export function onResponseTrailers(id: u32, numTrailers: u32): i32 {
  setActiveContextId(id);
  return https.has(id) ? https.get(id).onResponseTrailers(numTrailers) : 0;
}

export function onResponseMetadata(id: u32, numElements: u32): i32 {
  setActiveContextId(id);
  return https.has(id) ? https.get(id).onResponseMetadata(numElements) : 0;
}

// ---- TCP -------------------------------------------------------------------------------------

export function onNewConnection(id: u32): i32 {
  setActiveContextId(id);
  return tcps.has(id) ? tcps.get(id).onNewConnection() : 0;
}

export function onDownstreamData(id: u32, dataSize: u32, endOfStream: u32): i32 {
  setActiveContextId(id);
  return tcps.has(id) ? tcps.get(id).onDownstreamData(dataSize, endOfStream != 0) : 0;
}

export function onUpstreamData(id: u32, dataSize: u32, endOfStream: u32): i32 {
  setActiveContextId(id);
  return tcps.has(id) ? tcps.get(id).onUpstreamData(dataSize, endOfStream != 0) : 0;
}

export function onDownstreamConnectionClose(id: u32, peerType: u32): void {
  setActiveContextId(id);
  if (tcps.has(id)) tcps.get(id).onDownstreamConnectionClose(<PeerType>peerType);
}

export function onUpstreamConnectionClose(id: u32, peerType: u32): void {
  setActiveContextId(id);
  if (tcps.has(id)) tcps.get(id).onUpstreamConnectionClose(<PeerType>peerType);
}

// ---- callouts ----------------------------------------------------------------------------------

/**
 * The context that should receive a response for `token` on root `rootId`: the issuing
 * stream (made effective first), the root itself, or null when the issuer is gone.
 */
function calloutTarget(rootId: u32, token: u32): Context | null {
  const owner = calloutOwner(token);
  if (owner == GONE) return null; // the issuing stream is gone: drop the response
  // Tokens the SDK did not issue, or issued from a root, belong to the root.
  if (owner == 0 || roots.has(owner)) {
    setActiveContextId(rootId);
    return roots.has(rootId) ? roots.get(rootId) : null;
  }
  const stream = getStreamContext(owner);
  if (stream === null) return null;
  if (proxy_set_effective_context(owner) != 0) return null; // gone on the host's side
  setActiveContextId(owner);
  return stream;
}

export function onHttpCallResponse(rootId: u32, token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
  setActiveContextId(rootId);
  const target = calloutTarget(rootId, token);
  forgetCallout(token);
  if (target !== null) target.onHttpCallResponse(token, numHeaders, bodySize, numTrailers);
}

export function onGrpcReceiveInitialMetadata(rootId: u32, token: u32, numElements: u32): void {
  setActiveContextId(rootId);
  const target = calloutTarget(rootId, token);
  if (target !== null) target.onGrpcReceiveInitialMetadata(token, numElements);
}

export function onGrpcReceive(rootId: u32, token: u32, messageSize: u32): void {
  setActiveContextId(rootId);
  const target = calloutTarget(rootId, token);
  // A unary call answers once: its token is done after the message.
  if (calloutKind(token) == CalloutKind.GrpcCall) forgetCallout(token);
  if (target !== null) target.onGrpcReceive(token, messageSize);
}

export function onGrpcReceiveTrailingMetadata(rootId: u32, token: u32, numElements: u32): void {
  setActiveContextId(rootId);
  const target = calloutTarget(rootId, token);
  if (target !== null) target.onGrpcReceiveTrailingMetadata(token, numElements);
}

export function onGrpcClose(rootId: u32, token: u32, status: u32): void {
  setActiveContextId(rootId);
  const target = calloutTarget(rootId, token);
  forgetCallout(token);
  if (target !== null) target.onGrpcClose(token, status);
}

/** The context whose callback is running (or that was made effective since). */
export function currentContextId(): u32 {
  return activeContextId();
}

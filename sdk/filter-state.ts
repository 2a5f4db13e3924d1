// Filter state: how wasmesh filters pass verified facts to each other on one stream
// (DESIGN.md "Rules of the seam"; proxy-wasm-abi.md §3.7).
//
// proxy_set_property stores a value under the filter-state key `wasm.<path>`. Only
// single-segment names can be read back (a multi-segment path is stored under the literal
// key `wasm.a\0b`), so every name is one segment with dots. Filter state is per stream,
// invisible to clients (unlike request headers, which a client could forge), and readable
// by later filters and in on_log; set it only from stream callbacks (a root context has no
// stream: NotFound).
//
// The names below are the contract between wasmesh filters.

import { getProperty, getPropertyString, setProperty } from "./properties";
import { utf8 } from "./memory";
import { WasmResult } from "./result";

/** The authenticated subject of a verified JWT: `<iss>/<sub>` as in Istio's `request.auth.principal`. */
export const JWT_PRINCIPAL = "wasmesh.jwt.principal";
/** The verified JWT's claims as JSON text (the payload object). */
export const JWT_CLAIMS = "wasmesh.jwt.claims";
/** The verified JWT's audiences as a JSON array of strings. */
export const JWT_AUDIENCES = "wasmesh.jwt.audiences";
/** The verified JWT's `azp` (authorized presenter), when present. */
export const JWT_PRESENTER = "wasmesh.jwt.presenter";
/** The authorization outcome: `allow` or `deny`. */
export const AUTHZ_DECISION = "wasmesh.authz.decision";
/** The rule that decided, named like Envoy RBAC (`ns[<namespace>]-policy[<name>]-rule[<index>]`), or `none`. */
export const AUTHZ_POLICY = "wasmesh.authz.policy";
/** The fault injected on this stream, e.g. `abort:503` or `delay:1000ms`. */
export const FAULT = "wasmesh.fault";

/** Writes `value` under the single-segment name `name`. */
export function setFilterState(name: string, value: string): WasmResult {
  return setProperty([name], utf8(value));
}

export function setFilterStateBytes(name: string, value: ArrayBuffer): WasmResult {
  return setProperty([name], value);
}

/** Reads a value set by this or an earlier filter on this stream, or null. */
export function getFilterState(name: string): string | null {
  return getPropertyString([name]);
}

export function getFilterStateBytes(name: string): ArrayBuffer | null {
  return getProperty([name]);
}

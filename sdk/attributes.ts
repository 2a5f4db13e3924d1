// Typed access to the Envoy attributes filters use (proxy-wasm-abi.md §6), so attribute
// paths are not scattered as string arrays through filters. Each reader returns null (or
// the fallback) when the attribute is absent; lastResult() says why.
//
// xds.* attributes fall back to their pre-1.33 top-level names (`node`, `cluster_name`, …)
// on NotFound (§6.1), so one build runs on Envoy ≤ 1.32 and ≥ 1.33.

import {
  getPropertyBool, getPropertyInt64, getPropertyMap, getPropertyPairs, getPropertyString, getPropertyUint64,
} from "./properties";
import { BytesPair, Pair } from "./pairs";
import { lastResult, WasmResult } from "./result";

// ---- request (HTTP; need request headers, §5.2) ----

/** `:path` including the query string. */
export function requestPath(): string | null { return getPropertyString(["request", "path"]); }
/** `:path` without the query string. */
export function requestUrlPath(): string | null { return getPropertyString(["request", "url_path"]); }
/** `:authority`. */
export function requestHost(): string | null { return getPropertyString(["request", "host"]); }
export function requestScheme(): string | null { return getPropertyString(["request", "scheme"]); }
export function requestMethod(): string | null { return getPropertyString(["request", "method"]); }
/** Text after `?` (empty string when none). */
export function requestQuery(): string | null { return getPropertyString(["request", "query"]); }
/** `x-request-id`. */
export function requestId(): string | null { return getPropertyString(["request", "id"]); }
export function requestUserAgent(): string | null { return getPropertyString(["request", "useragent"]); }
export function requestReferer(): string | null { return getPropertyString(["request", "referer"]); }
/** `HTTP/1.1`, `HTTP/2`, … */
export function requestProtocol(): string | null { return getPropertyString(["request", "protocol"]); }
/** One request header through the attribute tree (comma-joined values). */
export function requestHeaderAttribute(name: string): string | null {
  return getPropertyString(["request", "headers", name]);
}
/** First byte received, ns since the epoch. */
export function requestTimeNanos(): i64 { return getPropertyInt64(["request", "time"]); }
/** Request duration in ns (complete requests only, e.g. in on_log). */
export function requestDurationNanos(): i64 { return getPropertyInt64(["request", "duration"]); }
export function requestSize(): i64 { return getPropertyInt64(["request", "size"]); }
export function requestTotalSize(): i64 { return getPropertyInt64(["request", "total_size"]); }

// ---- response ----

/** HTTP status; reliable in on_log (read `:status` in on_response_headers). */
export function responseCode(): i64 { return getPropertyInt64(["response", "code"]); }
export function responseCodeDetails(): string | null { return getPropertyString(["response", "code_details"]); }
export function responseFlags(): i64 { return getPropertyInt64(["response", "flags"]); }
export function responseGrpcStatus(): i64 { return getPropertyInt64(["response", "grpc_status"], -1); }
export function responseSize(): i64 { return getPropertyInt64(["response", "size"]); }
export function responseTotalSize(): i64 { return getPropertyInt64(["response", "total_size"]); }

// ---- downstream connection ----

/** Client `ip:port` (IPv6 `[addr]:port`), not just the IP. */
export function sourceAddress(): string | null { return getPropertyString(["source", "address"]); }
export function sourcePort(): i64 { return getPropertyInt64(["source", "port"]); }
/** Local `ip:port` that accepted the connection. */
export function destinationAddress(): string | null { return getPropertyString(["destination", "address"]); }
export function destinationPort(): i64 { return getPropertyInt64(["destination", "port"]); }
export function connectionId(): u64 { return getPropertyUint64(["connection", "id"]); }
/** TLS and the peer presented a certificate. */
export function connectionMtls(): bool { return getPropertyBool(["connection", "mtls"]); }
export function connectionRequestedServerName(): string | null {
  return getPropertyString(["connection", "requested_server_name"]);
}
export function connectionTlsVersion(): string | null { return getPropertyString(["connection", "tls_version"]); }
/** The peer's first URI SAN: in an Istio inbound sidecar, the client's SPIFFE id. */
export function connectionUriSanPeerCertificate(): string | null {
  return getPropertyString(["connection", "uri_san_peer_certificate"]);
}
export function connectionUriSanLocalCertificate(): string | null {
  return getPropertyString(["connection", "uri_san_local_certificate"]);
}
export function connectionDnsSanPeerCertificate(): string | null {
  return getPropertyString(["connection", "dns_san_peer_certificate"]);
}
export function connectionSubjectPeerCertificate(): string | null {
  return getPropertyString(["connection", "subject_peer_certificate"]);
}
export function connectionSha256PeerCertificateDigest(): string | null {
  return getPropertyString(["connection", "sha256_peer_certificate_digest"]);
}

// ---- upstream ----

export function upstreamAddress(): string | null { return getPropertyString(["upstream", "address"]); }
/** The server's SPIFFE id on an outbound sidecar. */
export function upstreamUriSanPeerCertificate(): string | null {
  return getPropertyString(["upstream", "uri_san_peer_certificate"]);
}

// ---- plugin ----

export function pluginName(): string | null { return getPropertyString(["plugin_name"]); }
export function pluginRootId(): string | null { return getPropertyString(["plugin_root_id"]); }
export function pluginVmId(): string | null { return getPropertyString(["plugin_vm_id"]); }

// ---- xds (with legacy fallback) ----

/** Reads `["xds", …rest]`, then `[…rest]` (Envoy ≤ 1.32 names) on NotFound. */
export function getXdsString(rest: Array<string>): string | null {
  const v = getPropertyString(["xds"].concat(rest));
  if (v !== null || lastResult() != WasmResult.NotFound) return v;
  return getPropertyString(rest);
}

export function getXdsInt64(rest: Array<string>, fallback: i64 = 0): i64 {
  const v = getPropertyInt64(["xds"].concat(rest), fallback);
  if (lastResult() != WasmResult.NotFound) return v;
  return getPropertyInt64(rest, fallback);
}

export function getXdsPairs(rest: Array<string>): Array<BytesPair> | null {
  const v = getPropertyPairs(["xds"].concat(rest));
  if (v !== null || lastResult() != WasmResult.NotFound) return v;
  return getPropertyPairs(rest);
}

export function getXdsMap(rest: Array<string>): Array<Pair> | null {
  const v = getPropertyMap(["xds"].concat(rest));
  if (v !== null || lastResult() != WasmResult.NotFound) return v;
  return getPropertyMap(rest);
}

/** `xds.node.id`, e.g. `sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local`. */
export function nodeId(): string | null { return getXdsString(["node", "id"]); }
export function nodeCluster(): string | null { return getXdsString(["node", "cluster"]); }
/** A string entry of the node metadata (Istio: NAMESPACE, NAME, WORKLOAD_NAME, MESH_ID, …). */
export function nodeMetadataString(key: string): string | null { return getXdsString(["node", "metadata", key]); }
/** A map entry of the node metadata (Istio: LABELS, ANNOTATIONS). */
export function nodeMetadataMap(key: string): Array<Pair> | null { return getXdsMap(["node", "metadata", key]); }
/** The workload namespace in Istio (`NAMESPACE`). */
export function nodeNamespace(): string | null { return nodeMetadataString("NAMESPACE"); }
export function clusterName(): string | null { return getXdsString(["cluster_name"]); }
export function routeName(): string | null { return getXdsString(["route_name"]); }
/** 0 unspecified, 1 inbound, 2 outbound. */
export function listenerDirection(): i64 { return getXdsInt64(["listener_direction"]); }

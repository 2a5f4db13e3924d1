// The downstream connection's attributes (§6.4), the same for HTTP streams and TCP
// connections: source.*, destination.*, connection.* (TLS ones only on a TLS connection).
import { V, type Value } from "./values.ts";
import type { ConnectionSpec } from "./types.ts";

export const DEFAULT_SOURCE = "127.0.0.1:50000";
export const DEFAULT_DESTINATION = "127.0.0.1:8080";

/** `ip:port` (IPv6 as `[addr]:port`) to its parts. */
export function splitAddress(a: string): [string, number] {
  const i = a.lastIndexOf(":");
  return i < 0 ? [a, 0] : [a.slice(0, i).replace(/^\[|\]$/g, ""), Number(a.slice(i + 1))];
}

/** source / destination / connection / connection_id for a connection, or undefined. */
export function connectionAttribute(c: ConnectionSpec, connectionId: number, top: string): Value | undefined {
  switch (top) {
    case "source": {
      const a = c.source ?? DEFAULT_SOURCE;
      return V.map({ address: V.str(a), port: V.int(splitAddress(a)[1]) });
    }
    case "destination": {
      const a = c.destination ?? DEFAULT_DESTINATION;
      return V.map({ address: V.str(a), port: V.int(splitAddress(a)[1]) });
    }
    case "connection": {
      const m: Record<string, Value | undefined> = {
        id: V.uint(connectionId),
        // TLS and the peer presented a certificate (§6.4, §7.1).
        mtls: V.bool(!!(c.mtls || c.peerPrincipal)),
        requested_server_name: V.str(c.sni ?? ""),
      };
      if (c.mtls || c.peerPrincipal || c.sni || c.tlsVersion) {
        m.tls_version = V.str(c.tlsVersion ?? "TLSv1.3");
        m.subject_peer_certificate = c.peerPrincipal || c.mtls ? V.str("") : undefined;
        m.subject_local_certificate = V.str("");
        if (c.peerPrincipal) m.uri_san_peer_certificate = V.str(c.peerPrincipal);
        if (c.localPrincipal) m.uri_san_local_certificate = V.str(c.localPrincipal);
      }
      return V.map(m);
    }
    case "connection_id":
      return V.uint(connectionId);
    default:
      return undefined;
  }
}

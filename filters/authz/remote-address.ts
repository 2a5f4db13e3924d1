// `remote.ip` / `remoteIpBlocks`: Envoy's computed remote address (policy-semantics.md §2.5,
// §2.8a), from the `x-forwarded-for` header and the configured number of trusted proxies.
// Pure code.
//
// - Sidecar (useRemoteAddress false, Istio's inbound default): the address `numTrustedProxies`
//   hops from the right of XFF — the right-most entry with 0 trusted proxies — when XFF has
//   enough entries; otherwise the peer.
// - Gateway (useRemoteAddress true): with 0 trusted proxies the peer itself; with N > 0 the N-th
//   entry from the right of XFF as received (the hop the N trusted proxies saw).
// - An entry that is not a valid IP falls back to the peer, as Envoy does (§2.8a). Repeated XFF
//   headers are read as one list, in order.
import { IpAddress } from "../../sdk/match/ip";

export function selectRemoteIp(
  xffValues: Array<string>, peer: IpAddress | null, useRemoteAddress: bool, numTrustedProxies: i32,
): IpAddress | null {
  if (useRemoteAddress && numTrustedProxies == 0) return peer;
  const entries = new Array<string>();
  for (let i = 0; i < xffValues.length; i++) {
    const parts = xffValues[i].split(",");
    for (let j = 0; j < parts.length; j++) entries.push(parts[j].trim());
  }
  if (entries.length == 0) return peer;
  const fromRight = useRemoteAddress ? numTrustedProxies : numTrustedProxies + 1;
  if (fromRight > entries.length) return peer;
  const ip = IpAddress.parse(entries[entries.length - fromRight]);
  return ip !== null ? ip : peer;
}

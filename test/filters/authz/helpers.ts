// Arrange/act helpers for the authz filter tests: every test runs build/authz.wasm through the
// host shim (never the AssemblyScript sources), the way Envoy would run it.
import { Host, type HostOptions } from "../../../host-shim/index.ts";
import type { RequestSpec, StreamResult } from "../../../host-shim/types.ts";

export const AUTHZ = "build/authz.wasm";

/** The peer identity of the policy-semantics test tables (`A`). */
export const PEER_A = "spiffe://cluster.local/ns/foo/sa/sleep";

export type Policy = Record<string, unknown>;

/** Loads authz with `config` (an object, or `{policies}` when given a list) on a fresh host. */
export async function authz(config: unknown, hostOptions: HostOptions = {}) {
  const host = new Host(hostOptions);
  const cfg = Array.isArray(config) ? { policies: config } : config;
  const plugin = await host.loadPlugin({ wasm: AUTHZ, name: "authz", config: cfg });
  return { host, plugin };
}

/** The filter state authz wrote, as text. */
export function state(r: StreamResult, name: string): string | undefined {
  const v = r.filterState.get(`wasm.${name}`);
  return v === undefined ? undefined : Buffer.from(v).toString("utf8");
}

/** "allow" when the request reached the upstream, else the status the client got. */
export function verdict(r: StreamResult): "allow" | number {
  if (r.upstream) return "allow";
  return r.response?.status ?? -1;
}

/** Sends and returns allow / status; the result is kept for deeper checks. */
export async function decide(host: Host, req: RequestSpec = {}): Promise<"allow" | number> {
  return verdict(await host.send(req));
}

/** A JWT identity as jwt-authn publishes it (filter state). */
export function jwt(claims: Record<string, unknown>): Record<string, string> {
  const fs: Record<string, string> = { "wasmesh.jwt.claims": JSON.stringify(claims) };
  if (typeof claims.iss === "string" && typeof claims.sub === "string") fs["wasmesh.jwt.principal"] = `${claims.iss}/${claims.sub}`;
  return fs;
}

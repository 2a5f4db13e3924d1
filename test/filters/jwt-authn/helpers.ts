// Arrange helpers for jwt-authn tests: keys and tokens minted with jose, JWKS documents, and
// a host with the filter loaded from build/jwt-authn.wasm.
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK, type JWTPayload, type KeyObject } from "jose";
import { createSecretKey, randomBytes } from "node:crypto";
import { Host, type HostOptions } from "../../../host-shim/index.ts";

export const WASM = "build/jwt-authn.wasm";
/** The virtual clock's start: 2030-01-01T00:00:00Z. */
export const T0 = Date.UTC(2030, 0, 1);
export const NOW = T0 / 1000;

export type Alg = "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "ES512" | "EdDSA" | "HS256" | "HS384" | "HS512";
export const ALGS: Alg[] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512"];

export interface TestKey {
  alg: Alg;
  kid: string;
  privateKey: CryptoKey | KeyObject | Uint8Array;
  /** The public JWK (for oct: the secret), with kid and alg. */
  jwk: JWK;
}

const cache = new Map<string, TestKey>();

/** A key for `alg` (cached per alg+kid: RSA generation is slow). */
export async function key(alg: Alg, kid = `${alg.toLowerCase()}-1`, opts: { withAlg?: boolean } = {}): Promise<TestKey> {
  const id = `${alg}|${kid}|${opts.withAlg ?? true}`;
  const hit = cache.get(id);
  if (hit) return hit;
  let k: TestKey;
  if (alg.startsWith("HS")) {
    const secret = randomBytes(alg === "HS256" ? 32 : alg === "HS384" ? 48 : 64);
    const jwk = await exportJWK(createSecretKey(secret));
    k = { alg, kid, privateKey: new Uint8Array(secret), jwk: { ...jwk, kid, ...(opts.withAlg ?? true ? { alg } : {}) } };
  } else {
    const pair = await generateKeyPair(alg, { extractable: true, ...(alg === "EdDSA" ? { crv: "Ed25519" } : {}) });
    const jwk = await exportJWK(pair.publicKey);
    k = { alg, kid, privateKey: pair.privateKey, jwk: { ...jwk, kid, ...(opts.withAlg ?? true ? { alg } : {}), use: "sig" } };
  }
  cache.set(id, k);
  return k;
}

export function jwks(...keys: Array<TestKey | JWK>): string {
  return JSON.stringify({ keys: keys.map((k) => ("jwk" in k ? (k as TestKey).jwk : k)) });
}

/** A signed token; `header` extends the protected header (kid defaults to the key's, null removes it). */
export async function token(k: TestKey, payload: JWTPayload & Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const h: Record<string, unknown> = { alg: k.alg, kid: k.kid, ...header };
  if (h.kid === null) delete h.kid;
  return new SignJWT(payload).setProtectedHeader(h as any).sign(k.privateKey as any);
}

export const b64u = (s: string | Uint8Array) => Buffer.from(s).toString("base64url");

/** A token from raw header/payload JSON text and signature bytes (for malformed cases). */
export function raw(header: string, payload: string, sig: Uint8Array | string = "sig"): string {
  return `${b64u(header)}.${b64u(payload)}.${typeof sig === "string" ? b64u(sig) : b64u(sig)}`;
}

export const ISS = "https://a.example";

export async function host(config: unknown, opts: HostOptions & { name?: string } = {}) {
  const { name, ...hostOptions } = opts;
  const h = new Host({ clock: T0, ...hostOptions });
  const plugin = await h.loadPlugin({ wasm: WASM, config, name: name ?? "jwt" });
  return { host: h, plugin };
}

/** The client-visible outcome of a request in one line: `200` or `401 Jwt is expired`. */
export function outcome(r: { response: { status: number; text(): string } | null }): string {
  if (!r.response) return "stuck";
  return r.response.status === 200 ? "200" : `${r.response.status} ${r.response.text()}`;
}

export function state(r: { filterState: Map<string, Uint8Array> }, name: string): string | undefined {
  const v = r.filterState.get(`wasm.${name}`) ?? r.filterState.get(name);
  return v === undefined ? undefined : new TextDecoder().decode(v);
}

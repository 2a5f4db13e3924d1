// A JSON Web Key Set turned into verification keys, by jwt_verify_lib's rules
// (policy-semantics.md §1.7.3): a set is usable when at least one key is; non-object entries
// and invalid keys are dropped (each with its reason, for the log), never guessed at.
//
// The member checks are sdk/crypto/jwk.ts's, applied one key at a time (parseJwk), so a broken
// key does not take the whole set down as parseJwks would. On top of them, as jwt_verify_lib:
// an EC key without `crv` is P-256 (or the curve its `alg` names), and an RSA exponent must be
// 3 or 65537. Key objects (Montgomery constants, curve tables) are built here, once per set.
import { Jwk, JwkCurve, JwkKty, parseJwk } from "../../sdk/crypto/jwk";
import { RsaPublicKey } from "../../sdk/crypto/rsa";
import { EcPublicKey } from "../../sdk/crypto/ec/ecdsa";
import { Ed25519PublicKey } from "../../sdk/crypto/ed25519";
import { HmacKey } from "../../sdk/crypto/hmac";
import { HashAlg } from "../../sdk/crypto/sha2";
import { JsonString, JsonValue, parseJson } from "../../sdk/json/index";
import { JwtStatus } from "./status";

/** One usable key: the JWK record and the key object for its type. */
export class VerificationKey {
  rsa: RsaPublicKey | null = null;
  ec: EcPublicKey | null = null;
  ed: Ed25519PublicKey | null = null;
  private hs256: HmacKey | null = null;
  private hs384: HmacKey | null = null;
  private hs512: HmacKey | null = null;
  /** SubjectPublicKeyInfo DER, built on first use by the host verifier. */
  spki: Uint8Array | null = null;

  constructor(readonly jwk: Jwk) {}

  /** The HMAC key for `alg` (the ipad/opad blocks are hashed once, then reused). */
  hmac(alg: HashAlg): HmacKey {
    const k = this.jwk.k!;
    if (alg == HashAlg.SHA256) {
      if (this.hs256 === null) this.hs256 = new HmacKey(alg, k);
      return this.hs256!;
    }
    if (alg == HashAlg.SHA384) {
      if (this.hs384 === null) this.hs384 = new HmacKey(alg, k);
      return this.hs384!;
    }
    if (this.hs512 === null) this.hs512 = new HmacKey(alg, k);
    return this.hs512!;
  }
}

export class KeySet {
  keys: VerificationKey[] = [];
  /** Why keys were dropped: `keys[1].n: …`. */
  dropped: string[] = [];
  /** Ok when usable; else the JWKS status every token verified against it gets. */
  status: JwtStatus = JwtStatus.Ok;

  /** Keys whose `kid` is `kid`. */
  byKidCount(kid: string): i32 {
    let n = 0;
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i].jwk.kid;
      if (k !== null && k == kid) n++;
    }
    return n;
  }

  static failed(s: JwtStatus): KeySet {
    const k = new KeySet();
    k.status = s;
    return k;
  }
}

/** Parses JWKS text (UTF-8). */
export function parseKeySet(text: Uint8Array): KeySet {
  const r = parseJson(text);
  if (r.value === null || !r.value!.isObject()) return KeySet.failed(JwtStatus.JwksParseError);
  const doc = r.value!;
  const list = doc.get("keys");
  // The "x509" format (an object of PEM certificates, no `keys`) is not supported: the set
  // is reported as having no keys (README "Differences").
  if (list === null) return KeySet.failed(JwtStatus.JwksNoKeys);
  if (!list.isArray()) return KeySet.failed(JwtStatus.JwksBadKeys);
  const set = new KeySet();
  for (let i = 0; i < list.length; i++) {
    const path = "keys[" + i.toString() + "]";
    const v = list.at(i)!;
    if (!v.isObject()) {
      set.dropped.push(path + ": not an object");
      continue;
    }
    defaultEcCurve(v);
    const pr = parseJwk(v);
    if (pr.key === null) {
      const e = pr.error!;
      set.dropped.push(path + (e.path.length > 0 ? "." + e.path : "") + ": " + e.message);
      continue;
    }
    const why = buildKey(pr.key!);
    if (why.length > 0) {
      set.dropped.push(path + ": " + why);
      continue;
    }
    set.keys.push(lastBuilt!);
  }
  if (set.keys.length == 0) set.status = JwtStatus.JwksNoValidKeys;
  return set;
}

/** jwt_verify_lib: an EC key without `crv` takes the curve of its `alg`, else P-256. */
function defaultEcCurve(v: JsonValue): void {
  const kty = v.getString("kty");
  if (kty === null || kty != "EC" || v.has("crv")) return;
  const alg = v.getString("alg");
  let crv = "P-256";
  if (alg !== null && alg == "ES384") crv = "P-384";
  else if (alg !== null && alg == "ES512") crv = "P-521";
  v.asObject()!.set("crv", new JsonString(crv));
}

let lastBuilt: VerificationKey | null = null;

/** Builds the key object; "" on success (in lastBuilt), else why the key is unusable. */
function buildKey(jwk: Jwk): string {
  const key = new VerificationKey(jwk);
  lastBuilt = null;
  switch (jwk.kty) {
    case JwkKty.RSA: {
      const e = jwk.e!;
      const e3 = e.length == 1 && e[0] == 3;
      const e65537 = e.length == 3 && e[0] == 1 && e[1] == 0 && e[2] == 1;
      if (!e3 && !e65537) return "RSA exponent must be 3 or 65537";
      const k = RsaPublicKey.create(jwk.n!, e);
      if (k === null) return RsaPublicKey.lastError;
      key.rsa = k;
      break;
    }
    case JwkKty.EC: {
      // JwkCurve's EC values equal EcCurve's.
      const k = EcPublicKey.create(<i32>jwk.crv, jwk.x!, jwk.y!);
      if (k === null) return EcPublicKey.lastError;
      key.ec = k;
      break;
    }
    case JwkKty.OKP: {
      if (jwk.crv != JwkCurve.ED25519) return "unsupported OKP curve";
      const k = Ed25519PublicKey.create(jwk.x!);
      if (k === null) return Ed25519PublicKey.lastError;
      key.ed = k;
      break;
    }
    default:
      break; // oct: HMAC keys are made per alg on first use
  }
  lastBuilt = key;
  return "";
}

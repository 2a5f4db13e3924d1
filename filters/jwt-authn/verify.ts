// Signature verification of a parsed token against a key set (policy-semantics.md §1.7.2):
// keys in document order; a key is eligible unless both it and the token carry a `kid` that
// differ, or it carries an `alg` other than the token's. The token's `alg` must fit the key's
// type — RS*/PS* on RSA, ES* on EC, HS* on oct, EdDSA on OKP — anything else just fails, which
// is what defeats algorithm confusion (HS256 "signed" with an RSA public key, `alg: none`
// never gets here: jwt.ts rejects it). First key that verifies wins.
import { HashAlg } from "../../sdk/crypto/sha2";
import { JwkKty } from "../../sdk/crypto/jwk";
import { rsaVerifyPkcs1, rsaVerifyPss } from "../../sdk/crypto/rsa";
import { EcCurve, ecdsaVerify } from "../../sdk/crypto/ec/ecdsa";
import { ed25519Verify } from "../../sdk/crypto/ed25519";
import { Jwt } from "./jwt";
import { KeySet, VerificationKey } from "./jwks";
import { JwtStatus } from "./status";

/** The hash of a JWS `alg`: SHA-384 for *384, SHA-512 for *512, else SHA-256 (§1.7.2). */
export function hashOf(alg: string): HashAlg {
  if (alg.endsWith("384")) return HashAlg.SHA384;
  if (alg.endsWith("512")) return HashAlg.SHA512;
  return HashAlg.SHA256;
}

/**
 * Signature checks the host performs (Envoy's `verify_signature` foreign function). The base
 * class offers none; the adapter's subclass calls the host.
 */
export class SignatureHost {
  /** 1 verified, 0 not verified, -1 this host cannot check it (the wasm code then does). */
  verify(alg: string, key: VerificationKey, input: Uint8Array, sig: Uint8Array): i32 {
    return -1;
  }
}

/** Verifies `jwt` against `keys` (whose status is Ok). */
export function verifySignature(jwt: Jwt, keys: KeySet, host: SignatureHost | null): JwtStatus {
  const alg = jwt.alg;
  const kid = jwt.kid;
  let eligible = false;
  for (let i = 0; i < keys.keys.length; i++) {
    const key = keys.keys[i];
    const jwk = key.jwk;
    const keyKid = jwk.kid;
    if (kid !== null && keyKid !== null && keyKid != kid) continue;
    const keyAlg = jwk.alg;
    if (keyAlg !== null && keyAlg != alg) continue;
    eligible = true;
    if (jwk.kty == JwkKty.OKP && alg == "EdDSA" && jwt.signature.length != 64) {
      return JwtStatus.JwtEd25519SignatureWrongLength;
    }
    // RFC 7518 §3.4: ES256 is P-256, ES384 P-384, ES512 P-521. ECDSA itself verifies any hash
    // on any curve, so a key of another curve must not count (jwt_verify_lib does not check).
    if (jwk.kty == JwkKty.EC && !ecCurveFits(alg, key)) continue;
    if (host !== null) {
      const r = host.verify(alg, key, jwt.signingInput, jwt.signature);
      if (r == 1) return JwtStatus.Ok;
      if (r == 0) continue;
    }
    if (verifyWith(alg, key, jwt.signingInput, jwt.signature)) return JwtStatus.Ok;
  }
  return eligible ? JwtStatus.JwtVerificationFail : JwtStatus.JwksKidAlgMismatch;
}

/** Whether an ES* token's algorithm names this EC key's curve. */
function ecCurveFits(alg: string, key: VerificationKey): bool {
  const ec = key.ec;
  if (ec === null) return false;
  if (alg == "ES256") return ec.curve == EcCurve.P256;
  if (alg == "ES384") return ec.curve == EcCurve.P384;
  if (alg == "ES512") return ec.curve == EcCurve.P521;
  return false;
}

/** One key, in wasm. */
export function verifyWith(alg: string, key: VerificationKey, input: Uint8Array, sig: Uint8Array): bool {
  const kty = key.jwk.kty;
  const first = alg.charCodeAt(0);
  const hash = hashOf(alg);
  if (kty == JwkKty.RSA) {
    if (first == 0x52 /* R */ && alg.charCodeAt(1) == 0x53 /* S */) return rsaVerifyPkcs1(key.rsa!, hash, input, sig);
    if (first == 0x50 /* P */ && alg.charCodeAt(1) == 0x53) return rsaVerifyPss(key.rsa!, hash, input, sig, hash == HashAlg.SHA256 ? 32 : hash == HashAlg.SHA384 ? 48 : 64);
    return false;
  }
  if (kty == JwkKty.EC) {
    if (first == 0x45 /* E */ && alg.charCodeAt(1) == 0x53) return ecdsaVerify(key.ec!, hash, input, sig);
    return false;
  }
  if (kty == JwkKty.OCT) {
    if (first == 0x48 /* H */ && alg.charCodeAt(1) == 0x53) return key.hmac(hash).verify(input, sig);
    return false;
  }
  if (kty == JwkKty.OKP) {
    if (alg == "EdDSA") return ed25519Verify(key.ed!, input, sig);
    return false;
  }
  return false;
}

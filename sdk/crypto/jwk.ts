// JSON Web Keys (RFC 7517) and key sets, parsed into plain key records for JWS verification
// (RFC 7518 §6 key parameters, RFC 8037 for OKP). This file only checks and decodes: the RSA,
// EC and Ed25519 modules turn a record's bytes into key objects (RsaPublicKey.create(n, e),
// EcPublicKey.create(curve, x, y), Ed25519PublicKey.create(x)), so a filter that never sees an
// RSA key does not link the RSA code.
//
// What is checked, and what happens otherwise:
//
// | problem                                                     | single JWK | in a JWKS      |
// | ----------------------------------------------------------- | ---------- | -------------- |
// | not JSON, not an object, `keys` missing or not an array     | error      | error          |
// | a member of the wrong JSON type, bad base64url, a missing   | error      | error (the set |
// | required member, wrong coordinate length, a non-minimal RSA |            | is broken; we  |
// | integer (RFC 7518 §6.3.1: "MUST utilize the minimum number  |            | do not guess)  |
// | of octets"), duplicate `key_ops` (RFC 7517 §4.3)            |            |                |
// | unknown `kty`; an EC/OKP curve we do not verify (secp256k1, | error      | skipped, with  |
// | X25519, Ed448); `use` other than "sig"; `key_ops` without   |            | the reason     |
// | "verify"; an RSA modulus under 2048 bits; an oct key        |            |                |
// | shorter than its HS* `alg` needs (RFC 7518 §3.2); an `alg`  |            |                |
// | that does not fit the key (RS256 on an EC key, ES384 on     |            |                |
// | P-256)                                                      |            |                |
//
// Errors and skip reasons carry the JSON path: `keys[2].n: not base64url: bad character '+'
// at 10 (wrong base64 variant)`. Private members (`d`, `p`, ...) are ignored: verification
// needs only the public part.
import { JsonValue, parseJson, parseJsonString } from "../json/index";
import { base64Error, base64UrlDecode } from "./base64";

/** Key type (`kty`). */
export const enum JwkKty {
  RSA = 0,
  EC = 1,
  OKP = 2,
  OCT = 3,
}

/** Curve (`crv`); the EC values equal ec/ecdsa.ts's EcCurve, so they can be passed as is. */
export const enum JwkCurve {
  NONE = -1,
  P256 = 0,
  P384 = 1,
  P521 = 2,
  ED25519 = 3,
}

/** The smallest RSA modulus accepted, as in rsa.ts. */
export const JWK_RSA_MIN_BITS: i32 = 2048;

/** One key: the members for its `kty` are set, the others are null. */
export class Jwk {
  kty: JwkKty = JwkKty.RSA;
  /** `kid`, `alg`, `use` when present (strings), else null. */
  kid: string | null = null;
  alg: string | null = null;
  use: string | null = null;
  /** `key_ops` when present, else null. */
  keyOps: string[] | null = null;
  /** RSA: modulus and exponent, big-endian, minimal (no leading zero byte). */
  n: Uint8Array | null = null;
  e: Uint8Array | null = null;
  /** RSA: bits of the modulus. */
  modulusBits: i32 = 0;
  /** EC and OKP: the curve. */
  crv: JwkCurve = JwkCurve.NONE;
  /** EC: coordinates, big-endian, exactly the curve's length (32, 48, 66). OKP: `x` (32 bytes). */
  x: Uint8Array | null = null;
  y: Uint8Array | null = null;
  /** oct: the secret. */
  k: Uint8Array | null = null;
  /** Position in the set's `keys` array; -1 for a single JWK. */
  index: i32 = -1;

  /** "RSA", "EC", "OKP" or "oct". */
  get ktyName(): string {
    switch (this.kty) {
      case JwkKty.RSA: return "RSA";
      case JwkKty.EC: return "EC";
      case JwkKty.OKP: return "OKP";
      default: return "oct";
    }
  }
}

/** A key of a JWKS that was left out, and why. */
export class JwkSkipped {
  constructor(readonly index: i32, readonly path: string, readonly reason: string) {}

  toString(): string {
    return this.path + ": " + this.reason;
  }
}

export class JwkError {
  constructor(
    /** JSON path of the offending member ("" for the document itself), e.g. "keys[2].n". */
    readonly path: string,
    readonly message: string,
  ) {}

  toString(): string {
    return this.path.length > 0 ? this.path + ": " + this.message : this.message;
  }
}

export class JwkResult {
  constructor(readonly key: Jwk | null, readonly error: JwkError | null) {}
}

export class JwkSet {
  keys: Jwk[] = [];
  skipped: JwkSkipped[] = [];

  /** Keys with this `kid`, in set order (a set may hold several during rotation). */
  byKid(kid: string): Jwk[] {
    const out = new Array<Jwk>();
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i];
      const id = k.kid;
      if (id !== null && id == kid) out.push(k);
    }
    return out;
  }
}

export class JwksResult {
  constructor(readonly set: JwkSet | null, readonly error: JwkError | null) {}
}

// --- Entry points ---

/** One JWK from UTF-8 JSON text. */
export function parseJwkBytes(text: Uint8Array): JwkResult {
  const r = parseJson(text);
  if (r.value === null) return new JwkResult(null, new JwkError("", "invalid JSON: " + r.error!.toString()));
  return parseJwk(r.value!);
}

/** One JWK from JSON text in a string. */
export function parseJwkString(text: string): JwkResult {
  const r = parseJsonString(text);
  if (r.value === null) return new JwkResult(null, new JwkError("", "invalid JSON: " + r.error!.toString()));
  return parseJwk(r.value!);
}

/** One JWK from a parsed JSON value. Anything a set would skip is an error here. */
export function parseJwk(v: JsonValue): JwkResult {
  const p = new KeyParser();
  const key = p.key(v, "", -1);
  if (key !== null) return new JwkResult(key, null);
  return new JwkResult(null, new JwkError(p.path, p.message));
}

/** A JWKS (`{"keys": [...]}`) from UTF-8 JSON text. */
export function parseJwksBytes(text: Uint8Array): JwksResult {
  const r = parseJson(text);
  if (r.value === null) return new JwksResult(null, new JwkError("", "invalid JSON: " + r.error!.toString()));
  return parseJwks(r.value!);
}

/** A JWKS from JSON text in a string. */
export function parseJwksString(text: string): JwksResult {
  const r = parseJsonString(text);
  if (r.value === null) return new JwksResult(null, new JwkError("", "invalid JSON: " + r.error!.toString()));
  return parseJwks(r.value!);
}

/** A JWKS from a parsed JSON value. */
export function parseJwks(v: JsonValue): JwksResult {
  if (!v.isObject()) return new JwksResult(null, new JwkError("", "a JWK set must be a JSON object, got " + v.kindName()));
  const list = v.get("keys");
  if (list === null) return new JwksResult(null, new JwkError("keys", "required"));
  if (!list.isArray()) return new JwksResult(null, new JwkError("keys", "must be an array, got " + list.kindName()));
  const set = new JwkSet();
  const p = new KeyParser();
  for (let i = 0; i < list.length; i++) {
    const path = "keys[" + i.toString() + "]";
    p.reset();
    const key = p.key(list.at(i)!, path, i);
    if (key !== null) {
      set.keys.push(key);
    } else if (p.skippable) {
      set.skipped.push(new JwkSkipped(i, p.path, p.message));
    } else {
      return new JwksResult(null, new JwkError(p.path, p.message));
    }
  }
  return new JwksResult(set, null);
}

// --- The checks ---

class KeyParser {
  path: string = "";
  message: string = "";
  /** The failure is a key we do not use (skip it in a set), not a malformed one. */
  skippable: bool = false;

  reset(): void {
    this.path = "";
    this.message = "";
    this.skippable = false;
  }

  private fail(path: string, message: string): Jwk | null {
    this.path = path;
    this.message = message;
    this.skippable = false;
    return null;
  }

  private skip(path: string, message: string): Jwk | null {
    this.path = path;
    this.message = message;
    this.skippable = true;
    return null;
  }

  key(v: JsonValue, path: string, index: i32): Jwk | null {
    if (!v.isObject()) return this.fail(path, "a JWK must be a JSON object, got " + v.kindName());
    const jwk = new Jwk();
    jwk.index = index;

    // Common members: type-checked whatever the kty, so a broken set is reported as broken.
    const ktyV = v.get("kty");
    if (ktyV === null) return this.fail(member(path, "kty"), "required");
    const kty = ktyV.asString();
    if (kty === null) return this.fail(member(path, "kty"), "must be a string, got " + ktyV.kindName());
    if (!this.optionalString(v, "kid", member(path, "kid"))) return null;
    if (!this.optionalString(v, "alg", member(path, "alg"))) return null;
    if (!this.optionalString(v, "use", member(path, "use"))) return null;
    jwk.kid = v.getString("kid");
    jwk.alg = v.getString("alg");
    jwk.use = v.getString("use");
    const ops = v.get("key_ops");
    if (ops !== null) {
      if (!ops.isArray()) return this.fail(member(path, "key_ops"), "must be an array of strings, got " + ops.kindName());
      const list = new Array<string>();
      for (let i = 0; i < ops.length; i++) {
        const op = ops.at(i)!.asString();
        const opPath = member(path, "key_ops") + "[" + i.toString() + "]";
        if (op === null) return this.fail(opPath, "must be a string, got " + ops.at(i)!.kindName());
        if (list.includes(op)) return this.fail(opPath, "duplicate key operation \"" + op + "\" (RFC 7517 §4.3)");
        list.push(op);
      }
      jwk.keyOps = list;
    }

    // The kty-specific members.
    if (kty == "RSA") {
      jwk.kty = JwkKty.RSA;
      const n = this.bytes(v, "n", member(path, "n"));
      if (n === null) return null;
      const e = this.bytes(v, "e", member(path, "e"));
      if (e === null) return null;
      if (n.length == 0) return this.fail(member(path, "n"), "empty");
      if (e.length == 0) return this.fail(member(path, "e"), "empty");
      if (n[0] == 0) return this.fail(member(path, "n"), "leading zero octet: RSA integers must use the minimum number of octets (RFC 7518 §6.3.1)");
      if (e[0] == 0) return this.fail(member(path, "e"), "leading zero octet: RSA integers must use the minimum number of octets (RFC 7518 §6.3.1)");
      jwk.n = n;
      jwk.e = e;
      jwk.modulusBits = (n.length - 1) * 8 + (32 - clz<u32>(<u32>n[0]));
      if (jwk.modulusBits < JWK_RSA_MIN_BITS) {
        return this.skip(member(path, "n"), "RSA modulus has " + jwk.modulusBits.toString() + " bits; at least " + JWK_RSA_MIN_BITS.toString() + " are required");
      }
    } else if (kty == "EC") {
      jwk.kty = JwkKty.EC;
      const crv = this.requiredString(v, "crv", member(path, "crv"));
      if (crv === null) return null;
      let len = 0;
      if (crv == "P-256") {
        jwk.crv = JwkCurve.P256;
        len = 32;
      } else if (crv == "P-384") {
        jwk.crv = JwkCurve.P384;
        len = 48;
      } else if (crv == "P-521") {
        jwk.crv = JwkCurve.P521;
        len = 66;
      } else {
        return this.skip(member(path, "crv"), "unsupported EC curve \"" + crv + "\" (P-256, P-384 and P-521 are)");
      }
      const x = this.bytes(v, "x", member(path, "x"));
      if (x === null) return null;
      const y = this.bytes(v, "y", member(path, "y"));
      if (y === null) return null;
      // RFC 7518 §6.2.1.2/3: "MUST be the full size of a coordinate for the curve".
      if (x.length != len) return this.fail(member(path, "x"), crv + " coordinates are " + len.toString() + " bytes, got " + x.length.toString());
      if (y.length != len) return this.fail(member(path, "y"), crv + " coordinates are " + len.toString() + " bytes, got " + y.length.toString());
      jwk.x = x;
      jwk.y = y;
    } else if (kty == "OKP") {
      jwk.kty = JwkKty.OKP;
      const crv = this.requiredString(v, "crv", member(path, "crv"));
      if (crv === null) return null;
      if (crv != "Ed25519") return this.skip(member(path, "crv"), "unsupported OKP curve \"" + crv + "\" (Ed25519 is)");
      jwk.crv = JwkCurve.ED25519;
      const x = this.bytes(v, "x", member(path, "x"));
      if (x === null) return null;
      if (x.length != 32) return this.fail(member(path, "x"), "Ed25519 public keys are 32 bytes, got " + x.length.toString());
      jwk.x = x;
    } else if (kty == "oct") {
      jwk.kty = JwkKty.OCT;
      const k = this.bytes(v, "k", member(path, "k"));
      if (k === null) return null;
      if (k.length == 0) return this.fail(member(path, "k"), "empty");
      jwk.k = k;
    } else {
      return this.skip(member(path, "kty"), "unsupported key type \"" + kty + "\"");
    }

    // Usable for verifying signatures at all?
    const use = jwk.use;
    if (use !== null && use != "sig") return this.skip(member(path, "use"), "\"" + use + "\" key, not a signature key");
    const keyOps = jwk.keyOps;
    if (keyOps !== null && !keyOps.includes("verify")) return this.skip(member(path, "key_ops"), "does not include \"verify\"");
    const alg = jwk.alg;
    if (alg !== null) {
      const why = algMismatch(jwk, alg);
      if (why.length > 0) return this.skip(member(path, "alg"), why);
    }
    return jwk;
  }

  private optionalString(v: JsonValue, name: string, path: string): bool {
    const m = v.get(name);
    if (m !== null && !m.isString()) {
      this.fail(path, "must be a string, got " + m.kindName());
      return false;
    }
    return true;
  }

  private requiredString(v: JsonValue, name: string, path: string): string | null {
    const m = v.get(name);
    if (m === null) {
      this.fail(path, "required");
      return null;
    }
    const s = m.asString();
    if (s === null) this.fail(path, "must be a string, got " + m.kindName());
    return s;
  }

  /** A required base64url member, decoded. */
  private bytes(v: JsonValue, name: string, path: string): Uint8Array | null {
    const s = this.requiredString(v, name, path);
    if (s === null) return null;
    const b = base64UrlDecode(s);
    if (b === null) this.fail(path, "not base64url: " + base64Error());
    return b;
  }
}

/** The path of `name` inside the object at `path`. */
function member(path: string, name: string): string {
  return path.length > 0 ? path + "." + name : name;
}

/** "" when the JWK `alg` fits the key, else why not (RFC 7518 §3.1 names). */
function algMismatch(jwk: Jwk, alg: string): string {
  switch (jwk.kty) {
    case JwkKty.RSA: {
      if (alg == "RS256" || alg == "RS384" || alg == "RS512" || alg == "PS256" || alg == "PS384" || alg == "PS512") return "";
      break;
    }
    case JwkKty.EC: {
      const want = jwk.crv == JwkCurve.P256 ? "ES256" : jwk.crv == JwkCurve.P384 ? "ES384" : "ES512";
      if (alg == want) return "";
      if (alg == "ES256" || alg == "ES384" || alg == "ES512") return "alg " + alg + " does not fit curve " + curveName(jwk.crv) + " (" + want + " does)";
      break;
    }
    case JwkKty.OKP: {
      if (alg == "EdDSA" || alg == "Ed25519") return "";
      break;
    }
    default: {
      let need = 0;
      if (alg == "HS256") need = 32;
      else if (alg == "HS384") need = 48;
      else if (alg == "HS512") need = 64;
      else break;
      const have = jwk.k!.length;
      if (have < need) {
        return alg + " needs a key of at least " + need.toString() + " bytes (RFC 7518 §3.2), k has " + have.toString();
      }
      return "";
    }
  }
  return "alg " + alg + " does not fit an " + jwk.ktyName + " key";
}

/** The JWK `crv` name of a curve. */
export function curveName(crv: JwkCurve): string {
  switch (crv) {
    case JwkCurve.P256: return "P-256";
    case JwkCurve.P384: return "P-384";
    case JwkCurve.P521: return "P-521";
    case JwkCurve.ED25519: return "Ed25519";
    default: return "none";
  }
}

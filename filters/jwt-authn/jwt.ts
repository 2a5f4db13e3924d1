// Parsing one compact JWS token (policy-semantics.md §1.4 step 1), in jwt_verify_lib's order:
// the first failure decides the status. Nothing here checks a signature or a key.
import { base64UrlDecode } from "../../sdk/crypto/base64";
import { JsonValue, parseJson } from "../../sdk/json/index";
import { JwtStatus } from "./status";

/** A syntactically valid token: its decoded parts and typed registered claims. */
export class Jwt {
  /** The header and payload segments as they appeared in the token (base64url). */
  headerSegment: string = "";
  payloadSegment: string = "";
  /** `<header segment>.<payload segment>` as UTF-8: the signed bytes. */
  signingInput: Uint8Array = new Uint8Array(0);
  signature: Uint8Array = new Uint8Array(0);
  alg: string = "";
  /** `kid` when present. */
  kid: string | null = null;
  /** The payload object (claims). */
  payload: JsonValue = changetype<JsonValue>(0);
  iss: string = "";
  sub: string | null = null;
  /** `aud`: a string is a one-element list; absent is empty. */
  audiences: string[] = [];
  /** `exp`, `nbf`, `iat` in seconds; 0 when absent (§1.5: no `exp` never expires). */
  exp: u64 = 0;
  nbf: u64 = 0;
  iat: u64 = 0;
}

export class JwtParse {
  constructor(readonly jwt: Jwt | null, readonly status: JwtStatus) {}
}

/** The `alg` values jwt_verify_lib implements (§1.7.1), exact and case-sensitive. */
export function isSupportedAlg(alg: string): bool {
  return alg == "RS256" || alg == "RS384" || alg == "RS512" ||
    alg == "PS256" || alg == "PS384" || alg == "PS512" ||
    alg == "ES256" || alg == "ES384" || alg == "ES512" ||
    alg == "HS256" || alg == "HS384" || alg == "HS512" || alg == "EdDSA";
}

function fail(s: JwtStatus): JwtParse {
  return new JwtParse(null, s);
}

/** Parses `token`; never traps on any input. */
export function parseJwt(token: string): JwtParse {
  // 1.1: split on '.', skipping empty parts (absl::SkipEmpty): exactly three remain.
  const parts = new Array<string>();
  let start = 0;
  const n = token.length;
  for (let i = 0; i <= n; i++) {
    if (i == n || token.charCodeAt(i) == 0x2e) {
      if (i > start) {
        if (parts.length == 3) return fail(JwtStatus.JwtBadFormat);
        parts.push(token.substring(start, i));
      }
      start = i + 1;
    }
  }
  if (parts.length != 3) return fail(JwtStatus.JwtBadFormat);
  const jwt = new Jwt();
  jwt.headerSegment = parts[0];
  jwt.payloadSegment = parts[1];

  // 1.2: header.
  const headerBytes = base64UrlDecode(parts[0]);
  if (headerBytes === null) return fail(JwtStatus.JwtHeaderParseErrorBadBase64);
  const hp = parseJson(headerBytes);
  if (hp.value === null || !hp.value!.isObject()) return fail(JwtStatus.JwtHeaderParseErrorBadJson);
  const header = hp.value!;
  // 1.3: alg.
  const algV = header.get("alg");
  if (algV === null || !algV.isString()) return fail(JwtStatus.JwtHeaderBadAlg);
  const alg = algV.asString()!;
  if (!isSupportedAlg(alg)) return fail(JwtStatus.JwtHeaderNotImplementedAlg);
  jwt.alg = alg;
  // 1.4: kid.
  const kidV = header.get("kid");
  if (kidV !== null) {
    if (!kidV.isString()) return fail(JwtStatus.JwtHeaderBadKid);
    jwt.kid = kidV.asString();
  }

  // 1.5: payload.
  const payloadBytes = base64UrlDecode(parts[1]);
  if (payloadBytes === null) return fail(JwtStatus.JwtPayloadParseErrorBadBase64);
  const pp = parseJson(payloadBytes);
  if (pp.value === null || !pp.value!.isObject()) return fail(JwtStatus.JwtPayloadParseErrorBadJson);
  const payload = pp.value!;
  jwt.payload = payload;

  // 1.6: registered claims.
  const iss = payload.get("iss");
  if (iss !== null) {
    if (!iss.isString()) return fail(JwtStatus.JwtPayloadParseErrorIssNotString);
    jwt.iss = iss.asString()!;
  }
  const sub = payload.get("sub");
  if (sub !== null) {
    if (!sub.isString()) return fail(JwtStatus.JwtPayloadParseErrorSubNotString);
    jwt.sub = sub.asString();
  }
  let s = timeClaim(payload, "iat", JwtStatus.JwtPayloadParseErrorIatNotInteger);
  if (s != JwtStatus.Ok) return fail(s);
  jwt.iat = claimTime;
  s = timeClaim(payload, "nbf", JwtStatus.JwtPayloadParseErrorNbfNotInteger);
  if (s != JwtStatus.Ok) return fail(s);
  jwt.nbf = claimTime;
  s = timeClaim(payload, "exp", JwtStatus.JwtPayloadParseErrorExpNotInteger);
  if (s != JwtStatus.Ok) return fail(s);
  jwt.exp = claimTime;
  const jti = payload.get("jti");
  if (jti !== null && !jti.isString()) return fail(JwtStatus.JwtPayloadParseErrorJtiNotString);
  const aud = payload.get("aud");
  if (aud !== null) {
    if (aud.isString()) {
      jwt.audiences.push(aud.asString()!);
    } else if (aud.isArray()) {
      for (let i = 0; i < aud.length; i++) {
        const a = aud.at(i)!;
        if (!a.isString()) return fail(JwtStatus.JwtPayloadParseErrorAudNotString);
        jwt.audiences.push(a.asString()!);
      }
    } else {
      return fail(JwtStatus.JwtPayloadParseErrorAudNotString);
    }
  }

  // 1.7: signature.
  const sig = base64UrlDecode(parts[2]);
  if (sig === null) return fail(JwtStatus.JwtSignatureParseErrorBadBase64);
  jwt.signature = sig;
  jwt.signingInput = Uint8Array.wrap(String.UTF8.encode(parts[0] + "." + parts[1]));
  return new JwtParse(jwt, JwtStatus.Ok);
}

/** The value of the last timeClaim call. */
let claimTime: u64 = 0;

/**
 * A time claim: absent ⇒ 0; a JSON number in [0, 2^64), fractions truncated; a non-number is
 * "not an integer" (`notInteger`), a number out of range the status right after it.
 */
function timeClaim(payload: JsonValue, name: string, notInteger: JwtStatus): JwtStatus {
  claimTime = 0;
  const v = payload.get(name);
  if (v === null) return JwtStatus.Ok;
  const num = v.asNumber();
  if (num === null) return notInteger;
  const outOfRange = <JwtStatus>(<i32>notInteger + 1);
  if (num.isInt()) {
    if (num.intValue < 0) return outOfRange;
    claimTime = <u64>num.intValue;
    return JwtStatus.Ok;
  }
  const f = num.floatValue;
  // 2^64 = 18446744073709551616 is exactly representable.
  if (!(f >= 0.0) || f >= 18446744073709551616.0) return outOfRange;
  claimTime = <u64>Math.floor(f);
  return JwtStatus.Ok;
}

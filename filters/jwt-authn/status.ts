// Verification outcomes and their texts: the enum order and the strings of jwt_verify_lib's
// status.cc (policy-semantics.md §1.4). The text is the 401/403 body, and with every run of
// whitespace replaced by `_` it is the response-code details `jwt_authn_access_denied{…}`.

export enum JwtStatus {
  Ok = 0,
  JwtMissed = 1,
  JwtNotYetValid = 2,
  JwtExpired = 3,
  JwtBadFormat = 4,
  JwtHeaderParseErrorBadBase64 = 5,
  JwtHeaderParseErrorBadJson = 6,
  JwtHeaderBadAlg = 7,
  JwtHeaderNotImplementedAlg = 8,
  JwtHeaderBadKid = 9,
  JwtPayloadParseErrorBadBase64 = 10,
  JwtPayloadParseErrorBadJson = 11,
  JwtPayloadParseErrorIssNotString = 12,
  JwtPayloadParseErrorSubNotString = 13,
  JwtPayloadParseErrorIatNotInteger = 14,
  JwtPayloadParseErrorIatOutOfRange = 15,
  JwtPayloadParseErrorNbfNotInteger = 16,
  JwtPayloadParseErrorNbfOutOfRange = 17,
  JwtPayloadParseErrorExpNotInteger = 18,
  JwtPayloadParseErrorExpOutOfRange = 19,
  JwtPayloadParseErrorJtiNotString = 20,
  JwtPayloadParseErrorAudNotString = 21,
  JwtSignatureParseErrorBadBase64 = 22,
  JwtEd25519SignatureWrongLength = 23,
  JwtUnknownIssuer = 24,
  JwtAudienceNotAllowed = 25,
  JwtVerificationFail = 26,
  JwtMultipleTokens = 27,
  JwksParseError = 28,
  JwksNoKeys = 29,
  JwksBadKeys = 30,
  JwksNoValidKeys = 31,
  JwksKidAlgMismatch = 32,
  JwksRsaParseError = 33,
  JwksFetchFail = 34,
}

/** The body text Envoy sends for `s`. */
export function statusText(s: JwtStatus): string {
  switch (s) {
    case JwtStatus.Ok: return "OK";
    case JwtStatus.JwtMissed: return "Jwt is missing";
    case JwtStatus.JwtNotYetValid: return "Jwt not yet valid";
    case JwtStatus.JwtExpired: return "Jwt is expired";
    case JwtStatus.JwtBadFormat: return "Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections";
    case JwtStatus.JwtHeaderParseErrorBadBase64: return "Jwt header is an invalid Base64url encoded";
    case JwtStatus.JwtHeaderParseErrorBadJson: return "Jwt header is an invalid JSON";
    case JwtStatus.JwtHeaderBadAlg: return "Jwt header [alg] field is required and must be a string";
    case JwtStatus.JwtHeaderNotImplementedAlg: return "Jwt header [alg] is not supported";
    case JwtStatus.JwtHeaderBadKid: return "Jwt header [kid] field is not a string";
    case JwtStatus.JwtPayloadParseErrorBadBase64: return "Jwt payload is an invalid Base64url encoded";
    case JwtStatus.JwtPayloadParseErrorBadJson: return "Jwt payload is an invalid JSON";
    case JwtStatus.JwtPayloadParseErrorIssNotString: return "Jwt payload [iss] field is not a string";
    case JwtStatus.JwtPayloadParseErrorSubNotString: return "Jwt payload [sub] field is not a string";
    case JwtStatus.JwtPayloadParseErrorIatNotInteger: return "Jwt payload [iat] field is not an integer";
    case JwtStatus.JwtPayloadParseErrorIatOutOfRange: return "Jwt payload [iat] field is not a positive 64 bit integer";
    case JwtStatus.JwtPayloadParseErrorNbfNotInteger: return "Jwt payload [nbf] field is not an integer";
    case JwtStatus.JwtPayloadParseErrorNbfOutOfRange: return "Jwt payload [nbf] field is not a positive 64 bit integer";
    case JwtStatus.JwtPayloadParseErrorExpNotInteger: return "Jwt payload [exp] field is not an integer";
    case JwtStatus.JwtPayloadParseErrorExpOutOfRange: return "Jwt payload [exp] field is not a positive 64 bit integer";
    case JwtStatus.JwtPayloadParseErrorJtiNotString: return "Jwt payload [jti] field is not a string";
    case JwtStatus.JwtPayloadParseErrorAudNotString: return "Jwt payload [aud] field is not a string or string list";
    case JwtStatus.JwtSignatureParseErrorBadBase64: return "Jwt signature is an invalid Base64url encoded";
    case JwtStatus.JwtEd25519SignatureWrongLength: return "Jwt ED25519 signature is wrong length";
    case JwtStatus.JwtUnknownIssuer: return "Jwt issuer is not configured";
    case JwtStatus.JwtAudienceNotAllowed: return "Audiences in Jwt are not allowed";
    case JwtStatus.JwtVerificationFail: return "Jwt verification fails";
    case JwtStatus.JwtMultipleTokens: return "Found multiple Jwt tokens";
    case JwtStatus.JwksParseError: return "Jwks is an invalid JSON";
    case JwtStatus.JwksNoKeys: return "Jwks does not have [keys] field";
    case JwtStatus.JwksBadKeys: return "[keys] in Jwks is not an array";
    case JwtStatus.JwksNoValidKeys: return "Jwks doesn't have any valid public key";
    case JwtStatus.JwksKidAlgMismatch: return "Jwks doesn't have key to match kid or alg from Jwt";
    case JwtStatus.JwksRsaParseError: return "Jwks RSA [n] or [e] field is missing or has a parse error";
    case JwtStatus.JwksFetchFail: return "Jwks remote fetch is failed";
    default: return "Jwt verification fails";
  }
}

/** A short metric-name-safe reason (`denied_<reason>` counters). */
export function statusReason(s: JwtStatus): string {
  switch (s) {
    case JwtStatus.JwtNotYetValid: return "not_yet_valid";
    case JwtStatus.JwtExpired: return "expired";
    case JwtStatus.JwtUnknownIssuer: return "unknown_issuer";
    case JwtStatus.JwtAudienceNotAllowed: return "audience_not_allowed";
    case JwtStatus.JwtVerificationFail:
    case JwtStatus.JwtEd25519SignatureWrongLength: return "bad_signature";
    case JwtStatus.JwksKidAlgMismatch: return "no_matching_key";
    case JwtStatus.JwksFetchFail: return "jwks_fetch_failed";
    case JwtStatus.JwksParseError:
    case JwtStatus.JwksNoKeys:
    case JwtStatus.JwksBadKeys:
    case JwtStatus.JwksNoValidKeys:
    case JwtStatus.JwksRsaParseError: return "jwks_invalid";
    default: return "malformed";
  }
}

/** HTTP status of a failure: 403 for an audience mismatch, else 401 (§1.9.1). */
export function httpStatusOf(s: JwtStatus): u32 {
  return s == JwtStatus.JwtAudienceNotAllowed ? 403 : 401;
}

/** `jwt_authn_access_denied{<text with whitespace runs as _>}` (§1.9.1). */
export function detailsOf(s: JwtStatus): string {
  const text = statusText(s);
  let out = "";
  let inSpace = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d || c == 0x0b || c == 0x0c;
    if (space) {
      if (!inSpace) out += "_";
      inSpace = true;
    } else {
      out += String.fromCharCode(c);
      inSpace = false;
    }
  }
  return "jwt_authn_access_denied{" + out + "}";
}

// What a verified token turns into (policy-semantics.md §1.5, §1.6, §1.9, §1.10): the time
// and audience checks, the normalized claims published to later filters, header values for
// outputClaimToHeaders, and the `www-authenticate` challenge of a failure.
import { base64Encode } from "../../sdk/crypto/base64";
import { JsonArray, JsonString, JsonValue, stringify, quoteJsonString } from "../../sdk/json/index";
import { Jwt } from "./jwt";
import { JwtStatus } from "./status";

/** §1.5: nbf fails iff now + skew < nbf; exp (0 = none) fails iff now > exp + skew. */
export function checkTime(jwt: Jwt, nowSeconds: u64, skew: u64): JwtStatus {
  if (jwt.nbf > 0 && nowSeconds + skew < jwt.nbf) return JwtStatus.JwtNotYetValid;
  if (jwt.exp > 0) {
    const limit = jwt.exp + skew;
    // exp near 2^64: exp + skew wrapped around; such a token never expires.
    if (limit >= jwt.exp && nowSeconds > limit) return JwtStatus.JwtExpired;
  }
  return JwtStatus.Ok;
}

/** §1.6: strip one leading http:// or https://, then one trailing /. */
export function sanitizeAudience(a: string): string {
  let s = a;
  if (s.startsWith("http://")) s = s.substring(7);
  else if (s.startsWith("https://")) s = s.substring(8);
  if (s.endsWith("/")) s = s.substring(0, s.length - 1);
  return s;
}

/** §1.6: empty configuration allows all; else one token audience must match one configured. */
export function audienceAllowed(configured: string[], tokenAudiences: string[]): bool {
  if (configured.length == 0) return true;
  for (let i = 0; i < tokenAudiences.length; i++) {
    const t = sanitizeAudience(tokenAudiences[i]);
    for (let j = 0; j < configured.length; j++) if (sanitizeAudience(configured[j]) == t) return true;
  }
  return false;
}

/**
 * §1.9.2: each named claim whose top-level value is a string becomes the list of its
 * space-separated non-empty parts (`scope` and `permission` always).
 */
export function normalizeClaims(payload: JsonValue, extra: string[]): void {
  normalizeOne(payload, "scope");
  normalizeOne(payload, "permission");
  for (let i = 0; i < extra.length; i++) normalizeOne(payload, extra[i]);
}

function normalizeOne(payload: JsonValue, name: string): void {
  const v = payload.get(name);
  if (v === null) return;
  const s = v.asString();
  if (s === null) return;
  const parts = s.split(" ");
  const list = new Array<JsonValue>();
  for (let i = 0; i < parts.length; i++) if (parts[i].length > 0) list.push(new JsonString(parts[i]));
  payload.asObject()!.set(name, new JsonArray(list));
}

/** The value at a dotted claim path (`org.group`), walking nested objects; null if absent. */
export function claimAt(payload: JsonValue, path: string): JsonValue | null {
  const names = path.split(".");
  let v: JsonValue | null = payload;
  for (let i = 0; i < names.length; i++) {
    if (v === null || !v.isObject()) return null;
    v = v.get(names[i]);
  }
  return v;
}

/**
 * §1.9.3 rendering: strings as is; integral numbers in [0, 2^64) without decimals, other
 * numbers as C++ std::to_string(double) ("1.500000"); booleans; objects and arrays as standard
 * base64 of their JSON; null (or absent) ⇒ null (no header).
 */
export function renderClaim(v: JsonValue | null): string | null {
  if (v === null || v.isNull()) return null;
  const s = v.asString();
  if (s !== null) return s;
  if (v.isBool()) return v.boolOr(false) ? "true" : "false";
  const num = v.asNumber();
  if (num !== null) {
    if (num.isInt() && num.intValue >= 0) return num.intValue.toString();
    const f = num.floatValue;
    if (!num.isInt() && f >= 0 && f < 18446744073709551616.0 && Math.floor(f) == f) return (<u64>f).toString();
    return cppToString(f);
  }
  return base64Encode(Uint8Array.wrap(String.UTF8.encode(stringify(v))));
}

/** printf("%f"): fixed notation, six decimals, rounded. */
function cppToString(f: f64): string {
  if (!isFinite(f)) return isNaN(f) ? "nan" : f < 0 ? "-inf" : "inf";
  const neg = f < 0;
  const a = Math.abs(f);
  if (a >= 1e15) return (neg ? "-" : "") + a.toString();
  const scaled = <u64>Math.round(a * 1e6);
  const ip = scaled / 1000000;
  const fp = scaled % 1000000;
  let frac = fp.toString();
  while (frac.length < 6) frac = "0" + frac;
  return (neg ? "-" : "") + ip.toString() + "." + frac;
}

/** The token's audiences as a JSON array (filter state `wasmesh.jwt.audiences`). */
export function audiencesJson(jwt: Jwt): string {
  let s = "[";
  for (let i = 0; i < jwt.audiences.length; i++) {
    if (i > 0) s += ",";
    s += quoteJsonString(jwt.audiences[i]);
  }
  return s + "]";
}

/**
 * §1.9.1: `Bearer realm="<scheme>://<host><path>", error="invalid_token"`, the path being
 * x-envoy-original-path or :path (query included) cut to 256 bytes; realm "" without a path.
 */
export function wwwAuthenticate(scheme: string | null, host: string | null, path: string | null, originalPath: string | null): string {
  const p = originalPath !== null ? originalPath : path;
  let realm = "";
  if (p !== null) {
    let bytes = Uint8Array.wrap(String.UTF8.encode(p));
    if (bytes.length > 256) bytes = bytes.slice(0, 256);
    realm = (scheme !== null ? scheme : "") + "://" + (host !== null ? host : "") + String.UTF8.decode(bytes.buffer, false);
  }
  return "Bearer realm=\"" + realm + "\", error=\"invalid_token\"";
}

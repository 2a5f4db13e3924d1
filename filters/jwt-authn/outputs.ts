// What a verified token turns into (policy-semantics.md §1.5, §1.6, §1.9, §1.10): the time
// and audience checks, the normalized claims published to later filters, header values for
// outputClaimToHeaders, and the `www-authenticate` challenge of a failure.
import { base64Encode } from "../../sdk/crypto/base64";
import { JsonValue, stringify, quoteJsonString } from "../../sdk/json/index";
import { splitSpaceDelimitedClaim } from "../../sdk/jwt-claims";
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
  splitSpaceDelimitedClaim(payload, "scope");
  splitSpaceDelimitedClaim(payload, "permission");
  for (let i = 0; i < extra.length; i++) splitSpaceDelimitedClaim(payload, extra[i]);
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

/**
 * C++ std::to_string(double), i.e. printf("%f"): fixed notation of the exact binary value,
 * rounded half to even at six decimals, however large or small (1e300 is written out in
 * full). Exact decimal arithmetic, not f64 → u64 conversions, which saturate beyond 2^64.
 */
function cppToString(f: f64): string {
  if (isNaN(f)) return "nan";
  if (!isFinite(f)) return f < 0 ? "-inf" : "inf";
  const bits = reinterpret<u64>(f);
  const neg = (bits >> 63) != 0;
  const biased = <i32>((bits >> 52) & 0x7ff);
  let mant = bits & 0xfffffffffffff;
  let e: i32 = -1074;
  if (biased != 0) {
    mant |= <u64>1 << 52;
    e = biased - 1075;
  }
  // |f| = mant × 2^e; with s = -e > 0 that is mant × 5^s / 10^s: the digits of mant × 5^s
  // with the decimal point s places from the right.
  const limbs = new Array<u64>();
  while (mant > 0) {
    limbs.push(mant % LIMB);
    mant /= LIMB;
  }
  let s: i32 = 0;
  if (e >= 0) {
    let k = e;
    for (; k >= 30; k -= 30) mulSmall(limbs, <u64>1 << 30);
    if (k > 0) mulSmall(limbs, <u64>1 << k);
  } else {
    s = -e;
    let k = s;
    for (; k >= 13; k -= 13) mulSmall(limbs, 1220703125); // 5^13
    if (k > 0) mulSmall(limbs, <u64>Math.pow(5, k));
  }
  let digits = limbsToString(limbs);
  if (digits.length < s + 1) digits = "0".repeat(s + 1 - digits.length) + digits;
  const intPart = digits.substring(0, digits.length - s);
  const frac = digits.substring(digits.length - s);
  let text = intPart + (frac.length >= 6 ? frac.substring(0, 6) : frac + "0".repeat(6 - frac.length));
  if (frac.length > 6) {
    const next = frac.charCodeAt(6) - 0x30;
    let up = next > 5;
    if (next == 5) {
      let rest = false;
      for (let i = 7; i < frac.length && !rest; i++) rest = frac.charCodeAt(i) != 0x30;
      up = rest || ((text.charCodeAt(text.length - 1) - 0x30) & 1) == 1; // a tie goes to even
    }
    if (up) text = incrementDecimal(text);
  }
  let ip = text.substring(0, text.length - 6);
  let z = 0;
  while (z < ip.length - 1 && ip.charCodeAt(z) == 0x30) z++;
  ip = ip.substring(z);
  return (neg ? "-" : "") + ip + "." + text.substring(text.length - 6);
}

const LIMB: u64 = 1_000_000_000;

/** Little-endian base-10^9 limbs, multiplied in place by m (m ≤ 2^31). */
function mulSmall(limbs: u64[], m: u64): void {
  let carry: u64 = 0;
  for (let i = 0; i < limbs.length; i++) {
    const v = limbs[i] * m + carry;
    limbs[i] = v % LIMB;
    carry = v / LIMB;
  }
  while (carry > 0) {
    limbs.push(carry % LIMB);
    carry /= LIMB;
  }
}

function limbsToString(limbs: u64[]): string {
  if (limbs.length == 0) return "0";
  let out = limbs[limbs.length - 1].toString();
  for (let i = limbs.length - 2; i >= 0; i--) {
    const part = limbs[i].toString();
    out += "0".repeat(9 - part.length) + part;
  }
  return out;
}

/** A string of decimal digits plus one. */
function incrementDecimal(t: string): string {
  let i = t.length - 1;
  while (i >= 0 && t.charCodeAt(i) == 0x39) i--;
  const head = i < 0 ? "1" : t.substring(0, i) + String.fromCharCode(t.charCodeAt(i) + 1);
  return head + "0".repeat(t.length - 1 - i);
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

// The plugin configuration: Istio's `RequestAuthentication.spec` without the selector,
// `{ "jwtRules": [ … ] }` with every JWTRule field (policy-semantics.md §1.1), plus wasmesh
// settings for the remote JWKS and the caches. Validation follows Istio's (§1.11) and is
// strict: an unknown field, a wrong type or a bad value is an error naming its JSON path, and
// the filter does not start (DESIGN.md "Configuration").
//
//   {
//     "jwtRules": [{
//       "issuer": "https://auth.example.com",              // token `iss` must equal it
//       "audiences": ["api.example.com"],                   // empty: no audience check
//       "jwks": "{\"keys\":[…]}" | "jwksUri": "https://…",  // exactly one
//       "fromHeaders": [{"name": "x-jwt", "prefix": "Bearer "}], "fromParams": ["token"], "fromCookies": ["session"],
//       "outputPayloadToHeader": "x-jwt-payload",
//       "outputClaimToHeaders": [{"header": "x-sub", "claim": "sub"}],
//       "forwardOriginalToken": false, "timeout": "5s", "spaceDelimitedClaims": ["roles"],
//       "jwksCluster": "outbound|443||auth.example.com",   // wasmesh: the Envoy cluster of jwksUri
//       "jwksCacheDuration": "300s"                         // wasmesh: refresh period of a fetched JWKS
//     }],
//     "verifiedTokenCacheSize": 256,     // wasmesh: tokens remembered as verified (0: off)
//     "jwksMaxBytes": 65536,             // wasmesh: larger JWKS responses are rejected
//     "jwksRefetchCooldown": "60s",      // wasmesh: at most one unknown-`kid` refetch per issuer per period
//     "signatureVerifier": "wasm",       // wasmesh: "wasm" | "host" (Envoy's verify_signature where it can)
//     "clockSkewSeconds": 60,            // Envoy's default; Istio does not set it
//     "clearRouteCache": false           // Istio: true on gateways (routing on claim headers)
//   }
import { JsonValue, parseJson } from "../../sdk/json/index";
import { KeySet, parseKeySet } from "./jwks";
import { JwtStatus } from "./status";

export class HeaderLocation {
  constructor(readonly name: string, readonly prefix: string) {}
}

export class ClaimToHeader {
  constructor(readonly header: string, readonly claim: string) {}
}

export class JwtRule {
  /** Position in the configuration's `jwtRules`. */
  index: i32 = 0;
  issuer: string = "";
  audiences: string[] = [];
  jwks: string | null = null;
  jwksUri: string | null = null;
  fromHeaders: HeaderLocation[] = [];
  fromParams: string[] = [];
  fromCookies: string[] = [];
  outputPayloadToHeader: string | null = null;
  outputClaimToHeaders: ClaimToHeader[] = [];
  forwardOriginalToken: bool = false;
  timeoutMs: u32 = 5000;
  spaceDelimitedClaims: string[] = [];
  jwksCluster: string = "";
  jwksCacheDurationMs: u64 = 300_000;
  /** From jwksUri: the callout's :authority and :path. */
  jwksAuthority: string = "";
  jwksPath: string = "";
  /** The inline `jwks`, parsed once (its status tells requests why it is unusable). */
  inlineKeys: KeySet | null = null;
}

export class JwtAuthnConfig {
  rules: JwtRule[] = [];
  verifiedTokenCacheSize: i32 = 256;
  jwksMaxBytes: i32 = 65536;
  jwksRefetchCooldownMs: u64 = 60_000;
  /** Use the host's verify_signature foreign function where it can check the algorithm. */
  hostVerifier: bool = false;
  clockSkewSeconds: u64 = 60;
  /** Re-select the route after a verified token (Istio sets Envoy's clear_route_cache on gateways). */
  clearRouteCache: bool = false;
}

export class ConfigResult {
  constructor(readonly config: JwtAuthnConfig | null, readonly error: string | null) {}
}

const RULE_FIELDS: string[] = [
  "issuer", "audiences", "jwks", "jwksUri", "fromHeaders", "fromParams", "fromCookies",
  "outputPayloadToHeader", "outputClaimToHeaders", "forwardOriginalToken", "timeout",
  "spaceDelimitedClaims", "jwksCluster", "jwksCacheDuration",
];
const TOP_FIELDS: string[] = [
  "jwtRules", "verifiedTokenCacheSize", "jwksMaxBytes", "jwksRefetchCooldown", "signatureVerifier", "clockSkewSeconds",
  "clearRouteCache",
];

/** Istio's limit on rules per workload (§1.11). */
const MAX_RULES = 4096;

/** Parses the configuration bytes (an empty configuration is an empty rule list). */
export function parseConfig(bytes: Uint8Array): ConfigResult {
  if (bytes.length == 0) return new ConfigResult(new JwtAuthnConfig(), null);
  const r = parseJson(bytes);
  if (r.value === null) return err("", "invalid JSON: " + r.error!.toString());
  const doc = r.value!;
  if (!doc.isObject()) return err("", "must be a JSON object, got " + doc.kindName());
  const unknown = unknownField(doc, TOP_FIELDS, "");
  if (unknown !== null) return err(unknown, "unknown field");
  const cfg = new JwtAuthnConfig();

  const size = doc.get("verifiedTokenCacheSize");
  if (size !== null) {
    if (!size.isInt() || size.intOr(-1) < 0 || size.intOr(0) > 100000) return err("verifiedTokenCacheSize", "must be an integer from 0 to 100000");
    cfg.verifiedTokenCacheSize = <i32>size.intOr(0);
  }
  const maxBytes = doc.get("jwksMaxBytes");
  if (maxBytes !== null) {
    if (!maxBytes.isInt() || maxBytes.intOr(0) < 1 || maxBytes.intOr(0) > 4194304) return err("jwksMaxBytes", "must be an integer from 1 to 4194304");
    cfg.jwksMaxBytes = <i32>maxBytes.intOr(0);
  }
  const cooldown = doc.get("jwksRefetchCooldown");
  if (cooldown !== null) {
    const ms = durationMs(cooldown);
    if (ms < 0) return err("jwksRefetchCooldown", durationError(cooldown));
    // Zero would let every request carrying a random `kid` start a fetch: the amplification
    // the cooldown exists to prevent.
    if (ms < 1000) return err("jwksRefetchCooldown", "must be at least 1s");
    cfg.jwksRefetchCooldownMs = <u64>ms;
  }
  const verifier = doc.get("signatureVerifier");
  if (verifier !== null) {
    const s = verifier.asString();
    if (s === null || (s != "wasm" && s != "host")) return err("signatureVerifier", "must be \"wasm\" or \"host\"");
    cfg.hostVerifier = s == "host";
  }
  const skew = doc.get("clockSkewSeconds");
  if (skew !== null) {
    if (!skew.isInt() || skew.intOr(-1) < 0 || skew.intOr(0) > 86400) return err("clockSkewSeconds", "must be an integer from 0 to 86400");
    // Envoy: 0 or unset means the default 60 s.
    cfg.clockSkewSeconds = skew.intOr(0) == 0 ? 60 : <u64>skew.intOr(0);
  }

  const clear = doc.get("clearRouteCache");
  if (clear !== null) {
    if (!clear.isBool()) return err("clearRouteCache", "must be a boolean");
    cfg.clearRouteCache = clear.boolOr(false);
  }

  const rules = doc.get("jwtRules");
  if (rules === null) return new ConfigResult(cfg, null);
  if (!rules.isArray()) return err("jwtRules", "must be an array, got " + rules.kindName());
  if (rules.length > MAX_RULES) return err("jwtRules", "at most " + MAX_RULES.toString() + " rules");
  for (let i = 0; i < rules.length; i++) {
    const path = "jwtRules[" + i.toString() + "]";
    const rule = parseRule(rules.at(i)!, path);
    if (rule === null) return err(errPath, errMessage);
    rule.index = i;
    cfg.rules.push(rule);
  }
  const clash = outputHeaderClash(cfg.rules);
  if (clash !== null) return new ConfigResult(null, clash);
  // Istio sorts the rules of all RequestAuthentications by issuer before building providers
  // (policy_applier.go); the order decides header-location order and error precedence.
  sortByIssuer(cfg.rules);
  return new ConfigResult(cfg, null);
}

/**
 * Output headers are stripped from every request before tokens are extracted (§1.3.4, every
 * rule's, up front): one that is also a token header location would hide every token there,
 * and requests carrying tokens, valid or not, would pass as anonymous. `rules` in document
 * order; the error, or null.
 */
function outputHeaderClash(rules: JwtRule[]): string | null {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    const path = "jwtRules[" + i.toString() + "]";
    const ph = r.outputPayloadToHeader;
    if (ph !== null) {
      const owner = tokenHeaderOwner(rules, ph);
      if (owner >= 0) return clashError(path + ".outputPayloadToHeader", ph, owner);
    }
    for (let c = 0; c < r.outputClaimToHeaders.length; c++) {
      const h = r.outputClaimToHeaders[c].header;
      const owner = tokenHeaderOwner(rules, h);
      if (owner >= 0) return clashError(path + ".outputClaimToHeaders[" + c.toString() + "].header", h, owner);
    }
  }
  return null;
}

/** The first rule reading tokens from header `name` (lower-case), or -1. */
function tokenHeaderOwner(rules: JwtRule[], name: string): i32 {
  for (let j = 0; j < rules.length; j++) {
    const r = rules[j];
    // No location configured: the defaults, `authorization` among them (extract.ts).
    if (r.fromHeaders.length == 0 && r.fromParams.length == 0 && r.fromCookies.length == 0) {
      if (name == "authorization") return j;
      continue;
    }
    for (let k = 0; k < r.fromHeaders.length; k++) if (r.fromHeaders[k].name == name) return j;
  }
  return -1;
}

function clashError(path: string, header: string, owner: i32): string {
  return path + ": " + header + " is where jwtRules[" + owner.toString() + "] reads tokens (output headers are stripped from every request)";
}

function sortByIssuer(rules: JwtRule[]): void {
  // Insertion sort: stable, and rule lists are short.
  for (let i = 1; i < rules.length; i++) {
    const r = rules[i];
    let j = i - 1;
    while (j >= 0 && rules[j].issuer > r.issuer) {
      rules[j + 1] = rules[j];
      j--;
    }
    rules[j + 1] = r;
  }
}

let errPath: string = "";
let errMessage: string = "";

function err(path: string, message: string): ConfigResult {
  return new ConfigResult(null, path.length > 0 ? path + ": " + message : message);
}

function fail(path: string, message: string): JwtRule | null {
  errPath = path;
  errMessage = message;
  return null;
}

function unknownField(v: JsonValue, known: string[], path: string): string | null {
  const o = v.asObject()!;
  for (let i = 0; i < o.keys.length; i++) {
    const key = o.keys[i];
    if (!known.includes(key)) {
      const prefix: string = path.length > 0 ? path + "." : "";
      return prefix + key;
    }
  }
  return null;
}

function parseRule(v: JsonValue, path: string): JwtRule | null {
  if (!v.isObject()) return fail(path, "must be an object, got " + v.kindName());
  const unknown = unknownField(v, RULE_FIELDS, path);
  if (unknown !== null) return fail(unknown, "unknown field");
  const rule = new JwtRule();

  const issuer = v.get("issuer");
  if (issuer !== null) {
    if (!issuer.isString()) return fail(path + ".issuer", "must be a string");
    rule.issuer = issuer.asString()!;
  }
  const audiences = stringList(v, "audiences", path);
  if (audiences === null) return null;
  for (let i = 0; i < audiences.length; i++) {
    if (audiences[i].length == 0) return fail(path + ".audiences[" + i.toString() + "]", "must not be empty");
  }
  rule.audiences = audiences;

  const jwks = v.get("jwks");
  const jwksUri = v.get("jwksUri");
  if (jwks !== null && jwksUri !== null) return fail(path, "jwks and jwksUri are mutually exclusive");
  if (jwks !== null) {
    if (!jwks.isString()) return fail(path + ".jwks", "must be a string (the JWKS JSON text)");
    const text = jwks.asString()!;
    const keys = parseKeySet(Uint8Array.wrap(String.UTF8.encode(text)));
    // Istio rejects a `jwks` that does not parse as a JWKS; a set that parses but has no
    // usable key is accepted, and tokens then fail with "Jwks doesn't have any valid public key".
    if (keys.status != JwtStatus.Ok && keys.status != JwtStatus.JwksNoValidKeys) {
      return fail(path + ".jwks", "not a JWKS: " + jwksProblem(keys.status));
    }
    rule.jwks = text;
    rule.inlineKeys = keys;
  }
  if (jwksUri !== null) {
    if (!jwksUri.isString()) return fail(path + ".jwksUri", "must be a string");
    const uri = jwksUri.asString()!;
    if (!splitUri(uri, rule)) return fail(path + ".jwksUri", "must be an http or https URL with a host, got \"" + uri + "\"");
    rule.jwksUri = uri;
  }
  if (rule.issuer.length == 0 && rule.jwksUri === null) return fail(path + ".issuer", "required unless jwksUri is set");
  if (jwks === null && jwksUri === null) {
    // Istio would discover the JWKS through <issuer>/.well-known/openid-configuration; this
    // filter needs it named.
    return fail(path, "one of jwks or jwksUri is required (OpenID discovery is not supported)");
  }

  const headers = v.get("fromHeaders");
  if (headers !== null) {
    if (!headers.isArray()) return fail(path + ".fromHeaders", "must be an array");
    for (let i = 0; i < headers.length; i++) {
      const hp = path + ".fromHeaders[" + i.toString() + "]";
      const h = headers.at(i)!;
      if (!h.isObject()) return fail(hp, "must be an object");
      const unk = unknownField(h, ["name", "prefix"], hp);
      if (unk !== null) return fail(unk, "unknown field");
      const name = h.get("name");
      if (name === null) return fail(hp + ".name", "required");
      if (!name.isString() || name.asString()!.length == 0) return fail(hp + ".name", "must be a non-empty string");
      if (!isHeaderName(name.asString()!)) return fail(hp + ".name", "not a valid header name");
      const prefix = h.get("prefix");
      let p = "";
      if (prefix !== null) {
        if (!prefix.isString()) return fail(hp + ".prefix", "must be a string");
        p = prefix.asString()!;
      }
      rule.fromHeaders.push(new HeaderLocation(name.asString()!.toLowerCase(), p));
    }
  }
  const params = stringList(v, "fromParams", path);
  if (params === null) return null;
  for (let i = 0; i < params.length; i++) if (params[i].length == 0) return fail(path + ".fromParams[" + i.toString() + "]", "must not be empty");
  rule.fromParams = params;
  const cookies = stringList(v, "fromCookies", path);
  if (cookies === null) return null;
  for (let i = 0; i < cookies.length; i++) if (cookies[i].length == 0) return fail(path + ".fromCookies[" + i.toString() + "]", "must not be empty");
  rule.fromCookies = cookies;

  const payloadHeader = v.get("outputPayloadToHeader");
  if (payloadHeader !== null) {
    if (!payloadHeader.isString()) return fail(path + ".outputPayloadToHeader", "must be a string");
    const h = payloadHeader.asString()!;
    if (h.length > 0) {
      if (!isHeaderName(h)) return fail(path + ".outputPayloadToHeader", "not a valid header name");
      rule.outputPayloadToHeader = h.toLowerCase();
    }
  }
  const claims = v.get("outputClaimToHeaders");
  if (claims !== null) {
    if (!claims.isArray()) return fail(path + ".outputClaimToHeaders", "must be an array");
    for (let i = 0; i < claims.length; i++) {
      const cp = path + ".outputClaimToHeaders[" + i.toString() + "]";
      const c = claims.at(i)!;
      if (!c.isObject()) return fail(cp, "must be an object");
      const unk = unknownField(c, ["header", "claim"], cp);
      if (unk !== null) return fail(unk, "unknown field");
      const header = c.get("header");
      if (header === null || !header.isString() || header.asString()!.length == 0) return fail(cp + ".header", "must be a non-empty string");
      // Istio: ^[-_A-Za-z0-9]+$ (a strict HTTP header name).
      if (!isStrictHeaderName(header.asString()!)) return fail(cp + ".header", "must match ^[-_A-Za-z0-9]+$");
      const claim = c.get("claim");
      if (claim === null || !claim.isString() || claim.asString()!.length == 0) return fail(cp + ".claim", "must be a non-empty string");
      rule.outputClaimToHeaders.push(new ClaimToHeader(header.asString()!.toLowerCase(), claim.asString()!));
    }
  }
  const forward = v.get("forwardOriginalToken");
  if (forward !== null) {
    if (!forward.isBool()) return fail(path + ".forwardOriginalToken", "must be a boolean");
    rule.forwardOriginalToken = forward.boolOr(false);
  }
  const timeout = v.get("timeout");
  if (timeout !== null) {
    const ms = durationMs(timeout);
    if (ms < 0) return fail(path + ".timeout", durationError(timeout));
    if (ms < 1) return fail(path + ".timeout", "must be at least 1ms");
    if (ms > 0xffffffff) return fail(path + ".timeout", "too long");
    rule.timeoutMs = <u32>ms;
  }
  const spaceDelimited = stringList(v, "spaceDelimitedClaims", path);
  if (spaceDelimited === null) return null;
  rule.spaceDelimitedClaims = spaceDelimited;

  const cluster = v.get("jwksCluster");
  if (cluster !== null) {
    if (!cluster.isString() || cluster.asString()!.length == 0) return fail(path + ".jwksCluster", "must be a non-empty string");
    if (rule.jwksUri === null) return fail(path + ".jwksCluster", "only meaningful with jwksUri");
    rule.jwksCluster = cluster.asString()!;
  }
  const cache = v.get("jwksCacheDuration");
  if (cache !== null) {
    const ms = durationMs(cache);
    if (ms < 0) return fail(path + ".jwksCacheDuration", durationError(cache));
    if (ms < 1000) return fail(path + ".jwksCacheDuration", "must be at least 1s");
    if (rule.jwksUri === null) return fail(path + ".jwksCacheDuration", "only meaningful with jwksUri");
    rule.jwksCacheDurationMs = <u64>ms;
  }
  return rule;
}

function stringList(v: JsonValue, name: string, path: string): string[] | null {
  const out = new Array<string>();
  const list = v.get(name);
  if (list === null) return out;
  if (!list.isArray()) {
    fail(path + "." + name, "must be an array of strings, got " + list.kindName());
    return null;
  }
  for (let i = 0; i < list.length; i++) {
    const s = list.at(i)!.asString();
    if (s === null) {
      fail(path + "." + name + "[" + i.toString() + "]", "must be a string");
      return null;
    }
    out.push(s);
  }
  return out;
}

/** Splits an http(s) URL into the callout's authority and path; false if it is not one. */
function splitUri(uri: string, rule: JwtRule): bool {
  let rest: string;
  let port = "";
  if (uri.startsWith("https://")) {
    rest = uri.substring(8);
    port = "443";
  } else if (uri.startsWith("http://")) {
    rest = uri.substring(7);
    port = "80";
  } else {
    return false;
  }
  let end = rest.length;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c == 0x2f || c == 0x3f || c == 0x23) {
      end = i;
      break;
    }
    if (c <= 0x20 || c == 0x40 /* userinfo is not allowed */) return false;
  }
  const authority = rest.substring(0, end);
  if (authority.length == 0) return false;
  let path = rest.substring(end);
  const hash = path.indexOf("#");
  if (hash >= 0) path = path.substring(0, hash);
  if (path.length == 0 || path.charCodeAt(0) != 0x2f) path = "/" + path;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) <= 0x20) return false;
  rule.jwksAuthority = authority;
  rule.jwksPath = path;
  // Istio names the cluster of a mesh-external host `outbound|<port>||<host>`.
  let host = authority;
  const colon = authority.lastIndexOf(":");
  if (colon > 0 && authority.indexOf("]") < colon) {
    host = authority.substring(0, colon);
    port = authority.substring(colon + 1);
    if (port.length == 0) return false;
    for (let i = 0; i < port.length; i++) {
      const c = port.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return false;
    }
  }
  if (host.length == 0) return false;
  rule.jwksCluster = "outbound|" + port + "||" + host;
  return true;
}

/** Milliseconds of a duration string ("5s", "1.5s", "500ms", "2m", "1h"); -1 if invalid. */
export function durationMs(v: JsonValue): i64 {
  const s = v.asString();
  if (s === null) return -1;
  let unitAt = s.length;
  while (unitAt > 0) {
    const c = s.charCodeAt(unitAt - 1);
    if ((c >= 0x30 && c <= 0x39) || c == 0x2e) break;
    unitAt--;
  }
  const num = s.substring(0, unitAt);
  const unit = s.substring(unitAt);
  if (num.length == 0 || num.length > 15) return -1;
  let dots = 0;
  for (let i = 0; i < num.length; i++) {
    const c = num.charCodeAt(i);
    if (c == 0x2e) dots++;
    else if (c < 0x30 || c > 0x39) return -1;
  }
  if (dots > 1 || num.charCodeAt(0) == 0x2e || num.charCodeAt(num.length - 1) == 0x2e) return -1;
  const x = parseFloat(num);
  let scale: f64 = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s") scale = 1000;
  else if (unit == "m") scale = 60000;
  else if (unit == "h") scale = 3600000;
  else return -1;
  return <i64>Math.floor(x * scale);
}

function durationError(v: JsonValue): string {
  return "must be a duration such as \"5s\", \"1.5s\", \"500ms\", \"2m\"" + (v.isString() ? ", got \"" + v.asString()! + "\"" : ", got " + v.kindName());
}

function jwksProblem(status: JwtStatus): string {
  if (status == JwtStatus.JwksParseError) return "invalid JSON or not an object";
  if (status == JwtStatus.JwksNoKeys) return "no [keys] field";
  if (status == JwtStatus.JwksBadKeys) return "[keys] is not an array";
  return "unusable";
}

/** RFC 7230 token characters. */
function isHeaderName(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
      c == 0x21 || c == 0x23 || c == 0x24 || c == 0x25 || c == 0x26 || c == 0x27 || c == 0x2a || c == 0x2b ||
      c == 0x2d || c == 0x2e || c == 0x5e || c == 0x5f || c == 0x60 || c == 0x7c || c == 0x7e;
    if (!ok) return false;
  }
  return true;
}

function isStrictHeaderName(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x2d || c == 0x5f;
    if (!ok) return false;
  }
  return s.length > 0;
}

// Where tokens are found (policy-semantics.md §1.3). A rule uses its fromHeaders, fromParams
// and fromCookies, or — only when all three are empty — the defaults `authorization: Bearer …`
// and `?access_token=`. Rules sharing a location share it: its allowed issuers are the union
// of theirs. Extraction order is Envoy's: header locations by `lowercase(name) + prefix`, then
// query parameters, then cookies; every token found is collected.
import { Pair } from "../../sdk/pairs";
import { JwtRule } from "./config";

export const enum LocationKind {
  Header = 0,
  Param = 1,
  Cookie = 2,
}

export class Location {
  /** Issuers of the rules using this location; `anyIssuer` when one of them has none. */
  issuers: string[] = [];
  anyIssuer: bool = false;
  /** Indexes (into the sorted rule list) of the rules using it. */
  rules: i32[] = [];

  constructor(readonly kind: LocationKind, readonly name: string, readonly prefix: string) {}

  get key(): string {
    return this.name + this.prefix;
  }

  allowsIssuer(iss: string): bool {
    return this.anyIssuer || this.issuers.includes(iss);
  }
}

export class ExtractedToken {
  constructor(readonly token: string, readonly location: Location) {}
}

/** The locations of all rules, in extraction order. */
export function buildLocations(rules: JwtRule[]): Location[] {
  const headers = new Array<Location>();
  const params = new Array<Location>();
  const cookies = new Array<Location>();
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (r.fromHeaders.length == 0 && r.fromParams.length == 0 && r.fromCookies.length == 0) {
      add(headers, LocationKind.Header, "authorization", "Bearer ", r, i);
      add(params, LocationKind.Param, "access_token", "", r, i);
      continue;
    }
    for (let j = 0; j < r.fromHeaders.length; j++) add(headers, LocationKind.Header, r.fromHeaders[j].name, r.fromHeaders[j].prefix, r, i);
    for (let j = 0; j < r.fromParams.length; j++) add(params, LocationKind.Param, r.fromParams[j], "", r, i);
    for (let j = 0; j < r.fromCookies.length; j++) add(cookies, LocationKind.Cookie, r.fromCookies[j], "", r, i);
  }
  sortByKey(headers);
  sortByKey(params);
  sortByKey(cookies);
  const all = new Array<Location>();
  for (let i = 0; i < headers.length; i++) all.push(headers[i]);
  for (let i = 0; i < params.length; i++) all.push(params[i]);
  for (let i = 0; i < cookies.length; i++) all.push(cookies[i]);
  return all;
}

function add(list: Location[], kind: LocationKind, name: string, prefix: string, rule: JwtRule, ruleIndex: i32): void {
  let loc: Location | null = null;
  for (let i = 0; i < list.length; i++) {
    if (list[i].name == name && list[i].prefix == prefix) {
      loc = list[i];
      break;
    }
  }
  if (loc === null) {
    loc = new Location(kind, name, prefix);
    list.push(loc);
  }
  if (!loc.rules.includes(ruleIndex)) loc.rules.push(ruleIndex);
  if (rule.issuer.length == 0) loc.anyIssuer = true;
  else if (!loc.issuers.includes(rule.issuer)) loc.issuers.push(rule.issuer);
}

function sortByKey(list: Location[]): void {
  for (let i = 1; i < list.length; i++) {
    const l = list[i];
    let j = i - 1;
    while (j >= 0 && list[j].key > l.key) {
      list[j + 1] = list[j];
      j--;
    }
    list[j + 1] = l;
  }
}

/** Every token in the request, in extraction order. */
export function extractTokens(locations: Location[], headers: Array<Pair>, path: string): ExtractedToken[] {
  const out = new Array<ExtractedToken>();
  for (let i = 0; i < locations.length; i++) {
    const loc = locations[i];
    let token: string | null = null;
    if (loc.kind == LocationKind.Header) token = fromHeader(headers, loc.name, loc.prefix);
    else if (loc.kind == LocationKind.Param) token = queryParam(path, loc.name);
    else token = cookie(headers, loc.name);
    if (token !== null) out.push(new ExtractedToken(token, loc));
  }
  return out;
}

/** The joined value of header `name` (several entries joined with ","), or null. */
export function joinedHeader(headers: Array<Pair>, name: string): string | null {
  let value: string | null = null;
  for (let i = 0; i < headers.length; i++) {
    if (headers[i].key != name) continue;
    value = value === null ? headers[i].value : value + "," + headers[i].value;
  }
  return value;
}

function isTokenChar(c: i32): bool {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x5f || c == 0x2e;
}

/**
 * §1.3.2: no prefix ⇒ the whole value. Else the prefix is searched anywhere (case-sensitive);
 * absent ⇒ no token here; present ⇒ the first run of [A-Za-z0-9-_.] after it (or the whole
 * value when there is none).
 */
export function fromHeader(headers: Array<Pair>, name: string, prefix: string): string | null {
  const value = joinedHeader(headers, name);
  if (value === null) return null;
  if (prefix.length == 0) return value;
  const at = value.indexOf(prefix);
  if (at < 0) return null;
  let start = at + prefix.length;
  while (start < value.length && !isTokenChar(value.charCodeAt(start))) start++;
  if (start >= value.length) return value;
  let end = start;
  while (end < value.length && isTokenChar(value.charCodeAt(end))) end++;
  return value.substring(start, end);
}

/** The first value of query parameter `name` in `path`, percent-decoded, or null. */
export function queryParam(path: string, name: string): string | null {
  const q = path.indexOf("?");
  if (q < 0) return null;
  let query = path.substring(q + 1);
  const hash = query.indexOf("#");
  if (hash >= 0) query = query.substring(0, hash);
  const parts = query.split("&");
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const eq = p.indexOf("=");
    const key = percentDecode(eq < 0 ? p : p.substring(0, eq));
    if (key != name) continue;
    return eq < 0 ? "" : percentDecode(p.substring(eq + 1));
  }
  return null;
}

/** The first cookie `name` across all `cookie` headers (surrounding quotes removed), or null. */
export function cookie(headers: Array<Pair>, name: string): string | null {
  for (let i = 0; i < headers.length; i++) {
    if (headers[i].key != "cookie") continue;
    const parts = headers[i].value.split(";");
    for (let j = 0; j < parts.length; j++) {
      let p = parts[j];
      let s = 0;
      while (s < p.length && p.charCodeAt(s) == 0x20) s++;
      p = p.substring(s);
      const eq = p.indexOf("=");
      if (eq < 0 || p.substring(0, eq) != name) continue;
      let v = p.substring(eq + 1);
      if (v.length >= 2 && v.charCodeAt(0) == 0x22 && v.charCodeAt(v.length - 1) == 0x22) v = v.substring(1, v.length - 1);
      return v;
    }
  }
  return null;
}

function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** %XX decoding as bytes, then UTF-8; a malformed escape is kept as is. */
export function percentDecode(s: string): string {
  if (s.indexOf("%") < 0) return s;
  const src = String.UTF8.encode(s);
  const inp = Uint8Array.wrap(src);
  const out = new Uint8Array(inp.length);
  let n = 0;
  for (let i = 0; i < inp.length; i++) {
    const c = <i32>inp[i];
    if (c == 0x25 && i + 2 < inp.length) {
      const h = hexValue(<i32>inp[i + 1]);
      const l = hexValue(<i32>inp[i + 2]);
      if (h >= 0 && l >= 0) {
        out[n++] = <u8>((h << 4) | l);
        i += 2;
        continue;
      }
    }
    out[n++] = <u8>c;
  }
  return String.UTF8.decode(out.slice(0, n).buffer, false);
}

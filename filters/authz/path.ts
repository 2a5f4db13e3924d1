// Path normalization before matching (policy-semantics.md §2.8, §2.8a), configurable like
// Istio's `meshConfig.pathNormalization`. In Envoy the connection manager does this before any
// filter runs; doing it again here is idempotent there and closes the same bypasses on hosts
// that do not (the shim, other proxies). Pure code: no ABI.
//
// | mode                     | steps                                                              |
// | ------------------------ | ------------------------------------------------------------------ |
// | NONE                     | drop the fragment; the rest is used as received                    |
// | BASE (Istio's default)   | + decode %-escapes of unreserved characters once, then reject `%00` |
// |                          |   and escapes that only double encoding leaves behind;             |
// |                          |   `\` → `/`; RFC 3986 dot-segment removal (`..;x` is `..`, `.;x` is `.`) |
// | MERGE_SLASHES            | + collapse runs of `/`                                             |
// | DECODE_AND_MERGE_SLASHES | first decode `%2F %2f %5C %5c`, then BASE, then merge slashes      |
//
// The fragment is always dropped (Istio sets `http_reject_path_with_fragment: false`, so Envoy
// strips `#…`), and matching uses the path without its query. The filter forwards the
// normalized path, so what was authorized is what the backend receives.
import { hexDigit } from "../../sdk/match/ip";

export const enum PathNormalization {
  NONE = 0,
  BASE = 1,
  MERGE_SLASHES = 2,
  DECODE_AND_MERGE_SLASHES = 3,
}

/** Parses Istio's option name (`DEFAULT` is BASE); -1 when unknown. */
export function parsePathNormalization(name: string): i32 {
  if (name == "NONE") return PathNormalization.NONE;
  if (name == "BASE" || name == "DEFAULT") return PathNormalization.BASE;
  if (name == "MERGE_SLASHES") return PathNormalization.MERGE_SLASHES;
  if (name == "DECODE_AND_MERGE_SLASHES") return PathNormalization.DECODE_AND_MERGE_SLASHES;
  return -1;
}

export class NormalizedPath {
  constructor(
    /** The path to match on: normalized, without query and fragment. */
    readonly path: string,
    /** `?…` as received (empty when there is none); never normalized. */
    readonly query: string,
    /** Why the path is rejected (Envoy answers 400), or null. */
    readonly error: string | null,
  ) {}

  /** What the upstream should receive: the normalized path and the query. */
  get forwarded(): string {
    return this.path + this.query;
  }
}

export function normalizePath(raw: string, mode: PathNormalization): NormalizedPath {
  let p = raw;
  const hash = p.indexOf("#");
  if (hash >= 0) p = p.substring(0, hash);
  let query = "";
  const q = p.indexOf("?");
  if (q >= 0) {
    query = p.substring(q);
    p = p.substring(0, q);
  }
  if (mode == PathNormalization.NONE) return new NormalizedPath(p, query, null);

  const slashes = mode == PathNormalization.DECODE_AND_MERGE_SLASHES;
  if (slashes) p = decodeSlashes(p);
  p = decodeUnreserved(p);
  const leftover = leftoverEscape(p, slashes);
  if (leftover !== null) return new NormalizedPath(p, query, leftover);
  p = p.replaceAll("\\", "/");
  if (!p.startsWith("/")) return new NormalizedPath(p, query, "path does not start with '/'");
  p = removeDotSegments(p);
  if (mode >= PathNormalization.MERGE_SLASHES) p = mergeSlashes(p);
  return new NormalizedPath(p, query, null);
}


/**
 * Checked after decoding: `%00` (Envoy rejects it), or an escape that decoding would have
 * removed (an unreserved character; `/` or `\` when slashes are decoded). Such an escape can
 * only come from encoding twice (`%%30%30` → `%00`, `%%32%65` → `%2e`); forwarding it would
 * hand a backend that decodes once more a NUL, a `..` or a `/` the policy never saw. Envoy
 * forwards these; we reject them (README, differences).
 */
function leftoverEscape(p: string, slashes: bool): string | null {
  const n = p.length;
  for (let i = 0; i + 2 < n; i++) {
    if (p.charCodeAt(i) != 37) continue;
    const h = hexDigit(p.charCodeAt(i + 1));
    const l = hexDigit(p.charCodeAt(i + 2));
    if (h < 0 || l < 0) continue;
    const b = (h << 4) | l;
    if (b == 0) return "%00 in path";
    if (isUnreserved(b) || (slashes && isSlash(b))) return "percent-encoded twice ('" + p.substring(i, i + 3) + "' left after decoding)";
  }
  return null;
}

function isSlash(c: i32): bool {
  return c == 47 || c == 92;
}

function isUnreserved(c: i32): bool {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 45 || c == 46 || c == 95 || c == 126;
}

/** `%2F`/`%2f` → `/`, `%5C`/`%5c` → `\` (Envoy's UNESCAPE_AND_FORWARD). */
function decodeSlashes(p: string): string {
  return decodeEscapesOf(p, isSlash);
}

/** Decodes, once, %-escapes whose byte is an unreserved character (RFC 3986 §2.3, §6.2.2.2). */
function decodeUnreserved(p: string): string {
  return decodeEscapesOf(p, isUnreserved);
}

/** Decodes, once, the %-escapes whose byte `which` accepts; every other byte stays as it is. */
function decodeEscapesOf(p: string, which: (c: i32) => bool): string {
  if (p.indexOf("%") < 0) return p;
  const n = p.length;
  const out = new StaticArray<u16>(n);
  let len = 0;
  let i = 0;
  while (i < n) {
    const c = p.charCodeAt(i);
    if (c == 37 && i + 2 < n) {
      const h = hexDigit(p.charCodeAt(i + 1));
      const l = hexDigit(p.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        const b = (h << 4) | l;
        if (which(b)) {
          out[len++] = <u16>b;
          i += 3;
          continue;
        }
      }
    }
    out[len++] = <u16>c;
    i++;
  }
  return pathOf(out, len);
}

/**
 * RFC 3986 §5.2.4 on an absolute path, segment by segment. A `..;params` segment counts as
 * `..` (recent Envoy does the same, §2.8a) so `/public/..;x/admin` cannot slip past, and a
 * `.;params` segment as `.`: a backend that strips path parameters (Tomcat) reads
 * `/public/.;x/../admin` as `/admin`, so the `..` must not spend itself on `.;x`.
 */
function removeDotSegments(p: string): string {
  if (p.indexOf(".") < 0) return p;
  const segs = p.substring(1).split("/");
  const out = new Array<string>();
  let trailingSlash = false;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    const last = i == segs.length - 1;
    if (s == "." || s.startsWith(".;")) {
      trailingSlash = last;
      continue;
    }
    if (s == ".." || s.startsWith("..;")) {
      if (out.length > 0) out.pop();
      trailingSlash = last;
      continue;
    }
    out.push(s);
    trailingSlash = false;
  }
  let result = "/" + out.join("/");
  if (trailingSlash && out.length > 0) result += "/";
  return result;
}

function mergeSlashes(p: string): string {
  if (p.indexOf("//") < 0) return p;
  const n = p.length;
  const out = new StaticArray<u16>(n);
  let len = 0;
  let prevSlash = false;
  for (let i = 0; i < n; i++) {
    const c = p.charCodeAt(i);
    if (c == 47) {
      if (prevSlash) continue;
      prevSlash = true;
    } else {
      prevSlash = false;
    }
    out[len++] = <u16>c;
  }
  return pathOf(out, len);
}

/**
 * The first `len` characters of a pass's output. Every pass writes at most as many characters
 * as it reads, so it fills one buffer: `out += char` would copy the string so far on every
 * character, quadratic in a path the client chooses (tens of KiB under Envoy's header limit).
 */
function pathOf(buf: StaticArray<u16>, len: i32): string {
  return String.UTF16.decodeUnsafe(changetype<usize>(buf), <usize>len << 1);
}

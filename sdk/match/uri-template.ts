// Envoy URI templates as Istio emits them for `paths` values containing `{*}` or `{**}`
// (policy-semantics.md §2.8, §2.8a):
//
// - the pattern is `/`-separated; a literal segment matches itself;
// - `{*}` matches one segment: one or more pchar characters `[A-Za-z0-9-._~%!$&'()+,;:@=]`
//   or `*` (the CVE-2025-46821 fix lets a literal `*` through);
// - `{**}` matches zero or more of those characters or `/`;
// - the match is on the whole path (query and fragment already removed), so a pattern ending
//   in `/` needs a path ending in `/`.
//
// Validation (Istio's): `{*}` and `{**}` must be whole segments (`/foo/{*}.txt` is invalid),
// no other `{`, `}` or `*` may appear, and no `{*}`/`{**}` may follow a `{**}` (a literal
// may). The path must start with `/`.

const LITERAL: u8 = 0;
const ONE: u8 = 1;
const MANY: u8 = 2;

class Piece {
  constructor(readonly kind: u8, readonly text: string) {}
}

export class UriTemplate {
  private constructor(
    /** Pieces before `{**}` (or all of them when there is none). */
    private readonly head: Array<Piece>,
    /** Whether a `{**}` follows the head. */
    private readonly hasMany: bool,
    /** The literal text after `{**}` (only literals may follow it). */
    private readonly tail: string,
    readonly source: string,
  ) {}

  /** Whether `v` is written as a template (contains `{*}` or `{**}`). */
  static isTemplate(v: string): bool {
    return v.indexOf("{*}") >= 0 || v.indexOf("{**}") >= 0;
  }

  /** Why `v` is not a valid template, or null when it is. */
  static validate(v: string): string | null {
    if (!v.startsWith("/")) return "a path template must start with '/'";
    const segs = v.split("/");
    let sawMany = false;
    for (let i = 1; i < segs.length; i++) {
      const seg = segs[i];
      const isOne = seg == "{*}";
      const isMany = seg == "{**}";
      if (isOne || isMany) {
        if (sawMany) return "'" + seg + "' after '{**}' is not allowed";
        if (isMany) sawMany = true;
        continue;
      }
      if (seg.indexOf("{") >= 0 || seg.indexOf("}") >= 0 || seg.indexOf("*") >= 0) {
        return "'{*}' and '{**}' must be whole segments, and no other '{', '}' or '*' may appear (segment '" + seg + "')";
      }
    }
    return null;
  }

  /** Compiles a valid template (check `validate` first); null when invalid. */
  static compile(v: string): UriTemplate | null {
    if (UriTemplate.validate(v) !== null) return null;
    const segs = v.split("/");
    const head = new Array<Piece>();
    let literal = "";
    let hasMany = false;
    let tail = "";
    for (let i = 1; i < segs.length; i++) {
      const seg = segs[i];
      if (hasMany) {
        tail += "/" + seg;
        continue;
      }
      literal += "/";
      if (seg == "{*}") {
        head.push(new Piece(LITERAL, literal));
        literal = "";
        head.push(new Piece(ONE, ""));
      } else if (seg == "{**}") {
        head.push(new Piece(LITERAL, literal));
        literal = "";
        hasMany = true;
      } else {
        literal += seg;
      }
    }
    if (!hasMany && literal.length > 0) head.push(new Piece(LITERAL, literal));
    return new UriTemplate(head, hasMany, tail, v);
  }

  matches(path: string): bool {
    let pos = 0;
    const n = path.length;
    const head = this.head;
    for (let i = 0; i < head.length; i++) {
      const piece = unchecked(head[i]);
      if (piece.kind == LITERAL) {
        const t = piece.text;
        if (n - pos < t.length) return false;
        for (let k = 0; k < t.length; k++) if (path.charCodeAt(pos + k) != t.charCodeAt(k)) return false;
        pos += t.length;
      } else {
        // {*}: one or more segment characters (never '/').
        const start = pos;
        while (pos < n && isSegmentChar(path.charCodeAt(pos))) pos++;
        if (pos == start) return false;
      }
    }
    if (!this.hasMany) return pos == n;
    const tail = this.tail;
    if (n - pos < tail.length) return false;
    const mid = n - tail.length;
    for (let k = 0; k < tail.length; k++) if (path.charCodeAt(mid + k) != tail.charCodeAt(k)) return false;
    for (let k = pos; k < mid; k++) {
      const c = path.charCodeAt(k);
      if (c != 47 && !isSegmentChar(c)) return false;
    }
    return true;
  }
}

/** RFC 3986 pchar without the percent-decoding (`%` stands for itself), plus `*` (§2.8a). */
function isSegmentChar(c: i32): bool {
  if (c >= 97 && c <= 122) return true; // a-z
  if (c >= 65 && c <= 90) return true; // A-Z
  if (c >= 48 && c <= 57) return true; // 0-9
  switch (c) {
    case 45: case 46: case 95: case 126: // - . _ ~
    case 37: // %
    case 33: case 36: case 38: case 39: case 40: case 41: case 43: case 44: case 59: // ! $ & ' ( ) + , ;
    case 58: case 64: case 61: // : @ =
    case 42: // *
      return true;
    default:
      return false;
  }
}

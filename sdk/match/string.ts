// String matchers: exact, prefix, suffix, presence — the value language of Istio's
// AuthorizationPolicy (policy-semantics.md §2.4) and of Envoy's StringMatcher without regex.
//
// Pure code: no ABI, no allocation while matching (except lower-casing for case-insensitive
// matchers, done once per input by the caller or here when asked).

export const enum StringMatchKind {
  /** The whole value equals `value`. */
  EXACT = 0,
  /** The value starts with `value`. */
  PREFIX = 1,
  /** The value ends with `value`. */
  SUFFIX = 2,
  /** Any non-empty value (Istio's `*` translated to the regex `.+`). */
  PRESENT = 3,
  /** Any value at all, even empty (Envoy's `present_match` on a header). */
  ANY = 4,
}

export class StringMatch {
  constructor(
    readonly kind: StringMatchKind,
    /** The literal to compare with; lower-case when `ignoreCase`. */
    readonly value: string,
    readonly ignoreCase: bool = false,
  ) {}

  static exact(v: string, ignoreCase: bool = false): StringMatch {
    return new StringMatch(StringMatchKind.EXACT, ignoreCase ? asciiLower(v) : v, ignoreCase);
  }
  static prefix(v: string, ignoreCase: bool = false): StringMatch {
    return new StringMatch(StringMatchKind.PREFIX, ignoreCase ? asciiLower(v) : v, ignoreCase);
  }
  static suffix(v: string, ignoreCase: bool = false): StringMatch {
    return new StringMatch(StringMatchKind.SUFFIX, ignoreCase ? asciiLower(v) : v, ignoreCase);
  }
  static present(): StringMatch {
    return new StringMatch(StringMatchKind.PRESENT, "", false);
  }
  static any(): StringMatch {
    return new StringMatch(StringMatchKind.ANY, "", false);
  }

  /**
   * Istio's value language (§2.4), checked in Istio's order: `*` first (presence), then a
   * leading `*` (suffix), then a trailing `*` (prefix), else exact. So `**` is a suffix match
   * of `*`, `*a*` a suffix match of the literal `a*`, and `a*b` the literal `a*b`.
   * `presenceMatchesEmpty` picks ANY instead of PRESENT for `*` (headers, hosts, methods).
   */
  static istio(v: string, ignoreCase: bool = false, presenceMatchesEmpty: bool = false): StringMatch {
    if (v == "*") return presenceMatchesEmpty ? StringMatch.any() : StringMatch.present();
    if (v.startsWith("*")) return StringMatch.suffix(v.substring(1), ignoreCase);
    if (v.endsWith("*")) return StringMatch.prefix(v.substring(0, v.length - 1), ignoreCase);
    return StringMatch.exact(v, ignoreCase);
  }

  /** Whether `s` (a present value) matches. Lower-cases `s` first when the matcher ignores case. */
  matches(s: string): bool {
    switch (this.kind) {
      case StringMatchKind.ANY: return true;
      case StringMatchKind.PRESENT: return s.length > 0;
      default: break;
    }
    const t = this.ignoreCase ? asciiLower(s) : s;
    return this.matchesFolded(t);
  }

  /** Like `matches`, for a value the caller has already lower-cased (hot paths). */
  matchesFolded(t: string): bool {
    switch (this.kind) {
      case StringMatchKind.EXACT: return t == this.value;
      case StringMatchKind.PREFIX: return t.startsWith(this.value);
      case StringMatchKind.SUFFIX: return t.endsWith(this.value);
      case StringMatchKind.PRESENT: return t.length > 0;
      default: return true;
    }
  }

  /** Human-readable form for logs: `exact "a"`, `prefix "/api/"`, … */
  toString(): string {
    switch (this.kind) {
      case StringMatchKind.EXACT: return "exact \"" + this.value + "\"";
      case StringMatchKind.PREFIX: return "prefix \"" + this.value + "\"";
      case StringMatchKind.SUFFIX: return "suffix \"" + this.value + "\"";
      case StringMatchKind.PRESENT: return "present";
      default: return "any";
    }
  }
}

/**
 * ASCII lower-casing. Host names and HTTP tokens are ASCII; folding only A-Z keeps the
 * comparison predictable (no locale or Unicode special cases such as U+0130).
 */
export function asciiLower(s: string): string {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) break;
  }
  if (i == n) return s;
  const out = changetype<string>(__new(<usize>n << 1, idof<string>()));
  const src = changetype<usize>(s);
  const dst = changetype<usize>(out);
  for (let j = 0; j < n; j++) {
    const c = load<u16>(src + (<usize>j << 1));
    store<u16>(dst + (<usize>j << 1), c >= 65 && c <= 90 ? c + 32 : c);
  }
  return out;
}

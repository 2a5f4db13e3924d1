// Glob matching where `*` stands for any run of characters (including none and including `/`)
// and every other character stands for itself. This is what a regex built by replacing `*`
// with `.*` and quoting the rest does (Istio's `namespaces` translation, policy-semantics.md
// §2.5), without a regex engine: the classic two-pointer walk that remembers the last `*`,
// O(len(pattern) × len(text)) in the worst case, no recursion.

export function globMatch(pattern: string, text: string): bool {
  const pn = pattern.length;
  const tn = text.length;
  let p = 0;
  let t = 0;
  let star = -1; // position in pattern after the last `*` seen
  let mark = 0; // position in text where that `*` started matching
  while (t < tn) {
    if (p < pn) {
      const c = pattern.charCodeAt(p);
      if (c == 42) {
        star = ++p;
        mark = t;
        continue;
      }
      if (c == text.charCodeAt(t)) {
        p++;
        t++;
        continue;
      }
    }
    if (star < 0) return false;
    // Let the last `*` swallow one more character and retry from there.
    p = star;
    t = ++mark;
  }
  while (p < pn && pattern.charCodeAt(p) == 42) p++;
  return p == pn;
}

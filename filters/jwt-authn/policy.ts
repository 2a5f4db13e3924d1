// The decision for one request, from plain inputs (policy-semantics.md §1.2, §1.4): which
// tokens were found, what each rule's verifier says about them, and how Istio's requirement
// (`requires_any` of every provider with `allow_missing`) combines those answers:
//
// - one rule OK ⇒ allow (its claims are published); every rule "missing" ⇒ allow as anonymous;
// - otherwise deny with the most specific status: any error other than "missing" or "unknown
//   issuer" (first rule in order), else "unknown issuer".
//
// A rule's verifier checks every token found at its locations, last found first; one failure
// fails it. Per token the order is Envoy's: parse, issuer allowed at the location and equal to
// the rule's, time, audience, key material, signature. Key material may not be at hand (a
// remote JWKS not fetched yet, or a `kid` the cached set lacks): the decision is then "wait"
// for that rule, and the adapter runs it again when the keys arrive.
import { JwtRule, JwtAuthnConfig } from "./config";
import { ExtractedToken, Location } from "./extract";
import { Jwt, JwtParse, parseJwt } from "./jwt";
import { KeySet } from "./jwks";
import { audienceAllowed, checkTime, normalizeClaims } from "./outputs";
import { JwtStatus } from "./status";
import { CachedToken, VerifiedTokenCache } from "./token-cache";
import { SignatureHost, verifySignature } from "./verify";
import { stringify } from "../../sdk/json/index";

/** Where a rule's keys come from; the adapter's subclass knows the remote caches. */
export class KeySource {
  /** The key set of rule `r` now (stale is fine), or null when there is none. */
  current(r: i32): KeySet | null {
    return null;
  }
  /** Changes whenever rule `r`'s key set is replaced (verified-token cache validity). */
  generation(r: i32): u32 {
    return 0;
  }
  /** Rule `r` has no keys: Ok to wait for a fetch, or the status to fail with. */
  whenMissing(r: i32): JwtStatus {
    return JwtStatus.JwksFetchFail;
  }
  /** A token's `kid` matched no key of rule `r`: may this request wait for a refetch? */
  mayRefetchForKid(r: i32): bool {
    return false;
  }
}

export const enum Outcome {
  Allow = 0,
  AllowMissing = 1,
  Deny = 2,
  Wait = 3,
}

/** A token one rule verified. */
export class VerifiedToken {
  constructor(readonly token: ExtractedToken, readonly rule: JwtRule, readonly jwt: Jwt, readonly claimsJson: string) {}
}

export class Decision {
  outcome: Outcome = Outcome.AllowMissing;
  status: JwtStatus = JwtStatus.Ok;
  verified: VerifiedToken[] = [];
  /** Wait: the rule whose keys are needed, and whether for an unknown `kid`. */
  waitRule: i32 = -1;
  waitForKid: bool = false;
  cacheHits: i32 = 0;
}

/** Internal: a per-token result meaning "keys needed". */
const WAIT: i32 = -1;

export class Authenticator {
  readonly cache: VerifiedTokenCache;

  constructor(readonly config: JwtAuthnConfig, readonly locations: Location[]) {
    this.cache = new VerifiedTokenCache(config.verifiedTokenCacheSize);
  }

  /** Decides for `tokens` (in extraction order) at `nowSeconds`. */
  decide(tokens: ExtractedToken[], nowSeconds: u64, keys: KeySource, host: SignatureHost | null): Decision {
    const d = new Decision();
    if (tokens.length == 0) return d; // every verifier says "missing"
    const parsed = new Map<string, JwtParse>();
    const rules = this.config.rules;
    let okAny = false;
    let allMissed = true;
    let specific: JwtStatus = JwtStatus.Ok;
    let unknownIssuer = false;
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r];
      let status: JwtStatus = JwtStatus.JwtMissed;
      const mark = d.verified.length;
      for (let t = tokens.length - 1; t >= 0; t--) {
        const tok = tokens[t];
        if (!tok.location.rules.includes(r)) continue;
        const s = this.verifyToken(tok, rule, r, nowSeconds, keys, host, parsed, d);
        if (s == WAIT) {
          d.outcome = Outcome.Wait;
          d.waitRule = r;
          return d;
        }
        status = <JwtStatus>s;
        if (status != JwtStatus.Ok) break;
      }
      if (status == JwtStatus.Ok) {
        okAny = true;
        allMissed = false;
        continue;
      }
      d.verified.length = mark; // a failed rule publishes nothing
      if (status == JwtStatus.JwtMissed) continue;
      allMissed = false;
      if (status == JwtStatus.JwtUnknownIssuer) unknownIssuer = true;
      else if (specific == JwtStatus.Ok) specific = status;
    }
    if (okAny) {
      d.outcome = Outcome.Allow;
      return d;
    }
    if (allMissed) return d;
    d.outcome = Outcome.Deny;
    d.status = specific != JwtStatus.Ok ? specific : unknownIssuer ? JwtStatus.JwtUnknownIssuer : JwtStatus.JwtMissed;
    return d;
  }

  /** One token for one rule: a JwtStatus, or WAIT. Pushes to `d.verified` on success. */
  private verifyToken(
    tok: ExtractedToken, rule: JwtRule, r: i32, nowSeconds: u64, keys: KeySource, host: SignatureHost | null,
    parsed: Map<string, JwtParse>, d: Decision,
  ): i32 {
    const skew = this.config.clockSkewSeconds;
    const generation = rule.jwksUri !== null ? keys.generation(r) : 0;
    const hit = this.cache.get(r, tok.token, generation);
    if (hit !== null) {
      const ts = checkTime(hit.jwt, nowSeconds, skew);
      if (ts != JwtStatus.Ok) return ts;
      d.cacheHits++;
      d.verified.push(new VerifiedToken(tok, rule, hit.jwt, hit.claimsJson));
      return JwtStatus.Ok;
    }
    let p: JwtParse;
    if (parsed.has(tok.token)) p = parsed.get(tok.token);
    else {
      p = parseJwt(tok.token);
      parsed.set(tok.token, p);
    }
    if (p.jwt === null) return p.status;
    const jwt = p.jwt!;
    if (!tok.location.allowsIssuer(jwt.iss)) return JwtStatus.JwtUnknownIssuer;
    if (rule.issuer.length > 0 && rule.issuer != jwt.iss) return JwtStatus.JwtUnknownIssuer;
    const ts = checkTime(jwt, nowSeconds, skew);
    if (ts != JwtStatus.Ok) return ts;
    if (!audienceAllowed(rule.audiences, jwt.audiences)) return JwtStatus.JwtAudienceNotAllowed;

    let set: KeySet | null;
    if (rule.jwksUri === null) {
      set = rule.inlineKeys;
    } else {
      set = keys.current(r);
      if (set === null) {
        const s = keys.whenMissing(r);
        return s == JwtStatus.Ok ? WAIT : s;
      }
    }
    if (set === null) return JwtStatus.JwksNoValidKeys;
    if (set.status != JwtStatus.Ok) return set.status;
    const vs = verifySignature(jwt, set, host);
    if (vs == JwtStatus.JwksKidAlgMismatch && rule.jwksUri !== null) {
      const kid = jwt.kid;
      // A `kid` the set does not hold at all (not merely an alg mismatch) may be a rotated key.
      if (kid !== null && set.byKidCount(kid) == 0 && keys.mayRefetchForKid(r)) {
        d.waitForKid = true;
        return WAIT;
      }
    }
    if (vs != JwtStatus.Ok) return vs;
    normalizeClaims(jwt.payload, rule.spaceDelimitedClaims);
    const claims = stringify(jwt.payload);
    this.cache.put(r, tok.token, new CachedToken(jwt, claims, generation));
    d.verified.push(new VerifiedToken(tok, rule, jwt, claims));
    return JwtStatus.Ok;
  }
}

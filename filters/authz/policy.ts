// The authorization decision: Istio AuthorizationPolicy semantics (policy-semantics.md §2) over
// plain request attributes. Pure code — it never calls the ABI; index.ts gathers the attributes
// from the host and applies the decision, config.ts builds these structures.
//
// Shape: a Rule matches iff (any `from` entry matches) AND (any `to` entry matches) AND (every
// `when` condition matches); inside one entry every set field must match (AND), inside a field
// any listed value may match (OR), and a `not…` field matches iff none of its values do. Every
// field and condition compiles to one `Field`, so an entry is a list of Fields that must all hold.
//
// Evaluation order (§2.2, Istio's filter order): CUSTOM (callout, see index.ts), AUDIT (logged),
// DENY (first match rejects), ALLOW (if any enforced ALLOW policy exists, a match is required).
// Rules are named `ns[<namespace>]-policy[<name>]-rule[<index>]` and tried in the order of those
// names, so the reported rule is the lexicographically first that matches, as Envoy reports it.
import { Pair } from "../../sdk/pairs";
import { Cidr, IpAddress } from "../../sdk/match/ip";
import { StringMatch } from "../../sdk/match/string";
import { globMatch } from "../../sdk/match/glob";
import { UriTemplate } from "../../sdk/match/uri-template";
import { JwtIdentity } from "./identity";

// ---- the request, as plain values ----------------------------------------------------------

export class RequestAttributes {
  method: string = "";
  /** `:authority` as received, and whether there was one. */
  host: string = "";
  hasHost: bool = false;
  /** The normalized path without query and fragment (path.ts). */
  path: string = "";
  /** Request headers, names lower-case, repeated names as separate entries. */
  headers: Array<Pair> = [];
  /** The direct peer (`source.address`). */
  sourceIp: IpAddress | null = null;
  /** Envoy's computed remote address (remote-address.ts). */
  remoteIp: IpAddress | null = null;
  destinationIp: IpAddress | null = null;
  /** Local port of the downstream connection; -1 when unknown. */
  destinationPort: i32 = -1;
  /** TLS with a peer certificate. Peer identity matchers are false without it (§2.5). */
  mtls: bool = false;
  /** What Envoy's `authenticated` matcher tries, in order: URI SAN, DNS SAN, subject. */
  peerIds: Array<string> = [];
  /** `connection.requested_server_name`; empty without TLS/SNI. */
  sni: string = "";
  /** The verified JWT identity, or null when there is none. */
  jwt: JwtIdentity | null = null;
}

// ---- value patterns: one listed value of a field --------------------------------------------

export abstract class ValuePattern {
  abstract matches(s: string): bool;
}

/** The string language of §2.4. */
export class StringPattern extends ValuePattern {
  constructor(readonly m: StringMatch) {
    super();
  }
  matches(s: string): bool {
    return this.m.matches(s);
  }
}

/** A `paths` value with `{*}`/`{**}` (§2.8). */
export class TemplatePattern extends ValuePattern {
  constructor(readonly t: UriTemplate) {
    super();
  }
  matches(s: string): bool {
    return this.t.matches(s);
  }
}

/**
 * `principals` / `source.principal` (§2.5): the value is written without `spiffe://`; exact,
 * prefix and suffix apply to the identity after `spiffe://` (so a non-SPIFFE identity never
 * matches), while `*` accepts any non-empty identity.
 */
export class PeerPrincipalPattern extends ValuePattern {
  constructor(readonly m: StringMatch, readonly anyIdentity: bool) {
    super();
  }
  matches(id: string): bool {
    if (this.anyIdentity) return id.length > 0;
    if (!id.startsWith("spiffe://")) return false;
    return this.m.matches(id.substring(9));
  }
}

// `namespaces` / `source.namespace`: Istio's regex ".*/ns/<v with * as .*>/.*" on the identity.
export class NamespacePattern extends ValuePattern {
  readonly glob: string;
  constructor(value: string) {
    super();
    this.glob = "*/ns/" + value + "/*";
  }
  matches(id: string): bool {
    return globMatch(this.glob, id);
  }
}

/** `serviceAccounts`: regex `spiffe://.+/ns/<ns>/(.+/|)sa/<sa>(/.+)?` on the identity. */
export class ServiceAccountPattern extends ValuePattern {
  constructor(readonly namespace: string, readonly account: string) {
    super();
  }
  matches(id: string): bool {
    if (!id.startsWith("spiffe://")) return false;
    const nsPart = "/ns/" + this.namespace + "/";
    const saPart = "sa/" + this.account;
    let at = id.indexOf(nsPart, 10); // `.+` after spiffe:// needs at least one character
    while (at >= 0) {
      if (restMatchesAccount(id.substring(at + nsPart.length), saPart)) return true;
      at = id.indexOf(nsPart, at + 1);
    }
    return false;
  }
}

/** `(.+/|)sa/<sa>(/.+)?` as a full match of `rest`. */
function restMatchesAccount(rest: string, saPart: string): bool {
  let q = rest.indexOf(saPart, 0);
  while (q >= 0) {
    const before = q == 0 || (q >= 2 && rest.charCodeAt(q - 1) == 47);
    const end = q + saPart.length;
    const after = end == rest.length || (rest.charCodeAt(end) == 47 && end + 1 < rest.length);
    if (before && after) return true;
    q = rest.indexOf(saPart, q + 1);
  }
  return false;
}

/** `trustDomains` (§2.5): the part of a SPIFFE id between `spiffe://` and the next `/`. */
export class TrustDomainPattern extends ValuePattern {
  constructor(readonly m: StringMatch, readonly anySpiffe: bool) {
    super();
  }
  matches(id: string): bool {
    if (!id.startsWith("spiffe://")) return false;
    if (this.anySpiffe) return true;
    const slash = id.indexOf("/", 9);
    if (slash < 0) return false;
    return this.m.matches(id.substring(9, slash));
  }
}

// ---- fields: one attribute against its listed values ---------------------------------------

export const enum TextAttr {
  METHOD = 0,
  HOST = 1,
  PATH = 2,
  SNI = 3,
  HEADER = 4,
  CLAIM = 5,
  AUDIENCES = 6,
  PRESENTER = 7,
  PEER = 8,
}

export abstract class Field {
  constructor(
    /** `not…` form / `notValues`: matches iff none of the values match. */
    readonly negate: bool,
  ) {}

  matches(r: RequestAttributes): bool {
    return this.hit(r) != this.negate;
  }

  /** Whether any listed value matches the attribute (false when the attribute is absent). */
  abstract hit(r: RequestAttributes): bool;
}

function anyPattern(patterns: Array<ValuePattern>, s: string): bool {
  for (let i = 0; i < patterns.length; i++) if (unchecked(patterns[i]).matches(s)) return true;
  return false;
}

function anyOf(patterns: Array<ValuePattern>, values: Array<string>): bool {
  for (let i = 0; i < values.length; i++) if (anyPattern(patterns, unchecked(values[i]))) return true;
  return false;
}

/** Any string attribute: method, host, path, SNI, a header, a claim, audiences, presenter, peer identity. */
export class TextField extends Field {
  constructor(
    negate: bool,
    readonly attr: TextAttr,
    readonly patterns: Array<ValuePattern>,
    /** Header name (lower-case) for HEADER. */
    readonly name: string = "",
    /** Claim path for CLAIM. */
    readonly claimPath: Array<string> = [],
  ) {
    super(negate);
  }

  hit(r: RequestAttributes): bool {
    switch (this.attr) {
      case TextAttr.METHOD: return anyPattern(this.patterns, r.method);
      case TextAttr.HOST: return r.hasHost && anyPattern(this.patterns, r.host);
      case TextAttr.PATH: return anyPattern(this.patterns, r.path);
      case TextAttr.SNI: return anyPattern(this.patterns, r.sni);
      case TextAttr.HEADER: {
        // Each value of a repeated header on its own (§2.8a, the CVE-2026-26308 fix): a DENY on
        // `x-role: admin` also catches `x-role: user` + `x-role: admin`.
        const h = r.headers;
        for (let i = 0; i < h.length; i++) {
          const p = unchecked(h[i]);
          if (p.key == this.name && anyPattern(this.patterns, p.value)) return true;
        }
        return false;
      }
      case TextAttr.CLAIM: {
        const jwt = r.jwt;
        return jwt !== null && anyOf(this.patterns, jwt.claimStrings(this.claimPath));
      }
      case TextAttr.AUDIENCES: {
        const jwt = r.jwt;
        return jwt !== null && anyOf(this.patterns, jwt.audiences);
      }
      case TextAttr.PRESENTER: {
        const jwt = r.jwt;
        if (jwt === null) return false;
        const azp = jwt.presenter;
        return azp !== null && anyPattern(this.patterns, azp);
      }
      default: // PEER: only over mTLS (Envoy's `authenticated` matcher is false without TLS)
        return r.mtls && anyOf(this.patterns, r.peerIds);
    }
  }
}

/** One `requestPrincipals` value: separate matches on the `iss` and `sub` claims (§2.5). */
export class RequestPrincipalPattern {
  constructor(
    /** null: any non-empty `iss`. */
    readonly iss: StringMatch | null,
    /** null: any non-empty `sub`. */
    readonly sub: StringMatch | null,
  ) {}

  matches(jwt: JwtIdentity): bool {
    const iss = jwt.iss;
    const sub = jwt.sub;
    if (iss === null || sub === null) return false; // both claims must be present
    const issOk = this.iss === null ? iss.length > 0 : this.iss!.matches(iss);
    if (!issOk) return false;
    return this.sub === null ? sub.length > 0 : this.sub!.matches(sub);
  }
}

export class RequestPrincipalField extends Field {
  constructor(negate: bool, readonly patterns: Array<RequestPrincipalPattern>) {
    super(negate);
  }
  hit(r: RequestAttributes): bool {
    const jwt = r.jwt;
    if (jwt === null) return false;
    for (let i = 0; i < this.patterns.length; i++) if (unchecked(this.patterns[i]).matches(jwt)) return true;
    return false;
  }
}

export const enum IpAttr {
  SOURCE = 0,
  REMOTE = 1,
  DESTINATION = 2,
}

export class IpField extends Field {
  constructor(negate: bool, readonly attr: IpAttr, readonly ranges: Array<Cidr>) {
    super(negate);
  }
  hit(r: RequestAttributes): bool {
    const ip = this.attr == IpAttr.SOURCE ? r.sourceIp : this.attr == IpAttr.REMOTE ? r.remoteIp : r.destinationIp;
    if (ip === null) return false;
    for (let i = 0; i < this.ranges.length; i++) if (unchecked(this.ranges[i]).contains(ip)) return true;
    return false;
  }
}

export class PortField extends Field {
  constructor(negate: bool, readonly ports: Array<i32>) {
    super(negate);
  }
  hit(r: RequestAttributes): bool {
    const port = r.destinationPort;
    if (port < 0) return false;
    return this.ports.includes(port);
  }
}

// ---- rules and policies --------------------------------------------------------------------

function allOf(fields: Array<Field>, r: RequestAttributes): bool {
  for (let i = 0; i < fields.length; i++) if (!unchecked(fields[i]).matches(r)) return false;
  return true;
}

function anyEntry(entries: Array<Array<Field>> | null, r: RequestAttributes): bool {
  if (entries === null) return true; // absent `from`/`to`: anything
  for (let i = 0; i < entries.length; i++) if (allOf(unchecked(entries[i]), r)) return true;
  return false;
}

export class Rule {
  constructor(
    /** `from[i].source` entries, each a list of fields (null: no `from`). */
    readonly from: Array<Array<Field>> | null,
    /** `to[i].operation` entries (null: no `to`). */
    readonly to: Array<Array<Field>> | null,
    /** One field per `values` / `notValues` of every condition. */
    readonly when: Array<Field>,
  ) {}

  matches(r: RequestAttributes): bool {
    return anyEntry(this.from, r) && anyEntry(this.to, r) && allOf(this.when, r);
  }
}

export const enum Action {
  ALLOW = 0,
  DENY = 1,
  AUDIT = 2,
  CUSTOM = 3,
}

export function actionName(a: Action): string {
  switch (a) {
    case Action.ALLOW: return "ALLOW";
    case Action.DENY: return "DENY";
    case Action.AUDIT: return "AUDIT";
    default: return "CUSTOM";
  }
}

/** One rule of one policy, under Envoy's RBAC policy name. */
export class NamedRule {
  constructor(readonly id: string, readonly rule: Rule) {}
}

/** `ns[<namespace>]-policy[<name>]-rule[<index>]` (§2.2). */
export function ruleId(namespace: string, name: string, index: i32): string {
  return "ns[" + namespace + "]-policy[" + name + "]-rule[" + index.toString() + "]";
}

/** All rules of one action and one enforcement mode, tried in name order (Envoy's map order). */
export class RuleSet {
  rules: Array<NamedRule> = [];
  /** Whether any policy of this kind exists, even one without rules (`spec: {}`). */
  hasPolicy: bool = false;

  add(r: NamedRule): void {
    this.rules.push(r);
  }

  /** Sorts by name: byte-wise, so `rule[10]` comes before `rule[2]`, as in Envoy. */
  seal(): void {
    this.rules.sort((a: NamedRule, b: NamedRule): i32 => compareStrings(a.id, b.id));
  }

  firstMatch(r: RequestAttributes): NamedRule | null {
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const nr = unchecked(rules[i]);
      if (nr.rule.matches(r)) return nr;
    }
    return null;
  }
}

function compareStrings(a: string, b: string): i32 {
  const n = min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d != 0) return d;
  }
  return a.length - b.length;
}

// ---- the decision ---------------------------------------------------------------------------

/** Result of a dry-run (shadow) engine, as Envoy's `…_shadow_engine_result`. */
export const enum ShadowResult {
  NOT_EVALUATED = 0,
  ALLOWED = 1,
  DENIED = 2,
}

export class PolicyDecision {
  allowed: bool = true;
  /**
   * The rule that decided: the DENY rule that matched, the ALLOW rule that matched, `none` when
   * ALLOW policies exist and none matched, or empty when no policy was involved.
   */
  policy: string = "";
  /** Which action decided: DENY or ALLOW, or -1 when no policy was involved. */
  action: i32 = -1;
  /** A matching AUDIT rule (Envoy's access_log_hint), or empty. */
  audit: string = "";
  auditEvaluated: bool = false;
  shadowDeny: ShadowResult = ShadowResult.NOT_EVALUATED;
  shadowDenyPolicy: string = "";
  shadowAllow: ShadowResult = ShadowResult.NOT_EVALUATED;
  shadowAllowPolicy: string = "";

  /** Envoy's response code details for a denial (§2.9). */
  get details(): string {
    return "rbac_access_denied_matched_policy[" + this.policy + "]";
  }
}

/** Every rule of the configuration, by action and enforcement. */
export class Authorizer {
  custom: RuleSet = new RuleSet();
  customShadow: RuleSet = new RuleSet();
  audit: RuleSet = new RuleSet();
  deny: RuleSet = new RuleSet();
  denyShadow: RuleSet = new RuleSet();
  allow: RuleSet = new RuleSet();
  allowShadow: RuleSet = new RuleSet();

  seal(): void {
    this.custom.seal();
    this.customShadow.seal();
    this.audit.seal();
    this.deny.seal();
    this.denyShadow.seal();
    this.allow.seal();
    this.allowShadow.seal();
  }

  /** The enforced CUSTOM rule that sends this request to the external authorizer, if any. */
  customRule(r: RequestAttributes): NamedRule | null {
    return this.custom.firstMatch(r);
  }

  /** A dry-run CUSTOM rule that would have sent the request to the authorizer (logged only). */
  customShadowRule(r: RequestAttributes): NamedRule | null {
    return this.customShadow.firstMatch(r);
  }

  /** AUDIT, then DENY (shadow first, as Envoy's RBAC filter does), then ALLOW. */
  decide(r: RequestAttributes): PolicyDecision {
    const d = new PolicyDecision();
    if (this.audit.hasPolicy) {
      d.auditEvaluated = true;
      const a = this.audit.firstMatch(r);
      if (a !== null) d.audit = a.id;
    }
    if (this.denyShadow.hasPolicy) {
      const s = this.denyShadow.firstMatch(r);
      d.shadowDeny = s !== null ? ShadowResult.DENIED : ShadowResult.ALLOWED;
      if (s !== null) d.shadowDenyPolicy = s.id;
    }
    if (this.deny.hasPolicy) {
      const m = this.deny.firstMatch(r);
      if (m !== null) {
        d.allowed = false;
        d.policy = m.id;
        d.action = Action.DENY;
        return d; // the ALLOW filter never runs
      }
    }
    if (this.allowShadow.hasPolicy) {
      const s = this.allowShadow.firstMatch(r);
      d.shadowAllow = s !== null ? ShadowResult.ALLOWED : ShadowResult.DENIED;
      if (s !== null) d.shadowAllowPolicy = s.id;
    }
    if (this.allow.hasPolicy) {
      const m = this.allow.firstMatch(r);
      d.action = Action.ALLOW;
      if (m !== null) {
        d.policy = m.id;
      } else {
        d.allowed = false;
        d.policy = "none";
      }
    }
    return d;
  }
}

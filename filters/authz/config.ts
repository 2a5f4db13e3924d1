// The authz plugin configuration: parse and validate, every error with its JSON path
// (`policies[1].rules[0].from[0].source.ipBlocks[2]: not a CIDR`), into the structures of
// policy.ts. A configuration with any error is rejected as a whole (on_configure returns false):
// the filter never runs half-configured.
//
// {
//   "policies": [ {                         // AuthorizationPolicy.spec + name/namespace, already selected
//     "name": "deny-admin", "namespace": "foo",
//     "action": "ALLOW" | "DENY" | "AUDIT" | "CUSTOM",   // default ALLOW
//     "provider": { "name": "my-ext-authz" },           // CUSTOM only
//     "rules": [ { "from": [...], "to": [...], "when": [...] } ],
//     "dryRun": false                                    // istio.io/dry-run (bool or Go bool text)
//   } ],
//   "pathNormalization": "BASE",            // NONE | BASE (default, = DEFAULT) | MERGE_SLASHES | DECODE_AND_MERGE_SLASHES
//   "numTrustedProxies": 0,                 // hops of x-forwarded-for to trust for remote.ip
//   "useRemoteAddress": false,              // gateway (true) or sidecar (false) remote address
//   "extensionProviders": [ { "name": "my-ext-authz", "envoyExtAuthzHttp": { "service": …, "port": … } } ]
// }
//
// Validation follows Istio's (policy-semantics.md §2.2–§2.7 and the config-validation list in
// §2.12): empty `from`/`to` lists, empty `source`/`operation`, empty strings, unknown or obsolete
// `when` keys, malformed IPs, ports and path templates, DENY/AUDIT/CUSTOM without rules, a
// provider on a non-CUSTOM policy, identity fields in CUSTOM rules. Where Istio would let a
// bad value through and degrade at runtime (§2.7 `checkError`), we reject instead. Unknown
// fields are errors too, so a typo (`notPath`) cannot silently widen a policy.
import { JsonValue, parseJsonString } from "../../sdk/json/index";
import { Cidr } from "../../sdk/match/ip";
import { StringMatch } from "../../sdk/match/string";
import { UriTemplate } from "../../sdk/match/uri-template";
import { Pair } from "../../sdk/pairs";
import { parsePathNormalization, PathNormalization } from "./path";
import {
  Action, Authorizer, Field, IpAttr, IpField, NamedRule, NamespacePattern, PeerPrincipalPattern, PortField,
  RequestPrincipalField, RequestPrincipalPattern, Rule, ruleId, RuleSet, ServiceAccountPattern, StringPattern,
  TemplatePattern, TextAttr, TextField, TrustDomainPattern, ValuePattern,
} from "./policy";

/** Which request attributes the policies read, so the adapter fetches only those. */
export const enum Need {
  HEADERS = 1,
  JWT = 2,
  PEER = 4,
  SOURCE_IP = 8,
  REMOTE_IP = 16,
  DESTINATION_IP = 32,
  DESTINATION_PORT = 64,
  SNI = 128,
}

/** Istio's `envoyExtAuthzHttp` extension provider (MeshConfig.extensionProviders). */
export class ExtAuthzProvider {
  name: string = "";
  /** Envoy cluster for the callout: `cluster`, else Istio's `outbound|<port>||<service>`. */
  cluster: string = "";
  /** `:authority` of the check request's target service. */
  service: string = "";
  port: i32 = 0;
  timeoutMs: u32 = 600000;
  pathPrefix: string = "";
  failOpen: bool = false;
  statusOnError: i32 = 403;
  /** Request headers copied into the check request (besides the ones always sent). */
  includeRequestHeadersInCheck: Array<StringMatch> = [];
  includeAdditionalHeadersInCheck: Array<Pair> = [];
  headersToUpstreamOnAllow: Array<StringMatch> = [];
  headersToDownstreamOnAllow: Array<StringMatch> = [];
  /** null: every authorizer header but the pseudo/framing ones (Envoy's default on deny). */
  headersToDownstreamOnDeny: Array<StringMatch> | null = null;
}

export class AuthzConfig {
  authorizer: Authorizer = new Authorizer();
  pathNormalization: PathNormalization = PathNormalization.BASE;
  numTrustedProxies: i32 = 0;
  useRemoteAddress: bool = false;
  providers: Array<ExtAuthzProvider> = [];
  /** The provider CUSTOM policies use (at most one per workload, as in Istio). */
  customProvider: ExtAuthzProvider | null = null;
  needs: i32 = 0;
  policyCount: i32 = 0;
  ruleCount: i32 = 0;
}

export class ConfigResult {
  constructor(readonly config: AuthzConfig | null, readonly errors: Array<string>) {}
}

// ---- the parser ----------------------------------------------------------------------------

const SOURCE_FIELDS: Array<string> = [
  "principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals", "namespaces", "notNamespaces",
  "serviceAccounts", "notServiceAccounts", "trustDomains", "notTrustDomains", "ipBlocks", "notIpBlocks",
  "remoteIpBlocks", "notRemoteIpBlocks",
];
const OPERATION_FIELDS: Array<string> = ["hosts", "notHosts", "ports", "notPorts", "methods", "notMethods", "paths", "notPaths"];
/** Source fields CUSTOM rules cannot use (CUSTOM runs before jwt-authn and mTLS identity, §2.10). */
const CUSTOM_FORBIDDEN_SOURCE: Array<string> = [
  "principals", "notPrincipals", "namespaces", "notNamespaces", "serviceAccounts", "notServiceAccounts",
  "trustDomains", "notTrustDomains", "requestPrincipals", "notRequestPrincipals",
];

class Parser {
  errors: Array<string> = [];
  needs: i32 = 0;
  /** Namespace of the policy being parsed (default for `serviceAccounts`). */
  namespace: string = "";
  /** Action of the policy being parsed. */
  action: Action = Action.ALLOW;

  error(path: string, message: string): void {
    this.errors.push(path + ": " + message);
  }

  /** Reports members of `obj` not in `allowed`. */
  onlyKeys(obj: JsonValue, path: string, allowed: Array<string>): void {
    const o = obj.asObject();
    if (o === null) return;
    for (let i = 0; i < o.keys.length; i++) {
      const k = o.keys[i];
      if (!allowed.includes(k)) this.error(join(path, k), "unknown field" + hint(k, allowed));
    }
  }

  object(v: JsonValue | null, path: string): JsonValue | null {
    if (v === null) return null;
    if (!v.isObject()) {
      this.error(path, "expected an object, got " + v.kindName());
      return null;
    }
    return v;
  }

  /**
   * A list of non-empty strings. Returns null when absent or invalid (errors reported); an
   * empty list is returned as such (the field is then unset).
   */
  strings(v: JsonValue | null, path: string): Array<string> | null {
    if (v === null) return null;
    if (!v.isArray()) {
      this.error(path, "expected a list of strings, got " + v.kindName());
      return null;
    }
    const out = new Array<string>();
    let ok = true;
    for (let i = 0; i < v.length; i++) {
      const e = v.at(i)!;
      const p = path + "[" + i.toString() + "]";
      const s = e.asString();
      if (s === null) {
        this.error(p, "expected a string, got " + e.kindName());
        ok = false;
      } else if (s.length == 0) {
        this.error(p, "empty value");
        ok = false;
      } else {
        out.push(s);
      }
    }
    return ok ? out : null;
  }

  bool(v: JsonValue | null, path: string, fallback: bool): bool {
    if (v === null) return fallback;
    if (!v.isBool()) {
      this.error(path, "expected true or false, got " + v.kindName());
      return fallback;
    }
    return v.boolOr(fallback);
  }

  // ---- top level ----

  parse(root: JsonValue): AuthzConfig {
    const cfg = new AuthzConfig();
    if (!root.isObject()) {
      this.error("(configuration)", "expected a JSON object, got " + root.kindName());
      return cfg;
    }
    this.onlyKeys(root, "", ["policies", "pathNormalization", "numTrustedProxies", "useRemoteAddress", "extensionProviders"]);

    const pn = root.get("pathNormalization");
    if (pn !== null) {
      const s = pn.asString();
      const mode = s === null ? -1 : parsePathNormalization(s);
      if (mode < 0) this.error("pathNormalization", "expected NONE, BASE, MERGE_SLASHES or DECODE_AND_MERGE_SLASHES");
      else cfg.pathNormalization = <PathNormalization>mode;
    }
    const nt = root.get("numTrustedProxies");
    if (nt !== null) {
      const n = nt.intOr(-1);
      if (n < 0 || n > 64) this.error("numTrustedProxies", "expected an integer 0-64");
      else cfg.numTrustedProxies = <i32>n;
    }
    cfg.useRemoteAddress = this.bool(root.get("useRemoteAddress"), "useRemoteAddress", false);

    const eps = root.get("extensionProviders");
    if (eps !== null) {
      if (!eps.isArray()) this.error("extensionProviders", "expected a list, got " + eps.kindName());
      else {
        for (let i = 0; i < eps.length; i++) {
          const p = this.provider(eps.at(i)!, "extensionProviders[" + i.toString() + "]");
          if (p === null) continue;
          for (let j = 0; j < cfg.providers.length; j++) {
            if (cfg.providers[j].name == p.name) this.error("extensionProviders[" + i.toString() + "].name", "duplicate provider '" + p.name + "'");
          }
          cfg.providers.push(p);
        }
      }
    }

    const policies = root.get("policies");
    if (policies === null) {
      this.error("policies", "required (a list, possibly empty)");
      return cfg;
    }
    if (!policies.isArray()) {
      this.error("policies", "expected a list, got " + policies.kindName());
      return cfg;
    }
    const seen = new Set<string>();
    for (let i = 0; i < policies.length; i++) {
      this.policy(policies.at(i)!, "policies[" + i.toString() + "]", cfg, seen);
    }
    cfg.needs = this.needs;
    cfg.authorizer.seal();
    return cfg;
  }

  // ---- extension providers ----

  provider(v: JsonValue, path: string): ExtAuthzProvider | null {
    if (this.object(v, path) === null) return null;
    this.onlyKeys(v, path, ["name", "envoyExtAuthzHttp", "envoyExtAuthzGrpc"]);
    const p = new ExtAuthzProvider();
    const name = v.getString("name");
    if (name === null || name.length == 0) this.error(join(path, "name"), "required");
    else p.name = name;
    if (v.has("envoyExtAuthzGrpc")) {
      this.error(join(path, "envoyExtAuthzGrpc"), "not supported: wasmesh authz calls HTTP authorizers only (use envoyExtAuthzHttp)");
      return null;
    }
    const hp = join(path, "envoyExtAuthzHttp");
    const h = this.object(v.get("envoyExtAuthzHttp"), hp);
    if (h === null) {
      if (!v.has("envoyExtAuthzHttp")) this.error(hp, "required");
      return null;
    }
    this.onlyKeys(h, hp, [
      "service", "port", "cluster", "timeout", "pathPrefix", "failOpen", "statusOnError",
      "includeRequestHeadersInCheck", "includeHeadersInCheck", "includeAdditionalHeadersInCheck",
      "includeRequestBodyInCheck", "headersToUpstreamOnAllow", "headersToDownstreamOnAllow", "headersToDownstreamOnDeny",
    ]);
    const service = h.getString("service");
    if (service === null || service.length == 0) this.error(join(hp, "service"), "required (the authorizer's host name)");
    else p.service = service;
    const port = h.get("port");
    if (port === null) this.error(join(hp, "port"), "required");
    else {
      const n = port.intOr(-1);
      if (n < 1 || n > 65535) this.error(join(hp, "port"), "expected an integer 1-65535");
      else p.port = <i32>n;
    }
    const cluster = h.get("cluster");
    if (cluster !== null) {
      const c = cluster.asString();
      if (c === null || c.length == 0) this.error(join(hp, "cluster"), "expected a non-empty string (an Envoy cluster name)");
      else p.cluster = c;
    } else {
      p.cluster = "outbound|" + p.port.toString() + "||" + p.service;
    }
    const timeout = h.get("timeout");
    if (timeout !== null) {
      const s = timeout.asString();
      const ms = s === null ? -1 : parseDurationMs(s);
      if (ms < 1 || ms > <i64>u32.MAX_VALUE) this.error(join(hp, "timeout"), "expected a duration of at least 1ms, e.g. \"0.5s\"");
      else p.timeoutMs = <u32>ms;
    }
    const prefix = h.get("pathPrefix");
    if (prefix !== null) {
      const s = prefix.asString();
      if (s === null || !s.startsWith("/")) this.error(join(hp, "pathPrefix"), "must start with '/'");
      else p.pathPrefix = s;
    }
    p.failOpen = this.bool(h.get("failOpen"), join(hp, "failOpen"), false);
    const soe = h.get("statusOnError");
    if (soe !== null) {
      let code: i64 = -1;
      const s = soe.asString();
      if (s !== null) code = parseDecimal(s);
      else code = soe.intOr(-1);
      if (code < 200 || code > 599) this.error(join(hp, "statusOnError"), "expected an HTTP status 200-599");
      else p.statusOnError = <i32>code;
    }
    if (h.has("includeRequestBodyInCheck")) {
      this.error(join(hp, "includeRequestBodyInCheck"), "not supported: the check request carries no body");
    }
    p.includeRequestHeadersInCheck = this.headerNames(h.get("includeRequestHeadersInCheck"), join(hp, "includeRequestHeadersInCheck"));
    const legacy = this.headerNames(h.get("includeHeadersInCheck"), join(hp, "includeHeadersInCheck"));
    for (let i = 0; i < legacy.length; i++) p.includeRequestHeadersInCheck.push(legacy[i]);
    const extra = h.get("includeAdditionalHeadersInCheck");
    if (extra !== null) {
      const ep = join(hp, "includeAdditionalHeadersInCheck");
      const o = extra.asObject();
      if (o === null) this.error(ep, "expected an object of header name to value");
      else {
        for (let i = 0; i < o.keys.length; i++) {
          const val = o.values[i].asString();
          const k = o.keys[i];
          if (k.length == 0) this.error(ep, "empty header name");
          else if (val === null) this.error(join(ep, k), "expected a string");
          else p.includeAdditionalHeadersInCheck.push(new Pair(k.toLowerCase(), val));
        }
      }
    }
    p.headersToUpstreamOnAllow = this.headerNames(h.get("headersToUpstreamOnAllow"), join(hp, "headersToUpstreamOnAllow"));
    p.headersToDownstreamOnAllow = this.headerNames(h.get("headersToDownstreamOnAllow"), join(hp, "headersToDownstreamOnAllow"));
    if (h.has("headersToDownstreamOnDeny")) {
      p.headersToDownstreamOnDeny = this.headerNames(h.get("headersToDownstreamOnDeny"), join(hp, "headersToDownstreamOnDeny"));
    }
    return p;
  }

  /** Header name patterns (Istio's string language, case-insensitive). */
  headerNames(v: JsonValue | null, path: string): Array<StringMatch> {
    const out = new Array<StringMatch>();
    const list = this.strings(v, path);
    if (list === null) return out;
    for (let i = 0; i < list.length; i++) out.push(StringMatch.istio(list[i], true, true));
    return out;
  }

  // ---- policies ----

  policy(v: JsonValue, path: string, cfg: AuthzConfig, seen: Set<string>): void {
    if (this.object(v, path) === null) return;
    this.onlyKeys(v, path, ["name", "namespace", "action", "rules", "provider", "dryRun"]);
    const name = v.getString("name");
    if (name === null || name.length == 0) {
      this.error(join(path, "name"), "required");
      return;
    }
    let namespace = "default";
    const nsv = v.get("namespace");
    if (nsv !== null) {
      const s = nsv.asString();
      if (s === null || s.length == 0) this.error(join(path, "namespace"), "expected a non-empty string");
      else namespace = s;
    }
    const key = namespace + "/" + name;
    if (seen.has(key)) this.error(join(path, "name"), "duplicate policy '" + name + "' in namespace '" + namespace + "'");
    seen.add(key);

    let action = Action.ALLOW;
    const av = v.get("action");
    if (av !== null) {
      const s = av.asString();
      if (s == "ALLOW") action = Action.ALLOW;
      else if (s == "DENY") action = Action.DENY;
      else if (s == "AUDIT") action = Action.AUDIT;
      else if (s == "CUSTOM") action = Action.CUSTOM;
      else {
        this.error(join(path, "action"), "expected ALLOW, DENY, AUDIT or CUSTOM");
        return;
      }
    }
    this.namespace = namespace;
    this.action = action;

    const dryRun = this.dryRun(v.get("dryRun"), join(path, "dryRun"));

    const pv = v.get("provider");
    if (pv !== null && action != Action.CUSTOM) {
      this.error(join(path, "provider"), "only a CUSTOM policy may name a provider");
    }
    if (action == Action.CUSTOM) {
      if (pv === null) this.error(join(path, "provider"), "required for a CUSTOM policy");
      else if (this.object(pv, join(path, "provider")) !== null) {
        this.onlyKeys(pv, join(path, "provider"), ["name"]);
        const pname = pv.getString("name");
        if (pname === null || pname.length == 0) this.error(join(path, "provider.name"), "required");
        else {
          let found: ExtAuthzProvider | null = null;
          for (let i = 0; i < cfg.providers.length; i++) if (cfg.providers[i].name == pname) found = cfg.providers[i];
          if (found === null) this.error(join(path, "provider.name"), "unknown provider '" + pname + "' (not in extensionProviders)");
          else if (cfg.customProvider !== null && cfg.customProvider!.name != pname) {
            this.error(join(path, "provider.name"), "only one CUSTOM provider per workload ('" + cfg.customProvider!.name + "' is already used)");
          } else cfg.customProvider = found;
        }
      }
    }

    const set = ruleSetFor(cfg.authorizer, action, dryRun);
    set.hasPolicy = true;
    cfg.policyCount++;

    const rules = v.get("rules");
    const rp = join(path, "rules");
    if (rules !== null && !rules.isArray()) {
      this.error(rp, "expected a list, got " + rules.kindName());
      return;
    }
    if (rules === null || rules.length == 0) {
      // ALLOW without rules is "allow nothing" (spec: {}); the others match nothing (§2.2).
      if (action == Action.DENY) this.error(rp, "a DENY policy needs rules (without them it matches nothing)");
      else if (action == Action.AUDIT) this.error(rp, "an AUDIT policy needs rules (without them it matches nothing)");
      else if (action == Action.CUSTOM) this.error(rp, "a CUSTOM policy needs rules (use [{}] to check every request)");
      return;
    }
    for (let i = 0; i < rules.length; i++) {
      const p = rp + "[" + i.toString() + "]";
      const rule = this.rule(rules.at(i)!, p);
      if (rule !== null) {
        set.add(new NamedRule(ruleId(namespace, name, i), rule));
        cfg.ruleCount++;
      }
    }
  }

  /** `istio.io/dry-run`: a boolean, or the annotation's text parsed as a Go bool. */
  dryRun(v: JsonValue | null, path: string): bool {
    if (v === null) return false;
    if (v.isBool()) return v.boolOr(false);
    const s = v.asString();
    if (s !== null) {
      if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
      if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
    }
    this.error(path, "expected a boolean (or \"true\"/\"false\" as in the istio.io/dry-run annotation)");
    return false;
  }

  rule(v: JsonValue, path: string): Rule | null {
    if (this.object(v, path) === null) return null;
    this.onlyKeys(v, path, ["from", "to", "when"]);
    const before = this.errors.length;
    let from: Array<Array<Field>> | null = null;
    let to: Array<Array<Field>> | null = null;
    const when = new Array<Field>();

    const fv = v.get("from");
    if (fv !== null) {
      const fp = join(path, "from");
      if (!fv.isArray()) this.error(fp, "expected a list, got " + fv.kindName());
      else if (fv.length == 0) this.error(fp, "empty list (leave `from` out to match any source)");
      else {
        from = new Array<Array<Field>>();
        for (let i = 0; i < fv.length; i++) {
          const ep = fp + "[" + i.toString() + "]";
          const e = fv.at(i)!;
          if (this.object(e, ep) === null) continue;
          this.onlyKeys(e, ep, ["source"]);
          const src = e.get("source");
          if (src === null) {
            this.error(join(ep, "source"), "required");
            continue;
          }
          const fields = this.source(src, join(ep, "source"));
          if (fields !== null) from.push(fields);
        }
      }
    }
    const tv = v.get("to");
    if (tv !== null) {
      const tp = join(path, "to");
      if (!tv.isArray()) this.error(tp, "expected a list, got " + tv.kindName());
      else if (tv.length == 0) this.error(tp, "empty list (leave `to` out to match any operation)");
      else {
        to = new Array<Array<Field>>();
        for (let i = 0; i < tv.length; i++) {
          const ep = tp + "[" + i.toString() + "]";
          const e = tv.at(i)!;
          if (this.object(e, ep) === null) continue;
          this.onlyKeys(e, ep, ["operation"]);
          const op = e.get("operation");
          if (op === null) {
            this.error(join(ep, "operation"), "required");
            continue;
          }
          const fields = this.operation(op, join(ep, "operation"));
          if (fields !== null) to.push(fields);
        }
      }
    }
    const wv = v.get("when");
    if (wv !== null) {
      const wp = join(path, "when");
      if (!wv.isArray()) this.error(wp, "expected a list, got " + wv.kindName());
      else if (wv.length == 0) this.error(wp, "empty list (leave `when` out for no conditions)");
      else for (let i = 0; i < wv.length; i++) this.condition(wv.at(i)!, wp + "[" + i.toString() + "]", when);
    }
    if (this.errors.length != before) return null;
    return new Rule(from, to, when);
  }

  // ---- source ----

  source(v: JsonValue, path: string): Array<Field> | null {
    if (this.object(v, path) === null) return null;
    this.onlyKeys(v, path, SOURCE_FIELDS);
    const before = this.errors.length;
    const fields = new Array<Field>();
    if (this.action == Action.CUSTOM) {
      for (let i = 0; i < CUSTOM_FORBIDDEN_SOURCE.length; i++) {
        const k = CUSTOM_FORBIDDEN_SOURCE[i];
        if (v.has(k)) this.error(join(path, k), "not allowed in a CUSTOM policy (the authorizer is called before identity is established)");
      }
    }
    const sa = v.get("serviceAccounts");
    const nsa = v.get("notServiceAccounts");
    if ((sa !== null || nsa !== null) && (hasItems(v, "principals") || hasItems(v, "notPrincipals") || hasItems(v, "namespaces") || hasItems(v, "notNamespaces"))) {
      this.error(join(path, sa !== null ? "serviceAccounts" : "notServiceAccounts"), "cannot be combined with principals or namespaces in the same source");
    }
    for (let i = 0; i < SOURCE_FIELDS.length; i++) {
      const k = SOURCE_FIELDS[i];
      const list = this.strings(v.get(k), join(path, k));
      if (list === null || list.length == 0) continue;
      const negate = k.startsWith("not");
      const base = negate ? lowerFirst(k.substring(3)) : k;
      const f = this.sourceField(base, negate, list, join(path, k));
      if (f !== null) fields.push(f);
    }
    if (fields.length == 0 && this.errors.length == before) {
      this.error(path, "empty source (set at least one field, or leave `from` out)");
      return null;
    }
    return fields;
  }

  sourceField(base: string, negate: bool, values: Array<string>, path: string): Field | null {
    if (base == "principals") return this.peerField(negate, values, path, "source.principal");
    if (base == "namespaces") return this.peerField(negate, values, path, "source.namespace");
    if (base == "serviceAccounts") return this.peerField(negate, values, path, "source.serviceAccount");
    if (base == "trustDomains") return this.peerField(negate, values, path, "source.trustDomain");
    if (base == "requestPrincipals") return this.requestPrincipalField(negate, values);
    if (base == "ipBlocks") return this.ipField(negate, IpAttr.SOURCE, values, path);
    return this.ipField(negate, IpAttr.REMOTE, values, path); // remoteIpBlocks
  }

  peerField(negate: bool, values: Array<string>, path: string, attribute: string): Field | null {
    this.needs |= Need.PEER;
    const patterns = new Array<ValuePattern>();
    if (attribute == "source.serviceAccount" && values.length > 16) {
      this.error(path, "at most 16 service accounts");
      return null;
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const p = path + "[" + i.toString() + "]";
      if (attribute == "source.principal") {
        patterns.push(new PeerPrincipalPattern(StringMatch.istio(v), v == "*"));
      } else if (attribute == "source.namespace") {
        patterns.push(new NamespacePattern(v));
      } else if (attribute == "source.serviceAccount") {
        if (v.indexOf("*") >= 0) {
          this.error(p, "wildcards are not allowed in service accounts");
          continue;
        }
        const parts = v.split("/");
        if (parts.length > 2 || parts[0].length == 0 || parts[parts.length - 1].length == 0) {
          this.error(p, "expected '<namespace>/<service account>' or '<service account>'");
          continue;
        }
        if (parts.length == 2) patterns.push(new ServiceAccountPattern(parts[0], parts[1]));
        else patterns.push(new ServiceAccountPattern(this.namespace, parts[0]));
      } else {
        // source.trustDomain
        if (v.indexOf("/") >= 0) {
          this.error(p, "a trust domain cannot contain '/'");
          continue;
        }
        if (v == "*") {
          patterns.push(new TrustDomainPattern(StringMatch.present(), true));
          continue;
        }
        const stars = countChar(v, 42);
        const edge = v.startsWith("*") || v.endsWith("*");
        if (stars > 1 || (stars == 1 && !edge)) {
          this.error(p, "at most one '*', at the start or the end");
          continue;
        }
        // `*x`/`x*` use `[^/]*`, which may be empty: suffix/prefix of the trust domain.
        patterns.push(new TrustDomainPattern(StringMatch.istio(v), false));
      }
    }
    return new TextField(negate, TextAttr.PEER, patterns);
  }

  requestPrincipalField(negate: bool, values: Array<string>): Field {
    this.needs |= Need.JWT;
    const patterns = new Array<RequestPrincipalPattern>();
    for (let i = 0; i < values.length; i++) patterns.push(requestPrincipalPattern(values[i]));
    return new RequestPrincipalField(negate, patterns);
  }

  ipField(negate: bool, attr: IpAttr, values: Array<string>, path: string): Field | null {
    this.needs |= attr == IpAttr.SOURCE ? Need.SOURCE_IP : attr == IpAttr.REMOTE ? Need.REMOTE_IP | Need.HEADERS | Need.SOURCE_IP : Need.DESTINATION_IP;
    const ranges = new Array<Cidr>();
    let ok = true;
    for (let i = 0; i < values.length; i++) {
      const c = Cidr.parse(values[i]);
      if (c === null) {
        this.error(path + "[" + i.toString() + "]", "not a CIDR ('" + values[i] + "' is not an IPv4/IPv6 address or address/prefix-length)");
        ok = false;
      } else ranges.push(c);
    }
    return ok ? new IpField(negate, attr, ranges) : null;
  }

  // ---- operation ----

  operation(v: JsonValue, path: string): Array<Field> | null {
    if (this.object(v, path) === null) return null;
    this.onlyKeys(v, path, OPERATION_FIELDS);
    const before = this.errors.length;
    const fields = new Array<Field>();
    for (let i = 0; i < OPERATION_FIELDS.length; i++) {
      const k = OPERATION_FIELDS[i];
      const list = this.strings(v.get(k), join(path, k));
      if (list === null || list.length == 0) continue;
      const negate = k.startsWith("not");
      const base = negate ? lowerFirst(k.substring(3)) : k;
      const fp = join(path, k);
      if (base == "hosts") {
        // Case-insensitive (GHSA-7774-7vr3-cc8j), `*` = header present, port not stripped.
        fields.push(new TextField(negate, TextAttr.HOST, stringPatterns(list, true, true)));
      } else if (base == "methods") {
        fields.push(new TextField(negate, TextAttr.METHOD, stringPatterns(list, false, true)));
      } else if (base == "paths") {
        const f = this.pathField(negate, list, fp);
        if (f !== null) fields.push(f);
      } else {
        const f = this.portField(negate, list, fp);
        if (f !== null) fields.push(f);
      }
    }
    if (fields.length == 0 && this.errors.length == before) {
      this.error(path, "empty operation (set at least one field, or leave `to` out)");
      return null;
    }
    return fields;
  }

  pathField(negate: bool, values: Array<string>, path: string): Field | null {
    const patterns = new Array<ValuePattern>();
    let ok = true;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (UriTemplate.isTemplate(v)) {
        const why = UriTemplate.validate(v);
        if (why !== null) {
          this.error(path + "[" + i.toString() + "]", "invalid path template: " + why);
          ok = false;
          continue;
        }
        patterns.push(new TemplatePattern(UriTemplate.compile(v)!));
      } else {
        patterns.push(new StringPattern(StringMatch.istio(v)));
      }
    }
    return ok ? new TextField(negate, TextAttr.PATH, patterns) : null;
  }

  portField(negate: bool, values: Array<string>, path: string): Field | null {
    this.needs |= Need.DESTINATION_PORT;
    const ports = new Array<i32>();
    let ok = true;
    for (let i = 0; i < values.length; i++) {
      const n = parseDecimal(values[i]);
      if (n < 0 || n > 65535) {
        this.error(path + "[" + i.toString() + "]", "not a port ('" + values[i] + "': expected an integer 0-65535)");
        ok = false;
      } else ports.push(<i32>n);
    }
    return ok ? new PortField(negate, ports) : null;
  }

  // ---- when ----

  condition(v: JsonValue, path: string, out: Array<Field>): void {
    if (this.object(v, path) === null) return;
    this.onlyKeys(v, path, ["key", "values", "notValues"]);
    const key = v.getString("key");
    if (key === null || key.length == 0) {
      this.error(join(path, "key"), "required");
      return;
    }
    const values = this.strings(v.get("values"), join(path, "values"));
    const notValues = this.strings(v.get("notValues"), join(path, "notValues"));
    const hasValues = values !== null && values.length > 0;
    const hasNot = notValues !== null && notValues.length > 0;
    if (!hasValues && !hasNot) {
      const invalid = (v.has("values") && values === null) || (v.has("notValues") && notValues === null);
      if (!invalid) this.error(path, "needs values or notValues");
      return;
    }
    const kp = join(path, "key");
    if (this.action == Action.CUSTOM && (key.startsWith("request.auth.") || key == "source.namespace" || key == "source.principal" || key == "source.serviceAccount" || key == "source.trustDomain")) {
      this.error(kp, "'" + key + "' is not allowed in a CUSTOM policy (the authorizer is called before identity is established)");
      return;
    }
    if (hasValues) {
      const f = this.conditionField(key, false, values!, kp, join(path, "values"));
      if (f !== null) out.push(f);
    }
    if (hasNot) {
      const f = this.conditionField(key, true, notValues!, kp, join(path, "notValues"));
      if (f !== null) out.push(f);
    }
  }

  conditionField(key: string, negate: bool, values: Array<string>, keyPath: string, path: string): Field | null {
    if (key.startsWith("request.headers")) {
      const seg = bracketSegments(key, "request.headers".length);
      if (seg === null || seg.length != 1) {
        this.error(keyPath, "expected request.headers[<name>] with a non-empty name");
        return null;
      }
      this.needs |= Need.HEADERS;
      // `*` = header present, even with an empty value (Envoy's present_match).
      return new TextField(negate, TextAttr.HEADER, stringPatterns(values, false, true), seg[0].toLowerCase());
    }
    if (key.startsWith("request.auth.claims")) {
      const segs = bracketSegments(key, "request.auth.claims".length);
      if (segs === null || segs.length == 0) {
        this.error(keyPath, "expected request.auth.claims[<name>] or request.auth.claims[<name>][<nested>]… with non-empty names");
        return null;
      }
      this.needs |= Need.JWT;
      return new TextField(negate, TextAttr.CLAIM, stringPatterns(values, false, false), "", segs);
    }
    if (key == "request.auth.principal") return this.requestPrincipalField(negate, values);
    if (key == "request.auth.audiences") {
      this.needs |= Need.JWT;
      return new TextField(negate, TextAttr.AUDIENCES, stringPatterns(values, false, false));
    }
    if (key == "request.auth.presenter") {
      this.needs |= Need.JWT;
      return new TextField(negate, TextAttr.PRESENTER, stringPatterns(values, false, false));
    }
    if (key == "source.ip") return this.ipField(negate, IpAttr.SOURCE, values, path);
    if (key == "remote.ip") return this.ipField(negate, IpAttr.REMOTE, values, path);
    if (key == "destination.ip") return this.ipField(negate, IpAttr.DESTINATION, values, path);
    if (key == "destination.port") return this.portField(negate, values, path);
    if (key == "source.principal" || key == "source.namespace" || key == "source.serviceAccount" || key == "source.trustDomain") {
      return this.peerField(negate, values, path, key);
    }
    if (key == "connection.sni") {
      this.needs |= Need.SNI;
      return new TextField(negate, TextAttr.SNI, stringPatterns(values, false, false));
    }
    if (key == "destination.namespace" || key == "destination.name" || key == "destination.user" || key.startsWith("destination.labels")) {
      this.error(keyPath, "'" + key + "' is no longer supported by Istio (select workloads with the policy's selector instead)");
      return null;
    }
    if (key.startsWith("experimental.envoy.filters.")) {
      this.error(keyPath, "'" + key + "' (dynamic metadata) is not supported by wasmesh authz");
      return null;
    }
    this.error(keyPath, "unknown attribute '" + key + "'");
    return null;
  }
}

// ---- helpers -------------------------------------------------------------------------------

function ruleSetFor(a: Authorizer, action: Action, dryRun: bool): RuleSet {
  switch (action) {
    case Action.DENY: return dryRun ? a.denyShadow : a.deny;
    case Action.AUDIT: return a.audit; // AUDIT never enforces anything; dry-run changes nothing
    case Action.CUSTOM: return dryRun ? a.customShadow : a.custom;
    default: return dryRun ? a.allowShadow : a.allow;
  }
}

function stringPatterns(values: Array<string>, ignoreCase: bool, presenceMatchesEmpty: bool): Array<ValuePattern> {
  const out = new Array<ValuePattern>();
  for (let i = 0; i < values.length; i++) out.push(new StringPattern(StringMatch.istio(values[i], ignoreCase, presenceMatchesEmpty)));
  return out;
}

/**
 * `requestPrincipals` value → (iss match, sub match), split at the last `/` (§2.5): `*` = both
 * present; a leading `*` with `/` = iss suffix (any for `*`) and sub exact; a leading `*`
 * without `/` = any iss and sub suffix; a trailing `*` with `/` = iss exact and sub prefix (any
 * for `*`); a trailing `*` without `/` = iss prefix and any sub; else both exact (no `/`:
 * sub must be present and empty).
 */
export function requestPrincipalPattern(v: string): RequestPrincipalPattern {
  if (v == "*") return new RequestPrincipalPattern(null, null);
  const slash = v.lastIndexOf("/");
  if (v.startsWith("*")) {
    if (slash >= 0) {
      const issPart = v.substring(0, slash);
      const subPart = v.substring(slash + 1);
      const iss: StringMatch | null = issPart == "*" ? null : StringMatch.suffix(issPart.substring(1));
      return new RequestPrincipalPattern(iss, StringMatch.exact(subPart));
    }
    return new RequestPrincipalPattern(null, StringMatch.suffix(v.substring(1)));
  }
  if (v.endsWith("*")) {
    if (slash >= 0) {
      const issPart = v.substring(0, slash);
      const subPart = v.substring(slash + 1);
      const sub: StringMatch | null = subPart == "*" ? null : StringMatch.prefix(subPart.substring(0, subPart.length - 1));
      return new RequestPrincipalPattern(StringMatch.exact(issPart), sub);
    }
    return new RequestPrincipalPattern(StringMatch.prefix(v.substring(0, v.length - 1)), null);
  }
  if (slash < 0) return new RequestPrincipalPattern(StringMatch.exact(v), StringMatch.exact(""));
  return new RequestPrincipalPattern(StringMatch.exact(v.substring(0, slash)), StringMatch.exact(v.substring(slash + 1)));
}

/** `[a][b.c]` starting at `start` → ["a", "b.c"]; null when malformed or a segment is empty. */
function bracketSegments(key: string, start: i32): Array<string> | null {
  const out = new Array<string>();
  let i = start;
  const n = key.length;
  if (i == n) return null;
  while (i < n) {
    if (key.charCodeAt(i) != 91) return null; // '['
    const close = key.indexOf("]", i + 1);
    if (close < 0) return null;
    const seg = key.substring(i + 1, close);
    if (seg.length == 0 || seg.indexOf("[") >= 0) return null;
    out.push(seg);
    i = close + 1;
  }
  return out;
}

function hasItems(v: JsonValue, key: string): bool {
  const x = v.get(key);
  return x !== null && x.length > 0;
}

function lowerFirst(s: string): string {
  return s.substring(0, 1).toLowerCase() + s.substring(1);
}

function countChar(s: string, c: i32): i32 {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) == c) n++;
  return n;
}

function join(path: string, key: string): string {
  return path.length == 0 ? key : path + "." + key;
}

/** A "did you mean" for a misspelt field (`notPath` → `notPaths`). */
function hint(k: string, allowed: Array<string>): string {
  for (let i = 0; i < allowed.length; i++) {
    const a = allowed[i];
    if (a.toLowerCase() == k.toLowerCase() || a == k + "s" || a + "s" == k) return " (did you mean '" + a + "'?)";
  }
  return "";
}

/** Plain decimal digits (1-9 digits) → value, else -1. */
function parseDecimal(s: string): i64 {
  const n = s.length;
  if (n == 0 || n > 9) return -1;
  let v: i64 = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + <i64>(c - 48);
  }
  return v;
}

/** A Go duration (`1.5s`, `500ms`, `1m30s`, `2h`) in whole milliseconds (rounded up); -1 when malformed. */
export function parseDurationMs(s: string): i64 {
  const n = s.length;
  if (n == 0) return -1;
  let total: f64 = 0;
  let i = 0;
  while (i < n) {
    const start = i;
    let seenDot = false;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c >= 48 && c <= 57) i++;
      else if (c == 46 && !seenDot) {
        seenDot = true;
        i++;
      } else break;
    }
    if (i == start || (i == start + 1 && seenDot)) return -1;
    const num = parseFloat(s.substring(start, i));
    const ustart = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if ((c >= 48 && c <= 57) || c == 46) break;
      i++;
    }
    const unit = s.substring(ustart, i);
    let scale: f64 = 0;
    if (unit == "ns") scale = 1e-6;
    else if (unit == "us" || unit == "µs") scale = 1e-3;
    else if (unit == "ms") scale = 1;
    else if (unit == "s") scale = 1000;
    else if (unit == "m") scale = 60000;
    else if (unit == "h") scale = 3600000;
    else return -1;
    total += num * scale;
  }
  if (total > 1e15) return -1;
  return <i64>Math.ceil(total);
}

/** Parses and validates the plugin configuration text. */
export function parseConfig(text: string): ConfigResult {
  if (text.length == 0) {
    const errors = new Array<string>();
    errors.push("(configuration): required: a JSON object with \"policies\"");
    return new ConfigResult(null, errors);
  }
  const parsed = parseJsonString(text);
  if (!parsed.ok) {
    const errors = new Array<string>();
    errors.push("(configuration): not JSON: " + parsed.error!.toString());
    return new ConfigResult(null, errors);
  }
  const p = new Parser();
  const cfg = p.parse(parsed.value!);
  return p.errors.length > 0 ? new ConfigResult(null, p.errors) : new ConfigResult(cfg, p.errors);
}

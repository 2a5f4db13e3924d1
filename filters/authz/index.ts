// authz: Istio AuthorizationPolicy as a proxy-wasm filter (policy-semantics.md §2).
//
// This file is the entry and the adapter: it reads the configuration (config.ts), gathers the
// request attributes the policies need from the host, normalizes the path (path.ts), runs the
// CUSTOM callout with Istio's envoyExtAuthzHttp semantics, asks the pure policy code
// (policy.ts) for the decision and applies it: 403 `RBAC: access denied`, filter state for the
// access log, logs and metrics. See README.md for the behaviour table.
import {
  BufferType, Counter, FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, HttpContext, LogLevel, Pair,
  RootContext, AUTHZ_DECISION, AUTHZ_POLICY, JWT_AUDIENCES, JWT_CLAIMS, JWT_PRESENTER, JWT_PRINCIPAL,
  connectionDnsSanPeerCertificate, connectionMtls, connectionRequestedServerName, connectionSubjectPeerCertificate,
  connectionUriSanPeerCertificate, continueRequest, destinationAddress, destinationPort, getBufferBytes,
  getBufferString, getFilterState, httpCall, httpCallResponseHeaders, lastResult, logEnabled, logError, logInfo,
  log, registerRootContext, requestHeaders, responseHeaders, sendLocalResponse, setFilterState, sourceAddress,
  WasmResult,
} from "../../sdk";
export * from "../../sdk/abi/exports";
import { ipOfSocketAddress } from "../../sdk/match/ip";
import { StringMatch } from "../../sdk/match/string";
import { AuthzConfig, ExtAuthzProvider, Need, parseConfig } from "./config";
import { readJwtIdentity } from "./identity";
import { NormalizedPath, normalizePath } from "./path";
import { actionName, NamedRule, PolicyDecision, RequestAttributes, ShadowResult } from "./policy";
import { selectRemoteIp } from "./remote-address";

// Filter state this filter writes besides the shared contract (AUTHZ_DECISION, AUTHZ_POLICY),
// mirroring the dynamic metadata Envoy's RBAC filter records (§2.10).
/** `true`/`false`: whether an AUDIT rule matched (Envoy's `access_log_hint`). */
export const AUTHZ_AUDIT = "wasmesh.authz.audit";
/** The AUDIT rule that matched. */
export const AUTHZ_AUDIT_POLICY = "wasmesh.authz.audit_policy";
/** `allowed`/`denied`: what the dry-run DENY policies would have done. */
export const AUTHZ_DRY_RUN_DENY_RESULT = "wasmesh.authz.dry_run_deny_result";
export const AUTHZ_DRY_RUN_DENY_POLICY = "wasmesh.authz.dry_run_deny_policy";
/** `allowed`/`denied`: what the dry-run ALLOW policies would have done. */
export const AUTHZ_DRY_RUN_ALLOW_RESULT = "wasmesh.authz.dry_run_allow_result";
export const AUTHZ_DRY_RUN_ALLOW_POLICY = "wasmesh.authz.dry_run_allow_policy";
/** The dry-run CUSTOM rule that would have called the authorizer. */
export const AUTHZ_DRY_RUN_CUSTOM_POLICY = "wasmesh.authz.dry_run_custom_policy";

const DENIED_BODY = "RBAC: access denied";

// Defined lazily on first use (proxy_define_metric is not allowed in _initialize).
const allowedTotal = new Counter("wasmesh_authz_allowed_total");
const deniedTotal = new Counter("wasmesh_authz_denied_total");
const shadowAllowedTotal = new Counter("wasmesh_authz_shadow_allowed_total");
const shadowDeniedTotal = new Counter("wasmesh_authz_shadow_denied_total");
const auditedTotal = new Counter("wasmesh_authz_audited_total");
const extAuthzErrorTotal = new Counter("wasmesh_authz_ext_authz_error_total");

class AuthzRoot extends RootContext {
  config: AuthzConfig | null = null;

  onConfigure(pluginConfigurationSize: u32): bool {
    const text = getBufferString(BufferType.PluginConfiguration);
    const result = parseConfig(text === null ? "" : text);
    const cfg = result.config;
    if (cfg === null) {
      for (let i = 0; i < result.errors.length; i++) logError("authz: configuration rejected: " + result.errors[i]);
      return false;
    }
    this.config = cfg;
    logInfo(
      "authz: loaded " + cfg.policyCount.toString() + " policies (" + cfg.ruleCount.toString() + " rules)" +
      (cfg.customProvider !== null ? ", CUSTOM provider '" + cfg.customProvider!.name + "' on cluster " + cfg.customProvider!.cluster : ""),
    );
    return true;
  }

  newHttpContext(contextId: u32): HttpContext | null {
    return new AuthzStream(contextId, this);
  }
}

class AuthzStream extends HttpContext {
  /** Token of the pending CUSTOM callout (0: none). */
  calloutToken: u32 = 0;
  /** The request is paused waiting for the external authorizer. */
  waiting: bool = false;
  attrs: RequestAttributes | null = null;
  customRule: string = "";
  /** Authorizer headers to add to the response on allow (headersToDownstreamOnAllow). */
  downstreamOnAllow: Array<Pair> = [];

  get cfg(): AuthzConfig {
    return changetype<AuthzRoot>(this.root).config!;
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const cfg = this.cfg;
    const rawPath = requestHeaders.get(":path");
    // No :path (CONNECT): nothing to normalize; path fields then match against "".
    const norm = rawPath === null ? new NormalizedPath("", "", null) : normalizePath(rawPath, cfg.pathNormalization);
    if (norm.error !== null) {
      // Envoy's connection manager rejects these before any filter (§2.8).
      logInfo("authz: deny: bad path: " + norm.error!);
      this.record("deny", "");
      deniedTotal.increment();
      sendLocalResponse(400, "path_normalization_failed", "Bad Request", null);
      return FilterHeadersStatus.StopIteration;
    }
    // Forward what was authorized: the backend must not see a path we did not match on.
    if (rawPath !== null && norm.forwarded != rawPath) requestHeaders.replace(":path", norm.forwarded);

    const attrs = this.gather(cfg, norm.path);
    if (attrs === null) return FilterHeadersStatus.StopIteration; // already denied
    this.attrs = attrs;

    const authorizer = cfg.authorizer;
    if (authorizer.customShadow.hasPolicy) {
      const shadow = authorizer.customShadowRule(attrs);
      if (shadow !== null) {
        setFilterState(AUTHZ_DRY_RUN_CUSTOM_POLICY, shadow.id);
        logInfo("authz: dry-run CUSTOM " + shadow.id + " would call the authorizer for " + attrs.method + " " + attrs.path);
      }
    }
    if (authorizer.custom.hasPolicy) {
      const rule = authorizer.customRule(attrs);
      if (rule !== null) return this.callAuthorizer(cfg.customProvider!, rule, attrs);
    }
    return this.enforce(attrs) ? FilterHeadersStatus.Continue : FilterHeadersStatus.StopIteration;
  }

  onRequestBody(bodySize: u32, endOfStream: bool): FilterDataStatus {
    return this.waiting ? FilterDataStatus.StopIterationAndBuffer : FilterDataStatus.Continue;
  }

  onRequestTrailers(numTrailers: u32): FilterTrailersStatus {
    return this.waiting ? FilterTrailersStatus.StopIteration : FilterTrailersStatus.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const extra = this.downstreamOnAllow;
    for (let i = 0; i < extra.length; i++) responseHeaders.add(extra[i].key, extra[i].value);
    return FilterHeadersStatus.Continue;
  }

  // ---- attributes ----

  /** Reads what the policies need; null after denying (malformed identity in filter state). */
  gather(cfg: AuthzConfig, path: string): RequestAttributes | null {
    const a = new RequestAttributes();
    const needs = cfg.needs;
    const method = requestHeaders.get(":method");
    a.method = method === null ? "" : method;
    const host = requestHeaders.get(":authority");
    a.hasHost = host !== null;
    a.host = host === null ? "" : host;
    a.path = path;
    if (needs & Need.HEADERS) a.headers = requestHeaders.getAll();
    if (needs & Need.SOURCE_IP) {
      const src = sourceAddress();
      a.sourceIp = src === null ? null : ipOfSocketAddress(src);
    }
    if (needs & Need.REMOTE_IP) {
      const xff = new Array<string>();
      for (let i = 0; i < a.headers.length; i++) if (a.headers[i].key == "x-forwarded-for") xff.push(a.headers[i].value);
      a.remoteIp = selectRemoteIp(xff, a.sourceIp, cfg.useRemoteAddress, cfg.numTrustedProxies);
    }
    if (needs & Need.DESTINATION_IP) {
      const dst = destinationAddress();
      a.destinationIp = dst === null ? null : ipOfSocketAddress(dst);
    }
    if (needs & Need.DESTINATION_PORT) {
      const port = destinationPort();
      a.destinationPort = lastResult() == WasmResult.Ok && port >= 0 && port <= 65535 ? <i32>port : -1;
    }
    if (needs & Need.PEER) {
      a.mtls = connectionMtls();
      if (a.mtls) {
        const uri = connectionUriSanPeerCertificate();
        if (uri !== null && uri.length > 0) a.peerIds.push(uri);
        const dns = connectionDnsSanPeerCertificate();
        if (dns !== null && dns.length > 0) a.peerIds.push(dns);
        const subject = connectionSubjectPeerCertificate();
        if (subject !== null && subject.length > 0) a.peerIds.push(subject);
      }
    }
    if (needs & Need.SNI) {
      const sni = connectionRequestedServerName();
      a.sni = sni === null ? "" : sni;
    }
    if (needs & Need.JWT) {
      const id = readJwtIdentity(getFilterState(JWT_PRINCIPAL), getFilterState(JWT_CLAIMS), getFilterState(JWT_AUDIENCES), getFilterState(JWT_PRESENTER));
      if (id.error !== null) {
        // Fail closed: a broken identity must not read as "no token" (a DENY could be dodged).
        logError("authz: deny: malformed identity in filter state: " + id.error!);
        this.deny("", "rbac_access_denied_matched_policy[none]");
        return null;
      }
      a.jwt = id.identity;
    }
    return a;
  }

  // ---- DENY / ALLOW ----

  /** Decides with the RBAC policies and applies it; true when the request may continue. */
  enforce(attrs: RequestAttributes): bool {
    const d = this.cfg.authorizer.decide(attrs);
    this.recordAuditAndShadow(d, attrs);
    if (!d.allowed) {
      logInfo("authz: deny " + attrs.method + " " + attrs.path + " by " + actionName(d.action) + " " + d.policy);
      this.deny(d.policy, d.details);
      return false;
    }
    this.record("allow", d.policy);
    allowedTotal.increment();
    if (logEnabled(LogLevel.Debug)) {
      log(LogLevel.Debug, "authz: allow " + attrs.method + " " + attrs.path + (d.policy.length > 0 ? " by ALLOW " + d.policy : " (no ALLOW policy applies)"));
    }
    return true;
  }

  recordAuditAndShadow(d: PolicyDecision, attrs: RequestAttributes): void {
    if (d.auditEvaluated) {
      setFilterState(AUTHZ_AUDIT, d.audit.length > 0 ? "true" : "false");
      if (d.audit.length > 0) {
        setFilterState(AUTHZ_AUDIT_POLICY, d.audit);
        auditedTotal.increment();
        logInfo("authz: audit " + attrs.method + " " + attrs.path + " matched " + d.audit);
      }
    }
    if (d.shadowDeny != ShadowResult.NOT_EVALUATED) {
      const denied = d.shadowDeny == ShadowResult.DENIED;
      setFilterState(AUTHZ_DRY_RUN_DENY_RESULT, denied ? "denied" : "allowed");
      if (denied) {
        setFilterState(AUTHZ_DRY_RUN_DENY_POLICY, d.shadowDenyPolicy);
        shadowDeniedTotal.increment();
        logInfo("authz: dry-run DENY " + d.shadowDenyPolicy + " would deny " + attrs.method + " " + attrs.path);
      } else shadowAllowedTotal.increment();
    }
    if (d.shadowAllow != ShadowResult.NOT_EVALUATED) {
      const allowed = d.shadowAllow == ShadowResult.ALLOWED;
      setFilterState(AUTHZ_DRY_RUN_ALLOW_RESULT, allowed ? "allowed" : "denied");
      if (allowed) {
        setFilterState(AUTHZ_DRY_RUN_ALLOW_POLICY, d.shadowAllowPolicy);
        shadowAllowedTotal.increment();
      } else {
        shadowDeniedTotal.increment();
        logInfo("authz: dry-run ALLOW policies would deny " + attrs.method + " " + attrs.path);
      }
    }
  }

  record(decision: string, policy: string): void {
    setFilterState(AUTHZ_DECISION, decision);
    if (policy.length > 0) setFilterState(AUTHZ_POLICY, policy);
  }

  deny(policy: string, details: string): void {
    this.record("deny", policy);
    deniedTotal.increment();
    sendLocalResponse(403, details, DENIED_BODY, null);
  }

  // ---- CUSTOM: the external authorizer (envoyExtAuthzHttp) ----

  callAuthorizer(p: ExtAuthzProvider, rule: NamedRule, attrs: RequestAttributes): FilterHeadersStatus {
    this.customRule = rule.id;
    const headers = new Array<Pair>();
    const path = requestHeaders.get(":path");
    headers.push(new Pair(":method", attrs.method));
    headers.push(new Pair(":path", p.pathPrefix + (path === null ? "" : path)));
    headers.push(new Pair(":authority", attrs.hasHost ? attrs.host : p.service));
    headers.push(new Pair("content-length", "0"));
    // Envoy always sends Authorization besides the configured headers; the rest on request.
    const all = requestHeaders.getAll();
    for (let i = 0; i < all.length; i++) {
      const h = all[i];
      if (h.key.startsWith(":") || h.key == "content-length") continue;
      if (h.key == "authorization" || matchesAnyName(p.includeRequestHeadersInCheck, h.key)) headers.push(h);
    }
    for (let i = 0; i < p.includeAdditionalHeadersInCheck.length; i++) {
      const extra = p.includeAdditionalHeadersInCheck[i];
      removeNamed(headers, extra.key);
      headers.push(extra);
    }
    const token = httpCall(p.cluster, headers, null, null, p.timeoutMs);
    if (token == 0) {
      logError("authz: CUSTOM " + rule.id + ": cannot call cluster " + p.cluster + " (" + lastResult().toString() + ")");
      return this.authorizerFailed(p) ? FilterHeadersStatus.Continue : FilterHeadersStatus.StopIteration;
    }
    this.calloutToken = token;
    this.waiting = true;
    return FilterHeadersStatus.StopIteration;
  }

  onHttpCallResponse(token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
    if (token != this.calloutToken || !this.waiting) return;
    this.waiting = false;
    this.calloutToken = 0;
    const p = this.cfg.customProvider!;
    let status: i32 = -1;
    if (numHeaders > 0) {
      const statusText = httpCallResponseHeaders.get(":status");
      if (statusText !== null) status = parseStatus(statusText);
    }
    if (status < 0 || (status >= 500 && status <= 599)) {
      // No answer (reset, refused), a timeout (Envoy's 504) or a 5xx: an error, not a verdict.
      logError("authz: CUSTOM " + this.customRule + ": authorizer " + (status < 0 ? "failed without a response" : "answered " + status.toString()));
      if (this.authorizerFailed(p)) continueRequest();
      return;
    }
    const answer = httpCallResponseHeaders.getAll();
    if (status >= 200 && status <= 299) {
      for (let i = 0; i < answer.length; i++) {
        const h = answer[i];
        if (h.key.startsWith(":")) continue;
        if (matchesAnyName(p.headersToUpstreamOnAllow, h.key)) requestHeaders.replace(h.key, h.value);
        if (matchesAnyName(p.headersToDownstreamOnAllow, h.key)) this.downstreamOnAllow.push(h);
      }
      let attrs = this.attrs!;
      if (p.headersToUpstreamOnAllow.length > 0 && (this.cfg.needs & Need.HEADERS)) attrs.headers = requestHeaders.getAll();
      if (this.enforce(attrs)) continueRequest();
      return;
    }
    // Denied: the authorizer's status, body and (selected) headers go to the client.
    const body = getBufferBytes(BufferType.HttpCallResponseBody);
    const reply = new Array<Pair>();
    const onDeny = p.headersToDownstreamOnDeny;
    for (let i = 0; i < answer.length; i++) {
      const h = answer[i];
      const keep = onDeny === null ? !isFramingHeader(h.key) : !h.key.startsWith(":") && matchesAnyName(onDeny, h.key);
      if (keep) reply.push(h);
    }
    logInfo("authz: deny " + this.attrs!.method + " " + this.attrs!.path + " by CUSTOM " + this.customRule + " (authorizer answered " + status.toString() + ")");
    this.record("deny", this.customRule);
    deniedTotal.increment();
    sendLocalResponse(<u32>status, "ext_authz_denied", body === null ? "" : String.UTF8.decode(body), reply);
  }

  /**
   * The authorizer could not be asked or did not answer: fail closed with statusOnError
   * (default 403), or let the request on to DENY/ALLOW when the provider is failOpen.
   * Returns true when the request may continue.
   */
  authorizerFailed(p: ExtAuthzProvider): bool {
    extAuthzErrorTotal.increment();
    if (p.failOpen) return this.enforce(this.attrs!);
    this.record("deny", this.customRule);
    deniedTotal.increment();
    sendLocalResponse(<u32>p.statusOnError, "ext_authz_error", "", null);
    return false;
  }
}

function matchesAnyName(names: Array<StringMatch>, key: string): bool {
  for (let i = 0; i < names.length; i++) if (names[i].matches(key)) return true;
  return false;
}

function removeNamed(headers: Array<Pair>, key: string): void {
  for (let i = headers.length - 1; i >= 0; i--) if (headers[i].key == key) headers.splice(i, 1);
}

/** Headers of the authorizer's answer never copied to the client (Envoy's default on deny). */
function isFramingHeader(key: string): bool {
  return key.startsWith(":") || key == "content-length" || key == "transfer-encoding" || key == "host" || key == "connection";
}

function parseStatus(s: string): i32 {
  if (s.length != 3) return -1;
  let v = 0;
  for (let i = 0; i < 3; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  // Only 200–599 is an answer; a 1xx is never final and anything above 599 is not HTTP.
  return v >= 200 && v <= 599 ? v : -1;
}

registerRootContext((id: u32, rootId: string): RootContext => new AuthzRoot(id, rootId));

// jwt-authn: Istio RequestAuthentication as a proxy-wasm filter (policy-semantics.md §1).
//
// Reading order: this file (entry + the adapter that talks to the host) → config.ts → the
// pure code: extract.ts (where tokens are), jwt.ts (parsing), policy.ts (the decision),
// verify.ts + jwks.ts (keys and signatures), outputs.ts (what a verified token produces),
// jwks-cache.ts (remote JWKS state), token-cache.ts, der.ts (Envoy's verify_signature).
import {
  BufferType, Counter, FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, HttpContext, JWT_AUDIENCES, JWT_CLAIMS, JWT_PRESENTER, JWT_PRINCIPAL,
  Pair, RootContext, WasmResult, callForeignFunction, continueRequest, currentTimeMillis, getBufferBytes,
  getSharedData, getStreamContext, httpCall, httpCallResponseHeaders, lastResult, logDebug, logInfo, logWarn,
  randomU64, registerRootContext, requestHeaders, sendLocalResponse, setEffectiveContext, setFilterState,
  setSharedData, setTickPeriod, getStatus, currentContextId, clearRouteCache,
} from "../../sdk";
export * from "../../sdk/abi/exports";

import { JwkKty } from "../../sdk/crypto/jwk";
import { HashAlg } from "../../sdk/crypto/sha2";
import { JwtAuthnConfig, JwtRule, parseConfig } from "./config";
import { ecdsaSignatureDer, spkiEc, spkiRsa, verifySignatureArguments, verifySignatureResult } from "./der";
import { ExtractedToken, Location, LocationKind, buildLocations, extractTokens } from "./extract";
import { KeySet, VerificationKey } from "./jwks";
import { RemoteJwks, encodeShared, sharedBody, sharedStamp } from "./jwks-cache";
import { audiencesJson, claimAt, renderClaim, wwwAuthenticate } from "./outputs";
import { Authenticator, Decision, KeySource, Outcome } from "./policy";
import { JwtStatus, detailsOf, httpStatusOf, statusReason, statusText } from "./status";
import { SignatureHost, hashOf } from "./verify";

// Metrics (defined on first use; proxy_define_metric is not allowed in _initialize).
const allowedTotal = new Counter("wasmesh_jwt_allowed_total");
const missingTotal = new Counter("wasmesh_jwt_missing_total");
const deniedTotal = new Counter("wasmesh_jwt_denied_total");
const jwksFetchesTotal = new Counter("wasmesh_jwt_jwks_fetches_total");
const jwksFetchFailuresTotal = new Counter("wasmesh_jwt_jwks_fetch_failures_total");
const tokenCacheHitsTotal = new Counter("wasmesh_jwt_token_cache_hits_total");
const deniedByReason = new Map<string, Counter>();

function countDenied(status: JwtStatus): void {
  deniedTotal.increment();
  const reason = statusReason(status);
  if (!deniedByReason.has(reason)) deniedByReason.set(reason, new Counter("wasmesh_jwt_denied_" + reason + "_total"));
  deniedByReason.get(reason).increment();
}

/** The tick: fast enough to notice another worker's fetch, cheap otherwise. */
const TICK_MS: u32 = 1000;

/** Envoy's verify_signature foreign function, for RS* and ES* (der.ts says why only those). */
/** How far in the future a shared JWKS stamp may be before it is not trusted. */
const SHARED_STAMP_SLACK_MS: u64 = 60_000;

class EnvoySignatureHost extends SignatureHost {
  available: bool = true;

  verify(alg: string, key: VerificationKey, input: Uint8Array, sig: Uint8Array): i32 {
    if (!this.available) return -1;
    const jwk = key.jwk;
    const rs = alg.startsWith("RS") && jwk.kty == JwkKty.RSA;
    const es = alg.startsWith("ES") && jwk.kty == JwkKty.EC;
    if (!rs && !es) return -1;
    let der = key.spki;
    if (der === null) {
      der = rs ? spkiRsa(jwk.n!, jwk.e!) : spkiEc(jwk.crv, jwk.x!, jwk.y!);
      key.spki = der;
    }
    let signature: Uint8Array = sig;
    if (es) {
      // JOSE r‖s must be exactly twice the curve's coordinate length (as in wasm).
      if (sig.length != key.ec!.signatureLength) return 0;
      const d = ecdsaSignatureDer(sig);
      if (d === null) return 0;
      signature = d;
    }
    const h = hashOf(alg);
    const hash = h == HashAlg.SHA256 ? "sha256" : h == HashAlg.SHA384 ? "sha384" : "sha512";
    const out = callForeignFunction("verify_signature", verifySignatureArguments(hash, der!, signature, input));
    if (out === null) {
      if (lastResult() == WasmResult.NotFound) {
        // Not offered by this host (older Envoy, other proxies): verify in wasm from now on.
        this.available = false;
        logWarn("jwt-authn: the host has no verify_signature foreign function; verifying in wasm");
        return -1;
      }
      return 0; // the host refused the key: fail closed
    }
    return verifySignatureResult(Uint8Array.wrap(out)) == 1 ? 1 : 0;
  }
}

class JwtAuthnRoot extends RootContext {
  config: JwtAuthnConfig = new JwtAuthnConfig();
  locations: Location[] = [];
  auth: Authenticator | null = null;
  /** Per rule (sorted order): its remote JWKS state, or null for inline keys. */
  remote: Array<RemoteJwks | null> = [];
  signatureHost: EnvoySignatureHost | null = null;
  /** Identifies this VM's fetch leases in shared data. */
  leaseOwner: string = "";
  /** Every output header of every rule, stripped from every request (§1.3.4). */
  outputHeaders: string[] = [];

  onConfigure(size: u32): bool {
    const bytes = getBufferBytes(BufferType.PluginConfiguration);
    const r = parseConfig(bytes === null ? new Uint8Array(0) : Uint8Array.wrap(bytes));
    if (r.config === null) {
      logWarn("jwt-authn: invalid configuration: " + r.error!);
      return false;
    }
    const cfg = r.config!;
    this.config = cfg;
    this.locations = buildLocations(cfg.rules);
    this.auth = new Authenticator(cfg, this.locations);
    this.signatureHost = cfg.hostVerifier ? new EnvoySignatureHost() : null;
    this.leaseOwner = randomU64().toString(16);
    this.remote = [];
    this.outputHeaders = [];
    let anyRemote = false;
    for (let i = 0; i < cfg.rules.length; i++) {
      const rule = cfg.rules[i];
      if (rule.jwksUri !== null) {
        let shared: RemoteJwks | null = null;
        for (let j = 0; j < this.remote.length; j++) {
          const other = this.remote[j];
          if (other !== null && other.sameSource(rule)) shared = other;
        }
        if (shared === null) shared = new RemoteJwks(rule);
        shared.ruleIndexes.push(i);
        this.remote.push(shared);
        anyRemote = true;
      } else {
        this.remote.push(null);
        const keys = rule.inlineKeys!;
        for (let k = 0; k < keys.dropped.length; k++) logWarn("jwt-authn: jwtRules[" + rule.index.toString() + "].jwks: key dropped: " + keys.dropped[k]);
        if (keys.status != JwtStatus.Ok) logWarn("jwt-authn: jwtRules[" + rule.index.toString() + "].jwks: " + statusText(keys.status) + "; tokens for this rule will be rejected");
      }
      const ph = rule.outputPayloadToHeader;
      if (ph !== null && !this.outputHeaders.includes(ph)) this.outputHeaders.push(ph);
      for (let c = 0; c < rule.outputClaimToHeaders.length; c++) {
        const h = rule.outputClaimToHeaders[c].header;
        if (!this.outputHeaders.includes(h)) this.outputHeaders.push(h);
      }
    }
    if (anyRemote) setTickPeriod(TICK_MS);
    logInfo("jwt-authn: " + cfg.rules.length.toString() + " rule(s) configured" + (cfg.hostVerifier ? ", signatures checked by the host where it can" : ""));
    return true;
  }

  newHttpContext(id: u32): HttpContext | null {
    return new JwtAuthnStream(id, this);
  }

  onTick(): void {
    const now = currentTimeMillis();
    for (let i = 0; i < this.remote.length; i++) {
      const c = this.remote[i];
      if (c === null || c.ruleIndexes[0] != i) continue; // once per JWKS
      this.syncFromShared(c);
      if (c.waitingOnLease) {
        // Another worker is fetching: its keys arrive through shared data (the sync above);
        // when its lease is gone without new keys (it failed, or its VM did), fetch here.
        if (c.generation != c.leaseWaitGeneration) {
          c.waitingOnLease = false;
          this.wake(c, false);
        } else if (!this.leaseHeldByOther(c, now)) {
          c.waitingOnLease = false;
          this.startFetch(c, now);
        }
        continue;
      }
      if (c.keys !== null && c.refreshDue(now, this.config.jwksRefetchCooldownMs) && !this.leaseHeldByOther(c, now)) this.startFetch(c, now);
    }
  }

  /** Installs the shared-data JWKS when it is newer than ours (and not from the future); true if keys changed. */
  syncFromShared(c: RemoteJwks): bool {
    const v = getSharedData(c.sharedKey);
    if (v === null || v.cas == c.sharedCas) return false;
    c.sharedCas = v.cas;
    const bytes = Uint8Array.wrap(v.value);
    const stamp = sharedStamp(bytes);
    if (stamp < 0 || (c.keys !== null && <u64>stamp <= c.fetchedAtMs)) return false;
    // Every worker shares one clock: a stamp from the future is no fetch of ours, and trusting
    // it would keep those keys fresh for ever (no refresh, no revocation).
    if (<u64>stamp > currentTimeMillis() + SHARED_STAMP_SLACK_MS) return false;
    return c.install(sharedBody(bytes), <u64>stamp) == JwtStatus.Ok;
  }

  private leaseHeldByOther(c: RemoteJwks, now: u64): bool {
    const v = getSharedData(c.leaseKey);
    if (v === null) return false;
    const text = v.text();
    const sp = text.indexOf(" ");
    if (sp < 0) return false;
    const owner = text.substring(0, sp);
    const until = U64.parseInt(text.substring(sp + 1));
    return owner != this.leaseOwner && now < until;
  }

  /**
   * A stream needs rule `c`'s keys (none yet, or a `kid` refetch): true if shared data
   * already had newer keys (re-decide now), else the stream waits for the fetch.
   */
  needKeys(c: RemoteJwks, forKid: bool, streamId: u32): bool {
    const now = currentTimeMillis();
    const before = c.generation;
    this.syncFromShared(c);
    if (c.generation != before && c.keys !== null) return true;
    if (!c.waiters.includes(streamId)) c.waiters.push(streamId);
    if (c.fetching) return false;
    if (forKid) c.lastKidRefetchMs = <i64>now;
    if (this.leaseHeldByOther(c, now)) {
      c.waitingOnLease = true;
      c.leaseWaitGeneration = c.generation;
      return false;
    }
    this.startFetch(c, now);
    return false;
  }

  /** Stale keys in use: refresh in the background (no stream waits). */
  refreshIfStale(c: RemoteJwks): void {
    const now = currentTimeMillis();
    if (c.refreshDue(now, this.config.jwksRefetchCooldownMs) && !this.leaseHeldByOther(c, now)) this.startFetch(c, now);
  }

  startFetch(c: RemoteJwks, now: u64): void {
    const rule = c.rule;
    // The lease lasts as long as the fetch may: its timeout.
    setSharedData(c.leaseKey, String.UTF8.encode(this.leaseOwner + " " + (now + <u64>rule.timeoutMs).toString()));
    const headers: Pair[] = [
      new Pair(":method", "GET"),
      new Pair(":path", rule.jwksPath),
      new Pair(":authority", rule.jwksAuthority),
      new Pair("accept", "application/json"),
    ];
    jwksFetchesTotal.increment();
    // The fetch belongs to the root, not to the stream that happened to need it first: its
    // answer serves every waiter (and the cache) even if that stream is gone by then.
    const caller = currentContextId();
    if (caller != this.id) setEffectiveContext(this.id);
    const token = httpCall(rule.jwksCluster, headers, null, null, rule.timeoutMs);
    const callResult = lastResult();
    if (caller != this.id) setEffectiveContext(caller);
    if (token == 0) {
      logWarn("jwt-authn: JWKS fetch for " + rule.jwksUri! + " refused by the host (cluster \"" + rule.jwksCluster + "\"): " + callResult.toString());
      this.fetchFailed(c, JwtStatus.JwksFetchFail, now);
      return;
    }
    c.inFlightToken = token;
    c.inFlightStartedMs = now;
    c.inFlightGeneration = c.generation;
    logDebug("jwt-authn: fetching JWKS " + rule.jwksUri! + " from cluster " + rule.jwksCluster);
  }

  onHttpCallResponse(token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
    let c: RemoteJwks | null = null;
    for (let i = 0; i < this.remote.length; i++) {
      const r = this.remote[i];
      if (r !== null && r.inFlightToken == token) c = r;
    }
    if (c === null) {
      logDebug("jwt-authn: ignoring the answer of a superseded JWKS fetch (token " + token.toString() + ")");
      return;
    }
    const cache = changetype<RemoteJwks>(c);
    const now = currentTimeMillis();
    const started = cache.inFlightStartedMs;
    cache.inFlightToken = 0;
    const uri = cache.rule.jwksUri!;
    if (numHeaders == 0) {
      const st = getStatus();
      logWarn("jwt-authn: JWKS fetch for " + uri + " failed: " + (st !== null ? st.message : "no response"));
      this.fetchFailed(cache, JwtStatus.JwksFetchFail, now);
      return;
    }
    const status = httpCallResponseHeaders.get(":status");
    if (status === null || status != "200") {
      logWarn("jwt-authn: JWKS fetch for " + uri + " answered " + (status !== null ? status : "no status"));
      this.fetchFailed(cache, JwtStatus.JwksFetchFail, now);
      return;
    }
    if (<i32>bodySize > this.config.jwksMaxBytes || bodySize > 0x7fffffff) {
      logWarn("jwt-authn: JWKS from " + uri + " is " + bodySize.toString() + " bytes, over the limit of " + this.config.jwksMaxBytes.toString());
      this.fetchFailed(cache, JwtStatus.JwksFetchFail, now);
      return;
    }
    // Superseded: shared data already holds keys fetched after this fetch started.
    this.syncFromShared(cache);
    if (cache.generation != cache.inFlightGeneration && cache.keys !== null && cache.fetchedAtMs >= started) {
      logDebug("jwt-authn: JWKS answer for " + uri + " superseded by a newer shared copy");
      setSharedData(cache.leaseKey, new ArrayBuffer(0));
      this.wake(cache, false);
      return;
    }
    const raw = getBufferBytes(BufferType.HttpCallResponseBody);
    const body = raw === null ? new Uint8Array(0) : Uint8Array.wrap(raw);
    const s = cache.install(body, now);
    if (s != JwtStatus.Ok) {
      logWarn("jwt-authn: JWKS from " + uri + " is unusable: " + statusText(s));
      this.fetchFailed(cache, s, now);
      return;
    }
    setSharedData(cache.leaseKey, new ArrayBuffer(0));
    const keys = cache.keys!;
    for (let k = 0; k < keys.dropped.length; k++) logWarn("jwt-authn: JWKS from " + uri + ": key dropped: " + keys.dropped[k]);
    const r = setSharedData(cache.sharedKey, encodeShared(now, body), cache.sharedCas);
    if (r == WasmResult.Ok) {
      const v = getSharedData(cache.sharedKey);
      if (v !== null) cache.sharedCas = v.cas;
    }
    cache.lastFailureMs = -1;
    logInfo("jwt-authn: JWKS for " + uri + " fetched: " + keys.keys.length.toString() + " key(s)");
    this.wake(cache, false);
  }

  fetchFailed(c: RemoteJwks, status: JwtStatus, now: u64): void {
    jwksFetchFailuresTotal.increment();
    c.inFlightToken = 0;
    setSharedData(c.leaseKey, new ArrayBuffer(0)); // let another worker try
    c.lastFailureMs = <i64>now;
    c.failStatus = status;
    this.wake(c, true);
  }

  /** Resumes every stream waiting for `c`; `failed`: they saw the fetch fail. */
  wake(c: RemoteJwks, failed: bool): void {
    // Usually called from the root's callout answer or tick; also from inside a stream's own
    // callback when the host refuses the fetch at once. That stream is not resumed from within
    // itself (it would decide, answer or continue, and then its outer call would pause it
    // again): it is told to decide again when needKeys returns. Restore the caller's context.
    const caller = currentContextId();
    const waiters = c.takeWaiters();
    for (let i = 0; i < waiters.length; i++) {
      const s = getStreamContext(waiters[i]);
      if (s === null) continue;
      const stream = changetype<JwtAuthnStream>(s);
      if (failed) for (let r = 0; r < c.ruleIndexes.length; r++) stream.failedRules.push(c.ruleIndexes[r]);
      if (waiters[i] == caller) {
        stream.decideAgain = true;
        continue;
      }
      if (setEffectiveContext(waiters[i]) != WasmResult.Ok) continue;
      stream.resume();
    }
    setEffectiveContext(caller);
  }
}

/** The key source of one stream: the root's caches, plus what this stream already waited for. */
class StreamKeys extends KeySource {
  constructor(readonly root: JwtAuthnRoot, readonly stream: JwtAuthnStream) {
    super();
  }

  current(r: i32): KeySet | null {
    const c = this.root.remote[r];
    if (c === null) return null;
    if (c.keys !== null && c.isStale(currentTimeMillis())) this.root.refreshIfStale(c);
    return c.keys;
  }

  generation(r: i32): u32 {
    const c = this.root.remote[r];
    return c === null ? 0 : c.generation;
  }

  whenMissing(r: i32): JwtStatus {
    const c = this.root.remote[r]!;
    return this.stream.failedRules.includes(r) ? c.failStatus : JwtStatus.Ok;
  }

  mayRefetchForKid(r: i32): bool {
    if (this.stream.kidTried.includes(r)) return false;
    return this.root.remote[r]!.kidRefetchAllowed(currentTimeMillis(), this.root.config.jwksRefetchCooldownMs);
  }
}

class JwtAuthnStream extends HttpContext {
  tokens: ExtractedToken[] = [];
  failedRules: i32[] = [];
  kidTried: i32[] = [];
  /** No decision to let the request through yet (waiting for keys, or denied). */
  paused: bool = false;
  /** The fetch this stream asked for ended while it was asking (the host refused it). */
  decideAgain: bool = false;

  get jwtRoot(): JwtAuthnRoot {
    return changetype<JwtAuthnRoot>(this.root);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.jwtRoot;
    if (root.auth === null) return FilterHeadersStatus.Continue;
    // §1.3.4: output headers are never taken from the client (all rules, up front, CORS
    // preflights included: stricter than Envoy's per-verifier sanitizing, never weaker).
    for (let i = 0; i < root.outputHeaders.length; i++) requestHeaders.remove(root.outputHeaders[i]);
    // Istio sets bypass_cors_preflight: an OPTIONS with origin and
    // access-control-request-method skips JWT verification (§1.1).
    const method = requestHeaders.get(":method");
    if (method !== null && method == "OPTIONS") {
      const origin = requestHeaders.get("origin");
      const acrm = requestHeaders.get("access-control-request-method");
      if (origin !== null && origin.length > 0 && acrm !== null && acrm.length > 0) return FilterHeadersStatus.Continue;
    }
    const path = requestHeaders.get(":path");
    this.tokens = extractTokens(root.locations, requestHeaders.getAll(), path !== null ? path : "");
    return this.decideAndApply() ? FilterHeadersStatus.Continue : FilterHeadersStatus.StopIteration;
  }

  /** After a JWKS fetch this stream waited for. */
  resume(): void {
    if (this.decideAndApply()) continueRequest();
  }

  // While the decision is pending nothing may pass. Envoy turns the headers' StopIteration
  // into StopAll by default, but with allow_on_headers_stop_iteration (and on hosts that do
  // the same) a body or trailers callback answering Continue releases the paused headers,
  // and the request would reach the upstream before its token was checked.
  onRequestBody(bodySize: u32, endOfStream: bool): FilterDataStatus {
    return this.paused ? FilterDataStatus.StopIterationAndBuffer : FilterDataStatus.Continue;
  }

  onRequestTrailers(numTrailers: u32): FilterTrailersStatus {
    return this.paused ? FilterTrailersStatus.StopIteration : FilterTrailersStatus.Continue;
  }

  /** Decides and applies; false when the request must wait (or was answered locally). */
  private decideAndApply(): bool {
    const root = this.jwtRoot;
    const keys = new StreamKeys(root, this);
    // Bounded: each pass either finishes, waits, or re-decides after new shared keys.
    for (let pass = 0; pass < 4; pass++) {
      const now = currentTimeMillis() / 1000;
      const d = root.auth!.decide(this.tokens, now, keys, root.signatureHost);
      if (d.cacheHits > 0) tokenCacheHitsTotal.increment(<u64>d.cacheHits);
      if (d.outcome == Outcome.Wait) {
        const c = root.remote[d.waitRule]!;
        if (d.waitForKid) this.kidTried.push(d.waitRule);
        this.decideAgain = false;
        if (root.needKeys(c, d.waitForKid, this.id) || this.decideAgain) continue;
        this.paused = true;
        return false;
      }
      if (d.outcome == Outcome.Deny) {
        this.deny(d.status);
        return false;
      }
      this.paused = false;
      if (d.outcome == Outcome.Allow) {
        this.allow(d);
        allowedTotal.increment();
        // Envoy ≥ 1.33 no longer re-selects the route after Wasm header edits by itself.
        if (root.config.clearRouteCache) clearRouteCache();
      } else {
        missingTotal.increment();
      }
      return true;
    }
    this.deny(JwtStatus.JwksFetchFail);
    return false;
  }

  private deny(status: JwtStatus): void {
    this.paused = true;
    countDenied(status);
    const challenge = wwwAuthenticate(
      requestHeaders.get(":scheme"), requestHeaders.get(":authority"), requestHeaders.get(":path"), requestHeaders.get("x-envoy-original-path"));
    logDebug("jwt-authn: denied: " + statusText(status));
    sendLocalResponse(httpStatusOf(status), detailsOf(status), statusText(status), [new Pair("www-authenticate", challenge)]);
  }

  private allow(d: Decision): void {
    for (let i = 0; i < d.verified.length; i++) {
      const v = d.verified[i];
      const rule = v.rule;
      const jwt = v.jwt;
      const ph = rule.outputPayloadToHeader;
      if (ph !== null) requestHeaders.replace(ph, jwt.payloadSegment);
      for (let c = 0; c < rule.outputClaimToHeaders.length; c++) {
        const out = rule.outputClaimToHeaders[c];
        const value = renderClaim(claimAt(jwt.payload, out.claim));
        if (value !== null && value.length > 0) requestHeaders.replace(out.header, value);
      }
      // §1.9.4: only header locations, the whole header, only after success.
      if (!rule.forwardOriginalToken && v.token.location.kind == LocationKind.Header) requestHeaders.remove(v.token.location.name);
    }
    // §1.10: the last verified token wins, as in Envoy's payload metadata, and the whole
    // identity is that token's: a principal or presenter of an earlier token must not stand
    // beside the claims of another.
    const last = d.verified[d.verified.length - 1];
    const jwt = last.jwt;
    setFilterState(JWT_CLAIMS, last.claimsJson);
    const sub = jwt.sub;
    if (jwt.iss.length > 0 && sub !== null) setFilterState(JWT_PRINCIPAL, jwt.iss + "/" + sub);
    setFilterState(JWT_AUDIENCES, audiencesJson(jwt));
    const azp = jwt.payload.getString("azp");
    if (azp !== null) setFilterState(JWT_PRESENTER, azp);
  }
}

registerRootContext((id: u32, rootId: string): RootContext => new JwtAuthnRoot(id, rootId));

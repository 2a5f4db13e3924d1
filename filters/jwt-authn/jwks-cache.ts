// The state of one remote JWKS (a rule with `jwksUri`), kept by the root context of each
// worker VM; the adapter (index.ts) does the fetching and the shared-data reads and writes.
//
// Policy (policy-semantics.md §1.8 and the "Remote JWKS"):
// - keys are shared between workers through shared data as `<fetchedAtMs>\n<JWKS>`; a worker
//   re-reads the shared value on its tick and before fetching, and installs it when it is newer;
// - one fetch in flight per JWKS per worker, and a lease in shared data so that only one worker
//   fetches at a time; requests that need the keys wait for that fetch;
// - keys older than the cache duration are stale: they keep serving while a refresh runs (a
//   tick or the next request starts it); a failed refresh keeps them and is retried after
//   the cooldown;
// - a token whose `kid` the set lacks may trigger a refetch, at most once per cooldown, so
//   random `kid`s cannot turn requests into fetches;
// - responses over the size cap, non-200 answers and bodies that are not a usable JWKS fail
//   the fetch; a response for a fetch that is no longer the current one is ignored, and so
//   is one older than what shared data already holds.
import { KeySet, parseKeySet } from "./jwks";
import { JwtRule } from "./config";
import { JwtStatus } from "./status";

export class RemoteJwks {
  keys: KeySet | null = null;
  /** Bumped whenever `keys` is replaced. */
  generation: u32 = 0;
  /** When the installed keys were fetched (by any worker), ms. */
  fetchedAtMs: u64 = 0;
  /** CAS of the shared-data value last seen. */
  sharedCas: u32 = 0;
  /** The callout in flight (0: none) and when it started. */
  inFlightToken: u32 = 0;
  inFlightStartedMs: u64 = 0;
  /** `generation` when the fetch started: a change meanwhile came from shared data. */
  inFlightGeneration: u32 = 0;
  /** Another worker holds the fetch lease: wait for its result (polled on tick). */
  waitingOnLease: bool = false;
  /** `generation` when the wait on another worker's lease began. */
  leaseWaitGeneration: u32 = 0;
  /** Last kid-miss refetch (-1: never). */
  lastKidRefetchMs: i64 = -1;
  /** Last failed fetch (-1: none since the last success) and what waiting requests got. */
  lastFailureMs: i64 = -1;
  failStatus: JwtStatus = JwtStatus.JwksFetchFail;
  /** Stream context ids waiting for this JWKS. */
  waiters: u32[] = [];

  /** Every rule (sorted index) fetching this same JWKS: one cache, one fetch for all of them. */
  ruleIndexes: i32[] = [];

  constructor(readonly rule: JwtRule) {}

  /** Whether `other` names the same JWKS (cluster and URL) with the same fetch settings. */
  sameSource(other: JwtRule): bool {
    const r = this.rule;
    return r.jwksCluster == other.jwksCluster && r.jwksAuthority == other.jwksAuthority && r.jwksPath == other.jwksPath &&
      r.timeoutMs == other.timeoutMs && r.jwksCacheDurationMs == other.jwksCacheDurationMs;
  }

  /** The shared-data key: the same JWKS is shared by every plugin of the vm_id. */
  get sharedKey(): string {
    return "wasmesh.jwt-authn.jwks|" + this.rule.jwksCluster + "|" + this.rule.jwksAuthority + this.rule.jwksPath;
  }

  get leaseKey(): string {
    return this.sharedKey + "|lease";
  }

  isStale(nowMs: u64): bool {
    return this.keys !== null && nowMs >= this.fetchedAtMs + this.rule.jwksCacheDurationMs;
  }

  get fetching(): bool {
    return this.inFlightToken != 0 || this.waitingOnLease;
  }

  kidRefetchAllowed(nowMs: u64, cooldownMs: u64): bool {
    if (this.fetching) return true; // joining a fetch costs nothing
    return this.lastKidRefetchMs < 0 || nowMs >= <u64>this.lastKidRefetchMs + cooldownMs;
  }

  /** A background refresh is due: stale (or never fetched), idle, not right after a failure. */
  refreshDue(nowMs: u64, retryMs: u64): bool {
    if (this.fetching) return false;
    if (this.keys !== null && !this.isStale(nowMs)) return false;
    return this.lastFailureMs < 0 || nowMs >= <u64>this.lastFailureMs + retryMs;
  }

  /**
   * Installs a JWKS fetched at `fetchedAtMs` (from a response or shared data). A set with no
   * usable key is not installed (the fetch counts as failed; its status is what waiting
   * requests get) and never replaces usable keys.
   */
  install(body: Uint8Array, fetchedAtMs: u64): JwtStatus {
    const set = parseKeySet(body);
    if (set.status != JwtStatus.Ok) return set.status;
    this.keys = set;
    this.generation++;
    this.fetchedAtMs = fetchedAtMs;
    return set.status;
  }

  takeWaiters(): u32[] {
    const w = this.waiters;
    this.waiters = [];
    return w;
  }
}

/** Encodes the shared-data value. */
export function encodeShared(fetchedAtMs: u64, body: Uint8Array): ArrayBuffer {
  const head = Uint8Array.wrap(String.UTF8.encode(fetchedAtMs.toString() + "\n"));
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out.buffer;
}

/** The stamp of a shared-data value, or -1 if it is not one of ours. */
export function sharedStamp(value: Uint8Array): i64 {
  let stamp: i64 = 0;
  for (let i = 0; i < value.length && i < 20; i++) {
    const c = <i32>value[i];
    if (c == 0x0a) return i > 0 ? stamp : -1;
    if (c < 0x30 || c > 0x39) return -1;
    stamp = stamp * 10 + (c - 0x30);
  }
  return -1;
}

/** The JWKS bytes of a shared-data value. */
export function sharedBody(value: Uint8Array): Uint8Array {
  const nl = value.indexOf(0x0a);
  return value.subarray(nl + 1);
}

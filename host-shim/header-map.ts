// Envoy's header map as a guest sees it (§3.6, §5.1): an ordered list of entries with
// lower-case keys, pseudo-headers first, "inline" headers that coalesce on add, and a byte size
// of sum(key + value). Keys and values are byte strings held as latin1 JS strings.
import type { Pairs } from "./memory.ts";

/**
 * Envoy's inline headers: an add to an existing key appends `,value` to that entry (`; ` for
 * cookie) instead of creating a second entry. The exact set is Envoy's O(1) header list
 * (header_map_impl.cc); §10 marks it as "not verified against code", so this is the
 * well-known subset.
 */
const INLINE = new Set([
  ":authority", ":path", ":method", ":scheme", ":status", ":protocol",
  "accept-encoding", "authorization", "cache-control", "connection", "content-encoding",
  "content-length", "content-type", "cookie", "date", "expect", "grpc-accept-encoding",
  "grpc-encoding", "grpc-message", "grpc-status", "grpc-timeout", "host", "keep-alive",
  "location", "origin", "proxy-connection", "referer", "server", "te", "transfer-encoding",
  "upgrade", "user-agent", "via", "x-client-trace-id", "x-content-type-options",
  "x-envoy-attempt-count", "x-envoy-decorator-operation", "x-envoy-downstream-service-cluster",
  "x-envoy-downstream-service-node", "x-envoy-expected-rq-timeout-ms", "x-envoy-external-address",
  "x-envoy-force-trace", "x-envoy-internal", "x-envoy-original-path", "x-envoy-retry-on",
  "x-envoy-upstream-service-time", "x-forwarded-client-cert", "x-forwarded-for",
  "x-forwarded-host", "x-forwarded-proto", "x-ot-span-context", "x-request-id",
]);

export class HeaderMap {
  private entries: Pairs = [];

  constructor(pairs: Iterable<readonly [string, string]> = []) {
    for (const [k, v] of pairs) this.add(k, v, false);
  }
  static from(pairs: Iterable<readonly [string, string]> | Record<string, string> | undefined): HeaderMap {
    if (!pairs) return new HeaderMap();
    if (Symbol.iterator in Object(pairs)) return new HeaderMap(pairs as Iterable<[string, string]>);
    return new HeaderMap(Object.entries(pairs as Record<string, string>));
  }

  get size(): number {
    return this.entries.length;
  }
  /** Σ(len(key) + len(value)): what proxy_get_header_map_size reports. */
  get byteSize(): number {
    let n = 0;
    for (const [k, v] of this.entries) n += k.length + v.length;
    return n;
  }
  pairs(): Pairs {
    return this.entries.map(([k, v]) => [k, v]);
  }
  get(key: string): string | undefined {
    key = key.toLowerCase();
    return this.entries.find(([k]) => k === key)?.[1];
  }
  getAll(key: string): string[] {
    key = key.toLowerCase();
    return this.entries.filter(([k]) => k === key).map(([, v]) => v);
  }
  /** Values of a repeated header joined with `,` (what `request.headers.<name>` returns). */
  joined(key: string): string | undefined {
    const all = this.getAll(key);
    return all.length ? all.join(",") : undefined;
  }
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }
  /** Adds an entry; `coalesce` applies Envoy's inline-header rule (guest adds). */
  add(key: string, value: string, coalesce = true): void {
    key = key.toLowerCase();
    if (coalesce && INLINE.has(key)) {
      const i = this.entries.findIndex(([k]) => k === key);
      if (i >= 0) {
        this.entries[i] = [key, this.entries[i][1] + (key === "cookie" ? "; " : ",") + value];
        return;
      }
    }
    this.insert(key, value);
  }
  private insert(key: string, value: string): void {
    if (key.startsWith(":")) {
      // pseudo-headers stay ahead of regular headers
      const firstRegular = this.entries.findIndex(([k]) => !k.startsWith(":"));
      if (firstRegular >= 0) {
        this.entries.splice(firstRegular, 0, [key, value]);
        return;
      }
    }
    this.entries.push([key, value]);
  }
  /** Removes every entry of the key and sets one (at the end of its group). */
  replace(key: string, value: string): void {
    key = key.toLowerCase();
    const i = this.entries.findIndex(([k]) => k === key);
    if (i >= 0) {
      this.entries[i] = [key, value];
      this.entries = this.entries.filter(([k], j) => j === i || k !== key);
      return;
    }
    this.insert(key, value);
  }
  remove(key: string): void {
    key = key.toLowerCase();
    this.entries = this.entries.filter(([k]) => k !== key);
  }
  clear(): void {
    this.entries = [];
  }
  setAll(pairs: Pairs): void {
    this.entries = [];
    for (const [k, v] of pairs) this.add(k, v, true);
  }
  clone(): HeaderMap {
    const m = new HeaderMap();
    m.entries = this.pairs();
    return m;
  }
  toObject(): Record<string, string> {
    const o: Record<string, string> = {};
    for (const [k, v] of this.entries) o[k] = k in o ? `${o[k]},${v}` : v;
    return o;
  }
}

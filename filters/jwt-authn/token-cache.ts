// The verified-token cache: a token that passed every check for a rule is remembered, so the
// next request carrying it skips parsing and the signature check. Bounded (oldest evicted
// first) and conservative: an entry is used only while the rule's key set is the one that
// verified it (a JWKS refresh or rotation invalidates it), and the time checks run again on
// every hit, so `exp` is always respected. Tokens longer than MAX_TOKEN are not cached.
import { Jwt } from "./jwt";

const MAX_TOKEN = 16384;

export class CachedToken {
  constructor(
    readonly jwt: Jwt,
    /** The normalized claims JSON published to filter state. */
    readonly claimsJson: string,
    /** The key-set generation the signature was checked against. */
    readonly keysGeneration: u32,
  ) {}
}

export class VerifiedTokenCache {
  private entries: Map<string, CachedToken> = new Map();
  /** Keys in insertion order (a ring); `head` is the oldest. */
  private order: string[] = [];
  private head: i32 = 0;

  constructor(readonly capacity: i32) {}

  private key(rule: i32, token: string): string {
    return rule.toString() + " " + token;
  }

  get(rule: i32, token: string, keysGeneration: u32): CachedToken | null {
    if (this.capacity == 0 || token.length > MAX_TOKEN) return null;
    const k = this.key(rule, token);
    if (!this.entries.has(k)) return null;
    const e = this.entries.get(k);
    return e.keysGeneration == keysGeneration ? e : null;
  }

  put(rule: i32, token: string, entry: CachedToken): void {
    if (this.capacity == 0 || token.length > MAX_TOKEN) return;
    const k = this.key(rule, token);
    if (this.entries.has(k)) {
      this.entries.set(k, entry);
      return;
    }
    if (this.order.length < this.capacity) {
      this.order.push(k);
    } else {
      this.entries.delete(this.order[this.head]);
      this.order[this.head] = k;
      this.head = (this.head + 1) % this.capacity;
    }
    this.entries.set(k, entry);
  }

  get size(): i32 {
    return this.entries.size;
  }
}

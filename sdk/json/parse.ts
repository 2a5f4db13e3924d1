// A strict RFC 8259 JSON parser into the value tree of value.ts.
//
// Strict means: exactly the grammar of RFC 8259 §2-§7 over UTF-8 (§8.1) and nothing else, so
// that a JWT or a configuration means the same thing here as in any other conforming parser.
// Rejected, each with a message and the byte offset where it was found:
// - leading zeros (`01`), `+1`, `.5`, `1.`, `1e`, hex, NaN/Infinity; trailing commas; comments;
//   single quotes; anything after the value but whitespace (space, tab, LF, CR only; no BOM);
// - raw control characters (U+0000-U+001F) in strings, unknown escapes, short `\u` escapes;
// - invalid UTF-8 anywhere: overlong forms, surrogates encoded in UTF-8, code points above
//   U+10FFFF, truncated sequences, stray continuation bytes.
//
// Where RFC 8259 leaves the choice to the implementation, we choose the safe side, and where
// that makes us stricter than JavaScript's JSON.parse, test/sdk/json.test.ts lists it:
// - Duplicate object keys are rejected (§4: "names SHOULD be unique"; parsers disagree on
//   which duplicate wins, so `{"sub":"alice","sub":"admin"}` is a classic JWT confusion).
// - Lone surrogates are rejected, whether as `\uD800` escapes or (in `parseJsonString`) raw
//   in the input (§8.2: such strings are not Unicode and their handling is unpredictable;
//   they cannot be carried in UTF-8 and would compare differently downstream).
// - Numbers that overflow f64 (`1e400`) are rejected (§6: implementations may limit range;
//   JSON.parse turns them into Infinity, which no JSON serializer can write back).
// - Nesting deeper than `maxDepth` (default 64) and inputs larger than `maxBytes`
//   (default 4 MiB) are rejected (§9: implementations may limit both).
//
// Numbers: a literal without fraction or exponent that fits in i64 is an exact INT;
// everything else is a FLOAT (including `1.0`, `1e2` and `-0`, which keeps its sign).
// FLOAT conversion is correctly rounded (fast exact path, else a big-decimal comparison; see
// number.ts).
import { JsonArray, JsonBool, JsonNull, JsonNumber, JsonObject, JsonString, JsonValue } from "./value";
import { parseDecimal, DECIMAL_OVERFLOW } from "./number";

/** Limits. The defaults suit JWT claims and filter configurations. */
export class JsonOptions {
  /** Maximum nesting of arrays/objects (the top-level container is depth 1). */
  maxDepth: i32 = 64;
  /** Maximum input size in bytes. */
  maxBytes: i32 = 4 << 20;
}

export class JsonError {
  constructor(
    /** What went wrong, e.g. "duplicate key \"sub\"". */
    readonly message: string,
    /** Byte offset in the UTF-8 input where it was detected. */
    readonly position: i32,
  ) {}

  toString(): string {
    return this.message + " at byte " + this.position.toString();
  }
}

/** Either a value or an error (never both). */
export class JsonParseResult {
  constructor(readonly value: JsonValue | null, readonly error: JsonError | null) {}

  get ok(): bool {
    return this.error === null;
  }
}

/** Parses UTF-8 JSON text. */
export function parseJson(input: Uint8Array, options: JsonOptions | null = null): JsonParseResult {
  return parseJsonRaw(input.dataStart, input.length, options);
}

/** Parses `input[start, end)` (e.g. a decoded JWT segment inside a larger buffer). */
export function parseJsonRange(input: Uint8Array, start: i32, end: i32, options: JsonOptions | null = null): JsonParseResult {
  if (start < 0 || end > input.length || start > end) return new JsonParseResult(null, new JsonError("bad range", 0));
  return parseJsonRaw(input.dataStart + <usize>start, end - start, options);
}

/**
 * Parses JSON text held in a string (configurations arrive as strings in some APIs). The text
 * is encoded to UTF-8 first, so positions are UTF-8 byte offsets; a lone surrogate in the
 * string is rejected rather than replaced.
 */
export function parseJsonString(input: string, options: JsonOptions | null = null): JsonParseResult {
  const n = input.length;
  // Every UTF-16 unit encodes to at least one byte: refuse oversized input before encoding it.
  const limit = options !== null ? options.maxBytes : new JsonOptions().maxBytes;
  if (n > limit) {
    return new JsonParseResult(null, new JsonError("input too large: at least " + n.toString() + " bytes, limit " + limit.toString(), limit));
  }
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if ((c & 0xf800) != 0xd800) continue;
    if (c < 0xdc00 && i + 1 < n && (input.charCodeAt(i + 1) & 0xfc00) == 0xdc00) {
      i++;
      continue;
    }
    const at = String.UTF8.byteLength(input.substring(0, i));
    return new JsonParseResult(null, new JsonError("invalid UTF-8: lone surrogate U+" + c.toString(16).toUpperCase() + " in input", at));
  }
  const bytes = String.UTF8.encode(input);
  return parseJsonRaw(changetype<usize>(bytes), bytes.byteLength, options);
}

/** Parses `len` bytes of UTF-8 JSON at linear-memory address `ptr`. */
export function parseJsonRaw(ptr: usize, len: i32, options: JsonOptions | null = null): JsonParseResult {
  const opts = options !== null ? options : new JsonOptions();
  if (len > opts.maxBytes) {
    return new JsonParseResult(null, new JsonError("input too large: " + len.toString() + " bytes, limit " + opts.maxBytes.toString(), opts.maxBytes));
  }
  const p = new Parser(ptr, len, opts.maxDepth);
  p.skipWs();
  const v = p.parse();
  if (v === null) return new JsonParseResult(null, p.error());
  p.skipWs();
  if (p.pos < len) {
    return new JsonParseResult(null, new JsonError("unexpected " + p.describeAt(p.pos) + " after the value", p.pos));
  }
  return new JsonParseResult(v, null);
}

// Shared singletons: immutable, so one of each is enough.
// @ts-ignore: decorator
@lazy const NULL_VALUE = new JsonNull();
// @ts-ignore: decorator
@lazy const TRUE_VALUE = new JsonBool(true);
// @ts-ignore: decorator
@lazy const FALSE_VALUE = new JsonBool(false);

/** Scratch UTF-16 buffer for strings with escapes or non-ASCII text; grows, never shrinks. */
// @ts-ignore: decorator
@lazy let scratch: usize = heap.alloc(256);
// @ts-ignore: decorator
@lazy let scratchUnits: i32 = 128;

class Parser {
  pos: i32 = 0;
  private message: string = "";
  private errPos: i32 = 0;

  constructor(private base: usize, private len: i32, private maxDepth: i32) {}

  error(): JsonError {
    return new JsonError(this.message, this.errPos);
  }

  private fail(message: string, at: i32): JsonValue | null {
    // Keep the first (innermost) error.
    if (this.message.length == 0) {
      this.message = message;
      this.errPos = at;
    }
    return null;
  }

  // @ts-ignore: decorator
  @inline private byte(i: i32): u32 {
    return <u32>load<u8>(this.base + <usize>i);
  }

  describeAt(i: i32): string {
    if (i >= this.len) return "end of input";
    const b = this.byte(i);
    if (b >= 0x21 && b < 0x7f) return "'" + String.fromCharCode(b) + "'";
    if (b >= 0x80) return "byte 0x" + b.toString(16);
    return "U+" + b.toString(16).padStart(4, "0");
  }

  skipWs(): void {
    let i = this.pos;
    const n = this.len;
    while (i < n) {
      const b = this.byte(i);
      if (b != 0x20 && b != 0x0a && b != 0x0d && b != 0x09) break;
      i++;
    }
    this.pos = i;
  }

  /**
   * Parses one value at `pos` (whitespace already skipped). Iterative, with an explicit stack of
   * open containers: nesting depth costs heap, not wasm/shadow stack, so the depth limit is a
   * policy choice and not a crash waiting for a deep enough input.
   */
  parse(): JsonValue | null {
    const open = new Array<JsonValue>(); // JsonArray or JsonObject being filled
    const keys = new Array<string>(); // for each open object, the key whose value comes next
    while (true) {
      // --- A value starts at pos ---
      let v: JsonValue | null = null;
      const i = this.pos;
      if (i >= this.len) return this.fail("unexpected end of input, expected a value", i);
      const b = this.byte(i);
      if (b == 0x7b || b == 0x5b) {
        if (open.length + 1 > this.maxDepth) return this.fail("nesting deeper than " + this.maxDepth.toString(), i);
        this.pos++;
        this.skipWs();
        const closer: u32 = b == 0x7b ? 0x7d : 0x5d;
        if (this.pos < this.len && this.byte(this.pos) == closer) {
          this.pos++;
          v = b == 0x7b ? changetype<JsonValue>(new JsonObject()) : changetype<JsonValue>(new JsonArray());
        } else if (b == 0x7b) {
          const obj = new JsonObject();
          const key = this.key(obj, false);
          if (key === null) return null;
          open.push(obj);
          keys.push(key);
          continue;
        } else {
          open.push(new JsonArray());
          continue;
        }
      } else if (b == 0x22) {
        const s = this.string();
        if (s === null) return null;
        v = new JsonString(s);
      } else if (b == 0x74) {
        v = this.literal("true", TRUE_VALUE);
      } else if (b == 0x66) {
        v = this.literal("false", FALSE_VALUE);
      } else if (b == 0x6e) {
        v = this.literal("null", NULL_VALUE);
      } else if (b == 0x2d || (b >= 0x30 && b <= 0x39)) {
        v = this.number();
      } else {
        return this.fail("unexpected " + this.describeAt(i) + ", expected a value", i);
      }
      if (v === null) return null;
      // --- A value is complete: hand it to its container, closing containers as they end ---
      while (true) {
        if (open.length == 0) return v;
        const top = unchecked(open[open.length - 1]);
        this.skipWs();
        if (this.pos >= this.len) {
          return this.fail("unexpected end of input in " + (top.isArray() ? "array" : "object"), this.pos);
        }
        const c = this.byte(this.pos);
        this.pos++;
        if (top.isArray()) {
          changetype<JsonArray>(top).items.push(v);
          if (c == 0x5d) {
            v = open.pop();
            continue;
          }
          if (c != 0x2c) return this.fail("unexpected " + this.describeAt(this.pos - 1) + ", expected ',' or ']'", this.pos - 1);
          this.skipWs();
          if (this.pos < this.len && this.byte(this.pos) == 0x5d) return this.fail("trailing comma in array", this.pos);
          break;
        }
        const obj = changetype<JsonObject>(top);
        obj.appendUnchecked(keys.pop(), v);
        if (c == 0x7d) {
          v = open.pop();
          continue;
        }
        if (c != 0x2c) return this.fail("unexpected " + this.describeAt(this.pos - 1) + ", expected ',' or '}'", this.pos - 1);
        this.skipWs();
        const key = this.key(obj, true);
        if (key === null) return null;
        keys.push(key);
        break;
      }
    }
    return null;
  }

  /** Reads `"key" :` at pos for `obj` (rejecting duplicates), leaving pos at the value. */
  private key(obj: JsonObject, afterComma: bool): string | null {
    const at = this.pos;
    if (at >= this.len) {
      this.fail("unexpected end of input in object", at);
      return null;
    }
    if (this.byte(at) != 0x22) {
      const what = afterComma && this.byte(at) == 0x7d ? "trailing comma in object" : "unexpected " + this.describeAt(at) + ", expected a string key";
      this.fail(what, at);
      return null;
    }
    const key = this.string();
    if (key === null) return null;
    if (obj.indexOf(key) >= 0) {
      this.fail("duplicate key " + quote(key), at);
      return null;
    }
    this.skipWs();
    if (this.pos >= this.len || this.byte(this.pos) != 0x3a) {
      this.fail("unexpected " + this.describeAt(this.pos) + ", expected ':'", this.pos);
      return null;
    }
    this.pos++;
    this.skipWs();
    return key;
  }

  private literal(word: string, v: JsonValue): JsonValue | null {
    const i = this.pos;
    const n = word.length;
    for (let k = 0; k < n; k++) {
      if (i + k >= this.len || this.byte(i + k) != <u32>word.charCodeAt(k)) {
        return this.fail("invalid literal, expected '" + word + "'", i + k);
      }
    }
    this.pos = i + n;
    return v;
  }

  private number(): JsonValue | null {
    const start = this.pos;
    let i = start;
    const n = this.len;
    let negative = false;
    if (this.byte(i) == 0x2d) {
      negative = true;
      i++;
    }
    if (i >= n || this.byte(i) < 0x30 || this.byte(i) > 0x39) return this.fail("invalid number: expected a digit after '-'", i);
    const intStart = i;
    if (this.byte(i) == 0x30) {
      i++;
      if (i < n && this.byte(i) >= 0x30 && this.byte(i) <= 0x39) return this.fail("invalid number: leading zero", intStart);
    } else {
      while (i < n && this.byte(i) >= 0x30 && this.byte(i) <= 0x39) i++;
    }
    const intEnd = i;
    let fracStart = i;
    let fracEnd = i;
    let exp: i64 = 0;
    let isFloat = false;
    if (i < n && this.byte(i) == 0x2e) {
      isFloat = true;
      i++;
      fracStart = i;
      while (i < n && this.byte(i) >= 0x30 && this.byte(i) <= 0x39) i++;
      fracEnd = i;
      if (fracEnd == fracStart) return this.fail("invalid number: expected a digit after '.'", i);
    }
    if (i < n && (this.byte(i) | 0x20) == 0x65) {
      isFloat = true;
      i++;
      let expNegative = false;
      if (i < n && (this.byte(i) == 0x2b || this.byte(i) == 0x2d)) {
        expNegative = this.byte(i) == 0x2d;
        i++;
      }
      const expStart = i;
      while (i < n && this.byte(i) >= 0x30 && this.byte(i) <= 0x39) {
        // Saturate far beyond any input length: up to 2^31 digits can pull an exponent back
        // into range (0.000…1e10000001 is 1), so a bound like 10^6 would change values.
        if (exp < (<i64>1 << 50)) exp = exp * 10 + <i64>(this.byte(i) - 0x30);
        i++;
      }
      if (i == expStart) return this.fail("invalid number: expected a digit in the exponent", i);
      if (expNegative) exp = -exp;
    }
    this.pos = i;
    if (!isFloat) {
      // Exact i64 when it fits; -0 stays a FLOAT so its sign survives.
      const digits = intEnd - intStart;
      if (digits <= 19) {
        let v: u64 = 0;
        for (let k = intStart; k < intEnd; k++) v = v * 10 + <u64>(this.byte(k) - 0x30);
        if (negative) {
          if (v == 0) return JsonNumber.fromFloat(-0.0);
          if (v <= 0x8000000000000000) return JsonNumber.fromInt(<i64>(0 - v));
        } else if (v <= 0x7fffffffffffffff) {
          return JsonNumber.fromInt(<i64>v);
        }
      }
    }
    const f = parseDecimal(this.base, intStart, intEnd, fracStart, fracEnd, exp, negative);
    if (f == DECIMAL_OVERFLOW) return this.fail("number out of range for a 64-bit float", start);
    return JsonNumber.fromFloat(f);
  }

  /** Parses a string at `pos` (on its opening quote) into a UTF-16 string, or fails. */
  string(): string | null {
    const open = this.pos;
    let i = open + 1;
    const n = this.len;
    // Fast path: printable ASCII without escapes.
    while (i < n) {
      const b = this.byte(i);
      if (b == 0x22 || b == 0x5c || b < 0x20 || b >= 0x80) break;
      i++;
    }
    if (i < n && this.byte(i) == 0x22) {
      const count = i - open - 1;
      const out = changetype<string>(__new(<usize>count << 1, idof<string>()));
      const dst = changetype<usize>(out);
      const src = this.base + <usize>(open + 1);
      for (let k = 0; k < count; k++) store<u16>(dst + (<usize>k << 1), load<u8>(src + <usize>k));
      this.pos = i + 1;
      return out;
    }
    // Slow path: decode into the scratch buffer. A UTF-8 byte or a 6-byte \u escape yields at
    // most one UTF-16 unit, so the input length bounds the output.
    const maxUnits = n - open;
    if (maxUnits > scratchUnits) {
      heap.free(scratch);
      scratchUnits = max(maxUnits, scratchUnits << 1);
      scratch = heap.alloc(<usize>scratchUnits << 1);
    }
    const buf = scratch;
    // Copy the ASCII prefix already scanned.
    let o = buf;
    for (let k = open + 1; k < i; k++) {
      store<u16>(o, this.byte(k));
      o += 2;
    }
    while (true) {
      if (i >= n) {
        this.fail("unterminated string", open);
        return null;
      }
      const b = this.byte(i);
      if (b == 0x22) break;
      if (b < 0x20) {
        this.fail("control character U+" + b.toString(16).padStart(4, "0") + " in string (must be escaped)", i);
        return null;
      }
      if (b == 0x5c) {
        if (i + 1 >= n) {
          this.fail("unterminated string", open);
          return null;
        }
        const e = this.byte(i + 1);
        let c: u32 = 0;
        switch (e) {
          case 0x22: c = 0x22; break;
          case 0x5c: c = 0x5c; break;
          case 0x2f: c = 0x2f; break;
          case 0x62: c = 0x08; break;
          case 0x66: c = 0x0c; break;
          case 0x6e: c = 0x0a; break;
          case 0x72: c = 0x0d; break;
          case 0x74: c = 0x09; break;
          case 0x75: {
            const u = this.hex4(i + 2);
            if (u < 0) return null;
            if ((u & 0xf800) == 0xd800) {
              // A surrogate: must be a high one followed at once by an escaped low one.
              if (u >= 0xdc00) {
                this.fail("lone low surrogate \\u" + u.toString(16).toUpperCase(), i);
                return null;
              }
              if (i + 12 <= n && this.byte(i + 6) == 0x5c && this.byte(i + 7) == 0x75) {
                const lo = this.hex4(i + 8);
                if (lo < 0) return null;
                if ((lo & 0xfc00) == 0xdc00) {
                  store<u16>(o, <u16>u);
                  o += 2;
                  store<u16>(o, <u16>lo);
                  o += 2;
                  i += 12;
                  continue;
                }
              }
              this.fail("lone high surrogate \\u" + u.toString(16).toUpperCase() + " (not followed by a low surrogate escape)", i);
              return null;
            }
            store<u16>(o, <u16>u);
            o += 2;
            i += 6;
            continue;
          }
          default: {
            this.fail("invalid escape \\" + (e >= 0x21 && e < 0x7f ? String.fromCharCode(e) : "U+" + e.toString(16)), i);
            return null;
          }
        }
        store<u16>(o, <u16>c);
        o += 2;
        i += 2;
        continue;
      }
      if (b < 0x80) {
        store<u16>(o, <u16>b);
        o += 2;
        i++;
        continue;
      }
      // Multi-byte UTF-8, validated per RFC 3629 §4.
      let cp: u32 = 0;
      let need = 0;
      let lo: u32 = 0x80;
      let hi: u32 = 0xbf;
      if (b >= 0xc2 && b <= 0xdf) {
        need = 1;
        cp = b & 0x1f;
      } else if (b >= 0xe0 && b <= 0xef) {
        need = 2;
        cp = b & 0x0f;
        if (b == 0xe0) lo = 0xa0; // no overlongs
        else if (b == 0xed) hi = 0x9f; // no surrogates
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3;
        cp = b & 0x07;
        if (b == 0xf0) lo = 0x90; // no overlongs
        else if (b == 0xf4) hi = 0x8f; // nothing above U+10FFFF
      } else {
        this.fail("invalid UTF-8: byte 0x" + b.toString(16) + " cannot start a character", i);
        return null;
      }
      for (let k = 1; k <= need; k++) {
        if (i + k >= n) {
          this.fail("invalid UTF-8: truncated sequence", i);
          return null;
        }
        const cb = this.byte(i + k);
        const l = k == 1 ? lo : 0x80;
        const h = k == 1 ? hi : 0xbf;
        if (cb < l || cb > h) {
          this.fail("invalid UTF-8: bad continuation byte 0x" + cb.toString(16), i + k);
          return null;
        }
        cp = (cp << 6) | (cb & 0x3f);
      }
      if (cp >= 0x10000) {
        cp -= 0x10000;
        store<u16>(o, <u16>(0xd800 | (cp >> 10)));
        o += 2;
        store<u16>(o, <u16>(0xdc00 | (cp & 0x3ff)));
        o += 2;
      } else {
        store<u16>(o, <u16>cp);
        o += 2;
      }
      i += need + 1;
    }
    this.pos = i + 1;
    const bytes = o - buf;
    const out = changetype<string>(__new(bytes, idof<string>()));
    memory.copy(changetype<usize>(out), buf, bytes);
    return out;
  }

  /** Four hex digits at `at`, or -1 (after failing at the first non-hex byte). */
  private hex4(at: i32): i32 {
    let v: i32 = 0;
    for (let k = 0; k < 4; k++) {
      if (at + k >= this.len) {
        this.fail("invalid \\u escape: expected 4 hex digits", at + k);
        return -1;
      }
      const c = this.byte(at + k);
      let d: i32;
      if (c >= 0x30 && c <= 0x39) d = <i32>c - 0x30;
      else if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) d = <i32>(c | 0x20) - 0x61 + 10;
      else {
        this.fail("invalid \\u escape: expected 4 hex digits", at + k);
        return -1;
      }
      v = (v << 4) | d;
    }
    return v;
  }
}

/** A short quoted rendering of a key for messages. */
function quote(s: string): string {
  return "\"" + (s.length > 40 ? s.substring(0, 40) + "…" : s) + "\"";
}

// Compact JSON serializer for the value tree: no whitespace, members in stored order.
//
// The output is valid RFC 8259 JSON that JSON.parse accepts and that `parseJson` reads back to
// an equal tree:
// - strings: `"` and `\` escaped, control characters as \b \f \n \r \t or \u00XX, everything
//   else written as is (the result is a UTF-16 string; `stringifyUtf8` encodes it). A lone
//   surrogate (possible only in trees built by hand; the parser rejects them) is written as a
//   \uXXXX escape so the output stays well-formed text.
// - INT numbers in decimal; FLOAT numbers in AssemblyScript's shortest round-trip form
//   (always with a '.' or an exponent, so they read back as FLOAT), -0 as "-0.0"; NaN and
//   infinities, which JSON cannot express, as `null` (what JSON.stringify does).
import { JsonArray, JsonBool, JsonKind, JsonNumber, JsonObject, JsonString, JsonValue } from "./value";

/** The compact JSON text of `v`. */
export function stringify(v: JsonValue): string {
  const w = new JsonWriter();
  w.value(v);
  return w.toString();
}

/** The compact JSON text of `v`, UTF-8 encoded. */
export function stringifyUtf8(v: JsonValue): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(stringify(v)));
}

/** A JSON string literal (with quotes) for `s`. */
export function quoteJsonString(s: string): string {
  const w = new JsonWriter();
  w.string(s);
  return w.toString();
}

// The buffer is raw heap memory, which the GC never frees: the writer owns it and `toString`
// frees it and leaves none behind (a replacement allocated there leaked one block per call,
// i.e. per JWT a filter serialised).
class JsonWriter {
  private buf: usize = heap.alloc(256);
  private cap: i32 = 128; // UTF-16 units
  private len: i32 = 0;

  private reserve(units: i32): void {
    const need = this.len + units;
    if (need <= this.cap) return;
    let cap = max(this.cap << 1, 128);
    while (cap < need) cap <<= 1;
    this.buf = this.buf == 0 ? heap.alloc(<usize>cap << 1) : heap.realloc(this.buf, <usize>cap << 1);
    this.cap = cap;
  }

  // @ts-ignore: decorator
  @inline private put(c: u32): void {
    store<u16>(this.buf + (<usize>this.len << 1), <u16>c);
    this.len++;
  }

  private raw(s: string): void {
    const n = s.length;
    this.reserve(n);
    memory.copy(this.buf + (<usize>this.len << 1), changetype<usize>(s), <usize>n << 1);
    this.len += n;
  }

  toString(): string {
    const out = changetype<string>(__new(<usize>this.len << 1, idof<string>()));
    memory.copy(changetype<usize>(out), this.buf, <usize>this.len << 1);
    heap.free(this.buf);
    this.buf = 0;
    this.cap = 0;
    this.len = 0;
    return out;
  }

  /** Writes `root`. Iterative (explicit stack), so deep trees cannot exhaust the wasm stack. */
  value(root: JsonValue): void {
    const containers = new Array<JsonValue>();
    const next = new Array<i32>(); // index of the next child to write, per open container
    let v = root;
    while (true) {
      // Write v, or open it when it is a non-empty container.
      switch (v.kind) {
        case JsonKind.NULL: this.raw("null"); break;
        case JsonKind.BOOL: this.raw(changetype<JsonBool>(v).value ? "true" : "false"); break;
        case JsonKind.INT: this.raw(changetype<JsonNumber>(v).intValue.toString()); break;
        case JsonKind.FLOAT: this.float(changetype<JsonNumber>(v).floatValue); break;
        case JsonKind.STRING: this.string(changetype<JsonString>(v).value); break;
        default: {
          this.reserve(2);
          this.put(v.kind == JsonKind.ARRAY ? 0x5b : 0x7b);
          containers.push(v);
          next.push(0);
        }
      }
      // Find the next value to write, closing finished containers.
      while (true) {
        if (containers.length == 0) return;
        const top = unchecked(containers[containers.length - 1]);
        const i = next.pop();
        if (i >= top.length) {
          containers.pop();
          this.reserve(1);
          this.put(top.kind == JsonKind.ARRAY ? 0x5d : 0x7d);
          continue;
        }
        next.push(i + 1);
        if (i > 0) {
          this.reserve(1);
          this.put(0x2c);
        }
        if (top.kind == JsonKind.ARRAY) {
          v = unchecked(changetype<JsonArray>(top).items[i]);
        } else {
          const o = changetype<JsonObject>(top);
          this.string(unchecked(o.keys[i]));
          this.reserve(1);
          this.put(0x3a);
          v = unchecked(o.values[i]);
        }
        break;
      }
    }
  }

  private float(f: f64): void {
    if (!isFinite(f)) {
      this.raw("null");
      return;
    }
    if (f == 0) {
      this.raw(reinterpret<u64>(f) >> 63 ? "-0.0" : "0.0");
      return;
    }
    this.raw(f.toString());
  }

  string(s: string): void {
    const n = s.length;
    // Worst case: every unit becomes a 6-unit \u escape.
    this.reserve(n * 6 + 2);
    this.put(0x22);
    for (let i = 0; i < n; i++) {
      const c = <u32>s.charCodeAt(i);
      if (c >= 0x20 && c != 0x22 && c != 0x5c && (c & 0xf800) != 0xd800) {
        this.put(c);
        continue;
      }
      if (c == 0x22 || c == 0x5c) {
        this.put(0x5c);
        this.put(c);
        continue;
      }
      if ((c & 0xf800) == 0xd800) {
        // A well-formed pair is written as is; a lone surrogate is escaped.
        if (c < 0xdc00 && i + 1 < n && (<u32>s.charCodeAt(i + 1) & 0xfc00) == 0xdc00) {
          this.put(c);
          this.put(<u32>s.charCodeAt(i + 1));
          i++;
        } else {
          this.escapeU(c);
        }
        continue;
      }
      switch (c) {
        case 0x08: this.put(0x5c); this.put(0x62); break;
        case 0x0c: this.put(0x5c); this.put(0x66); break;
        case 0x0a: this.put(0x5c); this.put(0x6e); break;
        case 0x0d: this.put(0x5c); this.put(0x72); break;
        case 0x09: this.put(0x5c); this.put(0x74); break;
        default: this.escapeU(c);
      }
    }
    this.put(0x22);
  }

  private escapeU(c: u32): void {
    this.put(0x5c);
    this.put(0x75);
    for (let shift = 12; shift >= 0; shift -= 4) {
      const d = (c >> shift) & 0xf;
      this.put(d < 10 ? 0x30 + d : 0x61 + d - 10);
    }
  }
}

// The dynamic JSON value tree: what `parseJson` returns and `stringify` writes.
//
// AssemblyScript has no union types and no nullable primitives, so every node is a `JsonValue`
// with a `kind`, and the accessors are shaped for filter code that walks configurations and JWT
// claims without casts:
//
//   const claims = parsed.value!;                       // a JsonValue
//   const iss = claims.getString("iss");                // string | null (null: absent or not a string)
//   const exp = claims.getNumberOr("exp", NaN);          // f64, NaN when absent or not a number
//   const aud = claims.get("aud");                       // JsonValue | null
//   if (aud !== null && aud.isArray()) for (let i = 0; i < aud.length; i++) { aud.at(i)!.asString() ... }
//
// Objects keep their members in document order. The parser rejects duplicate keys (see
// parse.ts), so `get` is unambiguous; `JsonObject.set` replaces an existing member in place.

export const enum JsonKind {
  NULL = 0,
  BOOL = 1,
  /** A number written without fraction or exponent that fits in i64. */
  INT = 2,
  /** Any other number (fraction, exponent, beyond i64, or -0). */
  FLOAT = 3,
  STRING = 4,
  ARRAY = 5,
  OBJECT = 6,
}

/** Objects up to this size are searched linearly; larger ones get an index on first lookup. */
// @ts-ignore: decorator
@inline const LINEAR_LOOKUP_MAX = 12;

export class JsonValue {
  constructor(readonly kind: JsonKind) {}

  isNull(): bool {
    return this.kind == JsonKind.NULL;
  }
  isBool(): bool {
    return this.kind == JsonKind.BOOL;
  }
  /** INT or FLOAT. */
  isNumber(): bool {
    return this.kind == JsonKind.INT || this.kind == JsonKind.FLOAT;
  }
  /** A number held exactly as i64 (written without fraction/exponent, in range). */
  isInt(): bool {
    return this.kind == JsonKind.INT;
  }
  isString(): bool {
    return this.kind == JsonKind.STRING;
  }
  isArray(): bool {
    return this.kind == JsonKind.ARRAY;
  }
  isObject(): bool {
    return this.kind == JsonKind.OBJECT;
  }

  /** Name of the kind, for error messages ("expected string, got number"). */
  kindName(): string {
    switch (this.kind) {
      case JsonKind.NULL: return "null";
      case JsonKind.BOOL: return "boolean";
      case JsonKind.INT:
      case JsonKind.FLOAT: return "number";
      case JsonKind.STRING: return "string";
      case JsonKind.ARRAY: return "array";
      default: return "object";
    }
  }

  // --- Narrowing: the node itself when it has that kind, else null ---

  asObject(): JsonObject | null {
    return this.kind == JsonKind.OBJECT ? changetype<JsonObject>(this) : null;
  }
  asArray(): JsonArray | null {
    return this.kind == JsonKind.ARRAY ? changetype<JsonArray>(this) : null;
  }
  /** The string value, or null when this is not a string. */
  asString(): string | null {
    return this.kind == JsonKind.STRING ? changetype<JsonString>(this).value : null;
  }
  asNumber(): JsonNumber | null {
    return this.isNumber() ? changetype<JsonNumber>(this) : null;
  }

  // --- Primitive values with a fallback (AssemblyScript has no `i64 | null`) ---

  /** The boolean, or `fallback` when this is not a boolean. */
  boolOr(fallback: bool): bool {
    return this.kind == JsonKind.BOOL ? changetype<JsonBool>(this).value : fallback;
  }
  /** The exact integer when `isInt()`, else `fallback` (a FLOAT is never silently truncated). */
  intOr(fallback: i64): i64 {
    return this.kind == JsonKind.INT ? changetype<JsonNumber>(this).intValue : fallback;
  }
  /** The number as f64 (INT converted), or `fallback` when this is not a number. */
  numberOr(fallback: f64): f64 {
    return this.isNumber() ? changetype<JsonNumber>(this).floatValue : fallback;
  }

  // --- Containers ---

  /** Elements of an array or members of an object; 0 for anything else. */
  get length(): i32 {
    if (this.kind == JsonKind.ARRAY) return changetype<JsonArray>(this).items.length;
    if (this.kind == JsonKind.OBJECT) return changetype<JsonObject>(this).keys.length;
    return 0;
  }

  /** Array element `i`, or null when this is not an array or `i` is out of range. */
  at(i: i32): JsonValue | null {
    if (this.kind != JsonKind.ARRAY) return null;
    const items = changetype<JsonArray>(this).items;
    return i >= 0 && i < items.length ? unchecked(items[i]) : null;
  }

  /** Object member `key`, or null when this is not an object or has no such member. */
  get(key: string): JsonValue | null {
    if (this.kind != JsonKind.OBJECT) return null;
    return changetype<JsonObject>(this).member(key);
  }

  has(key: string): bool {
    return this.get(key) !== null;
  }

  /** Member `key` when it is a string, else null. */
  getString(key: string): string | null {
    const v = this.get(key);
    return v === null ? null : v.asString();
  }
  getObject(key: string): JsonObject | null {
    const v = this.get(key);
    return v === null ? null : v.asObject();
  }
  getArray(key: string): JsonArray | null {
    const v = this.get(key);
    return v === null ? null : v.asArray();
  }
  getNumber(key: string): JsonNumber | null {
    const v = this.get(key);
    return v === null ? null : v.asNumber();
  }
  getBoolOr(key: string, fallback: bool): bool {
    const v = this.get(key);
    return v === null ? fallback : v.boolOr(fallback);
  }
  getIntOr(key: string, fallback: i64): i64 {
    const v = this.get(key);
    return v === null ? fallback : v.intOr(fallback);
  }
  getNumberOr(key: string, fallback: f64): f64 {
    const v = this.get(key);
    return v === null ? fallback : v.numberOr(fallback);
  }
}

export class JsonNull extends JsonValue {
  constructor() {
    super(JsonKind.NULL);
  }
}

export class JsonBool extends JsonValue {
  constructor(readonly value: bool) {
    super(JsonKind.BOOL);
  }
}

/** A number: `intValue` is exact when `kind` is INT; `floatValue` is always set. */
export class JsonNumber extends JsonValue {
  readonly intValue: i64;
  readonly floatValue: f64;

  private constructor(kind: JsonKind, i: i64, f: f64) {
    super(kind);
    this.intValue = i;
    this.floatValue = f;
  }

  static fromInt(i: i64): JsonNumber {
    return new JsonNumber(JsonKind.INT, i, <f64>i);
  }

  /** A FLOAT number. NaN and infinities are not JSON; `stringify` writes them as `null`. */
  static fromFloat(f: f64): JsonNumber {
    return new JsonNumber(JsonKind.FLOAT, 0, f);
  }
}

export class JsonString extends JsonValue {
  constructor(readonly value: string) {
    super(JsonKind.STRING);
  }
}

export class JsonArray extends JsonValue {
  items: JsonValue[];

  constructor(items: JsonValue[] = []) {
    super(JsonKind.ARRAY);
    this.items = items;
  }

  push(v: JsonValue): void {
    this.items.push(v);
  }
}

export class JsonObject extends JsonValue {
  /**
   * Member names, in document (or insertion) order; parallel to `values`. Read them freely;
   * change members only through `set`, which keeps the lookup index in step.
   */
  keys: string[] = [];
  values: JsonValue[] = [];
  /** Name → index, built on the first lookup of an object larger than LINEAR_LOOKUP_MAX. */
  private index: Map<string, i32> | null = null;

  constructor() {
    super(JsonKind.OBJECT);
  }

  keyAt(i: i32): string {
    return this.keys[i];
  }
  valueAt(i: i32): JsonValue {
    return this.values[i];
  }

  /** Index of member `key`, or -1. */
  indexOf(key: string): i32 {
    const keys = this.keys;
    const n = keys.length;
    if (n <= LINEAR_LOOKUP_MAX) {
      for (let i = 0; i < n; i++) if (unchecked(keys[i]) == key) return i;
      return -1;
    }
    let index = this.index;
    if (index === null) {
      index = new Map<string, i32>();
      // Keys are unique (the parser rejects duplicates; set() replaces), so no overwrite here.
      for (let i = 0; i < n; i++) index.set(unchecked(keys[i]), i);
      this.index = index;
    }
    return index.has(key) ? index.get(key) : -1;
  }

  member(key: string): JsonValue | null {
    const i = this.indexOf(key);
    return i < 0 ? null : unchecked(this.values[i]);
  }

  /** Sets member `key`: replaces it in place when present, else appends it. */
  set(key: string, value: JsonValue): void {
    const i = this.indexOf(key);
    if (i >= 0) {
      this.values[i] = value;
      return;
    }
    this.keys.push(key);
    this.values.push(value);
    const index = this.index;
    if (index !== null) index.set(key, this.keys.length - 1);
  }

  /** Appends a member known not to exist (the parser checks first); keeps the index in sync. */
  appendUnchecked(key: string, value: JsonValue): void {
    this.keys.push(key);
    this.values.push(value);
    const index = this.index;
    if (index !== null) index.set(key, this.keys.length - 1);
  }
}

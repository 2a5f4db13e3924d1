// Test and bench entry for sdk/json (and sdk/crypto/jwk, which parses through it).
import {
  JsonArray, JsonKind, JsonNumber, JsonObject, JsonOptions, JsonString, JsonValue, JsonBool, JsonNull,
  parseJson, parseJsonString, stringify, quoteJsonString,
} from "../../../sdk/json/index";

let lastError: string = "";
let lastPosition: i32 = -1;

function options(maxDepth: i32, maxBytes: i32): JsonOptions {
  const o = new JsonOptions();
  if (maxDepth > 0) o.maxDepth = maxDepth;
  if (maxBytes > 0) o.maxBytes = maxBytes;
  return o;
}

function finish(r: JsonValue | null, err: string, pos: i32): string | null {
  lastError = err;
  lastPosition = pos;
  return r === null ? null : stringify(r);
}

/** Parses UTF-8 bytes; returns the compact re-serialization, or null (see lastError). 0 = default limit. */
export function parseBytes(input: Uint8Array, maxDepth: i32, maxBytes: i32): string | null {
  const r = parseJson(input, options(maxDepth, maxBytes));
  const e = r.error;
  return finish(r.value, e === null ? "" : e.message, e === null ? -1 : e.position);
}

/** Parses a string (UTF-16 in AssemblyScript); as parseBytes. */
export function parseString(input: string, maxDepth: i32, maxBytes: i32): string | null {
  const r = parseJsonString(input, options(maxDepth, maxBytes));
  const e = r.error;
  return finish(r.value, e === null ? "" : e.message, e === null ? -1 : e.position);
}

export function lastErrorMessage(): string {
  return lastError;
}
export function lastErrorPosition(): i32 {
  return lastPosition;
}

/** The kinds of all numbers in document order: "I" for INT, "F" for FLOAT. */
export function numberKinds(input: string): string {
  const r = parseJsonString(input);
  if (r.value === null) return "!";
  let out = "";
  const stack: JsonValue[] = [r.value!];
  // Depth-first, document order (push children in reverse).
  while (stack.length > 0) {
    const v = stack.pop();
    if (v.kind == JsonKind.INT) out += "I";
    else if (v.kind == JsonKind.FLOAT) out += "F";
    else if (v.isArray()) for (let i = v.length - 1; i >= 0; i--) stack.push(v.at(i)!);
    else if (v.isObject()) for (let i = v.length - 1; i >= 0; i--) stack.push(v.asObject()!.valueAt(i));
  }
  return out;
}

/** Runs every accessor on member `key` of the parsed object and reports what each returned. */
export function probe(input: string, key: string): string {
  const r = parseJsonString(input);
  if (r.value === null) return "!";
  const root = r.value!;
  const v = root.get(key);
  const s = root.getString(key);
  const num = root.getNumber(key);
  const arr = root.getArray(key);
  const obj = root.getObject(key);
  let out = "has=" + (root.has(key) ? "1" : "0");
  out += "|kind=" + (v === null ? "-" : v.kindName());
  out += "|string=" + (s === null ? "null" : s);
  out += "|int=" + root.getIntOr(key, -999).toString();
  out += "|number=" + root.getNumberOr(key, -999.5).toString();
  out += "|bool=" + (root.getBoolOr(key, false) ? "true" : "false") + "/" + (root.getBoolOr(key, true) ? "true" : "false");
  out += "|num=" + (num === null ? "null" : num.isInt() ? "int" : "float");
  out += "|array=" + (arr === null ? "null" : arr.length.toString());
  out += "|object=" + (obj === null ? "null" : obj.length.toString());
  out += "|length=" + (v === null ? "-" : v.length.toString());
  out += "|at0=" + (v === null || v.at(0) === null ? "null" : v.at(0)!.kindName());
  out += "|at-1=" + (v === null || v.at(-1) === null ? "null" : "!");
  // Keys of an object member, in order.
  if (obj !== null) {
    out += "|keys=" + obj.keys.join(",");
  }
  return out;
}

/** Builds a tree through the API (set, replace, push, special floats) and serializes it. */
export function buildTree(): string {
  const o = new JsonObject();
  o.set("b", new JsonString("first"));
  o.set("a", JsonNumber.fromInt(-9223372036854775807 - 1));
  o.set("b", new JsonString("replaced\u0000\"\\\n\u2028\uD800"));
  const arr = new JsonArray();
  arr.push(JsonNumber.fromFloat(0.1));
  arr.push(JsonNumber.fromFloat(-0.0));
  arr.push(JsonNumber.fromFloat(NaN));
  arr.push(JsonNumber.fromFloat(Infinity));
  arr.push(JsonNumber.fromFloat(1e21));
  arr.push(JsonNumber.fromFloat(5e-324));
  arr.push(JsonNumber.fromFloat(100));
  arr.push(new JsonBool(true));
  arr.push(new JsonNull());
  o.set("c", arr);
  // Past the linear-lookup size, lookups go through the index: keep it coherent under set().
  for (let i = 0; i < 20; i++) o.set("k" + i.toString(), JsonNumber.fromInt(i));
  o.set("k3", new JsonString("three"));
  o.set("k20", new JsonString("twenty"));
  if (o.getString("k3") != "three" || o.getIntOr("k19", -1) != 19 || o.getString("k20") != "twenty") return "index broken";
  return stringify(o);
}

/** Benchmark helper: parses `input` `rounds` times. */
export function parseRepeat(input: Uint8Array, rounds: i32): i32 {
  let n = 0;
  for (let i = 0; i < rounds; i++) if (parseJson(input).ok) n++;
  return n;
}

/** Leak check helper: parses `input` once, then serializes the tree and quotes a string `rounds` times. */
export function stringifyRepeat(input: string, rounds: i32): i32 {
  const r = parseJsonString(input);
  if (r.value === null) return -1;
  let n = 0;
  for (let i = 0; i < rounds; i++) n += stringify(r.value!).length + quoteJsonString("x").length;
  return n;
}

// --- JWK (sdk/crypto/jwk.ts), reported as JSON built with the value tree ---
import { Jwk, JwksResult, JwkResult, parseJwkString, parseJwksString, parseJwksBytes } from "../../../sdk/crypto/jwk";
import { base64UrlEncode } from "../../../sdk/crypto/base64";

function bytesOrNull(b: Uint8Array | null): JsonValue {
  return b === null ? changetype<JsonValue>(new JsonNull()) : changetype<JsonValue>(new JsonString(base64UrlEncode(b)));
}
function stringOrNull(s: string | null): JsonValue {
  return s === null ? changetype<JsonValue>(new JsonNull()) : changetype<JsonValue>(new JsonString(s));
}
function describeKey(k: Jwk): JsonObject {
  const o = new JsonObject();
  o.set("index", JsonNumber.fromInt(k.index));
  o.set("kty", new JsonString(k.ktyName));
  o.set("kid", stringOrNull(k.kid));
  o.set("alg", stringOrNull(k.alg));
  o.set("use", stringOrNull(k.use));
  const ops = k.keyOps;
  if (ops === null) o.set("key_ops", new JsonNull());
  else {
    const a = new JsonArray();
    for (let i = 0; i < ops.length; i++) a.push(new JsonString(ops[i]));
    o.set("key_ops", a);
  }
  o.set("n", bytesOrNull(k.n));
  o.set("e", bytesOrNull(k.e));
  o.set("bits", JsonNumber.fromInt(k.modulusBits));
  o.set("crv", JsonNumber.fromInt(<i64>k.crv));
  o.set("x", bytesOrNull(k.x));
  o.set("y", bytesOrNull(k.y));
  o.set("k", bytesOrNull(k.k));
  return o;
}
function describeSet(r: JwksResult): string {
  const o = new JsonObject();
  const err = r.error;
  if (err !== null) {
    o.set("error", new JsonString(err.toString()));
    return stringify(o);
  }
  const set = r.set!;
  const keys = new JsonArray();
  for (let i = 0; i < set.keys.length; i++) keys.push(describeKey(set.keys[i]));
  o.set("keys", keys);
  const skipped = new JsonArray();
  for (let i = 0; i < set.skipped.length; i++) skipped.push(new JsonString(set.skipped[i].toString()));
  o.set("skipped", skipped);
  return stringify(o);
}

/** A JWKS, described as {"keys":[…],"skipped":["keys[1].kty: …"]} or {"error":"path: message"}. */
export function jwks(text: string): string {
  return describeSet(parseJwksString(text));
}
export function jwksBytes(text: Uint8Array): string {
  return describeSet(parseJwksBytes(text));
}
/** One JWK, described as {"key":{…}} or {"error":"path: message"}. */
export function jwk(text: string): string {
  const r: JwkResult = parseJwkString(text);
  const o = new JsonObject();
  const err = r.error;
  if (err !== null) o.set("error", new JsonString(err.toString()));
  else o.set("key", describeKey(r.key!));
  return stringify(o);
}
/** kid lookup: indexes of the keys with that kid. */
export function jwksKidIndexes(text: string, kid: string): string {
  const r = parseJwksString(text);
  if (r.set === null) return "!";
  const found = r.set!.byKid(kid);
  let out = "";
  for (let i = 0; i < found.length; i++) out += (i > 0 ? "," : "") + found[i].index.toString();
  return out;
}

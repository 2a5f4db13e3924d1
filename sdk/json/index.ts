// JSON for filters: a strict RFC 8259 parser, a dynamic value tree and a compact serializer.
// See parse.ts for exactly what is rejected and why, value.ts for the accessors.
export { JsonArray, JsonBool, JsonKind, JsonNull, JsonNumber, JsonObject, JsonString, JsonValue } from "./value";
export { JsonError, JsonOptions, JsonParseResult, parseJson, parseJsonRange, parseJsonRaw, parseJsonString } from "./parse";
export { quoteJsonString, stringify, stringifyUtf8 } from "./stringify";

// JWT claims as filters share them through filter state (wasmesh.jwt.claims): pure code.
import { JsonArray, JsonString, JsonValue } from "./json/index";

/**
 * policy-semantics §1.9.2: a top-level claim whose value is a string of space-separated
 * parts (`scope`, `permission`, and any claim a rule names) is published as the list of its
 * non-empty parts. Idempotent: a claim that is already a list is left alone.
 */
export function splitSpaceDelimitedClaim(claims: JsonValue, name: string): void {
  const v = claims.get(name);
  if (v === null) return;
  const s = v.asString();
  if (s === null) return;
  const parts = s.split(" ");
  const list = new Array<JsonValue>();
  for (let i = 0; i < parts.length; i++) if (parts[i].length > 0) list.push(new JsonString(parts[i]));
  claims.asObject()!.set(name, new JsonArray(list));
}

// The verified JWT identity jwt-authn hands to authz through filter state (sdk/filter-state.ts:
// `wasmesh.jwt.principal`, `.claims`, `.audiences`, `.presenter`), read into plain values for
// `request.auth.*` (policy-semantics.md §1.10). Pure code: the adapter passes the strings.
//
// Fail closed: filter state that is present but malformed (claims that are not a JSON object,
// audiences that are not a list of strings) is an error, never "no token" — otherwise a broken
// or hostile earlier filter would turn a DENY on a request principal into an allow.
import { JsonValue, parseJsonString } from "../../sdk/json/index";
import { splitSpaceDelimitedClaim } from "../../sdk/jwt-claims";

export class JwtIdentity {
  /** `iss` claim (string), or null. */
  iss: string | null = null;
  /** `sub` claim (string), or null. */
  sub: string | null = null;
  /** The payload object, or null when only the principal was given. */
  claims: JsonValue | null = null;
  /** `aud`: the token's audiences (a string claim becomes one entry). */
  audiences: Array<string> = [];
  /** `azp`, or null. */
  presenter: string | null = null;

  /**
   * The strings a claim path leads to: a string claim gives itself, a list gives its string
   * elements; numbers, booleans, objects, null and missing claims give nothing (§2.7).
   */
  claimStrings(path: Array<string>): Array<string> {
    const out = new Array<string>();
    let v = this.claims;
    for (let i = 0; i < path.length && v !== null; i++) v = v.get(path[i]);
    if (v === null) return out;
    const s = v.asString();
    if (s !== null) {
      out.push(s);
      return out;
    }
    if (v.isArray()) {
      for (let i = 0; i < v.length; i++) {
        const e = v.at(i)!.asString();
        if (e !== null) out.push(e);
      }
    }
    return out;
  }
}

export class IdentityResult {
  constructor(readonly identity: JwtIdentity | null, readonly error: string | null) {}
}

function isEmpty(s: string | null): bool {
  return s === null || s.length == 0;
}

/**
 * Builds the identity from the four filter-state values (null or empty = not set). No value
 * at all means "no verified token" (null identity, no error).
 */
export function readJwtIdentity(
  principal: string | null, claimsJson: string | null, audiencesJson: string | null, presenter: string | null,
): IdentityResult {
  if (isEmpty(principal) && isEmpty(claimsJson) && isEmpty(audiencesJson) && isEmpty(presenter)) {
    return new IdentityResult(null, null);
  }
  const id = new JwtIdentity();
  if (!isEmpty(claimsJson)) {
    const parsed = parseJsonString(claimsJson!);
    if (!parsed.ok) return new IdentityResult(null, "wasmesh.jwt.claims: not JSON: " + parsed.error!.toString());
    const claims = parsed.value!;
    if (!claims.isObject()) return new IdentityResult(null, "wasmesh.jwt.claims: expected a JSON object, got " + claims.kindName());
    // jwt-authn already publishes these split (§1.9.2); doing it again is idempotent and keeps
    // request.auth.claims[scope] right if an earlier filter did not.
    splitSpaceDelimitedClaim(claims, "scope");
    splitSpaceDelimitedClaim(claims, "permission");
    id.claims = claims;
    id.iss = claims.getString("iss");
    id.sub = claims.getString("sub");
    id.presenter = claims.getString("azp");
    id.audiences = id.claimStrings(["aud"]); // a string, or the strings of a list
  } else if (!isEmpty(principal)) {
    // Only `<iss>/<sub>`: split at the last '/', as Istio splits request principals.
    const p = principal!;
    const slash = p.lastIndexOf("/");
    if (slash < 0) return new IdentityResult(null, "wasmesh.jwt.principal: expected '<iss>/<sub>', got '" + p + "'");
    id.iss = p.substring(0, slash);
    id.sub = p.substring(slash + 1);
  }
  if (!isEmpty(audiencesJson)) {
    const parsed = parseJsonString(audiencesJson!);
    if (!parsed.ok) return new IdentityResult(null, "wasmesh.jwt.audiences: not JSON: " + parsed.error!.toString());
    const list = parsed.value!;
    if (!list.isArray()) return new IdentityResult(null, "wasmesh.jwt.audiences: expected a JSON array of strings, got " + list.kindName());
    const auds = new Array<string>();
    for (let i = 0; i < list.length; i++) {
      const e = list.at(i)!.asString();
      if (e === null) return new IdentityResult(null, "wasmesh.jwt.audiences[" + i.toString() + "]: expected a string");
      auds.push(e);
    }
    id.audiences = auds;
  }
  if (!isEmpty(presenter)) id.presenter = presenter;
  return new IdentityResult(id, null);
}


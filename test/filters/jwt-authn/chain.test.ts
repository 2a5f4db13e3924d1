// jwt-authn → authz on one chain (DESIGN.md "Rules of the seam"): the identity authz sees is the
// one jwt-authn verified and put in filter state, never a header a client could forge.
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../../host-shim/index.ts";
import { ISS, T0, WASM, jwks, key, token, type TestKey } from "./helpers.ts";

let k1: TestKey;
beforeAll(async () => {
  k1 = await key("RS256", "k1");
});

async function chain() {
  const h = new Host({ clock: T0 });
  await h.loadPlugin({ wasm: WASM, name: "jwt", config: { jwtRules: [{ issuer: ISS, jwks: jwks(k1), outputClaimToHeaders: [{ header: "x-sub", claim: "sub" }] }] } });
  await h.loadPlugin({
    wasm: "build/authz.wasm",
    name: "authz",
    config: { policies: [{ name: "require-alice", namespace: "default", rules: [{ from: [{ source: { requestPrincipals: [`${ISS}/alice`] } }], when: [{ key: "request.auth.claims[scope]", values: ["write"] }] }] }] },
  });
  return h;
}

describe("jwt-authn then authz", () => {
  it("authz allows the principal and claims jwt-authn verified", async () => {
    const h = await chain();
    const r = await h.send({ headers: { authorization: `Bearer ${await token(k1, { iss: ISS, sub: "alice", scope: "read write" })}` } });
    expect(r.response!.status).toBe(200);
    expect(r.upstream!.header("x-sub")).toBe("alice");
  });

  it("another subject, a missing scope, no token, or forged identity headers are denied by authz", async () => {
    const h = await chain();
    const deny = async (headers: Record<string, string>) => (await h.send({ headers })).response!;
    expect((await deny({ authorization: `Bearer ${await token(k1, { iss: ISS, sub: "bob", scope: "write" })}` })).status).toBe(403);
    expect((await deny({ authorization: `Bearer ${await token(k1, { iss: ISS, sub: "alice", scope: "read" })}` })).status).toBe(403);
    expect((await deny({ "x-sub": "alice" })).status).toBe(403);
    // an invalid token never reaches authz: jwt-authn answers 401 first
    const r = await deny({ authorization: `Bearer ${await token(k1, { iss: ISS, sub: "alice", scope: "write", exp: 1 })}` });
    expect(r.status).toBe(401);
  });
});

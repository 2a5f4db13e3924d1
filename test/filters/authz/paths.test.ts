// Path normalization before matching (policy-semantics.md §2.8, §2.8a): the bypass catalogue per
// mode, a table of bypass attempts that must all be denied, and what the upstream receives.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { authz, verdict } from "./helpers.ts";

const denyAdmin = { name: "deny-admin", namespace: "foo", action: "DENY", rules: [{ to: [{ operation: { paths: ["/admin*"] } }] }] };
const allowPublic = { name: "allow-public", namespace: "foo", action: "ALLOW", rules: [{ to: [{ operation: { paths: ["/public/*"] } }] }] };

type Mode = "NONE" | "BASE" | "MERGE_SLASHES" | "DECODE_AND_MERGE_SLASHES";
const MODES: Mode[] = ["NONE", "BASE", "MERGE_SLASHES", "DECODE_AND_MERGE_SLASHES"];

// §2.8's catalogue, DENY paths ["/admin*"]: the verdict under NONE, BASE, MERGE_SLASHES, DECODE_AND_MERGE_SLASHES.
const catalogue: Array<[string, ["allow" | 403, "allow" | 403, "allow" | 403, "allow" | 403]]> = [
  ["/admin/x", [403, 403, 403, 403]],
  ["/public/../admin/x", ["allow", 403, 403, 403]],
  ["/%61dmin/x", ["allow", 403, 403, 403]],
  ["/public\\..\\admin", ["allow", 403, 403, 403]],
  ["//admin/x", ["allow", "allow", 403, 403]],
  ["/public%2F..%2Fadmin", ["allow", "allow", "allow", 403]],
  ["/ADMIN/x", ["allow", "allow", "allow", "allow"]], // case-sensitive; Istio has no case normalization
  ["/admin?x=1", [403, 403, 403, 403]],
  ["/admin#x", [403, 403, 403, 403]], // the fragment is stripped in every mode (§2.8a)
];

describe("bypass catalogue per normalization mode (§2.8)", () => {
  for (const [path, verdicts] of catalogue) {
    MODES.forEach((mode, i) => {
      it(`${mode}: ${path} -> ${verdicts[i]}`, async () => {
        const { host } = await authz({ pathNormalization: mode, policies: [denyAdmin] });
        expect(verdict(await host.send({ path }))).toBe(verdicts[i]);
      });
    });
  }
});

// With DECODE_AND_MERGE_SLASHES, every known way to spell /admin must hit the DENY, and every
// way to leave /public/ must miss an ALLOW on /public/*.
const attempts = [
  "/admin",
  "/admin/",
  "/admin/x",
  "/admin?x=1",
  "/admin#frag",
  "/admin/x#/../../public/ok",
  "/./admin",
  "/public/../admin",
  "/public/../admin/x",
  "/public/./../admin",
  "/a/b/../../admin",
  "/../admin",
  "/public/../../../admin",
  "/public/%2e%2e/admin",
  "/public/%2E%2E/admin",
  "/public/.%2e/admin",
  "/public/%2e./admin",
  "/%2e/admin",
  "/%61dmin",
  "/%61%64%6D%69%6e/x",
  "/adm%69n/x",
  "/public\\..\\admin",
  "/public%5C..%5Cadmin",
  "/public%5c..%5cadmin",
  "//admin",
  "///admin/x",
  "/public%2F..%2Fadmin",
  "/public%2f..%2fadmin",
  "/public%2F%2E%2E%2Fadmin",
  "/public/..;x/admin",
  "/public/..;/admin",
  // A `.;params` segment is `.` to a backend that strips path parameters (Tomcat), so it must
  // not be what a following `..` removes.
  "/public/.;x/../admin",
  "/public/.;/../admin",
];

describe("path bypass attempts are all denied (DECODE_AND_MERGE_SLASHES)", () => {
  for (const path of attempts) {
    it(`DENY /admin*: ${path}`, async () => {
      const { host } = await authz({ pathNormalization: "DECODE_AND_MERGE_SLASHES", policies: [denyAdmin] });
      expect(verdict(await host.send({ path }))).toBe(403);
    });
    it(`ALLOW /public/* only: ${path}`, async () => {
      const { host } = await authz({ pathNormalization: "DECODE_AND_MERGE_SLASHES", policies: [allowPublic] });
      expect(verdict(await host.send({ path }))).toBe(403);
    });
  }

  it("a real /public/ path is still allowed", async () => {
    const { host } = await authz({ pathNormalization: "DECODE_AND_MERGE_SLASHES", policies: [allowPublic, denyAdmin] });
    expect(verdict(await host.send({ path: "/public/a/../b?x=1" }))).toBe("allow");
  });
});

describe("the upstream receives the path that was authorized", () => {
  it("normalized path, query kept, fragment dropped", async () => {
    const { host } = await authz({ pathNormalization: "DECODE_AND_MERGE_SLASHES", policies: [] });
    const r = await host.send({ path: "//public/./a/../%62%2Fc?q=%2e%2e#frag" });
    expect(r.upstream!.path).toBe("/public/b/c?q=%2e%2e");
  });

  it("dot segments go before slashes are merged (Envoy's order), and the result is what is forwarded", async () => {
    // `..` removes the empty segment first: /public//..//admin -> /public//admin -> /public/admin.
    // A backend that merged slashes first would read /admin, but it receives /public/admin.
    const { host } = await authz({ pathNormalization: "DECODE_AND_MERGE_SLASHES", policies: [denyAdmin] });
    const r = await host.send({ path: "/public//..//admin" });
    expect(r.upstream!.path).toBe("/public/admin");
  });

  it("NONE forwards the path as received, minus the fragment", async () => {
    const { host } = await authz({ pathNormalization: "NONE", policies: [] });
    const r = await host.send({ path: "/a/../b?x#y" });
    expect(r.upstream!.path).toBe("/a/../b?x");
  });

  it("BASE is the default", async () => {
    const { host } = await authz({ policies: [denyAdmin] });
    expect(verdict(await host.send({ path: "/x/../admin" }))).toBe(403);
    expect(verdict(await host.send({ path: "//admin" }))).toBe("allow");
  });
});

describe("paths Envoy rejects with 400", () => {
  it("%00 under BASE and stricter", async () => {
    for (const mode of ["BASE", "MERGE_SLASHES", "DECODE_AND_MERGE_SLASHES"]) {
      const { host } = await authz({ pathNormalization: mode, policies: [] });
      const r = await host.send({ path: "/admin%00.html" });
      expect(r.response!.status).toBe(400);
      expect(r.details).toBe("path_normalization_failed");
      expect(r.upstream).toBeNull();
    }
  });

  it("%00 passes under NONE (§2.8a)", async () => {
    const { host } = await authz({ pathNormalization: "NONE", policies: [] });
    expect(verdict(await host.send({ path: "/a%00" }))).toBe("allow");
  });

  // A %-escape that survives decoding can only come from encoding twice (`%%30%30` decodes to
  // `%00`, `%%32%65` to `%2e`): forwarding it would hand a backend that decodes once more a
  // NUL, a `..` or (DECODE_AND_MERGE_SLASHES) a `/` the policy never saw.
  for (const [mode, path] of [
    ["BASE", "/x%%30%30"],
    ["BASE", "/public/%%32%65%%32%65/admin"],
    ["BASE", "/public/%2%65%2%65/admin"],
    ["MERGE_SLASHES", "/%%36%31dmin"],
    ["DECODE_AND_MERGE_SLASHES", "/public%%32%66..%%32%66admin"],
    ["DECODE_AND_MERGE_SLASHES", "/public%%35%63..%%35%63admin"],
  ] as const) {
    it(`${mode}: double-encoded ${path}`, async () => {
      const { host } = await authz({ pathNormalization: mode, policies: [] });
      const r = await host.send({ path });
      expect(r.response?.status).toBe(400);
      expect(r.details).toBe("path_normalization_failed");
      expect(r.upstream).toBeNull();
    });
  }

  it("an escape of a reserved character is still forwarded as received", async () => {
    const { host } = await authz({ pathNormalization: "DECODE_AND_MERGE_SLASHES", policies: [] });
    expect((await host.send({ path: "/a%3Fb%23c%25d%2500" })).upstream!.path).toBe("/a%3Fb%23c%25d%2500");
    const base = await authz({ pathNormalization: "BASE", policies: [] });
    expect((await base.host.send({ path: "/a%2Fb%5C" })).upstream!.path).toBe("/a%2Fb%5C"); // BASE keeps %2F (§2.8)
  });

  it("a path that does not start with /", async () => {
    const { host } = await authz({ policies: [] });
    const r = await host.send({ path: "admin" });
    expect(r.response!.status).toBe(400);
  });
});

// Random paths built from the pieces bypasses are made of: whatever the spelling, the request
// is denied exactly when the path the backend receives starts with /admin, and normalizing the
// forwarded path again changes nothing (so a second proxy or the backend cannot read it
// differently by normalizing once more).
describe("normalization properties (fast-check)", () => {
  const piece = fc.constantFrom("admin", "public", "..", ".", "%2e", "%2E%2e", "%2F", "%2f", "%5C", "\\", "/", "//", "%61dmin", "a", "..;x", "x");
  const pathArb = fc.array(piece, { minLength: 1, maxLength: 8 }).map((ps) => "/" + ps.join("/"));

  for (const mode of ["BASE", "MERGE_SLASHES", "DECODE_AND_MERGE_SLASHES"] as const) {
    it(`${mode}: denied iff the forwarded path starts with /admin; forwarding is idempotent`, async () => {
      const { host } = await authz({ pathNormalization: mode, policies: [denyAdmin] });
      const open = await authz({ pathNormalization: mode, policies: [] });
      await fc.assert(
        fc.asyncProperty(pathArb, async (path) => {
          const seen = (await open.host.send({ path })).upstream!.path;
          const again = (await open.host.send({ path: seen })).upstream!.path;
          expect(again, `re-normalizing ${seen}`).toBe(seen);
          expect(seen.split("/").includes(".."), `${seen} keeps a '..' segment`).toBe(false);
          if (mode !== "BASE") expect(seen.includes("//"), `${seen} keeps '//'`).toBe(false);
          if (mode === "DECODE_AND_MERGE_SLASHES") expect(/%2f|%5c|\\/i.test(seen), `${seen} keeps an encoded slash`).toBe(false);
          const v = verdict(await host.send({ path }));
          expect(v === 403, `${path} -> ${seen}`).toBe(seen.startsWith("/admin"));
        }),
        { numRuns: 400 },
      );
    });
  }
});

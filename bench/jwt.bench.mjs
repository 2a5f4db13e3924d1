#!/usr/bin/env node
// jwt-authn per-request cost for a valid RS256 and ES256 token, first seen (full verification:
// parse, checks, signature) and cached (the verified-token cache hit), as ratios to the
// pass-through module (build/fixtures/passthrough.wasm) run through the host shim on the same
// request in the same run.
//
// Method: one Host per variant. "first seen" runs the filter with `verifiedTokenCacheSize: 0`,
// so every request verifies the token from scratch — the cost of a token the filter has not
// seen (minting a fresh RS256 token per request would time node's signing instead); "cached"
// runs the default configuration after a warm-up, so every request is a cache hit. Each round
// sends a batch of identical requests through every variant, in an order that alternates
// between rounds; each batch is timed on its own; the medians of the per-request times are
// compared. Keys are inline (`jwks`), RSA 2048 and P-256; signatures are checked in wasm.
//
// Usage: node scripts/build.mjs --only jwt-authn && node bench/jwt.bench.mjs [--quick]
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { loadavg } from "node:os";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
const quick = process.argv.includes("--quick");
for (const f of ["build/jwt-authn.wasm", "build/fixtures/passthrough.wasm"]) {
  if (!existsSync(f)) {
    console.error(`missing ${f}: run \`node scripts/build.mjs --only jwt-authn\` (and the fixtures) first`);
    process.exit(1);
  }
}

// The shim is TypeScript: bundle the current sources for plain Node, inside the project so its
// packages resolve.
const tmp = mkdtempSync(join(root, "build", ".bench-"));
await build({ entryPoints: ["host-shim/index.ts"], outfile: join(tmp, "host.mjs"), bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "warning" });
const { Host } = await import(pathToFileURL(join(tmp, "host.mjs")).href);
rmSync(tmp, { recursive: true, force: true });

const ISS = "https://auth.example.com";
const CLOCK = Date.UTC(2030, 0, 1);
const claims = { iss: ISS, sub: "user-1234", aud: "api.example.com", exp: CLOCK / 1000 + 3600, scope: "read write", roles: ["admin", "dev"] };

async function material(alg) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: `${alg}-k1`, alg };
  const token = await new SignJWT(claims).setProtectedHeader({ alg, kid: jwk.kid }).sign(privateKey);
  return { alg, jwks: JSON.stringify({ keys: [jwk] }), token };
}

async function load(wasm, config) {
  // No history: a benchmark must not pay for a record of every request that grows as it runs.
  const host = new Host({ clock: CLOCK, logLevel: "info", history: false });
  const plugin = await host.loadPlugin({ wasm, name: "p", config });
  if (plugin.outcome !== "ok") throw new Error(`${wasm}: ${plugin.outcome}`);
  return host;
}

async function batch(v, n) {
  const req = { method: "GET", path: "/api/v1/orders", authority: "api.example.com", headers: { authorization: `Bearer ${v.token}`, accept: "application/json" } };
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const r = await v.host.send(req);
    if (!r.upstream) throw new Error(`${v.name}: request denied: ${r.details}`);
  }
  return Number(process.hrtime.bigint() - t0) / 1e3 / n; // µs per request
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const ROUNDS = quick ? 7 : 21;
const N = quick ? 50 : 200;
const variants = [{ name: "pass-through", host: await load("build/fixtures/passthrough.wasm", ""), token: "x.y.z" }];
for (const alg of ["RS256", "ES256"]) {
  const m = await material(alg);
  const rule = { issuer: ISS, audiences: ["api.example.com"], jwks: m.jwks, forwardOriginalToken: true };
  variants.push({ name: `${alg} first seen`, host: await load("build/jwt-authn.wasm", { jwtRules: [rule], verifiedTokenCacheSize: 0 }), token: m.token });
  variants.push({ name: `${alg} cached`, host: await load("build/jwt-authn.wasm", { jwtRules: [rule] }), token: m.token });
}
for (let w = 0; w < 3; w++) for (const v of variants) await batch(v, N); // JIT, GC, the cache filled
const times = variants.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  const order = variants.map((_, i) => i);
  if (r % 2) order.reverse();
  for (const i of order) times[i].push(await batch(variants[i], N));
}
// A variant must measure what its name says: every "cached" request a cache hit, no "first
// seen" request one (a broken cache would otherwise pass as a slow "cached" row).
for (const v of variants.slice(1)) {
  const m = v.host.metrics.snapshot();
  const hits = m.wasmesh_jwt_token_cache_hits_total ?? 0;
  const allowed = m.wasmesh_jwt_allowed_total ?? 0;
  const want = v.name.endsWith("cached") ? allowed - 1 : 0; // the first request of a cached host verifies
  if (hits !== want) throw new Error(`${v.name}: ${hits} verified-token cache hits for ${allowed} requests, expected ${want}`);
}
const med = times.map(median);
console.log(`jwt-authn per-request cost through the host shim (median of ${ROUNDS} alternating rounds, ${N} requests per batch; load average ${loadavg()[0].toFixed(2)})`);
console.log("");
console.log("| variant | µs/req | ratio to pass-through | minus pass-through µs |");
console.log("| --- | ---: | ---: | ---: |");
for (const [i, v] of variants.entries()) {
  console.log(`| ${v.name} | ${med[i].toFixed(1)} | ${(med[i] / med[0]).toFixed(2)}× | ${(med[i] - med[0]).toFixed(1)} |`);
}
for (const alg of ["RS256", "ES256"]) {
  const f = variants.findIndex((v) => v.name === `${alg} first seen`);
  const c = variants.findIndex((v) => v.name === `${alg} cached`);
  console.log(`\n${alg}: a cached token costs ${((med[c] - med[0]) / (med[f] - med[0]) * 100).toFixed(0)}% of a first-seen one (filter work above pass-through).`);
}

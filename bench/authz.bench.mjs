#!/usr/bin/env node
// authz decision cost for 1, 10 and 100 policies, as ratios to the pass-through module
// (build/fixtures/passthrough.wasm), both run through the host shim on the same request.
//
// Method: one Host per module; each round sends a batch of identical requests through the
// pass-through module and then a batch through authz (the order alternates between rounds),
// each batch timed on its own; the medians of the per-request times are compared. The policy
// sets are built so that the request walks every rule: DENY rules that do not match (paths,
// methods, principals, namespaces, CIDRs, headers), then ALLOW rules of which only the one that
// sorts last matches. The request has a SPIFFE peer, an XFF header, a JWT identity in filter
// state and a path that needs normalization, so attribute gathering is part of the cost.
//
// Usage: node scripts/build.mjs --only authz && node bench/authz.bench.mjs [--quick]
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
const quick = process.argv.includes("--quick");
for (const f of ["build/authz.wasm", "build/fixtures/passthrough.wasm"]) {
  if (!existsSync(f)) {
    console.error(`missing ${f}: run \`npm run build\` (or \`node scripts/build.mjs --only authz\`) first`);
    process.exit(1);
  }
}

// The shim is TypeScript: bundle the current sources for plain Node (as scripts/build.mjs does
// for dist/), inside the project so its packages resolve.
const tmp = mkdtempSync(join(root, "build", ".bench-"));
await build({ entryPoints: ["host-shim/index.ts"], outfile: join(tmp, "host.mjs"), bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "warning" });
const { Host } = await import(pathToFileURL(join(tmp, "host.mjs")).href);
rmSync(tmp, { recursive: true, force: true });

/** `n` policies: ~2/3 DENY that miss, the rest ALLOW of which only the last-sorting one matches. */
function policies(n) {
  const out = [];
  const denies = n === 1 ? 0 : Math.floor((n * 2) / 3);
  for (let i = 0; i < denies; i++) {
    out.push({
      name: `deny-${String(i).padStart(3, "0")}`,
      namespace: "bench",
      action: "DENY",
      rules: [
        {
          from: [{ source: { principals: [`cluster.local/ns/evil-${i}/sa/*`], notNamespaces: ["bench", "frontend"] } }, { source: { ipBlocks: [`192.0.${i % 250}.0/24`, "2001:db8::/32"] } }],
          to: [{ operation: { paths: [`/admin-${i}*`, `/internal/${i}/{**}`], methods: ["DELETE", "PUT"] } }],
          when: [{ key: "request.headers[x-debug]", values: [`token-${i}`] }],
        },
      ],
    });
  }
  for (let i = denies; i < n; i++) {
    const last = i === n - 1;
    out.push({
      name: `allow-${String(i).padStart(3, "0")}`,
      namespace: "bench",
      action: "ALLOW",
      rules: [
        {
          from: [{ source: { namespaces: [last ? "frontend" : `team-${i}`], remoteIpBlocks: ["203.0.113.0/24"] } }],
          to: [{ operation: { hosts: ["*.example.com"], methods: ["GET", "POST"], paths: [last ? "/api/*" : `/svc-${i}/*`] } }],
          when: [{ key: "request.auth.claims[groups]", values: ["dev"] }],
        },
      ],
    });
  }
  return out;
}

const request = {
  method: "GET",
  path: "/api/./v1/../v1/orders?id=7",
  authority: "shop.example.com",
  headers: { "x-forwarded-for": "203.0.113.7", "user-agent": "bench", accept: "application/json" },
  filterState: {
    "wasmesh.jwt.principal": "https://auth.example.com/alice",
    "wasmesh.jwt.claims": JSON.stringify({ iss: "https://auth.example.com", sub: "alice", groups: ["ops", "dev"], scope: "read write" }),
  },
  connection: { source: "10.1.2.3:5555", destination: "10.0.0.2:8080", peerPrincipal: "spiffe://cluster.local/ns/frontend/sa/web" },
};

async function load(wasm, config) {
  // No history: a benchmark must not pay for a record of every request that grows as it runs.
  const host = new Host({ logLevel: "info", history: false });
  const plugin = await host.loadPlugin({ wasm, name: "p", config });
  if (plugin.outcome !== "ok") throw new Error(`${wasm}: ${plugin.outcome}`);
  return host;
}

async function batch(host, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const r = await host.send(request);
    if (!r.upstream) throw new Error(`request denied: ${r.details}`);
  }
  return Number(process.hrtime.bigint() - t0) / 1e3 / n; // µs per request
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const ROUNDS = quick ? 7 : 21;
const N = quick ? 200 : 1000;
const pass = await load("build/fixtures/passthrough.wasm", "");
console.log(`authz decision cost through the host shim (median of ${ROUNDS} alternating rounds, ${N} requests per batch)`);
console.log("");
console.log("| policies | rules tried | authz µs/req | pass-through µs/req | ratio | authz − pass-through µs |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
const SIZES = [1, 10, 100];
const hosts = [];
for (const n of SIZES) hosts.push(await load("build/authz.wasm", { policies: policies(n), pathNormalization: "MERGE_SLASHES" }));
// Warm-up (JIT of the shim and of every module, GC) before any timing.
for (let w = 0; w < 3; w++) {
  await batch(pass, N);
  for (const h of hosts) await batch(h, N);
}
for (const [i, n] of SIZES.entries()) {
  const authz = hosts[i];
  const a = [];
  const p = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      p.push(await batch(pass, N));
      a.push(await batch(authz, N));
    } else {
      a.push(await batch(authz, N));
      p.push(await batch(pass, N));
    }
  }
  const ma = median(a);
  const mp = median(p);
  console.log(`| ${n} | ${n} | ${ma.toFixed(1)} | ${mp.toFixed(1)} | ${(ma / mp).toFixed(2)}× | ${(ma - mp).toFixed(1)} |`);
}

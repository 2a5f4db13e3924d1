#!/usr/bin/env node
// SHA-256 and HMAC-SHA256 throughput of the SDK's wasm (build/sdk-tests/hash*.wasm, SIMD and
// scalar builds) against node:crypto, on 64 B, 1 KiB and 64 KiB messages.
//
// Method: rounds alternate wasm and node batches of the same message; each batch is timed
// on its own and the medians are compared. A wasm batch is one call into the module that hashes
// the message N times, so the JS↔wasm crossing (and copying the message in) is paid once per
// batch, as a filter hashing its own memory would. The node baseline is `crypto.hash` (one-shot,
// Node ≥ 20.12) when present, else createHash().update().digest(). HMAC: the wasm side reuses a
// keyed HmacKey (its ipad/opad states are computed once, as a verifier holding a configured key
// does); node runs createHmac(KeyObject) per message.
//
// Target (issue 4): wasm SHA-256 throughput ≥ 1/6 of node:crypto's (native code uses the
// CPU's SHA extensions, which wasm cannot reach).
//
// Usage: node scripts/build.mjs --only hash && node bench/hash.bench.mjs [--quick]
import { createHash, createHmac, createSecretKey, hash as oneShotHash } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { alternate, loadPure, median } from "./lib.mjs";

const quick = process.argv.includes("--quick");

/**
 * Median MB/s of `a` and `b` (each hashes `bytesPerBatch` bytes per call), alternated, and the
 * median of the per-round ratios a/b: adjacent batches share the machine's load at that moment,
 * so the paired ratio is steadier than the ratio of medians on a busy machine.
 */
function compare(a, b, bytesPerBatch, rounds) {
  const { ta, tb } = alternate(a, b, rounds);
  return {
    a: median(ta.map((t) => bytesPerBatch / t / 1e6)),
    b: median(tb.map((t) => bytesPerBatch / t / 1e6)),
    ratio: median(ta.map((t, i) => tb[i] / t)),
  };
}

const nodeSha256 = typeof oneShotHash === "function"
  ? (d) => oneShotHash("sha256", d, "buffer")
  : (d) => createHash("sha256").update(d).digest();

const sizes = [64, 1024, 65536];
const rounds = quick ? 11 : 41;
const key = new Uint8Array(32).map((_, i) => i * 13);
const keyObject = createSecretKey(key);
const rows = [];
for (const scalar of [false, true]) {
  const m = await loadPure("hash", { scalar });
  const build = scalar ? "scalar" : "simd";
  for (const size of sizes) {
    const data = new Uint8Array(size).map((_, i) => (i * 2654435761) >>> 24);
    // About 1 MB per batch: long enough to time, short enough to alternate often.
    const n = Math.max(1, Math.round((quick ? 5e5 : 1e6) / size));
    const sha = compare(
      () => m.sha256Repeat(data, n),
      () => { for (let i = 0; i < n; i++) nodeSha256(data); },
      size * n, rounds,
    );
    rows.push({ op: "SHA-256", build, size, wasm: sha.a, node: sha.b, ratio: sha.ratio });
    const mac = compare(
      () => m.hmac256Repeat(key, data, n),
      () => { for (let i = 0; i < n; i++) createHmac("sha256", keyObject).update(data).digest(); },
      size * n, rounds,
    );
    rows.push({ op: "HMAC-SHA256", build, size, wasm: mac.a, node: mac.b, ratio: mac.ratio });
  }
}

const fmtSize = (n) => (n >= 1024 ? `${n / 1024} KiB` : `${n} B`);
// wasm/node: median of the per-round throughput ratios; node÷wasm: its inverse (how many
// times longer wasm takes for the same bytes).
const header = ["operation", "build", "message", "wasm MB/s", "node MB/s", "wasm/node", "node÷wasm"];
const table = rows.map((r) => [
  r.op, r.build, fmtSize(r.size), r.wasm.toFixed(0), r.node.toFixed(0),
  r.ratio.toFixed(2), `${(1 / r.ratio).toFixed(2)}×`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const line = (cells) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
console.log(`hash throughput, wasm vs node:crypto (medians of ${rounds} alternating rounds; node baseline: ${typeof oneShotHash === "function" ? "crypto.hash" : "createHash"}; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs)`);
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const row of table) console.log(line(row));
const worst = Math.min(...rows.filter((r) => r.op === "SHA-256" && r.build === "simd").map((r) => r.ratio));
console.log(`SHA-256 target: wasm ≥ 1/6 (0.17) of node:crypto's throughput; worst simd ratio here ${worst.toFixed(2)} → ${worst >= 1 / 6 ? "met" : "NOT met"}`);

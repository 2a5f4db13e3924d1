#!/usr/bin/env node
// Runs every bench/*.bench.mjs in turn (or those named on the command line) and prints their
// tables. Benchmarks report ratios against a baseline measured in the same run; they are not
// tests and never fail on timing.
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.mjs"))
  .filter((f) => !only.length || only.some((o) => f.startsWith(o)))
  .sort();
let failed = 0;
for (const [i, f] of files.entries()) {
  console.log(`\n=== [${i + 1}/${files.length}] ${f} ===`);
  const r = spawnSync(process.execPath, [join(dir, f)], { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    console.error(`${f} exited with ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);

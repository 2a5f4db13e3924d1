// What every benchmark shares: loading a pure-code test entry, timing, and alternating two
// contenders round by round so both see the same machine load (these machines are shared and
// noisy: compare within one run, never against a fixed time).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const sdkTests = new URL("../build/sdk-tests/", import.meta.url);

/** Instantiates build/sdk-tests/<name>[.scalar].wasm through its generated raw bindings. */
export async function loadPure(name, { scalar = false, bench = name } = {}) {
  const base = `${name}${scalar ? ".scalar" : ""}`;
  const wasmPath = fileURLToPath(new URL(`${base}.wasm`, sdkTests));
  check(existsSync(wasmPath), `${wasmPath} missing; run \`node scripts/build.mjs --only ${name}\` first`, bench);
  const glue = await import(new URL(`${base}.js`, sdkTests).href);
  return glue.instantiate(await WebAssembly.compile(readFileSync(wasmPath)), {});
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/** Seconds for one call of fn(). */
export function time(fn) {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * Times `a` and `b` in alternating order for `rounds` rounds after a warm-up of both, and
 * returns the seconds of every call of each, round by round.
 */
export function alternate(a, b, rounds) {
  for (let i = 0; i < 3; i++) {
    a();
    b();
  }
  const ta = [];
  const tb = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      ta.push(time(a));
      tb.push(time(b));
    } else {
      tb.push(time(b));
      ta.push(time(a));
    }
  }
  return { ta, tb };
}

/** Median µs per operation of `a` and `b`, each running `n` operations per call. */
export function compare(a, b, n, rounds) {
  const { ta, tb } = alternate(a, b, rounds);
  return { a: median(ta.map((t) => (t / n) * 1e6)), b: median(tb.map((t) => (t / n) * 1e6)) };
}

/** Stops the benchmark with a message when a sanity check fails (a wrong answer is no result). */
export function check(cond, what, bench = "bench") {
  if (!cond) {
    console.error(`bench/${bench}: ${what}`);
    process.exit(1);
  }
}

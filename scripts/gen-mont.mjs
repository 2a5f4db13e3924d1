#!/usr/bin/env node
// Generates sdk/crypto/bigint-kernels.ts: the Montgomery multiplication and squaring kernels of
// sdk/crypto/bigint.ts with their inner loops unrolled.
//
// Why generated: V8 compiles wasm loops without unrolling, and the column sums of product
// scanning are short loops (≤ 37 chunks of 4 limbs) run ~150 times per multiplication, so the
// loop control and the address arithmetic cost about as much as the multiplies. Each column's
// sum is written out once, chunk by chunk with constant load offsets, and entered through a
// `switch` with fall-through (Duff's device; binaryen turns it into one br_table): a column of
// c chunks jumps to case c and runs chunks c-1 … 0. One unrolled body serves every key size
// (2048..4096 bits), which keeps the code a few KiB instead of a fully unrolled kernel per size.
//
// Measured on V8 11 (Node 20, AMD EPYC), min of repeated runs, 2048-bit squaring / multiply:
//   loops (no unrolling), 4-byte m stores, in place     2.42 / 2.44 us
//   Duff's device, m chunk stored whole, no in-place    1.85 / 1.96 us
//   + separate accumulators for extmul low/high halves   1.62 / 1.80 us
//   + squaring input 2a reversed (one accumulator pair)  1.57 / 1.80 us   <- this generator
// Tried and slower, so not kept: one function per column with the operands in globals
// (1.80 / 2.00), a loop over chunks instead of the switch (1.80 / 1.96), two columns per pass
// sharing loads (1.77 / 2.29: register pressure), a fully unrolled squaring for k = 74 (2.94,
// and +95 KiB). What is left per column (~15 cycles: lane extraction, carry and m_i chain,
// tails, V8's spills at the loop's back edge) is now about a third of a squaring.
//
// Usage: node scripts/gen-mont.mjs   (then commit both this script and the generated file)
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const MAX_LIMBS = 147; // keep in step with sdk/crypto/bigint.ts
const MAX_CHUNKS = Math.ceil(MAX_LIMBS / 4);
const out = join(dirname(fileURLToPath(import.meta.url)), "..", "sdk", "crypto", "bigint-kernels.ts");

const I = (n) => "  ".repeat(n);

/** Fall-through switch over `count` running `chunk(c)` for c = count-1 … 0. */
function duff(indent, count, chunk) {
  const lines = [`${I(indent)}switch (${count}) {`];
  for (let c = MAX_CHUNKS; c >= 1; c--) {
    lines.push(`${I(indent + 1)}case ${c}: {`);
    for (const l of chunk(c - 1)) lines.push(`${I(indent + 2)}${l}`);
    lines.push(`${I(indent + 1)}}`);
  }
  lines.push(`${I(indent + 1)}default: {}`);
  lines.push(`${I(indent)}}`);
  return lines.join("\n");
}

// A chunk: limbs 4c..4c+3 of p times the 4 limbs at the same offset of q, into lanes
// (j, j+2) → acc0 and (j+1, j+3) → acc1 (SIMD: the two i64 lanes of one accumulator).
// The loads are written inside each product rather than bound to locals once per chunk: a
// local live across the switch's case labels made V8 spill it to the stack at every chunk.
const simdPair = (acc, p, q) => (c) => [
  `${acc} = i64x2.add(${acc}, i64x2.extmul_low_i32x4_u(v128.load(${p}, ${16 * c}), v128.load(${q}, ${16 * c})));`,
  `${acc}h = i64x2.add(${acc}h, i64x2.extmul_high_i32x4_u(v128.load(${p}, ${16 * c}), v128.load(${q}, ${16 * c})));`,
];
const ld = (p, off) => `<u64>(<u32>load<u32>(${p}, ${off}))`;
const scalarPair = (acc0, acc1, p, q) => (c) => {
  const o = 16 * c;
  return [
    `${acc0} += ${ld(p, o)} * ${ld(q, o)} + ${ld(p, o + 8)} * ${ld(q, o + 8)};`,
    `${acc1} += ${ld(p, o + 4)} * ${ld(q, o + 4)} + ${ld(p, o + 12)} * ${ld(q, o + 12)};`,
  ];
};
const both = (f, g) => (c) => [...f(c), ...g(c)];

const simdTail = (acc, u, q) => [
  `{ const u = ${u}, v = v128.load(${q});`,
  `  ${acc} = i64x2.add(${acc}, i64x2.extmul_low_i32x4_u(u, v));`,
  `  ${acc}h = i64x2.add(${acc}h, i64x2.extmul_high_i32x4_u(u, v)); }`,
];
const indent = (n, lines) => lines.map((l) => `${I(n)}${l}`).join("\n");

// Column combine: s0, s1 (the two lanes), c (carry in) → low/high parts. First half: choose
// m_i so that the column's low 28 bits vanish. Second half: emit limb t = i - k.
const chooseM = (n) => indent(n, [
  "let lo = (s0 & MASK) + (s1 & MASK) + (c & MASK) + (d & MASK);",
  "const hi = (s0 >> 28) + (s1 >> 28) + (c >> 28) + (d >> 28);",
  "const mi = (<u32>lo * n0inv) & <u32>MASK;",
  "lo += <u64>mi * <u64>n0;",
  "c = hi + (lo >> 28);",
]);
const emitLimb = (n) => indent(n, [
  "const lo = (s0 & MASK) + (s1 & MASK) + (c & MASK) + (d & MASK);",
  "c = (s0 >> 28) + (s1 >> 28) + (c >> 28) + (d >> 28) + (lo >> 28);",
  "const t = i - k;",
  "store<u32>(out + (<usize>t << 2), <u32>(lo & MASK));",
  "store<u32>(outR + (<usize>(km1 - t) << 2), <u32>(lo & MASK) << 1); // doubled: see montSqr",
]);
// SIMD: m_i joins the register mq holding the current chunk of m, which is stored whole (a
// 16-byte store that the next column's 16-byte load can forward from; a 4-byte store cannot).
const simdKeepM = (n) => indent(n, [
  "mq = v128.or(mq, v128.and(i32x4.splat(mi), v128.load(LANE_MASKS + (<usize>(i & 3) << 4))));",
  "v128.store(m + tq, mq);",
  "mq = v128.and(mq, v128.load(KEEP_MASKS + (<usize>(i & 3) << 4))); // a new chunk after lane 3",
]);
const scalarKeepM = (n) => indent(n, ["store<u32>(m + (<usize>i << 2), mi);"]);

// One kernel body per build: the SIMD one keeps a v128 local, which a scalar build cannot
// even declare, so the two are separate functions behind a compile-time dispatch.
function mulBody(simd) {
  const firstHalf = simd
    ? `      let x = i64x2.splat(0), y = i64x2.splat(0), xh = i64x2.splat(0), yh = i64x2.splat(0);
${duff(3, "qc", both(simdPair("x", "a", "pb"), simdPair("y", "m", "pn")))}
${indent(3, [...simdTail("x", "v128.load(a + tq)", "pb + tq"), ...simdTail("y", "mq", "pn + tq")])}
      x = i64x2.add(i64x2.add(x, xh), i64x2.add(y, yh));
      const s0 = <u64>i64x2.extract_lane(x, 0);
      const s1 = <u64>i64x2.extract_lane(x, 1);
${chooseM(3)}
${simdKeepM(3)}`
    : `      store<u32>(m + (<usize>i << 2), 0); // m_i is not chosen yet
      let s0: u64 = 0, s1: u64 = 0;
${duff(3, "qc + 1", both(scalarPair("s0", "s1", "a", "pb"), scalarPair("s0", "s1", "m", "pn")))}
${chooseM(3)}
${scalarKeepM(3)}`;
  const secondHalf = simd
    ? `      let x = i64x2.splat(0), y = i64x2.splat(0), xh = i64x2.splat(0), yh = i64x2.splat(0);
${duff(3, "chunks", both(simdPair("x", "pa", "pb"), simdPair("y", "pm", "pn")))}
      x = i64x2.add(i64x2.add(x, xh), i64x2.add(y, yh));
      const s0 = <u64>i64x2.extract_lane(x, 0);
      const s1 = <u64>i64x2.extract_lane(x, 1);`
    : `      let s0: u64 = 0, s1: u64 = 0;
${duff(3, "chunks", both(scalarPair("s0", "s1", "pa", "pb"), scalarPair("s0", "s1", "pm", "pn")))}`;
  return `function montMul${simd ? "Simd" : "Scalar"}(out: usize, outR: usize, a: usize, br: usize, m: usize, nr: usize, k: i32, n0: u32, n0inv: u32): void {
  let c: u64 = 0;
  const d: u64 = 0;
  const km1 = k - 1;${simd ? "\n  let mq = i64x2.splat(0);" : ""}
  // Columns 0..k-1 choose m_0..m_(k-1). Column i sums a_j·b_(i-j) and m_j·n_(i-j) for j ≤ i,
  // in whole chunks of 4 (the products past j = i meet the padding of br and nr); chunk i>>2 of
  // m is the one being filled.
  for (let i = 0; i < k; i++) {
    const qc = i >> 2;
    const tq = <usize>qc << 4;
    const off = <usize>(km1 - i) << 2;
    const pb = br + off, pn = nr + off;
    {
${firstHalf}
    }
  }
  // Columns k..2k-2 give limbs 0..k-2 of the result; j runs over [i-k+1, k-1], its start
  // rounded down to a chunk (the products before meet the padding before br and nr).
  for (let i = k; i < 2 * k - 1; i++) {
    const j0 = (i - km1) & ~3;
    const off = <usize>(km1 - i + j0) << 2;
    const pa = a + (<usize>j0 << 2), pb = br + off, pm = m + (<usize>j0 << 2), pn = nr + off;
    const chunks = (k - j0 + 3) >> 2;
    {
${secondHalf}
${emitLimb(3)}
    }
  }
  store<u32>(out + (<usize>km1 << 2), <u32>c);
  store<u32>(outR, <u32>c << 1);
}`;
}

function sqrBody(simd) {
  const cross = (pa) => simd
    ? `      let y = i64x2.splat(0), yh = i64x2.splat(0);
${duff(3, "crossChunks", simdPair("y", pa, "pb"))}
      const tc = <usize>crossChunks << 4;
${indent(3, simdTail("y", `v128.and(v128.load(${pa} + tc), v128.load(TAIL_MASKS + (<usize>(span & 3) << 4)))`, "pb + tc"))}`
    : `      let s0: u64 = 0, s1: u64 = 0;
${duff(3, "crossChunks", scalarPair("s0", "s1", pa, "pb"))}
      for (let j = crossChunks << 2; j < span; j++) {
        s0 += <u64>(<u32>load<u32>(${pa} + (<usize>j << 2))) * <u64>(<u32>load<u32>(pb + (<usize>j << 2)));
      }`;
  const fold = simd
    ? `      y = i64x2.add(y, yh);
      const s0 = <u64>i64x2.extract_lane(y, 0);
      const s1 = <u64>i64x2.extract_lane(y, 1);`
    : "";
  const firstHalf = simd
    ? `${cross("a")}
${duff(3, "qc", simdPair("y", "m", "pn"))}
${indent(3, simdTail("y", "mq", "pn + tq"))}
${fold}
${chooseM(3)}
${simdKeepM(3)}`
    : `      store<u32>(m + (<usize>i << 2), 0); // m_i is not chosen yet
${cross("a")}
${duff(3, "qc + 1", scalarPair("s0", "s1", "m", "pn"))}
${fold}
${chooseM(3)}
${scalarKeepM(3)}`;
  const secondHalf = `${cross("pa")}
${duff(3, "chunks", simd ? simdPair("y", "pm", "pn") : scalarPair("s0", "s1", "pm", "pn"))}
${fold}`;
  return `function montSqr${simd ? "Simd" : "Scalar"}(out: usize, outR: usize, a: usize, ar: usize, m: usize, nr: usize, k: i32, n0: u32, n0inv: u32): void {
  let c: u64 = 0;
  const km1 = k - 1;${simd ? "\n  let mq = i64x2.splat(0);" : ""}
  // Each column: the cross products a_j·2a_(i-j) for j ≤ hi = ⌊(i-1)/2⌋ (j < i-j) in whole
  // chunks, then the last partial chunk (span & 3 products: rounding up would count a pair
  // twice); plus the diagonal a_(i/2)² when i is even; plus the reduction products as in
  // montMul, all into the same accumulators.
  for (let i = 0; i < k; i++) {
    const qc = i >> 2;
    const tq = <usize>qc << 4;
    const off = <usize>(km1 - i) << 2;
    const pb = ar + off, pn = nr + off;
    const span = (i + 1) >> 1; // j = 0 … hi
    const crossChunks = span >> 2;
    const h = <u64>(<u32>load<u32>(a + (<usize>(i >> 1) << 2)));
    const d = (h * h) & (<u64>(i & 1) - 1); // the diagonal, only for even i
    {
${firstHalf}
    }
  }
  for (let i = k; i < 2 * k - 1; i++) {
    const j0 = (i - km1) & ~3;
    const off = <usize>(km1 - i + j0) << 2;
    const pa = a + (<usize>j0 << 2), pb = ar + off, pm = m + (<usize>j0 << 2), pn = nr + off;
    const span = ((i - 1) >> 1) - j0 + 1; // j = j0 … hi; those below i-k+1 meet ar's padding
    const crossChunks = span >> 2;
    const chunks = (k - j0 + 3) >> 2;
    const h = <u64>(<u32>load<u32>(a + (<usize>(i >> 1) << 2)));
    const d = (h * h) & (<u64>(i & 1) - 1);
    {
${secondHalf}
${emitLimb(3)}
    }
  }
  store<u32>(out + (<usize>km1 << 2), <u32>c);
  store<u32>(outR, <u32>c << 1);
}`;
}

const src = `// GENERATED by scripts/gen-mont.mjs — do not edit; change the generator and run it again.
//
// Montgomery multiplication and squaring kernels for sdk/crypto/bigint.ts (which documents the
// representation: 28-bit limbs, reversed second operand and modulus, zero padding around every
// buffer, lazy carries split over two accumulator lanes). Each column sum is unrolled and
// entered through a fall-through switch (see the generator for why). The outputs must not
// overlap the inputs: a column never reads a limb that an earlier column just stored, since a
// wide load from a narrow recent store stalls on store forwarding.

// @ts-ignore: decorator
@inline const MASK: u64 = (1 << 28) - 1;
// Lane l of LANE_MASKS[l] is all ones; KEEP_MASKS[l] clears mq after its last lane.
const LANE_MASKS: usize = memory.data<u32>([-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1], 16);
const KEEP_MASKS: usize = memory.data<u32>([-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0], 16);
// TAIL_MASKS[r] keeps the first r lanes (a partial chunk of cross products).
const TAIL_MASKS: usize = memory.data<u32>([0, 0, 0, 0, -1, 0, 0, 0, -1, -1, 0, 0, -1, -1, -1, 0], 16);

/**
 * out = a·b·R^-1 mod n, in [0, 2n) when a, b < 2n; written forward (out) and reversed and
 * doubled (outR: 2·out, the form montSqr takes). \`a\` forward, \`br\` = b reversed (not
 * doubled), \`m\` scratch (k + PAD limbs, 16-byte aligned, zero beyond
 * limb k-1), \`nr\` = n reversed, n0 = n's limb 0, n0inv = -n^-1 mod 2^28. out/outR must not
 * overlap a, br or m.
 */
export function montMul(out: usize, outR: usize, a: usize, br: usize, m: usize, nr: usize, k: i32, n0: u32, n0inv: u32): void {
  if (ASC_FEATURE_SIMD) montMulSimd(out, outR, a, br, m, nr, k, n0, n0inv);
  else montMulScalar(out, outR, a, br, m, nr, k, n0, n0inv);
}

/**
 * out = a²·R^-1 mod n, in [0, 2n) when a < 2n. \`a\` forward and \`ar\` = 2·a reversed (limbs
 * below 2^29), as the kernels write it: each cross product a_j·a_(i-j), j < i-j, then comes
 * out doubled, as a square needs it. Other arguments and the outputs as for montMul; out/outR
 * must not overlap a, ar or m.
 */
export function montSqr(out: usize, outR: usize, a: usize, ar: usize, m: usize, nr: usize, k: i32, n0: u32, n0inv: u32): void {
  if (ASC_FEATURE_SIMD) montSqrSimd(out, outR, a, ar, m, nr, k, n0, n0inv);
  else montSqrScalar(out, outR, a, ar, m, nr, k, n0, n0inv);
}

${mulBody(true)}

${mulBody(false)}

${sqrBody(true)}

${sqrBody(false)}
`;

writeFileSync(out, src);
console.log(`wrote ${out} (${MAX_CHUNKS} chunks per column sum)`);

#!/usr/bin/env node
// Generates sdk/crypto/ec/nist.ts: point arithmetic and the ECDSA verification core for P-256,
// P-384 and P-521, one copy per curve so that every field call is a direct call into that
// curve's unrolled kernels (sdk/crypto/ec/field.ts, from scripts/gen-ec-field.mjs). Run
// `node scripts/gen-ec-nist.mjs` after editing; the output is committed.
//
// All three curves are y^2 = x^3 - 3x + b over a prime field with prime order n (cofactor 1).
// Points are Jacobian (X, Y, Z) with x = X/Z^2, y = Y/Z^3 and Z = 0 for the point at infinity;
// table points are affine. Coordinates are in Montgomery form.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const MASK = (1n << 29n) - 1n;
function limbs(x, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(x & MASK);
    x >>= 29n;
  }
  if (x !== 0n) throw new Error("value does not fit");
  return out;
}
const hex = (v) => `0x${v.toString(16)}`;
const data = (x, n) => `memory.data<u64>([${limbs(x, n).map(hex).join(", ")}])`;

const curves = [
  {
    C: "p256", bits: 256, bytes: 32, wg: 8, wq: 5, h: 128,
    p: (1n << 256n) - (1n << 224n) + (1n << 192n) + (1n << 96n) - 1n,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
  },
  {
    C: "p384", bits: 384, bytes: 48, wg: 7, wq: 5, h: 192,
    p: (1n << 384n) - (1n << 128n) - (1n << 96n) + (1n << 32n) - 1n,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
  },
  {
    C: "p521", bits: 521, bytes: 66, wg: 7, wq: 5, h: 261,
    p: (1n << 521n) - 1n,
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
    gx: 0x00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66n,
    gy: 0x011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650n,
  },
];

function curve(c) {
  const { C } = c;
  const n = Math.ceil((c.bits + 1) / 29);
  const R = 1n << BigInt(29 * n);
  const FE = 8 * n;
  const F = `fp${C.slice(1)}`;
  const S = `fn${C.slice(1)}`;
  const mont = (x) => (x * R) % c.p;
  // Sums that only feed mul/sqr skip their reduction where R >= 32 p (see gen-ec-field.mjs):
  // every lazy operand below is < 4p and meets a reduced one or another < 3p: each product is
  // < 9 p^2 < p R. P-521 (R = 2p) reduces every sum.
  const ADDL = R >= 32n * c.p ? `${F}_addLazy` : `${F}_add`;
  const gEntries = 1 << (c.wg - 2);
  const qEntries = 1 << (c.wq - 2);
  return `
// ======== ${C.toUpperCase().replace("P", "P-")} ========

/** Limbs per coordinate or scalar, and bytes per field element. */
export const ${C}_LIMBS = ${n};
export const ${C}_BYTES = ${c.bytes};
/** wNAF widths: the generator's table is built once; each key builds its own narrower one. */
export const ${C}_WG = ${c.wg};
export const ${C}_WQ = ${c.wq};
/** u64 slots in a key's tables: odd multiples (affine x, y) of Q, then of 2^${c.h} Q. */
export const ${C}_KEY_TABLE_SLOTS = ${2 * qEntries * 2 * n};

const ${C}_B: usize = ${data(mont(c.b), n)};
const ${C}_GX: usize = ${data(mont(c.gx), n)};
const ${C}_GY: usize = ${data(mont(c.gy), n)};
const ${C}_ZERO: usize = memory.data(${FE}, 16);
// Scratch: the caller's state never lives here across calls into this module.
const ${C}_T1: usize = memory.data(${FE}, 16);
const ${C}_T2: usize = memory.data(${FE}, 16);
const ${C}_T3: usize = memory.data(${FE}, 16);
const ${C}_T4: usize = memory.data(${FE}, 16);
const ${C}_T5: usize = memory.data(${FE}, 16);
const ${C}_T6: usize = memory.data(${FE}, 16);
const ${C}_T7: usize = memory.data(${FE}, 16);
const ${C}_NEGY: usize = memory.data(${FE}, 16);
const ${C}_ACC: usize = memory.data(${3 * FE}, 16);
const ${C}_W: usize = memory.data(${FE}, 16);
const ${C}_U1: usize = memory.data(${FE}, 16);
const ${C}_U2: usize = memory.data(${FE}, 16);
const ${C}_NAF1: usize = memory.data(${29 * n + 16}, 16);
const ${C}_NAF2: usize = memory.data(${29 * n + 16}, 16);
const ${C}_NAF3: usize = memory.data(${29 * n + 16}, 16);
const ${C}_NAF4: usize = memory.data(${29 * n + 16}, 16);
const ${C}_U1H: usize = memory.data(${FE}, 16);
const ${C}_U2H: usize = memory.data(${FE}, 16);
const ${C}_HX: usize = memory.data(${FE}, 16);
const ${C}_HY: usize = memory.data(${FE}, 16);
const ${C}_ZI: usize = memory.data(${FE}, 16);
const ${C}_ZI2: usize = memory.data(${FE}, 16);
let ${C}_gtab: StaticArray<u64> | null = null;

@inline function ${C}_isZero(a: usize): bool {
  let acc: u64 = 0;
${Array.from({ length: n }, (_, i) => `  acc |= load<u64>(a, ${8 * i});`).join("\n")}
  return acc == 0;
}
@inline function ${C}_eq(a: usize, b: usize): bool {
  let acc: u64 = 0;
${Array.from({ length: n }, (_, i) => `  acc |= load<u64>(a, ${8 * i}) ^ load<u64>(b, ${8 * i});`).join("\n")}
  return acc == 0;
}

/** r = 2p (Jacobian; r may be p). dbl-2001-b with a = -3, Z3 = 2YZ: 4M + 4S. */
function ${C}_dbl(r: usize, p: usize): void {
  const X1 = p, Y1 = p + ${FE}, Z1 = p + ${2 * FE};
  const X3 = r, Y3 = r + ${FE}, Z3 = r + ${2 * FE};
  const D = ${C}_T1, G = ${C}_T2, B = ${C}_T3, A = ${C}_T4, T1 = ${C}_T5, T2 = ${C}_T6, G2 = ${C}_T7;
  ${F}_sqr(D, Z1); // delta = Z^2
  ${F}_sqr(G, Y1); // gamma = Y^2
  // 4 beta = X (4 gamma) and 8 gamma^2 = 2 (2 gamma)^2: the small multiples go into products.
  ${ADDL}(G2, G, G); // 2 gamma
  ${ADDL}(B, G2, G2); // 4 gamma
  ${F}_mul(B, X1, B); // 4 beta
  ${F}_sub(T1, X1, D);
  ${ADDL}(T2, X1, D);
  ${F}_mul(A, T1, T2);
  ${ADDL}(T1, A, A);
  ${ADDL}(A, T1, A); // alpha = 3 (X - delta)(X + delta), < 3p: only multiplied
  // Z3 = 2 Y Z: one product where (Y + Z)^2 - gamma - delta would cost a square and two
  // subtractions (squares are barely cheaper than products here; subtractions are not free).
  ${ADDL}(T1, Y1, Y1);
  ${F}_mul(Z3, T1, Z1);
  ${F}_add(T2, B, B); // 8 beta
  ${F}_sqr(T1, A);
  ${F}_sub(X3, T1, T2); // X3 = alpha^2 - 8 beta
  ${F}_sub(T1, B, X3);
  ${F}_mul(T1, A, T1);
  ${F}_sqr(G, G2); // 4 gamma^2
  ${F}_add(G, G, G); // 8 gamma^2
  ${F}_sub(Y3, T1, G); // Y3 = alpha (4 beta - X3) - 8 gamma^2
}

/** r = p + (qx, qy) with q affine and not infinity (r may be p). madd-2007-bl, Z3 = 2 Z1 H: 8M + 3S. */
function ${C}_madd(r: usize, p: usize, qx: usize, qy: usize): void {
  const X1 = p, Y1 = p + ${FE}, Z1 = p + ${2 * FE};
  const X3 = r, Y3 = r + ${FE}, Z3 = r + ${2 * FE};
  if (${C}_isZero(Z1)) {
    memory.copy(X3, qx, ${FE});
    memory.copy(Y3, qy, ${FE});
    memory.copy(Z3, ${F}_ONE, ${FE});
    return;
  }
  const Z1Z1 = ${C}_T1, H = ${C}_T2, RR = ${C}_T3, T1 = ${C}_T4, HH = ${C}_T5, J = ${C}_T6, V = ${C}_T7;
  ${F}_sqr(Z1Z1, Z1);
  ${F}_mul(H, qx, Z1Z1); // U2
  ${F}_sub(H, H, X1); // H = U2 - X1
  ${F}_mul(RR, qy, Z1);
  ${F}_mul(RR, RR, Z1Z1); // S2
  ${F}_sub(RR, RR, Y1); // S2 - Y1
  if (${C}_isZero(H)) {
    if (${C}_isZero(RR)) {
      // p == q: the addition formula degenerates; double instead.
      memory.copy(X3, qx, ${FE});
      memory.copy(Y3, qy, ${FE});
      memory.copy(Z3, ${F}_ONE, ${FE});
      ${C}_dbl(r, r);
    } else {
      memory.fill(Z3, 0, ${FE}); // p == -q
    }
    return;
  }
  ${F}_sqr(HH, H);
  ${ADDL}(T1, HH, HH);
  ${ADDL}(T1, T1, T1); // I = 4 HH, < 4p: only multiplied
  ${F}_mul(J, H, T1); // J = H I
  ${F}_mul(V, X1, T1); // V = X1 I
  ${ADDL}(RR, RR, RR); // r = 2 (S2 - Y1), < 2p: only multiplied
  ${ADDL}(T1, H, H);
  ${F}_mul(Z3, Z1, T1); // Z3 = 2 Z1 H (rather than (Z1 + H)^2 - Z1Z1 - HH)
  ${F}_mul(HH, Y1, J);
  ${F}_add(HH, HH, HH); // 2 Y1 J (HH is free now)
  ${F}_sqr(T1, RR);
  ${F}_sub(T1, T1, J);
  ${F}_sub(T1, T1, V);
  ${F}_sub(X3, T1, V); // X3 = r^2 - J - 2V
  ${F}_sub(T1, V, X3);
  ${F}_mul(T1, RR, T1);
  ${F}_sub(Y3, T1, HH); // Y3 = r (V - X3) - 2 Y1 J
}

/**
 * Fills \`tab\` with the affine odd multiples P, 3P, 5P, ... (count entries of x, y) of the
 * affine point (px, py), which must not be infinity and must have odd order > 2 count.
 */
function ${C}_oddMultiples(tab: usize, px: usize, py: usize, count: i32): void {
  // Jacobian multiples first, then one inversion for all of them (Montgomery's trick).
  // Raw heap blocks, not managed objects: a managed temporary held only as an address would not
  // be a GC root, and the collector may free it at the next allocation.
  const J = heap.alloc(<usize>count * ${3 * FE});
  const PRE = heap.alloc(<usize>count * ${FE});
  const P2 = ${C}_ACC;
  memory.copy(J, px, ${FE});
  memory.copy(J + ${FE}, py, ${FE});
  memory.copy(J + ${2 * FE}, ${F}_ONE, ${FE});
  // 2P in affine form, so that each next multiple is one mixed addition.
  memory.copy(P2, J, ${3 * FE});
  ${C}_dbl(P2, P2);
  const zi = ${C}_U1, zi2 = ${C}_U2, p2x = ${C}_W, p2y = ${C}_NEGY;
  ${C}_invMont(zi, P2 + ${2 * FE});
  ${F}_sqr(zi2, zi);
  ${F}_mul(p2x, P2, zi2);
  ${F}_mul(zi2, zi2, zi);
  ${F}_mul(p2y, P2 + ${FE}, zi2);
  for (let i = 1; i < count; i++) {
    const dst = J + <usize>i * ${3 * FE};
    memory.copy(dst, dst - ${3 * FE}, ${3 * FE});
    ${C}_madd(dst, dst, p2x, p2y);
  }
  // pre[i] = Z0 Z1 ... Zi; then walk back with the inverse of the whole product.
  memory.copy(PRE, J + ${2 * FE}, ${FE});
  for (let i = 1; i < count; i++) {
    ${F}_mul(PRE + <usize>i * ${FE}, PRE + <usize>(i - 1) * ${FE}, J + <usize>i * ${3 * FE} + ${2 * FE});
  }
  const inv = ${C}_T7;
  ${C}_invMont(inv, PRE + <usize>(count - 1) * ${FE});
  for (let i = count - 1; i >= 0; i--) {
    const pt = J + <usize>i * ${3 * FE};
    if (i > 0) {
      ${F}_mul(zi, inv, PRE + <usize>(i - 1) * ${FE}); // 1 / Zi
      ${F}_mul(inv, inv, pt + ${2 * FE}); // 1 / (Z0 ... Z(i-1))
    } else {
      memory.copy(zi, inv, ${FE});
    }
    ${F}_sqr(zi2, zi);
    ${F}_mul(tab + <usize>i * ${2 * FE}, pt, zi2);
    ${F}_mul(zi2, zi2, zi);
    ${F}_mul(tab + <usize>i * ${2 * FE} + ${FE}, pt + ${FE}, zi2);
  }
  heap.free(PRE);
  heap.free(J);
}

/** r = a^-1 in Montgomery form (a != 0): divsteps on the plain integer aR give 1/(aR); times R^2 twice. */
function ${C}_invMont(r: usize, a: usize): void {
  limbsInverse(r, a, ${F}_M, ${F}_MINV29, ${n});
  ${F}_mul(r, r, ${F}_R2);
  ${F}_mul(r, r, ${F}_R2);
}

/** (hx, hy) = 2^${c.h} (px, py), affine in and out (the point must have odd order). */
function ${C}_mulPow2(hx: usize, hy: usize, px: usize, py: usize): void {
  const acc = ${C}_ACC;
  memory.copy(acc, px, ${FE});
  memory.copy(acc + ${FE}, py, ${FE});
  memory.copy(acc + ${2 * FE}, ${F}_ONE, ${FE});
  for (let i = 0; i < ${c.h}; i++) ${C}_dbl(acc, acc);
  const zi = ${C}_ZI, zi2 = ${C}_ZI2;
  ${C}_invMont(zi, acc + ${2 * FE});
  ${F}_sqr(zi2, zi);
  ${F}_mul(hx, acc, zi2);
  ${F}_mul(zi2, zi2, zi);
  ${F}_mul(hy, acc + ${FE}, zi2);
}

/**
 * The generator's tables of odd multiples, of G and of 2^${c.h} G, built on first use and kept
 * for the module's life.
 */
function ${C}_generatorTable(): usize {
  let t = ${C}_gtab;
  if (t === null) {
    t = new StaticArray<u64>(${2 * gEntries * 2 * n});
    ${C}_mulPow2(${C}_HX, ${C}_HY, ${C}_GX, ${C}_GY);
    ${C}_oddMultiples(changetype<usize>(t), ${C}_GX, ${C}_GY, ${gEntries});
    ${C}_oddMultiples(changetype<usize>(t) + ${gEntries * 2 * FE}, ${C}_HX, ${C}_HY, ${gEntries});
    ${C}_gtab = t;
  }
  return changetype<usize>(t);
}

/**
 * Validates the public key (x, y) given as plain limbs (\`${n}\` each) and, when it is a point of
 * the curve, fills \`tab\` (${C}_KEY_TABLE_SLOTS u64 slots) with its odd multiples.
 * Returns 0 on success, 1 if a coordinate is >= p, 2 if the point is not on the curve.
 */
export function ${C}_setKey(tab: usize, x: usize, y: usize): i32 {
  if (${C}_cmp(x, ${F}_M) >= 0 || ${C}_cmp(y, ${F}_M) >= 0) return 1;
  const xm = ${C}_U1, ym = ${C}_U2, t = ${C}_W, u = ${C}_NEGY;
  ${F}_mul(xm, x, ${F}_R2);
  ${F}_mul(ym, y, ${F}_R2);
  // y^2 == x^3 - 3x + b. (0, 0) and any other encoding of infinity fail here: b != 0.
  ${F}_sqr(t, xm);
  ${F}_mul(t, t, xm);
  ${F}_sub(t, t, xm);
  ${F}_sub(t, t, xm);
  ${F}_sub(t, t, xm);
  ${F}_add(t, t, ${C}_B);
  ${F}_sqr(u, ym);
  if (!${C}_eq(t, u)) return 2;
  // The order n is prime and the cofactor 1: every point of the curve but infinity generates
  // the whole group, so no further subgroup check is needed.
  ${C}_mulPow2(${C}_HX, ${C}_HY, xm, ym);
  ${C}_oddMultiples(tab, xm, ym, ${qEntries});
  ${C}_oddMultiples(tab + ${qEntries * 2 * FE}, ${C}_HX, ${C}_HY, ${qEntries});
  return 0;
}

function ${C}_cmp(a: usize, b: usize): i32 {
  for (let i = ${n - 1}; i >= 0; i--) {
    const x = load<u64>(a + (<usize>i << 3));
    const y = load<u64>(b + (<usize>i << 3));
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/** acc += d P for an odd wNAF digit d, from the table of odd multiples of P. */
function ${C}_addDigit(acc: usize, tab: usize, d: i32): void {
  const pt = tab + <usize>(abs(d) >> 1) * ${2 * FE};
  if (d > 0) ${C}_madd(acc, acc, pt, pt + ${FE});
  else {
    ${F}_sub(${C}_NEGY, ${C}_ZERO, pt + ${FE});
    ${C}_madd(acc, acc, pt, ${C}_NEGY);
  }
}

/** r, s, e are plain limbs; 0 < r, s < n is checked here; e < 2^bits(n) (already truncated). */
export function ${C}_verify(tab: usize, r: usize, s: usize, e: usize): bool {
  if (${C}_isZero(r) || ${C}_isZero(s)) return false;
  if (${C}_cmp(r, ${S}_M) >= 0 || ${C}_cmp(s, ${S}_M) >= 0) return false;
  // First: building the generator's table (once) uses the same scratch as what follows.
  const gtab = ${C}_generatorTable();
  const w = ${C}_W, u1 = ${C}_U1, u2 = ${C}_U2;
  limbsInverse(w, s, ${S}_M, ${S}_MINV29, ${n}); // s^-1 (divsteps: faster than Fermat here)
  ${S}_mul(w, w, ${S}_R2); // s^-1 R
  // Montgomery products with one factor in Montgomery form leave plain values: e s^-1, r s^-1.
  // e may exceed n (it has as many bits as n); e w < 2^bits(n) n <= R n keeps the result reduced.
  ${S}_mul(u1, e, w);
  ${S}_mul(u2, r, w);
  // Split u = lo + 2^${c.h} hi: four half-length NAFs share ${c.h} doublings instead of ${c.bits}.
  limbsShiftRight(${C}_U1H, u1, ${n}, ${c.h});
  limbsLow(u1, u1, ${n}, ${c.h});
  limbsShiftRight(${C}_U2H, u2, ${n}, ${c.h});
  limbsLow(u2, u2, ${n}, ${c.h});
  const top1 = wnaf(${C}_NAF1, u1, ${n}, ${c.wg});
  const top2 = wnaf(${C}_NAF2, u2, ${n}, ${c.wq});
  const top3 = wnaf(${C}_NAF3, ${C}_U1H, ${n}, ${c.wg});
  const top4 = wnaf(${C}_NAF4, ${C}_U2H, ${n}, ${c.wq});
  const gtabH = gtab + ${gEntries * 2 * FE};
  const tabH = tab + ${qEntries * 2 * FE};
  const acc = ${C}_ACC;
  memory.fill(acc, 0, ${3 * FE}); // infinity
  let started = false;
  for (let i = max(max(top1, top2), max(top3, top4)) - 1; i >= 0; i--) {
    if (started) ${C}_dbl(acc, acc);
    const d1 = <i32>load<i8>(${C}_NAF1 + <usize>i);
    if (d1 != 0) { started = true; ${C}_addDigit(acc, gtab, d1); }
    const d2 = <i32>load<i8>(${C}_NAF2 + <usize>i);
    if (d2 != 0) { started = true; ${C}_addDigit(acc, tab, d2); }
    const d3 = <i32>load<i8>(${C}_NAF3 + <usize>i);
    if (d3 != 0) { started = true; ${C}_addDigit(acc, gtabH, d3); }
    const d4 = <i32>load<i8>(${C}_NAF4 + <usize>i);
    if (d4 != 0) { started = true; ${C}_addDigit(acc, tabH, d4); }
  }
  const Z = acc + ${2 * FE};
  if (${C}_isZero(Z)) return false;
  // x(R) mod n == r without an inversion: x(R) = X / Z^2, so test X == r' Z^2 for each r' < p
  // with r' = r (mod n): r itself, and r + n when that is still below p.
  const z2 = ${C}_T1, t = ${C}_T2, rn = ${C}_T3;
  ${F}_sqr(z2, Z);
  ${F}_mul(t, r, ${F}_R2);
  ${F}_mul(t, t, z2);
  if (${C}_eq(t, acc)) return true;
  limbsAdd(rn, r, ${S}_M, ${n});
  if (${C}_cmp(rn, ${F}_M) >= 0) return false;
  ${F}_mul(t, rn, ${F}_R2);
  ${F}_mul(t, t, z2);
  return ${C}_eq(t, acc);
}
`;
}

const header = `// GENERATED by scripts/gen-ec-nist.mjs — do not edit by hand; edit the generator and rerun it.
//
// Point arithmetic and the ECDSA verification core for P-256, P-384 and P-521 over the unrolled
// field kernels of ./field.ts. Variable-time: verification handles only public values.
//
// Verification computes u1 G + u2 Q with one shared chain of doublings (Shamir's trick) over
// width-w NAFs: a wide window for G, whose tables of odd multiples are built once per module,
// and a narrower one for Q, whose tables each key builds when it is created. Each scalar is split
// as lo + 2^h hi (h about half the order's size) with tables for P and 2^h P, so the four
// half-length NAFs share h doublings instead of bits(n): doublings were most of the time.
import { limbsAdd, limbsInverse, limbsLow, limbsShiftRight, wnaf } from "./limbs";
import {
${curves.map((c) => { const F = `fp${c.C.slice(1)}`, S = `fn${c.C.slice(1)}`; return `  ${F}_mul, ${F}_sqr, ${F}_add, ${F}_sub, ${F}_MINV29, ${F}_M, ${F}_ONE, ${F}_R2,${c.C === "p521" ? "" : ` ${F}_addLazy,`}\n  ${S}_mul, ${S}_MINV29, ${S}_M, ${S}_R2,`; }).join("\n")}
} from "./field";
`;
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const file = join(root, "sdk/crypto/ec/nist.ts");
writeFileSync(file, header + curves.map(curve).join("\n"));
console.log(`wrote ${file}`);

#!/usr/bin/env node
// Generates sdk/crypto/ec/field.ts: fully unrolled field arithmetic for the curves behind
// ES256/ES384/ES512 and EdDSA. Run `node scripts/gen-ec-field.mjs` after editing; the output is
// committed so the build needs no generator.
//
// Why generated: V8 optimises wasm loops poorly, and a multiplication whose limb loads, products
// and carries are all straight-line code over locals is several times faster than the same
// loop over memory. Writing 9x9 (and 18x18) products by hand is error-prone; a generator is not.
//
// Representation: a field element is N limbs of 29 bits, least significant first, each held in
// a u64 slot of linear memory (8 bytes per limb). 29-bit limbs make a limb product < 2^58, so a
// whole column of a product plus its reduction terms (up to 2N = 36 products for P-521) sums in
// one u64 without carry handling inside the column: carries happen once per column.
//
// Every function returns a fully reduced value in [0, m): comparisons are limb equality, and the
// curve code never has to think about redundant representations.
//
// Fields:
//   - NIST primes and group orders: Montgomery multiplication (R = 2^(29N)) in product-scanning
//     form with interleaved reduction. The NIST primes are -1 mod 2^29, so the Montgomery
//     factor of each column is simply its low 29 bits, and multiplying by the prime's limbs is
//     specialised at generation time (0: skipped, 2^k: a shift, 2^29-1: shift and subtract).
//   - 2^255-19: schoolbook product, then folding with 2^261 = 1216 and 2^255 = 19 (mod p).
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const W = 29;
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
function modinv(a, m) {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error("not invertible");
  return ((s0 % m) + m) % m;
}
const hex = (v) => `0x${v.toString(16)}`;
const u64list = (xs) => xs.map((v) => `${hex(v)}`).join(", ");

/** m_i * c for a constant limb c, specialised. */
function constTimes(m, c) {
  if (c === 0n) return null;
  if (c === 1n) return m;
  if (c === MASK) return `((${m} << 29) - ${m})`;
  if ((c & (c - 1n)) === 0n) return `(${m} << ${c.toString(2).length - 1})`;
  return `${m} * ${hex(c)}`;
}

function loads(name, ptr, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(`  const ${name}${i} = load<u64>(${ptr}, ${8 * i});`);
  return out.join("\n");
}

/** Conditional subtraction of the modulus from t0..t{n-1} (value < 2m), storing to r. */
function condSub(F, n, mod) {
  const ml = limbs(mod, n);
  const out = [];
  out.push(`  let x: i64 = <i64>t0 - ${hex(ml[0])};`);
  out.push(`  const d0 = <u64>(x & 0x1fffffff); x >>= 29;`);
  for (let i = 1; i < n; i++) {
    out.push(`  x += <i64>t${i} - ${hex(ml[i])};`);
    if (i < n - 1) out.push(`  const d${i} = <u64>(x & 0x1fffffff); x >>= 29;`);
    else out.push(`  const d${i} = <u64>(x & 0x1fffffff);`);
  }
  out.push(`  const keep = x < 0; // t < m: the subtraction borrowed`);
  for (let i = 0; i < n; i++) out.push(`  store<u64>(r, select<u64>(t${i}, d${i}, keep), ${8 * i});`);
  return out.join("\n");
}

/** Montgomery multiplication or squaring, fully unrolled. */
function montMul(F, n, mod, n0, square) {
  const ml = limbs(mod, n);
  const out = [];
  out.push(square ? `export function ${F}_sqr(r: usize, a: usize): void {` : `export function ${F}_mul(r: usize, a: usize, b: usize): void {`);
  out.push(loads("a", "a", n));
  if (!square) out.push(loads("b", "b", n));
  out.push(`  let c: u64 = 0;`);
  for (let k = 0; k <= 2 * n - 2; k++) {
    const terms = [];
    const lo = Math.max(0, k - n + 1);
    const hi = Math.min(k, n - 1);
    if (square) {
      const cross = [];
      for (let i = lo; i <= hi; i++) {
        const j = k - i;
        if (i < j) cross.push(`a${i} * a${j}`);
      }
      if (cross.length) terms.push(`((${cross.join(" + ")}) << 1)`);
      if (k % 2 === 0) terms.push(`a${k / 2} * a${k / 2}`);
    } else {
      for (let i = lo; i <= hi; i++) terms.push(`a${i} * b${k - i}`);
    }
    // Reduction terms m_i * p_j with i + j = k, i < min(k, n) (m_k is made below). Terms that
    // share a limb value of the prime are summed first: (m_a + m_b) * c costs one product, and
    // the NIST primes repeat 2^29 - 1 (P-521: in all but its top limb).
    const byLimb = new Map();
    for (let i = lo; i <= Math.min(k - 1, n - 1); i++) {
      const c = ml[k - i];
      if (c === 0n) continue;
      if (!byLimb.has(c)) byLimb.set(c, []);
      byLimb.get(c).push(`m${i}`);
    }
    for (const [c, ms] of byLimb) {
      if (ms.length === 1) terms.push(constTimes(ms[0], c));
      else {
        out.push(`  const s${k}_${c.toString(16)} = ${ms.join(" + ")};`);
        terms.push(constTimes(`s${k}_${c.toString(16)}`, c));
      }
    }
    if (terms.length) out.push(`  c += ${terms.join(" + ")};`);
    if (k < n) {
      if (n0 === 1n) out.push(`  const m${k} = c & 0x1fffffff;`);
      else out.push(`  const m${k} = ((c & 0x1fffffff) * ${hex(n0)}) & 0x1fffffff;`);
      // c + m_k * p_0 has 29 low zero bits by construction.
      if (ml[0] === MASK) out.push(`  c = (c >> 29) + m${k};`);
      else out.push(`  c = (c + m${k} * ${hex(ml[0])}) >> 29;`);
    } else if (k < 2 * n - 2) {
      out.push(`  const t${k - n} = c & 0x1fffffff; c >>= 29;`);
    } else {
      out.push(`  const t${k - n} = c & 0x1fffffff;`);
      out.push(`  const t${n - 1} = c >> 29;`);
    }
  }
  out.push(condSub(F, n, mod));
  out.push(`}`);
  return out.join("\n");
}

/** Modular addition and subtraction of reduced values (any modulus). */
function addSub(F, n, mod) {
  const ml = limbs(mod, n);
  const out = [];
  out.push(`export function ${F}_add(r: usize, a: usize, b: usize): void {`);
  out.push(`  let c: u64 = load<u64>(a, 0) + load<u64>(b, 0);`);
  for (let i = 0; i < n; i++) {
    if (i > 0) out.push(`  c += load<u64>(a, ${8 * i}) + load<u64>(b, ${8 * i});`);
    if (i < n - 1) out.push(`  const t${i} = c & 0x1fffffff; c >>= 29;`);
    else out.push(`  const t${i} = c;`);
  }
  out.push(condSub(F, n, mod));
  out.push(`}`);
  out.push(``);
  out.push(`export function ${F}_sub(r: usize, a: usize, b: usize): void {`);
  out.push(`  let x: i64 = <i64>load<u64>(a, 0) - <i64>load<u64>(b, 0);`);
  for (let i = 0; i < n; i++) {
    if (i > 0) out.push(`  x += <i64>load<u64>(a, ${8 * i}) - <i64>load<u64>(b, ${8 * i});`);
    out.push(`  const t${i} = x & 0x1fffffff; x >>= 29;`);
  }
  out.push(`  // x is 0, or -1 when a < b: then add the modulus back (the top carry cancels the wrap).`);
  out.push(`  let y: i64 = t0 + (${hex(ml[0])} & x);`);
  for (let i = 0; i < n; i++) {
    if (i > 0) out.push(`  y += t${i} + (${hex(ml[i])} & x);`);
    out.push(`  store<u64>(r, <u64>(y & 0x1fffffff), ${8 * i});${i < n - 1 ? " y >>= 29;" : ""}`);
  }
  out.push(`}`);
  return out.join("\n");
}

/**
 * Addition without reduction: a + b with normalised limbs, as a lazy operand of mul/sqr, which
 * reduce any product a b < m R fully (see montField). Only for fields with R >= 32 m.
 */
function addLazy(F, n) {
  const out = [];
  out.push(`export function ${F}_addLazy(r: usize, a: usize, b: usize): void {`);
  out.push(`  let c: u64 = load<u64>(a, 0) + load<u64>(b, 0);`);
  for (let i = 0; i < n; i++) {
    if (i > 0) out.push(`  c += load<u64>(a, ${8 * i}) + load<u64>(b, ${8 * i});`);
    if (i < n - 1) out.push(`  store<u64>(r, c & 0x1fffffff, ${8 * i}); c >>= 29;`);
    else out.push(`  store<u64>(r, c, ${8 * i});`);
  }
  out.push(`}`);
  return out.join("\n");
}

/** Exponentiation by a public constant (4-bit fixed window), e.g. inversion by Fermat. */
function pow(F, n, one, name, e) {
  const nib = [];
  for (let x = e; x > 0n; x >>= 4n) nib.push(Number(x & 15n));
  nib.reverse();
  const fe = 8 * n;
  return `// ${name}: a^${hex(e)} (fixed 4-bit window; variable time, for public values).
const ${F}_${name}_E: usize = memory.data<u8>([${nib.join(", ")}]);
export function ${F}_${name}(r: usize, a: usize): void {
  const tab = ${F}_POWTAB;
  memory.copy(tab, ${one}, ${fe});
  memory.copy(tab + ${fe}, a, ${fe});
  for (let i = 2; i < 16; i++) ${F}_mul(tab + <usize>i * ${fe}, tab + <usize>(i - 1) * ${fe}, a);
  const acc = ${F}_POWACC;
  memory.copy(acc, tab + <usize>load<u8>(${F}_${name}_E) * ${fe}, ${fe});
  for (let i = 1; i < ${nib.length}; i++) {
    ${F}_sqr(acc, acc);
    ${F}_sqr(acc, acc);
    ${F}_sqr(acc, acc);
    ${F}_sqr(acc, acc);
    const d = <usize>load<u8>(${F}_${name}_E + <usize>i);
    if (d != 0) ${F}_mul(acc, acc, tab + d * ${fe});
  }
  memory.copy(r, acc, ${fe});
}`;
}

/** A Montgomery field (NIST prime or group order). */
function montField(F, bits, mod, comment) {
  const n = Math.ceil((bits + 1) / W); // R = 2^(29n) > 2m
  const R = 1n << BigInt(W * n);
  const n0 = (R - modinv(mod, 1n << 29n)) % (1n << 29n);
  const fe = 8 * n;
  const out = [];
  out.push(`// ---- ${F}: ${comment} ----`);
  out.push(`// m = ${hex(mod)}`);
  out.push(`export const ${F}_N = ${n};`);
  out.push(`/** The modulus, as limbs. */`);
  out.push(`export const ${F}_M: usize = memory.data<u64>([${u64list(limbs(mod, n))}]);`);
  out.push(`/** R mod m: one in Montgomery form. */`);
  out.push(`export const ${F}_ONE: usize = memory.data<u64>([${u64list(limbs(R % mod, n))}]);`);
  out.push(`/** R^2 mod m: multiply by it to enter Montgomery form. */`);
  out.push(`export const ${F}_R2: usize = memory.data<u64>([${u64list(limbs((R * R) % mod, n))}]);`);
  out.push(`/** m^-1 mod 2^29, for limbsInverse. */`);
  out.push(`export const ${F}_MINV29: i64 = ${hex(modinv(mod, 1n << 29n))};`);
  out.push(`const ${F}_POWTAB: usize = memory.data(${16 * fe}, 16);`);
  out.push(`const ${F}_POWACC: usize = memory.data(${fe}, 16);`);
  out.push(montMul(F, n, mod, n0, false));
  out.push(``);
  out.push(montMul(F, n, mod, n0, true));
  out.push(``);
  out.push(addSub(F, n, mod));
  out.push(``);
  if (R >= 32n * mod) {
    out.push(`// A product a b < m R leaves the Montgomery loop below 2m, so one conditional subtraction`);
    out.push(`// reduces it fully: with R >= 32 m, mul and sqr also take operands up to a few m.`);
    out.push(addLazy(F, n));
    out.push(``);
  }
  out.push(pow(F, n, `${F}_ONE`, "inv", mod - 2n));
  return out.join("\n");
}

/** GF(2^255-19): schoolbook product, fold with 2^261 = 1216 and 2^255 = 19, fully reduce. */
function field25519() {
  const F = "f25519";
  const p = (1n << 255n) - 19n;
  const n = 9;
  const fe = 8 * n;
  const out = [];
  out.push(`// ---- ${F}: GF(2^255 - 19), plain representation (no Montgomery form) ----`);
  out.push(`export const ${F}_N = ${n};`);
  out.push(`export const ${F}_M: usize = memory.data<u64>([${u64list(limbs(p, n))}]);`);
  out.push(`export const ${F}_ONE: usize = memory.data<u64>([${u64list(limbs(1n, n))}]);`);
  out.push(`/** p^-1 mod 2^29, for limbsInverse. */`);
  out.push(`export const ${F}_MINV29: i64 = ${hex(modinv(p, 1n << 29n))};`);
  out.push(`const ${F}_POWTAB: usize = memory.data(${16 * fe}, 16);`);
  out.push(`const ${F}_POWACC: usize = memory.data(${fe}, 16);`);
  for (const square of [false, true]) {
    out.push(square ? `export function ${F}_sqr(r: usize, a: usize): void {` : `export function ${F}_mul(r: usize, a: usize, b: usize): void {`);
    out.push(loads("a", "a", n));
    if (!square) out.push(loads("b", "b", n));
    out.push(`  let c: u64 = 0;`);
    for (let k = 0; k <= 2 * n - 2; k++) {
      const terms = [];
      const lo = Math.max(0, k - n + 1);
      const hi = Math.min(k, n - 1);
      if (square) {
        const cross = [];
        for (let i = lo; i <= hi; i++) if (i < k - i) cross.push(`a${i} * a${k - i}`);
        if (cross.length) terms.push(`((${cross.join(" + ")}) << 1)`);
        if (k % 2 === 0) terms.push(`a${k / 2} * a${k / 2}`);
      } else {
        for (let i = lo; i <= hi; i++) terms.push(`a${i} * b${k - i}`);
      }
      out.push(`  c += ${terms.join(" + ")};`);
      if (k < 2 * n - 2) out.push(`  const t${k} = c & 0x1fffffff; c >>= 29;`);
      else out.push(`  const t${k} = c; // the product is < p^2 < 2^510: this top column holds the rest`);
    }
    out.push(`  // 2^261 = 1216 (mod p): fold the upper half onto the lower, then carry.`);
    out.push(`  c = t0 + 1216 * t9;`);
    for (let i = 0; i < n; i++) {
      if (i > 0) out.push(`  c += t${i}${i + 9 <= 16 ? ` + 1216 * t${i + 9}` : ""};`);
      if (i < n - 1) out.push(`  const w${i} = c & 0x1fffffff; c >>= 29;`);
      else out.push(`  const w${i} = c;`);
    }
    out.push(`  // Now < 2^262: fold bits 255 and up with 2^255 = 19 (mod p).`);
    out.push(`  c = w0 + 19 * (w8 >> 23);`);
    for (let i = 0; i < n; i++) {
      const src = i === 8 ? `(w8 & 0x7fffff)` : `w${i}`;
      if (i > 0) out.push(`  c += ${src};`);
      if (i < n - 1) out.push(`  const v${i} = c & 0x1fffffff; c >>= 29;`);
      else out.push(`  const v${i} = c;`);
    }
    out.push(`  // v < 2^255 + 2^11 < 2p: v >= p exactly when v + 19 reaches bit 255.`);
    out.push(`  c = v0 + 19;`);
    for (let i = 0; i < n; i++) {
      if (i > 0) out.push(`  c += v${i};`);
      if (i < n - 1) out.push(`  const x${i} = c & 0x1fffffff; c >>= 29;`);
      else out.push(`  const x${i} = c;`);
    }
    out.push(`  const ge = (x8 >> 23) != 0;`);
    for (let i = 0; i < n; i++) {
      const x = i === 8 ? `x8 & 0x7fffff` : `x${i}`;
      out.push(`  store<u64>(r, select<u64>(${x}, v${i}, ge), ${8 * i});`);
    }
    out.push(`}`);
    out.push(``);
  }
  out.push(addSub(F, n, p));
  out.push(``);
  out.push(pow(F, n, `${F}_ONE`, "inv", p - 2n));
  out.push(``);
  out.push(pow(F, n, `${F}_ONE`, "pow22523", (p - 5n) / 8n));
  return out.join("\n");
}

/** Curve constants of edwards25519 (RFC 8032 §5.1), as plain limbs of GF(2^255-19). */
function ed25519Constants() {
  const p = (1n << 255n) - 19n;
  const L = (1n << 252n) + 27742317777372353535851937790883648493n;
  const pw = (b, e, m) => { let r = 1n; for (b %= m; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m; return r; };
  const d = (((-121665n * pw(121666n, p - 2n, p)) % p) + p) % p;
  const sqrtm1 = pw(2n, (p - 1n) / 4n, p);
  const bx = 15112221349535400772501151409588531511454012693041857206046113283949847762202n;
  const by = 46316835694926478169428394003475163141307993866256225615783033603165251855960n;
  if ((((by * by - bx * bx - 1n - d * bx * bx % p * by % p * by) % p) + p) % p !== 0n) throw new Error("B not on curve");
  const R = 1n << 261n;
  const c = (name, v, doc) => `/** ${doc} */\nexport const ${name}: usize = memory.data<u64>([${u64list(limbs(v, 9))}]);`;
  return [
    `// ---- edwards25519 constants: -x^2 + y^2 = 1 + d x^2 y^2 over GF(2^255-19) ----`,
    c("ed25519_D", d, "d = -121665/121666"),
    c("ed25519_D2", (2n * d) % p, "2d"),
    c("ed25519_SQRTM1", sqrtm1, "sqrt(-1) = 2^((p-1)/4)"),
    c("ed25519_BX", bx, "the base point B, x"),
    c("ed25519_BY", by, "the base point B, y = 4/5"),
    c("ed25519_L_2P256", ((1n << 256n) * R) % L, "2^256 R mod L: a Montgomery product with it multiplies by 2^256 mod L"),
  ].join("\n");
}

const P256 = (1n << 256n) - (1n << 224n) + (1n << 192n) + (1n << 96n) - 1n;
const N256 = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P384 = (1n << 384n) - (1n << 128n) - (1n << 96n) + (1n << 32n) - 1n;
const N384 = 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n;
const P521 = (1n << 521n) - 1n;
const N521 = 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n;
const L25519 = (1n << 252n) + 27742317777372353535851937790883648493n;

const parts = [
  `// GENERATED by scripts/gen-ec-field.mjs — do not edit by hand; edit the generator and rerun it.
//
// Field arithmetic for ECDSA (P-256, P-384, P-521) and Ed25519: elements are N limbs of 29 bits
// in u64 slots (see the generator for the design). Every function takes linear-memory addresses
// of its operands; the result may alias any operand. Inputs must be fully reduced (< m) unless a
// comment says otherwise; outputs always are.
`,
  montField("fp256", 256, P256, "P-256 base field, Montgomery form"),
  montField("fn256", 256, N256, "P-256 group order, Montgomery form"),
  montField("fp384", 384, P384, "P-384 base field, Montgomery form"),
  montField("fn384", 384, N384, "P-384 group order, Montgomery form"),
  montField("fp521", 521, P521, "P-521 base field, Montgomery form"),
  montField("fn521", 521, N521, "P-521 group order, Montgomery form"),
  montField("fl25519", 253, L25519, "Ed25519 group order L, Montgomery form"),
  field25519(),
  ed25519Constants(),
];
// Check the column bound that lets a column sum without carries: 2n products of 29-bit limbs.
for (const [bits] of [[521]]) {
  const n = Math.ceil((bits + 1) / W);
  if (2n * BigInt(n) * (MASK * MASK) + (1n << 36n) >= 1n << 64n) throw new Error("column overflow");
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const file = join(root, "sdk/crypto/ec/field.ts");
writeFileSync(file, parts.join("\n\n") + "\n");
console.log(`wrote ${file}`);

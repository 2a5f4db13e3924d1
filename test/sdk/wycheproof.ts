// Reads Project Wycheproof test vectors in place from ../shared/vectors/wycheproof/ (relative to
// the project root; see that folder's README). The vectors are not copied into the project: in
// a clone outside this workspace the folder is absent, and then `loadWycheproof` says so in one
// line and returns null, so a suite can report "vectors absent" and count nothing as passed.
//
//   const file = loadWycheproof<MacGroup>("hmac_sha256_test.json");
//   if (file === null) return; // one warning printed; register no passing test for it
//   for (const g of file.testGroups) for (const t of g.tests) { ... hex(t.msg) ... t.result }
//
// test/sdk/hash.test.ts shows a suite built on it.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Absolute path of the vector folder (it may not exist). */
export const vectorsDir = join(root, "..", "shared", "vectors", "wycheproof");

/** `valid` must be accepted, `invalid` rejected; `acceptable` may go either way (decide per flag). */
export type WycheproofResult = "valid" | "invalid" | "acceptable";

/** Fields every test case has; messages, keys, tags and signatures are hex strings. */
export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: WycheproofResult;
}

export interface WycheproofGroup<T extends WycheproofTest = WycheproofTest> {
  type: string;
  tests: T[];
}

export interface WycheproofNote {
  bugType?: string;
  description?: string;
  effect?: string;
}

export interface WycheproofFile<G extends WycheproofGroup = WycheproofGroup> {
  algorithm: string;
  numberOfTests: number;
  header?: string[];
  notes?: Record<string, WycheproofNote>;
  testGroups: G[];
}

// --- Per-schema shapes (only the fields our suites read) ---

/** hmac_sha*_test.json (MacTest). `tagSize` is in bits and may be shorter than the digest. */
export interface MacTest extends WycheproofTest {
  key: string;
  msg: string;
  tag: string;
}
export interface MacGroup extends WycheproofGroup<MacTest> {
  keySize: number;
  tagSize: number;
}

/** A signature test (RSA, ECDSA P1363, EdDSA). */
export interface SignatureTest extends WycheproofTest {
  msg: string;
  sig: string;
}

/** A JWK as the vector files give it (`keyJwk` / `publicKeyJwk`). */
export type VectorJwk = Record<string, string>;

/** rsa_signature_*_test.json (RsassaPkcs1Verify). */
export interface RsaPkcs1Group extends WycheproofGroup<SignatureTest> {
  keySize: number;
  sha: string;
  keyJwk?: VectorJwk;
  publicKey: { modulus: string; publicExponent: string };
  publicKeyDer?: string;
  publicKeyPem?: string;
}

/** rsa_pss_*_test.json (RsassaPssVerify). */
export interface RsaPssGroup extends RsaPkcs1Group {
  mgf: string;
  mgfSha: string;
  sLen: number;
}

/** ecdsa_*_p1363_test.json (EcdsaP1363Verify). */
export interface EcdsaGroup extends WycheproofGroup<SignatureTest> {
  sha: string;
  publicKey: { curve: string; keySize: number; uncompressed: string; wx: string; wy: string };
  publicKeyJwk?: VectorJwk;
  publicKeyDer?: string;
  publicKeyPem?: string;
}

/** ed25519_test.json (EddsaVerify). */
export interface EddsaGroup extends WycheproofGroup<SignatureTest> {
  publicKey: { curve: string; keySize: number; pk: string };
  publicKeyJwk?: VectorJwk;
  publicKeyDer?: string;
  publicKeyPem?: string;
}

const warned = new Set<string>();

/**
 * Parses `<vectorsDir>/<file>`, or returns null (after one console.warn line per file) when the
 * vector folder is absent. A folder that exists but lacks the file is an error, not "absent":
 * that would silently drop a suite.
 */
export function loadWycheproof<G extends WycheproofGroup = WycheproofGroup>(file: string): WycheproofFile<G> | null {
  return loadWycheproofFrom<G>(vectorsDir, file);
}

/** `loadWycheproof` from another folder (tests of this reader use a missing one). */
export function loadWycheproofFrom<G extends WycheproofGroup = WycheproofGroup>(dir: string, file: string): WycheproofFile<G> | null {
  if (!existsSync(dir)) {
    const key = join(dir, file);
    if (!warned.has(key)) {
      warned.add(key);
      console.warn(`wycheproof: vectors absent (${dir} not found), ${file} not run: nothing counted as passed`);
    }
    return null;
  }
  const path = join(dir, file);
  if (!existsSync(path)) throw new Error(`wycheproof: ${file} missing from ${dir}`);
  const parsed = JSON.parse(readFileSync(path, "utf8")) as WycheproofFile<G>;
  if (!Array.isArray(parsed.testGroups)) throw new Error(`wycheproof: ${file} has no testGroups`);
  return parsed;
}

/** True when the vector folder is present. */
export function vectorsPresent(): boolean {
  return existsSync(vectorsDir);
}

/** Every test of a file with its group, flattened (handy for `it.each`-style loops). */
export function allTests<G extends WycheproofGroup>(file: WycheproofFile<G>): { group: G; test: G["tests"][number] }[] {
  const out: { group: G; test: G["tests"][number] }[] = [];
  for (const group of file.testGroups) for (const test of group.tests) out.push({ group, test });
  return out;
}

/** Hex string → bytes (vector fields are hex; an odd length or a non-hex digit throws). */
export function hex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new Error(`wycheproof: bad hex ${s.slice(0, 20)}…`);
  return new Uint8Array(Buffer.from(s, "hex"));
}

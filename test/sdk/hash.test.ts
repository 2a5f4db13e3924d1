// SHA-2, HMAC, constant-time compare and base64 of the SDK (sdk/crypto/), run through the built
// wasm (SIMD and scalar builds), checked against node:crypto, Buffer and Wycheproof's HMAC vectors.
import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { loadPure } from "./load-pure.ts";
import { hex, loadWycheproof, loadWycheproofFrom, vectorsDir, type MacGroup } from "./wycheproof.ts";

const ALGS = ["sha256", "sha384", "sha512"] as const;
const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");
const nodeHash = (alg: string, data: Uint8Array) => createHash(alg).update(data).digest("hex");
const nodeHmac = (alg: string, key: Uint8Array, data: Uint8Array) => createHmac(alg, key).update(data).digest("hex");
// The bindings return views into wasm memory: copy before the next call can reuse it.
const copy = (b: Uint8Array | null) => (b === null ? null : b.slice());

describe.each([
  { build: "simd", scalar: false },
  { build: "scalar", scalar: true },
])("hashes ($build build)", ({ scalar }) => {
  let m: Record<string, any>;
  beforeAll(async () => {
    m = await loadPure("hash", { scalar });
  });

  it("match FIPS 180-4 examples", () => {
    const abc = new TextEncoder().encode("abc");
    expect(hexOf(m.sha256(abc))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hexOf(m.sha384(abc))).toBe(
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
    );
    expect(hexOf(m.sha512(abc))).toBe(
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    );
  });

  it("match node:crypto at every padding boundary", () => {
    for (let n = 0; n <= 300; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 255);
      for (const [i, alg] of ALGS.entries()) {
        const want = nodeHash(alg, data);
        expect(hexOf(m[alg](data)), `${alg} of ${n} bytes`).toBe(want);
        expect(hexOf(m.digestBy(i, data)), `digest(${alg}) of ${n} bytes`).toBe(want);
      }
    }
  });

  it("match node:crypto on random messages, one-shot and streamed in random chunks", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 2 }),
        (data, chunks, alg) => {
          const want = nodeHash(ALGS[alg], data);
          expect(hexOf(m.digestBy(alg, data))).toBe(want);
          expect(hexOf(m.digestChunked(alg, data, Int32Array.from(chunks)))).toBe(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("hash a range of a buffer without copying it (digestRange)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.uint8Array({ maxLength: 400 }), fc.nat(), fc.nat(), (alg, data, x, y) => {
        const a = x % (data.length + 1);
        const b = y % (data.length + 1);
        const [start, end] = a <= b ? [a, b] : [b, a];
        expect(hexOf(m.digestRangeOf(alg, data, start, end))).toBe(nodeHash(ALGS[alg], data.subarray(start, end)));
      }),
      { numRuns: 200 },
    );
  });

  it("hash a 1 MiB message like node:crypto", () => {
    const data = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 2654435761) >>> 24);
    for (const alg of ALGS) expect(hexOf(m[alg](data))).toBe(nodeHash(alg, data));
  });
});

// --- The vector reader itself ---

describe("Wycheproof reader", () => {
  it("returns null with one warning per file when the folder is absent, and never throws", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const missing = vectorsDir + "-absent-for-this-test";
      expect(loadWycheproofFrom(missing, "hmac_sha256_test.json")).toBeNull();
      expect(loadWycheproofFrom(missing, "hmac_sha256_test.json")).toBeNull();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/^wycheproof: vectors absent .* hmac_sha256_test\.json not run: nothing counted as passed$/);
    } finally {
      warn.mockRestore();
    }
  });
});

// --- HMAC ---

// Wycheproof's HMAC files: every test, `valid` accepted and `invalid` (modified tags) rejected.
// Groups with tagSize < digest size hold truncated tags (exactly half the digest). Our API:
// `verify` takes full tags only (JWS never truncates), so truncated groups go through
// `verifyTruncated(data, tag, tagSize / 8)` with the length fixed by the group, and we also
// check that `verify` rejects every one of them (a JWS verifier must not accept a prefix).
// The files have no `acceptable` results; the loop fails if one appears.
const HMAC_FILES = [
  { file: "hmac_sha256_test.json", alg: 0, digestBits: 256 },
  { file: "hmac_sha384_test.json", alg: 1, digestBits: 384 },
  { file: "hmac_sha512_test.json", alg: 2, digestBits: 512 },
];

describe.each([
  { build: "simd", scalar: false },
  { build: "scalar", scalar: true },
])("HMAC ($build build)", ({ scalar }) => {
  let m: Record<string, any>;
  beforeAll(async () => {
    m = await loadPure("hash", { scalar });
  });

  for (const { file, alg, digestBits } of HMAC_FILES) {
    const vectors = loadWycheproof<MacGroup>(file);
    if (vectors === null) continue; // loadWycheproof said "vectors absent"; nothing counted
    it(`Wycheproof ${file}: all ${vectors.numberOfTests} vectors`, () => {
      let checked = 0;
      for (const group of vectors.testGroups) {
        for (const t of group.tests) {
          const key = hex(t.key);
          const msg = hex(t.msg);
          const tag = hex(t.tag);
          const where = `${file} tcId ${t.tcId} (${t.comment})`;
          expect(["valid", "invalid"], where).toContain(t.result);
          const ok =
            group.tagSize === digestBits
              ? m.hmacVerify(alg, key, msg, tag)
              : m.hmacVerifyTruncated(alg, key, msg, tag, group.tagSize / 8);
          expect(ok, where).toBe(t.result === "valid");
          if (group.tagSize !== digestBits) expect(m.hmacVerify(alg, key, msg, tag), `${where}: truncated tag via verify`).toBe(false);
          if (t.result === "valid" && group.tagSize === digestBits) expect(hexOf(m.hmac(alg, key, msg)), where).toBe(t.tag);
          checked++;
        }
      }
      expect(checked).toBe(vectors.numberOfTests);
    });
  }

  it("matches node:crypto for random keys (shorter and longer than a block) and messages", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 600 }), (alg, key, msg) => {
        const want = nodeHmac(ALGS[alg], key, msg);
        expect(hexOf(m.hmac(alg, key, msg))).toBe(want);
        expect(m.hmacVerify(alg, key, msg, hex(want))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("single-hash key classes (HmacKeyOf<Sha256|Sha384|Sha512>) match node:crypto", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 300 }), fc.boolean(), (alg, key, msg, good) => {
        const want = hex(nodeHmac(ALGS[alg], key, msg));
        const tag = good ? want : Uint8Array.from(want, (b, i) => (i === 0 ? b ^ 1 : b));
        const out = copy(m.hmacTyped(alg, key, msg, tag))!;
        expect(hexOf(out.subarray(0, -1))).toBe(hexOf(want));
        expect(out[out.length - 1]).toBe(good ? 1 : 0);
      }),
      { numRuns: 300 },
    );
  });

  it("signs a range with a cached key like node:crypto signs the slice", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 400 }), fc.nat(), fc.nat(), (alg, key, msg, x, y) => {
        const a = msg.length ? x % (msg.length + 1) : 0;
        const b = msg.length ? y % (msg.length + 1) : 0;
        const [start, end] = a <= b ? [a, b] : [b, a];
        expect(hexOf(m.hmacRangeTwice(alg, key, msg, start, end))).toBe(nodeHmac(ALGS[alg], key, msg.subarray(start, end)));
      }),
      { numRuns: 200 },
    );
  });

  it("rejects any corrupted, truncated or extended tag", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.uint8Array({ maxLength: 80 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (alg, key, msg, pos, flip) => {
          const tag = hex(nodeHmac(ALGS[alg], key, msg));
          const bad = tag.slice();
          bad[pos % bad.length] ^= flip;
          expect(m.hmacVerify(alg, key, msg, bad)).toBe(false);
          expect(m.hmacVerify(alg, key, msg, tag.subarray(0, tag.length - 1 - (pos % tag.length)))).toBe(false);
          expect(m.hmacVerify(alg, key, msg, Uint8Array.from([...tag, flip]))).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("verifyTruncated takes its length from the caller, between half and all of the digest", () => {
    const key = new Uint8Array(32).fill(7);
    const msg = new TextEncoder().encode("message");
    for (const [alg, name] of ALGS.entries()) {
      const full = hex(nodeHmac(name, key, msg));
      const half = full.length / 2;
      expect(m.hmacVerifyTruncated(alg, key, msg, full.subarray(0, half), half)).toBe(true);
      expect(m.hmacVerifyTruncated(alg, key, msg, full, full.length)).toBe(true);
      // Below half the digest: refused even when the bytes match.
      expect(m.hmacVerifyTruncated(alg, key, msg, full.subarray(0, half - 1), half - 1)).toBe(false);
      // The tag must have exactly the expected length.
      expect(m.hmacVerifyTruncated(alg, key, msg, full.subarray(0, half + 1), half)).toBe(false);
      expect(m.hmacVerifyTruncated(alg, key, msg, full, full.length + 1)).toBe(false);
    }
  });
});

// --- constant-time compare and base64 ---

const STD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL = /^[A-Za-z0-9_-]*$/;
// The reference rule for strict decoding: the alphabet, the length, and canonical form (Node's
// encoder is canonical: exact padding, zero trailing bits), so a string is accepted iff it
// re-encodes to itself.
const stdAccepts = (s: string) => STD.test(s) && s.length % 4 === 0 && Buffer.from(s, "base64").toString("base64") === s;
const urlAccepts = (s: string) => URL.test(s) && s.length % 4 !== 1 && Buffer.from(s, "base64url").toString("base64url") === s;
// Strings mostly from the base64 alphabets, with padding and a few strangers.
const b64ish = fc.string({
  unit: fc.constantFrom(..."ABCQRSTgwxyz0189+/-_=".split(""), " ", "\n", ".", "é", "\u0141", "\uffff"),
  maxLength: 24,
});

describe.each([
  { build: "simd", scalar: false },
  { build: "scalar", scalar: true },
])("constant-time compare and base64 ($build build)", ({ scalar }) => {
  let m: Record<string, any>;
  beforeAll(async () => {
    m = await loadPure("hash", { scalar });
  });

  it("ctEqual is byte equality with equal lengths", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), fc.nat(), fc.integer({ min: 0, max: 255 }), (a, pos, flip) => {
        const b = a.slice();
        if (a.length) b[pos % a.length] ^= flip;
        expect(m.ctEqual(a, b)).toBe(Buffer.compare(a, b) === 0);
        expect(m.ctEqual(a, a.subarray(0, a.length - 1))).toBe(a.length === 0 ? true : false);
      }),
      { numRuns: 300 },
    );
    expect(m.ctEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    const x = Uint8Array.from([1, 2, 3, 4, 5]);
    expect(m.ctEqualRange(x, 1, Uint8Array.from([9, 2, 3]), 1, 2)).toBe(true);
    expect(m.ctEqualRange(x, 4, x, 0, 2)).toBe(false); // out of range is false, not a trap
    expect(m.ctEqualRange(x, 0, x, 0, -1)).toBe(false);
  });

  it("encodes like Buffer and round-trips, both variants", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        const std = m.base64Encode(data);
        const url = m.base64UrlEncode(data);
        expect(std).toBe(Buffer.from(data).toString("base64"));
        expect(url).toBe(Buffer.from(data).toString("base64url"));
        expect(copy(m.base64Decode(std))).toEqual(data);
        expect(copy(m.base64UrlDecode(url))).toEqual(data);
        expect(copy(m.base64DecodeBytes(Buffer.from(std)))).toEqual(data);
        expect(copy(m.base64UrlDecodeBytes(Buffer.from(url)))).toEqual(data);
        expect(m.base64Error()).toBe("");
      }),
      { numRuns: 500 },
    );
  });

  it("accepts exactly the canonical encodings (random strings)", () => {
    fc.assert(
      fc.property(b64ish, (s) => {
        const std = copy(m.base64Decode(s));
        expect(std !== null, `base64 ${JSON.stringify(s)}: ${m.base64Error()}`).toBe(stdAccepts(s));
        if (std) expect(std).toEqual(new Uint8Array(Buffer.from(s, "base64")));
        else expect(m.base64Error()).not.toBe("");
        const url = copy(m.base64UrlDecode(s));
        expect(url !== null, `base64url ${JSON.stringify(s)}: ${m.base64Error()}`).toBe(urlAccepts(s));
        if (url) expect(url).toEqual(new Uint8Array(Buffer.from(s, "base64url")));
        else expect(m.base64Error()).not.toBe("");
      }),
      { numRuns: 3000 },
    );
  });

  it("rejects each classic malleation with a reason and position", () => {
    const cases: [string, string, boolean, RegExp, number][] = [
      // [variant, input, accepted, reason, position]
      ["url", "QQ", true, /^$/, -1],
      ["url", "QR", false, /non-canonical/, 1],
      ["url", "QUI", true, /^$/, -1],
      ["url", "QUJ", false, /non-canonical/, 2],
      ["url", "QQ==", false, /unpadded/, 2],
      ["url", "QUJD=", false, /bad length/, 4],
      ["url", "Q", false, /bad length/, 0],
      ["url", "a+bc", false, /wrong base64 variant/, 1],
      ["url", "ab c", false, /bad character ' '|U\+0020/, 2],
      ["url", "abc\u00e9", false, /bad character U\+00e9/, 3],
      ["std", "QQ==", true, /^$/, -1],
      ["std", "QQ", false, /bad length/, 2],
      ["std", "QR==", false, /non-canonical/, 1],
      ["std", "QUI=", true, /^$/, -1],
      ["std", "QUJ=", false, /non-canonical/, 2],
      ["std", "Q===", false, /too much padding/, 1],
      ["std", "QQ=A", false, /inside the data/, 2],
      ["std", "QUJD====", false, /padding/, 4],
      ["std", "a_bc", false, /wrong base64 variant/, 1],
      ["std", "YW J", false, /bad character/, 2],
      ["std", "", true, /^$/, -1],
      ["url", "", true, /^$/, -1],
    ];
    for (const [variant, input, accepted, reason, pos] of cases) {
      const out = variant === "url" ? m.base64UrlDecode(input) : m.base64Decode(input);
      const what = `${variant} ${JSON.stringify(input)} -> ${m.base64Error()}`;
      expect(out !== null, what).toBe(accepted);
      expect(m.base64Error(), what).toMatch(reason);
      expect(m.base64ErrorPosition(), what).toBe(pos);
    }
  });
});

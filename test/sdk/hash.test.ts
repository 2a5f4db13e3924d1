// SHA-2 of the SDK (sdk/crypto/sha2.ts), run through the built wasm (SIMD and scalar builds),
// checked against node:crypto.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { loadPure } from "./load-pure.ts";

const ALGS = ["sha256", "sha384", "sha512"] as const;
const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");
const nodeHash = (alg: string, data: Uint8Array) => createHash(alg).update(data).digest("hex");

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

  it("hash a 1 MiB message like node:crypto", () => {
    const data = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 2654435761) >>> 24);
    for (const alg of ALGS) expect(hexOf(m[alg](data))).toBe(nodeHash(alg, data));
  });
});

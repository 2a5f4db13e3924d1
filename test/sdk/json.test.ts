// The SDK's strict JSON parser and serializer (sdk/json/), through the built wasm, against
// JSON.parse / JSON.stringify.
//
// Differential rule: on any input, our parser accepts exactly when JSON.parse does, and then
// yields an equal value, EXCEPT where we are deliberately stricter (sdk/json/parse.ts says why):
const STRICTER = [
  /^duplicate key /, //           {"a":1,"a":2}: JSON.parse keeps the last, we reject
  /lone (high|low) surrogate/, // "\ud800" escapes: JSON.parse makes a lone surrogate, we reject
  /^invalid UTF-8: lone surrogate .* in input/, // the same, raw in a parseString input
  /^nesting deeper than /, //     depth limit (default 64); JSON.parse has none this small
  /^number out of range/, //      1e400: JSON.parse gives Infinity, which JSON cannot write back
  /^input too large/, //          size limit (default 4 MiB)
];
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { loadPure } from "./load-pure.ts";

type Json = Record<string, any>;

/** Nesting depth of a JS value (containers only), as our depth limit counts it. */
function depthOf(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depthOf));
  if (v !== null && typeof v === "object") return 1 + Math.max(0, ...Object.values(v).map(depthOf));
  return 0;
}
function hasLoneSurrogate(v: unknown): boolean {
  if (typeof v === "string") return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(v);
  if (Array.isArray(v)) return v.some(hasLoneSurrogate);
  if (v !== null && typeof v === "object") return Object.entries(v).some(([k, x]) => hasLoneSurrogate(k) || hasLoneSurrogate(x));
  return false;
}
function hasInfinity(v: unknown): boolean {
  if (typeof v === "number") return !Number.isFinite(v);
  if (Array.isArray(v)) return v.some(hasInfinity);
  if (v !== null && typeof v === "object") return Object.values(v).some(hasInfinity);
  return false;
}

/** Runs both parsers on a JS string and checks the differential rule. */
function differential(m: Json, text: string) {
  let js: { ok: true; value: unknown } | { ok: false };
  try {
    js = { ok: true, value: JSON.parse(text) };
  } catch {
    js = { ok: false };
  }
  const ours = m.parseString(text, 0, 0);
  const where = `${JSON.stringify(text)}: ${m.lastErrorMessage()} at ${m.lastErrorPosition()}`;
  if (ours !== null) {
    expect(js.ok, `we accepted what JSON.parse rejects: ${where}`).toBe(true);
    if (js.ok) expect(JSON.parse(ours), where).toEqual(js.value);
    return;
  }
  if (!js.ok) return;
  // JSON.parse accepted and we did not: only for a listed reason, and the reason must be real.
  const message: string = m.lastErrorMessage();
  expect(STRICTER.some((r) => r.test(message)), `we rejected what JSON.parse accepts: ${where}`).toBe(true);
  if (/surrogate/.test(message)) expect(hasLoneSurrogate(js.value) || /\\u[dD][89abAB]/.test(text), where).toBe(true);
  if (/^nesting deeper/.test(message)) expect(depthOf(js.value), where).toBeGreaterThan(64);
  if (/^number out of range/.test(message)) expect(hasInfinity(js.value), where).toBe(true);
}

/** Random edits of a valid text: delete, insert or replace one character, a few times. */
const mutated = (base: fc.Arbitrary<string>) =>
  fc
    .tuple(
      base,
      fc.array(
        fc.tuple(
          fc.constantFrom("del", "ins", "rep"),
          fc.nat(),
          fc.constantFrom(..."{}[],:\"\\ 0123456789.-+eEtrufalsn\n\t/bx".split(""), "\u0000", "\u001f", "é", "\ud800", "\udc00", "😀"),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(([s, edits]) => {
      for (const [op, at, ch] of edits) {
        const i = s.length ? at % (s.length + (op === "ins" ? 1 : 0)) : 0;
        if (op === "del") s = s.slice(0, i) + s.slice(i + 1);
        else if (op === "ins") s = s.slice(0, i) + ch + s.slice(i);
        else s = s.slice(0, i) + ch + s.slice(i + 1);
      }
      return s;
    });

const jsonText = fc.json({ maxDepth: 4 });
const grammarSoup = fc.string({
  unit: fc.constantFrom(..."{}[],:\"\\ 0123456789.-+eEtrufalsn\n\tu".split(""), "\\u", "\\ud83d", "\\ude00", "\"a\"", "1e5", "é"),
  maxLength: 30,
});

describe.each([
  { build: "simd", scalar: false },
  { build: "scalar", scalar: true },
])("JSON ($build build)", ({ scalar }) => {
  let m: Json;
  beforeAll(async () => {
    m = await loadPure("json", { scalar });
  });

  it("round-trips random valid JSON to an equal value, and its own output to itself", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        const ours = m.parseString(text, 0, 0);
        expect(ours, `${text}: ${m.lastErrorMessage()}`).not.toBeNull();
        expect(JSON.parse(ours)).toEqual(JSON.parse(text));
        // Idempotent: our output parses to the same output (numbers keep INT/FLOAT form).
        expect(m.parseString(ours, 0, 0)).toBe(ours);
        // The byte parser agrees with the string parser.
        expect(m.parseBytes(new TextEncoder().encode(text), 0, 0)).toBe(ours);
      }),
      { numRuns: 500 },
    );
  });

  it("accepts exactly what JSON.parse accepts on mutated JSON (listed exceptions aside)", () => {
    fc.assert(fc.property(mutated(jsonText), (text) => differential(m, text)), { numRuns: 3000 });
  });

  it("accepts exactly what JSON.parse accepts on random token soup (listed exceptions aside)", () => {
    fc.assert(fc.property(grammarSoup, (text) => differential(m, text)), { numRuns: 3000 });
  });

  it("accepts exactly what JSON.parse accepts on arbitrary strings (listed exceptions aside)", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 12 }), (text) => differential(m, text)), { numRuns: 2000 });
  });

  it("hostile bytes: any byte string is a value or a clean error with a position, never a trap; same verdict as fatal TextDecoder + JSON.parse", () => {
    // Random bytes, and JSON fragments (valid and broken UTF-8, escapes, deep nesting, long
    // numbers) glued with random bytes: parseBytes must return (never throw from a trap), and
    // accept exactly when the reference does, listed exceptions aside.
    // ignoreBOM: keep a leading BOM as U+FEFF (JSON.parse then rejects it, as we do; RFC 8259 §8.1).
    const fatal = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    const fragment = fc.oneof(
      fc.uint8Array({ maxLength: 8 }),
      fc.constantFrom(
        ...['{', '}', '[', ']', '"', '\\', '\\u', 'd83d', '\\ude00', ':', ',', '-', '0', '1', '.', 'e', 'E+', '1e999', 'true', 'nul', '"k"',
          "9".repeat(400), "[".repeat(70), "]".repeat(70), "\u00e9", "\ud83d\ude00"].map((t) => new TextEncoder().encode(t)),
        Uint8Array.of(0xc0, 0x80), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0xf4, 0x90, 0x80, 0x80), Uint8Array.of(0xef, 0xbb, 0xbf), Uint8Array.of(0),
      ),
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 24 }), (parts) => {
        const bytes = Uint8Array.from(parts.flatMap((p) => [...p]));
        let expected: { ok: true; value: unknown } | { ok: false };
        try {
          expected = { ok: true, value: JSON.parse(fatal.decode(bytes)) };
        } catch {
          expected = { ok: false };
        }
        const out = m.parseBytes(bytes, 0, 0); // a trap throws here and fails the property
        const where = `${Buffer.from(bytes).toString("hex")}: ${m.lastErrorMessage()}`;
        if (out === null) {
          const pos = m.lastErrorPosition();
          expect(m.lastErrorMessage().length, where).toBeGreaterThan(0);
          expect(pos >= 0 && pos <= bytes.length, where).toBe(true);
          if (expected.ok) expect(STRICTER.some((r) => r.test(m.lastErrorMessage())), `we rejected what JSON.parse accepts: ${where}`).toBe(true);
          return;
        }
        expect(expected.ok, `we accepted what JSON.parse rejects: ${where}`).toBe(true);
        if (expected.ok) expect(JSON.parse(out), where).toEqual(expected.value);
      }),
      { numRuns: 5000 },
    );
  });

  it("reads every double JSON.parse reads, correctly rounded (short, long and extreme forms)", () => {
    const forms = fc.tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 1, max: 40 })).map(([d, p]) => [
      JSON.stringify(d),
      d.toExponential(Math.min(p, 100) - 1 < 0 ? 0 : Math.min(p - 1, 100)),
      d.toPrecision(Math.min(p, 100)),
      // Exponent spelled out in other forms, and digits past the shortest form.
      d.toExponential(24).replace("e+", "E"),
    ]);
    fc.assert(
      fc.property(forms, (texts) => {
        for (const text of texts) differential(m, text);
      }),
      { numRuns: 2000 },
    );
    // Known hard cases: halfway points, subnormal boundaries, the edge of overflow, long inputs.
    const hard = [
      "2.2250738585072011e-308", "2.2250738585072012e-308", "4.9406564584124654e-324", "2.4703282292062327e-324",
      "2.4703282292062328e-324", "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
      "9007199254740993", "9007199254740993.0", "9007199254740992.9999999999999999999999", "0.1", "0.30000000000000004",
      "1e23", "8.98846567431158e307", "5e-324", "1e-400", "-1e-400", "123456789012345678901234567890e-40",
      "0." + "0".repeat(340) + "1", "1" + "0".repeat(400), "1" + "0".repeat(300) + "e-300",
      "7.2057594037927933e16", "1.00000000000000011102230246251565404236316680908203125",
      "1.00000000000000011102230246251565404236316680908203124", "1.00000000000000011102230246251565404236316680908203126",
      "2." + "9".repeat(900), "1" + "7".repeat(1000) + "e-1000",
    ];
    for (const text of hard) differential(m, text);
  });

  it("reads numbers whose exponent is cancelled by millions of digits (raised size limit)", () => {
    // The exponent may be any size as long as the digits bring the value back in range;
    // saturating it early (it once stopped at 10^6) gave 0 or "out of range" for these.
    const limit = 30_000_000;
    for (const text of [
      "0." + "0".repeat(10_000_000) + "1e10000001",
      "1" + "0".repeat(10_000_000) + "e-10000000",
      "-0." + "0".repeat(10_000_000) + "25e10000001",
      "1" + "0".repeat(10_000_000) + "e-99999999999999999999",
    ]) {
      const out = m.parseString(text, 0, limit);
      expect(out, `${text.slice(0, 12)}…${text.slice(-24)}: ${m.lastErrorMessage()}`).not.toBeNull();
      expect(JSON.parse(out)).toBe(JSON.parse(text));
    }
    expect(m.parseString("1" + "0".repeat(10_000_000) + "e-9999690", 0, limit)).toBeNull(); // 1e310
    expect(m.lastErrorMessage()).toMatch(/^number out of range/);
  });

  it("classifies numbers: INT when written without fraction/exponent and in i64, else FLOAT", () => {
    expect(m.numberKinds("[0, -1, 1.0, 1e2, -0, 9223372036854775807, 9223372036854775808, -9223372036854775808, -9223372036854775809, 0.5]")).toBe(
      "IIFFFIFIFF",
    );
    // INT is exact beyond 2^53 (JSON.parse would round these).
    expect(m.parseString("[9007199254740993,-9223372036854775808]", 0, 0)).toBe("[9007199254740993,-9223372036854775808]");
    expect(m.parseString("-0", 0, 0)).toBe("-0.0");
    expect(m.parseString("1E2", 0, 0)).toBe("100.0");
  });

  it("rejects non-JSON with a clear message and byte position", () => {
    const cases: [string, RegExp, number][] = [
      ["", /unexpected end of input, expected a value/, 0],
      ["  ", /unexpected end of input/, 2],
      ["01", /leading zero/, 0],
      ["-01", /leading zero/, 1],
      ["+1", /unexpected '\+'/, 0],
      [".5", /unexpected '\.'/, 0],
      ["1.", /digit after '\.'/, 2],
      ["1e", /digit in the exponent/, 2],
      ["1e+", /digit in the exponent/, 3],
      ["-", /digit after '-'/, 1],
      ["0x10", /unexpected 'x' after the value/, 1],
      ["NaN", /unexpected 'N'/, 0],
      ["Infinity", /unexpected 'I'/, 0],
      ["[1,]", /trailing comma in array/, 3],
      ['{"a":1,}', /trailing comma in object/, 7],
      ["[1 2]", /expected ',' or '\]'/, 3],
      ['{"a" 1}', /expected ':'/, 5],
      ["{a:1}", /expected a string key/, 1],
      ["{'a':1}", /expected a string key/, 1],
      ['{"a":1', /end of input in object/, 6],
      ["[", /unexpected end of input/, 1],
      ['"abc', /unterminated string/, 0],
      ['"a\tb"', /control character U\+0009 in string/, 2],
      ['"a\u0000"', /control character U\+0000/, 2],
      ['"\\x"', /invalid escape \\x/, 1],
      ['"\\u12"', /expected 4 hex digits/, 5],
      ['"\\u12G4"', /expected 4 hex digits/, 5],
      ['"\\udc00"', /lone low surrogate/, 1],
      ['"\\ud800x"', /lone high surrogate/, 1],
      ['"\\ud800\\u0041"', /lone high surrogate/, 1],
      ["tru", /expected 'true'/, 3],
      ["nul", /expected 'null'/, 3],
      ["truex", /unexpected 'x' after the value/, 4],
      ["[] []", /unexpected '\[' after the value/, 3],
      ["1 // comment", /unexpected '\/' after the value/, 2],
      ["\ufeff1", /unexpected byte 0xef/, 0],
      ["\u00a01", /unexpected byte 0xc2/, 0],
      ['{"a":1,"b":2,"a":3}', /duplicate key "a"/, 13],
      ["1e400", /number out of range/, 0],
      ["-1e400", /number out of range/, 0],
      ['"\ud800"', /lone surrogate U\+D800 in input/, 1],
    ];
    for (const [text, reason, pos] of cases) {
      const out = m.parseString(text, 0, 0);
      const what = `${JSON.stringify(text)} -> ${m.lastErrorMessage()} at ${m.lastErrorPosition()}`;
      expect(out, what).toBeNull();
      expect(m.lastErrorMessage(), what).toMatch(reason);
      expect(m.lastErrorPosition(), what).toBe(pos);
    }
  });

  it("validates UTF-8 exactly like a fatal TextDecoder (RFC 3629)", () => {
    const fatal = new TextDecoder("utf-8", { fatal: true });
    const probe = (inner: number[]) => {
      const bytes = Uint8Array.from([0x22, ...inner, 0x22]);
      // Reference: the bytes are UTF-8 and the text is a JSON string JSON.parse reads.
      let expected: { ok: true; value: unknown } | { ok: false } = { ok: false };
      try {
        expected = { ok: true, value: JSON.parse(fatal.decode(bytes)) };
      } catch {
        expected = { ok: false };
      }
      const out = m.parseBytes(bytes, 0, 0);
      const where = `${Buffer.from(inner).toString("hex")}: ${m.lastErrorMessage()}`;
      if (out === null && expected.ok) {
        // Only a listed strictness (a lone surrogate escape) may make us reject it.
        expect(m.lastErrorMessage(), where).toMatch(/lone (high|low) surrogate/);
        return;
      }
      expect(out !== null, where).toBe(expected.ok);
      if (out !== null && expected.ok) expect(JSON.parse(out)).toBe(expected.value);
    };
    const table = [
      [0xc0, 0x80], [0xc1, 0xbf], [0xc2, 0x80], [0xdf, 0xbf], [0xe0, 0x80, 0x80], [0xe0, 0x9f, 0xbf], [0xe0, 0xa0, 0x80],
      [0xed, 0x9f, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xee, 0x80, 0x80], [0xef, 0xbf, 0xbf],
      [0xf0, 0x8f, 0xbf, 0xbf], [0xf0, 0x90, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80],
      [0xf5, 0x80, 0x80, 0x80], [0xff], [0x80], [0xbf], [0xc2], [0xe1, 0x80], [0xf1, 0x80, 0x80], [0xc2, 0x41],
      [0xe1, 0x80, 0x41], [0x41, 0xf0, 0x9f, 0x98, 0x80, 0x42],
    ];
    for (const inner of table) probe(inner);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 12 }), (inner) => probe([...inner])), { numRuns: 3000 });
    // Mostly-valid text with random byte damage.
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 8 }), fc.nat(), fc.integer({ min: 0x80, max: 0xff }), (s, at, b) => {
        const bytes = [...new TextEncoder().encode(s)].filter((x) => x >= 0x20 && x !== 0x22 && x !== 0x5c);
        if (bytes.length) bytes[at % bytes.length] = b;
        probe(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it("limits depth and size, both configurable", () => {
    const nest = (n: number) => "[".repeat(n) + "]".repeat(n);
    expect(m.parseString(nest(64), 0, 0)).toBe(nest(64));
    expect(m.parseString(nest(65), 0, 0)).toBeNull();
    expect(m.lastErrorMessage()).toBe("nesting deeper than 64");
    expect(m.lastErrorPosition()).toBe(64);
    expect(m.parseString('{"a":' + nest(63) + "}", 0, 0)).not.toBeNull();
    expect(m.parseString('{"a":' + nest(64) + "}", 0, 0)).toBeNull();
    expect(m.parseString(nest(3), 2, 0)).toBeNull();
    expect(m.parseString(nest(2), 2, 0)).toBe(nest(2));
    // Parser and serializer are iterative: a raised limit is safe at any depth.
    expect(m.parseString(nest(100000), 100000, 0)).toBe(nest(100000));
    expect(m.parseString('{"a":'.repeat(30000) + "1" + "}".repeat(30000), 30000, 0)).not.toBeNull();
    expect(m.parseString(nest(100001), 100000, 0)).toBeNull();
    expect(m.parseString('"' + "x".repeat(100) + '"', 0, 101)).toBeNull();
    expect(m.lastErrorMessage()).toMatch(/^input too large: at least 102 bytes, limit 101/);
    // Counted in UTF-8 bytes: 51 two-byte characters are 102 bytes + 2 quotes.
    expect(m.parseString('"' + "é".repeat(51) + '"', 0, 103)).toBeNull();
    expect(m.lastErrorMessage()).toMatch(/^input too large: 104 bytes, limit 103/);
    expect(m.parseBytes(new TextEncoder().encode('"' + "é".repeat(51) + '"'), 0, 104)).toBe('"' + "é".repeat(51) + '"');
    expect(m.parseString('"' + "x".repeat(99) + '"', 0, 101)).not.toBeNull();
    // The default size limit is 4 MiB.
    const big = JSON.stringify("y".repeat(4 * 1024 * 1024 - 2));
    expect(m.parseString(big, 0, 0)).toBe(big);
    expect(m.parseString(big + " ", 0, 0)).toBeNull();
  });

  it("serializing leaks nothing: memory stays flat over many stringify and quoteJsonString calls", () => {
    const doc = JSON.stringify({ sub: "alice", aud: ["a", "b"], n: 1, f: 1.5, nested: { ok: true, none: null } });
    // Warm up (scratch buffers and GC thresholds settle), then the same work again must not
    // grow memory: a writer that leaks one small heap block per call grows it by megabytes.
    expect(m.stringifyRepeat(doc, 200000)).toBeGreaterThan(0);
    const before = m.memory.buffer.byteLength;
    expect(m.stringifyRepeat(doc, 200000)).toBeGreaterThan(0);
    expect(m.memory.buffer.byteLength).toBe(before);
  });

  it("writes strings JSON.parse reads back, escaping what must be escaped", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        // Well-formed strings only: the parser rejects lone surrogates by design.
        if (hasLoneSurrogate(s)) return;
        const text = JSON.stringify(s);
        const ours = m.parseString(text, 0, 0);
        expect(JSON.parse(ours)).toBe(s);
        expect(ours).not.toMatch(/[\u0000-\u001f]/);
      }),
      { numRuns: 1000 },
    );
    expect(m.parseString('"\\/\\b\\f\\n\\r\\t\\u0001\\u001F\\u007f\\u00E9\\uD83D\\uDE00"', 0, 0)).toBe(
      '"/\\b\\f\\n\\r\\t\\u0001\\u001f\u007fé😀"',
    );
  });

  it("builds trees through the API: set replaces in place, specials serialize safely", () => {
    const out = m.buildTree();
    expect(out).not.toBe("index broken");
    const v = JSON.parse(out);
    expect(Object.keys(v).slice(0, 3)).toEqual(["b", "a", "c"]);
    expect(v.b).toBe('replaced\u0000"\\\n\u2028\ud800'); // the lone surrogate went out escaped
    expect(out).toContain('"a":-9223372036854775808');
    expect(v.c).toEqual([0.1, -0, null, null, 1e21, 5e-324, 100, true, null]);
    expect(v.k3).toBe("three");
    expect(v.k20).toBe("twenty");
    expect(Object.keys(v).length).toBe(24);
  });

  it("accessors: typed getters return null (or the fallback) on absence and on the wrong type", () => {
    const doc = '{"obj":{"z":1,"y":[2]},"int":5,"big":1e300,"float":1.5,"str":"text","t":true,"arr":[1,"x"],"nul":null}';
    const p = (k: string) => m.probe(doc, k);
    expect(p("obj")).toBe(
      "has=1|kind=object|string=null|int=-999|number=-999.5|bool=false/true|num=null|array=null|object=2|length=2|at0=null|at-1=null|keys=z,y",
    );
    expect(p("int")).toBe(
      "has=1|kind=number|string=null|int=5|number=5.0|bool=false/true|num=int|array=null|object=null|length=0|at0=null|at-1=null",
    );
    // A FLOAT is never silently truncated to an int.
    expect(p("float")).toBe(
      "has=1|kind=number|string=null|int=-999|number=1.5|bool=false/true|num=float|array=null|object=null|length=0|at0=null|at-1=null",
    );
    expect(p("big")).toMatch(/\|int=-999\|number=1e\+300\|/);
    expect(p("str")).toBe(
      "has=1|kind=string|string=text|int=-999|number=-999.5|bool=false/true|num=null|array=null|object=null|length=0|at0=null|at-1=null",
    );
    expect(p("t")).toMatch(/\|bool=true\/true\|/);
    expect(p("arr")).toBe(
      "has=1|kind=array|string=null|int=-999|number=-999.5|bool=false/true|num=null|array=2|object=null|length=2|at0=number|at-1=null",
    );
    expect(p("nul")).toMatch(/^has=1\|kind=null\|string=null\|/);
    expect(p("missing")).toBe(
      "has=0|kind=-|string=null|int=-999|number=-999.5|bool=false/true|num=null|array=null|object=null|length=-|at0=null|at-1=null",
    );
  });

  it("keeps member order, and looks up members of large objects correctly", () => {
    const entries = Array.from({ length: 50 }, (_, i) => [`key${(i * 37) % 50}`, i] as const);
    const text = JSON.stringify(Object.fromEntries(entries));
    expect(m.parseString(text, 0, 0)).toBe(text);
    for (const [k, i] of entries.slice(0, 50)) expect(m.probe(text, k)).toMatch(new RegExp(`\\|int=${i}\\|`));
    expect(m.probe(text, "key50")).toMatch(/^has=0/);
    // Duplicates are found past the linear-lookup size too.
    expect(m.parseString(text.slice(0, -1) + ',"key49":0}', 0, 0)).toBeNull();
    expect(m.lastErrorMessage()).toBe('duplicate key "key49"');
  });
});

// Durations and instants of the scenario format (spec/scenario-format.md).
//
// A duration is a plain number of milliseconds or a string of one or more
// <number><unit> parts, Go-style ("20ms", "1.5s", "2m", "1m30s"). An instant
// is a number of unix seconds or an RFC 3339 string. Both helpers throw an
// Error whose message is fit to follow "path: " in a loader error.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DURATION_PART = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)/y;

/** Parses a duration to milliseconds (may be fractional, never negative). */
export function parseDuration(input: unknown): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input) || input < 0) throw new Error(`bad duration ${input}: must be a non-negative number of milliseconds`);
    return input;
  }
  if (typeof input !== "string") throw new Error(`bad duration: expected a number of milliseconds or a string like "20ms", "1.5s", "2m"`);
  const text = input.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  let total = 0;
  let at = 0;
  DURATION_PART.lastIndex = 0;
  while (at < text.length) {
    DURATION_PART.lastIndex = at;
    const part = DURATION_PART.exec(text);
    if (part === null) break;
    total += Number(part[1]) * UNIT_MS[part[2]]!;
    at = DURATION_PART.lastIndex;
  }
  if (at !== text.length || text.length === 0) {
    throw new Error(`bad duration ${JSON.stringify(input)}: expected a number of milliseconds or a string like "20ms", "1.5s", "2m", "1h", "1m30s"`);
  }
  return total;
}

// RFC 3339 section 5.6 (date-time), "T"/"Z" in either case.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses an instant (unix seconds or RFC 3339) to nanoseconds since the epoch. */
export function parseInstantNanos(input: unknown): bigint {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw new Error(`bad time ${input}: expected unix seconds or an RFC 3339 string`);
    if (Number.isInteger(input)) return BigInt(input) * 1_000_000_000n;
    // Fractional seconds: keep microsecond precision, beyond that a double has none.
    return BigInt(Math.round(input * 1_000_000)) * 1_000n;
  }
  if (typeof input !== "string") throw new Error(`bad time: expected unix seconds (number) or an RFC 3339 string like "2030-01-01T00:00:00Z"`);
  const m = RFC3339.exec(input.trim());
  const bad = () => new Error(`bad time ${JSON.stringify(input)}: expected unix seconds (number) or an RFC 3339 string like "2030-01-01T00:00:00Z"`);
  if (m === null) throw bad();
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const wholeMs = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${zone!.toUpperCase()}`);
  if (Number.isNaN(wholeMs)) throw bad();
  // Date.parse accepts 2030-02-31; RFC 3339 does not.
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) throw bad();
  const fracNanos = frac === undefined ? 0n : BigInt(frac.padEnd(9, "0"));
  return BigInt(wholeMs) * 1_000_000n + fracNanos;
}

/** Parses an instant (unix seconds or RFC 3339) to unix milliseconds. */
export function parseInstantMillis(input: unknown): number {
  const ns = parseInstantNanos(input);
  return Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1_000_000;
}

// Loads declarative scenarios (spec/scenario-format.md) from YAML, validates
// them against a hand-written schema and applies every default, so the
// runner gets a plain `Scenario` (types.ts).
//
// Every error carries its place: `file:line:col: path.to.field: message`,
// and all errors of a file are reported together. A typo must never
// silently weaken a test, so unknown keys are errors.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, extname } from "node:path";
import { Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments } from "yaml";
import type { Node as YamlNode } from "yaml";
import { parseDuration, parseInstantMillis, parseInstantNanos } from "./duration.ts";
import { stripProxyPrefix } from "./check.ts";
import { idx, sub } from "./path.ts";
import {
  LOG_LEVELS,
  type CalloutAnswer,
  type CalloutExpectation,
  type CalloutMatcher,
  type ClusterScript,
  type ConfigureExpectation,
  type ConnectionSpec,
  type Expectations,
  type FailStrategy,
  type GrpcAnswer,
  type GrpcCalloutExpectation,
  type GrpcCalloutMatcher,
  type HeaderExpectation,
  type HostSettings,
  type HttpRequestSpec,
  type LocalReplyExpectation,
  type LogExpectation,
  type LogLevel,
  type LogPhase,
  type Pairs,
  type PluginSpec,
  type PropertyValue,
  type RequestStep,
  type ResponseExpectation,
  type Scenario,
  type SourcePos,
  type UpstreamAnswer,
  type UpstreamExpectation,
} from "./types.ts";

// ---- Public API ----------------------------------------------------------

export interface ScenarioError {
  file: string;
  line: number;
  column: number;
  /** e.g. "requests[0].expect.response.status"; "" for file-level errors. */
  path: string;
  message: string;
}

export function formatScenarioError(e: ScenarioError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.path === "" ? "" : `${e.path}: `}${e.message}`;
}

/** Thrown by loadScenarioFile/loadScenarios; `message` lists every error, one a line. */
export class ScenarioLoadError extends Error {
  readonly errors: ScenarioError[];
  constructor(errors: ScenarioError[]) {
    super(errors.map(formatScenarioError).join("\n"));
    this.name = "ScenarioLoadError";
    this.errors = errors;
  }
}

/** Defaults of the format (spec/scenario-format.md and docs/scenarios.md). */
export const DEFAULT_CLOCK_MS = Date.UTC(2030, 0, 1); // 1893456000 s
export const DEFAULT_MAX_WAIT_MS = 60_000;
export const DEFAULT_SOURCE_ADDRESS = "10.0.0.1:5555";
export const DEFAULT_DESTINATION_ADDRESS = "10.0.0.2:8080";

/**
 * Parses the text of one scenario file. `file` is only used in messages and
 * `source` positions. `scenarios` is empty whenever `errors` is not.
 */
export function parseScenarios(text: string, file: string): { scenarios: Scenario[]; errors: ScenarioError[]; warnings: ScenarioError[] } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, keepSourceTokens: true, prettyErrors: false });
  const errors: ScenarioError[] = [];
  const warnings: ScenarioError[] = [];
  const scenarios: Scenario[] = [];
  const docList = Array.isArray(docs) ? docs : [];
  // Syntax errors first: a broken document is not validated further.
  for (const doc of docList) {
    for (const e of [...doc.errors, ...doc.warnings]) {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      errors.push({ file, line, column: col, path: "", message: `YAML ${e.code}: ${firstLine(e.message)}` });
    }
  }
  if (errors.length > 0) return { scenarios: [], errors, warnings };

  // Scenario nodes: a map, or each item of a list, over every document.
  const items: Array<{ doc: Document.Parsed; node: YamlNode }> = [];
  let multi = docList.length > 1;
  for (const doc of docList) {
    const root = doc.contents as YamlNode | null;
    if (root === null || (isScalar(root) && root.value === null)) continue;
    if (isSeq(root)) {
      multi = true;
      for (const item of root.items) items.push({ doc, node: item as YamlNode });
    } else {
      items.push({ doc, node: root });
    }
  }
  if (items.length === 0) {
    errors.push({ file, line: 1, column: 1, path: "", message: "no scenario: expected a scenario (a map) or a list of scenarios" });
    return { scenarios: [], errors, warnings };
  }
  items.forEach(({ doc, node }, i) => {
    const own: ScenarioError[] = [];
    const ctx = new Ctx(file, text, lineCounter, doc, errors, own);
    const scenario = readScenario(ctx, node, multi ? `[${i}]` : "");
    warnings.push(...own);
    if (scenario !== undefined) {
      const twin = scenarios.find((s) => s.name === scenario.name);
      if (twin !== undefined) ctx.error(nameNode(ctx, node), sub(multi ? `[${i}]` : "", "name"), `duplicate scenario name ${JSON.stringify(scenario.name)} (also at line ${twin.source.line})`);
      scenario.warnings = own.sort(byPosition).map(formatScenarioError);
      scenarios.push(scenario);
    }
  });
  // Report in reading order of the file, whatever order the checks ran in.
  errors.sort(byPosition);
  warnings.sort(byPosition);
  return errors.length > 0 ? { scenarios: [], errors, warnings } : { scenarios, errors, warnings };
}

function byPosition(a: ScenarioError, b: ScenarioError): number {
  return a.line - b.line || a.column - b.column;
}

/** Loads one file holding one scenario or a YAML list of them; throws ScenarioLoadError. */
export function loadScenarioFile(path: string): Scenario[] {
  const { scenarios, errors } = parseScenarios(readFileSync(path, "utf8"), path);
  if (errors.length > 0) throw new ScenarioLoadError(errors);
  return scenarios;
}

// Loads scenario files: `root` is a directory (every *.yaml / *.yml below
// it), a single file, or a glob such as "test/scenarios/**" + "/*.yaml"
// (`*`, `?`, `**` and `{a,b}`). Files are read in name order; errors of all
// files are thrown together as one ScenarioLoadError. File names in
// messages and `source` start with `root` (or the glob's fixed prefix).
export function loadScenarios(root: string): Scenario[] {
  const errors: ScenarioError[] = [];
  const scenarios: Scenario[] = [];
  const files = scenarioFiles(root);
  if (files.length === 0) errors.push({ file: root, line: 1, column: 1, path: "", message: "no scenario file matches" });
  for (const file of files) {
    const r = parseScenarios(readFileSync(file, "utf8"), file);
    errors.push(...r.errors);
    scenarios.push(...r.scenarios);
  }
  if (errors.length > 0) throw new ScenarioLoadError(errors);
  return scenarios;
}

/** The scenario files named by `root` (see loadScenarios), in name order, directories depth-first. */
export function scenarioFiles(root: string): string[] {
  const wildcard = /[*?{]/.exec(root);
  if (wildcard === null) {
    if (!statSync(root).isDirectory()) return [root];
    return walkFiles(root).filter((f) => /\.ya?ml$/.test(f));
  }
  // Walk from the last directory before the first wildcard, then match the whole pattern.
  const slash = root.lastIndexOf("/", wildcard.index);
  const base = slash < 0 ? "." : root.slice(0, slash) || "/";
  const pattern = globToRegExp(root);
  return walkFiles(base).filter((f) => pattern.test(slash < 0 ? f.slice(2) : f));
}

function walkFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // a glob's base that does not exist matches nothing
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      // Concatenated, not path.join, so names keep the prefix as written ("./x" stays "./x").
      const full = dir.endsWith("/") ? dir + entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(full);
    }
  };
  walk(root);
  return out;
}

// A glob as a RegExp over "/"-separated paths: "**" followed by "/" matches
// any number of directories, "*" and "?" stay within one segment, "{a,b}"
// are alternatives.
export function globToRegExp(glob: string): RegExp {
  let re = "";
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === "*" && glob[i + 1] === "*") {
      const slashAfter = glob[i + 2] === "/";
      re += slashAfter ? "(?:.*/)?" : ".*";
      i += slashAfter ? 2 : 1;
    } else if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "{") {
      braces++;
      re += "(?:";
    } else if (ch === "}" && braces > 0) {
      braces--;
      re += ")";
    } else if (ch === "," && braces > 0) re += "|";
    else re += ch.replace(/[.+^$(){}|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

// ---- Reading machinery ---------------------------------------------------

interface Entry {
  key: string;
  keyNode: YamlNode | null;
  value: YamlNode | null;
}

class Ctx {
  constructor(
    readonly file: string,
    readonly text: string,
    readonly lc: LineCounter,
    readonly doc: Document.Parsed,
    readonly errors: ScenarioError[],
    readonly warnings: ScenarioError[],
  ) {}

  pos(node: YamlNode | null | undefined): SourcePos {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = this.lc.linePos(offset);
    return { file: this.file, line, column: col };
  }

  error(node: YamlNode | null | undefined, path: string, message: string): void {
    const p = this.pos(node);
    this.errors.push({ file: this.file, line: p.line, column: p.column, path, message });
  }

  /** Something legal but pointless or contradictory: loaded anyway, reported on the scenario. */
  warn(node: YamlNode | null | undefined, path: string, message: string): void {
    const p = this.pos(node);
    this.warnings.push({ file: this.file, line: p.line, column: p.column, path, message });
  }

  /** Follows an alias to its anchored node. */
  resolve(node: YamlNode | null | undefined): YamlNode | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return (node.resolve(this.doc) as YamlNode | undefined) ?? null;
    return node;
  }

  /** Source text of a scalar, as written (used to read `x: 5` as the header value "5"). */
  source(node: YamlNode): string {
    const r = node.range;
    return r ? this.text.slice(r[0], r[1]) : String((node as { value?: unknown }).value);
  }
}

function firstLine(s: string): string {
  return s.split("\n")[0]!;
}

function describe(node: YamlNode | null): string {
  if (node === null) return "nothing";
  if (isMap(node)) return "a map";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "null";
    if (typeof v === "string") return `a string (${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)})`;
    if (typeof v === "number" || typeof v === "bigint") return `a number (${String(v)})`;
    if (typeof v === "boolean") return `a boolean (${v})`;
  }
  return "an unsupported value";
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The closest candidate, if it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best !== undefined && bestDist <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

function suggestion(word: string, candidates: readonly string[]): string {
  const m = didYouMean(word, candidates);
  return m !== undefined ? ` (did you mean ${JSON.stringify(m)}?)` : ` (expected one of: ${candidates.join(", ")})`;
}

/** The entries of a map, `<<` merge keys expanded (explicit keys win); null (after an error) if not a map. */
function mapEntries(c: Ctx, raw: YamlNode | null, path: string): Entry[] | null {
  const node = c.resolve(raw);
  if (!isMap(node)) {
    c.error(node ?? raw, path, `expected a map, found ${describe(node)}`);
    return null;
  }
  const explicit: Entry[] = [];
  const merged: Entry[] = [];
  for (const pair of node.items) {
    const keyNode = c.resolve(pair.key as YamlNode | null);
    const value = (pair.value as YamlNode | null) ?? null;
    if (!isScalar(keyNode) || keyNode.value === null) {
      c.error(keyNode ?? node, path, `keys must be strings, found ${describe(keyNode)}`);
      continue;
    }
    const key = typeof keyNode.value === "string" ? keyNode.value : c.source(keyNode);
    if (key === "<<") {
      const target = c.resolve(value);
      const sources = isSeq(target) ? target.items.map((n) => n as YamlNode) : [value as YamlNode];
      for (const s of sources) {
        const inner = mapEntries(c, s, path);
        if (inner !== null) merged.push(...inner);
      }
      continue;
    }
    explicit.push({ key, keyNode, value });
  }
  const seen = new Set(explicit.map((e) => e.key));
  const out = [...explicit];
  for (const e of merged) {
    if (!seen.has(e.key)) {
      seen.add(e.key);
      out.push(e);
    }
  }
  return out;
}

type Fields = Map<string, Entry>;

/** A map whose keys are fixed by the format: unknown keys are errors (with a did-you-mean). */
function fields(c: Ctx, raw: YamlNode | null, path: string, allowed: readonly string[]): Fields | null {
  const entries = mapEntries(c, raw, path);
  if (entries === null) return null;
  const out: Fields = new Map();
  for (const e of entries) {
    if (!allowed.includes(e.key)) {
      c.error(e.keyNode, sub(path, e.key), `unknown key${suggestion(e.key, allowed)}`);
      continue;
    }
    out.set(e.key, e);
  }
  return out;
}

/** Node to report "required" on: the map itself, or its parent when absent. */
function required(c: Ctx, f: Fields, key: string, where: YamlNode | null, path: string): Entry | undefined {
  const e = f.get(key);
  if (e === undefined) c.error(where, sub(path, key), "required");
  return e;
}

function valueNode(e: Entry): YamlNode | null {
  return e.value ?? e.keyNode;
}

function scalarValue(c: Ctx, raw: YamlNode | null): { node: YamlNode | null; value: unknown; isScalar: boolean } {
  const node = c.resolve(raw);
  if (node !== null && isScalar(node)) return { node, value: node.value, isScalar: true };
  return { node, value: undefined, isScalar: node === null };
}

function readString(c: Ctx, raw: YamlNode | null, path: string): string | undefined {
  const { node, value } = scalarValue(c, raw);
  if (typeof value === "string") return value;
  c.error(node ?? raw, path, `expected a string, found ${describe(node)}`);
  return undefined;
}

/** A string; a plain number or boolean is taken as written (`x-count: 5` is "5"). */
function readText(c: Ctx, raw: YamlNode | null, path: string): string | undefined {
  const { node, value } = scalarValue(c, raw);
  if (typeof value === "string") return value;
  if (node !== null && isScalar(node) && (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")) return c.source(node);
  c.error(node ?? raw, path, `expected a string, found ${describe(node)}`);
  return undefined;
}

function readBool(c: Ctx, raw: YamlNode | null, path: string): boolean | undefined {
  const { node, value } = scalarValue(c, raw);
  if (typeof value === "boolean") return value;
  c.error(node ?? raw, path, `expected true or false, found ${describe(node)}`);
  return undefined;
}

function readNumber(c: Ctx, raw: YamlNode | null, path: string): number | undefined {
  const { node, value } = scalarValue(c, raw);
  if (typeof value === "number" && Number.isFinite(value)) return value;
  c.error(node ?? raw, path, `expected a number, found ${describe(node)}`);
  return undefined;
}

function readInt(c: Ctx, raw: YamlNode | null, path: string, min: number, max: number): number | undefined {
  const { node, value } = scalarValue(c, raw);
  if (typeof value === "number" && Number.isInteger(value)) {
    if (value >= min && value <= max) return value;
    c.error(node, path, `expected an integer from ${min} to ${max}, found ${value}`);
    return undefined;
  }
  c.error(node ?? raw, path, `expected an integer, found ${describe(node)}`);
  return undefined;
}

function readEnum<T extends string>(c: Ctx, raw: YamlNode | null, path: string, values: readonly T[]): T | undefined {
  const { node, value } = scalarValue(c, raw);
  if (typeof value === "string") {
    if ((values as readonly string[]).includes(value)) return value as T;
    c.error(node, path, `expected one of ${values.join(", ")}, found ${JSON.stringify(value)}${didYouMean(value, values) ? ` (did you mean ${JSON.stringify(didYouMean(value, values))}?)` : ""}`);
    return undefined;
  }
  c.error(node ?? raw, path, `expected one of ${values.join(", ")}, found ${describe(node)}`);
  return undefined;
}

function readDuration(c: Ctx, raw: YamlNode | null, path: string): number | undefined {
  const { node, value } = scalarValue(c, raw);
  if (typeof value === "number" || typeof value === "string") {
    try {
      return parseDuration(value);
    } catch (e) {
      c.error(node, path, (e as Error).message);
      return undefined;
    }
  }
  c.error(node ?? raw, path, `bad duration: expected a number of milliseconds or a string like "20ms", "1.5s", "2m", found ${describe(node)}`);
  return undefined;
}

function readStringList(c: Ctx, raw: YamlNode | null, path: string, lenient = false): string[] | undefined {
  const node = c.resolve(raw);
  if (!isSeq(node)) {
    c.error(node ?? raw, path, `expected a list of strings, found ${describe(node)}`);
    return undefined;
  }
  const out: string[] = [];
  node.items.forEach((item, i) => {
    const s = lenient ? readText(c, item as YamlNode, idx(path, i)) : readString(c, item as YamlNode, idx(path, i));
    if (s !== undefined) out.push(s);
  });
  return out;
}

function readList(c: Ctx, raw: YamlNode | null, path: string, what: string): YamlNode[] | undefined {
  const node = c.resolve(raw);
  if (!isSeq(node)) {
    c.error(node ?? raw, path, `expected a list of ${what}, found ${describe(node)}`);
    return undefined;
  }
  return node.items as YamlNode[];
}

const utf8 = new TextEncoder();

/** Strict base64 (standard or URL-safe alphabet, padding optional, whitespace ignored). */
export function decodeBase64(text: string): Uint8Array {
  const t = text.replace(/\s+/g, "");
  const bad = /[^A-Za-z0-9+/_=-]/.exec(t);
  if (bad !== null) throw new Error(`bad base64: unexpected character ${JSON.stringify(bad[0])} at offset ${bad.index}`);
  const body = t.replace(/=+$/, "");
  if (body.includes("=")) throw new Error(`bad base64: "=" inside the text`);
  if (body.length % 4 === 1 || (t.length !== body.length && t.length % 4 !== 0)) throw new Error(`bad base64: wrong length (${t.length} characters)`);
  return new Uint8Array(Buffer.from(body, "base64"));
}

/** If `node` is a `{base64: …}` map, its decoded bytes (or undefined after an error); else null. */
function readBase64Map(c: Ctx, node: YamlNode | null, path: string): Uint8Array | undefined | null {
  if (!isMap(node)) return null;
  const entries = mapEntries(c, node, path);
  if (entries === null || entries.length !== 1 || entries[0]!.key !== "base64") return null;
  const e = entries[0]!;
  const p = sub(path, "base64");
  const s = readString(c, e.value, p);
  if (s === undefined) return undefined;
  try {
    return decodeBase64(s);
  } catch (err) {
    c.error(valueNode(e), p, (err as Error).message);
    return undefined;
  }
}

/** A string (UTF-8) or {base64: …}. */
function readBytes(c: Ctx, raw: YamlNode | null, path: string): Uint8Array | undefined {
  const node = c.resolve(raw);
  const b = readBase64Map(c, node, path);
  if (b !== null) return b;
  if (isScalar(node) && typeof node.value === "string") return utf8.encode(node.value);
  c.error(node ?? raw, path, `expected a string or {base64: …}, found ${describe(node)}`);
  return undefined;
}

/** A body: one chunk (string or {base64}) or a list of chunks. */
function readChunks(c: Ctx, raw: YamlNode | null, path: string): Uint8Array[] | undefined {
  const node = c.resolve(raw);
  if (isSeq(node)) {
    const out: Uint8Array[] = [];
    node.items.forEach((item, i) => {
      const b = readBytes(c, item as YamlNode, idx(path, i));
      if (b !== undefined) out.push(b);
    });
    return out;
  }
  const one = readBytes(c, node, path);
  return one === undefined ? undefined : [one];
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Headers: a map, or a list of [name, value] pairs; names lower-cased. */
function readPairs(c: Ctx, raw: YamlNode | null, path: string, opts: { pseudo: boolean }): Pairs | undefined {
  const node = c.resolve(raw);
  const out: Pairs = [];
  const add = (name: string, nameNode: YamlNode | null, value: string | undefined, p: string): void => {
    if (name === "") c.error(nameNode, p, "empty header name");
    else if (!opts.pseudo && name.startsWith(":")) c.error(nameNode, p, `pseudo-header ${name}: set it with request.${PSEUDO_FIELD[name] ?? "method/path/authority/scheme"}`);
    else if (value !== undefined) out.push([name.toLowerCase(), value]);
  };
  if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const p = idx(path, i);
      const pair = c.resolve(item as YamlNode);
      if (!isSeq(pair) || pair.items.length !== 2) {
        c.error(pair ?? node, p, `expected a [name, value] pair, found ${isSeq(pair) ? `a list of ${pair.items.length}` : describe(pair)}`);
        return;
      }
      const name = readText(c, pair.items[0] as YamlNode, idx(p, 0));
      const value = readText(c, pair.items[1] as YamlNode, idx(p, 1));
      if (name !== undefined) add(name, pair.items[0] as YamlNode, value, p);
    });
    return out;
  }
  if (isMap(node)) {
    const entries = mapEntries(c, node, path) ?? [];
    for (const e of entries) {
      const p = sub(path, e.key);
      add(e.key, e.keyNode, readText(c, e.value, p), p);
    }
    return out;
  }
  c.error(node ?? raw, path, `expected a map or a list of [name, value] pairs, found ${describe(node)}`);
  return undefined;
}

const PSEUDO_FIELD: Record<string, string> = { ":method": "method", ":path": "path", ":authority": "authority", ":scheme": "scheme" };

// ---- The format ----------------------------------------------------------

const SCENARIO_KEYS = ["name", "tags", "host", "plugins", "expectConfigure", "expectLogs", "requests"] as const;
const HOST_KEYS = ["clock", "workers", "allowOnHeadersStopIteration", "logLevel", "maxWait", "clusters", "grpcClusters", "properties"] as const;
const PLUGIN_KEYS = ["name", "wasm", "rootId", "vmId", "vmConfig", "config", "failStrategy"] as const;
const STEP_KEYS = ["name", "advance", "repeat", "concurrent", "connection", "request", "properties", "filterState", "upstream", "expect", "advisory"] as const;
const REQUEST_ONLY_STEP_KEYS = ["repeat", "concurrent", "connection", "properties", "filterState", "upstream"] as const;
const CONNECTION_KEYS = ["source", "destination", "mtls", "peerPrincipal", "sni"] as const;
const REQUEST_KEYS = ["method", "path", "authority", "scheme", "headers", "body", "trailers"] as const;
const UPSTREAM_KEYS = ["status", "headers", "body", "trailers", "timeout", "reset"] as const;
const ANSWER_KEYS = ["when", "status", "headers", "body", "trailers", "delay", "reset", "timeout"] as const;
const MATCHER_KEYS = ["method", "path", "authority", "headers", "body", "bodyContains"] as const;
const GRPC_ANSWER_KEYS = ["when", "status", "message", "delay", "reset", "timeout"] as const;
const GRPC_MATCHER_KEYS = ["service", "method"] as const;
const EXPECT_KEYS = ["upstream", "response", "localReply", "stuck", "callouts", "grpcCallouts", "logs", "noLogsAbove", "metrics", "filterState", "timeline"] as const;
const TIME_STEP_EXPECT_KEYS = ["logs", "metrics", "callouts", "grpcCallouts"] as const;
const HEADER_EXPECT_KEYS = ["equals", "has", "lacks", "values"] as const;
const UPSTREAM_EXPECT_KEYS = ["called", "method", "path", "authority", "headers", "body", "bodyContains", "trailers"] as const;
const RESPONSE_EXPECT_KEYS = ["status", "headers", "body", "bodyContains", "grpcStatus", "trailers", "reset"] as const;
const CALLOUT_EXPECT_KEYS = ["cluster", "method", "path", "authority", "headers", "body", "bodyContains", "refused"] as const;
const GRPC_CALLOUT_EXPECT_KEYS = ["cluster", "service", "method", "refused"] as const;
const LOG_EXPECT_KEYS = ["level", "contains"] as const;
const STARTUP_LOG_EXPECT_KEYS = ["phase", "level", "contains"] as const;
const TYPED_PROPERTY_KEYS = ["string", "int", "uint", "bool", "double", "bytes", "timestamp", "base64"] as const;

const FAIL_STRATEGIES: readonly FailStrategy[] = ["FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD"];
const CONFIGURE_EXPECTATIONS: readonly ConfigureExpectation[] = ["ok", "rejected", "trapped", "load-error", "fail"];
const LOG_PHASES: readonly (LogPhase | "any")[] = ["startup", "configure", "tick", "shutdown", "any"];

/**
 * Top-level names Envoy resolves before filter state (ABI spec §3.7): a
 * filter-state entry with one of these names can never be read back.
 */
const RESERVED_PROPERTY_NAMES = ["request", "response", "connection", "upstream", "source", "destination", "metadata", "filter_state", "upstream_filter_state", "xds", "plugin_name", "plugin_root_id", "plugin_vm_id", "connection_id"];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function readScenario(c: Ctx, raw: YamlNode, path: string): Scenario | undefined {
  const node = c.resolve(raw);
  const f = fields(c, node, path, SCENARIO_KEYS);
  if (f === null) return undefined;
  const nameE = required(c, f, "name", node, path);
  const name = nameE === undefined ? undefined : readText(c, nameE.value, sub(path, "name"));

  const tagsE = f.get("tags");
  const tags = (tagsE && readStringList(c, tagsE.value, sub(path, "tags"), true)) ?? [];

  const hostE = f.get("host");
  const host = readHost(c, hostE?.value ?? null, sub(path, "host"), hostE !== undefined);

  const plugins: PluginSpec[] = [];
  const pluginsE = required(c, f, "plugins", node, path);
  if (pluginsE !== undefined) {
    const p = sub(path, "plugins");
    const list = readList(c, pluginsE.value, p, "plugins");
    if (list !== undefined && list.length === 0) c.error(valueNode(pluginsE), p, "at least one plugin is required");
    list?.forEach((item, i) => {
      const plugin = readPlugin(c, item, idx(p, i));
      if (plugin !== undefined) plugins.push(plugin);
    });
  }

  const ecE = f.get("expectConfigure");
  const expectConfigure = (ecE && readEnum(c, ecE.value, sub(path, "expectConfigure"), CONFIGURE_EXPECTATIONS)) ?? "ok";

  const elE = f.get("expectLogs");
  const expectLogs = (elE && readLogExpectations(c, elE.value, sub(path, "expectLogs"), true)) ?? [];

  const requests: RequestStep[] = [];
  const reqE = f.get("requests");
  if (reqE !== undefined) {
    const p = sub(path, "requests");
    readList(c, reqE.value, p, "requests")?.forEach((item, i) => {
      const step = readStep(c, item, idx(p, i), host);
      if (step === undefined) return;
      // Failures are reported by request name, so names must tell entries apart.
      const twin = requests.find((r) => r.name === step.name);
      if (twin !== undefined) c.error(nameNode(c, item), sub(idx(p, i), "name"), `duplicate request name ${JSON.stringify(step.name)} (also at line ${twin.source.line})`);
      requests.push(step);
    });
  }
  if (name === undefined) return undefined;
  return { name, tags, source: c.pos(node), host, plugins, expectConfigure, expectLogs, requests, warnings: [] };
}

/** The node of a map's `name` value (for errors about the name), else the map. */
function nameNode(c: Ctx, raw: YamlNode): YamlNode | null {
  const node = c.resolve(raw);
  return isMap(node) ? ((node.get("name", true) as YamlNode | undefined) ?? node) : node;
}

function readHost(c: Ctx, raw: YamlNode | null, path: string, given: boolean): HostSettings {
  const host: HostSettings = {
    clock: DEFAULT_CLOCK_MS,
    workers: 1,
    allowOnHeadersStopIteration: false,
    logLevel: "info",
    maxWait: DEFAULT_MAX_WAIT_MS,
    clusters: {},
    grpcClusters: {},
    properties: {},
  };
  if (!given) return host;
  const f = fields(c, raw, path, HOST_KEYS);
  if (f === null) return host;
  const get = (k: string) => f.get(k);
  let e = get("clock");
  if (e !== undefined) {
    const { node, value } = scalarValue(c, e.value);
    try {
      host.clock = parseInstantMillis(value);
    } catch (err) {
      c.error(node ?? valueNode(e), sub(path, "clock"), (err as Error).message);
    }
  }
  if ((e = get("workers"))) host.workers = readInt(c, e.value, sub(path, "workers"), 1, 64) ?? host.workers;
  if ((e = get("allowOnHeadersStopIteration"))) host.allowOnHeadersStopIteration = readBool(c, e.value, sub(path, "allowOnHeadersStopIteration")) ?? false;
  if ((e = get("logLevel"))) host.logLevel = readEnum(c, e.value, sub(path, "logLevel"), LOG_LEVELS) ?? host.logLevel;
  if ((e = get("maxWait"))) host.maxWait = readDuration(c, e.value, sub(path, "maxWait")) ?? host.maxWait;
  if ((e = get("clusters"))) host.clusters = readClusters(c, e.value, sub(path, "clusters"), readCalloutAnswer);
  if ((e = get("grpcClusters"))) host.grpcClusters = readClusters(c, e.value, sub(path, "grpcClusters"), readGrpcAnswer);
  if ((e = get("properties"))) host.properties = readProperties(c, e.value, sub(path, "properties"));
  return host;
}

function readClusters<A extends { when: unknown }>(
  c: Ctx,
  raw: YamlNode | null,
  path: string,
  readAnswer: (c: Ctx, node: YamlNode, path: string) => A | undefined,
): Record<string, ClusterScript<A>> {
  const out: Record<string, ClusterScript<A>> = {};
  for (const e of mapEntries(c, raw, path) ?? []) {
    const p = sub(path, e.key);
    const node = c.resolve(e.value);
    // A single answer may be written without the list.
    const items = isMap(node) ? [node] : readList(c, e.value, p, "answers");
    if (items === undefined) continue;
    if (items.length === 0) {
      c.error(valueNode(e), p, "at least one answer is required");
      continue;
    }
    const answers: A[] = [];
    items.forEach((item, i) => {
      const a = readAnswer(c, item, isMap(node) ? p : idx(p, i));
      if (a !== undefined) answers.push(a);
    });
    out[e.key] = { mode: answers.some((a) => a.when !== null) ? "rules" : "sequence", answers };
  }
  return out;
}

/** reset/timeout exclude the fields of a normal answer; returns the outcome kind. */
function readOutcomeKind(c: Ctx, f: Fields, path: string, answerKeys: readonly string[]): "response" | "reset" | "timeout" {
  const reset = f.get("reset");
  const timeout = f.get("timeout");
  const isReset = reset !== undefined && readBool(c, reset.value, sub(path, "reset")) === true;
  const isTimeout = timeout !== undefined && readBool(c, timeout.value, sub(path, "timeout")) === true;
  if (isReset && isTimeout) {
    c.error(timeout!.keyNode, sub(path, "timeout"), "reset: true and timeout: true exclude each other");
    return "reset";
  }
  const kind = isReset ? "reset" : isTimeout ? "timeout" : "response";
  if (kind !== "response") {
    for (const k of answerKeys) {
      const e = f.get(k);
      if (e !== undefined) c.error(e.keyNode, sub(path, k), `${kind}: true excludes ${k} (no answer arrives)`);
    }
  }
  return kind;
}

function readCalloutAnswer(c: Ctx, raw: YamlNode, path: string): CalloutAnswer | undefined {
  const node = c.resolve(raw);
  const f = fields(c, node, path, ANSWER_KEYS);
  if (f === null) return undefined;
  let e: Entry | undefined;
  const when = (e = f.get("when")) ? readCalloutMatcher(c, e.value, sub(path, "when")) ?? null : null;
  const delay = ((e = f.get("delay")) && readDuration(c, e.value, sub(path, "delay"))) ?? 0;
  const kind = readOutcomeKind(c, f, path, ["status", "headers", "body", "trailers"]);
  const source = c.pos(node);
  if (kind !== "response") return { when, delay, outcome: { kind }, source };
  const status = ((e = f.get("status")) && readInt(c, e.value, sub(path, "status"), 100, 599)) ?? 200;
  const headers = ((e = f.get("headers")) && readPairs(c, e.value, sub(path, "headers"), { pseudo: false })) ?? [];
  const body = ((e = f.get("body")) && readChunks(c, e.value, sub(path, "body"))) ?? [];
  const trailers = ((e = f.get("trailers")) && readPairs(c, e.value, sub(path, "trailers"), { pseudo: false })) ?? [];
  return { when, delay, outcome: { kind: "response", status, headers, body: concat(body), trailers }, source };
}

function readCalloutMatcher(c: Ctx, raw: YamlNode | null, path: string): CalloutMatcher | undefined {
  const f = fields(c, raw, path, MATCHER_KEYS);
  if (f === null) return undefined;
  const m: CalloutMatcher = {};
  let e: Entry | undefined;
  if ((e = f.get("method"))) m.method = readText(c, e.value, sub(path, "method"));
  if ((e = f.get("path"))) m.path = readText(c, e.value, sub(path, "path"));
  if ((e = f.get("authority"))) m.authority = readText(c, e.value, sub(path, "authority"));
  if ((e = f.get("headers"))) m.headers = readHeaderExpectation(c, e.value, sub(path, "headers"));
  if ((e = f.get("body"))) m.body = readBytes(c, e.value, sub(path, "body"));
  if ((e = f.get("bodyContains"))) m.bodyContains = readBytes(c, e.value, sub(path, "bodyContains"));
  return dropUndefined(m);
}

function readGrpcAnswer(c: Ctx, raw: YamlNode, path: string): GrpcAnswer | undefined {
  const node = c.resolve(raw);
  const f = fields(c, node, path, GRPC_ANSWER_KEYS);
  if (f === null) return undefined;
  let e: Entry | undefined;
  let when: GrpcCalloutMatcher | null = null;
  if ((e = f.get("when"))) {
    const wf = fields(c, e.value, sub(path, "when"), GRPC_MATCHER_KEYS);
    if (wf !== null) {
      const w: GrpcCalloutMatcher = {};
      let we: Entry | undefined;
      if ((we = wf.get("service"))) w.service = readText(c, we.value, sub(sub(path, "when"), "service"));
      if ((we = wf.get("method"))) w.method = readText(c, we.value, sub(sub(path, "when"), "method"));
      when = dropUndefined(w);
    }
  }
  const delay = ((e = f.get("delay")) && readDuration(c, e.value, sub(path, "delay"))) ?? 0;
  const kind = readOutcomeKind(c, f, path, ["status", "message"]);
  const source = c.pos(node);
  if (kind !== "response") return { when, delay, outcome: { kind }, source };
  const status = ((e = f.get("status")) && readInt(c, e.value, sub(path, "status"), 0, 16)) ?? 0;
  const message = ((e = f.get("message")) && readBytes(c, e.value, sub(path, "message"))) ?? new Uint8Array(0);
  return { when, delay, outcome: { kind: "response", status, message }, source };
}

function readProperties(c: Ctx, raw: YamlNode | null, path: string): Record<string, PropertyValue> {
  const out: Record<string, PropertyValue> = {};
  for (const e of mapEntries(c, raw, path) ?? []) {
    const v = readProperty(c, e.value, sub(path, e.key));
    if (v !== undefined) out[e.key] = v;
  }
  return out;
}

function readProperty(c: Ctx, raw: YamlNode | null, path: string): PropertyValue | undefined {
  const node = c.resolve(raw);
  if (node === null || (isScalar(node) && node.value === null)) return { type: "notFound" };
  if (isScalar(node)) {
    if (typeof node.value === "string") return { type: "string", value: node.value };
    const written = c.source(node);
    c.error(node, path, `ambiguous ${describe(node)}: write "${written}" for a string or a typed value such as {int: ${written}}, {double: …}, {bool: …}`);
    return undefined;
  }
  const entries = mapEntries(c, node, path);
  if (entries === null) return undefined;
  if (entries.length !== 1 || !(TYPED_PROPERTY_KEYS as readonly string[]).includes(entries[0]!.key)) {
    const first = entries.find((e) => !(TYPED_PROPERTY_KEYS as readonly string[]).includes(e.key));
    const typo = first && didYouMean(first.key, TYPED_PROPERTY_KEYS);
    if (first !== undefined && typo !== undefined) c.error(first.keyNode, sub(path, first.key), `unknown type (did you mean ${JSON.stringify(typo)}?)`);
    else if (first !== undefined) {
      c.error(node, path, `a property value is a string, null or one typed value (${TYPED_PROPERTY_KEYS.map((k) => `{${k}: …}`).join(", ")}); give the entries of a map one by one with dotted names (node.metadata.NAMESPACE: …)`);
    }
    else c.error(node, path, `a typed value has exactly one of the keys ${TYPED_PROPERTY_KEYS.join(", ")}`);
    return undefined;
  }
  const e = entries[0]!;
  const p = sub(path, e.key);
  switch (e.key) {
    case "int":
    case "uint": {
      const { node: vn, value } = scalarValue(c, e.value);
      let n: bigint | undefined;
      if (typeof value === "number" && Number.isSafeInteger(value)) n = BigInt(value);
      else if (typeof value === "string" && /^-?\d+$/.test(value)) n = BigInt(value); // beyond 2^53: write it quoted
      if (n === undefined) {
        c.error(vn ?? valueNode(e), p, `expected an integer, found ${describe(vn)}`);
        return undefined;
      }
      const [min, max] = e.key === "int" ? [INT64_MIN, INT64_MAX] : [0n, UINT64_MAX];
      if (n < min || n > max) {
        c.error(vn, p, `out of range for ${e.key === "int" ? "int64" : "uint64"}: ${n}`);
        return undefined;
      }
      return { type: e.key, value: n };
    }
    case "string": {
      const t = readText(c, e.value, p);
      return t === undefined ? undefined : { type: "string", value: t };
    }
    case "bool": {
      const b = readBool(c, e.value, p);
      return b === undefined ? undefined : { type: "bool", value: b };
    }
    case "double": {
      const { node: vn, value } = scalarValue(c, e.value);
      if (typeof value === "number") return { type: "double", value };
      c.error(vn ?? valueNode(e), p, `expected a number, found ${describe(vn)}`);
      return undefined;
    }
    case "bytes": {
      const b = readBytes(c, e.value, p);
      return b === undefined ? undefined : { type: "bytes", value: b };
    }
    case "base64": {
      const b = readBase64Map(c, node, path);
      return b === undefined || b === null ? undefined : { type: "bytes", value: b };
    }
    default: {
      const { node: vn, value } = scalarValue(c, e.value);
      try {
        return { type: "timestamp", value: parseInstantNanos(value) };
      } catch (err) {
        c.error(vn ?? valueNode(e), p, (err as Error).message);
        return undefined;
      }
    }
  }
}

function readPlugin(c: Ctx, raw: YamlNode, path: string): PluginSpec | undefined {
  const node = c.resolve(raw);
  const f = fields(c, node, path, PLUGIN_KEYS);
  if (f === null) return undefined;
  let e: Entry | undefined;
  const wasmE = required(c, f, "wasm", node, path);
  const wasm = wasmE && readString(c, wasmE.value, sub(path, "wasm"));
  if (wasm === "") c.error(valueNode(wasmE!), sub(path, "wasm"), "empty path");
  const name = ((e = f.get("name")) ? readText(c, e.value, sub(path, "name")) : undefined) ?? (wasm ? basename(wasm, extname(wasm)) : "");
  const rootId = ((e = f.get("rootId")) && readText(c, e.value, sub(path, "rootId"))) ?? "";
  const vmId = ((e = f.get("vmId")) && readText(c, e.value, sub(path, "vmId"))) ?? "";
  const vmConfig = ((e = f.get("vmConfig")) && readConfig(c, e.value, sub(path, "vmConfig"))) ?? new Uint8Array(0);
  const config = ((e = f.get("config")) && readConfig(c, e.value, sub(path, "config"))) ?? new Uint8Array(0);
  const failStrategy = ((e = f.get("failStrategy")) && readEnum(c, e.value, sub(path, "failStrategy"), FAIL_STRATEGIES)) ?? "FAIL_CLOSE";
  if (wasm === undefined) return undefined;
  return { name, wasm, rootId, vmId, vmConfig, config, failStrategy, source: c.pos(node) };
}

/** A configuration: object/list → JSON text; string → verbatim; {base64} → bytes. */
function readConfig(c: Ctx, raw: YamlNode | null, path: string): Uint8Array | undefined {
  const node = c.resolve(raw);
  const b = readBase64Map(c, node, path);
  if (b !== null) return b;
  if (isMap(node) || isSeq(node)) return utf8.encode(JSON.stringify(node.toJS(c.doc)));
  if (isScalar(node) && typeof node.value === "string") return utf8.encode(node.value);
  c.error(node ?? raw, path, `expected an object or list (sent as JSON), a string (sent verbatim) or {base64: …}, found ${describe(node)}`);
  return undefined;
}

function readLogExpectations(c: Ctx, raw: YamlNode | null, path: string, withPhase: boolean): LogExpectation[] | undefined {
  const list = readList(c, raw, path, "log expectations");
  if (list === undefined) return undefined;
  const out: LogExpectation[] = [];
  list.forEach((item, i) => {
    const p = idx(path, i);
    const node = c.resolve(item);
    const f = fields(c, node, p, withPhase ? STARTUP_LOG_EXPECT_KEYS : LOG_EXPECT_KEYS);
    if (f === null) return;
    let e: Entry | undefined;
    const x: LogExpectation = { phase: "any" };
    if ((e = f.get("phase"))) x.phase = readEnum(c, e.value, sub(p, "phase"), LOG_PHASES) ?? "any";
    if ((e = f.get("level"))) x.level = readEnum(c, e.value, sub(p, "level"), LOG_LEVELS);
    if ((e = f.get("contains"))) x.contains = readText(c, e.value, sub(p, "contains"));
    if (!f.has("level") && !f.has("contains")) c.error(node, p, "a log expectation needs level, contains or both");
    out.push(dropUndefined(x));
  });
  return out;
}

const ADDRESS = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;

function readAddress(c: Ctx, raw: YamlNode | null, path: string): string | undefined {
  const s = readString(c, raw, path);
  if (s === undefined) return undefined;
  const port = Number(s.slice(s.lastIndexOf(":") + 1));
  if (!ADDRESS.test(s) || port > 65535) {
    c.error(c.resolve(raw), path, `expected ip:port (e.g. 10.0.0.1:5555 or [::1]:5555), found ${JSON.stringify(s)}`);
    return undefined;
  }
  return s;
}

function readConnection(c: Ctx, raw: YamlNode | null, path: string): ConnectionSpec {
  const conn: ConnectionSpec = { source: DEFAULT_SOURCE_ADDRESS, destination: DEFAULT_DESTINATION_ADDRESS, mtls: false };
  const f = fields(c, raw, path, CONNECTION_KEYS);
  if (f === null) return conn;
  let e: Entry | undefined;
  if ((e = f.get("source"))) conn.source = readAddress(c, e.value, sub(path, "source")) ?? conn.source;
  if ((e = f.get("destination"))) conn.destination = readAddress(c, e.value, sub(path, "destination")) ?? conn.destination;
  const mtlsE = f.get("mtls");
  const mtls = mtlsE && readBool(c, mtlsE.value, sub(path, "mtls"));
  if ((e = f.get("peerPrincipal"))) conn.peerPrincipal = readString(c, e.value, sub(path, "peerPrincipal"));
  if ((e = f.get("sni"))) conn.sni = readString(c, e.value, sub(path, "sni"));
  if (mtls === false && f.has("peerPrincipal")) c.warn(valueNode(mtlsE!), sub(path, "mtls"), "ignored: peerPrincipal implies mtls: true");
  conn.mtls = mtls === true || conn.peerPrincipal !== undefined;
  return dropUndefined(conn);
}

function readRequest(c: Ctx, raw: YamlNode | null, path: string): HttpRequestSpec {
  const req: HttpRequestSpec = { method: "GET", path: "/", authority: "example.com", scheme: "http", headers: [], body: null, trailers: [] };
  if (raw === null) return req;
  const f = fields(c, raw, path, REQUEST_KEYS);
  if (f === null) return req;
  let e: Entry | undefined;
  if ((e = f.get("method"))) req.method = readString(c, e.value, sub(path, "method")) ?? req.method;
  if ((e = f.get("path"))) req.path = readString(c, e.value, sub(path, "path")) ?? req.path;
  if ((e = f.get("authority"))) req.authority = readText(c, e.value, sub(path, "authority")) ?? req.authority;
  if ((e = f.get("scheme"))) req.scheme = readString(c, e.value, sub(path, "scheme")) ?? req.scheme;
  if ((e = f.get("headers"))) req.headers = readPairs(c, e.value, sub(path, "headers"), { pseudo: false }) ?? [];
  if ((e = f.get("body"))) req.body = readChunks(c, e.value, sub(path, "body")) ?? null;
  if ((e = f.get("trailers"))) req.trailers = readPairs(c, e.value, sub(path, "trailers"), { pseudo: false }) ?? [];
  return req;
}

function readUpstreamAnswer(c: Ctx, raw: YamlNode | null, path: string): UpstreamAnswer {
  const dflt: UpstreamAnswer = { kind: "response", status: 200, headers: [], body: null, trailers: [] };
  const f = fields(c, raw, path, UPSTREAM_KEYS);
  if (f === null) return dflt;
  const kind = readOutcomeKind(c, f, path, ["status", "headers", "body", "trailers"]);
  if (kind !== "response") return { kind };
  let e: Entry | undefined;
  return {
    kind: "response",
    status: ((e = f.get("status")) && readInt(c, e.value, sub(path, "status"), 100, 599)) ?? 200,
    headers: ((e = f.get("headers")) && readPairs(c, e.value, sub(path, "headers"), { pseudo: false })) ?? [],
    body: ((e = f.get("body")) && readChunks(c, e.value, sub(path, "body"))) ?? null,
    trailers: ((e = f.get("trailers")) && readPairs(c, e.value, sub(path, "trailers"), { pseudo: false })) ?? [],
  };
}

function readFilterStateInput(c: Ctx, raw: YamlNode | null, path: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const e of mapEntries(c, raw, path) ?? []) {
    const p = sub(path, e.key);
    if (checkFilterStateName(c, e, p)) {
      const b = readBytes(c, e.value, p);
      if (b !== undefined) out[e.key] = b;
    }
  }
  return out;
}

function checkFilterStateName(c: Ctx, e: Entry, path: string): boolean {
  if (RESERVED_PROPERTY_NAMES.includes(e.key)) {
    c.error(e.keyNode, path, `"${e.key}" is a built-in attribute name: filter state under it cannot be read back (ABI spec §3.7)`);
    return false;
  }
  return true;
}

function readStep(c: Ctx, raw: YamlNode, path: string, host: HostSettings): RequestStep | undefined {
  const node = c.resolve(raw);
  const f = fields(c, node, path, STEP_KEYS);
  if (f === null) return undefined;
  let e: Entry | undefined;
  const nameE = required(c, f, "name", node, path);
  const name = nameE && readText(c, nameE.value, sub(path, "name"));
  const timeStep = f.has("advance") && !f.has("request");
  if (timeStep) {
    for (const k of REQUEST_ONLY_STEP_KEYS) {
      const x = f.get(k);
      if (x !== undefined) c.error(x.keyNode, sub(path, k), `a time step (advance with no request) sends nothing, so it cannot have ${k}`);
    }
  }
  const step: RequestStep = {
    name: name ?? "",
    source: c.pos(node),
    advance: ((e = f.get("advance")) && readDuration(c, e.value, sub(path, "advance"))) ?? 0,
    repeat: timeStep ? 1 : ((e = f.get("repeat")) && readInt(c, e.value, sub(path, "repeat"), 1, 1_000_000)) ?? 1,
    concurrent: timeStep ? false : ((e = f.get("concurrent")) && readBool(c, e.value, sub(path, "concurrent"))) ?? false,
    request: null,
    connection: { source: DEFAULT_SOURCE_ADDRESS, destination: DEFAULT_DESTINATION_ADDRESS, mtls: false },
    properties: {},
    filterState: {},
    upstream: { kind: "response", status: 200, headers: [], body: null, trailers: [] },
    expect: {},
    advisory: null,
  };
  if (!timeStep) {
    // An absent `request` block (without advance) sends the default request.
    const reqE = f.get("request");
    step.request = reqE === undefined ? readRequest(c, null, "") : readRequest(c, reqE.value, sub(path, "request"));
    if ((e = f.get("connection"))) step.connection = readConnection(c, e.value, sub(path, "connection"));
    if ((e = f.get("properties"))) step.properties = readProperties(c, e.value, sub(path, "properties"));
    if ((e = f.get("filterState"))) step.filterState = readFilterStateInput(c, e.value, sub(path, "filterState"));
    if ((e = f.get("upstream"))) step.upstream = readUpstreamAnswer(c, e.value, sub(path, "upstream"));
  }
  if ((e = f.get("expect"))) step.expect = readExpectations(c, e.value, sub(path, "expect"), timeStep, host);
  if ((e = f.get("advisory"))) step.advisory = readExpectations(c, e.value, sub(path, "advisory"), timeStep, host);
  return name === undefined ? undefined : step;
}

function readExpectations(c: Ctx, raw: YamlNode | null, path: string, timeStep: boolean, host: HostSettings): Expectations {
  const x: Expectations = {};
  const f = fields(c, raw, path, EXPECT_KEYS);
  if (f === null) return x;
  if (timeStep) {
    for (const [k, e] of f) {
      if (!(TIME_STEP_EXPECT_KEYS as readonly string[]).includes(k)) {
        c.error(e.keyNode, sub(path, k), `a time step (advance with no request) may expect only ${TIME_STEP_EXPECT_KEYS.join(", ")}`);
        f.delete(k);
      }
    }
  }
  let e: Entry | undefined;
  if ((e = f.get("upstream"))) x.upstream = readUpstreamExpectation(c, e.value, sub(path, "upstream"));
  if ((e = f.get("response"))) x.response = readResponseExpectation(c, e.value, sub(path, "response"));
  if ((e = f.get("localReply"))) x.localReply = readLocalReplyExpectation(c, e.value, sub(path, "localReply"));
  if ((e = f.get("stuck"))) x.stuck = readBool(c, e.value, sub(path, "stuck"));
  if ((e = f.get("callouts"))) x.callouts = readCalloutExpectations(c, e.value, sub(path, "callouts"), host);
  if ((e = f.get("grpcCallouts"))) x.grpcCallouts = readGrpcCalloutExpectations(c, e.value, sub(path, "grpcCallouts"), host);
  if ((e = f.get("logs"))) x.logs = readLogExpectations(c, e.value, sub(path, "logs"), false);
  if ((e = f.get("noLogsAbove"))) x.noLogsAbove = readEnum(c, e.value, sub(path, "noLogsAbove"), LOG_LEVELS);
  if ((e = f.get("metrics"))) {
    const m: Record<string, number> = {};
    for (const me of mapEntries(c, e.value, sub(path, "metrics")) ?? []) {
      const v = readNumber(c, me.value, sub(sub(path, "metrics"), me.key));
      if (v !== undefined) m[me.key] = v;
    }
    x.metrics = m;
  }
  if ((e = f.get("filterState"))) {
    const p = sub(path, "filterState");
    const fs: Record<string, Uint8Array | null> = {};
    for (const fe of mapEntries(c, e.value, p) ?? []) {
      const fp = sub(p, fe.key);
      if (!checkFilterStateName(c, fe, fp)) continue;
      const vn = c.resolve(fe.value);
      if (vn === null || (isScalar(vn) && vn.value === null)) fs[fe.key] = null;
      else {
        const b = readBytes(c, fe.value, fp);
        if (b !== undefined) fs[fe.key] = b;
      }
    }
    x.filterState = fs;
  }
  if ((e = f.get("timeline"))) x.timeline = readStringList(c, e.value, sub(path, "timeline"))?.map(stripProxyPrefix);
  // Static rules.
  const respE = f.get("response");
  if (x.stuck === true && respE !== undefined) {
    c.error(respE.keyNode, sub(path, "response"), "a stream expected stuck has no response to check (stuck: true)");
  }
  return dropUndefined(x);
}

function readHeaderExpectation(c: Ctx, raw: YamlNode | null, path: string): HeaderExpectation | undefined {
  const f = fields(c, raw, path, HEADER_EXPECT_KEYS);
  if (f === null) return undefined;
  const h: HeaderExpectation = {};
  let e: Entry | undefined;
  if ((e = f.get("equals"))) {
    const p = sub(path, "equals");
    const eq: Record<string, string> = {};
    for (const me of mapEntries(c, e.value, p) ?? []) {
      const v = readText(c, me.value, sub(p, me.key));
      if (v !== undefined) eq[me.key.toLowerCase()] = v;
    }
    h.equals = eq;
  }
  if ((e = f.get("has"))) h.has = readStringList(c, e.value, sub(path, "has"))?.map((s) => s.toLowerCase());
  if ((e = f.get("lacks"))) h.lacks = readStringList(c, e.value, sub(path, "lacks"))?.map((s) => s.toLowerCase());
  if ((e = f.get("values"))) {
    const p = sub(path, "values");
    const vals: Record<string, string[]> = {};
    for (const me of mapEntries(c, e.value, p) ?? []) {
      const v = readStringList(c, me.value, sub(p, me.key), true);
      if (v !== undefined) vals[me.key.toLowerCase()] = v;
    }
    h.values = vals;
  }
  return dropUndefined(h);
}

function readUpstreamExpectation(c: Ctx, raw: YamlNode | null, path: string): UpstreamExpectation | undefined {
  const f = fields(c, raw, path, UPSTREAM_EXPECT_KEYS);
  if (f === null) return undefined;
  const u: UpstreamExpectation = {};
  let e: Entry | undefined;
  if ((e = f.get("called"))) u.called = readBool(c, e.value, sub(path, "called"));
  if ((e = f.get("method"))) u.method = readString(c, e.value, sub(path, "method"));
  if ((e = f.get("path"))) u.path = readString(c, e.value, sub(path, "path"));
  if ((e = f.get("authority"))) u.authority = readText(c, e.value, sub(path, "authority"));
  if ((e = f.get("headers"))) u.headers = readHeaderExpectation(c, e.value, sub(path, "headers"));
  if ((e = f.get("body"))) u.body = readExpectedBody(c, e.value, sub(path, "body"));
  if ((e = f.get("bodyContains"))) u.bodyContains = readBytes(c, e.value, sub(path, "bodyContains"));
  if ((e = f.get("trailers"))) u.trailers = readHeaderExpectation(c, e.value, sub(path, "trailers"));
  if (u.called === false) {
    for (const [k, x] of f) {
      if (k !== "called") c.warn(x.keyNode, sub(path, k), "not checked: called: false expects the upstream to receive nothing");
    }
  }
  return dropUndefined(u);
}

/** An expected body: a string, {base64}, or a list of chunks (compared concatenated). */
function readExpectedBody(c: Ctx, raw: YamlNode | null, path: string): Uint8Array | undefined {
  const chunks = readChunks(c, raw, path);
  return chunks === undefined ? undefined : concat(chunks);
}

function readResponseExpectation(c: Ctx, raw: YamlNode | null, path: string): ResponseExpectation | undefined {
  const f = fields(c, raw, path, RESPONSE_EXPECT_KEYS);
  if (f === null) return undefined;
  const r: ResponseExpectation = {};
  let e: Entry | undefined;
  if ((e = f.get("status"))) r.status = readInt(c, e.value, sub(path, "status"), 100, 599);
  if ((e = f.get("headers"))) r.headers = readHeaderExpectation(c, e.value, sub(path, "headers"));
  if ((e = f.get("body"))) r.body = readExpectedBody(c, e.value, sub(path, "body"));
  if ((e = f.get("bodyContains"))) r.bodyContains = readBytes(c, e.value, sub(path, "bodyContains"));
  if ((e = f.get("grpcStatus"))) r.grpcStatus = readInt(c, e.value, sub(path, "grpcStatus"), 0, 16);
  if ((e = f.get("trailers"))) r.trailers = readHeaderExpectation(c, e.value, sub(path, "trailers"));
  if ((e = f.get("reset"))) r.reset = readBool(c, e.value, sub(path, "reset"));
  return dropUndefined(r);
}

function readLocalReplyExpectation(c: Ctx, raw: YamlNode | null, path: string): LocalReplyExpectation | undefined {
  const node = c.resolve(raw);
  if (isScalar(node) && typeof node.value === "boolean") return node.value ? {} : false;
  const f = fields(c, node, path, ["status", "details"]);
  if (f === null) return undefined;
  const l: { status?: number; details?: string } = {};
  let e: Entry | undefined;
  if ((e = f.get("status"))) l.status = readInt(c, e.value, sub(path, "status"), 100, 599);
  if ((e = f.get("details"))) l.details = readText(c, e.value, sub(path, "details"));
  return dropUndefined(l);
}

function readCalloutExpectations(c: Ctx, raw: YamlNode | null, path: string, host: HostSettings): CalloutExpectation[] | undefined {
  const list = readList(c, raw, path, "callouts");
  if (list === undefined) return undefined;
  const out: CalloutExpectation[] = [];
  list.forEach((item, i) => {
    const p = idx(path, i);
    const node = c.resolve(item);
    const f = fields(c, node, p, CALLOUT_EXPECT_KEYS);
    if (f === null) return;
    let e: Entry | undefined;
    const clusterE = required(c, f, "cluster", node, p);
    const cluster = clusterE && readText(c, clusterE.value, sub(p, "cluster"));
    const x: CalloutExpectation = { cluster: cluster ?? "", refused: false };
    if ((e = f.get("method"))) x.method = readString(c, e.value, sub(p, "method"));
    if ((e = f.get("path"))) x.path = readString(c, e.value, sub(p, "path"));
    if ((e = f.get("authority"))) x.authority = readText(c, e.value, sub(p, "authority"));
    if ((e = f.get("headers"))) x.headers = readHeaderExpectation(c, e.value, sub(p, "headers"));
    if ((e = f.get("body"))) x.body = readExpectedBody(c, e.value, sub(p, "body"));
    if ((e = f.get("bodyContains"))) x.bodyContains = readBytes(c, e.value, sub(p, "bodyContains"));
    if ((e = f.get("refused"))) x.refused = readBool(c, e.value, sub(p, "refused")) ?? false;
    if (cluster !== undefined && !x.refused && !(cluster in host.clusters)) {
      c.error(valueNode(clusterE!), sub(p, "cluster"), `"${cluster}" is not in host.clusters, so the host refuses the call (BadArgument): add the cluster or write refused: true`);
    }
    out.push(dropUndefined(x));
  });
  return out;
}

function readGrpcCalloutExpectations(c: Ctx, raw: YamlNode | null, path: string, host: HostSettings): GrpcCalloutExpectation[] | undefined {
  const list = readList(c, raw, path, "gRPC callouts");
  if (list === undefined) return undefined;
  const out: GrpcCalloutExpectation[] = [];
  list.forEach((item, i) => {
    const p = idx(path, i);
    const node = c.resolve(item);
    const f = fields(c, node, p, GRPC_CALLOUT_EXPECT_KEYS);
    if (f === null) return;
    let e: Entry | undefined;
    const clusterE = required(c, f, "cluster", node, p);
    const cluster = clusterE && readText(c, clusterE.value, sub(p, "cluster"));
    const x: GrpcCalloutExpectation = { cluster: cluster ?? "", refused: false };
    if ((e = f.get("service"))) x.service = readText(c, e.value, sub(p, "service"));
    if ((e = f.get("method"))) x.method = readText(c, e.value, sub(p, "method"));
    if ((e = f.get("refused"))) x.refused = readBool(c, e.value, sub(p, "refused")) ?? false;
    if (cluster !== undefined && !x.refused && !(cluster in host.grpcClusters)) {
      c.error(valueNode(clusterE!), sub(p, "cluster"), `"${cluster}" is not in host.grpcClusters, so the host refuses the call (ParseFailure): add the cluster or write refused: true`);
    }
    out.push(dropUndefined(x));
  });
  return out;
}

/** Removes keys whose value is undefined (left by a field that failed to read), so objects compare cleanly. */
function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

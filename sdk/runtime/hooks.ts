// Replacements for AssemblyScript's `env.abort`, `env.seed` and `env.trace`, which Envoy
// does not provide (proxy-wasm-abi.md §3.16, §8.1). asconfig.json maps them here with
// `--use`, so sdk/index.ts must import this file.
//
// wasmeshAbort must work when memory is exhausted (an allocation failure aborts), so it
// formats into a static buffer without allocating.

import { proxy_log } from "../abi/logs";
import { random_get } from "../abi/wasi";

const MESSAGE_CAPACITY: usize = 1024;
const message: usize = memory.data(<i32>MESSAGE_CAPACITY);
let messageLength: usize = 0;
const seedWord: usize = memory.data(8, 8);

function appendByte(b: u32): void {
  if (messageLength < MESSAGE_CAPACITY) store<u8>(message + messageLength++, <u8>b);
}

/** Appends a string as UTF-8 (unpaired surrogates become '?'), without allocating. */
function appendString(s: string): void {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = <u32>s.charCodeAt(i);
    if (c >= 0xD800 && c < 0xDC00 && i + 1 < n) {
      const d = <u32>s.charCodeAt(i + 1);
      if (d >= 0xDC00 && d < 0xE000) {
        c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
        i++;
      }
    }
    if (c >= 0xD800 && c < 0xE000) c = 0x3F;
    if (c < 0x80) {
      appendByte(c);
    } else if (c < 0x800) {
      appendByte(0xC0 | (c >> 6));
      appendByte(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      appendByte(0xE0 | (c >> 12));
      appendByte(0x80 | ((c >> 6) & 0x3F));
      appendByte(0x80 | (c & 0x3F));
    } else {
      appendByte(0xF0 | (c >> 18));
      appendByte(0x80 | ((c >> 12) & 0x3F));
      appendByte(0x80 | ((c >> 6) & 0x3F));
      appendByte(0x80 | (c & 0x3F));
    }
  }
}

function appendDecimal(v: u32): void {
  if (v >= 10) appendDecimal(v / 10);
  appendByte(0x30 + v % 10);
}

/**
 * `abort`: logs `abort: <message> at <file>:<line>:<column>` at CRITICAL, then traps, so the
 * host fails the stream (open or closed, per the plugin) and reports the place.
 */
export function wasmeshAbort(message_: string | null, fileName: string | null, line: u32, column: u32): void {
  messageLength = 0;
  appendString("abort: ");
  appendString(message_ !== null ? message_ : "(no message)");
  if (fileName !== null) {
    appendString(" at ");
    appendString(fileName);
    appendByte(0x3A);
    appendDecimal(line);
    appendByte(0x3A);
    appendDecimal(column);
  }
  proxy_log(5, message, messageLength);
  unreachable();
}

/** `seed` (Math.random): 64 bits from WASI random_get, which Envoy allows in every phase. */
export function wasmeshSeed(): f64 {
  store<u64>(seedWord, 0);
  random_get(seedWord, 8);
  // Math.random reinterprets the bits (NativeMath.seedRandom(reinterpret<i64>(seed()))).
  return reinterpret<f64>(load<u64>(seedWord));
}

/** `trace(message, n, a0…a4)`: logs at TRACE via proxy_log instead of importing env.trace. */
export function wasmeshTrace(
  message_: string, n: i32 = 0, a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, a4: f64 = 0,
): void {
  let text = "trace: " + message_;
  if (n > 0) text += " " + a0.toString();
  if (n > 1) text += ", " + a1.toString();
  if (n > 2) text += ", " + a2.toString();
  if (n > 3) text += ", " + a3.toString();
  if (n > 4) text += ", " + a4.toString();
  const bytes = String.UTF8.encode(text, false);
  proxy_log(0, changetype<usize>(bytes), bytes.byteLength);
}

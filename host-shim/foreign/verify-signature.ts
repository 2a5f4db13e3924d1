// The `verify_signature` foreign function, as Envoy registers it
// (source/extensions/common/wasm/foreign.cc, source/common/crypto/utility_impl.cc), on
// node:crypto. The encoding is Envoy's own (ext/verify_signature.proto), proto3 wire format:
//
//   VerifySignatureArguments { string hash_function = 1; bytes public_key = 2 (DER SubjectPublicKeyInfo);
//                              bytes signature = 3; bytes text = 4; string public_key_pem = 5; }
//   VerifySignatureResult    { bool result = 1; string error = 2; }
//
// Behaviour reproduced:
// - arguments that do not parse, both or neither of public_key / public_key_pem, or a key that
//   does not import ⇒ BadArgument and no result;
// - otherwise Ok with a result: the hash name is matched case-insensitively against sha1,
//   sha224, sha256, sha384, sha512 (else `result: false, error: "<hash> is not supported."`);
//   the check is EVP_DigestVerify with the key's default scheme — RSASSA-PKCS1-v1_5 for RSA,
//   ECDSA over a DER Ecdsa-Sig-Value for EC; an Ed25519 key cannot take a digest, so its
//   initialisation fails ("Failed to initialize digest verify."); a signature that does not
//   verify gives "Failed to verify digest. Error code: 0".
import { constants, createPublicKey, verify, type KeyObject } from "node:crypto";
import { WasmResult } from "../status.ts";

const HASHES = new Set(["sha1", "sha224", "sha256", "sha384", "sha512"]);

export interface VerifySignatureArguments {
  hashFunction: string;
  publicKey: Uint8Array;
  publicKeyPem: string;
  signature: Uint8Array;
  text: Uint8Array;
}

/** Decodes the proto3 message; null when it is not well-formed. */
export function decodeVerifySignatureArguments(b: Uint8Array): VerifySignatureArguments | null {
  const out: VerifySignatureArguments = { hashFunction: "", publicKey: new Uint8Array(0), publicKeyPem: "", signature: new Uint8Array(0), text: new Uint8Array(0) };
  let i = 0;
  const varint = (): bigint | null => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= b.length || shift > 63n) return null;
      const c = b[i++];
      v |= BigInt(c & 0x7f) << shift;
      if ((c & 0x80) === 0) return v;
      shift += 7n;
    }
  };
  const dec = new TextDecoder("utf-8", { fatal: true });
  while (i < b.length) {
    const key = varint();
    if (key === null) return null;
    const wire = Number(key & 7n);
    const field = Number(key >> 3n);
    if (wire === 0) {
      if (varint() === null) return null;
    } else if (wire === 2) {
      const len = varint();
      if (len === null || len > BigInt(b.length - i)) return null;
      const data = b.subarray(i, i + Number(len));
      i += Number(len);
      try {
        if (field === 1) out.hashFunction = dec.decode(data);
        else if (field === 2) out.publicKey = data.slice();
        else if (field === 3) out.signature = data.slice();
        else if (field === 4) out.text = data.slice();
        else if (field === 5) out.publicKeyPem = dec.decode(data);
      } catch {
        return null; // a proto3 string must be UTF-8
      }
    } else if (wire === 5) {
      i += 4;
    } else if (wire === 1) {
      i += 8;
    } else {
      return null;
    }
    if (i > b.length) return null;
  }
  return out;
}

/** Encodes VerifySignatureResult (proto3: defaults are omitted). */
export function encodeVerifySignatureResult(result: boolean, error: string): Uint8Array {
  const parts: number[] = [];
  if (result) parts.push(0x08, 0x01);
  if (error.length > 0) {
    const e = new TextEncoder().encode(error);
    parts.push(0x12);
    let n = e.length;
    while (n >= 0x80) {
      parts.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    parts.push(n);
    parts.push(...e);
  }
  return new Uint8Array(parts);
}

export function verifySignatureForeignFunction(args: Uint8Array): { status: number; result?: Uint8Array } {
  const a = decodeVerifySignatureArguments(args);
  if (!a) return { status: WasmResult.BadArgument };
  const hasPem = a.publicKeyPem.length > 0;
  const hasDer = a.publicKey.length > 0;
  if (hasPem === hasDer) return { status: WasmResult.BadArgument };
  let key: KeyObject;
  try {
    key = hasPem ? createPublicKey({ key: a.publicKeyPem, format: "pem" }) : createPublicKey({ key: Buffer.from(a.publicKey), format: "der", type: "spki" });
  } catch {
    return { status: WasmResult.BadArgument };
  }
  const hash = a.hashFunction.toLowerCase();
  const answer = (ok: boolean, error: string) => ({ status: WasmResult.Ok, result: encodeVerifySignatureResult(ok, error) });
  if (!HASHES.has(hash)) return answer(false, `${a.hashFunction} is not supported.`);
  const type = key.asymmetricKeyType;
  let ok: boolean;
  try {
    if (type === "rsa") {
      ok = verify(hash, a.text, { key, padding: constants.RSA_PKCS1_PADDING }, a.signature);
    } else if (type === "ec") {
      ok = verify(hash, a.text, { key, dsaEncoding: "der" }, a.signature);
    } else if (type === "rsa-pss") {
      ok = verify(hash, a.text, key, a.signature);
    } else {
      // Ed25519/Ed448 and others take no separate digest: BoringSSL refuses the init.
      return answer(false, "Failed to initialize digest verify.");
    }
  } catch {
    ok = false;
  }
  return ok ? answer(true, "") : answer(false, "Failed to verify digest. Error code: 0");
}

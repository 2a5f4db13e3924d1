// Encodings for Envoy's `verify_signature` foreign function (Envoy
// source/extensions/common/wasm/ext/verify_signature.proto):
//
//   message VerifySignatureArguments { string hash_function = 1; bytes public_key = 2;
//                                      bytes signature = 3; bytes text = 4; string public_key_pem = 5; }
//   message VerifySignatureResult    { bool result = 1; string error = 2; }
//
// Envoy imports `public_key` as a DER SubjectPublicKeyInfo and checks the signature with
// EVP_DigestVerify and the key's default scheme: RSASSA-PKCS1-v1_5 for RSA keys, ECDSA with a
// DER `Ecdsa-Sig-Value` for EC keys. So RS* and ES* tokens can be checked there (ES* after
// converting JOSE's r‖s to DER); PS*, HS* and EdDSA cannot, and stay in wasm.
import { JwkCurve } from "../../sdk/crypto/jwk";

class DerWriter {
  bytes: u8[] = [];

  byte(b: i32): void {
    this.bytes.push(<u8>b);
  }

  raw(b: Uint8Array): void {
    for (let i = 0; i < b.length; i++) this.bytes.push(b[i]);
  }

  toArray(): Uint8Array {
    const out = new Uint8Array(this.bytes.length);
    for (let i = 0; i < this.bytes.length; i++) out[i] = this.bytes[i];
    return out;
  }
}

/** tag + DER length + content. */
function tlv(tag: i32, content: Uint8Array): Uint8Array {
  const w = new DerWriter();
  w.byte(tag);
  const n = content.length;
  if (n < 0x80) w.byte(n);
  else if (n < 0x100) {
    w.byte(0x81);
    w.byte(n);
  } else if (n < 0x10000) {
    w.byte(0x82);
    w.byte(n >> 8);
    w.byte(n & 0xff);
  } else {
    w.byte(0x83);
    w.byte(n >> 16);
    w.byte((n >> 8) & 0xff);
    w.byte(n & 0xff);
  }
  w.raw(content);
  return w.toArray();
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (let i = 0; i < parts.length; i++) n += parts[i].length;
  const out = new Uint8Array(n);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], at);
    at += parts[i].length;
  }
  return out;
}

/** A non-negative INTEGER from big-endian magnitude bytes (minimal, with a 0x00 if the top bit is set). */
export function derUnsignedInteger(mag: Uint8Array): Uint8Array {
  let s = 0;
  while (s < mag.length - 1 && mag[s] == 0) s++;
  let v = mag.subarray(s);
  if (v.length == 0) v = new Uint8Array(1);
  if (v[0] & 0x80) {
    const p = new Uint8Array(v.length + 1);
    p.set(v, 1);
    v = p;
  }
  return tlv(0x02, v);
}

function bytesOf(list: u8[]): Uint8Array {
  const out = new Uint8Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = list[i];
  return out;
}

// AlgorithmIdentifier contents.
const OID_RSA: u8[] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00]; // rsaEncryption, NULL
const OID_EC: u8[] = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]; // id-ecPublicKey
const OID_P256: u8[] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: u8[] = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_P521: u8[] = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23];

function bitString(content: Uint8Array): Uint8Array {
  const v = new Uint8Array(content.length + 1); // no unused bits
  v.set(content, 1);
  return tlv(0x03, v);
}

/** SubjectPublicKeyInfo of an RSA key (n, e big-endian). */
export function spkiRsa(n: Uint8Array, e: Uint8Array): Uint8Array {
  const rsaKey = tlv(0x30, concat([derUnsignedInteger(n), derUnsignedInteger(e)]));
  return tlv(0x30, concat([tlv(0x30, bytesOf(OID_RSA)), bitString(rsaKey)]));
}

/** SubjectPublicKeyInfo of an EC key (uncompressed point). */
export function spkiEc(crv: JwkCurve, x: Uint8Array, y: Uint8Array): Uint8Array {
  const curve = crv == JwkCurve.P256 ? OID_P256 : crv == JwkCurve.P384 ? OID_P384 : OID_P521;
  const point = new Uint8Array(1 + x.length + y.length);
  point[0] = 0x04;
  point.set(x, 1);
  point.set(y, 1 + x.length);
  return tlv(0x30, concat([tlv(0x30, concat([bytesOf(OID_EC), bytesOf(curve)])), bitString(point)]));
}

/** JOSE r‖s (two halves of equal length) as a DER Ecdsa-Sig-Value; null for an odd length. */
export function ecdsaSignatureDer(sig: Uint8Array): Uint8Array | null {
  if (sig.length == 0 || (sig.length & 1) != 0) return null;
  const half = sig.length >> 1;
  return tlv(0x30, concat([derUnsignedInteger(sig.subarray(0, half)), derUnsignedInteger(sig.subarray(half))]));
}

// --- protobuf (proto3 wire format: varint keys, length-delimited fields) ---

function varint(w: DerWriter, v: u64): void {
  while (v >= 0x80) {
    w.byte(<i32>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  w.byte(<i32>v);
}

function field(w: DerWriter, num: i32, data: Uint8Array): void {
  if (data.length == 0) return; // proto3: default values are not written
  varint(w, <u64>((num << 3) | 2));
  varint(w, <u64>data.length);
  w.raw(data);
}

/** Serialized VerifySignatureArguments. */
export function verifySignatureArguments(hash: string, publicKeyDer: Uint8Array, signature: Uint8Array, text: Uint8Array): ArrayBuffer {
  const w = new DerWriter();
  field(w, 1, Uint8Array.wrap(String.UTF8.encode(hash)));
  field(w, 2, publicKeyDer);
  field(w, 3, signature);
  field(w, 4, text);
  return w.toArray().buffer;
}

/** `result` of a serialized VerifySignatureResult: 1 true, 0 false, -1 not parsable. */
export function verifySignatureResult(b: Uint8Array): i32 {
  let i = 0;
  let result = 0;
  while (i < b.length) {
    // key
    let key: u64 = 0;
    let shift: u64 = 0;
    while (true) {
      if (i >= b.length || shift > 63) return -1;
      const c = b[i++];
      key |= <u64>(c & 0x7f) << shift;
      if ((c & 0x80) == 0) break;
      shift += 7;
    }
    const wire = <i32>(key & 7);
    const num = <i32>(key >> 3);
    if (wire == 0) {
      let v: u64 = 0;
      shift = 0;
      while (true) {
        if (i >= b.length || shift > 63) return -1;
        const c = b[i++];
        v |= <u64>(c & 0x7f) << shift;
        if ((c & 0x80) == 0) break;
        shift += 7;
      }
      if (num == 1) result = v != 0 ? 1 : 0;
    } else if (wire == 2) {
      let len: u64 = 0;
      shift = 0;
      while (true) {
        if (i >= b.length || shift > 63) return -1;
        const c = b[i++];
        len |= <u64>(c & 0x7f) << shift;
        if ((c & 0x80) == 0) break;
        shift += 7;
      }
      if (len > <u64>(b.length - i)) return -1;
      i += <i32>len;
    } else {
      return -1;
    }
  }
  return result;
}

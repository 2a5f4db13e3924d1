// IP addresses and CIDR ranges (IPv4 and IPv6), for Istio's `ipBlocks`, `remoteIpBlocks`,
// `source.ip`, `remote.ip` and `destination.ip` (policy-semantics.md §2.5, §2.7).
//
// Parsing is strict, because a lenient parser is how an allow-list gets wider than written:
// - IPv4: exactly four decimal octets 0-255, no leading zeros (`010.0.0.1` is rejected: some
//   parsers read it as octal 8.0.0.1, others as decimal 10.0.0.1), no signs, no spaces.
// - IPv6: RFC 4291 §2.2 text form, 1-4 hex digits per group, at most one `::`, an optional
//   dotted IPv4 tail; no zone (`%eth0`), no brackets.
// - CIDR: `<address>/<length>`, length 0-32 (IPv4) or 0-128 (IPv6) in plain decimal. A bare
//   address means /32 or /128. Host bits after the prefix are cleared, as Envoy's CidrRange does
//   (`10.1.2.3/8` is `10.0.0.0/8`).
//
// Matching: an address is only in a range of its own family, except that an IPv4-mapped IPv6
// address (`::ffff:10.0.0.1`) is compared as the IPv4 address it carries, both ways (an IPv4
// address is in an IPv4-mapped range such as `::ffff:10.0.0.0/104`, never in `::/0`), so a
// dual stack listener cannot be used to dodge an IPv4 `ipBlocks` entry. A zone id in a peer
// address (`[fe80::1%eth0]:80`) is ignored.

export class IpAddress {
  constructor(
    readonly v6: bool,
    /** Upper 64 bits (IPv6); 0 for IPv4. */
    readonly hi: u64,
    /** Lower 64 bits (IPv6), or the IPv4 address in the low 32 bits. */
    readonly lo: u64,
  ) {}

  static parse(s: string): IpAddress | null {
    if (s.indexOf(":") >= 0) return parseIpv6(s);
    const v4 = parseIpv4(s, 0, s.length);
    return v4 < 0 ? null : new IpAddress(false, 0, <u64>v4);
  }

  /** The IPv4 address of an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), else null. */
  unmapped(): IpAddress | null {
    if (!this.v6 || this.hi != 0 || (this.lo >> 32) != 0xffff) return null;
    return new IpAddress(false, 0, this.lo & 0xffffffff);
  }

  toString(): string {
    if (!this.v6) return formatIpv4(<u32>this.lo);
    let out = "";
    for (let g = 0; g < 8; g++) {
      const word = g < 4 ? this.hi : this.lo;
      const shift = <u64>((3 - (g & 3)) * 16);
      const v = <u32>((word >> shift) & 0xffff);
      if (g > 0) out += ":";
      out += v.toString(16);
    }
    return out;
  }
}

export class Cidr {
  constructor(
    /** The network address (host bits cleared). */
    readonly address: IpAddress,
    readonly prefixLength: i32,
  ) {}

  /** `a.b.c.d`, `a.b.c.d/n`, an IPv6 address, or `x::y/n`; null when malformed. */
  static parse(s: string): Cidr | null {
    const slash = s.indexOf("/");
    const addrText = slash < 0 ? s : s.substring(0, slash);
    const ip = IpAddress.parse(addrText);
    if (ip === null) return null;
    const max = ip.v6 ? 128 : 32;
    let len = max;
    if (slash >= 0) {
      len = parseSmallDecimal(s, slash + 1, s.length);
      if (len < 0 || len > max) return null;
    }
    return new Cidr(maskAddress(ip, len), len);
  }

  contains(ip: IpAddress): bool {
    let a = ip;
    if (a.v6 != this.address.v6) {
      // IPv4-mapped IPv6 against an IPv4 range, or IPv4 against a ::ffff:0:0/96+ range.
      if (a.v6) {
        const m = a.unmapped();
        if (m === null) return false;
        a = m;
      } else {
        // Only an IPv4-mapped range (::ffff:0:0/96 or narrower) holds IPv4 addresses; `::/0`
        // means any IPv6 peer, not every peer (Envoy never mixes families).
        const r = this.address;
        if (this.prefixLength < 96 || r.hi != 0 || (r.lo >> 32) != 0xffff) return false;
        a = new IpAddress(true, 0, (<u64>0xffff << 32) | a.lo);
      }
    }
    const masked = maskAddress(a, this.prefixLength);
    return masked.hi == this.address.hi && masked.lo == this.address.lo;
  }

  toString(): string {
    return this.address.toString() + "/" + this.prefixLength.toString();
  }
}

function maskAddress(ip: IpAddress, len: i32): IpAddress {
  if (!ip.v6) {
    const mask: u64 = len == 0 ? 0 : (<u64>0xffffffff << <u64>(32 - len)) & 0xffffffff;
    return new IpAddress(false, 0, ip.lo & mask);
  }
  let hiMask: u64 = 0;
  let loMask: u64 = 0;
  if (len >= 64) {
    hiMask = <u64>-1;
    loMask = len == 64 ? 0 : <u64>-1 << <u64>(128 - len);
  } else if (len > 0) {
    hiMask = <u64>-1 << <u64>(64 - len);
  }
  return new IpAddress(true, ip.hi & hiMask, ip.lo & loMask);
}

/** Decimal 0..999 without sign or leading zeros; -1 when malformed. */
function parseSmallDecimal(s: string, start: i32, end: i32): i32 {
  const n = end - start;
  if (n < 1 || n > 3) return -1;
  if (n > 1 && s.charCodeAt(start) == 48) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** Dotted quad in s[start, end) as a u32 in an i64, or -1. */
function parseIpv4(s: string, start: i32, end: i32): i64 {
  let value: i64 = 0;
  let octets = 0;
  let i = start;
  while (octets < 4) {
    let j = i;
    while (j < end && s.charCodeAt(j) != 46) j++;
    const v = parseSmallDecimal(s, i, j);
    if (v < 0 || v > 255) return -1;
    value = (value << 8) | <i64>v;
    octets++;
    if (octets < 4) {
      if (j >= end) return -1; // too few octets
      i = j + 1;
    } else if (j != end) {
      return -1; // a fifth part
    }
  }
  return value;
}

/** The value of an ASCII hex digit (either case), or -1. */
export function hexDigit(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function parseIpv6(s: string): IpAddress | null {
  const n = s.length;
  if (n < 2) return null;
  const groups = new StaticArray<u32>(8);
  let count = 0; // groups written
  let gap = -1; // index where `::` was
  let i = 0;
  if (s.charCodeAt(0) == 58) {
    if (s.charCodeAt(1) != 58) return null; // a single leading ':'
    gap = 0;
    i = 2;
    if (i == n) return new IpAddress(true, 0, 0); // "::"
  }
  while (i < n) {
    if (count == 8) return null;
    // Find the end of this part.
    let j = i;
    let dotted = false;
    while (j < n && s.charCodeAt(j) != 58) {
      if (s.charCodeAt(j) == 46) dotted = true;
      j++;
    }
    if (dotted) {
      // The IPv4 tail: must be last and fit two groups.
      if (j != n || count > 6) return null;
      const v4 = parseIpv4(s, i, j);
      if (v4 < 0) return null;
      groups[count++] = <u32>(v4 >> 16);
      groups[count++] = <u32>(v4 & 0xffff);
      i = n;
      break;
    }
    const len = j - i;
    if (len < 1 || len > 4) return null;
    let v: u32 = 0;
    for (let k = i; k < j; k++) {
      const d = hexDigit(s.charCodeAt(k));
      if (d < 0) return null;
      v = (v << 4) | <u32>d;
    }
    groups[count++] = v;
    if (j == n) {
      i = n;
      break;
    }
    // s[j] is ':'
    if (j + 1 < n && s.charCodeAt(j + 1) == 58) {
      if (gap >= 0) return null; // a second '::'
      gap = count;
      i = j + 2;
      if (i == n) break; // trailing '::'
    } else {
      i = j + 1;
      if (i == n) return null; // a single trailing ':'
    }
  }
  if (gap < 0 && count != 8) return null;
  if (gap >= 0 && count > 7) return null; // '::' must stand for at least one group
  const full = new StaticArray<u32>(8);
  if (gap < 0) {
    for (let k = 0; k < 8; k++) full[k] = groups[k];
  } else {
    for (let k = 0; k < gap; k++) full[k] = groups[k];
    const tail = count - gap;
    for (let k = 0; k < tail; k++) full[8 - tail + k] = groups[gap + k];
  }
  let hi: u64 = 0;
  let lo: u64 = 0;
  for (let k = 0; k < 4; k++) hi = (hi << 16) | <u64>full[k];
  for (let k = 4; k < 8; k++) lo = (lo << 16) | <u64>full[k];
  return new IpAddress(true, hi, lo);
}

function formatIpv4(v: u32): string {
  return (v >> 24).toString() + "." + ((v >> 16) & 255).toString() + "." + ((v >> 8) & 255).toString() + "." + (v & 255).toString();
}

/**
 * The IP of an Envoy `ip:port` address (`10.0.0.1:5555`, `[::1]:80`), or of a bare IP; null
 * when it is neither (a pipe path, an empty string).
 */
export function ipOfSocketAddress(a: string): IpAddress | null {
  if (a.startsWith("[")) {
    const close = a.indexOf("]");
    if (close < 0) return null;
    // `[fe80::1%eth0]:80`: the zone names an interface, not part of the address. Left in, it
    // made the peer unparsable, and a peer without an IP is in no range (a DENY dodged).
    let end = a.indexOf("%", 1);
    if (end < 0 || end > close) end = close;
    return IpAddress.parse(a.substring(1, end));
  }
  const direct = IpAddress.parse(a);
  if (direct !== null) return direct;
  const colon = a.lastIndexOf(":");
  if (colon < 0) return null;
  const host = a.substring(0, colon);
  if (host.indexOf(":") >= 0) return null; // unbracketed IPv6 with a port is ambiguous
  return IpAddress.parse(host);
}

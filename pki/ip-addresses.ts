import { isIPv4, isIPv6 } from 'node:net';

/**
 * IP text ↔ the octets X.509 stores. Go's rules: an IPv4 address (also written IPv4-mapped) is 4
 * octets, anything else 16; zones are not addresses. Returns undefined for text that isn't an IP.
 */
export function ipToBytes(text: string): Buffer | undefined {
  if (isIPv4(text)) return Buffer.from(text.split('.').map(Number));
  if (!isIPv6(text) || text.includes('%')) return undefined;
  const bytes = ipv6ToBytes(text);
  return isIPv4Mapped(bytes) ? bytes.subarray(12) : bytes;
}

function ipv6ToBytes(text: string): Buffer {
  // An embedded dotted quad ("::ffff:1.2.3.4") becomes its two hex groups first.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  const hexText = v4
    ? text.slice(0, v4.index) + [(Number(v4[1]) << 8) | Number(v4[2]), (Number(v4[3]) << 8) | Number(v4[4])].map((g) => g.toString(16)).join(':')
    : text;
  const [head, tail] = hexText.split('::') as [string, string | undefined];
  const groupsOf = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groupsOf(head);
  const right = groupsOf(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  const out = Buffer.alloc(16);
  [...left, ...zeros, ...right].forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

function isIPv4Mapped(bytes: Buffer): boolean {
  return bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

/** Go's net.IP.String(): dotted quad for IPv4 (and IPv4-mapped), RFC 5952 for IPv6. */
export function ipToString(bytes: Uint8Array): string {
  const b = Buffer.from(bytes);
  if (b.length === 4) return [...b].join('.');
  if (b.length !== 16) return `?${b.toString('hex')}`;
  if (isIPv4Mapped(b)) return [...b.subarray(12)].join('.');
  const groups = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** A CIDR range as address octets followed by mask octets (the X.509 name-constraint form). */
export function cidrToBytes(cidr: string): Buffer | undefined {
  const slash = cidr.indexOf('/');
  if (slash < 0) return undefined;
  const address = cidr.slice(0, slash);
  const bitsText = cidr.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const ip = isIPv4(address) ? ipToBytes(address) : isIPv6(address) && !address.includes('%') ? ipv6ToBytes(address) : undefined;
  if (!ip) return undefined;
  const bits = Number(bitsText);
  if (bits > ip.length * 8) return undefined;
  const mask = Buffer.alloc(ip.length);
  for (let i = 0; i < bits; i++) mask[i >> 3]! |= 0x80 >> (i & 7);
  const network = Buffer.from(ip.map((b, i) => b & mask[i]!));
  return Buffer.concat([network, mask]);
}

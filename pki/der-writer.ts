/**
 * A small DER writer: each function returns one complete element as a Buffer. @peculiar/x509's
 * generators and asn1js serialisation cost milliseconds per certificate or CSR; concatenating a few
 * dozen small buffers costs microseconds. der-reader.ts is its counterpart.
 */
import { TAG, contextTag } from './der-reader.js';

function lengthOctets(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest & 0xff);
  return Buffer.from([0x80 | octets.length, ...octets]);
}

/** An element with identifier octet `tag` whose content is `parts` concatenated. */
export function derElement(tag: number, ...parts: Uint8Array[]): Buffer {
  const content = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), lengthOctets(content.length), content]);
}

export function derSequence(...items: Uint8Array[]): Buffer {
  return derElement(TAG.sequence, ...items);
}

/** X.690 SET OF order: encodings compared as octet strings, a shorter one first when it is a prefix. */
export function derSetOf(items: readonly Buffer[]): Buffer {
  return derElement(TAG.set, ...[...items].sort(Buffer.compare));
}

/** `[number]` wrapping `parts`: IMPLICIT primitive content, or EXPLICIT / constructed content. */
export function derContext(number: number, constructed: boolean, ...parts: Uint8Array[]): Buffer {
  return derElement(contextTag(number, constructed), ...parts);
}

export function derBoolean(value: boolean): Buffer {
  return Buffer.from([TAG.boolean, 1, value ? 0xff : 0]);
}

/** An INTEGER from unsigned big-endian magnitude octets (leading zeros dropped, a sign octet added). */
export function derUnsignedInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const octets = magnitude.subarray(start);
  return octets.length && octets[0]! & 0x80 ? derElement(TAG.integer, Buffer.from([0]), octets) : derElement(TAG.integer, octets.length ? octets : Buffer.from([0]));
}

export function derSmallInteger(value: number): Buffer {
  const octets: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest & 0xff);
  return derUnsignedInteger(Buffer.from(octets));
}

export const DER_NULL: Buffer = Buffer.from([TAG.null, 0]);

const encodedOids = new Map<string, Buffer>();
const MAX_CACHED_OIDS = 1024;

/** OBJECT IDENTIFIER from dotted text (validated by callers that take OIDs from users). */
export function derOid(dotted: string): Buffer {
  const cached = encodedOids.get(dotted);
  if (cached) return cached;
  const arcs = dotted.split('.').map(BigInt);
  const octets: number[] = [];
  for (const arc of [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)]) {
    const group = [Number(arc & 0x7fn)];
    for (let rest = arc >> 7n; rest > 0n; rest >>= 7n) group.unshift(Number(rest & 0x7fn) | 0x80);
    octets.push(...group);
  }
  const encoded = derElement(TAG.oid, Buffer.from(octets));
  if (encodedOids.size < MAX_CACHED_OIDS) encodedOids.set(dotted, encoded);
  return encoded;
}

export function derOctetString(bytes: Uint8Array): Buffer {
  return derElement(TAG.octetString, bytes);
}

export function derBitString(bytes: Uint8Array, unusedBits = 0): Buffer {
  return derElement(TAG.bitString, Buffer.from([unusedBits]), bytes);
}

export function derUtf8String(text: string): Buffer {
  return derElement(TAG.utf8String, Buffer.from(text, 'utf8'));
}

/** PrintableString or IA5String content is ASCII; callers check the character set. */
export function derAsciiString(tag: typeof TAG.printableString | typeof TAG.ia5String, text: string): Buffer {
  return derElement(tag, Buffer.from(text, 'latin1'));
}

/** RFC 5280 §4.1.2.5: UTCTime for 1950–2049, GeneralizedTime otherwise; whole seconds, UTC. */
export function derTime(date: Date): Buffer {
  const year = date.getUTCFullYear();
  const two = (n: number) => String(n).padStart(2, '0');
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  return year >= 1950 && year <= 2049
    ? derElement(TAG.utcTime, Buffer.from(`${two(year % 100)}${rest}`, 'latin1'))
    : derElement(TAG.generalizedTime, Buffer.from(`${String(year).padStart(4, '0')}${rest}`, 'latin1'));
}

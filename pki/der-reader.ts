/**
 * A strict DER reader that walks elements in place. asn1js (behind @peculiar/asn1-schema) builds an
 * object graph per value and costs about a millisecond per certificate; walking offsets into the
 * input costs microseconds. Strictness follows Go's cryptobyte, which is what cert-manager parses
 * with: definite minimal lengths, low-tag-number identifiers only, minimal INTEGERs, DER booleans;
 * times are read in the forms Go's x509 accepts.
 */
import { PkiError, type PkiErrorCode } from './errors.js';

/**
 * One element, as offsets into the input: subarrays cost ~100 ns each, so `bytes` and `content`
 * are made only when asked for.
 */
export class DerElement {
  constructor(
    readonly input: Buffer,
    /** The identifier octet: class (bits 8–7), constructed (bit 6) and tag number (bits 5–1). */
    readonly tag: number,
    readonly start: number,
    readonly contentStart: number,
    readonly end: number,
  ) {}

  /** The whole element, header included, as it appears in the input. */
  get bytes(): Buffer {
    return this.input.subarray(this.start, this.end);
  }

  /** The content octets. */
  get content(): Buffer {
    return this.input.subarray(this.contentStart, this.end);
  }

  /** Whether both elements are the same bytes (tag, length and content). */
  sameBytes(other: DerElement): boolean {
    return this.input.compare(other.input, other.start, other.end, this.start, this.end) === 0;
  }
}

/** Identifier octets of the universal types pki/ reads and writes. */
export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  teletexString: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  universalString: 0x1c,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
} as const;

const CONTEXT_CLASS = 0x80;
const CONSTRUCTED = 0x20;

/** Context-specific tag `[number]`, primitive or constructed. */
export function contextTag(number: number, constructed: boolean): number {
  return CONTEXT_CLASS | (constructed ? CONSTRUCTED : 0) | number;
}

export function isConstructed(element: DerElement): boolean {
  return (element.tag & CONSTRUCTED) !== 0;
}

/** Tag number of a context-specific element, or undefined for any other class. */
export function contextNumber(element: DerElement): number | undefined {
  return (element.tag & 0xc0) === CONTEXT_CLASS ? element.tag & 0x1f : undefined;
}

/**
 * Reads one kind of structure: anything malformed fails with a PkiError of `code` whose message
 * names `what`, never the input bytes.
 */
export class DerReader {
  constructor(
    readonly code: PkiErrorCode,
    readonly what: string,
  ) {}

  fail(detail = 'is not valid DER'): never {
    throw new PkiError(this.code, `${this.what} ${detail}`);
  }

  /** The element starting at `offset`, which must end by `end`. */
  elementAt(input: Buffer, offset: number, end = input.length): DerElement {
    if (offset + 2 > end) this.fail();
    const tag = input[offset]!;
    if ((tag & 0x1f) === 0x1f) this.fail('uses a high tag number');
    let length = input[offset + 1]!;
    let header = 2;
    if (length & 0x80) {
      const octets = length & 0x7f;
      if (octets === 0) this.fail('has an indefinite length');
      if (octets > 4 || offset + 2 + octets > end) this.fail();
      length = 0;
      for (let i = 0; i < octets; i++) length = length * 256 + input[offset + 2 + i]!;
      if (length < 0x80 || input[offset + 2] === 0) this.fail('has a non-minimal length');
      header += octets;
    }
    const contentStart = offset + header;
    if (length > end - contentStart) this.fail();
    return new DerElement(input, tag, offset, contentStart, contentStart + length);
  }

  /** One element covering all of `input`, with tag `tag` when given. */
  single(input: Uint8Array, tag?: number): DerElement {
    const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    const element = this.elementAt(bytes, 0);
    if (element.end !== bytes.length) this.fail('has trailing bytes');
    if (tag !== undefined) this.expectTag(element, tag);
    return element;
  }

  expectTag(element: DerElement, tag: number): DerElement {
    if (element.tag !== tag) this.fail('has an unexpected tag');
    return element;
  }

  /** The elements inside a constructed element, which must fill its content exactly. */
  children(element: DerElement, tag?: number): DerElement[] {
    if (tag !== undefined) this.expectTag(element, tag);
    if (!isConstructed(element)) this.fail('is not a constructed value');
    const out: DerElement[] = [];
    for (let offset = element.contentStart; offset < element.end; ) {
      const child = this.elementAt(element.input, offset, element.end);
      out.push(child);
      offset = child.end;
    }
    return out;
  }

  /** The single element inside an explicitly tagged (or otherwise wrapping) element. */
  inner(element: DerElement): DerElement {
    const children = this.children(element);
    if (children.length !== 1) this.fail('has an unexpected structure');
    return children[0]!;
  }

  primitive(element: DerElement, tag?: number): Buffer {
    if (tag !== undefined) this.expectTag(element, tag);
    if (isConstructed(element)) this.fail('is not a primitive value');
    return element.content;
  }

  boolean(element: DerElement): boolean {
    this.expectTag(element, TAG.boolean);
    const value = element.input[element.contentStart];
    if (element.end - element.contentStart !== 1 || (value !== 0 && value !== 0xff)) this.fail('has a malformed BOOLEAN');
    return value === 0xff;
  }

  /** A non-negative INTEGER small enough for a number (path lengths, versions). */
  smallInteger(element: DerElement): number {
    const content = this.integerBytes(element);
    if (content[0]! & 0x80 || content.length > 6) this.fail('has an INTEGER out of range');
    return content.readUIntBE(0, content.length);
  }

  /** INTEGER content octets exactly as encoded, after checking the encoding is minimal. */
  integerBytes(element: DerElement): Buffer {
    const content = this.primitive(element, TAG.integer);
    if (content.length === 0) this.fail('has an empty INTEGER');
    if (content.length > 1 && ((content[0] === 0 && !(content[1]! & 0x80)) || (content[0] === 0xff && content[1]! & 0x80))) {
      this.fail('has a non-minimal INTEGER');
    }
    return content;
  }

  oid(element: DerElement): string {
    this.expectTag(element, TAG.oid);
    return decodeOid(element.input, element.contentStart, element.end, this);
  }

  /** BIT STRING content: the unused-bit count and the octets that carry the bits. */
  bitString(element: DerElement): { unusedBits: number; bytes: Buffer } {
    const content = this.primitive(element, TAG.bitString);
    const unusedBits = content[0];
    if (unusedBits === undefined || unusedBits > 7 || (content.length === 1 && unusedBits !== 0)) this.fail('has a malformed BIT STRING');
    return { unusedBits, bytes: content.subarray(1) };
  }

  time(element: DerElement): Date {
    if (isConstructed(element)) this.fail('is not a primitive value');
    const text = element.input.toString('latin1', element.contentStart, element.end);
    const parsed = element.tag === TAG.utcTime ? parseUtcTime(text) : element.tag === TAG.generalizedTime ? parseGeneralizedTime(text) : undefined;
    if (!parsed || Number.isNaN(parsed.getTime())) this.fail('has a malformed time');
    return parsed;
  }
}

function decodeOid(input: Buffer, start: number, end: number, reader: DerReader): string {
  if (start === end || input[end - 1]! & 0x80) reader.fail('has a malformed OBJECT IDENTIFIER');
  let text = '';
  let value = 0;
  let big: bigint | undefined;
  let arcStart = true;
  for (let i = start; i < end; i++) {
    const byte = input[i]!;
    if (arcStart && byte === 0x80) reader.fail('has a non-minimal OBJECT IDENTIFIER');
    arcStart = false;
    // Arcs past 2^53 (UUID arcs under 2.25) continue in BigInt.
    if (big === undefined && value >= 2 ** 45) big = BigInt(value);
    if (big === undefined) value = value * 128 + (byte & 0x7f);
    else big = big * 128n + BigInt(byte & 0x7f);
    if (byte & 0x80) continue;
    if (text) text += `.${big ?? value}`;
    // The first subidentifier packs two arcs: 40·a + b, with a ≤ 2.
    else if (big !== undefined) text = `2.${big - 80n}`;
    else text = value < 80 ? `${Math.floor(value / 40)}.${value % 40}` : `2.${value - 80}`;
    value = 0;
    big = undefined;
    arcStart = true;
  }
  return text;
}

/** `count` decimal digits of `text` from `from`, or NaN. */
function digits(text: string, from: number, count: number): number {
  if (from + count > text.length) return NaN;
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** `Z` or `±hhmm` at `from` (the rest of `text`), as minutes east of UTC. */
function zoneOffsetMinutes(text: string, from: number): number | undefined {
  const zone = text.slice(from);
  if (zone === 'Z') return 0;
  const match = /^([+-])(\d{2})(\d{2})$/.exec(zone);
  if (!match || Number(match[2]) > 23 || Number(match[3]) > 59) return undefined;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

function utcDate(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number, offsetMinutes: number): Date | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000);
  // Date.UTC rolls 31 February over into March; a real calendar date must not.
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day ? date : undefined;
}

/** YYMMDDhhmm[ss](Z|±hhmm), years 50–99 in the 1900s as RFC 5280 says. */
function parseUtcTime(text: string): Date | undefined {
  const hasSeconds = /^\d{12}/.test(text);
  const offset = zoneOffsetMinutes(text, hasSeconds ? 12 : 10);
  if (offset === undefined) return undefined;
  const yy = digits(text, 0, 2);
  return utcDate(yy >= 50 ? 1900 + yy : 2000 + yy, digits(text, 2, 2), digits(text, 4, 2), digits(text, 6, 2), digits(text, 8, 2), hasSeconds ? digits(text, 10, 2) : 0, 0, offset);
}

/** YYYYMMDDhhmmss[.fff](Z|±hhmm). */
function parseGeneralizedTime(text: string): Date | undefined {
  const fraction = /^\d{14}(\.\d+)?/.exec(text);
  if (!fraction) return undefined;
  const offset = zoneOffsetMinutes(text, fraction[0].length);
  if (offset === undefined) return undefined;
  const ms = fraction[1] ? Math.floor(Number(`0${fraction[1]}`) * 1000) : 0;
  return utcDate(digits(text, 0, 4), digits(text, 4, 2), digits(text, 6, 2), digits(text, 8, 2), digits(text, 10, 2), digits(text, 12, 2), ms, offset);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a string-typed value, or undefined for other types. Invalid UTF-8 in a UTF8String
 * reads as Latin-1, as asn1js reads it, so names that parsed before still parse.
 */
export function decodeString(element: DerElement, reader: DerReader): string | undefined {
  switch (element.tag) {
    case TAG.printableString:
    case TAG.ia5String:
    case TAG.teletexString:
      return reader.primitive(element).toString('latin1');
    case TAG.utf8String: {
      const content = reader.primitive(element);
      try {
        return strictUtf8.decode(content);
      } catch {
        return content.toString('latin1');
      }
    }
    case TAG.bmpString: {
      const content = reader.primitive(element);
      if (content.length % 2) reader.fail('has a malformed BMPString');
      return Buffer.from(content).swap16().toString('utf16le');
    }
    case TAG.universalString: {
      const content = reader.primitive(element);
      if (content.length % 4) reader.fail('has a malformed UniversalString');
      const codePoints: number[] = [];
      for (let i = 0; i < content.length; i += 4) {
        const codePoint = content.readUInt32BE(i);
        if (codePoint > 0x10ffff) reader.fail('has a malformed UniversalString');
        codePoints.push(codePoint);
      }
      return String.fromCodePoint(...codePoints);
    }
    default:
      return undefined;
  }
}

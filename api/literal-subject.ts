/**
 * `spec.literalSubject`: an RFC 4514 distinguished name string used verbatim as the CSR subject.
 * Attribute keys are the ones Go's crypto/x509 knows (plus dotted OIDs); unknown keys are kept
 * with no OID so validation can name them.
 */

/** Attribute short names Go's x509 maps to OIDs (as in cert-manager's literal subject parser). */
export const SUBJECT_ATTRIBUTE_OIDS: Readonly<Record<string, string>> = {
  CN: '2.5.4.3',
  SERIALNUMBER: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  STREET: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  POSTALCODE: '2.5.4.17',
  UID: '0.9.2342.19200300.100.1.1',
  DC: '0.9.2342.19200300.100.1.25',
};

export const COMMON_NAME_OID = SUBJECT_ATTRIBUTE_OIDS.CN!;

export interface SubjectAttribute {
  /** The key as written (`CN`, `dc`, `2.5.4.3`). */
  type: string;
  /** Its OID, or undefined when the key is not one Go's x509 knows. */
  oid: string | undefined;
  /**
   * The value: text, or for a `#hex` value whose BER is not a string type, the DER bytes as given.
   */
  value: string | Uint8Array;
}

/** One RDN: usually one attribute, several when joined with `+`. */
export type RelativeDistinguishedName = SubjectAttribute[];

export class LiteralSubjectError extends Error {}

const NUMERIC_OID = /^\d+(\.\d+)+$/;
const KEYWORD = /^[A-Za-z][A-Za-z0-9-]*$/;
const ESCAPABLE = new Set([' ', '"', '#', '+', ',', ';', '<', '=', '>', '\\']);
const HEX = /^[0-9A-Fa-f]{2}$/;

function oidFor(type: string): string | undefined {
  if (NUMERIC_OID.test(type)) return type;
  return SUBJECT_ATTRIBUTE_OIDS[type.toUpperCase()];
}

/** Text of a BER-encoded string value (`#0c03666f6f`), or undefined if it is not a string type. */
function decodeBerString(der: Uint8Array): string | undefined {
  if (der.length < 2) return undefined;
  const tag = der[0]!;
  let length = der[1]!;
  let offset = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3 || der.length < 2 + count) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = (length << 8) | der[2 + i]!;
    offset = 2 + count;
  }
  if (offset + length !== der.length) return undefined;
  const body = Buffer.from(der.subarray(offset));
  switch (tag) {
    case 0x0c: // UTF8String
      return new TextDecoder('utf-8', { fatal: true }).decode(body);
    case 0x13: // PrintableString
    case 0x16: // IA5String
      return body.toString('ascii');
    case 0x14: // T61String, read as Latin-1 like Go
      return body.toString('latin1');
    case 0x1e: // BMPString
      return new TextDecoder('utf-16be').decode(body);
    default:
      return undefined;
  }
}

class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos]!;
  }
  skipSpaces(): void {
    while (!this.done && this.peek() === ' ') this.pos++;
  }
  fail(message: string): never {
    throw new LiteralSubjectError(`${message} at position ${this.pos + 1} of ${JSON.stringify(this.text)}`);
  }
}

function parseType(c: Cursor): string {
  c.skipSpaces();
  const start = c.pos;
  while (!c.done && c.peek() !== '=' && c.peek() !== ',' && c.peek() !== '+') c.pos++;
  const type = c.text.slice(start, c.pos).trim();
  if (type === '') c.fail('expected an attribute type');
  if (c.done || c.peek() !== '=') c.fail(`attribute type "${type}" has no "=" and value`);
  if (!KEYWORD.test(type) && !NUMERIC_OID.test(type)) c.fail(`invalid attribute type "${type}"`);
  c.pos++; // '='
  return type;
}

function parseHexValue(c: Cursor): Uint8Array {
  c.pos++; // '#'
  const start = c.pos;
  while (!c.done && /[0-9A-Fa-f]/.test(c.peek())) c.pos++;
  const hex = c.text.slice(start, c.pos);
  c.skipSpaces();
  if (hex.length === 0 || hex.length % 2 !== 0) c.fail('a "#" value must be an even number of hex digits');
  if (!c.done && c.peek() !== ',' && c.peek() !== '+' && c.peek() !== ';') c.fail('unexpected character after "#" value');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function parseStringValue(c: Cursor): string {
  const bytes: number[] = [];
  let trailingSpaces = 0;
  while (!c.done) {
    const ch = c.peek();
    if (ch === ',' || ch === '+' || ch === ';') break;
    if (ch === '\\') {
      const pair = c.text.slice(c.pos + 1, c.pos + 3);
      const next = c.text[c.pos + 1];
      if (HEX.test(pair)) {
        bytes.push(parseInt(pair, 16));
        c.pos += 3;
      } else if (next !== undefined && ESCAPABLE.has(next)) {
        bytes.push(...Buffer.from(next));
        c.pos += 2;
      } else {
        c.fail('invalid escape sequence');
      }
      trailingSpaces = 0;
      continue;
    }
    if (ch === '"' || ch === '<' || ch === '>') c.fail(`unescaped "${ch}" in value`);
    bytes.push(...Buffer.from(ch));
    trailingSpaces = ch === ' ' ? trailingSpaces + 1 : 0;
    c.pos++;
  }
  // Unescaped trailing spaces are not part of the value.
  const kept = bytes.slice(0, bytes.length - trailingSpaces);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(kept));
  } catch {
    return c.fail('value is not valid UTF-8');
  }
}

function parseAttribute(c: Cursor): SubjectAttribute {
  const type = parseType(c);
  c.skipSpaces();
  let value: string | Uint8Array;
  if (!c.done && c.peek() === '#') {
    const der = parseHexValue(c);
    value = decodeBerString(der) ?? der;
  } else {
    value = parseStringValue(c);
  }
  return { type, oid: oidFor(type), value };
}

/**
 * The RDNs of an RFC 4514 string, in the order written (most specific first: `CN=…,O=…,C=…`).
 * Throws {@link LiteralSubjectError} when the string is not a distinguished name.
 */
export function parseDistinguishedName(text: string): RelativeDistinguishedName[] {
  const c = new Cursor(text);
  const rdns: RelativeDistinguishedName[] = [];
  if (text.trim() === '') return rdns;
  let rdn: RelativeDistinguishedName = [];
  for (;;) {
    rdn.push(parseAttribute(c));
    if (c.done) break;
    const separator = c.peek();
    c.pos++;
    if (separator !== '+') {
      rdns.push(rdn);
      rdn = [];
    }
    if (c.text.slice(c.pos).trim() === '') c.fail('DN ended with incomplete type, value pair');
  }
  rdns.push(rdn);
  return rdns;
}

/** The RDN sequence as X.509 encodes it: the reverse of the string order. */
export function literalSubjectRdnSequence(text: string): RelativeDistinguishedName[] {
  return parseDistinguishedName(text).reverse();
}

/** The common name among these RDNs, if any; with several CNs the last one in the given order wins. */
export function literalSubjectCommonName(rdns: readonly RelativeDistinguishedName[]): string | undefined {
  let cn: string | undefined;
  for (const rdn of rdns) for (const a of rdn) if (a.oid === COMMON_NAME_OID && typeof a.value === 'string') cn = a.value;
  return cn;
}

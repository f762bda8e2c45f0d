import { PkiError } from './errors.js';

/** What pki/ accepts wherever an encoded object is expected: PEM text, or DER bytes. */
export type PemOrDer = string | Uint8Array;

export interface PemBlock {
  label: string;
  headers: ReadonlyMap<string, string>;
  der: Buffer;
}

export interface PemReadOptions {
  /** Byte limit on the whole input; larger input fails with PEM_TOO_LARGE before decoding. */
  maxBytes: number;
  /** What the input should hold, for messages ("certificate", "private key", …). */
  what: string;
}

export function inputByteLength(input: PemOrDer): number {
  return typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
}

export function assertWithinLimit(input: PemOrDer, { maxBytes, what }: PemReadOptions): void {
  const size = inputByteLength(input);
  if (size > maxBytes) {
    throw new PkiError('PEM_TOO_LARGE', `${what} is ${size} bytes, more than the limit of ${maxBytes} bytes`);
  }
}

/**
 * A PEM block as @peculiar/x509's PemConverter matches it (which this replaces: its base64 and
 * header handling cost ~7 µs a block, Buffer's ~1 µs): BEGIN label, optional RFC 1421 headers,
 * base64 lines, END with the same label. Line ends are `\n` once `\r` is removed.
 */
const PEM_BLOCK = /-{5}BEGIN ([^\n]+(?=-{5}))-{5}\n(?:((?:[^:\n]+: (?:[^\n]+\n(?: +[^\n]+\n)*))+))?\n?((?:[a-zA-Z0-9=+/]+\n)+)-{5}END \1-{5}/g;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `Key: value` headers; lines starting with a space continue the previous value. */
function parseHeaders(text: string | undefined, what: string): Map<string, string> {
  const headers = new Map<string, string>();
  let last: string | undefined;
  for (const line of text ? text.split('\n') : []) {
    const colon = line.indexOf(':');
    if (colon < 0) {
      if (last === undefined) throw new PkiError('PEM_MALFORMED', `${what} PEM has a malformed header`);
      headers.set(last, headers.get(last)! + line.trim());
    } else {
      last = line.slice(0, colon);
      headers.set(last, line.slice(colon + 1).trim());
    }
  }
  return headers;
}

/**
 * Every well-formed PEM block in `text`, in order. Text around and between blocks is ignored, as Go's
 * pem.Decode does; a block whose body is not base64 fails the whole read.
 */
export function decodePemBlocks(text: string, options: PemReadOptions): PemBlock[] {
  assertWithinLimit(text, options);
  const blocks: PemBlock[] = [];
  for (const match of text.replace(/\r/g, '').matchAll(PEM_BLOCK)) {
    const base64 = match[3]!.replace(/\n+/g, '');
    if (!BASE64.test(base64)) throw new PkiError('PEM_MALFORMED', `${options.what} PEM has a block that is not valid base64`);
    blocks.push({ label: match[1]!, headers: parseHeaders(match[2], options.what), der: Buffer.from(base64, 'base64') });
  }
  if (blocks.length === 0) throw new PkiError('PEM_MALFORMED', `no PEM block found in ${options.what}`);
  return blocks;
}

/** PEM with 64-character base64 lines and a trailing newline. */
export function encodePem(der: Uint8Array, label: string): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  let body = '';
  for (let i = 0; i < base64.length; i += 64) body += `${base64.slice(i, i + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`;
}

export function looksLikePem(input: PemOrDer): input is string {
  return typeof input === 'string';
}

/**
 * DER bytes of every object in `input` with one of `labels`: PEM blocks with other labels are
 * skipped; DER input is taken as a single object.
 */
export function derObjects(input: PemOrDer, labels: readonly string[], options: PemReadOptions): Buffer[] {
  if (!looksLikePem(input)) {
    assertWithinLimit(input, options);
    if (input.byteLength === 0) throw new PkiError('PEM_MALFORMED', `${options.what} is empty`);
    return [Buffer.from(input)];
  }
  const blocks = decodePemBlocks(input, options).filter((b) => labels.includes(b.label));
  if (blocks.length === 0) {
    throw new PkiError('PEM_UNEXPECTED_TYPE', `no ${labels.join(' or ')} PEM block found in ${options.what}`);
  }
  return blocks.map((b) => b.der);
}

/** The first object with one of `labels`, as Go's single-object decoders take it. */
export function firstDerObject(input: PemOrDer, labels: readonly string[], options: PemReadOptions): Buffer {
  return derObjects(input, labels, options)[0]!;
}

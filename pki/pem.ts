import { x509 } from './x509.js';
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
 * Every well-formed PEM block in `text`, in order. Text around and between blocks is ignored, as Go's
 * pem.Decode does; a block whose body is not base64 fails the whole read.
 */
export function decodePemBlocks(text: string, options: PemReadOptions): PemBlock[] {
  assertWithinLimit(text, options);
  let structs;
  try {
    structs = x509.PemConverter.decodeWithHeaders(text);
  } catch {
    throw new PkiError('PEM_MALFORMED', `${options.what} PEM has a block that is not valid base64`);
  }
  if (structs.length === 0) throw new PkiError('PEM_MALFORMED', `no PEM block found in ${options.what}`);
  return structs.map((s) => ({
    label: s.type,
    headers: new Map(s.headers.map((h) => [h.key, h.value])),
    der: Buffer.from(s.rawData),
  }));
}

export function encodePem(der: Uint8Array, label: string): string {
  return x509.PemConverter.encode(der, label) + '\n';
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

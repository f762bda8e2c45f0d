/**
 * asn1js helpers for the keystore code (pkcs12.ts), which builds and reads through asn1js and
 * @peculiar/asn1-schema. Certificates, CSRs and names use der-reader.ts and der-writer.ts instead.
 */
import * as asn1js from 'asn1js';
import { PkiError, type PkiErrorCode } from './errors.js';

/** One DER object covering all of `bytes`; anything else (trailing bytes included) is `code`. */
export function parseDer(bytes: Uint8Array, code: PkiErrorCode, what: string): asn1js.AsnType {
  const view = new Uint8Array(bytes);
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(view);
  } catch {
    throw new PkiError(code, `${what} is not valid DER`);
  }
  if (parsed.offset === -1 || parsed.offset !== view.byteLength) {
    throw new PkiError(code, `${what} is not valid DER`);
  }
  return parsed.result;
}

const CONTEXT_SPECIFIC = 3;

export function contextPrimitive(tagNumber: number, value: Uint8Array): asn1js.Primitive {
  return new asn1js.Primitive({ idBlock: { tagClass: CONTEXT_SPECIFIC, tagNumber }, valueHex: new Uint8Array(value) });
}

/** DER as a standalone ArrayBuffer, the type @peculiar/asn1-schema uses for ANY fields. */
export function toDerArrayBuffer(value: asn1js.AsnType): ArrayBuffer {
  return value.toBER(false);
}

/** Children of a constructed value, or `code` when it is primitive. */
export function childrenOf(value: asn1js.AsnType, code: PkiErrorCode, what: string): asn1js.AsnType[] {
  if (!(value instanceof asn1js.Constructed)) throw new PkiError(code, `${what} is not a constructed value`);
  return value.valueBlock.value;
}

/** Content octets of a primitive value, or `code` when it is constructed. */
export function contentOf(value: asn1js.AsnType, code: PkiErrorCode, what: string): Buffer {
  const content = value.idBlock.isConstructed ? undefined : (value.valueBlock as { valueHexView?: Uint8Array }).valueHexView;
  if (!content) throw new PkiError(code, `${what} is not a primitive value`);
  return Buffer.from(content);
}

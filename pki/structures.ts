/**
 * The skeletons of X.509 certificates (RFC 5280 §4.1) and PKCS#10 requests (RFC 2986 §4), read
 * with the DER reader. Names and the serial are kept byte for byte: chain building and
 * cert-manager's literal-subject match compare raw DER, and ARI CertIDs use the serial as encoded.
 */
import { DerReader, TAG, contextTag, type DerElement } from './der-reader.js';

export interface AlgorithmIdentifier {
  oid: string;
  parameters?: DerElement;
}

export interface ExtensionEntry {
  oid: string;
  critical: boolean;
  /** extnValue's content: the extension's own DER. */
  value: Buffer;
}

/** What a signature covers and the signature itself. */
export interface SignedStructure {
  /** The signed element (TBSCertificate or CertificationRequestInfo) exactly as received. */
  signed: Buffer;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Buffer;
}

export interface CertificateStructure extends SignedStructure {
  /** The serial INTEGER's content octets as encoded. */
  serial: Buffer;
  issuer: Buffer;
  notBefore: Date;
  notAfter: Date;
  subject: Buffer;
  spki: Buffer;
  extensions: ExtensionEntry[];
}

export interface CsrStructure extends SignedStructure {
  subject: Buffer;
  spki: Buffer;
  /** The extensionRequest attribute's extensions (none when absent). */
  extensions: ExtensionEntry[];
}

export const EXTENSION_REQUEST_OID = '1.2.840.113549.1.9.14';

export const certificateReader = new DerReader('CERTIFICATE_MALFORMED', 'certificate');
export const csrReader = new DerReader('CSR_MALFORMED', 'certificate request');

export function readAlgorithmIdentifier(element: DerElement, reader: DerReader): AlgorithmIdentifier {
  const [oid, parameters, ...rest] = reader.children(element, TAG.sequence);
  if (!oid || rest.length) reader.fail('has a malformed algorithm identifier');
  const identifier: AlgorithmIdentifier = { oid: reader.oid(oid) };
  if (parameters) identifier.parameters = parameters;
  return identifier;
}

/** Certificate and CertificationRequest share a shape: signed content, algorithm, BIT STRING signature. */
function readSigned(der: Uint8Array, reader: DerReader): { content: DerElement; algorithm: DerElement; structure: SignedStructure } {
  const [content, algorithm, signatureBits, ...rest] = reader.children(reader.single(der), TAG.sequence);
  if (!content || !algorithm || !signatureBits || rest.length) reader.fail('is missing required fields');
  const signature = reader.bitString(signatureBits);
  if (signature.unusedBits !== 0) reader.fail('has a signature with a partial octet');
  return { content, algorithm, structure: { signed: content.bytes, signatureAlgorithm: readAlgorithmIdentifier(algorithm, reader), signature: signature.bytes } };
}

/** Extensions ::= SEQUENCE OF Extension { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. */
export function readExtensions(element: DerElement, reader: DerReader): ExtensionEntry[] {
  return reader.children(element, TAG.sequence).map((extension) => {
    const fields = reader.children(extension, TAG.sequence);
    const [id, second, third] = fields;
    const hasCritical = second?.tag === TAG.boolean;
    const value = hasCritical ? third : second;
    if (!id || !value || fields.length !== (hasCritical ? 3 : 2)) reader.fail('has a malformed extension');
    return { oid: reader.oid(id), critical: hasCritical ? reader.boolean(second) : false, value: reader.primitive(value, TAG.octetString) };
  });
}

const VERSION_TAG = contextTag(0, true);
const EXTENSIONS_TAG = contextTag(3, true);

export function readCertificateStructure(der: Uint8Array): CertificateStructure {
  const reader = certificateReader;
  const { content, structure, algorithm } = readSigned(der, reader);
  const fields = reader.children(content, TAG.sequence);
  // version is an explicit [0] and absent in v1 certificates.
  let next = 0;
  if (fields[0]?.tag === VERSION_TAG) {
    if (reader.smallInteger(reader.inner(fields[0])) > 2) reader.fail('has an unknown version');
    next = 1;
  }
  const [serial, innerAlgorithm, issuer, validity, subject, spki] = fields.slice(next, next + 6);
  if (!serial || !innerAlgorithm || !issuer || !validity || !subject || !spki) reader.fail('is missing required fields');
  if (!innerAlgorithm.sameBytes(algorithm)) reader.fail('has different inner and outer signature algorithms');
  const [notBefore, notAfter, ...extraTimes] = reader.children(validity, TAG.sequence);
  if (!notBefore || !notAfter || extraTimes.length) reader.fail('has a malformed validity');
  const extensionsField = fields.slice(next + 6).find((f) => f.tag === EXTENSIONS_TAG);
  return Object.assign(structure, {
    serial: reader.integerBytes(serial),
    issuer: reader.expectTag(issuer, TAG.sequence).bytes,
    notBefore: reader.time(notBefore),
    notAfter: reader.time(notAfter),
    subject: reader.expectTag(subject, TAG.sequence).bytes,
    spki: reader.expectTag(spki, TAG.sequence).bytes,
    extensions: extensionsField ? readExtensions(reader.inner(extensionsField), reader) : [],
  });
}

const ATTRIBUTES_TAG = contextTag(0, true);

export function readCsrStructure(der: Uint8Array): CsrStructure {
  const reader = csrReader;
  const { content, structure } = readSigned(der, reader);
  const [version, subject, spki, attributes] = reader.children(content, TAG.sequence);
  if (!version || !subject || !spki) reader.fail('is missing required fields');
  if (reader.smallInteger(version) !== 0) reader.fail('has an unknown version');
  let extensions: ExtensionEntry[] = [];
  for (const attribute of attributes ? reader.children(attributes, ATTRIBUTES_TAG) : []) {
    const [type, values] = reader.children(attribute, TAG.sequence);
    if (!type || !values) reader.fail('has a malformed attribute');
    if (reader.oid(type) !== EXTENSION_REQUEST_OID) continue;
    const [first] = reader.children(values, TAG.set);
    if (first) extensions = readExtensions(first, reader);
  }
  return Object.assign(structure, { subject: reader.expectTag(subject, TAG.sequence).bytes, spki: reader.expectTag(spki, TAG.sequence).bytes, extensions });
}

import type { PkiErrorCode } from './errors.js';
import { contextNumber, contextTag, DerReader, TAG, type DerElement } from './der-reader.js';
import { derBoolean, derContext, derOctetString, derOid, derSequence } from './der-writer.js';
import { decodeRdnSequence, formatRdnSequence, isEmptyName, subjectFields, type RdnSequence, type SubjectFields } from './distinguished-names.js';
import { decodeSubjectAltNames, generalNameText, NAME_CONSTRAINTS_OID, noSubjectAltNames, SAN_OID, type SubjectAltNames } from './general-names.js';
import type { KeyDescription } from './keys.js';
import { describeSpki } from './public-keys.js';
import type { ExtensionEntry } from './structures.js';
import { decodeExtKeyUsage, decodeKeyUsage, EXT_KEY_USAGE_OID, KEY_USAGE_OID, usageNames } from './usages.js';

export const EXTENSION_OID = {
  subjectAltName: SAN_OID,
  keyUsage: KEY_USAGE_OID,
  extKeyUsage: EXT_KEY_USAGE_OID,
  basicConstraints: '2.5.29.19',
  nameConstraints: NAME_CONSTRAINTS_OID,
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  crlDistributionPoints: '2.5.29.31',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
} as const;

const ACCESS_METHOD = { ocsp: '1.3.6.1.5.5.7.48.1', caIssuers: '1.3.6.1.5.5.7.48.2' } as const;

export interface RawExtension {
  critical: boolean;
  value: Buffer;
}
export type ExtensionMap = ReadonlyMap<string, RawExtension>;

export function extensionMap(extensions: readonly ExtensionEntry[]): ExtensionMap {
  return new Map(extensions.map((e) => [e.oid, { critical: e.critical, value: e.value }]));
}

/** Extensions DER: criticality is written only when true (DER leaves DEFAULT values out). */
export function encodeExtensions(extensions: readonly ExtensionEntry[]): Buffer {
  return derSequence(...extensions.map((e) => (e.critical ? derSequence(derOid(e.oid), derBoolean(true), derOctetString(e.value)) : derSequence(derOid(e.oid), derOctetString(e.value)))));
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }. */
function readIsCA(der: Buffer, code: PkiErrorCode): boolean {
  const basicConstraints = new DerReader(code, 'basic constraints');
  const [first] = basicConstraints.children(basicConstraints.single(der), TAG.sequence);
  return first?.tag === TAG.boolean ? basicConstraints.boolean(first) : false;
}

/** What a certificate or CSR says about its subject, names, usages and key: the fields cert-manager compares. */
export interface NamesAndUsages {
  rawSubject: Buffer;
  subjectRdns: RdnSequence;
  /** RFC 4514, least significant RDN first (Go's RDNSequence.String()). */
  subject: string;
  subjectFields: SubjectFields;
  commonName: string;
  dnsNames: string[];
  ipAddresses: string[];
  uris: string[];
  emailAddresses: string[];
  otherNames: SubjectAltNames['otherNames'];
  /** Whether the SAN extension is marked critical (false when absent). */
  sanCritical: boolean;
  /** KeyUsage bits (0 when the extension is absent). */
  keyUsage: number;
  extKeyUsages: string[];
  /** KU and EKU in cert-manager's usage names. */
  usages: string[];
  /** basicConstraints cA (false when absent). */
  isCA: boolean;
  /** Whether a basicConstraints extension is present. */
  hasBasicConstraints: boolean;
  /** SubjectPublicKeyInfo DER as encoded. */
  publicKeyDer: Buffer;
  /** Undefined for key types cert-manager can't issue for (they may still appear in CA bundles). */
  publicKey?: KeyDescription;
}

export function namesAndUsages(rawSubject: Buffer, extensions: ExtensionMap, spki: Buffer, code: 'CSR_MALFORMED' | 'CERTIFICATE_MALFORMED'): NamesAndUsages {
  const subjectRdns = decodeRdnSequence(rawSubject);
  const fields = subjectFields(subjectRdns);
  const san = extensions.get(EXTENSION_OID.subjectAltName);
  const sans = san ? decodeSubjectAltNames(san.value) : noSubjectAltNames();
  const ku = extensions.get(EXTENSION_OID.keyUsage);
  const eku = extensions.get(EXTENSION_OID.extKeyUsage);
  const keyUsage = ku ? decodeKeyUsage(ku.value) : 0;
  const extKeyUsages = eku ? decodeExtKeyUsage(eku.value) : [];
  const bc = extensions.get(EXTENSION_OID.basicConstraints);

  const description = describeSpki(spki);
  // Built property by property: object spread here costs tens of µs per parse in V8.
  const names: NamesAndUsages = {
    rawSubject,
    subjectRdns,
    subject: formatRdnSequence(subjectRdns),
    subjectFields: fields,
    commonName: fields.commonName,
    dnsNames: sans.dnsNames,
    ipAddresses: sans.ipAddresses,
    uris: sans.uris,
    emailAddresses: sans.emailAddresses,
    otherNames: sans.otherNames,
    sanCritical: san?.critical ?? false,
    keyUsage,
    extKeyUsages,
    usages: usageNames({ keyUsage, extKeyUsages }),
    isCA: bc ? readIsCA(bc.value, code) : false,
    hasBasicConstraints: bc !== undefined,
    publicKeyDer: spki,
  };
  if (description) names.publicKey = description;
  return names;
}

export function subjectIsEmpty(fields: Pick<NamesAndUsages, 'rawSubject'>): boolean {
  return isEmptyName(fields.rawSubject);
}

const reader = new DerReader('CERTIFICATE_MALFORMED', 'certificate extension');

export function readKeyIdentifiers(extensions: ExtensionMap): { subjectKeyId?: Buffer; authorityKeyId?: Buffer } {
  const ski = extensions.get(EXTENSION_OID.subjectKeyId);
  const aki = extensions.get(EXTENSION_OID.authorityKeyId);
  const subjectKeyId = ski && reader.primitive(reader.single(ski.value), TAG.octetString);
  // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, … }
  const keyIdField = aki && reader.children(reader.single(aki.value), TAG.sequence).find((f) => f.tag === contextTag(0, false));
  const authorityKeyId = keyIdField && reader.primitive(keyIdField);
  const identifiers: { subjectKeyId?: Buffer; authorityKeyId?: Buffer } = {};
  if (subjectKeyId) identifiers.subjectKeyId = subjectKeyId;
  if (authorityKeyId) identifiers.authorityKeyId = authorityKeyId;
  return identifiers;
}

const URI_TAG = 6;

function uriOf(name: DerElement): string[] {
  return contextNumber(name) === URI_TAG ? [generalNameText(name, reader)] : [];
}

/** URIs of every DistributionPoint's fullName ([0] { [0] GeneralNames }). */
export function readCrlDistributionPoints(extensions: ExtensionMap): string[] {
  const ext = extensions.get(EXTENSION_OID.crlDistributionPoints);
  if (!ext) return [];
  return reader.children(reader.single(ext.value), TAG.sequence).flatMap((point) => {
    const name = reader.children(point, TAG.sequence).find((f) => f.tag === contextTag(0, true));
    const fullName = name && reader.inner(name);
    return fullName?.tag === contextTag(0, true) ? reader.children(fullName).flatMap(uriOf) : [];
  });
}

export function readAuthorityInfoAccess(extensions: ExtensionMap): { ocspServers: string[]; issuingCertificateUrls: string[] } {
  const ext = extensions.get(EXTENSION_OID.authorityInfoAccess);
  const found = { ocspServers: [] as string[], issuingCertificateUrls: [] as string[] };
  for (const description of ext ? reader.children(reader.single(ext.value), TAG.sequence) : []) {
    const [method, location] = reader.children(description, TAG.sequence);
    if (!method || !location) reader.fail('has a malformed access description');
    const oid = reader.oid(method);
    if (oid === ACCESS_METHOD.ocsp) found.ocspServers.push(...uriOf(location));
    if (oid === ACCESS_METHOD.caIssuers) found.issuingCertificateUrls.push(...uriOf(location));
  }
  return found;
}

/** A URI GeneralName ([6] IA5String); the text's UTF-8 bytes, as Go writes them. */
function uriName(uri: string): Buffer {
  return derContext(URI_TAG, false, Buffer.from(uri, 'utf8'));
}

export function encodeBasicConstraints(isCA: boolean): Buffer {
  return isCA ? derSequence(derBoolean(true)) : derSequence();
}

export function encodeSubjectKeyIdentifier(keyId: Uint8Array): Buffer {
  return derOctetString(keyId);
}

export function encodeAuthorityKeyIdentifier(keyId: Uint8Array): Buffer {
  return derSequence(derContext(0, false, keyId));
}

/** One AccessDescription per URL, OCSP first, as Go orders them. */
export function encodeAuthorityInfoAccess(ocspServers: readonly string[], issuingCertificateUrls: readonly string[]): Buffer {
  return derSequence(
    ...ocspServers.map((url) => derSequence(derOid(ACCESS_METHOD.ocsp), uriName(url))),
    ...issuingCertificateUrls.map((url) => derSequence(derOid(ACCESS_METHOD.caIssuers), uriName(url))),
  );
}

/** One DistributionPoint per URL, each a fullName with that URI, as Go writes them. */
export function encodeCrlDistributionPoints(urls: readonly string[]): Buffer {
  return derSequence(...urls.map((url) => derSequence(derContext(0, true, derContext(0, true, uriName(url))))));
}

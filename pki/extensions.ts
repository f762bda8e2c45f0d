import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  CRLDistributionPoints,
  SubjectKeyIdentifier,
  type Extension,
  type GeneralName,
} from '@peculiar/asn1-x509';
import { parsingAs } from './errors.js';
import { decodeRdnSequence, formatRdnSequence, isEmptyName, subjectFields, type RdnSequence, type SubjectFields } from './distinguished-names.js';
import { decodeSubjectAltNames, NAME_CONSTRAINTS_OID, noSubjectAltNames, SAN_OID, type SubjectAltNames } from './general-names.js';
import { describeSpki, type KeyDescription } from './keys.js';
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

export function extensionMap(extensions: readonly Extension[] | undefined): ExtensionMap {
  return new Map(Array.from(extensions ?? [], (e) => [e.extnID, { critical: e.critical, value: Buffer.from(e.extnValue.buffer) }]));
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
  const basicConstraints = bc ? parsingAs(code, 'basic constraints', () => AsnConvert.parse(bc.value, BasicConstraints)) : undefined;
  const description = describeSpki(spki);
  return {
    rawSubject,
    subjectRdns,
    subject: formatRdnSequence(subjectRdns),
    subjectFields: fields,
    commonName: fields.commonName,
    ...sans,
    sanCritical: san?.critical ?? false,
    keyUsage,
    extKeyUsages,
    usages: usageNames({ keyUsage, extKeyUsages }),
    isCA: basicConstraints?.cA ?? false,
    hasBasicConstraints: bc !== undefined,
    publicKeyDer: spki,
    ...(description ? { publicKey: description } : {}),
  };
}

export function subjectIsEmpty(fields: Pick<NamesAndUsages, 'rawSubject'>): boolean {
  return isEmptyName(fields.rawSubject);
}

export function readKeyIdentifiers(extensions: ExtensionMap): { subjectKeyId?: Buffer; authorityKeyId?: Buffer } {
  const ski = extensions.get(EXTENSION_OID.subjectKeyId);
  const aki = extensions.get(EXTENSION_OID.authorityKeyId);
  const subjectKeyId = ski && parsingAs('CERTIFICATE_MALFORMED', 'subject key identifier', () => Buffer.from(AsnConvert.parse(ski.value, SubjectKeyIdentifier).buffer));
  const akiValue = aki && parsingAs('CERTIFICATE_MALFORMED', 'authority key identifier', () => AsnConvert.parse(aki.value, AuthorityKeyIdentifier));
  const authorityKeyId = akiValue?.keyIdentifier ? Buffer.from(akiValue.keyIdentifier.buffer) : undefined;
  return { ...(subjectKeyId ? { subjectKeyId } : {}), ...(authorityKeyId ? { authorityKeyId } : {}) };
}

function uriOf(name: GeneralName): string[] {
  return name.uniformResourceIdentifier ? [name.uniformResourceIdentifier] : [];
}

export function readCrlDistributionPoints(extensions: ExtensionMap): string[] {
  const ext = extensions.get(EXTENSION_OID.crlDistributionPoints);
  if (!ext) return [];
  const points = parsingAs('CERTIFICATE_MALFORMED', 'CRL distribution points', () => AsnConvert.parse(ext.value, CRLDistributionPoints));
  return Array.from(points).flatMap((p) => (p.distributionPoint?.fullName ?? []).flatMap(uriOf));
}

export function readAuthorityInfoAccess(extensions: ExtensionMap): { ocspServers: string[]; issuingCertificateUrls: string[] } {
  const ext = extensions.get(EXTENSION_OID.authorityInfoAccess);
  if (!ext) return { ocspServers: [], issuingCertificateUrls: [] };
  const access = parsingAs('CERTIFICATE_MALFORMED', 'authority information access', () => AsnConvert.parse(ext.value, AuthorityInfoAccessSyntax));
  const urls = (method: string) => Array.from(access).filter((a) => a.accessMethod === method).flatMap((a) => uriOf(a.accessLocation));
  return { ocspServers: urls(ACCESS_METHOD.ocsp), issuingCertificateUrls: urls(ACCESS_METHOD.caIssuers) };
}


import { createHash } from 'node:crypto';
import { PkiError } from './errors.js';
import { decodeRdnSequence, formatRdnSequence, type RdnSequence } from './distinguished-names.js';
import {
  extensionMap,
  namesAndUsages,
  readAuthorityInfoAccess,
  readCrlDistributionPoints,
  readKeyIdentifiers,
  type ExtensionMap,
  type NamesAndUsages,
} from './extensions.js';
import { MAX_CERTIFICATE_BUNDLE_SIZE, MAX_CERTIFICATE_CHAIN_LENGTH, MAX_CERTIFICATE_SIZE } from './limits.js';
import { derObjects, encodePem, firstDerObject, type PemOrDer } from './pem.js';
import { readCertificateStructure } from './structures.js';

export interface CertificateInfo extends NamesAndUsages {
  der: Buffer;
  pem: string;
  /** Serial as lowercase hex without leading zeros, as Go's big.Int and OpenSSL print it. */
  serialNumber: string;
  /** The serial INTEGER's content octets exactly as encoded. */
  serialNumberBytes: Buffer;
  notBefore: Date;
  notAfter: Date;
  rawIssuer: Buffer;
  issuerRdns: RdnSequence;
  issuer: string;
  /** Subject and issuer are the same DN (a root or a self-issued certificate). */
  selfIssued: boolean;
  subjectKeyId?: Buffer;
  authorityKeyId?: Buffer;
  /** SHA-256 of the DER, lowercase hex. */
  fingerprintSha256: string;
  signatureAlgorithmOid: string;
  crlDistributionPoints: string[];
  ocspServers: string[];
  issuingCertificateUrls: string[];
  extensions: ExtensionMap;
}

const CERTIFICATE_LABELS = ['CERTIFICATE'];

export function certificateFromDer(der: Buffer): CertificateInfo {
  const structure = readCertificateStructure(der);
  const extensions = extensionMap(structure.extensions);
  const issuerRdns = decodeRdnSequence(structure.issuer);
  const { subjectKeyId, authorityKeyId } = readKeyIdentifiers(extensions);
  const { ocspServers, issuingCertificateUrls } = readAuthorityInfoAccess(extensions);
  // Object.assign, not spread: V8 builds a spread-then-properties literal in a slow path (tens of µs).
  const info: CertificateInfo = Object.assign(namesAndUsages(structure.subject, extensions, structure.spki, 'CERTIFICATE_MALFORMED'), {
    der,
    pem: encodePem(der, 'CERTIFICATE'),
    serialNumber: structure.serial.toString('hex').replace(/^0+(?=.)/, ''),
    serialNumberBytes: structure.serial,
    notBefore: structure.notBefore,
    notAfter: structure.notAfter,
    rawIssuer: structure.issuer,
    issuerRdns,
    issuer: formatRdnSequence(issuerRdns),
    selfIssued: structure.issuer.equals(structure.subject),
    fingerprintSha256: createHash('sha256').update(der).digest('hex'),
    signatureAlgorithmOid: structure.signatureAlgorithm.oid,
    crlDistributionPoints: readCrlDistributionPoints(extensions),
    ocspServers,
    issuingCertificateUrls,
    extensions,
  });
  if (subjectKeyId) info.subjectKeyId = subjectKeyId;
  if (authorityKeyId) info.authorityKeyId = authorityKeyId;
  return info;
}

/** One certificate: the first CERTIFICATE block of PEM, or DER. Limited to MAX_CERTIFICATE_SIZE. */
export function parseCertificate(input: PemOrDer): CertificateInfo {
  return certificateFromDer(firstDerObject(input, CERTIFICATE_LABELS, { maxBytes: MAX_CERTIFICATE_SIZE, what: 'certificate' }));
}

/**
 * Parsed CA certificates by DER (as a binary string): every chain an issuer hands out ends in the
 * same few CAs, so a chain's parse is mostly its leaf's. Frozen, being shared; the least recently
 * used goes first.
 */
const parsedCaCertificates = new Map<string, CertificateInfo>();
const MAX_PARSED_CA_CERTIFICATES = 64;

function chainMember(der: Buffer): CertificateInfo {
  const id = der.toString('latin1');
  const known = parsedCaCertificates.get(id);
  if (known) {
    parsedCaCertificates.delete(id);
    parsedCaCertificates.set(id, known);
    return known;
  }
  const info = certificateFromDer(der);
  if (!info.isCA) return info;
  parsedCaCertificates.set(id, Object.freeze(info));
  if (parsedCaCertificates.size > MAX_PARSED_CA_CERTIFICATES) parsedCaCertificates.delete(parsedCaCertificates.keys().next().value!);
  return info;
}

function parseAll(input: PemOrDer, maxBytes: number, what: string): CertificateInfo[] {
  return derObjects(input, CERTIFICATE_LABELS, { maxBytes, what }).map((der) => {
    if (der.byteLength > MAX_CERTIFICATE_SIZE) {
      throw new PkiError('PEM_TOO_LARGE', `a certificate in the ${what} is ${der.byteLength} bytes, more than the limit of ${MAX_CERTIFICATE_SIZE} bytes`);
    }
    return chainMember(der);
  });
}

/** Every certificate of a leaf-first chain such as `tls.crt` (limit MAX_CERTIFICATE_CHAIN_LENGTH). */
export function parseCertificateChain(input: PemOrDer): CertificateInfo[] {
  return parseAll(input, MAX_CERTIFICATE_CHAIN_LENGTH, 'certificate chain');
}

/** Every certificate of a CA bundle such as `ca.crt` (limit MAX_CERTIFICATE_BUNDLE_SIZE). */
export function parseCertificateBundle(input: PemOrDer): CertificateInfo[] {
  return parseAll(input, MAX_CERTIFICATE_BUNDLE_SIZE, 'certificate bundle');
}

/**
 * The ACME Renewal Information CertID (RFC 9773): base64url of the AKI keyIdentifier, a dot, and
 * base64url of the serial's DER content octets.
 */
export function ariCertId(certificate: Pick<CertificateInfo, 'authorityKeyId' | 'serialNumberBytes'>): string {
  if (!certificate.authorityKeyId) {
    throw new PkiError('CERTIFICATE_MALFORMED', 'certificate has no authority key identifier, so it has no ARI CertID');
  }
  return `${certificate.authorityKeyId.toString('base64url')}.${certificate.serialNumberBytes.toString('base64url')}`;
}

export function encodeCertificatesPem(certificates: readonly Pick<CertificateInfo, 'der'>[]): string {
  return certificates.map((c) => encodePem(c.der, 'CERTIFICATE')).join('');
}

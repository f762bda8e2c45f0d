import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { PkiError, parsingAs } from './errors.js';
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
import { certificateRawFields } from './raw-fields.js';

export interface CertificateInfo extends NamesAndUsages {
  der: Buffer;
  pem: string;
  /** Serial as lowercase hex without leading zero octets. */
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

function certificateFromDer(der: Buffer): CertificateInfo {
  const certificate = parsingAs('CERTIFICATE_MALFORMED', 'certificate', () => AsnConvert.parse(der, Certificate));
  const tbs = certificate.tbsCertificate;
  const raw = certificateRawFields(der);
  const extensions = extensionMap(tbs.extensions);
  const spki = Buffer.from(AsnConvert.serialize(tbs.subjectPublicKeyInfo));
  const issuerRdns = decodeRdnSequence(raw.issuer);
  const serialHex = raw.serial.toString('hex').replace(/^(00)+(?=.)/, '');
  return {
    ...namesAndUsages(raw.subject, extensions, spki, 'CERTIFICATE_MALFORMED'),
    der,
    pem: encodePem(der, 'CERTIFICATE'),
    serialNumber: serialHex,
    serialNumberBytes: raw.serial,
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    rawIssuer: raw.issuer,
    issuerRdns,
    issuer: formatRdnSequence(issuerRdns),
    selfIssued: raw.issuer.equals(raw.subject),
    ...readKeyIdentifiers(extensions),
    fingerprintSha256: createHash('sha256').update(der).digest('hex'),
    signatureAlgorithmOid: certificate.signatureAlgorithm.algorithm,
    crlDistributionPoints: readCrlDistributionPoints(extensions),
    ...readAuthorityInfoAccess(extensions),
    extensions,
  };
}

/** One certificate: the first CERTIFICATE block of PEM, or DER. Limited to MAX_CERTIFICATE_SIZE. */
export function parseCertificate(input: PemOrDer): CertificateInfo {
  return certificateFromDer(firstDerObject(input, CERTIFICATE_LABELS, { maxBytes: MAX_CERTIFICATE_SIZE, what: 'certificate' }));
}

function parseAll(input: PemOrDer, maxBytes: number, what: string): CertificateInfo[] {
  return derObjects(input, CERTIFICATE_LABELS, { maxBytes, what }).map((der) => {
    if (der.byteLength > MAX_CERTIFICATE_SIZE) {
      throw new PkiError('PEM_TOO_LARGE', `a certificate in the ${what} is ${der.byteLength} bytes, more than the limit of ${MAX_CERTIFICATE_SIZE} bytes`);
    }
    return certificateFromDer(der);
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

/**
 * What CertificateRequest validation needs to know about a PEM CSR. pki/ parses it; the
 * self-signature is checked here with node:crypto's synchronous verify, because admission is
 * synchronous and pki/'s check runs on (asynchronous) WebCrypto.
 */
import { CertificationRequest } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import { constants, verify } from 'node:crypto';
import { EXTENSION_OID, parseCsr, type CsrInfo, type Usages } from '../../pki/index.js';
import { x509 } from '../../pki/x509.js';

export interface CsrFacts {
  /** KeyUsage bits and ExtendedKeyUsage OIDs requested, or undefined when the CSR has neither extension. */
  usages: Usages | undefined;
  /** BasicConstraints CA flag, or undefined without that extension. */
  isCA: boolean | undefined;
}

/** A WebCrypto algorithm description as @peculiar/x509 reports it. */
interface SignatureAlgorithm {
  name: string;
  hash?: { name: string };
  saltLength?: number;
}

const nodeHash = (algorithm: SignatureAlgorithm): string | null =>
  algorithm.hash ? algorithm.hash.name.replace('-', '').toLowerCase() : null;

function signatureVerifies(csr: CsrInfo): boolean {
  const algorithm = new x509.Pkcs10CertificateRequest(csr.der).signatureAlgorithm as unknown as SignatureAlgorithm;
  const asn = AsnConvert.parse(csr.der, CertificationRequest);
  const key = { key: csr.publicKeyDer, format: 'der' as const, type: 'spki' as const };
  // The signed bytes exactly as received: re-encoding could differ from a non-canonical CSR.
  const data = Buffer.from(asn.certificationRequestInfoRaw ?? AsnConvert.serialize(asn.certificationRequestInfo));
  const signature = Buffer.from(asn.signature);
  switch (algorithm.name) {
    case 'RSASSA-PKCS1-v1_5':
    case 'ECDSA':
      return verify(nodeHash(algorithm), data, key, signature);
    case 'RSA-PSS':
      return verify(nodeHash(algorithm), data, { ...key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.saltLength ?? 32 }, signature);
    case 'Ed25519':
    case 'Ed448':
      return verify(null, data, key, signature);
    default:
      throw new Error(`unsupported CSR signature algorithm ${algorithm.name}`);
  }
}

/**
 * Decodes a PEM CSR, verifies its self-signature and reads its usage and CA requests.
 * Throws an Error whose message says what is wrong (never containing the CSR itself).
 */
export function inspectCsr(pem: string): CsrFacts {
  const csr = parseCsr(pem);
  let verified: boolean;
  try {
    verified = signatureVerifies(csr);
  } catch (e) {
    throw new Error(`error checking certificate request signature: ${(e as Error).message}`);
  }
  if (!verified) throw new Error('certificate request signature does not verify with its public key');
  const hasUsages = csr.extensions.has(EXTENSION_OID.keyUsage) || csr.extensions.has(EXTENSION_OID.extKeyUsage);
  return {
    usages: hasUsages ? { keyUsage: csr.keyUsage, extKeyUsages: csr.extKeyUsages } : undefined,
    isCA: csr.hasBasicConstraints ? csr.isCA : undefined,
  };
}

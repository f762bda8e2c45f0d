/**
 * What CertificateRequest validation needs to know about a PEM CSR. Kept to this one function so
 * it can move onto pki/ once that exists; admission is synchronous, so the self-signature is
 * checked with node:crypto's synchronous verify rather than WebCrypto.
 */
import 'reflect-metadata';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as x509 from '@peculiar/x509';
import { constants, verify } from 'node:crypto';
import { X509_EXT_KEY_USAGE_OIDS, X509_KEY_USAGE_BITS, type X509ExtKeyUsage, type X509KeyUsage } from '../usages.js';

export interface CsrFacts {
  /** KeyUsage bits requested, or undefined when the CSR has no KeyUsage extension. */
  keyUsages: X509KeyUsage[] | undefined;
  /** Known ExtendedKeyUsage purposes requested, or undefined without that extension. */
  extKeyUsages: X509ExtKeyUsage[] | undefined;
  /** BasicConstraints CA flag, or undefined without that extension. */
  isCA: boolean | undefined;
}

const CSR_BLOCK = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (?:NEW )?CERTIFICATE REQUEST-----/;

/** A WebCrypto algorithm description as @peculiar/x509 reports it. */
interface SignatureAlgorithm {
  name: string;
  hash?: { name: string };
  saltLength?: number;
}

const hashName = (algorithm: SignatureAlgorithm): string | null =>
  algorithm.hash ? algorithm.hash.name.replace('-', '').toLowerCase() : null;

function signatureVerifies(der: Buffer, csr: x509.Pkcs10CertificateRequest): boolean {
  const algorithm = csr.signatureAlgorithm as unknown as SignatureAlgorithm;
  const asn = AsnConvert.parse(der, CertificationRequest);
  const key = { key: Buffer.from(csr.publicKey.rawData), format: 'der' as const, type: 'spki' as const };
  // The signed bytes exactly as received: re-encoding could differ from a non-canonical CSR.
  const data = Buffer.from(asn.certificationRequestInfoRaw ?? AsnConvert.serialize(asn.certificationRequestInfo));
  const signature = Buffer.from(asn.signature);
  switch (algorithm.name) {
    case 'RSASSA-PKCS1-v1_5':
    case 'ECDSA':
      return verify(hashName(algorithm), data, key, signature);
    case 'RSA-PSS':
      return verify(
        hashName(algorithm),
        data,
        { ...key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.saltLength ?? 32 },
        signature,
      );
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
  const block = CSR_BLOCK.exec(pem);
  if (!block) throw new Error('error decoding certificate request PEM block');
  const der = Buffer.from(block[1]!.replace(/\s+/g, ''), 'base64');
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(der);
  } catch (e) {
    throw new Error(`error parsing certificate request: ${(e as Error).message}`);
  }
  let verified: boolean;
  try {
    verified = signatureVerifies(der, csr);
  } catch (e) {
    throw new Error(`error checking certificate request signature: ${(e as Error).message}`);
  }
  if (!verified) throw new Error('certificate request signature does not verify against its public key');

  const find = <T extends x509.Extension>(type: abstract new (...args: never[]) => T): T | undefined =>
    csr.extensions.find((e): e is T => e instanceof type);
  const ku = find(x509.KeyUsagesExtension);
  const eku = find(x509.ExtendedKeyUsageExtension);
  const bc = find(x509.BasicConstraintsExtension);
  const oidToName = new Map<string, X509ExtKeyUsage>(
    Object.entries(X509_EXT_KEY_USAGE_OIDS).map(([name, oid]) => [oid, name as X509ExtKeyUsage]),
  );
  return {
    keyUsages: ku
      ? (Object.entries(X509_KEY_USAGE_BITS) as [X509KeyUsage, number][]).filter(([, bit]) => ku.usages & (1 << bit)).map(([name]) => name)
      : undefined,
    // Purposes cert-manager has no name for are dropped, as Go's ExtKeyUsageFromOID does.
    extKeyUsages: eku ? eku.usages.map((oid) => oidToName.get(String(oid))).filter((n): n is X509ExtKeyUsage => n !== undefined) : undefined,
    isCA: bc ? bc.ca : undefined,
  };
}

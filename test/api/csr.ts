/** CSRs and CA certificates for the api tests, built in process with @peculiar/x509. */
import type { webcrypto } from 'node:crypto';
import { x509 } from '../../pki/x509.js';

export interface CsrOptions {
  algorithm?: 'RSA' | 'ECDSA' | 'Ed25519';
  /** KeyUsage flags (x509.KeyUsageFlags); omitted means no KeyUsage extension. */
  keyUsages?: number;
  /** ExtendedKeyUsage OIDs; omitted means no ExtendedKeyUsage extension. */
  extKeyUsages?: string[];
  /** BasicConstraints CA flag; omitted means no BasicConstraints extension. */
  ca?: boolean;
}

const algorithms = {
  RSA: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 },
  ECDSA: { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
  Ed25519: { name: 'Ed25519' },
};

export async function csrPem(options: CsrOptions = {}): Promise<string> {
  const algorithm = algorithms[options.algorithm ?? 'ECDSA'];
  const keys = (await globalThis.crypto.subtle.generateKey(algorithm, false, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const extensions: x509.Extension[] = [];
  if (options.keyUsages !== undefined) extensions.push(new x509.KeyUsagesExtension(options.keyUsages, true));
  if (options.extKeyUsages !== undefined) extensions.push(new x509.ExtendedKeyUsageExtension(options.extKeyUsages));
  if (options.ca !== undefined) extensions.push(new x509.BasicConstraintsExtension(options.ca, undefined, true));
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=example.com', keys, signingAlgorithm: algorithm, extensions });
  return csr.toString('pem');
}

/** The base64 of a PEM CSR, as `spec.request` carries it. */
export const asRequest = (pem: string): string => Buffer.from(pem).toString('base64');

/** A CSR whose signature no longer matches its content. */
export function tampered(pem: string): string {
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(body, 'base64');
  der[der.length - 1] ^= 0x01;
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
}

export const KU = x509.KeyUsageFlags;
export const EKU = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2' };

/** A self-signed CA certificate in PEM, for CA bundle fields. */
export async function caCertificatePem(): Promise<string> {
  const algorithm = algorithms.ECDSA;
  const keys = (await globalThis.crypto.subtle.generateKey(algorithm, false, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Test CA',
    keys,
    signingAlgorithm: algorithm,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return cert.toString('pem');
}

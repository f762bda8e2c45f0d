import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  encodePrivateKeyPem,
  generateCsr,
  generatePrivateKey,
  parseCertificate,
  parsePrivateKey,
  publicKeysEqual,
  selfSignCertificate,
  signCertificate,
  isIssuedBy,
} from '../pki/index.js';

/** The API server's TLS material, PEM encoded. */
export interface ServingMaterial {
  caCertificate: string;
  certificate: string;
  privateKey: string;
}

const caLifetimeMs = 10 * 365 * 24 * 3600 * 1000;
const servingLifetimeMs = 365 * 24 * 3600 * 1000;
/** A serving certificate this close to expiry is replaced at start. */
const renewWithinMs = 30 * 24 * 3600 * 1000;

export const servingNames = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] };

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const writePrivate = (path: string, text: string): Promise<void> => writeFile(path, text, { mode: 0o600 });

async function loadOrCreateCa(dataDir: string): Promise<{ certificate: string; privateKey: string }> {
  const certPath = join(dataDir, 'ca.crt');
  const keyPath = join(dataDir, 'ca.key');
  const [certificate, privateKey] = await Promise.all([readIfPresent(certPath), readIfPresent(keyPath)]);
  if (certificate && privateKey) return { certificate, privateKey };
  const key = await generatePrivateKey({ algorithm: 'ECDSA', size: 256 });
  const csr = await generateCsr({ commonName: 'certwright-apiserver-ca', isCA: true, usages: ['cert sign', 'crl sign', 'digital signature'] }, key);
  const signed = await selfSignCertificate(csr, { isCA: true, durationMs: caLifetimeMs, usages: ['cert sign', 'crl sign', 'digital signature'] }, key);
  const ca = { certificate: signed.certificate.pem, privateKey: encodePrivateKeyPem(key, 'PKCS8') };
  await writePrivate(keyPath, ca.privateKey);
  await writeFile(certPath, ca.certificate);
  return ca;
}

function servingCertificateUsable(certificatePem: string, keyPem: string, caPem: string): boolean {
  try {
    const certificate = parseCertificate(certificatePem);
    const key = parsePrivateKey(keyPem);
    return (
      certificate.notAfter.getTime() - Date.now() > renewWithinMs &&
      isIssuedBy(certificate, parseCertificate(caPem)) &&
      publicKeysEqual(key, certificate) &&
      servingNames.dnsNames.every((n) => certificate.dnsNames.includes(n)) &&
      servingNames.ipAddresses.every((ip) => certificate.ipAddresses.includes(ip))
    );
  } catch {
    return false;
  }
}

/**
 * A local CA and a serving certificate for localhost/127.0.0.1/::1 signed by it, kept in the data
 * dir and reused on restart; the serving certificate is reissued when missing, near expiry or not
 * from that CA.
 */
export async function loadOrCreateServingMaterial(dataDir: string): Promise<ServingMaterial> {
  const ca = await loadOrCreateCa(dataDir);
  const certPath = join(dataDir, 'apiserver.crt');
  const keyPath = join(dataDir, 'apiserver.key');
  const [certificate, privateKey] = await Promise.all([readIfPresent(certPath), readIfPresent(keyPath)]);
  if (certificate && privateKey && servingCertificateUsable(certificate, privateKey, ca.certificate)) return { caCertificate: ca.certificate, certificate, privateKey };
  const key = await generatePrivateKey({ algorithm: 'ECDSA', size: 256 });
  const usages = ['digital signature', 'key encipherment', 'server auth'];
  const csr = await generateCsr({ commonName: 'certwright-apiserver', ...servingNames, usages }, key);
  const signed = await signCertificate(csr, { durationMs: servingLifetimeMs, usages }, { certificate: ca.certificate, privateKey: parsePrivateKey(ca.privateKey) });
  const material = { caCertificate: ca.certificate, certificate: signed.certificate.pem, privateKey: encodePrivateKeyPem(key, 'PKCS8') };
  await writePrivate(keyPath, material.privateKey);
  await writeFile(certPath, material.certificate);
  return material;
}

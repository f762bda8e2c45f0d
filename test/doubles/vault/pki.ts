/**
 * The certificates a Vault double test needs, made with pki/: Vault's PKI mount (a root and the
 * intermediate that signs), the TLS identity Vault serves on 127.0.0.1 (from its own CA), and a
 * client CA with one client keypair for mTLS and certificate auth.
 */
import { encodePrivateKeyPem, generateCsr, generatePrivateKey, selfSignCertificate, signCertificate, type CertificateRequestSpec, type SignedCertificate } from '../../../pki/index.js';
import type { KeyObject } from 'node:crypto';

const DAY_MS = 86_400_000;

export interface TestKeyPair {
  key: KeyObject;
  keyPem: string;
  certificatePem: string;
}

async function keyPair(spec: CertificateRequestSpec, sign: (csr: string, key: KeyObject) => Promise<SignedCertificate>): Promise<TestKeyPair> {
  const key = await generatePrivateKey({ algorithm: 'ECDSA', size: 256 });
  const signed = await sign(await generateCsr(spec, key), key);
  return { key, keyPem: encodePrivateKeyPem(key, 'PKCS8'), certificatePem: signed.certificate.pem };
}

const caUsages = ['cert sign', 'crl sign', 'digital signature'];
const validity = (days: number) => ({ now: new Date(Date.now() - DAY_MS), durationMs: days * DAY_MS });

export function rootCa(commonName: string): Promise<TestKeyPair> {
  return keyPair({ commonName, isCA: true, usages: caUsages }, (csr, key) => selfSignCertificate(csr, { isCA: true, usages: caUsages, ...validity(3650) }, key));
}

export function issuedBy(parent: TestKeyPair, spec: CertificateRequestSpec, isCA = false): Promise<TestKeyPair> {
  const usages = isCA ? caUsages : (spec.usages ?? ['digital signature', 'key encipherment', 'server auth', 'client auth']);
  return keyPair({ ...spec, isCA, usages }, (csr) => signCertificate(csr, { isCA, usages, ...validity(isCA ? 1825 : 365) }, { certificate: parent.certificatePem, privateKey: parent.key }));
}

export interface VaultPki {
  root: TestKeyPair;
  intermediate: TestKeyPair;
  /** Signs Vault's serving certificate; what an issuer's caBundle must hold. */
  servingCa: TestKeyPair;
  serving: TestKeyPair;
  clientCa: TestKeyPair;
  client: TestKeyPair;
}

export async function vaultPki(): Promise<VaultPki> {
  const [root, servingCa, clientCa] = await Promise.all([rootCa('Vault PKI Root'), rootCa('Vault Serving CA'), rootCa('Vault Client CA')]);
  const [intermediate, serving, client] = await Promise.all([
    issuedBy(root, { commonName: 'Vault PKI Intermediate' }, true),
    issuedBy(servingCa, { commonName: 'vault.test', dnsNames: ['vault.test', 'localhost'], ipAddresses: ['127.0.0.1'], usages: ['digital signature', 'key encipherment', 'server auth'] }),
    issuedBy(clientCa, { commonName: 'certwright', usages: ['digital signature', 'key encipherment', 'client auth'] }),
  ]);
  return { root, intermediate, servingCa, serving, clientCa, client };
}

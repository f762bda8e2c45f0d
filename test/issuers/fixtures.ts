/** Test helpers: keys, CSRs, CA keypairs and cert-manager objects built with pki/, and an in-memory IssuerContext. */
import type { KeyObject } from 'node:crypto';
import type { CertificateRequest, ClusterIssuer, Issuer, IssuerSpec } from '../../api/types.js';
import type { IssuerContext, KubeSecret } from '../../issuers/backend.js';
import { issuerResourceNamespace } from '../../issuers/context.js';
import {
  encodePrivateKeyPem,
  generateCsr,
  generatePrivateKey,
  selfSignCertificate,
  signCertificate,
  type CertificateRequestSpec,
  type KeySpec,
} from '../../pki/index.js';

export const NOW = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;
/** Test CAs are valid from before NOW (the memory context's clock) until well after the real time. */
const caValidity = (hours: number) => ({ now: new Date(NOW - HOUR), durationMs: Date.now() - NOW + hours * HOUR });

export const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
export const unb64 = (text: string | undefined) => Buffer.from(text ?? '', 'base64').toString('utf8');

export async function keyAndCsr(spec: CertificateRequestSpec = { commonName: 'app.example.test', dnsNames: ['app.example.test'] }, keySpec: KeySpec = { algorithm: 'ECDSA' }) {
  const key = await generatePrivateKey(keySpec);
  return { key, keyPem: encodePrivateKeyPem(key, 'PKCS8'), csrPem: await generateCsr(spec, key) };
}

export interface KeyPair {
  key: KeyObject;
  keyPem: string;
  certificatePem: string;
}

/** A self-signed root CA (or, with `isCA: false`, a plain self-signed leaf). */
export async function selfSignedCa(commonName = 'Test Root CA', isCA = true): Promise<KeyPair> {
  const usages = isCA ? ['cert sign', 'crl sign'] : ['digital signature'];
  const { key, keyPem, csrPem } = await keyAndCsr({ commonName, isCA, usages }, { algorithm: 'ECDSA' });
  const signed = await selfSignCertificate(csrPem, { isCA, usages, ...caValidity(1000) }, key);
  return { key, keyPem, certificatePem: signed.certificatePem };
}

/** An intermediate CA signed by `parent`. */
export async function intermediateCa(parent: KeyPair, commonName = 'Test Intermediate CA'): Promise<KeyPair> {
  const usages = ['cert sign', 'crl sign'];
  const { key, keyPem, csrPem } = await keyAndCsr({ commonName, isCA: true, usages }, { algorithm: 'ECDSA' });
  const signed = await signCertificate(
    csrPem,
    { isCA: true, usages, ...caValidity(500) },
    { certificate: parent.certificatePem, privateKey: parent.key },
  );
  return { key, keyPem, certificatePem: signed.certificatePem };
}

export function secret(namespace: string, name: string, data: Record<string, string>, extra: Partial<KubeSecret> = {}): KubeSecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name },
    type: 'kubernetes.io/tls',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
    ...extra,
  };
}

export function caSecret(namespace: string, name: string, pair: KeyPair, caPem?: string): KubeSecret {
  return secret(namespace, name, { 'tls.crt': pair.certificatePem, 'tls.key': pair.keyPem, ...(caPem ? { 'ca.crt': caPem } : {}) });
}

export function issuer(spec: IssuerSpec, namespace = 'default', name = 'test-issuer'): Issuer {
  return { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace, name, generation: 1 }, spec };
}

export function clusterIssuer(spec: IssuerSpec, name = 'test-cluster-issuer'): ClusterIssuer {
  return { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name, generation: 1 }, spec };
}

export interface RequestOptions {
  namespace?: string;
  name?: string;
  annotations?: Record<string, string>;
  issuerRef?: CertificateRequest['spec']['issuerRef'];
  isCA?: boolean;
  usages?: CertificateRequest['spec']['usages'];
  duration?: string;
}

export function certificateRequest(csrPem: string, options: RequestOptions = {}): CertificateRequest {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: {
      namespace: options.namespace ?? 'default',
      name: options.name ?? 'test-request',
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
    spec: {
      request: b64(csrPem),
      issuerRef: options.issuerRef ?? { name: 'test-issuer' },
      ...(options.isCA !== undefined ? { isCA: options.isCA } : {}),
      ...(options.usages ? { usages: options.usages } : {}),
      ...(options.duration ? { duration: options.duration } : {}),
    },
  };
}

/** Secrets by `namespace/name`; records every read so tests can see what was fetched. */
export function memoryContext(secrets: KubeSecret[] = [], clusterResourceNamespace = 'kube-system'): IssuerContext & { reads: string[] } {
  const byKey = new Map(secrets.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]));
  const reads: string[] = [];
  return {
    reads,
    getSecret: async (namespace, name) => {
      reads.push(`${namespace}/${name}`);
      return byKey.get(`${namespace}/${name}`);
    },
    resourceNamespace: (iss) => issuerResourceNamespace(iss, clusterResourceNamespace),
    now: () => NOW,
  };
}

/**
 * Real keys, CSRs and certificates for the certificate-decision tests, made with pki/. Each test
 * file imports this module once, so keys are generated once per file.
 */
import type { KeyObject } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import type { Certificate, CertificateRequest, CertificateSpec } from '../../../api/types.js';
import { encodePrivateKeyPem, generateCsr, generatePrivateKey, selfSignCertificate, type CertificateInfo } from '../../../pki/index.js';
import { buildCertificateRequest, csrSpecFor } from '../../../controller/certificates/requests.js';

export const DAY_MS = 24 * 60 * 60 * 1000;
export const HOUR_MS = 60 * 60 * 1000;
/** A fixed "now" for tests: 2030-01-01T00:00:00Z. */
export const NOW = Date.parse('2030-01-01T00:00:00Z');

export const ecKey = await generatePrivateKey({ algorithm: 'ECDSA' });
export const otherEcKey = await generatePrivateKey({ algorithm: 'ECDSA' });
export const ec384Key = await generatePrivateKey({ algorithm: 'ECDSA', size: 384 });

export function certificate(spec: Partial<CertificateSpec> = {}, meta: Partial<Certificate['metadata']> = {}, status?: Certificate['status']): Certificate {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'web', namespace: 'apps', uid: 'uid-web', generation: 1, ...meta },
    spec: {
      secretName: 'web-tls',
      commonName: 'web.example.com',
      dnsNames: ['web.example.com', 'www.example.com'],
      issuerRef: { name: 'ca', kind: 'Issuer', group: 'cert-manager.io' },
      privateKey: { algorithm: 'ECDSA' },
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

export interface Issued {
  csrPem: string;
  certificatePem: string;
  leaf: CertificateInfo;
}

/** A CSR for `crt`'s spec signed by `key`, and a self-signed certificate from it valid from `notBefore`. */
export async function issue(crt: Certificate, key: KeyObject = ecKey, { notBefore = NOW - DAY_MS, durationMs = 90 * DAY_MS } = {}): Promise<Issued> {
  const csrPem = await generateCsr(csrSpecFor(crt), key);
  const signed = await selfSignCertificate(csrPem, { durationMs, now: new Date(notBefore), isCA: crt.spec.isCA ?? false, usages: crt.spec.usages ?? [] }, key);
  return { csrPem, certificatePem: signed.certificate.pem, leaf: signed.certificate };
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A Secret as an informer would hand it over (data base64). */
export function secret({
  key,
  certificatePem,
  annotations = {},
  labels = {},
  data,
  name = 'web-tls',
}: {
  key?: KeyObject | string;
  certificatePem?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  data?: Record<string, string>;
  name?: string;
}): V1Secret {
  const keyPem = key === undefined ? undefined : typeof key === 'string' ? key : encodePrivateKeyPem(key, 'PKCS8');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'apps', annotations, labels },
    type: 'kubernetes.io/tls',
    data: data ?? {
      ...(keyPem !== undefined ? { 'tls.key': b64(keyPem) } : {}),
      ...(certificatePem !== undefined ? { 'tls.crt': b64(certificatePem) } : {}),
    },
  };
}

/** The issuer annotations a Secret issued by `crt`'s issuerRef carries. */
export function issuerAnnotations(crt: Certificate): Record<string, string> {
  return {
    'cert-manager.io/issuer-name': crt.spec.issuerRef.name,
    'cert-manager.io/issuer-kind': crt.spec.issuerRef.kind ?? 'Issuer',
    'cert-manager.io/issuer-group': crt.spec.issuerRef.group ?? 'cert-manager.io',
    'cert-manager.io/certificate-name': crt.metadata.name!,
  };
}

/** The CertificateRequest for `revision` of `crt` carrying `csrPem`. */
export function request(crt: Certificate, csrPem: string, revision = 1, status?: CertificateRequest['status']): CertificateRequest {
  const built = buildCertificateRequest({ certificate: crt, csrPem, revision, nextKeySecretName: 'web-abcde' });
  return status ? { ...built, status } : built;
}

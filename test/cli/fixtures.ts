/** Built objects and a self-signed keypair for the CLI's unit tests. */
import type { Certificate, CertificateRequest, Challenge, Condition, Issuer, Order } from '../../api/types.js';
import { CERTIFICATE_NAME_ANNOTATION, ISSUER_GROUP_ANNOTATION, ISSUER_KIND_ANNOTATION, ISSUER_NAME_ANNOTATION, REVISION_ANNOTATION } from '../../api/well-known.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { encodePrivateKeyPem, generateCsr, generatePrivateKey, selfSignCertificate } from '../../pki/index.js';
import type { CertificateSnapshot } from '../../cli/diagnosis.js';
import { inspectKubeSecret } from '../../cli/certificate-summary.js';

export const NS = 'apps';
export const NOW = Date.parse('2030-06-01T12:00:00Z');
export const DAY_MS = 86_400_000;

const cond = (type: string, status: Condition['status'], reason: string, message = ''): Condition => ({ type, status, reason, message, lastTransitionTime: '2030-06-01T11:00:00Z' });
export { cond as condition };

export function certificate(conditions: Condition[] = [cond('Ready', 'False', 'DoesNotExist', 'Issuing certificate as Secret does not exist')], status: Certificate['status'] = {}): Certificate {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { namespace: NS, name: 'web', uid: 'cert-uid', generation: 1 },
    spec: { secretName: 'web-tls', dnsNames: ['web.example.com'], issuerRef: { name: 'ca' }, privateKey: { algorithm: 'ECDSA' } },
    status: { ...status, conditions },
  };
}

export function request(revision: number, conditions: Condition[] = []): CertificateRequest {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: { namespace: NS, name: `web-${revision}`, uid: `cr-${revision}`, annotations: { [REVISION_ANNOTATION]: String(revision) } },
    spec: { issuerRef: { name: 'ca' }, request: '' },
    status: { conditions },
  };
}

export function issuer(conditions: Condition[] = [cond('Ready', 'True', 'KeyPairVerified', 'Signing CA verified')]): Issuer {
  return { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace: NS, name: 'ca', uid: 'issuer-uid' }, spec: { ca: { secretName: 'ca-key-pair' } }, status: { conditions } };
}

export function order(state: string, reason?: string): Order {
  return {
    apiVersion: 'acme.cert-manager.io/v1',
    kind: 'Order',
    metadata: { namespace: NS, name: 'web-1-123', uid: 'order-uid' },
    spec: { request: '', issuerRef: { name: 'le' }, dnsNames: ['web.example.com'] },
    status: { state: state as never, ...(reason ? { reason } : {}) },
  };
}

export function challenge(type: 'HTTP-01' | 'DNS-01', state: string | undefined, reason?: string): Challenge {
  const solver = type === 'HTTP-01' ? { http01: { ingress: { ingressClassName: 'nginx' } } } : { dns01: { cloudflare: { apiTokenSecretRef: { name: 'cf', key: 'token' } } } };
  return {
    apiVersion: 'acme.cert-manager.io/v1',
    kind: 'Challenge',
    metadata: { namespace: NS, name: 'web-1-123-456', uid: 'challenge-uid' },
    spec: { url: 'https://acme/chall/1', authorizationURL: 'https://acme/authz/1', dnsName: 'web.example.com', type, token: 'tok3n', key: 'k', solver, issuerRef: { name: 'le' } },
    status: { ...(state ? { state: state as never } : {}), ...(reason ? { reason } : {}), presented: true, processing: state === 'pending' },
  };
}

export function snapshot(parts: Partial<CertificateSnapshot> = {}): CertificateSnapshot {
  return {
    now: NOW,
    certificate: certificate(),
    secret: { exists: false },
    challenges: [],
    issuer: { name: 'ca', kind: 'Issuer', group: 'cert-manager.io', external: false, object: issuer(), caSecret: { namespace: NS, name: 'ca-key-pair', exists: true } },
    events: [],
    ...parts,
  };
}

/** A TLS Secret holding a self-signed certificate for web.example.com, valid `validForMs` from `notBefore`, written for Certificate `web` by Issuer `ca`. */
export async function tlsSecret(notBefore: number, validForMs: number): Promise<KubeSecret> {
  const key = await generatePrivateKey({ algorithm: 'ECDSA', size: 256 });
  const csr = await generateCsr({ dnsNames: ['web.example.com'] }, key);
  const signed = await selfSignCertificate(csr, { now: new Date(notBefore), durationMs: validForMs }, key);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      namespace: NS,
      name: 'web-tls',
      annotations: { [ISSUER_NAME_ANNOTATION]: 'ca', [ISSUER_KIND_ANNOTATION]: 'Issuer', [ISSUER_GROUP_ANNOTATION]: 'cert-manager.io', [CERTIFICATE_NAME_ANNOTATION]: 'web' },
    },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(signed.certificatePem).toString('base64'), 'tls.key': Buffer.from(encodePrivateKeyPem(key, 'PKCS8')).toString('base64') },
  };
}

export const secretState = inspectKubeSecret;

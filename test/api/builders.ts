/** Minimal valid objects of each kind for the api tests, and error formatting for assertions. */
import { formatFieldError, type FieldError } from '../../api/field-errors.js';
import type {
  Certificate,
  CertificateRequest,
  CertificateRequestSpec,
  CertificateSpec,
  Challenge,
  ChallengeSpec,
  IssuerSpec,
  Order,
  OrderSpec,
} from '../../api/types.js';

export const messages = (errors: readonly FieldError[]): string[] => errors.map(formatFieldError);

export function certificate(spec: Partial<CertificateSpec> = {}): Certificate {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'example', namespace: 'default' },
    spec: { secretName: 'example-tls', issuerRef: { name: 'ca' }, dnsNames: ['example.com'], ...spec },
  };
}

export function issuer(spec: IssuerSpec, kind: 'Issuer' | 'ClusterIssuer' = 'Issuer') {
  return { apiVersion: 'cert-manager.io/v1', kind, metadata: { name: 'example', namespace: 'default' }, spec };
}

export const acmeIssuerSpec = (acme: Partial<NonNullable<IssuerSpec['acme']>> = {}): IssuerSpec => ({
  acme: {
    server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
    privateKeySecretRef: { name: 'account-key' },
    ...acme,
  },
});

export function certificateRequest(spec: Partial<CertificateRequestSpec>, extra: Partial<CertificateRequest> = {}): CertificateRequest {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: { name: 'example-1', namespace: 'default' },
    spec: { request: '', issuerRef: { name: 'ca' }, ...spec },
    ...extra,
  };
}

export function order(spec: Partial<OrderSpec> = {}, status: Order['status'] = undefined): Order {
  return {
    apiVersion: 'acme.cert-manager.io/v1',
    kind: 'Order',
    metadata: { name: 'example-1-123', namespace: 'default' },
    spec: { request: Buffer.from('csr').toString('base64'), issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' }, dnsNames: ['example.com'], ...spec },
    ...(status && { status }),
  };
}

export function challenge(spec: Partial<ChallengeSpec> = {}, status: Challenge['status'] = undefined): Challenge {
  return {
    apiVersion: 'acme.cert-manager.io/v1',
    kind: 'Challenge',
    metadata: { name: 'example-1-123-456', namespace: 'default' },
    spec: {
      url: 'https://acme.example/chall/1',
      authorizationURL: 'https://acme.example/authz/1',
      dnsName: 'example.com',
      type: 'HTTP-01',
      token: 'tok',
      key: 'tok.thumb',
      solver: { http01: { ingress: { class: 'nginx' } } },
      issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' },
      ...spec,
    },
    ...(status && { status }),
  };
}

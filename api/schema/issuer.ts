/** cert-manager.io/v1 Issuer and ClusterIssuer (`pkg/apis/certmanager/v1/types_issuer.go`). */
import { Type } from '@sinclair/typebox';
import { ISSUER_TYPES } from '../well-known.js';
import { Bytes, ConditionList, KubeObject, LocalObjectReference, SecretKeySelector, StringList } from './common.js';
import { ACMEIssuer, ServiceAccountRef } from './acme.js';

export const CAIssuer = Type.Object({
  secretName: Type.String({ description: 'Secret holding the signing CA: tls.crt, tls.key and optionally ca.crt.' }),
  crlDistributionPoints: Type.Optional(StringList()),
  ocspServers: Type.Optional(StringList()),
  issuingCertificateURLs: Type.Optional(StringList()),
});

export const SelfSignedIssuer = Type.Object({
  crlDistributionPoints: Type.Optional(StringList()),
});

export const VaultAppRole = Type.Object({
  path: Type.Optional(Type.String({ description: 'Mount path of the AppRole auth backend; defaults to `approle`.' })),
  roleId: Type.String(),
  secretRef: SecretKeySelector,
});

export const VaultClientCertificateAuth = Type.Object({
  mountPath: Type.Optional(Type.String({ description: 'Defaults to /v1/auth/cert.' })),
  secretName: Type.Optional(Type.String({ description: 'kubernetes.io/tls Secret with the client certificate.' })),
  name: Type.Optional(Type.String({ description: 'Named certificate role in Vault.' })),
});

export const VaultKubernetesAuth = Type.Object({
  mountPath: Type.Optional(Type.String({ description: 'Defaults to /v1/auth/kubernetes.' })),
  role: Type.String(),
  secretRef: Type.Optional(SecretKeySelector),
  serviceAccountRef: Type.Optional(ServiceAccountRef),
});

export const VaultAWSAuth = Type.Object({
  mountPath: Type.Optional(Type.String({ description: 'Defaults to /v1/auth/aws.' })),
  role: Type.String(),
  region: Type.Optional(Type.String()),
  serviceAccountRef: Type.Optional(ServiceAccountRef),
  iamRoleArn: Type.Optional(Type.String({ description: 'Required with serviceAccountRef (IRSA).' })),
  vaultHeaderValue: Type.Optional(Type.String()),
});

export const VAULT_AUTH_METHODS = ['tokenSecretRef', 'appRole', 'clientCertificate', 'kubernetes', 'aws'] as const;

export const VaultAuth = Type.Object(
  {
    tokenSecretRef: Type.Optional(SecretKeySelector),
    appRole: Type.Optional(VaultAppRole),
    clientCertificate: Type.Optional(VaultClientCertificateAuth),
    kubernetes: Type.Optional(VaultKubernetesAuth),
    aws: Type.Optional(VaultAWSAuth),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: `[${VAULT_AUTH_METHODS.map((k) => `has(self.${k})`).join(', ')}].filter(x, x).size() == 1`,
        message: `please supply one of: ${VAULT_AUTH_METHODS.join(', ')}`,
      },
    ],
  },
);

export const VaultIssuer = Type.Object(
  {
    server: Type.String(),
    serverName: Type.Optional(Type.String()),
    path: Type.String({ description: 'PKI sign endpoint, e.g. `pki/sign/role`.' }),
    namespace: Type.Optional(Type.String({ description: 'Vault Enterprise namespace.' })),
    caBundle: Type.Optional(Bytes()),
    caBundleSecretRef: Type.Optional(SecretKeySelector),
    clientCertSecretRef: Type.Optional(SecretKeySelector),
    clientKeySecretRef: Type.Optional(SecretKeySelector),
    auth: VaultAuth,
  },
  {
    'x-kubernetes-validations': [
      {
        rule: "!(has(self.caBundle) && self.caBundle != '' && has(self.caBundleSecretRef))",
        message: 'specified caBundle and caBundleSecretRef cannot be used together',
      },
      {
        rule: 'has(self.clientCertSecretRef) == has(self.clientKeySecretRef)',
        message: 'clientCertSecretRef and clientKeySecretRef must be provided together',
      },
    ],
  },
);

export const VenafiTPP = Type.Object({
  url: Type.String(),
  credentialsRef: LocalObjectReference,
  caBundle: Type.Optional(Bytes()),
  caBundleSecretRef: Type.Optional(SecretKeySelector),
});

export const VenafiCloud = Type.Object({
  url: Type.Optional(Type.String({ description: 'Defaults to https://api.venafi.cloud/.' })),
  apiTokenSecretRef: SecretKeySelector,
});

export const VenafiNGTS = Type.Object({
  url: Type.Optional(Type.String()),
  tokenEndpoint: Type.Optional(Type.String()),
  tsgID: Type.String(),
  credentialsRef: LocalObjectReference,
});

export const VenafiIssuer = Type.Object(
  {
    zone: Type.String(),
    tpp: Type.Optional(VenafiTPP),
    cloud: Type.Optional(VenafiCloud),
    ngts: Type.Optional(VenafiNGTS),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: '[has(self.tpp), has(self.cloud), has(self.ngts)].filter(x, x).size() == 1',
        message: 'please supply one of: tpp, cloud, ngts',
      },
    ],
  },
);

export { ISSUER_TYPES };

export const IssuerSpec = Type.Object(
  {
    acme: Type.Optional(ACMEIssuer),
    ca: Type.Optional(CAIssuer),
    selfSigned: Type.Optional(SelfSignedIssuer),
    vault: Type.Optional(VaultIssuer),
    venafi: Type.Optional(VenafiIssuer),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: `[${ISSUER_TYPES.map((k) => `has(self.${k})`).join(', ')}].filter(x, x).size() == 1`,
        message: 'exactly one issuer type must be configured',
      },
    ],
  },
);

export const IssuerStatus = Type.Object({
  conditions: Type.Optional(ConditionList()),
  acme: Type.Optional(
    Type.Object({
      uri: Type.Optional(Type.String({ description: 'ACME account URL.' })),
      lastRegisteredEmail: Type.Optional(Type.String()),
      lastPrivateKeyHash: Type.Optional(Type.String()),
    }),
  ),
});

export const Issuer = KubeObject('cert-manager.io/v1', 'Issuer', IssuerSpec, IssuerStatus, {
  description: 'An Issuer signs certificates for Certificates and CertificateRequests in its own namespace.',
});

export const ClusterIssuer = KubeObject('cert-manager.io/v1', 'ClusterIssuer', IssuerSpec, IssuerStatus, {
  description: 'A ClusterIssuer signs certificates for Certificates and CertificateRequests in every namespace.',
});

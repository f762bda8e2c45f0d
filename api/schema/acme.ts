/** The ACME issuer configuration and its challenge solvers (`pkg/apis/acme/v1/types_issuer.go`). */
import { Type } from '@sinclair/typebox';
import {
  AtomicList,
  Bytes,
  GoDuration,
  Int32,
  SecretKeySelector,
  StringEnum,
  StringList,
  StringMap,
} from './common.js';
import { Affinity, ImagePullSecrets, PodSecurityContext, ResourceRequirements, Toleration } from './core.js';

export const ServiceType = StringEnum(['ClusterIP', 'NodePort'], { description: 'Defaults to NodePort.' });

const ObjectMetaOverride = Type.Object({
  annotations: Type.Optional(StringMap()),
  labels: Type.Optional(StringMap()),
});

export const PodTemplate = Type.Object({
  metadata: Type.Optional(ObjectMetaOverride),
  spec: Type.Optional(
    Type.Object({
      nodeSelector: Type.Optional(StringMap()),
      affinity: Type.Optional(Affinity),
      tolerations: Type.Optional(AtomicList(Toleration)),
      priorityClassName: Type.Optional(Type.String()),
      serviceAccountName: Type.Optional(Type.String()),
      imagePullSecrets: Type.Optional(ImagePullSecrets()),
      securityContext: Type.Optional(PodSecurityContext),
      resources: Type.Optional(ResourceRequirements),
    }),
  ),
});

export const HTTP01Ingress = Type.Object({
  serviceType: Type.Optional(ServiceType),
  ingressClassName: Type.Optional(Type.String({ description: 'IngressClass name; a DNS-1123 subdomain.' })),
  class: Type.Optional(Type.String({ description: 'Sets the kubernetes.io/ingress.class annotation.' })),
  name: Type.Optional(Type.String({ description: 'Edit this existing Ingress in place.' })),
  podTemplate: Type.Optional(PodTemplate),
  ingressTemplate: Type.Optional(Type.Object({ metadata: Type.Optional(ObjectMetaOverride) })),
});

/** A Gateway API ParentReference; `name` may be left to the override annotations. */
export const ParentReference = Type.Object({
  group: Type.Optional(Type.String()),
  kind: Type.Optional(Type.String()),
  namespace: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  sectionName: Type.Optional(Type.String()),
  port: Type.Optional(Int32()),
});

export const HTTP01GatewayHTTPRoute = Type.Object({
  serviceType: Type.Optional(ServiceType),
  labels: Type.Optional(StringMap()),
  parentRefs: Type.Optional(AtomicList(ParentReference)),
  podTemplate: Type.Optional(PodTemplate),
});

export const ACMEChallengeSolverHTTP01 = Type.Object(
  {
    ingress: Type.Optional(HTTP01Ingress),
    gatewayHTTPRoute: Type.Optional(HTTP01GatewayHTTPRoute),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: '[has(self.ingress), has(self.gatewayHTTPRoute)].filter(x, x).size() == 1',
        message: 'exactly one of ingress or gatewayHTTPRoute must be configured',
      },
    ],
  },
);

export const DNS01Akamai = Type.Object({
  serviceConsumerDomain: Type.String(),
  clientTokenSecretRef: SecretKeySelector,
  clientSecretSecretRef: SecretKeySelector,
  accessTokenSecretRef: SecretKeySelector,
});

export const DNS01CloudDNS = Type.Object({
  project: Type.String(),
  serviceAccountSecretRef: Type.Optional(SecretKeySelector),
  hostedZoneName: Type.Optional(Type.String()),
});

export const DNS01Cloudflare = Type.Object({
  email: Type.Optional(Type.String({ description: 'Account email; required with apiKeySecretRef.' })),
  apiKeySecretRef: Type.Optional(SecretKeySelector),
  apiTokenSecretRef: Type.Optional(SecretKeySelector),
});

export const ServiceAccountRef = Type.Object({
  name: Type.String(),
  audiences: Type.Optional(StringList()),
});

export const DNS01Route53 = Type.Object({
  accessKeyID: Type.Optional(Type.String()),
  accessKeyIDSecretRef: Type.Optional(SecretKeySelector),
  secretAccessKeySecretRef: Type.Optional(SecretKeySelector),
  role: Type.Optional(Type.String({ description: 'IAM role ARN to assume.' })),
  hostedZoneID: Type.Optional(Type.String()),
  region: Type.Optional(Type.String()),
  auth: Type.Optional(
    Type.Object({
      kubernetes: Type.Object({
        serviceAccountRef: Type.Object({
          name: Type.String(),
          audiences: Type.Optional(StringList({ description: 'Defaults to sts.amazonaws.com.' })),
        }),
      }),
    }),
  ),
});

export const AzureManagedIdentity = Type.Object({
  clientID: Type.Optional(Type.String()),
  resourceID: Type.Optional(Type.String()),
  tenantID: Type.Optional(Type.String()),
});

export const AzureEnvironment = StringEnum([
  'AzurePublicCloud',
  'AzureChinaCloud',
  'AzureGermanCloud',
  'AzureUSGovernmentCloud',
]);

export const DNS01AzureDNS = Type.Object({
  clientID: Type.Optional(Type.String()),
  clientSecretSecretRef: Type.Optional(SecretKeySelector),
  subscriptionID: Type.String(),
  tenantID: Type.Optional(Type.String()),
  resourceGroupName: Type.String(),
  hostedZoneName: Type.Optional(Type.String()),
  environment: Type.Optional(AzureEnvironment),
  managedIdentity: Type.Optional(AzureManagedIdentity),
  zoneType: Type.Optional(StringEnum(['AzurePublicZone', 'AzurePrivateZone'], { description: 'Defaults to AzurePublicZone.' })),
});

export const DNS01DigitalOcean = Type.Object({ tokenSecretRef: SecretKeySelector });

export const DNS01AcmeDNS = Type.Object({
  host: Type.String(),
  accountSecretRef: SecretKeySelector,
});

export const DNS01RFC2136 = Type.Object({
  nameserver: Type.String({ description: 'host[:port] of the authoritative server; IPv6 in brackets; port 53 by default.' }),
  tsigKeyName: Type.Optional(Type.String()),
  tsigAlgorithm: Type.Optional(
    Type.String({ description: 'HMACMD5 (default), HMACSHA1, HMACSHA256 or HMACSHA512, case-insensitive.' }),
  ),
  tsigSecretSecretRef: Type.Optional(SecretKeySelector),
  protocol: Type.Optional(StringEnum(['UDP', 'TCP'], { description: 'Defaults to UDP.' })),
});

export const DNS01Webhook = Type.Object({
  groupName: Type.Optional(Type.String()),
  solverName: Type.String(),
  config: Type.Optional(
    Type.Unknown({
      'x-kubernetes-preserve-unknown-fields': true,
      description: 'Arbitrary JSON handed to the webhook solver.',
    }),
  ),
});

/** The DNS-01 provider keys in the order cert-manager's validator visits them. */
export const DNS01_PROVIDERS = [
  'akamai',
  'azureDNS',
  'cloudDNS',
  'cloudflare',
  'route53',
  'acmeDNS',
  'digitalocean',
  'rfc2136',
  'webhook',
] as const;

const exactlyOneRule = (keys: readonly string[], message: string) => ({
  rule: `[${keys.map((k) => `has(self.${k})`).join(', ')}].filter(x, x).size() == 1`,
  message,
});

export const ACMEChallengeSolverDNS01 = Type.Object(
  {
    cnameStrategy: Type.Optional(StringEnum(['None', 'Follow'], { description: 'Defaults to None.' })),
    nameservers: Type.Optional(
      StringList({ description: 'host:port or https:// DoH URLs used for the propagation check.' }),
    ),
    akamai: Type.Optional(DNS01Akamai),
    cloudDNS: Type.Optional(DNS01CloudDNS),
    cloudflare: Type.Optional(DNS01Cloudflare),
    route53: Type.Optional(DNS01Route53),
    azureDNS: Type.Optional(DNS01AzureDNS),
    digitalocean: Type.Optional(DNS01DigitalOcean),
    acmeDNS: Type.Optional(DNS01AcmeDNS),
    rfc2136: Type.Optional(DNS01RFC2136),
    webhook: Type.Optional(DNS01Webhook),
  },
  { 'x-kubernetes-validations': [exactlyOneRule(DNS01_PROVIDERS, 'exactly one DNS01 provider must be configured')] },
);

export const CertificateDNSNameSelector = Type.Object({
  matchLabels: Type.Optional(StringMap()),
  dnsNames: Type.Optional(StringList()),
  dnsZones: Type.Optional(StringList()),
});

export const ACMEChallengeSolver = Type.Object(
  {
    selector: Type.Optional(CertificateDNSNameSelector),
    http01: Type.Optional(ACMEChallengeSolverHTTP01),
    dns01: Type.Optional(ACMEChallengeSolverDNS01),
    waitInsteadOfSelfCheck: Type.Optional(
      GoDuration({ description: 'Skip the self check and wait this long after presenting the challenge.' }),
    ),
  },
  { 'x-kubernetes-validations': [exactlyOneRule(['http01', 'dns01'], 'exactly one of http01 or dns01 must be configured')] },
);

export const ACMEExternalAccountBinding = Type.Object({
  keyID: Type.String(),
  keySecretRef: SecretKeySelector,
  keyAlgorithm: Type.Optional(StringEnum(['HS256', 'HS384', 'HS512'], { description: 'Deprecated and ignored.' })),
});

export const ACMEIssuer = Type.Object(
  {
    email: Type.Optional(Type.String()),
    server: Type.String({ description: 'ACME directory URL.' }),
    preferredChain: Type.Optional(Type.String({ maxLength: 64 })),
    caBundle: Type.Optional(Bytes()),
    skipTLSVerify: Type.Optional(Type.Boolean()),
    externalAccountBinding: Type.Optional(ACMEExternalAccountBinding),
    privateKeySecretRef: SecretKeySelector,
    solvers: Type.Optional(AtomicList(ACMEChallengeSolver)),
    disableAccountKeyGeneration: Type.Optional(Type.Boolean()),
    enableDurationFeature: Type.Optional(Type.Boolean()),
    profile: Type.Optional(Type.String()),
    renewalInformationSource: Type.Optional(StringEnum(['ARI', 'None'], { default: 'ARI' })),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: "!(has(self.caBundle) && self.caBundle != '' && has(self.skipTLSVerify) && self.skipTLSVerify)",
        message: 'caBundle and skipTLSVerify are mutually exclusive and cannot both be set',
      },
    ],
  },
);

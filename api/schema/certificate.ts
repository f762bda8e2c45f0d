/** cert-manager.io/v1 Certificate (`pkg/apis/certmanager/v1/types_certificate.go`). */
import { Type } from '@sinclair/typebox';
import {
  AtomicList,
  ConditionList,
  GoDuration,
  Int32,
  IssuerReference,
  KubeObject,
  SecretKeySelector,
  StringEnum,
  StringList,
  StringMap,
  Timestamp,
} from './common.js';

export const KEY_USAGES = [
  'signing',
  'digital signature',
  'content commitment',
  'key encipherment',
  'key agreement',
  'data encipherment',
  'cert sign',
  'crl sign',
  'encipher only',
  'decipher only',
  'any',
  'server auth',
  'client auth',
  'code signing',
  'email protection',
  's/mime',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'timestamping',
  'ocsp signing',
  'microsoft sgc',
  'netscape sgc',
] as const;

export const KeyUsage = StringEnum(KEY_USAGES, {
  description: 'A key usage or extended key usage (RFC 5280 4.2.1.3 and 4.2.1.12).',
});

export const PrivateKeyAlgorithm = StringEnum(['RSA', 'ECDSA', 'Ed25519']);
export const PrivateKeyEncoding = StringEnum(['PKCS1', 'PKCS8']);
export const PrivateKeyRotationPolicy = StringEnum(['Never', 'Always']);
export const SignatureAlgorithm = StringEnum([
  'SHA256WithRSA',
  'SHA384WithRSA',
  'SHA512WithRSA',
  'ECDSAWithSHA256',
  'ECDSAWithSHA384',
  'ECDSAWithSHA512',
  'PureEd25519',
]);
export const PKCS12Profile = StringEnum(['LegacyRC2', 'LegacyDES', 'Modern2023', 'Modern2026']);
export const AdditionalOutputFormatType = StringEnum(['DER', 'CombinedPEM']);
export const RenewalPolicy = StringEnum(['RenewBefore', 'Disabled']);

export const X509Subject = Type.Object({
  organizations: Type.Optional(StringList()),
  countries: Type.Optional(StringList()),
  organizationalUnits: Type.Optional(StringList()),
  localities: Type.Optional(StringList()),
  provinces: Type.Optional(StringList()),
  streetAddresses: Type.Optional(StringList()),
  postalCodes: Type.Optional(StringList()),
  serialNumber: Type.Optional(Type.String()),
});

export const CertificatePrivateKey = Type.Object({
  algorithm: Type.Optional(PrivateKeyAlgorithm),
  size: Type.Optional(Type.Integer({ description: 'RSA 2048-8192 (default 2048); ECDSA 256, 384 or 521 (default 256); ignored for Ed25519.' })),
  encoding: Type.Optional(PrivateKeyEncoding),
  rotationPolicy: Type.Optional(PrivateKeyRotationPolicy),
});

const passwordRules = [
  {
    rule: '!(has(self.password) && has(self.passwordSecretRef))',
    message: 'exactly one of passwordSecretRef and password must be provided; cannot set both',
  },
  {
    rule: 'has(self.password) || has(self.passwordSecretRef)',
    message: 'must set exactly one of passwordSecretRef and password',
  },
];

export const JKSKeystore = Type.Object(
  {
    create: Type.Boolean(),
    alias: Type.Optional(Type.String({ description: 'Alias of the private key entry; defaults to `certificate`.' })),
    passwordSecretRef: Type.Optional(SecretKeySelector),
    password: Type.Optional(Type.String()),
  },
  { 'x-kubernetes-validations': passwordRules },
);

export const PKCS12Keystore = Type.Object(
  {
    create: Type.Boolean(),
    profile: Type.Optional(PKCS12Profile),
    passwordSecretRef: Type.Optional(SecretKeySelector),
    password: Type.Optional(Type.String()),
  },
  { 'x-kubernetes-validations': passwordRules },
);

export const CertificateKeystores = Type.Object({
  jks: Type.Optional(JKSKeystore),
  pkcs12: Type.Optional(PKCS12Keystore),
});

export const NameConstraintItem = Type.Object({
  dnsDomains: Type.Optional(StringList()),
  ipRanges: Type.Optional(StringList({ description: 'CIDR ranges.' })),
  emailAddresses: Type.Optional(StringList()),
  uriDomains: Type.Optional(StringList()),
});

export const NameConstraints = Type.Object(
  {
    critical: Type.Optional(Type.Boolean()),
    permitted: Type.Optional(NameConstraintItem),
    excluded: Type.Optional(NameConstraintItem),
  },
  {
    'x-kubernetes-validations': [
      { rule: 'has(self.permitted) || has(self.excluded)', message: 'either permitted or excluded must be set' },
    ],
  },
);

export const OtherName = Type.Object({
  oid: Type.Optional(Type.String({ description: 'Dotted object identifier, e.g. 1.3.6.1.4.1.311.20.2.3 (UPN).' })),
  utf8Value: Type.Optional(Type.String()),
});

export const CertificateRenewalWindow = Type.Object({
  timezone: Type.Optional(Type.String({ description: 'IANA time zone the cron is evaluated in; defaults to UTC.' })),
  windowDuration: Type.String({
    pattern: '^([0-9]+(\\.[0-9]+)?(s|m|h))+$',
    description: 'How long each window stays open after its cron start.',
  }),
  cron: Type.String({ description: 'Five-field cron expression of the window starts.' }),
});

export const CertificateRenewal = Type.Object(
  {
    policy: Type.Optional(RenewalPolicy),
    windows: Type.Optional(AtomicList(CertificateRenewalWindow)),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: "!has(self.policy) || self.policy != 'Disabled' || !has(self.windows) || size(self.windows) == 0",
        message: 'windows cannot be set when `renewal.policy` is set to Disabled',
      },
    ],
  },
);

export const CertificateSpec = Type.Object(
  {
    subject: Type.Optional(X509Subject),
    literalSubject: Type.Optional(Type.String({ description: 'RFC 4514 subject DN used verbatim.' })),
    commonName: Type.Optional(Type.String()),
    duration: Type.Optional(GoDuration({ description: 'Requested lifetime; defaults to 2160h (90 days), minimum 1h.' })),
    renewBefore: Type.Optional(GoDuration({ description: 'Renew this long before expiry; minimum 5m.' })),
    renewBeforePercentage: Type.Optional(Int32()),
    renewal: Type.Optional(CertificateRenewal),
    dnsNames: Type.Optional(StringList()),
    ipAddresses: Type.Optional(StringList()),
    uris: Type.Optional(StringList()),
    emailAddresses: Type.Optional(StringList()),
    otherNames: Type.Optional(AtomicList(OtherName)),
    secretName: Type.String(),
    secretTemplate: Type.Optional(
      Type.Object({ annotations: Type.Optional(StringMap()), labels: Type.Optional(StringMap()) }),
    ),
    keystores: Type.Optional(CertificateKeystores),
    issuerRef: IssuerReference,
    isCA: Type.Optional(Type.Boolean()),
    usages: Type.Optional(AtomicList(KeyUsage)),
    privateKey: Type.Optional(CertificatePrivateKey),
    signatureAlgorithm: Type.Optional(SignatureAlgorithm),
    encodeUsagesInRequest: Type.Optional(Type.Boolean()),
    revisionHistoryLimit: Type.Optional(Int32()),
    additionalOutputFormats: Type.Optional(AtomicList(Type.Object({ type: AdditionalOutputFormatType }))),
    nameConstraints: Type.Optional(NameConstraints),
  },
  {
    'x-kubernetes-validations': [
      {
        rule: "!has(self.literalSubject) || self.literalSubject == '' || !has(self.commonName) || self.commonName == ''",
        message: 'When providing a `LiteralSubject` no `commonName` may be provided.',
      },
      {
        rule: "!has(self.literalSubject) || self.literalSubject == '' || !has(self.subject)",
        message: 'When providing a `LiteralSubject` no `Subject` properties may be provided.',
      },
      {
        rule: '!(has(self.renewBefore) && has(self.renewBeforePercentage))',
        message: 'renewBefore and renewBeforePercentage are mutually exclusive and cannot both be set',
      },
      {
        rule: '!has(self.nameConstraints) || (has(self.isCA) && self.isCA)',
        message: 'isCa should be true when nameConstraints is set',
      },
      {
        rule: '!has(self.revisionHistoryLimit) || self.revisionHistoryLimit >= 1',
        message: 'revisionHistoryLimit must not be less than 1',
      },
    ],
  },
);

export const ACMECertificateStatus = Type.Object({
  ari: Type.Optional(
    Type.Object({
      suggestedWindow: Type.Optional(
        Type.Object({ start: Type.Optional(Timestamp()), end: Type.Optional(Timestamp()) }),
      ),
      explanationURL: Type.Optional(Type.String()),
      lastChecked: Type.Optional(Timestamp()),
      nextCheck: Type.Optional(Timestamp()),
      lastError: Type.Optional(Type.String()),
    }),
  ),
});

export const CertificateStatus = Type.Object({
  conditions: Type.Optional(ConditionList()),
  lastFailureTime: Type.Optional(Timestamp()),
  notBefore: Type.Optional(Timestamp()),
  notAfter: Type.Optional(Timestamp()),
  renewalTime: Type.Optional(Timestamp()),
  revision: Type.Optional(Type.Integer()),
  nextPrivateKeySecretName: Type.Optional(Type.String()),
  failedIssuanceAttempts: Type.Optional(Type.Integer()),
  acme: Type.Optional(ACMECertificateStatus),
});

export const Certificate = KubeObject('cert-manager.io/v1', 'Certificate', CertificateSpec, CertificateStatus, {
  description:
    'A Certificate keeps an up to date, signed X.509 certificate in the Secret named by `spec.secretName`, renewing it before it expires.',
});

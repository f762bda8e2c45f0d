/** TypeScript types of the cert-manager.io/v1 and acme.cert-manager.io/v1 objects, from the schemas. */
import type { Static } from '@sinclair/typebox';
import type * as common from './schema/common.js';
import type * as cert from './schema/certificate.js';
import type * as cr from './schema/certificaterequest.js';
import type * as iss from './schema/issuer.js';
import type * as acme from './schema/acme.js';
import type * as order from './schema/order.js';
import type * as challenge from './schema/challenge.js';

export type ObjectMeta = Static<typeof common.ObjectMeta>;
export type Condition = Static<typeof common.Condition>;
export type ConditionStatus = Static<typeof common.ConditionStatus>;
export type IssuerReference = Static<typeof common.IssuerReference>;
export type SecretKeySelector = Static<typeof common.SecretKeySelector>;
export type LocalObjectReference = Static<typeof common.LocalObjectReference>;

export type KeyUsage = Static<typeof cert.KeyUsage>;
export type PrivateKeyAlgorithm = Static<typeof cert.PrivateKeyAlgorithm>;
export type PrivateKeyEncoding = Static<typeof cert.PrivateKeyEncoding>;
export type PrivateKeyRotationPolicy = Static<typeof cert.PrivateKeyRotationPolicy>;
export type SignatureAlgorithm = Static<typeof cert.SignatureAlgorithm>;
export type PKCS12Profile = Static<typeof cert.PKCS12Profile>;
export type AdditionalOutputFormatType = Static<typeof cert.AdditionalOutputFormatType>;
export type X509Subject = Static<typeof cert.X509Subject>;
export type CertificatePrivateKey = Static<typeof cert.CertificatePrivateKey>;
export type CertificateKeystores = Static<typeof cert.CertificateKeystores>;
export type JKSKeystore = Static<typeof cert.JKSKeystore>;
export type PKCS12Keystore = Static<typeof cert.PKCS12Keystore>;
export type NameConstraints = Static<typeof cert.NameConstraints>;
export type NameConstraintItem = Static<typeof cert.NameConstraintItem>;
export type OtherName = Static<typeof cert.OtherName>;
export type CertificateRenewal = Static<typeof cert.CertificateRenewal>;
export type CertificateRenewalWindow = Static<typeof cert.CertificateRenewalWindow>;
export type CertificateSpec = Static<typeof cert.CertificateSpec>;
export type CertificateStatus = Static<typeof cert.CertificateStatus>;
export type Certificate = Static<typeof cert.Certificate>;

export type CertificateRequestSpec = Static<typeof cr.CertificateRequestSpec>;
export type CertificateRequestStatus = Static<typeof cr.CertificateRequestStatus>;
export type CertificateRequest = Static<typeof cr.CertificateRequest>;

export type ACMEIssuer = Static<typeof acme.ACMEIssuer>;
export type ACMEExternalAccountBinding = Static<typeof acme.ACMEExternalAccountBinding>;
export type ACMEChallengeSolver = Static<typeof acme.ACMEChallengeSolver>;
export type ACMEChallengeSolverHTTP01 = Static<typeof acme.ACMEChallengeSolverHTTP01>;
export type ACMEChallengeSolverDNS01 = Static<typeof acme.ACMEChallengeSolverDNS01>;
export type CertificateDNSNameSelector = Static<typeof acme.CertificateDNSNameSelector>;
export type HTTP01Ingress = Static<typeof acme.HTTP01Ingress>;
export type HTTP01GatewayHTTPRoute = Static<typeof acme.HTTP01GatewayHTTPRoute>;
export type PodTemplate = Static<typeof acme.PodTemplate>;
export type ParentReference = Static<typeof acme.ParentReference>;
export type DNS01Akamai = Static<typeof acme.DNS01Akamai>;
export type DNS01CloudDNS = Static<typeof acme.DNS01CloudDNS>;
export type DNS01Cloudflare = Static<typeof acme.DNS01Cloudflare>;
export type DNS01Route53 = Static<typeof acme.DNS01Route53>;
export type DNS01AzureDNS = Static<typeof acme.DNS01AzureDNS>;
export type DNS01DigitalOcean = Static<typeof acme.DNS01DigitalOcean>;
export type DNS01AcmeDNS = Static<typeof acme.DNS01AcmeDNS>;
export type DNS01RFC2136 = Static<typeof acme.DNS01RFC2136>;
export type DNS01Webhook = Static<typeof acme.DNS01Webhook>;
export type DNS01ProviderName = (typeof acme.DNS01_PROVIDERS)[number];

export type CAIssuer = Static<typeof iss.CAIssuer>;
export type SelfSignedIssuer = Static<typeof iss.SelfSignedIssuer>;
export type VaultIssuer = Static<typeof iss.VaultIssuer>;
export type VaultAuth = Static<typeof iss.VaultAuth>;
export type VenafiIssuer = Static<typeof iss.VenafiIssuer>;
export type IssuerSpec = Static<typeof iss.IssuerSpec>;
export type IssuerStatus = Static<typeof iss.IssuerStatus>;
export type Issuer = Static<typeof iss.Issuer>;
export type ClusterIssuer = Static<typeof iss.ClusterIssuer>;
/** Either issuer kind; both share spec and status. */
export type AnyIssuer = Issuer | ClusterIssuer;

export type ACMEState = Static<typeof order.ACMEState>;
export type OrderSpec = Static<typeof order.OrderSpec>;
export type OrderStatus = Static<typeof order.OrderStatus>;
export type ACMEAuthorization = Static<typeof order.ACMEAuthorization>;
export type Order = Static<typeof order.Order>;

export type ChallengeSpec = Static<typeof challenge.ChallengeSpec>;
export type ChallengeStatus = Static<typeof challenge.ChallengeStatus>;
export type Challenge = Static<typeof challenge.Challenge>;

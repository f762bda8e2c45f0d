/**
 * cert-manager's defaults, applied when *building* things (keys, CSRs, Secrets, solver pods) and
 * never written back to stored objects — cert-manager stores none but the CRD defaults. Each
 * default is a small named function so callers say which one they rely on.
 */
import { DEFAULT_USAGES as PKI_DEFAULT_USAGES, RSA_MAX_SIZE, RSA_MIN_SIZE, computeUsages, isKnownUsage, type Usages } from '../pki/index.js';
import { msToNs, nsToMs, parseDuration } from './duration.js';
import type {
  ACMEChallengeSolverDNS01,
  ACMEIssuer,
  CertificateSpec,
  DNS01RFC2136,
  HTTP01GatewayHTTPRoute,
  HTTP01Ingress,
  IssuerReference,
  JKSKeystore,
  KeyUsage,
  PKCS12Keystore,
  PKCS12Profile,
  PrivateKeyAlgorithm,
  PrivateKeyEncoding,
  PrivateKeyRotationPolicy,
  SecretKeySelector,
  VaultAuth,
  VaultIssuer,
} from './types.js';

export const CERT_MANAGER_GROUP = 'cert-manager.io';
export const ACME_GROUP = 'acme.cert-manager.io';

/** `DefaultCertificateDuration`: 90 days. */
export const DEFAULT_CERTIFICATE_DURATION_MS = parseDuration('2160h');
/** `MinimumCertificateDuration`. */
export const MINIMUM_CERTIFICATE_DURATION_MS = parseDuration('1h');
/** `MinimumRenewBefore`. */
export const MINIMUM_RENEW_BEFORE_MS = parseDuration('5m');

export const DEFAULT_ISSUER_KIND = 'Issuer';
export const DEFAULT_ISSUER_GROUP = CERT_MANAGER_GROUP;
/** `digital signature` and `key encipherment`. */
export const DEFAULT_USAGES = PKI_DEFAULT_USAGES as readonly KeyUsage[];
export const DEFAULT_RSA_KEY_SIZE = 2048;
export const DEFAULT_ECDSA_KEY_SIZE = 256;
/** Bounds of RSA key sizes, as the webhook and the key generator enforce them. */
export const MIN_RSA_KEY_SIZE = RSA_MIN_SIZE;
export const MAX_RSA_KEY_SIZE = RSA_MAX_SIZE;
export const ECDSA_KEY_SIZES: readonly number[] = [256, 384, 521];
export const DEFAULT_REVISION_HISTORY_LIMIT = 1;
export const DEFAULT_JKS_ALIAS = 'certificate';
export const DEFAULT_PKCS12_PROFILE: PKCS12Profile = 'LegacyRC2';

function durationOrUndefined(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    return parseDuration(text);
  } catch {
    // Validation rejects unparsable durations; a stored bad value falls back to the default.
    return undefined;
  }
}

/** Requested certificate lifetime in ms: `spec.duration`, else 90 days. */
export function certificateDurationFor(spec: Pick<CertificateSpec, 'duration'>): number {
  return durationOrUndefined(spec.duration) ?? DEFAULT_CERTIFICATE_DURATION_MS;
}

/**
 * How long before expiry to renew, from the *issued* certificate's actual lifetime (§2.5):
 * `renewBefore` when set, positive and shorter than the lifetime; else `renewBeforePercentage`
 * of the lifetime when in (0,100); else one third of the lifetime (renew at 2/3).
 */
export function renewBeforeFor(
  actualDurationMs: number,
  spec: Pick<CertificateSpec, 'renewBefore' | 'renewBeforePercentage'>,
): number {
  const actualNs = msToNs(actualDurationMs);
  const renewBefore = durationOrUndefined(spec.renewBefore);
  if (renewBefore !== undefined && renewBefore > 0 && renewBefore < actualDurationMs) return renewBefore;
  const pct = spec.renewBeforePercentage;
  if (pct !== undefined && pct > 0 && pct < 100) return nsToMs((actualNs * BigInt(pct)) / 100n);
  return nsToMs(actualNs / 3n);
}

/** `notAfter − renewBeforeFor(notAfter − notBefore)`, truncated to the second (before windows or ARI). */
export function renewalTimeFor(
  notBefore: Date,
  notAfter: Date,
  spec: Pick<CertificateSpec, 'renewBefore' | 'renewBeforePercentage'>,
): Date {
  const actual = notAfter.getTime() - notBefore.getTime();
  const at = notAfter.getTime() - renewBeforeFor(actual, spec);
  return new Date(Math.floor(at / 1000) * 1000);
}

export function privateKeyAlgorithmFor(spec: Pick<CertificateSpec, 'privateKey'>): PrivateKeyAlgorithm {
  return spec.privateKey?.algorithm || 'RSA';
}

/** Key size in bits: RSA 2048 and ECDSA 256 unless set; undefined for Ed25519 (size is ignored). */
export function privateKeySizeFor(spec: Pick<CertificateSpec, 'privateKey'>): number | undefined {
  const algorithm = privateKeyAlgorithmFor(spec);
  if (algorithm === 'Ed25519') return undefined;
  const size = spec.privateKey?.size;
  if (size !== undefined && size > 0) return size;
  return algorithm === 'ECDSA' ? DEFAULT_ECDSA_KEY_SIZE : DEFAULT_RSA_KEY_SIZE;
}

export function privateKeyEncodingFor(spec: Pick<CertificateSpec, 'privateKey'>): PrivateKeyEncoding {
  return spec.privateKey?.encoding || 'PKCS1';
}

/** `Always` since cert-manager 1.18 (`DefaultPrivateKeyRotationPolicyAlways`, GA). */
export function rotationPolicyFor(spec: Pick<CertificateSpec, 'privateKey'>): PrivateKeyRotationPolicy {
  return spec.privateKey?.rotationPolicy || 'Always';
}

/** Unset keeps one CertificateRequest. */
export function revisionHistoryLimitFor(spec: Pick<CertificateSpec, 'revisionHistoryLimit'>): number {
  return spec.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
}

/** Unset means true: KeyUsage and ExtKeyUsage go into the CSR. */
export function encodeUsagesInRequestFor(spec: Pick<CertificateSpec, 'encodeUsagesInRequest'>): boolean {
  return spec.encodeUsagesInRequest ?? true;
}

export function issuerKindFor(ref: IssuerReference): string {
  return ref.kind || DEFAULT_ISSUER_KIND;
}

export function issuerGroupFor(ref: IssuerReference): string {
  return ref.group || DEFAULT_ISSUER_GROUP;
}

export function issuerRefWithDefaults(ref: IssuerReference): Required<IssuerReference> {
  return { name: ref.name, kind: issuerKindFor(ref), group: issuerGroupFor(ref) };
}

/** The requested usages, or `digital signature` + `key encipherment` when none are listed. */
export function usagesFor(spec: Pick<CertificateSpec, 'usages'>): KeyUsage[] {
  return spec.usages && spec.usages.length > 0 ? [...spec.usages] : [...DEFAULT_USAGES];
}

/**
 * The KeyUsage bits and ExtendedKeyUsage OIDs a Certificate or CertificateRequest asks for
 * (`KeyUsagesForCertificateOrCertificateRequest`, §1.5): its usages, or the defaults when none are
 * listed, plus `cert sign` for a CA. Unknown names are skipped — validation rejects them.
 */
export function keyUsagesFor(spec: { isCA?: boolean; usages?: readonly string[] }): Usages {
  return computeUsages(spec.usages?.filter(isKnownUsage), spec.isCA);
}

export function jksAliasFor(jks: Pick<JKSKeystore, 'alias'>): string {
  return jks.alias || DEFAULT_JKS_ALIAS;
}

export function pkcs12ProfileFor(pkcs12: Pick<PKCS12Keystore, 'profile'>): PKCS12Profile {
  return pkcs12.profile || DEFAULT_PKCS12_PROFILE;
}

/** The Secret key a selector names, or the documented default for that use. */
export function secretKeyFor(ref: Pick<SecretKeySelector, 'key'>, fallback: string): string {
  return ref.key || fallback;
}

/** ACME account private key: `tls.key` unless `privateKeySecretRef.key` says otherwise. */
export function acmeAccountKeySecretKey(acme: Pick<ACMEIssuer, 'privateKeySecretRef'>): string {
  return secretKeyFor(acme.privateKeySecretRef, 'tls.key');
}

/** Empty is treated as ARI (the CRD default). */
export function renewalInformationSourceFor(acme: Pick<ACMEIssuer, 'renewalInformationSource'>): 'ARI' | 'None' {
  return acme.renewalInformationSource || 'ARI';
}

export function http01ServiceTypeFor(solver: Pick<HTTP01Ingress | HTTP01GatewayHTTPRoute, 'serviceType'>): 'ClusterIP' | 'NodePort' {
  return solver.serviceType || 'NodePort';
}

export function cnameStrategyFor(dns01: Pick<ACMEChallengeSolverDNS01, 'cnameStrategy'>): 'None' | 'Follow' {
  return dns01.cnameStrategy || 'None';
}

export const DEFAULT_ROUTE53_AUDIENCES: readonly string[] = ['sts.amazonaws.com'];

export function rfc2136TsigAlgorithmFor(rfc2136: Pick<DNS01RFC2136, 'tsigAlgorithm'>): string {
  return (rfc2136.tsigAlgorithm || 'HMACMD5').toUpperCase();
}

export function rfc2136ProtocolFor(rfc2136: Pick<DNS01RFC2136, 'protocol'>): 'UDP' | 'TCP' {
  return rfc2136.protocol || 'UDP';
}

export const DEFAULT_RFC2136_PORT = 53;

export const VAULT_DEFAULTS = {
  tokenKey: 'token',
  caBundleKey: 'ca.crt',
  appRolePath: 'approle',
  clientCertificateMountPath: '/v1/auth/cert',
  kubernetesMountPath: '/v1/auth/kubernetes',
  awsMountPath: '/v1/auth/aws',
} as const;

/** Vault auth with every documented default filled in (mount paths, token key). */
export function vaultAuthWithDefaults(auth: VaultAuth): VaultAuth {
  return {
    ...(auth.tokenSecretRef && {
      tokenSecretRef: { ...auth.tokenSecretRef, key: secretKeyFor(auth.tokenSecretRef, VAULT_DEFAULTS.tokenKey) },
    }),
    ...(auth.appRole && { appRole: { ...auth.appRole, path: auth.appRole.path || VAULT_DEFAULTS.appRolePath } }),
    ...(auth.clientCertificate && {
      clientCertificate: {
        ...auth.clientCertificate,
        mountPath: auth.clientCertificate.mountPath || VAULT_DEFAULTS.clientCertificateMountPath,
      },
    }),
    ...(auth.kubernetes && {
      kubernetes: { ...auth.kubernetes, mountPath: auth.kubernetes.mountPath || VAULT_DEFAULTS.kubernetesMountPath },
    }),
    ...(auth.aws && { aws: { ...auth.aws, mountPath: auth.aws.mountPath || VAULT_DEFAULTS.awsMountPath } }),
  };
}

/** Key of the CA bundle in `caBundleSecretRef`: `ca.crt` unless set. */
export function vaultCABundleKeyFor(vault: Pick<VaultIssuer, 'caBundleSecretRef'>): string | undefined {
  return vault.caBundleSecretRef ? secretKeyFor(vault.caBundleSecretRef, VAULT_DEFAULTS.caBundleKey) : undefined;
}

export const DEFAULT_VENAFI_CLOUD_URL = 'https://api.venafi.cloud/';
export const DEFAULT_RENEWAL_WINDOW_TIMEZONE = 'UTC';

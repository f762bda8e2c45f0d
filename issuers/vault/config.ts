/**
 * `spec.vault` (reference §1.8.4) read into what the Vault client needs: the sign path, the TLS
 * material to fetch, and exactly one auth method with its defaults (mount paths, Secret keys,
 * ServiceAccount token audiences). The admission rules (`api/validation/issuer.ts`) are applied
 * again here, because an Issuer stored before them, or written past admission, still reaches the
 * controller.
 */
import { secretKeyFor, VAULT_DEFAULTS, vaultAuthWithDefaults, vaultCABundleKeyFor } from '../../api/defaults.js';
import { formatFieldErrors } from '../../api/field-errors.js';
import { issuerSpecErrors } from '../../api/validation/issuer.js';
import type { VaultIssuer } from '../../api/types.js';
import type { GenericIssuer } from '../backend.js';

/** One `data` entry of a Secret in the issuer's resource namespace. */
export interface SecretKeyRef {
  name: string;
  key: string;
}

export type VaultAuthMethod =
  | { kind: 'token'; token: SecretKeyRef }
  | { kind: 'appRole'; loginPath: string; roleId: string; secretId: SecretKeyRef }
  | { kind: 'kubernetes'; loginPath: string; role: string; jwt: SecretKeyRef }
  | { kind: 'kubernetes'; loginPath: string; role: string; serviceAccount: { name: string; audiences: string[] } }
  /** The TLS client certificate is the credential; `tlsSecretName` (kubernetes.io/tls) or the mTLS keypair. */
  | { kind: 'clientCertificate'; loginPath: string; certificateRole?: string; tlsSecretName?: string };

export interface VaultSettings {
  server: string;
  /** `/v1/<mount>/sign/<role>`. */
  signPath: string;
  /** The path as Vault's policies name it, `<mount>/sign/<role>`. */
  policyPath: string;
  namespace?: string;
  serverName?: string;
  /** Inline `caBundle`, PEM. */
  caBundlePem?: string;
  caBundleSecret?: SecretKeyRef;
  clientCertificate?: SecretKeyRef;
  clientKey?: SecretKeyRef;
  auth: VaultAuthMethod;
}

export type SettingsResult = { settings: VaultSettings } | { problem: string };

/** `/v1` joined with a path, with duplicate and trailing slashes dropped (Go's path.Join). */
function v1Path(...parts: string[]): string {
  const joined = parts.join('/').split('/').filter((s) => s !== '' && s !== '.');
  return '/' + (joined[0] === 'v1' ? joined : ['v1', ...joined]).join('/');
}

/** A mount path given with its `/v1` prefix (kubernetes, clientCertificate), joined with `login`. */
function loginPathUnder(mountPath: string): string {
  return v1Path(mountPath, 'login');
}

/**
 * The issuer's resource namespace audience cert-manager always adds to a ServiceAccount token:
 * `vault://<namespace>/<name>` for an Issuer, `vault://<name>` for a ClusterIssuer, so a Vault role
 * can bind tokens to one issuer.
 */
export function defaultTokenAudience(issuer: GenericIssuer): string {
  const namespace = issuer.kind === 'Issuer' ? issuer.metadata.namespace : undefined;
  return `vault://${namespace ? `${namespace}/` : ''}${issuer.metadata.name}`;
}

type AuthRule = (vault: VaultIssuer, issuer: GenericIssuer) => VaultAuthMethod | undefined;

/** In cert-manager's runtime precedence; admission makes sure only one applies. */
const authMethods: AuthRule[] = [
  function tokenAuth({ auth }) {
    return auth.tokenSecretRef ? { kind: 'token', token: { name: auth.tokenSecretRef.name, key: auth.tokenSecretRef.key! } } : undefined;
  },
  function appRoleAuth({ auth }) {
    const appRole = auth.appRole;
    if (!appRole) return undefined;
    return { kind: 'appRole', loginPath: v1Path('auth', appRole.path!, 'login'), roleId: appRole.roleId, secretId: { name: appRole.secretRef.name, key: appRole.secretRef.key ?? '' } };
  },
  function clientCertificateAuth({ auth }) {
    const cert = auth.clientCertificate;
    if (!cert) return undefined;
    return {
      kind: 'clientCertificate',
      loginPath: loginPathUnder(cert.mountPath!),
      ...(cert.name ? { certificateRole: cert.name } : {}),
      ...(cert.secretName ? { tlsSecretName: cert.secretName } : {}),
    };
  },
  function kubernetesAuth({ auth }, issuer) {
    const k8s = auth.kubernetes;
    if (!k8s) return undefined;
    const base = { kind: 'kubernetes' as const, loginPath: loginPathUnder(k8s.mountPath!), role: k8s.role };
    if (k8s.serviceAccountRef) {
      const audiences = [...(k8s.serviceAccountRef.audiences ?? []), defaultTokenAudience(issuer)];
      return { ...base, serviceAccount: { name: k8s.serviceAccountRef.name, audiences } };
    }
    return { ...base, jwt: { name: k8s.secretRef!.name, key: secretKeyFor(k8s.secretRef!, VAULT_DEFAULTS.tokenKey) } };
  },
];

/** Checks beyond admission's, each a reason this certwright cannot use an otherwise valid spec. */
const unsupported: Array<(vault: VaultIssuer) => string | undefined> = [
  function awsAuth(vault) {
    return vault.auth.aws ? 'spec.vault.auth.aws: AWS IAM auth is not supported by certwright; use appRole, kubernetes, tokenSecretRef or clientCertificate' : undefined;
  },
  function issueEndpoint(vault) {
    return vault.path.split('/').includes('issue')
      ? `spec.vault.path: "${vault.path}" is an issue endpoint, where Vault generates the private key; use the sign endpoint (<mount>/sign/<role>) so keys never leave the cluster`
      : undefined;
  },
];

/** The settings of `issuer.spec.vault`, or the first problem that keeps it from being used. */
export function vaultSettingsOf(issuer: GenericIssuer): SettingsResult {
  const vault = issuer.spec.vault;
  if (!vault) return { problem: 'spec.vault is not set' };
  const errors = issuerSpecErrors({ vault });
  if (errors.length > 0) return { problem: formatFieldErrors(errors) };
  const problem = unsupported.map((check) => check(vault)).find(Boolean);
  if (problem) return { problem };
  const withDefaults = { ...vault, auth: vaultAuthWithDefaults(vault.auth) };
  const auth = authMethods.map((method) => method(withDefaults, issuer)).find(Boolean)!;
  const policyPath = vault.path.split('/').filter(Boolean).join('/');
  const caBundleKey = vaultCABundleKeyFor(vault);
  return {
    settings: {
      server: vault.server,
      signPath: v1Path(policyPath),
      policyPath,
      ...(vault.namespace ? { namespace: vault.namespace } : {}),
      ...(vault.serverName ? { serverName: vault.serverName } : {}),
      ...(vault.caBundle ? { caBundlePem: Buffer.from(vault.caBundle, 'base64').toString('utf8') } : {}),
      ...(vault.caBundleSecretRef ? { caBundleSecret: { name: vault.caBundleSecretRef.name, key: caBundleKey! } } : {}),
      ...(vault.clientCertSecretRef ? { clientCertificate: { name: vault.clientCertSecretRef.name, key: secretKeyFor(vault.clientCertSecretRef, 'tls.crt') } } : {}),
      ...(vault.clientKeySecretRef ? { clientKey: { name: vault.clientKeySecretRef.name, key: secretKeyFor(vault.clientKeySecretRef, 'tls.key') } } : {}),
      auth,
    },
  };
}

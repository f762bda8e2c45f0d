/**
 * The Secrets a Vault issuer reads, fetched and checked in one pass: the CA bundle and mTLS keypair
 * for the connection, and the credential of the auth method (token, AppRole secret_id, ServiceAccount
 * JWT, or the client-certificate auth keypair). The result carries a version string built from the
 * issuer's uid and generation and each Secret's resourceVersion: the connection and the cached
 * login are reused for as long as that string stays the same.
 */
import type { VaultTls } from './http.js';
import type { SecretKeyRef, VaultSettings } from './config.js';
import { secretValue, type GenericIssuer, type IssuerContext, type KubeSecret } from '../backend.js';
import { caBundleProblem } from '../../api/validation/ca-bundle.js';

export interface VaultMaterials {
  tls: VaultTls;
  /** The token, AppRole secret_id or ServiceAccount JWT read from a Secret; absent for other methods. */
  credential?: string;
  /** Issuer uid/generation plus the resourceVersion of every Secret read. */
  version: string;
}

/** Why the materials could not be read: a Secret does not exist (yet), lacks a key, or holds no usable CA bundle. */
export interface MaterialsProblem {
  kind: ProblemKind;
  message: string;
}

type ProblemKind = 'missing' | 'invalid' | 'ca-bundle';

export type MaterialsResult = { materials: VaultMaterials } | { problem: MaterialsProblem };

class Problem extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
  ) {
    super(message);
  }
}

/** Reads each named Secret once and remembers its resourceVersion. */
class SecretSource {
  #secrets = new Map<string, KubeSecret>();
  constructor(
    private readonly ctx: IssuerContext,
    private readonly namespace: string,
  ) {}

  async load(names: Iterable<string>): Promise<void> {
    await Promise.all(
      [...new Set(names)].map(async (name) => {
        const secret = await this.ctx.getSecret(this.namespace, name);
        if (!secret) throw new Problem('missing', `secret "${this.namespace}/${name}" not found`);
        this.#secrets.set(name, secret);
      }),
    );
  }

  /** The text of `ref.key`, trimmed of surrounding whitespace as cert-manager does for credentials. */
  text(ref: SecretKeyRef, trim = false): string {
    const value = secretValue(this.#secrets.get(ref.name)!, ref.key);
    const text = value?.toString('utf8');
    if (!text || (trim && !text.trim())) throw new Problem('invalid', `no data for "${ref.key}" in secret "${this.namespace}/${ref.name}"`);
    return trim ? text.trim() : text;
  }

  get versions(): string {
    return [...this.#secrets.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, s]) => `${name}@${s.metadata.resourceVersion ?? ''}`)
      .join(',');
  }
}

function checkedCaBundle(pem: string, where: string): string {
  const problem = caBundleProblem(Buffer.from(pem).toString('base64'));
  if (problem) throw new Problem('ca-bundle', `invalid CA bundle in ${where}: ${problem}`);
  return pem;
}

function namesToRead(settings: VaultSettings): string[] {
  const auth = settings.auth;
  const names = [settings.caBundleSecret?.name, settings.clientCertificate?.name, settings.clientKey?.name];
  if (auth.kind === 'token') names.push(auth.token.name);
  if (auth.kind === 'appRole') names.push(auth.secretId.name);
  if (auth.kind === 'kubernetes' && 'jwt' in auth) names.push(auth.jwt.name);
  if (auth.kind === 'clientCertificate') names.push(auth.tlsSecretName);
  return names.filter((n): n is string => Boolean(n));
}

/** Every Secret `settings` read, by name (for the issuer controller's Secret watches). */
export const referencedSecretNames = (settings: VaultSettings): string[] => [...new Set(namesToRead(settings))];

export async function readVaultMaterials(settings: VaultSettings, issuer: GenericIssuer, ctx: IssuerContext): Promise<MaterialsResult> {
  const namespace = ctx.resourceNamespace(issuer);
  const secrets = new SecretSource(ctx, namespace);
  try {
    await secrets.load(namesToRead(settings));
    const tls: VaultTls = {};
    if (settings.serverName) tls.serverName = settings.serverName;
    // The inline caBundle was checked with the rest of the spec (vaultSettingsOf), the Secret's is checked here.
    if (settings.caBundlePem) tls.caPem = settings.caBundlePem;
    if (settings.caBundleSecret) tls.caPem = checkedCaBundle(secrets.text(settings.caBundleSecret), `secret "${namespace}/${settings.caBundleSecret.name}"`);
    const auth = settings.auth;
    if (auth.kind === 'clientCertificate' && auth.tlsSecretName) {
      tls.clientCertificatePem = secrets.text({ name: auth.tlsSecretName, key: 'tls.crt' });
      tls.clientKeyPem = secrets.text({ name: auth.tlsSecretName, key: 'tls.key' });
    } else if (settings.clientCertificate && settings.clientKey) {
      tls.clientCertificatePem = secrets.text(settings.clientCertificate);
      tls.clientKeyPem = secrets.text(settings.clientKey);
    }
    let credential: string | undefined;
    if (auth.kind === 'token') credential = secrets.text(auth.token, true);
    if (auth.kind === 'appRole') credential = secrets.text(auth.secretId, true);
    if (auth.kind === 'kubernetes' && 'jwt' in auth) credential = secrets.text(auth.jwt, true);
    const version = `${issuer.metadata.uid ?? issuer.metadata.name}/${issuer.metadata.generation ?? 0}/${secrets.versions}`;
    return { materials: { tls, ...(credential !== undefined ? { credential } : {}), version } };
  } catch (err) {
    if (err instanceof Problem) return { problem: { kind: err.kind, message: err.message } };
    throw err;
  }
}

/**
 * Vault (reference §1.8.4, §2.10): signs CertificateRequests with a Vault PKI `sign` endpoint,
 * authenticating with a token, AppRole, Kubernetes (Secret JWT or a TokenRequest for a
 * ServiceAccount) or a TLS client certificate. Ready once Vault is reachable over the configured
 * TLS, unsealed, accepts the login and lets the token sign at the path; each failure has its own
 * reason (`diagnosis.ts`). One client per issuer is kept while the issuer's generation and its
 * Secrets' resourceVersions stay the same, so one login serves many signings.
 */
import { certificateDurationFor } from '../../api/defaults.js';
import type { CertificateRequest } from '../../api/types.js';
import { isPkiError } from '../../pki/index.js';
import { describeError, type GenericIssuer, type IssuerBackend, type IssuerContext, type IssuerReadiness, type SecretReference, type SignResult } from '../backend.js';
import { requestPem, withCause } from '../signing-request.js';
import { VaultClient } from './client.js';
import { vaultSettingsOf } from './config.js';
import { diagnose, VAULT_REASONS } from './diagnosis.js';
import { VaultResponseError } from './http.js';
import { readVaultMaterials, referencedSecretNames, type MaterialsProblem } from './materials.js';
import { certificatesFromSignResponse, signParameters } from './signing.js';

export { VAULT_REASONS } from './diagnosis.js';
import type { ServiceAccountTokenSource } from './service-account-tokens.js';
export type { ServiceAccountTokenSource } from './service-account-tokens.js';

export const VAULT_VERIFIED_MESSAGE = 'Vault verified';
/** Capabilities that let a token POST to an existing path such as `pki/sign/<role>`. */
const SIGN_CAPABILITIES = ['update', 'create', 'root'];
const DEFAULT_MAX_CLIENTS = 256;

export interface VaultIssuerOptions {
  /** TokenRequest client for Kubernetes auth with `serviceAccountRef`. */
  serviceAccountTokens?: ServiceAccountTokenSource;
  /** Per-request limit on Vault calls (default 30 s). */
  requestTimeoutMs?: number;
  /** Issuers whose client (connection and login) is kept; the least recently used is closed. */
  maxClients?: number;
}

export interface VaultIssuerBackend extends IssuerBackend {
  /** Closes every kept connection. */
  close(): void;
}

const notReady = (reason: string, message: string): IssuerReadiness => ({ status: 'False', reason, message });

function materialsReason(problem: MaterialsProblem): string {
  return problem.kind === 'ca-bundle' ? VAULT_REASONS.tlsError : VAULT_REASONS.secretError;
}

function issuerKey(issuer: GenericIssuer): string {
  return `${issuer.kind}/${issuer.metadata.namespace ?? ''}/${issuer.metadata.name}`;
}

type Prepared = { client: VaultClient } | { problem: { reason: string; message: string; missing: boolean } };

export function createVaultIssuer(options: VaultIssuerOptions = {}): VaultIssuerBackend {
  const clients = new Map<string, VaultClient>();
  const maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS;

  /** The issuer's client for its current settings and Secrets, made (and the old one closed) on change. */
  async function prepare(issuer: GenericIssuer, ctx: IssuerContext): Promise<Prepared> {
    const resolved = vaultSettingsOf(issuer);
    if ('problem' in resolved) return { problem: { reason: VAULT_REASONS.invalidConfig, message: resolved.problem, missing: false } };
    const read = await readVaultMaterials(resolved.settings, issuer, ctx);
    if ('problem' in read) return { problem: { reason: materialsReason(read.problem), message: read.problem.message, missing: read.problem.kind === 'missing' } };
    const key = issuerKey(issuer);
    const kept = clients.get(key);
    clients.delete(key);
    if (kept && kept.version === read.materials.version) {
      clients.set(key, kept);
      return { client: kept };
    }
    kept?.close();
    const client = new VaultClient({
      settings: resolved.settings,
      materials: read.materials,
      resourceNamespace: ctx.resourceNamespace(issuer),
      now: () => ctx.now(),
      ...(options.serviceAccountTokens ? { serviceAccountTokens: options.serviceAccountTokens } : {}),
      ...(options.requestTimeoutMs ? { timeoutMs: options.requestTimeoutMs } : {}),
    });
    clients.set(key, client);
    if (clients.size > maxClients) {
      const [oldestKey, oldest] = clients.entries().next().value!;
      clients.delete(oldestKey);
      oldest.close();
    }
    return { client };
  }

  async function verify(client: VaultClient): Promise<IssuerReadiness> {
    await client.checkHealth();
    const capabilities = await client.signCapabilities();
    if (!capabilities.some((c) => SIGN_CAPABILITIES.includes(c))) {
      const listed = capabilities.length ? capabilities.join(', ') : 'none';
      return notReady(VAULT_REASONS.permissionDenied, `the Vault token may not sign at "${client.settings.policyPath}" (its capabilities there: ${listed})`);
    }
    return { status: 'True', reason: VAULT_REASONS.verified, message: VAULT_VERIFIED_MESSAGE };
  }

  async function setup(issuer: GenericIssuer, ctx: IssuerContext): Promise<IssuerReadiness> {
    const prepared = await prepare(issuer, ctx);
    if ('problem' in prepared) return notReady(prepared.problem.reason, prepared.problem.message);
    try {
      return await verify(prepared.client);
    } catch (err) {
      const diagnosis = diagnose(err);
      if (!diagnosis) throw err;
      return notReady(diagnosis.reason, diagnosis.message);
    }
  }

  async function sign(request: CertificateRequest, issuer: GenericIssuer, ctx: IssuerContext): Promise<SignResult> {
    const prepared = await prepare(issuer, ctx);
    if ('problem' in prepared) {
      const { missing, message } = prepared.problem;
      return { state: 'pending', reason: missing ? 'SecretMissing' : 'VaultInitError', message: withCause('Failed to initialise vault client for signing', new Error(message)) };
    }
    let parameters: Record<string, string>;
    try {
      parameters = signParameters(requestPem(request), certificateDurationFor(request.spec));
    } catch (err) {
      if (isPkiError(err)) return { state: 'failed', reason: 'SigningError', message: withCause('Failed to decode CSR for signing', err) };
      throw err;
    }
    let data: Record<string, unknown>;
    try {
      data = await prepared.client.sign(parameters);
    } catch (err) {
      // Vault refusing this request (a name the role does not allow, a TTL over its maximum) will not change on retry.
      if (err instanceof VaultResponseError && err.status >= 400 && err.status < 500 && err.status !== 403 && err.status !== 429) {
        return { state: 'failed', reason: 'SigningError', message: withCause('Vault failed to sign certificate', err) };
      }
      const diagnosis = diagnose(err);
      if (!diagnosis) throw err;
      return { state: 'pending', reason: diagnosis.reason, message: withCause('Vault failed to sign certificate', new Error(diagnosis.message)) };
    }
    try {
      const { certificatePem, caPem } = certificatesFromSignResponse(data);
      return { state: 'issued', certificatePem, caPem };
    } catch (err) {
      return { state: 'failed', reason: 'SigningError', message: `Failed to decode the certificate returned by Vault: ${describeError(err)}` };
    }
  }

  function referencedSecrets(issuer: GenericIssuer, ctx: IssuerContext): SecretReference[] {
    const resolved = vaultSettingsOf(issuer);
    if ('problem' in resolved) return [];
    const namespace = ctx.resourceNamespace(issuer);
    return referencedSecretNames(resolved.settings).map((name) => ({ namespace, name }));
  }

  return {
    type: 'vault',
    setup,
    sign,
    referencedSecrets,
    close: () => {
      for (const client of clients.values()) client.close();
      clients.clear();
    },
  };
}

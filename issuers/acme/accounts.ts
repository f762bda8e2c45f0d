/**
 * ACME accounts per issuer: the account key Secret (generated when missing unless
 * `disableAccountKeyGeneration`), the EAB key, the TLS trust settings, and one AcmeClient per
 * distinct configuration, reused by the issuer, Order and Challenge controllers. Keys stay in
 * memory only as PEM handed to the client; errors name Secrets, never their contents.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import type { AcmeRequestObservation } from '../../controller/observability/metrics.js';
import type { KubeClient } from '../../controller/runtime/client.js';
import { objectKey } from '../../controller/runtime/keys.js';
import { SECRETS } from '../../controller/runtime/resources.js';
import { isPkiError, parseCertificateBundle, parsePrivateKey, spkiOf } from '../../pki/index.js';
import { secretValue, type GenericIssuer, type IssuerContext, type KubeSecret } from '../backend.js';
import { AcmeClient } from './client.js';

export const DEFAULT_ACCOUNT_KEY_SECRET_KEY = 'tls.key';
const ACCOUNT_KEY_BITS = 2048;

/** Why an issuer has no usable account configuration; `reason` is the Ready reason to show. */
export class AccountConfigError extends Error {
  override readonly name = 'AccountConfigError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface AccountsOptions {
  /** Creates the account key Secret when it is missing. */
  client: KubeClient;
  onRequest?: (observation: AcmeRequestObservation) => void;
  now?: () => number;
}

export interface IssuerAccount {
  client: AcmeClient;
  /** SHA-256 of the account public key (status.acme.lastPrivateKeyHash); identifies the key, reveals nothing. */
  keyHash: string;
  /** The email this client registered the account with (newAccount answered); a second setup before status.acme is written need not send it again. */
  registeredEmail?: string;
}

/** status.acme.lastPrivateKeyHash for a key: base64 SHA-256 of its SubjectPublicKeyInfo. */
export function accountKeyHash(keyPem: string): string {
  return createHash('sha256').update(spkiOf(parsePrivateKey(keyPem))).digest('base64');
}

/** Checks of spec.acme that need no network: the server URL and caBundle. */
export function validateAcmeConfig(issuer: GenericIssuer): AccountConfigError | undefined {
  const acme = issuer.spec.acme;
  if (!acme) return new AccountConfigError('InvalidConfig', 'spec.acme is not set');
  let url: URL;
  try {
    url = new URL(acme.server);
  } catch {
    return new AccountConfigError('InvalidURL', `Failed to parse existing ACME server URI "${acme.server}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return new AccountConfigError('InvalidURL', `ACME server URI "${acme.server}" is not an http(s) URL`);
  if (/^acme(-staging)?\.api\.letsencrypt\.org$/.test(url.host)) {
    return new AccountConfigError('InvalidConfig', `Your ACME server URL is set to a v1 endpoint (${acme.server}). You should update the spec.acme.server field to "https://acme-v02.api.letsencrypt.org/directory"`);
  }
  if (acme.caBundle) {
    try {
      if (parseCertificateBundle(Buffer.from(acme.caBundle, 'base64').toString('utf8')).length === 0) throw new Error('no certificates');
    } catch (err) {
      return new AccountConfigError('InvalidConfig', `spec.acme.caBundle does not contain any valid certificates: ${isPkiError(err) || err instanceof Error ? err.message : String(err)}`);
    }
  }
  return undefined;
}

export class AcmeAccounts {
  #options: AccountsOptions;
  /** Issuer key → the client built for its current configuration. */
  #clients = new Map<string, { fingerprint: string; account: IssuerAccount }>();

  constructor(options: AccountsOptions) {
    this.#options = options;
  }

  /**
   * The account of `issuer`, generating the key Secret when allowed and missing. The client's
   * account URL is `status.acme.uri` (when registered). Throws AccountConfigError for a
   * configuration problem the user must fix.
   */
  async accountFor(issuer: GenericIssuer, ctx: IssuerContext, options: { generateKey: boolean }): Promise<IssuerAccount> {
    const acme = issuer.spec.acme;
    const invalid = validateAcmeConfig(issuer);
    if (invalid || !acme) throw invalid;
    const keyPem = await this.#accountKey(issuer, ctx, options.generateKey);
    const keyHash = accountKeyHash(keyPem);
    const eab = await this.#externalAccountBinding(issuer, ctx);
    const caBundlePem = acme.caBundle ? Buffer.from(acme.caBundle, 'base64').toString('utf8') : undefined;
    const accountUrl = issuer.status?.acme?.uri;
    const fingerprint = JSON.stringify([acme.server, keyHash, eab?.kid, eab && createHash('sha256').update(eab.hmacKey).digest('hex'), caBundlePem, acme.skipTLSVerify === true]);
    const key = objectKey(issuer);
    const cached = this.#clients.get(key);
    // The client that registered the account knows its URL before status.acme.uri does: keep it (its directory and nonces).
    if (cached?.fingerprint === fingerprint && (accountUrl === undefined || cached.account.client.accountUrl === accountUrl)) return cached.account;
    const client = await AcmeClient.connect({
      directoryUrl: acme.server,
      accountKeyPem: keyPem,
      ...(accountUrl ? { accountUrl } : {}),
      ...(eab ? { externalAccountBinding: eab } : {}),
      ...(caBundlePem ? { caBundlePem } : {}),
      ...(acme.skipTLSVerify ? { skipTLSVerify: true } : {}),
      ...(this.#options.onRequest ? { onRequest: this.#options.onRequest } : {}),
      ...(this.#options.now ? { now: this.#options.now } : {}),
    });
    const account: IssuerAccount = { client, keyHash };
    this.#clients.set(key, { fingerprint, account });
    return account;
  }

  /** Drops the client of an issuer that is gone. */
  forget(issuer: GenericIssuer): void {
    this.#clients.delete(objectKey(issuer));
  }

  async #accountKey(issuer: GenericIssuer, ctx: IssuerContext, generate: boolean): Promise<string> {
    const ref = issuer.spec.acme!.privateKeySecretRef;
    const namespace = ctx.resourceNamespace(issuer);
    const dataKey = ref.key || DEFAULT_ACCOUNT_KEY_SECRET_KEY;
    // Registration reads the API itself: a Secret just deleted must not be seen through a reuse window.
    const secret = generate ? await this.#options.client.find<KubeSecret>(SECRETS, { namespace, name: ref.name }) : await ctx.getSecret(namespace, ref.name);
    const value = secret && secretValue(secret, dataKey);
    if (value) {
      try {
        parsePrivateKey(value.toString('utf8'));
      } catch (err) {
        throw new AccountConfigError('ErrRegisterACMEAccount', `Failed to parse ACME account key in secret ${namespace}/${ref.name} key "${dataKey}": ${err instanceof Error ? err.message : String(err)}`);
      }
      return value.toString('utf8');
    }
    if (issuer.spec.acme!.disableAccountKeyGeneration || !generate) {
      throw new AccountConfigError('ErrRegisterACMEAccount', `Failed to verify ACME account: secret ${namespace}/${ref.name} ${secret ? `has no "${dataKey}" data` : 'not found'} and disableAccountKeyGeneration is set`);
    }
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: ACCOUNT_KEY_BITS });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
    const data = { ...secret?.data, [dataKey]: Buffer.from(pem).toString('base64') };
    if (secret) await this.#options.client.update<KubeSecret>(SECRETS, { ...secret, data });
    else await this.#options.client.create<KubeSecret>(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: ref.name, namespace }, type: 'Opaque', data });
    return pem;
  }

  async #externalAccountBinding(issuer: GenericIssuer, ctx: IssuerContext): Promise<{ kid: string; hmacKey: string } | undefined> {
    const eab = issuer.spec.acme!.externalAccountBinding;
    if (!eab) return undefined;
    const namespace = ctx.resourceNamespace(issuer);
    const secret = await ctx.getSecret(namespace, eab.keySecretRef.name);
    const dataKey = eab.keySecretRef.key || 'secret';
    const value = secret && secretValue(secret, dataKey);
    if (!value) throw new AccountConfigError('ErrRegisterACMEAccount', `Failed to read external account binding key from secret ${namespace}/${eab.keySecretRef.name} key "${dataKey}"`);
    return { kid: eab.keyID, hmacKey: value.toString('utf8').trim() };
  }
}

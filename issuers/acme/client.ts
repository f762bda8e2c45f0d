/**
 * One ACME account's connection to one ACME server. acme-client does the JWS signing, nonces
 * (badNonce retried with the fresh nonce) and EAB; this class adds what certwright needs around
 * it: a pool of the Replay-Nonces responses carry, so signed requests rarely need `HEAD newNonce`; per-issuer TLS trust (caBundle / skipTLSVerify), every non-success response as an
 * AcmeProblemError with its type and Retry-After, no sleeping retries inside a request (controllers
 * requeue instead), cert-manager's per-request metrics with action labels, ARI renewalInfo and the
 * directory's profiles.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, createPublicKey } from 'node:crypto';
import { Agent } from 'node:https';
import { performance } from 'node:perf_hooks';
import type acmeLibrary from 'acme-client';
import type { AcmeClientAction, AcmeRequestObservation } from '../../controller/observability/metrics.js';
import { NoncePool } from './nonce-pool.js';
import { ACME_ERROR_PREFIX, AcmeProblemError, parseRetryAfter, Problem, type ProblemDocument } from './problem.js';

export interface AcmeClientOptions {
  directoryUrl: string;
  /** PEM of the account private key; never logged. */
  accountKeyPem: string;
  /** Known account URL (status.acme.uri); requests are signed with it as `kid`. */
  accountUrl?: string;
  /** `hmacKey` is the base64url key from `keySecretRef`. */
  externalAccountBinding?: { kid: string; hmacKey: string };
  /** Extra CAs trusted for the ACME server's TLS certificate (`caBundle`). */
  caBundlePem?: string;
  skipTLSVerify?: boolean;
  /** Each HTTP request, for `certmanager_http_acme_client_request_*`. */
  onRequest?: (observation: AcmeRequestObservation) => void;
  now?: () => number;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
}

/** The RFC 8555 directory members certwright reads. */
export interface AcmeDirectory {
  newAccount: string;
  newOrder: string;
  renewalInfo?: string;
  meta?: { termsOfService?: string; externalAccountRequired?: boolean; profiles?: Record<string, string> };
}

export interface AcmeIdentifier {
  type: 'dns' | 'ip';
  value: string;
}

export interface AcmeOrder {
  url: string;
  status: string;
  identifiers: AcmeIdentifier[];
  authorizations: string[];
  finalize: string;
  certificate?: string;
  error?: ProblemDocument;
  /** When the server asked to be polled again (Retry-After), ms since the epoch. */
  retryAt?: number;
}

export interface AcmeChallengeObject {
  type: string;
  url: string;
  token: string;
  status: string;
  error?: ProblemDocument;
}

export interface AcmeAuthorization {
  url: string;
  status: string;
  identifier: AcmeIdentifier;
  wildcard?: boolean;
  challenges: AcmeChallengeObject[];
  retryAt?: number;
}

export interface NewOrderRequest {
  identifiers: AcmeIdentifier[];
  notAfter?: string;
  profile?: string;
  /** ARI CertID of the certificate this order replaces. */
  replaces?: string;
}

export interface RenewalInfo {
  suggestedWindow: { start: string; end: string };
  explanationURL?: string;
  /** Retry-After as an absolute time, when sent. */
  retryAt?: number;
}

/** The acme-client internals used here: its HTTP client (signing, nonces) and API wrapper. */
interface AcmeHttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  data: unknown;
}
interface AcmeHttpClient {
  maxBadNonceRetries: number;
  request(url: string, method: string, opts?: Record<string, unknown>): Promise<AcmeHttpResponse>;
  getDirectory(): Promise<AcmeDirectory>;
  /** `HEAD newNonce`; signedRequest calls it when it has no nonce to sign with. */
  getNonce(): Promise<string>;
}
interface AcmeApiClient {
  accountUrl: string | null;
  apiRequest(url: string, payload: unknown, validStatusCodes: number[], opts?: { includeJwsKid?: boolean; includeExternalAccountBinding?: boolean }): Promise<AcmeHttpResponse>;
}

/** acme-client's axios interceptor sleeps and retries 429/5xx up to 5 times; a request marked as past that count is not retried. */
const NO_INTERCEPTOR_RETRY = 1_000;
/** badNonce is retried with the fresh nonce the error carries; enough for Pebble's 50 % rejection. */
const BAD_NONCE_RETRIES = 12;
const DEFAULT_TIMEOUT_MS = 30_000;

const currentAction = new AsyncLocalStorage<AcmeClientAction>();

type AcmeLibrary = typeof acmeLibrary;
let loadingLibrary: Promise<AcmeLibrary> | undefined;

/**
 * acme-client, imported with the first ACME account: with axios and @peculiar/x509 it adds ~16 MiB
 * RSS to a controller that may never meet an ACME Issuer.
 */
function loadAcmeLibrary(): Promise<AcmeLibrary> {
  loadingLibrary ??= import('acme-client').then((module) => module.default);
  return loadingLibrary;
}

/** RFC 7638 JWK thumbprint of the account key, base64url. */
export function jwkThumbprint(accountKeyPem: string): string {
  const jwk = createPublicKey(accountKeyPem).export({ format: 'jwk' }) as Record<string, string>;
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** HTTP-01 key authorization (RFC 8555 §8.1). */
export function keyAuthorization(token: string, thumbprint: string): string {
  return `${token}.${thumbprint}`;
}

/** DNS-01 TXT value: base64url(SHA-256(key authorization)) (RFC 8555 §8.4). */
export function dns01TxtValue(keyAuth: string): string {
  return createHash('sha256').update(keyAuth).digest('base64url');
}

export class AcmeClient {
  readonly directoryUrl: string;
  readonly thumbprint: string;
  #http: AcmeHttpClient;
  #api: AcmeApiClient;
  #now: () => number;

  /** A client for `options`' account, acme-client loaded first when this is the first one. */
  static async connect(options: AcmeClientOptions): Promise<AcmeClient> {
    return new AcmeClient(options, await loadAcmeLibrary());
  }

  private constructor(options: AcmeClientOptions, acme: AcmeLibrary) {
    this.directoryUrl = options.directoryUrl;
    this.thumbprint = jwkThumbprint(options.accountKeyPem);
    this.#now = options.now ?? Date.now;
    const inner = new acme.Client({
      directoryUrl: options.directoryUrl,
      accountKey: options.accountKeyPem,
      ...(options.accountUrl ? { accountUrl: options.accountUrl } : {}),
      ...(options.externalAccountBinding ? { externalAccountBinding: options.externalAccountBinding } : {}),
    }) as unknown as { http: AcmeHttpClient; api: AcmeApiClient };
    this.#http = inner.http;
    this.#api = inner.api;
    this.#http.maxBadNonceRetries = BAD_NONCE_RETRIES;
    const agent = new Agent({
      keepAlive: true,
      ...(options.caBundlePem ? { ca: options.caBundlePem } : {}),
      ...(options.skipTLSVerify ? { rejectUnauthorized: false } : {}),
    });
    const send = this.#http.request.bind(this.#http);
    const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const nonces = new NoncePool();
    const fetchNonce = this.#http.getNonce.bind(this.#http);
    this.#http.getNonce = async () => nonces.take() ?? fetchNonce();
    this.#http.request = async (url, method, opts = {}) => {
      const started = performance.now();
      let status: number | undefined;
      try {
        const response = await send(url, method, { ...opts, httpsAgent: agent, timeout, retryAttempt: NO_INTERCEPTOR_RETRY });
        status = response.status;
        if (!spendsItsOwnNonce(method, response)) nonces.add(response.headers['replay-nonce']);
        return response;
      } finally {
        options.onRequest?.({
          url,
          method,
          // The directory is fetched (and cached) inside whatever operation first needs it.
          action: url === options.directoryUrl ? 'discover' : (currentAction.getStore() ?? 'unnamed_action'),
          ...(status !== undefined ? { status } : {}),
          durationSeconds: (performance.now() - started) / 1000,
        });
      }
    };
  }

  get accountUrl(): string | undefined {
    return this.#api.accountUrl ?? undefined;
  }

  keyAuthorization(token: string): string {
    return keyAuthorization(token, this.thumbprint);
  }

  async directory(): Promise<AcmeDirectory> {
    return currentAction.run('discover', () => this.#http.getDirectory());
  }

  /**
   * newAccount (RFC 8555 §7.3): creates the account or, for a key already registered, returns it
   * (then the contact is brought up to date). Returns the account URL.
   */
  async register(email: string | undefined): Promise<string> {
    const contact = email ? [`mailto:${email}`] : [];
    const response = await currentAction.run('register_account', async () => {
      const directory = await this.#http.getDirectory();
      return this.#api.apiRequest(directory.newAccount, { termsOfServiceAgreed: true, contact }, [], { includeJwsKid: false, includeExternalAccountBinding: true });
    });
    this.#expect(response, [200, 201]);
    const url = response.headers.location;
    if (!url) throw new Error('the ACME server did not return an account URL');
    this.#api.accountUrl = url;
    const existing = response.data as { contact?: string[] };
    if (response.status === 200 && JSON.stringify(existing.contact ?? []) !== JSON.stringify(contact)) await this.updateContact(email);
    return url;
  }

  async updateContact(email: string | undefined): Promise<void> {
    const response = await currentAction.run('update_registration', () => this.#api.apiRequest(this.#requireAccount(), { contact: email ? [`mailto:${email}`] : [] }, []));
    this.#expect(response, [200]);
  }

  async newOrder(request: NewOrderRequest): Promise<AcmeOrder> {
    const response = await currentAction.run('authorize_order', async () => {
      const directory = await this.#http.getDirectory();
      return this.#api.apiRequest(directory.newOrder, request, []);
    });
    this.#expect(response, [201]);
    const url = response.headers.location;
    if (!url) throw new Error('the ACME server did not return an order URL');
    return this.#withRetry({ ...(response.data as Omit<AcmeOrder, 'url'>), url }, response);
  }

  async getOrder(url: string): Promise<AcmeOrder> {
    const response = await currentAction.run('get_order', () => this.#api.apiRequest(url, null, []));
    this.#expect(response, [200]);
    return this.#withRetry({ ...(response.data as Omit<AcmeOrder, 'url'>), url }, response);
  }

  async getAuthorization(url: string): Promise<AcmeAuthorization> {
    const response = await currentAction.run('get_authorization', () => this.#api.apiRequest(url, null, []));
    this.#expect(response, [200]);
    return this.#withRetry({ ...(response.data as Omit<AcmeAuthorization, 'url'>), url }, response);
  }

  /** Tells the server the challenge is ready to be validated (POST `{}`). */
  async acceptChallenge(url: string): Promise<AcmeChallengeObject> {
    const response = await currentAction.run('accept_challenge', () => this.#api.apiRequest(url, {}, []));
    this.#expect(response, [200]);
    return response.data as AcmeChallengeObject;
  }

  async finalize(order: Pick<AcmeOrder, 'url' | 'finalize'>, csrDer: Buffer): Promise<AcmeOrder> {
    const response = await currentAction.run('create_order_cert', () => this.#api.apiRequest(order.finalize, { csr: csrDer.toString('base64url') }, []));
    this.#expect(response, [200]);
    return this.#withRetry({ ...(response.data as Omit<AcmeOrder, 'url'>), url: order.url }, response);
  }

  /** The certificate chain at `url` (PEM) and the alternate chains the server links to. */
  async downloadCertificate(url: string): Promise<{ chain: string; alternates: string[] }> {
    const response = await currentAction.run('fetch_cert', () => this.#api.apiRequest(url, null, []));
    this.#expect(response, [200]);
    const links = alternateLinks(response.headers.link);
    const alternates: string[] = [];
    for (const link of links) {
      const alternate = await currentAction.run('list_cert_alternates', () => this.#api.apiRequest(link, null, []));
      this.#expect(alternate, [200]);
      alternates.push(String(alternate.data));
    }
    return { chain: String(response.data), alternates };
  }

  /** ARI (RFC 9773 §4.1): unauthenticated GET `{renewalInfo}/{certId}`; undefined when the server has no renewalInfo. */
  async renewalInfo(certId: string): Promise<RenewalInfo | undefined> {
    return currentAction.run('get_renewal_info', async () => {
      const directory = await this.#http.getDirectory();
      if (!directory.renewalInfo) return undefined;
      const response = await this.#http.request(`${directory.renewalInfo.replace(/\/$/, '')}/${certId}`, 'get');
      this.#expect(response, [200]);
      const info = response.data as Partial<RenewalInfo>;
      if (!info.suggestedWindow?.start || !info.suggestedWindow.end) throw new Error('renewalInfo response has no suggestedWindow');
      const retryAt = parseRetryAfter(response.headers['retry-after'], this.#now());
      return { suggestedWindow: info.suggestedWindow, ...(info.explanationURL ? { explanationURL: info.explanationURL } : {}), ...(retryAt ? { retryAt } : {}) };
    });
  }

  #requireAccount(): string {
    if (!this.#api.accountUrl) throw new Error('no ACME account registered yet');
    return this.#api.accountUrl;
  }

  #withRetry<T extends object>(object: T, response: AcmeHttpResponse): T & { retryAt?: number } {
    const retryAt = parseRetryAfter(response.headers['retry-after'], this.#now());
    return retryAt === undefined ? object : { ...object, retryAt };
  }

  #expect(response: AcmeHttpResponse, statuses: number[]): void {
    if (statuses.includes(response.status)) return;
    const data = response.data;
    const problem: ProblemDocument = data && typeof data === 'object' ? (data as ProblemDocument) : { detail: typeof data === 'string' ? data.slice(0, 200) : '' };
    throw new AcmeProblemError(response.status, problem, parseRetryAfter(response.headers['retry-after'], this.#now()));
  }
}

/**
 * acme-client spends some responses' Replay-Nonce itself: newNonce's (getNonce returns it) and a
 * badNonce answer's (the retry is signed with it). Pooling those too would send them twice.
 */
export function spendsItsOwnNonce(method: string, response: Pick<AcmeHttpResponse, 'status' | 'data'>): boolean {
  if (method.toLowerCase() === 'head') return true;
  const type = (response.data as { type?: unknown } | null | undefined)?.type;
  return response.status === 400 && type === `${ACME_ERROR_PREFIX}${Problem.badNonce}`;
}

/** `Link: <url>;rel="alternate"` targets (RFC 8555 §7.4.2). */
export function alternateLinks(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  const links: string[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const match = /<([^>]+)>\s*;\s*rel="?alternate"?/i.exec(part);
      if (match) links.push(match[1]!);
    }
  }
  return links;
}

/**
 * A Vault client for one issuer configuration (one materials version): health, login, capability
 * check and signing. The login token is kept and shared by every signing; it is renewed (when
 * renewable) once two thirds of its lease have passed and acquired again by a new login when it
 * cannot be renewed or Vault stops accepting it. Concurrent callers share one login in flight.
 */
import type { VaultAuthMethod, VaultSettings } from './config.js';
import { VaultHttp, VaultResponseError, type VaultReply } from './http.js';
import type { VaultMaterials } from './materials.js';
import { SERVICE_ACCOUNT_TOKEN_SECONDS, type ServiceAccountTokenSource } from './service-account-tokens.js';

/** A renewal that leaves less than this is not worth keeping: log in again instead. */
const MIN_USEFUL_LEASE_MS = 10_000;

/** Sealed, uninitialised or otherwise unable to serve, as `sys/health` tells. */
export class VaultUnhealthyError extends Error {
  override readonly name = 'VaultUnhealthyError';
  constructor(
    readonly status: number,
    readonly state: 'sealed' | 'uninitialized' | 'unavailable',
  ) {
    super(
      state === 'sealed'
        ? `Vault is sealed (sys/health answered ${status})`
        : state === 'uninitialized'
          ? `Vault is not initialized (sys/health answered ${status})`
          : `Vault cannot serve requests (sys/health answered ${status})`,
    );
  }
}

/** The auth method's login was refused; `cause` is Vault's answer or the connection error. */
export class VaultLoginError extends Error {
  override readonly name = 'VaultLoginError';
  constructor(
    readonly method: VaultAuthMethod['kind'],
    readonly path: string,
    override readonly cause: unknown,
  ) {
    super(`${method} login at ${path} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** sys/health codes of a Vault that serves: active, standby, DR secondary, performance standby. */
const SERVING_HEALTH_CODES = new Set([200, 429, 472, 473]);

interface Login {
  token: string;
  obtainedAt: number;
  /** 0 for a token without expiry. */
  leaseMs: number;
  renewable: boolean;
}

export interface VaultClientOptions {
  settings: VaultSettings;
  materials: VaultMaterials;
  /** Where the issuer's Secrets and ServiceAccounts live. */
  resourceNamespace: string;
  now: () => number;
  serviceAccountTokens?: ServiceAccountTokenSource;
  timeoutMs?: number;
}

function loginFrom(reply: VaultReply, now: number): Login {
  const auth = reply.body.auth as { client_token?: unknown; lease_duration?: unknown; renewable?: unknown } | null | undefined;
  if (!auth || typeof auth.client_token !== 'string' || auth.client_token === '') throw new Error('Vault answered without auth.client_token');
  const leaseSeconds = typeof auth.lease_duration === 'number' && auth.lease_duration > 0 ? auth.lease_duration : 0;
  return { token: auth.client_token, obtainedAt: now, leaseMs: leaseSeconds * 1000, renewable: auth.renewable === true };
}

export class VaultClient {
  readonly version: string;
  readonly settings: VaultSettings;
  readonly #http: VaultHttp;
  readonly #options: VaultClientOptions;
  #login: Login | undefined;
  #loggingIn: Promise<Login> | undefined;

  constructor(options: VaultClientOptions) {
    this.#options = options;
    this.settings = options.settings;
    this.version = options.materials.version;
    this.#http = new VaultHttp({
      server: options.settings.server,
      tls: options.materials.tls,
      ...(options.settings.namespace ? { namespace: options.settings.namespace } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  }

  /** Throws VaultUnhealthyError unless `sys/health` says Vault serves (a standby counts: it forwards). */
  async checkHealth(): Promise<void> {
    const reply = await this.#http.request({ method: 'GET', path: '/v1/sys/health', namespaced: false }, () => true);
    if (SERVING_HEALTH_CODES.has(reply.status)) return;
    throw new VaultUnhealthyError(reply.status, reply.status === 503 ? 'sealed' : reply.status === 501 ? 'uninitialized' : 'unavailable');
  }

  /** A token to call Vault with: the static one, the kept login, a renewal, or a new login. */
  async token(): Promise<string> {
    const auth = this.settings.auth;
    if (auth.kind === 'token') return this.#options.materials.credential!;
    const login = this.#login;
    const now = this.#options.now();
    if (login && (login.leaseMs === 0 || now < login.obtainedAt + (login.leaseMs * 2) / 3)) return login.token;
    this.#loggingIn ??= this.#renewOrLogIn(login).finally(() => (this.#loggingIn = undefined));
    return (await this.#loggingIn).token;
  }

  /** Forgets the kept login after Vault refused its token, so the next call logs in again. */
  dropLogin(token: string): boolean {
    if (this.settings.auth.kind === 'token' || this.#login?.token !== token) return false;
    this.#login = undefined;
    return true;
  }

  /** The token's capabilities on the sign path (`sys/capabilities-self`). */
  async signCapabilities(): Promise<string[]> {
    const token = await this.token();
    const reply = await this.#http.request({ method: 'POST', path: '/v1/sys/capabilities-self', body: { paths: [this.settings.policyPath] }, token, namespaced: true });
    const listed = reply.body[this.settings.policyPath] ?? reply.body.capabilities;
    return Array.isArray(listed) ? listed.filter((c): c is string => typeof c === 'string') : [];
  }

  /** POSTs `parameters` to the sign path; a refused kept login is replaced once. Returns `data`. */
  async sign(parameters: Record<string, string>): Promise<Record<string, unknown>> {
    const token = await this.token();
    let reply: VaultReply;
    try {
      reply = await this.#postSign(token, parameters);
    } catch (err) {
      if (!(err instanceof VaultResponseError && err.status === 403 && this.dropLogin(token))) throw err;
      reply = await this.#postSign(await this.token(), parameters);
    }
    const data = reply.body.data;
    if (!data || typeof data !== 'object') throw new Error('Vault answered without data');
    return data as Record<string, unknown>;
  }

  #postSign(token: string, parameters: Record<string, string>): Promise<VaultReply> {
    return this.#http.request({ method: 'POST', path: this.settings.signPath, body: parameters, token, namespaced: true });
  }

  close(): void {
    this.#http.close();
  }

  async #renewOrLogIn(previous: Login | undefined): Promise<Login> {
    const now = this.#options.now();
    if (previous?.renewable && now < previous.obtainedAt + previous.leaseMs - MIN_USEFUL_LEASE_MS) {
      try {
        const reply = await this.#http.request({ method: 'POST', path: '/v1/auth/token/renew-self', body: {}, token: previous.token, namespaced: true });
        const renewed = loginFrom(reply, this.#options.now());
        if (renewed.leaseMs >= MIN_USEFUL_LEASE_MS) return (this.#login = renewed);
      } catch (err) {
        // A token Vault will not renew is replaced by a new login; anything else is worth retrying as is.
        if (!(err instanceof VaultResponseError) || err.status >= 500) throw err;
      }
    }
    this.#login = undefined;
    return (this.#login = await this.#logIn());
  }

  async #logIn(): Promise<Login> {
    const auth = this.settings.auth;
    if (auth.kind === 'token') throw new Error('a static token does not log in');
    let body: Record<string, unknown>;
    try {
      body = await this.#loginBody(auth);
    } catch (err) {
      throw new VaultLoginError(auth.kind, auth.loginPath, err);
    }
    let reply: VaultReply;
    try {
      reply = await this.#http.request({ method: 'POST', path: auth.loginPath, body, namespaced: true });
    } catch (err) {
      throw new VaultLoginError(auth.kind, auth.loginPath, err);
    }
    return loginFrom(reply, this.#options.now());
  }

  async #loginBody(auth: Exclude<VaultAuthMethod, { kind: 'token' }>): Promise<Record<string, unknown>> {
    switch (auth.kind) {
      case 'appRole':
        return { role_id: auth.roleId, secret_id: this.#options.materials.credential };
      case 'clientCertificate':
        return auth.certificateRole ? { name: auth.certificateRole } : {};
      case 'kubernetes': {
        if ('jwt' in auth) return { role: auth.role, jwt: this.#options.materials.credential };
        const tokens = this.#options.serviceAccountTokens;
        if (!tokens) throw new Error('ServiceAccount tokens cannot be requested here (no TokenRequest client configured)');
        const jwt = await tokens({
          namespace: this.#options.resourceNamespace,
          name: auth.serviceAccount.name,
          audiences: auth.serviceAccount.audiences,
          expirationSeconds: SERVICE_ACCOUNT_TOKEN_SECONDS,
        });
        return { role: auth.role, jwt };
      }
    }
  }
}

/**
 * An HTTP-level Vault double for tests: the endpoints certwright calls, with Vault's documented
 * request and response shapes (https://developer.hashicorp.com/vault/api-docs):
 *
 * - `GET /v1/sys/health`: 200 active, 429 standby, 473 performance standby, 501 not initialised,
 *   503 sealed; never namespaced.
 * - `POST /v1/auth/<approle>/login {role_id, secret_id}`, `/v1/auth/<kubernetes>/login {role, jwt}`
 *   (the JWT checked by a token reviewer, as Vault's TokenReview call), `/v1/auth/<cert>/login {name}`
 *   (the TLS client certificate checked against the role's CA): `{"auth": {client_token,
 *   lease_duration, renewable, policies}}`.
 * - `POST /v1/auth/token/renew-self`, `POST /v1/sys/capabilities-self {paths}`.
 * - `POST /v1/<mount>/sign/<role>` with the CSR and cert-manager's string fields, signed by a real
 *   CA from pki/ (NotBefore backdated 30 s, TTL capped at the role's max_ttl, SANs from the CSR as
 *   with `use_csr_sans`): `{"data": {certificate, issuing_ca, ca_chain, serial_number, expiration}}`.
 *
 * Errors are `{"errors": [...]}` with Vault's status codes (400 bad request or refused login, 403
 * permission denied, 404 no route, 503 sealed). With `namespace` set, every mount lives in that
 * Vault Enterprise namespace: requests without the matching `X-Vault-Namespace` find no route.
 * Everything listens on 127.0.0.1 on a free port. Requests are recorded for assertions.
 */
import { randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { parseDuration } from '../../../api/duration.js';
import { parseCsr, signCertificate, type CsrInfo } from '../../../pki/index.js';
import { listenOnLoopback, readRequestBody, type LoopbackListener } from '../loopback.js';

export type HealthState = 'active' | 'standby' | 'performance-standby' | 'sealed' | 'uninitialized';

const HEALTH_STATUS: Record<HealthState, number> = { active: 200, standby: 429, 'performance-standby': 473, uninitialized: 501, sealed: 503 };

export interface TokenGrant {
  policies: string[];
  /** Lease in seconds; 0 never expires (root-like). */
  ttlSeconds: number;
  renewable?: boolean;
  /** Renewals never extend past this many seconds from login (Vault's token_max_ttl). */
  maxTtlSeconds?: number;
}

export interface ServiceAccountIdentity {
  namespace: string;
  name: string;
  audiences: string[];
}

export interface VaultDoubleOptions {
  /** Serve HTTPS with this certificate; plain HTTP without. */
  tls?: {
    certificatePem: string;
    keyPem: string;
    /** Ask for client certificates, trusted when issued by these CAs. */
    clientCaPem?: string;
    /** Refuse the TLS handshake without a trusted client certificate (tls_require_and_verify_client_cert). */
    requireClientCertificate?: boolean;
  };
  /** The Vault Enterprise namespace every mount lives in. */
  namespace?: string;
  pki: {
    mount: string;
    role: string;
    /** The CA that signs (an intermediate, usually). */
    signer: { certificatePem: string; key: KeyObject };
    /** `ca_chain`: the signer and its issuers, nearest first. */
    caChainPems: string[];
    maxTtlSeconds?: number;
  };
  /** Policy name → the paths it may update (`*` at the end matches a prefix). */
  policies: Record<string, string[]>;
  /** Tokens that exist from the start (tokenSecretRef). */
  tokens?: Record<string, TokenGrant>;
  appRole?: { mount?: string; roles: Record<string, { roleId: string; secretId: string } & TokenGrant> };
  kubernetes?: {
    mount?: string;
    roles: Record<string, { serviceAccountNames: string[]; serviceAccountNamespaces: string[]; audience?: string } & TokenGrant>;
    /** Vault's TokenReview: who the JWT belongs to and its audiences, or undefined when not valid. */
    reviewToken: (jwt: string) => Promise<ServiceAccountIdentity | undefined> | ServiceAccountIdentity | undefined;
  };
  cert?: { mount?: string; roles: Record<string, { caPem: string } & TokenGrant> };
  /** Clock for token leases, in ms; default Date.now. */
  now?: () => number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  namespace?: string;
  token?: string;
  body: Record<string, unknown>;
  clientCertificate: boolean;
}

interface IssuedToken extends TokenGrant {
  namespace: string | undefined;
  issuedAt: number;
  expiresAt: number;
}

interface Fault {
  path: string;
  status: number;
  errors: string[];
  times: number;
}

class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
  ) {
    super(errors.join('; '));
  }
}

const permissionDenied = () => new VaultError(403, ['permission denied']);
const b64url = (bytes: number) => randomBytes(bytes).toString('base64url');

function pathAllowed(patterns: readonly string[], path: string): boolean {
  return patterns.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : p === path));
}

/** Vault's TTL parameters: a Go duration (`2160h0m0s`) or a number of seconds. */
function parseTtlSeconds(ttl: string): number {
  if (/^\d+$/.test(ttl)) return Number(ttl);
  return parseDuration(ttl) / 1000;
}

export class VaultDouble {
  readonly requests: RecordedRequest[] = [];
  health: HealthState = 'active';
  url = '';
  #server: http.Server;
  #listener: LoopbackListener | undefined;
  #options: VaultDoubleOptions;
  #tokens = new Map<string, IssuedToken>();
  #faults: Fault[] = [];
  #now: () => number;

  private constructor(options: VaultDoubleOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    for (const [token, grant] of Object.entries(options.tokens ?? {})) this.#tokens.set(token, this.#issued(grant, options.namespace));
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.#handle(req, res);
    const tls = options.tls;
    this.#server = tls
      ? https.createServer(
          {
            cert: tls.certificatePem,
            key: tls.keyPem,
            ...(tls.clientCaPem ? { ca: tls.clientCaPem, requestCert: true, rejectUnauthorized: tls.requireClientCertificate ?? false } : {}),
          },
          handler,
        )
      : http.createServer(handler);
  }

  static async start(options: VaultDoubleOptions): Promise<VaultDouble> {
    const vault = new VaultDouble(options);
    vault.#listener = await listenOnLoopback(vault.#server);
    vault.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${vault.#listener.port}`;
    return vault;
  }

  /** The next `times` requests to `path` (e.g. `/v1/pki/sign/role`) get `status` with `errors`. */
  failNext(path: string, status: number, errors: string[], times = 1): void {
    this.#faults.push({ path, status, errors, times });
  }

  /** Every token stops working, as after `vault token revoke` (static tokens included). */
  revokeAllTokens(): void {
    this.#tokens.clear();
  }

  /** Requests to `path`, e.g. `/v1/auth/approle/login`. */
  count(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  async close(): Promise<void> {
    await this.#listener?.close();
  }

  #issued(grant: TokenGrant, namespace: string | undefined): IssuedToken {
    const issuedAt = this.#now();
    return { ...grant, namespace, issuedAt, expiresAt: grant.ttlSeconds > 0 ? issuedAt + grant.ttlSeconds * 1000 : Infinity };
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const text = (await readRequestBody(req)).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://vault').pathname;
    const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
    const socket = req.socket as TLSSocket;
    const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate(false) : undefined;
    const clientCertificate = peer && peer.raw ? new X509Certificate(peer.raw) : undefined;
    let body: Record<string, unknown> = {};
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    try {
      if (text.trim() !== '') {
        const parsed: unknown = JSON.parse(text);
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new VaultError(400, ['failed to parse JSON input: not an object']);
        body = parsed as Record<string, unknown>;
      }
    } catch (err) {
      return send(400, { errors: [err instanceof VaultError ? err.message : `failed to parse JSON input: ${String(err)}`] });
    }
    const request: RecordedRequest = { method: req.method ?? 'GET', path, body, clientCertificate: clientCertificate !== undefined };
    const namespace = header('x-vault-namespace');
    const token = header('x-vault-token');
    if (namespace !== undefined) request.namespace = namespace;
    if (token !== undefined) request.token = token;
    this.requests.push(request);
    try {
      const fault = this.#faults.find((f) => f.path === path && f.times > 0);
      if (fault) {
        fault.times -= 1;
        throw new VaultError(fault.status, fault.errors);
      }
      if (path === '/v1/sys/health') return send(HEALTH_STATUS[this.health], this.#healthBody());
      if (this.health === 'sealed') throw new VaultError(503, ['Vault is sealed']);
      if (this.health === 'uninitialized') throw new VaultError(503, ['Vault is not initialized']);
      const route = this.#routeInNamespace(path, namespace);
      send(200, await this.#serve(req.method ?? 'GET', route, body, token, namespace, clientCertificate));
    } catch (err) {
      if (err instanceof VaultError) return send(err.status, { errors: err.errors });
      send(500, { errors: [err instanceof Error ? err.message : String(err)] });
    }
  }

  #healthBody(): Record<string, unknown> {
    return {
      initialized: this.health !== 'uninitialized',
      sealed: this.health === 'sealed' || this.health === 'uninitialized',
      standby: this.health === 'standby' || this.health === 'performance-standby',
      performance_standby: this.health === 'performance-standby',
      server_time_utc: Math.floor(this.#now() / 1000),
      version: '1.17.0+ent',
    };
  }

  /** The route below `/v1/` in the namespace the request names; mounts outside it do not exist. */
  #routeInNamespace(path: string, namespace: string | undefined): string {
    const route = path.replace(/^\/v1\//, '');
    const wanted = this.#options.namespace;
    if ((namespace ?? '').replace(/\/+$/, '') !== (wanted ?? '')) {
      throw new VaultError(404, [`no handler for route "${route}". route entry not found.`]);
    }
    return route;
  }

  async #serve(method: string, route: string, body: Record<string, unknown>, token: string | undefined, namespace: string | undefined, clientCertificate: X509Certificate | undefined): Promise<unknown> {
    if (method !== 'POST' && method !== 'PUT') throw new VaultError(405, ['unsupported operation']);
    const o = this.#options;
    const loginRoute = (mount: string | undefined, fallback: string) => `auth/${mount ?? fallback}/login`;
    if (o.appRole && route === loginRoute(o.appRole.mount, 'approle')) return this.#login(this.#appRoleGrant(body), namespace);
    if (o.kubernetes && route === loginRoute(o.kubernetes.mount, 'kubernetes')) return this.#login(await this.#kubernetesGrant(body), namespace);
    if (o.cert && route === loginRoute(o.cert.mount, 'cert')) return this.#login(this.#certGrant(body, clientCertificate), namespace);
    const caller = this.#caller(token, namespace);
    if (route === 'auth/token/renew-self') return this.#renew(token!, caller);
    if (route === 'sys/capabilities-self') return this.#capabilities(body, caller);
    if (route === `${o.pki.mount}/sign/${o.pki.role}`) {
      if (!this.#allows(caller, route)) throw permissionDenied();
      return this.#sign(body);
    }
    throw new VaultError(404, [`no handler for route "${route}". route entry not found.`]);
  }

  #caller(token: string | undefined, namespace: string | undefined): IssuedToken {
    const issued = token ? this.#tokens.get(token) : undefined;
    if (!issued || issued.expiresAt <= this.#now() || issued.namespace !== namespace) throw permissionDenied();
    return issued;
  }

  #allows(caller: IssuedToken, path: string): boolean {
    return caller.policies.some((p) => pathAllowed(this.#options.policies[p] ?? [], path));
  }

  #login(grant: TokenGrant, namespace: string | undefined): unknown {
    const token = `hvs.${b64url(24)}`;
    this.#tokens.set(token, this.#issued(grant, namespace));
    return {
      request_id: b64url(8),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: null,
      auth: { client_token: token, accessor: b64url(12), policies: ['default', ...grant.policies], token_policies: ['default', ...grant.policies], lease_duration: grant.ttlSeconds, renewable: grant.renewable ?? false },
    };
  }

  #renew(token: string, caller: IssuedToken): unknown {
    if (!caller.renewable) throw new VaultError(400, ['lease is not renewable']);
    const now = this.#now();
    const cap = caller.maxTtlSeconds ? caller.issuedAt + caller.maxTtlSeconds * 1000 : Infinity;
    caller.expiresAt = Math.min(now + caller.ttlSeconds * 1000, cap);
    const lease = Math.max(0, Math.floor((caller.expiresAt - now) / 1000));
    return { auth: { client_token: token, policies: ['default', ...caller.policies], lease_duration: lease, renewable: true } };
  }

  #capabilities(body: Record<string, unknown>, caller: IssuedToken): unknown {
    const paths = Array.isArray(body.paths) ? body.paths.filter((p): p is string => typeof p === 'string') : [];
    if (paths.length === 0) throw new VaultError(400, ['"paths" must be supplied']);
    const byPath = Object.fromEntries(paths.map((p) => [p, this.#allows(caller, p) ? ['update'] : ['deny']]));
    return { ...byPath, capabilities: byPath[paths[0]!], data: { ...byPath, capabilities: byPath[paths[0]!] } };
  }

  #appRoleGrant(body: Record<string, unknown>): TokenGrant {
    const role = Object.values(this.#options.appRole!.roles).find((r) => r.roleId === body.role_id);
    if (typeof body.role_id !== 'string' || body.role_id === '') throw new VaultError(400, ['missing role_id']);
    if (!role || role.secretId !== body.secret_id) throw new VaultError(400, ['invalid role or secret ID']);
    return role;
  }

  async #kubernetesGrant(body: Record<string, unknown>): Promise<TokenGrant> {
    const k8s = this.#options.kubernetes!;
    if (typeof body.role !== 'string' || body.role === '') throw new VaultError(400, ['missing role']);
    if (typeof body.jwt !== 'string' || body.jwt === '') throw new VaultError(400, ['missing jwt']);
    const role = k8s.roles[body.role];
    if (!role) throw new VaultError(400, [`invalid role name "${body.role}"`]);
    const review = await k8s.reviewToken(body.jwt);
    if (!review) throw permissionDenied();
    if (!role.serviceAccountNames.includes(review.name) || !role.serviceAccountNamespaces.includes(review.namespace)) {
      throw new VaultError(403, [`service account name not authorized`]);
    }
    if (role.audience && !review.audiences.includes(role.audience)) throw new VaultError(403, ['invalid audience (aud) claim: audience claim does not match any expected audience']);
    return role;
  }

  #certGrant(body: Record<string, unknown>, clientCertificate: X509Certificate | undefined): TokenGrant {
    if (!clientCertificate) throw new VaultError(400, ['client certificate must be supplied']);
    const roles = Object.entries(this.#options.cert!.roles).filter(([name]) => body.name === undefined || body.name === name);
    const trusted = roles.find(([, role]) => {
      const ca = new X509Certificate(role.caPem);
      return clientCertificate.checkIssued(ca) && clientCertificate.verify(ca.publicKey);
    });
    if (!trusted) throw new VaultError(400, ['invalid certificate or no client certificate supplied']);
    return trusted[1];
  }

  /** The role signs with `use_csr_sans` and `use_csr_common_name`; the named fields must agree with the CSR. */
  async #sign(body: Record<string, unknown>): Promise<unknown> {
    for (const [field, value] of Object.entries(body)) {
      if (typeof value !== 'string') throw new VaultError(400, [`field "${field}" must be a string, got ${typeof value}`]);
    }
    const fields = body as Record<string, string>;
    if (!fields.csr) throw new VaultError(400, ['"csr" is empty']);
    let csr: CsrInfo;
    try {
      csr = parseCsr(fields.csr);
    } catch (err) {
      throw new VaultError(400, [`certificate request could not be parsed: ${err instanceof Error ? err.message : String(err)}`]);
    }
    const mismatch = [
      ['common_name', csr.commonName],
      ['alt_names', csr.dnsNames.join(',')],
      ['ip_sans', csr.ipAddresses.join(',')],
      ['uri_sans', csr.uris.join(',')],
    ].find(([field, expected]) => (fields[field!] ?? '') !== expected);
    if (mismatch) throw new VaultError(400, [`${mismatch[0]} "${fields[mismatch[0]!] ?? ''}" does not match the CSR ("${mismatch[1]}")`]);
    if (fields.exclude_cn_from_sans !== 'true') throw new VaultError(400, ['this role requires exclude_cn_from_sans=true']);
    if (csr.isCA) throw new VaultError(400, ['the sign endpoint does not issue CA certificates; use sign-intermediate']);
    const maxTtl = this.#options.pki.maxTtlSeconds ?? 90 * 86_400;
    const ttl = Math.min(fields.ttl ? parseTtlSeconds(fields.ttl) : maxTtl, maxTtl);
    const now = this.#now();
    const signer = this.#options.pki.signer;
    const signed = await signCertificate(
      csr,
      { now: new Date(now - 30_000), durationMs: ttl * 1000 + 30_000, usages: csr.usages.length ? csr.usages : ['digital signature', 'key encipherment', 'key agreement', 'server auth', 'client auth'] },
      { certificate: signer.certificatePem, privateKey: signer.key },
    );
    const leaf = signed.certificate;
    return {
      request_id: b64url(8),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: {
        certificate: leaf.pem,
        issuing_ca: this.#options.pki.caChainPems[0],
        ca_chain: this.#options.pki.caChainPems,
        serial_number: leaf.serialNumberBytes.toString('hex').match(/../g)!.join(':'),
        expiration: Math.floor(leaf.notAfter.getTime() / 1000),
      },
      warnings: null,
    };
  }
}

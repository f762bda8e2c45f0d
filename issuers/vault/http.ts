/**
 * Vault's HTTP API as certwright uses it: JSON over node:https with one keep-alive agent per issuer
 * configuration, carrying that issuer's CA bundle, TLS server name and client certificate (mTLS).
 * Every call names whether it sends the Vault token and the `X-Vault-Namespace` header; a non-2xx
 * answer becomes a VaultResponseError with Vault's `{"errors": [...]}` messages, and a failed
 * connection a VaultConnectionError with the socket or TLS error code.
 */
import http from 'node:http';
import https from 'node:https';

/** Vault answers are small (a certificate and its chain); a larger body is not Vault. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
export const DEFAULT_VAULT_REQUEST_TIMEOUT_MS = 30_000;

/** TLS material for the connection to Vault, PEM encoded. */
export interface VaultTls {
  /** Trusted CAs; the system roots when absent. */
  caPem?: string;
  /** SNI and the name the server certificate must carry (`spec.vault.serverName`). */
  serverName?: string;
  clientCertificatePem?: string;
  clientKeyPem?: string;
}

export interface VaultHttpOptions {
  server: string;
  tls: VaultTls;
  /** `spec.vault.namespace` (Vault Enterprise), sent as `X-Vault-Namespace` where asked. */
  namespace?: string;
  timeoutMs?: number;
}

export interface VaultCall {
  method: 'GET' | 'POST';
  /** Path below the server URL, starting with `/v1/`. */
  path: string;
  body?: Record<string, unknown>;
  token?: string;
  /** Send `X-Vault-Namespace` (everything but `sys/health`, which lives in the root namespace). */
  namespaced: boolean;
}

export interface VaultReply {
  status: number;
  body: Record<string, unknown>;
}

/** Vault answered with an error status; `errors` are its messages (never request data). */
export class VaultResponseError extends Error {
  override readonly name = 'VaultResponseError';
  constructor(
    readonly status: number,
    readonly errors: string[],
    readonly path: string,
  ) {
    super(`Vault answered ${status} to ${path}${errors.length ? `: ${errors.join('; ')}` : ''}`);
  }
}

/** Vault could not be reached or its TLS identity not verified; `code` is Node's error code. */
export class VaultConnectionError extends Error {
  override readonly name = 'VaultConnectionError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** TLS verification codes (OpenSSL's and Node's): the CA bundle or server name is wrong, not the network. */
const TLS_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
]);

export function isTlsVerificationError(err: unknown): err is VaultConnectionError {
  return err instanceof VaultConnectionError && TLS_VERIFY_CODES.has(err.code);
}

function errorsOf(body: unknown): string[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : [];
}

function parseBody(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** One issuer configuration's connection to Vault. `close` ends its kept-alive sockets. */
export class VaultHttp {
  readonly #url: URL;
  readonly #agent: http.Agent;
  readonly #namespace: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: VaultHttpOptions) {
    this.#url = new URL(options.server);
    const { caPem, serverName, clientCertificatePem, clientKeyPem } = options.tls;
    this.#agent =
      this.#url.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            ...(caPem ? { ca: caPem } : {}),
            ...(serverName ? { servername: serverName } : {}),
            ...(clientCertificatePem && clientKeyPem ? { cert: clientCertificatePem, key: clientKeyPem } : {}),
          })
        : new http.Agent({ keepAlive: true });
    this.#namespace = options.namespace || undefined;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_VAULT_REQUEST_TIMEOUT_MS;
  }

  /** Sends `call`; resolves with any status `acceptStatus` allows (default 2xx), else rejects. */
  request(call: VaultCall, acceptStatus: (status: number) => boolean = (s) => s >= 200 && s < 300): Promise<VaultReply> {
    const base = this.#url.pathname.replace(/\/+$/, '');
    const payload = call.body ? JSON.stringify(call.body) : undefined;
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    if (call.token) headers['x-vault-token'] = call.token;
    if (call.namespaced && this.#namespace) headers['x-vault-namespace'] = this.#namespace;
    const transport = this.#url.protocol === 'https:' ? https : http;
    return new Promise<VaultReply>((resolve, reject) => {
      const req = transport.request(
        { protocol: this.#url.protocol, hostname: this.#url.hostname, port: this.#url.port, path: base + call.path, method: call.method, headers, agent: this.#agent },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_RESPONSE_BYTES) {
              req.destroy(new VaultConnectionError('ERR_RESPONSE_TOO_LARGE', `Vault's answer to ${call.path} is larger than ${MAX_RESPONSE_BYTES} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const body = parseBody(Buffer.concat(chunks).toString('utf8'));
            if (!acceptStatus(status)) return reject(new VaultResponseError(status, errorsOf(body), call.path));
            if (!body) return reject(new VaultConnectionError('ERR_NOT_JSON', `Vault's answer to ${call.path} (status ${status}) is not a JSON object`));
            resolve({ status, body });
          });
        },
      );
      req.setTimeout(this.#timeoutMs, () => req.destroy(new VaultConnectionError('ETIMEDOUT', `no answer from Vault to ${call.path} within ${this.#timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof VaultConnectionError) return reject(err);
        reject(new VaultConnectionError(err.code ?? 'ECONNECTION', `cannot reach Vault at ${this.#url.origin}: ${err.message}`));
      });
      req.end(payload);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/**
 * The built-in HTTP-01 responder of local mode (`--acme-http01-solver-address`, default `:80`):
 * answers `GET /.well-known/acme-challenge/<token>` with the key authorization of a live challenge
 * and 404 for anything else. Every `http01` solver (ingress or gatewayHTTPRoute) is served here in
 * local mode, so cluster manifests work unchanged on one machine. In a cluster every replica sits
 * behind the Service the solver Ingresses route to, so a replica also answers tokens other replicas
 * presented, from the Challenges it watches (`lookup`).
 */
import { createServer, type Server } from 'node:http';

export const CHALLENGE_PATH_PREFIX = '/.well-known/acme-challenge/';
/** cert-manager's acmesolver port: what a solver Pod listens on, and its Service. */
export const SOLVER_POD_PORT = 8089;
/** Tokens are base64url (RFC 8555 §8.3); anything else is not a challenge path. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;
/** What an ACME server sends: GET, or HEAD from a curious proxy; anything else is 405. */
const SERVED_METHODS = new Set(['GET', 'HEAD']);

/** Bounds on what one client may cost the listener (it faces the internet). */
export interface Http01ListenerLimits {
  /** Time a client gets to send its request headers (slowloris); the whole request gets twice that. */
  headersTimeoutMs?: number;
  /** How often those timeouts are enforced (Node checks every 30 s by default). */
  timeoutCheckIntervalMs?: number;
  /** Request line plus headers; beyond it the answer is 431. A challenge request needs well under 1 KiB. */
  maxHeaderBytes?: number;
}

const DEFAULT_LIMITS: Required<Http01ListenerLimits> = { headersTimeoutMs: 10_000, timeoutCheckIntervalMs: 1_000, maxHeaderBytes: 8 * 1024 };

/** `host:port`, `:port` or `[v6]:port` as cert-manager's flag takes it; an empty host listens on every address. */
export function parseListenAddress(address: string): { host: string | undefined; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address.trim());
  if (!match) throw new Error(`invalid listen address ${JSON.stringify(address)}: want host:port or :port`);
  const port = Number(match[3]);
  if (port > 65535) throw new Error(`invalid port in listen address ${JSON.stringify(address)}`);
  const host = match[1] ?? match[2];
  return { host: host ? host : undefined, port };
}

export class Http01Listener {
  #keys = new Map<string, string>();
  #lookup: ((token: string) => string | undefined) | undefined;
  #server: Server | undefined;
  #limits: Required<Http01ListenerLimits>;

  /** `lookup` finds the key of a token this process did not present (another replica's Challenge). */
  constructor(lookup?: (token: string) => string | undefined, limits: Http01ListenerLimits = {}) {
    this.#lookup = lookup;
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Serves `key` for `token` until cleaned up. */
  present(token: string, key: string): void {
    this.#keys.set(token, key);
  }

  cleanUp(token: string): void {
    this.#keys.delete(token);
  }

  /** The key served for `token`, if live. */
  keyFor(token: string): string | undefined {
    return this.#keys.get(token) ?? this.#lookup?.(token);
  }

  /** Starts listening; resolves with the bound port (port 0 picks a free one). */
  async listen(address: string): Promise<number> {
    const { host, port } = parseListenAddress(address);
    const limits = this.#limits;
    const serverOptions = {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: 2 * limits.headersTimeoutMs,
      connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
      maxHeaderSize: limits.maxHeaderBytes,
    };
    const server = createServer(serverOptions, (req, res) => {
      if (!SERVED_METHODS.has(req.method ?? '')) {
        res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end('method not allowed\n');
        return;
      }
      const path = (req.url ?? '').split('?')[0]!;
      const token = path.startsWith(CHALLENGE_PATH_PREFIX) ? path.slice(CHALLENGE_PATH_PREFIX.length) : '';
      const key = TOKEN_PATTERN.test(token) ? this.keyFor(token) : undefined;
      if (key === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(key) }).end(key);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.#server = server;
    return (server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

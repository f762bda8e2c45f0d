/**
 * The controller's two listeners, as cert-manager has them: `/metrics` (default :9402) and the
 * health server with `/livez` and `/readyz` (default :9403).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gzip, constants as zlibConstants } from 'node:zlib';
import type { Registry } from 'prom-client';

/** Local mode binds loopback; in a cluster the pod IP must be reachable by Prometheus and kubelet. */
export const defaultListenAddresses = {
  local: { metrics: '127.0.0.1:9402', health: '127.0.0.1:9403' },
  cluster: { metrics: '0.0.0.0:9402', health: '0.0.0.0:9403' },
} as const;

export interface ListenAddress {
  /** Undefined means every interface (Go's ":9402"). */
  host: string | undefined;
  port: number;
}

/** `host:port`, `[ipv6]:port` or `:port` (all interfaces), with a specific error otherwise. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new Error(`invalid listen address "${text}": expected host:port, [ipv6]:port or :port with a port from 0 to 65535`);
  }
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}

export interface RunningServer {
  /** The bound address, with the real port when 0 was asked for. */
  readonly address: { host: string; port: number };
  /** Base URL, e.g. `http://127.0.0.1:9402`. */
  readonly url: string;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

async function listen(address: string | ListenAddress, handle: Handler): Promise<RunningServer> {
  const { host, port } = typeof address === 'string' ? parseListenAddress(address) : address;
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const urlHost = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    address: { host: bound.address, port: bound.port },
    url: `http://${urlHost}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

const gzipFast = promisify(gzip);

/** Serves `registry` on GET /metrics, gzipped when the scraper accepts it (as Prometheus does). */
export function startMetricsServer(options: { registry: Registry; address: string | ListenAddress }): Promise<RunningServer> {
  return listen(options.address, async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics') return reply(res, 404, 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    const body = Buffer.from(await options.registry.metrics());
    const headers: Record<string, string> = { 'content-type': options.registry.contentType };
    let payload = body;
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      payload = await gzipFast(body, { level: zlibConstants.Z_BEST_SPEED });
      headers['content-encoding'] = 'gzip';
    }
    res.writeHead(200, { ...headers, 'content-length': String(payload.length) });
    res.end(payload); // node sends no body for HEAD
  });
}

/** A health check: resolves true when healthy; false, a rejection or a timeout is a failure. */
export type HealthCheck = () => boolean | Promise<boolean>;

export interface HealthReport {
  ok: boolean;
  checks: { name: string; ok: boolean; reason?: string }[];
}

const checkName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A named set of checks, like the kube-apiserver's healthz checkers. */
export class HealthChecks {
  readonly #checks = new Map<string, HealthCheck>();

  constructor(private readonly timeoutMs = 5000) {}

  add(name: string, check: HealthCheck): void {
    if (!checkName.test(name)) throw new Error(`invalid health check name "${name}": use lowercase letters, digits and '-'`);
    if (this.#checks.has(name)) throw new Error(`health check "${name}" is already registered`);
    this.#checks.set(name, check);
  }

  remove(name: string): void {
    this.#checks.delete(name);
  }

  has(name: string): boolean {
    return this.#checks.has(name);
  }

  /** Runs every check (or only `only`) concurrently. */
  async run(only?: string): Promise<HealthReport> {
    const selected = [...this.#checks].filter(([name]) => only === undefined || name === only);
    const checks = await Promise.all(selected.map(([name, check]) => this.#runOne(name, check)));
    return { ok: checks.every((c) => c.ok), checks };
  }

  async #runOne(name: string, check: HealthCheck): Promise<HealthReport['checks'][number]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${this.timeoutMs}ms`)), this.timeoutMs);
    });
    try {
      const ok = await Promise.race([Promise.resolve().then(check), timeout]);
      return ok ? { name, ok: true } : { name, ok: false, reason: 'check returned false' };
    } catch (error) {
      return { name, ok: false, reason: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** kube-apiserver style text: `ok`, or one `[+]`/`[-]` line per check when verbose or failing. */
export function renderHealthReport(endpoint: string, report: HealthReport, verbose: boolean): string {
  if (report.ok && !verbose) return 'ok';
  const lines = report.checks.map((c) => (c.ok ? `[+]${c.name} ok` : `[-]${c.name} failed: ${c.reason}`));
  lines.push(`${endpoint} check ${report.ok ? 'passed' : 'failed'}`);
  return lines.join('\n');
}

/**
 * Serves `/livez` and `/readyz` (and `/livez/<check>`, `/readyz/<check>`, `?verbose`): 200 when
 * every check passes, 500 otherwise.
 */
export function startHealthServer(options: {
  address: string | ListenAddress;
  readiness: HealthChecks;
  liveness?: HealthChecks;
}): Promise<RunningServer> {
  const endpoints = new Map([
    ['livez', options.liveness ?? new HealthChecks()],
    ['readyz', options.readiness],
  ]);
  return listen(options.address, async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [endpoint, only, ...rest] = url.pathname.split('/').filter(Boolean);
    const checks = endpoint === undefined ? undefined : endpoints.get(endpoint);
    if (!checks || rest.length > 0 || (only !== undefined && !checks.has(only))) return reply(res, 404, 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    const report = await checks.run(only);
    reply(res, report.ok ? 200 : 500, `${renderHealthReport(endpoint!, report, url.searchParams.has('verbose'))}\n`);
  });
}

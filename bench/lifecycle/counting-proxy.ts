/**
 * A counting HTTPS proxy between the controller and the embedded API server: the API server keeps
 * no request counter, and the controller's metrics count syncs, not API calls. It terminates TLS
 * with the API server's own serving certificate (valid for 127.0.0.1, trusted through the data
 * directory's CA), counts every request by verb and resource, and streams the rest through
 * unchanged — watches included. Given a fault policy it also answers some requests itself (errors
 * with or without Retry-After, a watch that expired with 410 Gone) or cuts them off mid-stream, so
 * reliability tests can show the controller converges through a misbehaving API.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { Agent, createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { kubeconfigText } from '../../apiserver/kubeconfig.js';
import { listenOnLoopback } from '../../test/doubles/loopback.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isWrite(method: string): boolean {
  return WRITE_METHODS.has(method.toUpperCase());
}

/**
 * `VERB resource[/subresource]` of a Kubernetes API request path, without namespace and name, so
 * counts group by what was done: `PATCH certificates/status`, `POST events`, `WATCH secrets`.
 */
export function describeRequest(method: string, url: string): string {
  const parsed = new URL(url, 'http://proxy');
  const parts = parsed.pathname.split('/').filter(Boolean);
  // /api/v1/... or /apis/group/version/...
  let rest = parts[0] === 'api' ? parts.slice(2) : parts[0] === 'apis' ? parts.slice(3) : parts;
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  const [resource = parsed.pathname, , subresource] = rest;
  const watch = parsed.searchParams.get('watch');
  const verb = method.toUpperCase() === 'GET' && (watch === '1' || watch === 'true') ? 'WATCH' : method.toUpperCase();
  return `${verb} ${resource}${subresource ? `/${subresource}` : ''}`;
}

export interface RequestCounts {
  reads: number;
  writes: number;
  /** `describeRequest` → count. */
  byRequest: Record<string, number>;
}

/** Adds one request to the counts; returns its `describeRequest`. */
export function countRequest(counts: RequestCounts, method: string, url: string): string {
  const what = describeRequest(method, url);
  if (isWrite(method)) counts.writes++;
  else counts.reads++;
  counts.byRequest[what] = (counts.byRequest[what] ?? 0) + 1;
  return what;
}

/** What the proxy does to one request instead of passing it through untouched. */
export type Fault =
  /** Answer with this HTTP status and a Kubernetes Status body; the request never reaches the server. */
  | { respond: number; retryAfterSeconds?: number }
  /** Pass it through, then cut the connection this long after the answer started (a dropped watch). */
  | { cutAfterMs: number }
  /** Answer a watch with the ERROR event a server sends when the resourceVersion is too old. */
  | { watchGone: true }
  /** Hold the request open with a 200 and deliver nothing (a stalled watch), until the client leaves. */
  | { stall: true };

export type FaultPolicy = (method: string, url: string) => Fault | undefined;

const REASONS: Record<number, string> = { 409: 'Conflict', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable' };

function statusBody(code: number, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: REASONS[code] ?? 'Unknown', code });
}

export interface CountingProxy {
  url: string;
  /** A kubeconfig like the API server's, pointing at the proxy. */
  kubeconfigPath: string;
  counts(): RequestCounts;
  /** Starts a new count (e.g. at the start of a measuring window). */
  resetCounts(): void;
  close(): Promise<void>;
}

function emptyCounts(): RequestCounts {
  return { reads: 0, writes: 0, byRequest: {} };
}

/** Starts the proxy for the API server at `target` whose data directory is `dataDir`. */
export async function startCountingProxy(target: string, dataDir: string, options: { faults?: FaultPolicy } = {}): Promise<CountingProxy> {
  const [caCertificate, certificate, privateKey, token] = await Promise.all(
    ['ca.crt', 'apiserver.crt', 'apiserver.key', 'token'].map((file) => readFile(join(dataDir, file), 'utf8')),
  );
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, ca: caCertificate });
  let counts = emptyCounts();

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const what = countRequest(counts, method, req.url ?? '/');
    const fault = options.faults?.(method, req.url ?? '/');
    if (fault && 'respond' in fault) {
      req.resume();
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      res.writeHead(fault.respond, headers).end(statusBody(fault.respond, `injected by the fault proxy: ${what}`));
      return;
    }
    if (fault && 'watchGone' in fault) {
      req.resume();
      const gone = JSON.parse(statusBody(410, 'too old resource version (injected by the fault proxy)')) as object;
      res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify({ type: 'ERROR', object: { ...gone, reason: 'Expired' } })}\n`);
      return;
    }
    if (fault && 'stall' in fault) {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).flushHeaders();
      return;
    }
    const outgoing = request(
      { hostname: upstream.hostname, port: upstream.port, path: req.url, method, headers: { ...req.headers, host: upstream.host }, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        if (fault && 'cutAfterMs' in fault) setTimeout(() => res.socket?.destroy(), fault.cutAfterMs).unref();
      },
    );
    outgoing.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`counting proxy: ${err.message}\n`);
    });
    // A client that goes away (a watch being stopped) ends the upstream request too.
    res.on('close', () => outgoing.destroy());
    req.pipe(outgoing);
  };

  const server: Server = createServer({ key: privateKey, cert: certificate, keepAlive: true }, forward);
  // As the API server: idle keep-alive sockets outlive the client's (so a reused socket is never
  // closed under a request: "socket hang up"), and watches have no request time limit.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  server.requestTimeout = 0;
  const listener = await listenOnLoopback(server);
  const url = `https://127.0.0.1:${listener.port}`;
  const kubeconfigPath = join(dataDir, 'kubeconfig.counting-proxy');
  await writeFile(kubeconfigPath, kubeconfigText(url, caCertificate!, token!.trim()), { mode: 0o600 });
  return {
    url,
    kubeconfigPath,
    counts: () => structuredClone(counts),
    resetCounts: () => (counts = emptyCounts()),
    close: async () => {
      await listener.close();
      agent.destroy();
    },
  };
}

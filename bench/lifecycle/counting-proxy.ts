/**
 * A counting HTTPS proxy between the controller and the embedded API server: the API server keeps
 * no request counter, and the controller's metrics count syncs, not API calls. It terminates TLS
 * with the API server's own serving certificate (valid for 127.0.0.1, trusted through the data
 * directory's CA), counts every request by verb and resource, and streams the rest through
 * unchanged — watches included.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { Agent, createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { kubeconfigText } from '../../apiserver/kubeconfig.js';

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
export async function startCountingProxy(target: string, dataDir: string): Promise<CountingProxy> {
  const [caCertificate, certificate, privateKey, token] = await Promise.all(
    ['ca.crt', 'apiserver.crt', 'apiserver.key', 'token'].map((file) => readFile(join(dataDir, file), 'utf8')),
  );
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, ca: caCertificate });
  let counts = emptyCounts();

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const what = describeRequest(method, req.url ?? '/');
    if (isWrite(method)) counts.writes++;
    else counts.reads++;
    counts.byRequest[what] = (counts.byRequest[what] ?? 0) + 1;
    const outgoing = request(
      { hostname: upstream.hostname, port: upstream.port, path: req.url, method, headers: { ...req.headers, host: upstream.host }, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
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
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfigPath = join(dataDir, 'kubeconfig.counting-proxy');
  await writeFile(kubeconfigPath, kubeconfigText(url, caCertificate!, token!.trim()), { mode: 0o600 });
  return {
    url,
    kubeconfigPath,
    counts: () => structuredClone(counts),
    resetCounts: () => (counts = emptyCounts()),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      agent.destroy();
    },
  };
}

/**
 * A load-generating client of the API server, in its own process: writers keep a fixed number of
 * requests in flight over keep-alive HTTPS connections with the bearer token (as client-go does),
 * and watchers parse every event of their watch streams. The benchmark forks one process for
 * writes and one for watches, so neither steals the other's (or the server's) event loop.
 */
import { randomBytes } from 'node:crypto';
import { Agent, request, type RequestOptions } from 'node:https';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { monotonicMicroseconds } from '../lifecycle/profiles.js';
import type { KubeObject } from '../../apiserver/admission.js';
import { tlsSecret } from './fixtures.js';
import { serveCommands } from './ipc.js';
import type { ServerInfo } from './server-process.js';

export const BENCH_NAMESPACES = 8;
const namespaceOf = (i: number): string => `bench-${i % BENCH_NAMESPACES}`;

/** The writes the benchmark times, each as the controller or a user makes it. */
export type WriteKind = 'create-secret' | 'create-certificate' | 'update-secret' | 'apply-secret' | 'patch-certificate-status';

export interface WriteJob {
  kind: WriteKind;
  concurrency: number;
  /** Stop starting writes after this long… */
  seconds?: number;
  /** …or after this many. */
  total?: number;
  /** Creates name objects from this index on; updates cycle over indexes below it. */
  first: number;
}

export interface WriteResult {
  writes: number;
  failures: number;
  firstFailure?: string;
  seconds: number;
}

export interface WatchCount {
  events: number;
  /** monotonicMicroseconds() when the last event was parsed. */
  lastEventUs: number;
  byType: Record<string, number>;
}

let server: ServerInfo;
let agent: Agent;

/** Random-looking base64 payloads, made once: generating them per write would load this process, not the server. */
const payloads = Array.from({ length: 64 }, () => ({ certificate: randomBytes(640).toString('base64'), key: randomBytes(180).toString('base64') }));

/** A kubernetes.io/tls Secret as the controller writes it (~1.5 KiB of JSON). */
function secret(i: number, revision: number): KubeObject {
  const payload = payloads[(i + revision) % payloads.length]!;
  return tlsSecret(namespaceOf(i), `cert-${i}-tls`, `cert-${i}`, { 'tls.crt': payload.certificate, 'tls.key': payload.key });
}

/** A Certificate as a user applies it (~1 KiB stored with its managed fields). */
function certificate(i: number): Record<string, unknown> {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: `cert-${i}`, namespace: namespaceOf(i), labels: { app: `app-${i % 100}` } },
    spec: {
      secretName: `cert-${i}-tls`,
      commonName: `cert-${i}.example.com`,
      dnsNames: [`cert-${i}.example.com`, `www.cert-${i}.example.com`],
      duration: '2160h',
      renewBefore: '360h',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      usages: ['digital signature', 'key encipherment', 'server auth'],
      issuerRef: { name: 'ca-issuer', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    },
  };
}

/** The status the controller writes once a Certificate is issued. */
function issuedStatus(revision: number): Record<string, unknown> {
  const at = new Date(Date.UTC(2025, 0, 1) + revision * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', observedGeneration: 1, lastTransitionTime: at }],
      notBefore: at,
      notAfter: '2026-01-01T00:00:00Z',
      renewalTime: '2025-12-01T00:00:00Z',
      revision,
    },
  };
}

interface Write {
  method: string;
  path: string;
  body: string;
  contentType: string;
}

const secretsPath = (namespace: string) => `/api/v1/namespaces/${namespace}/secrets`;
const certificatesPath = (namespace: string) => `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates`;
const json = 'application/json';

const writeMakers: Record<WriteKind, (i: number, revision: number) => Write> = {
  'create-secret': (i) => ({ method: 'POST', path: secretsPath(namespaceOf(i)), body: JSON.stringify(secret(i, 0)), contentType: json }),
  'create-certificate': (i) => ({ method: 'POST', path: certificatesPath(namespaceOf(i)), body: JSON.stringify(certificate(i)), contentType: json }),
  'update-secret': (i, revision) => ({ method: 'PUT', path: `${secretsPath(namespaceOf(i))}/cert-${i}-tls`, body: JSON.stringify(secret(i, revision)), contentType: json }),
  'apply-secret': (i, revision) => ({
    method: 'PATCH',
    path: `${secretsPath(namespaceOf(i))}/cert-${i}-tls?fieldManager=certwright&force=true`,
    body: JSON.stringify(secret(i, revision)),
    contentType: 'application/apply-patch+yaml',
  }),
  'patch-certificate-status': (i, revision) => ({
    method: 'PATCH',
    path: `${certificatesPath(namespaceOf(i))}/cert-${i}/status`,
    body: JSON.stringify(issuedStatus(revision)),
    contentType: 'application/merge-patch+json',
  }),
};

function requestOptions(method: string, path: string, headers: Record<string, string> = {}): RequestOptions {
  const url = new URL(path, server.url);
  return {
    method,
    hostname: url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    agent,
    headers: { Authorization: `Bearer ${server.token}`, Accept: json, 'User-Agent': 'certwright-bench/1', ...headers },
  };
}

/** One request; resolves with the status, and the body only when asked or when the request failed. */
function send(method: string, path: string, body?: string, contentType = json, keepBody = false): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = body === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) };
    const req = request(requestOptions(method, path, headers), (res) => {
      const status = res.statusCode ?? 0;
      if (!keepBody && status < 300) {
        res.resume();
        res.on('end', () => resolve({ status, text: '' }));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function runWrites(job: WriteJob): Promise<WriteResult> {
  const started = performance.now();
  const deadline = started + (job.seconds ?? Infinity) * 1000;
  const total = job.total ?? Infinity;
  const make = writeMakers[job.kind];
  const creates = job.kind.startsWith('create-');
  if (!creates && job.first < 1) throw new Error(`${job.kind} needs existing objects`);
  let issued = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const loop = async (): Promise<void> => {
    while (issued < total && performance.now() < deadline) {
      const n = issued++;
      const write = creates ? make(job.first + n, 0) : make(n % job.first, 1 + Math.floor(n / job.first));
      const reply = await send(write.method, write.path, write.body, write.contentType);
      if (reply.status >= 300) {
        failures++;
        firstFailure ??= `${write.method} ${write.path}: ${reply.status} ${reply.text.slice(0, 300)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, loop));
  return { writes: issued, failures, ...(firstFailure ? { firstFailure } : {}), seconds: (performance.now() - started) / 1000 };
}

// ---- watches ----

const watches = new Set<ClientRequest>();
const count: WatchCount = { events: 0, lastEventUs: 0, byType: {} };

/** Parses each newline-terminated event of a watch stream, as an informer's decoder does. */
function consumeWatchStream(res: IncomingMessage): void {
  let partial = '';
  res.setEncoding('utf8');
  // The benchmark ends watches by destroying them; that is the only way they fail.
  res.on('error', () => undefined);
  res.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line) continue;
      const event = JSON.parse(line) as { type: string; object: { metadata?: { name?: string } } };
      if (event.object.metadata?.name === undefined) throw new Error(`watch event without an object name: ${line.slice(0, 200)}`);
      count.events++;
      count.byType[event.type] = (count.byType[event.type] ?? 0) + 1;
    }
    count.lastEventUs = monotonicMicroseconds();
  });
}

/** Opens `watchers` watches of every Secret; resolves once each has its response headers. */
async function openWatches({ watchers, resourceVersion }: { watchers: number; resourceVersion?: string }): Promise<void> {
  count.events = 0;
  count.byType = {};
  const query = resourceVersion === undefined ? 'watch=1' : `watch=1&resourceVersion=${resourceVersion}`;
  await Promise.all(
    Array.from(
      { length: watchers },
      () =>
        new Promise<void>((resolve, reject) => {
          const req = request(requestOptions('GET', `/api/v1/secrets?${query}`), (res) => {
            if (res.statusCode !== 200) return reject(new Error(`watch: HTTP ${res.statusCode}`));
            consumeWatchStream(res);
            resolve();
          });
          req.on('error', (e) => (watches.has(req) ? reject(e) : undefined));
          watches.add(req);
          req.end();
        }),
    ),
  );
}

function closeWatches(): void {
  for (const req of watches) {
    watches.delete(req);
    req.destroy();
  }
}

/** JSON bytes and count of every object of the listed collections, page by page. */
async function measureObjects(paths: string[]): Promise<{ objects: number; jsonBytes: number }> {
  let objects = 0;
  let jsonBytes = 0;
  for (const path of paths) {
    let token: string | undefined;
    do {
      const reply = await send('GET', `${path}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`, undefined, json, true);
      if (reply.status !== 200) throw new Error(`GET ${path}: ${reply.status}`);
      const list = JSON.parse(reply.text) as { items: unknown[]; metadata: { continue?: string } };
      for (const item of list.items) jsonBytes += Buffer.byteLength(JSON.stringify(item));
      objects += list.items.length;
      token = list.metadata.continue || undefined;
    } while (token);
  }
  return { objects, jsonBytes };
}

serveCommands({
  connect: ({ info, concurrency }: { info: ServerInfo; concurrency: number }) => {
    server = info;
    agent?.destroy();
    agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: info.caCertificate });
  },
  createNamespaces: async () => {
    for (let i = 0; i < BENCH_NAMESPACES; i++) {
      const reply = await send('POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: namespaceOf(i) } }));
      if (reply.status !== 201 && reply.status !== 409) throw new Error(`creating namespace ${namespaceOf(i)}: ${reply.status} ${reply.text}`);
    }
  },
  write: runWrites,
  secretsResourceVersion: async () => {
    const reply = await send('GET', '/api/v1/secrets?limit=1', undefined, json, true);
    return (JSON.parse(reply.text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  },
  watch: openWatches,
  watchCount: () => count,
  unwatch: closeWatches,
  measureObjects,
  stop: () => {
    closeWatches();
    agent?.destroy();
  },
});

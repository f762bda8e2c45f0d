/** Shared fixtures for the DNS-01 tests: a Secret store that records every read, and requests. */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { KubeSecret } from '../../../issuers/backend.js';
import type { Dns01Context, Dns01Request } from '../../../solvers/dns01/provider.js';
import { listenOnLoopback, readRequestBody } from '../../doubles/loopback.js';

export interface RecordingContext extends Dns01Context {
  /** `namespace/name` of every Secret asked for, in order. */
  reads: string[];
}

/** Secrets given as `{ 'ns/name': { key: 'plain value' } }`; values are base64-encoded as the API stores them. */
export function secretsContext(secrets: Record<string, Record<string, string>>): RecordingContext {
  const reads: string[] = [];
  return {
    reads,
    async getSecret(namespace, name): Promise<KubeSecret | undefined> {
      reads.push(`${namespace}/${name}`);
      const data = secrets[`${namespace}/${name}`];
      if (!data) return undefined;
      return {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { namespace, name },
        data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      };
    },
  };
}

export function dns01Request(overrides: Partial<Dns01Request> = {}): Dns01Request {
  return {
    uid: 'challenge-uid-1',
    dnsName: 'www.example.test',
    key: 'key-authorization-digest-1',
    resolvedFQDN: '_acme-challenge.www.example.test.',
    resolvedZone: 'example.test.',
    resourceNamespace: 'team-a',
    allowAmbientCredentials: false,
    ...overrides,
  };
}

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface DoubleReply {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
}

export interface HttpDouble {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that records every request and answers through `handler`. */
export async function startHttpDouble(handler: (request: RecordedRequest) => DoubleReply | Promise<DoubleReply>): Promise<HttpDouble> {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    try {
      const recorded = { method: req.method!, url: req.url!, headers: req.headers, body: (await readRequestBody(req)).toString() };
      requests.push(recorded);
      const reply = await handler(recorded);
      const body = typeof reply.body === 'string' || reply.body === undefined ? (reply.body ?? '') : JSON.stringify(reply.body);
      const type = typeof reply.body === 'string' ? {} : { 'content-type': 'application/json' };
      res.writeHead(reply.status ?? 200, { ...type, ...reply.headers }).end(body);
    } catch (err) {
      res.writeHead(500).end(String(err));
    }
  });
  const listener = await listenOnLoopback(server);
  return { url: `http://127.0.0.1:${listener.port}`, requests, close: listener.close };
}

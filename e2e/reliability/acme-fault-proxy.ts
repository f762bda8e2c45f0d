/**
 * A fault-injecting HTTPS proxy in front of Pebble for R3: a policy picks requests the proxy answers
 * itself with an ACME problem (503 or 429 `rateLimited` with Retry-After, 500 without) instead of
 * forwarding them. Everything else goes to Pebble unchanged, Host header included (Pebble builds its
 * URLs and checks JWS `url`s against the Host, so every link points back at the proxy). It records
 * every request with its answer, so tests can count requests and check that no path was asked again
 * before the Retry-After it was given had passed.
 */
import { createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, readRequestBody } from '../../test/doubles/loopback.js';
import type { Pebble } from '../acme/pebble.js';

/** An answer the proxy gives instead of Pebble's. */
export interface AcmeFault {
  status: 429 | 500 | 503;
  retryAfterSeconds?: number;
}

/** Picks the requests to answer with a fault (`path` without the query). */
export type AcmeFaultPolicy = (method: string, path: string) => AcmeFault | undefined;

export interface AcmeRequestRecord {
  method: string;
  path: string;
  /** For newOrder, the identifiers asked for (the endpoint is shared; Retry-After binds one order). */
  identifiers?: string;
  /** When the request arrived, ms since the epoch. */
  at: number;
  /** HTTP status answered (Pebble's or the injected one). */
  status: number;
  injected: boolean;
  /** The ACME problem type of an error answer, e.g. `urn:ietf:params:acme:error:badNonce`. */
  problemType?: string;
  /** Retry-After of the answer, in seconds. */
  retryAfterSeconds?: number;
}

export interface AcmeFaultProxy {
  directoryUrl: string;
  /** Every request, in the order answers were sent. */
  readonly requests: AcmeRequestRecord[];
  close(): Promise<void>;
}

/** Pebble's newOrder path. */
const NEW_ORDER_PATH = '/order-plz';

const PROBLEMS: Record<AcmeFault['status'], { type: string; detail: string }> = {
  429: { type: 'rateLimited', detail: 'too many requests (injected by the fault proxy)' },
  500: { type: 'serverInternal', detail: 'internal error (injected by the fault proxy)' },
  503: { type: 'serverInternal', detail: 'service unavailable (injected by the fault proxy)' },
};

/**
 * Requests made to a path before the Retry-After of an earlier answer on that path had passed, as
 * readable lines (empty when Retry-After was always honoured). `slackMs` absorbs clock granularity.
 */
export function retryAfterViolations(requests: readonly AcmeRequestRecord[], slackMs = 100): string[] {
  const notBefore = new Map<string, number>();
  const violations: string[] = [];
  for (const r of [...requests].sort((a, b) => a.at - b.at)) {
    const key = `${r.method} ${r.path}${r.identifiers ? ` ${r.identifiers}` : ''}`;
    const earliest = notBefore.get(key);
    if (earliest !== undefined && r.at < earliest - slackMs) violations.push(`${key} ${earliest - r.at} ms before its Retry-After`);
    if (r.retryAfterSeconds !== undefined) notBefore.set(key, r.at + r.retryAfterSeconds * 1000);
  }
  return violations;
}

/** The identifier values of a newOrder JWS (its payload is readable base64url JSON), sorted. */
function orderIdentifiers(body: Buffer): string | undefined {
  try {
    const jws = JSON.parse(body.toString('utf8')) as { payload?: string };
    const payload = JSON.parse(Buffer.from(jws.payload ?? '', 'base64url').toString('utf8')) as { identifiers?: { value: string }[] };
    return payload.identifiers?.map((i) => i.value).sort().join(',');
  } catch {
    return undefined;
  }
}

function problemType(status: number, body: Buffer, contentType: string | undefined): string | undefined {
  if (status < 400 || !contentType?.includes('problem+json')) return undefined;
  try {
    return (JSON.parse(body.toString('utf8')) as { type?: string }).type;
  } catch {
    return undefined;
  }
}

export async function startAcmeFaultProxy(pebble: Pebble, policy: AcmeFaultPolicy): Promise<AcmeFaultProxy> {
  const upstream = new URL(pebble.directoryUrl);
  const requests: AcmeRequestRecord[] = [];

  const answerWithFault = (res: ServerResponse, record: Pick<AcmeRequestRecord, 'method' | 'path' | 'at' | 'identifiers'>, fault: AcmeFault): void => {
    const { type, detail } = PROBLEMS[fault.status];
    const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
    if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
    requests.push({ ...record, status: fault.status, injected: true, problemType: `urn:ietf:params:acme:error:${type}`, ...(fault.retryAfterSeconds !== undefined ? { retryAfterSeconds: fault.retryAfterSeconds } : {}) });
    res.writeHead(fault.status, headers).end(JSON.stringify({ type: `urn:ietf:params:acme:error:${type}`, detail, status: fault.status }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    const at = Date.now();
    const body = await readRequestBody(req);
    const identifiers = path === NEW_ORDER_PATH ? orderIdentifiers(body) : undefined;
    const record = { method, path, at, ...(identifiers ? { identifiers } : {}) };
    const fault = policy(method, path);
    if (fault) return answerWithFault(res, record, fault);
    const answer = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const out = request({ host: upstream.hostname, port: upstream.port, path: req.url, method, headers: req.headers, ca: pebble.listenerCaPem }, (upstreamRes) => {
        readRequestBody(upstreamRes).then((data) => resolve({ status: upstreamRes.statusCode ?? 502, headers: upstreamRes.headers, body: data }), reject);
      });
      out.on('error', reject);
      out.end(body);
    });
    const retryAfter = Number(answer.headers['retry-after']);
    const type = problemType(answer.status, answer.body, answer.headers['content-type']);
    requests.push({ ...record, status: answer.status, injected: false, ...(type ? { problemType: type } : {}), ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}) });
    res.writeHead(answer.status, answer.headers).end(answer.body);
  };

  const server: Server = createServer({ cert: pebble.listenerCertificatePem, key: pebble.listenerKeyPem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502).end(String(err));
    });
  });
  const listener = await listenOnLoopback(server);
  return {
    directoryUrl: `https://127.0.0.1:${listener.port}${upstream.pathname}`,
    requests,
    close: () => listener.close(),
  };
}

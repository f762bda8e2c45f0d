/**
 * A test-only extension in front of Pebble 2.4.0, which predates ARI (RFC 9773) and ACME profiles:
 * an HTTPS proxy that
 * - adds `renewalInfo` and `meta.profiles` to the directory,
 * - answers `GET {renewalInfo}/{certId}` with a suggested window chosen by the test (and Retry-After),
 * - reads `replaces` and `profile` from newOrder payloads (JWS payloads are readable base64url JSON),
 *   records them per order, answers an unknown profile with `invalidProfile` and a `replaces` the
 *   test marks as already replaced with `alreadyReplaced` (409),
 * - can answer newOrder with `rateLimited` (429, Retry-After) to test rate-limit handling,
 * - forwards everything else to Pebble unchanged, Host header included: Pebble builds its URLs
 *   from the Host, so JWS `url` checks pass and every link points back at the proxy.
 */
import { createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, readRequestBody } from '../../test/doubles/loopback.js';
import type { Pebble } from './pebble.js';

export const RENEWAL_INFO_PATH = '/renewal-info';

export interface RecordedOrder {
  /** The identifier values asked for. */
  names: string[];
  replaces?: string;
  profile?: string;
  /** The order URL Pebble returned (Location), when the order was created. */
  url?: string;
  /** The problem type the proxy answered with instead of forwarding. */
  rejected?: string;
  /** When the proxy received it (ms since the epoch). */
  at: number;
}

export interface AriProxy {
  directoryUrl: string;
  /** Orders seen, in order. */
  readonly orders: RecordedOrder[];
  /** CertIDs of renewalInfo requests, in order. */
  readonly renewalInfoRequests: string[];
  /** The window served for a CertID (ISO times); the default is far in the future. */
  windowFor: (certId: string) => { start: string; end: string };
  /** CertIDs whose `replaces` is answered with alreadyReplaced. */
  readonly alreadyReplaced: Set<string>;
  /** Retry-After seconds sent with renewalInfo. */
  retryAfterSeconds: number;
  /** Names whose next newOrder is answered 429 rateLimited with Retry-After 2 s (once per name). */
  readonly rateLimitNextOrderFor: Set<string>;
  close(): Promise<void>;
}

export interface AriProxyOptions {
  /** `meta.profiles` to advertise. */
  profiles?: Record<string, string>;
}

function problem(res: ServerResponse, status: number, type: string, detail: string): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: `urn:ietf:params:acme:error:${type}`, detail, status }));
}

export async function startAriProxy(pebble: Pebble, options: AriProxyOptions = {}): Promise<AriProxy> {
  const upstream = new URL(pebble.directoryUrl);
  const profiles = options.profiles ?? { classic: 'https://example.test/profiles/classic', shortlived: 'https://example.test/profiles/shortlived' };
  const state = {
    orders: [] as RecordedOrder[],
    renewalInfoRequests: [] as string[],
    windowFor: (_certId: string) => ({ start: '2099-01-01T00:00:00Z', end: '2099-01-02T00:00:00Z' }),
    alreadyReplaced: new Set<string>(),
    retryAfterSeconds: 3600,
    rateLimitNextOrderFor: new Set<string>(),
  };

  const forward = (req: IncomingMessage, body: Buffer, rewrite?: (status: number, text: string) => string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const out = request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers, ca: pebble.listenerCaPem },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            let data = Buffer.concat(chunks);
            if (rewrite) data = Buffer.from(rewrite(res.statusCode ?? 0, data.toString('utf8')));
            const headers = { ...res.headers };
            delete headers['content-length'];
            resolve({ status: res.statusCode ?? 0, headers, body: data });
          });
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '').split('?')[0]!;
    const host = req.headers.host ?? '';
    if (req.method === 'GET' && path.startsWith(`${RENEWAL_INFO_PATH}/`)) {
      const certId = decodeURIComponent(path.slice(RENEWAL_INFO_PATH.length + 1));
      state.renewalInfoRequests.push(certId);
      res.writeHead(200, { 'content-type': 'application/json', 'retry-after': String(state.retryAfterSeconds) }).end(JSON.stringify({ suggestedWindow: state.windowFor(certId), explanationURL: 'https://example.test/why' }));
      return;
    }
    const body = await readRequestBody(req);
    if (req.method === 'GET' && path === upstream.pathname) {
      const { status, headers, body: text } = await forward(req, body, (status, text) => {
        if (status !== 200) return text;
        const directory = JSON.parse(text) as Record<string, unknown> & { meta?: Record<string, unknown> };
        return JSON.stringify({ ...directory, renewalInfo: `https://${host}${RENEWAL_INFO_PATH}`, meta: { ...directory.meta, profiles } });
      });
      res.writeHead(status, headers).end(text);
      return;
    }
    if (req.method === 'POST' && path === '/order-plz') {
      const jws = JSON.parse(body.toString('utf8')) as { payload?: string };
      const payload = JSON.parse(Buffer.from(jws.payload ?? '', 'base64url').toString('utf8') || '{}') as { identifiers?: { value: string }[]; replaces?: string; profile?: string };
      const names = (payload.identifiers ?? []).map((i) => i.value);
      const recorded: RecordedOrder = { at: Date.now(), names, ...(payload.replaces ? { replaces: payload.replaces } : {}), ...(payload.profile ? { profile: payload.profile } : {}) };
      state.orders.push(recorded);
      const limitedName = names.find((n) => state.rateLimitNextOrderFor.has(n));
      if (limitedName !== undefined) {
        state.rateLimitNextOrderFor.delete(limitedName);
        recorded.rejected = 'rateLimited';
        res.setHeader('retry-after', '2');
        return problem(res, 429, 'rateLimited', 'too many new orders recently');
      }
      if (payload.profile && !(payload.profile in profiles)) {
        recorded.rejected = 'invalidProfile';
        return problem(res, 400, 'invalidProfile', `profile "${payload.profile}" is not offered`);
      }
      if (payload.replaces && state.alreadyReplaced.has(payload.replaces)) {
        recorded.rejected = 'alreadyReplaced';
        return problem(res, 409, 'alreadyReplaced', `certificate ${payload.replaces} was already replaced`);
      }
      const { status, headers, body: text } = await forward(req, body);
      recorded.url = typeof headers.location === 'string' ? headers.location : undefined;
      res.writeHead(status, headers).end(text);
      return;
    }
    const { status, headers, body: text } = await forward(req, body);
    res.writeHead(status, headers).end(text);
  };

  const server: Server = createServer({ cert: pebble.listenerCertificatePem, key: pebble.listenerKeyPem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502).end(String(err));
    });
  });
  const listener = await listenOnLoopback(server);
  const proxy: AriProxy = Object.assign(state, {
    directoryUrl: `https://127.0.0.1:${listener.port}${upstream.pathname}`,
    close: () => listener.close(),
  });
  return proxy;
}

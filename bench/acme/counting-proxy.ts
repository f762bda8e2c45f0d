/**
 * A counting HTTPS proxy in front of Pebble, so every ACME client's requests are counted the same
 * way. Unlike bench/lifecycle's Kubernetes proxy it keeps the Host header: Pebble builds every URL
 * it hands out (directory, orders, authorizations, nonces) from the Host it was asked on, so the
 * client's JWS `url` checks pass and all later requests come back through the proxy. Served with
 * Pebble's own listener certificate, so clients trust it as they trust Pebble.
 */
import { Agent, createServer, request } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pebble } from '../../e2e/acme/pebble.js';
import { listenOnLoopback } from '../../test/doubles/loopback.js';
import { countRequest, type RequestCounts } from '../lifecycle/counting-proxy.js';

export interface AcmeCountingProxy {
  /** Pebble's directory, through the proxy. */
  directoryUrl: string;
  counts(): RequestCounts;
  resetCounts(): void;
  close(): Promise<void>;
}

const emptyCounts = (): RequestCounts => ({ reads: 0, writes: 0, byRequest: {} });

export async function startAcmeCountingProxy(pebble: Pebble): Promise<AcmeCountingProxy> {
  const upstream = new URL(pebble.directoryUrl);
  const agent = new Agent({ keepAlive: true, ca: pebble.listenerCaPem });
  let counts = emptyCounts();
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    countRequest(counts, method, req.url ?? '/');
    const outgoing = request({ hostname: upstream.hostname, port: upstream.port, path: req.url, method, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    outgoing.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`ACME counting proxy: ${err.message}\n`);
    });
    req.pipe(outgoing);
  };
  const server = createServer({ key: pebble.listenerKeyPem, cert: pebble.listenerCertificatePem, keepAlive: true }, forward);
  const listener = await listenOnLoopback(server);
  return {
    directoryUrl: `https://127.0.0.1:${listener.port}${upstream.pathname}`,
    counts: () => structuredClone(counts),
    resetCounts: () => (counts = emptyCounts()),
    close: async () => {
      await listener.close();
      agent.destroy();
    },
  };
}

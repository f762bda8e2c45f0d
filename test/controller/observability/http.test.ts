import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import {
  HealthChecks,
  parseListenAddress,
  startHealthServer,
  startMetricsServer,
  type RunningServer,
} from '../../../controller/observability/http.js';
import { createControllerMetrics } from '../../../controller/observability/metrics.js';

/** A raw GET, so the test sees exactly what went over the wire (fetch would decompress). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

async function withServer(start: () => Promise<RunningServer>, use: (server: RunningServer) => Promise<void>) {
  const server = await start();
  try {
    await use(server);
  } finally {
    await server.close();
  }
}

test('parseListenAddress reads host:port, [ipv6]:port and :port, and rejects the rest specifically', () => {
  assert.deepEqual(parseListenAddress('127.0.0.1:9402'), { host: '127.0.0.1', port: 9402 });
  assert.deepEqual(parseListenAddress('[::1]:9403'), { host: '::1', port: 9403 });
  assert.deepEqual(parseListenAddress(':9402'), { host: undefined, port: 9402 });
  assert.deepEqual(parseListenAddress('localhost:0'), { host: 'localhost', port: 0 });
  for (const bad of ['9402', '127.0.0.1', '127.0.0.1:99999', '127.0.0.1:http', '::1:9402', '']) {
    assert.throws(() => parseListenAddress(bad), new RegExp(`invalid listen address "${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`), bad);
  }
});

test('/metrics serves the registry over HTTP, plain or gzipped, with the exposition content type', async () => {
  const metrics = createControllerMetrics({
    certificates: () => [{ metadata: { name: 'web', namespace: 'apps' }, spec: { issuerRef: { name: 'ca', kind: 'Issuer' } } }],
    issuers: () => [],
    challenges: () => [],
  });
  await withServer(
    () => startMetricsServer({ registry: metrics.registry, address: '127.0.0.1:0' }),
    async (server) => {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.notEqual(server.address.port, 0);

      const plain = await get(`${server.url}/metrics`);
      assert.equal(plain.status, 200);
      assert.equal(plain.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
      assert.match(plain.body.toString(), /^certmanager_certificate_ready_status\{condition="Unknown",name="web",namespace="apps",/m);

      const zipped = await get(`${server.url}/metrics`, { 'accept-encoding': 'gzip' });
      assert.equal(zipped.headers['content-encoding'], 'gzip');
      assert.match(gunzipSync(zipped.body).toString(), /^certmanager_certificate_ready_status\{condition="Unknown",name="web"/m);

      assert.equal((await get(`${server.url}/other`)).status, 404);
    },
  );
});

test('readiness is the set of registered checks: 200 "ok" when all pass, 500 naming the failures', async () => {
  const readiness = new HealthChecks();
  let synced = false;
  readiness.add('informers-synced', () => synced);
  readiness.add('store', async () => true);
  await withServer(
    () => startHealthServer({ address: '127.0.0.1:0', readiness }),
    async (server) => {
      const notReady = await get(`${server.url}/readyz`);
      assert.equal(notReady.status, 500);
      assert.equal(notReady.body.toString(), '[-]informers-synced failed: check returned false\n[+]store ok\nreadyz check failed\n');

      synced = true;
      const ready = await get(`${server.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.equal(ready.body.toString(), 'ok\n');

      const verbose = await get(`${server.url}/readyz?verbose`);
      assert.equal(verbose.body.toString(), '[+]informers-synced ok\n[+]store ok\nreadyz check passed\n');

      assert.equal((await get(`${server.url}/readyz/store`)).status, 200);
      assert.equal((await get(`${server.url}/readyz/missing`)).status, 404);
      assert.equal((await get(`${server.url}/livez`)).status, 200, 'liveness without checks is ok');
      assert.equal((await get(`${server.url}/constructor`)).status, 404);
    },
  );
});

test('a throwing or hanging check fails with its reason instead of breaking the probe', async () => {
  const liveness = new HealthChecks(50);
  liveness.add('leader-election', () => {
    throw new Error('lease lost');
  });
  liveness.add('hangs', () => new Promise<boolean>(() => {}));
  const report = await liveness.run();
  assert.equal(report.ok, false);
  assert.deepEqual(report.checks, [
    { name: 'leader-election', ok: false, reason: 'lease lost' },
    { name: 'hangs', ok: false, reason: 'timed out after 50ms' },
  ]);
  await withServer(
    () => startHealthServer({ address: '127.0.0.1:0', readiness: new HealthChecks(), liveness }),
    async (server) => {
      const res = await get(`${server.url}/livez`);
      assert.equal(res.status, 500);
      assert.match(res.body.toString(), /\[-\]leader-election failed: lease lost/);
    },
  );
});

test('HealthChecks rejects invalid and duplicate names', () => {
  const checks = new HealthChecks();
  checks.add('informers-synced', () => true);
  assert.throws(() => checks.add('informers-synced', () => true), /health check "informers-synced" is already registered/);
  assert.throws(() => checks.add('Bad Name', () => true), /invalid health check name "Bad Name"/);
  checks.remove('informers-synced');
  checks.add('informers-synced', () => true);
});

test('a busy port is reported, not swallowed', async () => {
  await withServer(
    () => startHealthServer({ address: '127.0.0.1:0', readiness: new HealthChecks() }),
    async (server) => {
      await assert.rejects(
        startMetricsServer({ registry: createControllerMetrics({ certificates: () => [], issuers: () => [], challenges: () => [] }).registry, address: `127.0.0.1:${server.address.port}` }),
        /EADDRINUSE/,
      );
    },
  );
});

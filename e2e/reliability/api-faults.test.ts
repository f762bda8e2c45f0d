/**
 * R3 API faults: the controller talks to the embedded API server through a proxy that answers a
 * share of requests itself — 409 Conflict, 429 and 503 with Retry-After, 500 without — expires
 * watches with 410 Gone and cuts others mid-stream. Every Certificate still becomes Ready, the
 * number of requests per Certificate stays bounded, and once everything is Ready the controller
 * makes no writes at all while the faults go on (no hot loops).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import type { Certificate, CertificateRequest } from '../../api/types.js';
import { startCountingProxy, type CountingProxy, type Fault } from '../../bench/lifecycle/counting-proxy.js';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { applyManifests } from '../../cli/manifests.js';
import { startManager, type Manager } from '../../controller/manager.js';
import { createLogger } from '../../controller/observability/log.js';
import { KubeClient, type WatchStream } from '../../controller/runtime/client.js';
import { CERTIFICATE_REQUESTS, CERTIFICATES, SECRETS } from '../../controller/runtime/resources.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { realClock } from '../../controller/runtime/clock.js';
import { TimerQueue } from '../../controller/runtime/timers.js';
import { eventually, tempDataDir } from '../../test/controller/certificates/reconciler-harness.js';
import { seededRandom } from './seeded-random.js';

const COUNT = 60;
const NAMESPACE = 'r3-faults';
const QUIET_WINDOW_MS = 5_000;

const seed = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
const random = seededRandom(seed);
const injected: Record<string, number> = {};
let resumedWatches = 0;

function faultFor(method: string, url: string): Fault | undefined {
  const isWatch = /[?&]watch=(1|true)/.test(url);
  const roll = random();
  let fault: Fault | undefined;
  if (isWatch) {
    // Every third watch resuming from a resourceVersion finds it expired; most others are cut.
    if (/resourceVersion=[1-9]/.test(url) && ++resumedWatches % 3 === 1) fault = { watchGone: true };
    else if (roll < 0.35) fault = { cutAfterMs: 500 + Math.floor(random() * 2500) };
  } else if (method !== 'GET') {
    if (roll < 0.08) fault = { respond: 409 };
    else if (roll < 0.16) fault = { respond: 429, retryAfterSeconds: 1 };
    else if (roll < 0.2) fault = { respond: 503, retryAfterSeconds: 1 };
    else if (roll < 0.25) fault = { respond: 500 };
  } else if (roll < 0.05) {
    fault = { respond: 500 };
  }
  if (fault) {
    const kind = 'respond' in fault ? String(fault.respond) : 'watchGone' in fault ? 'watch 410' : 'watch cut';
    injected[kind] = (injected[kind] ?? 0) + 1;
  }
  return fault;
}

const dataDir = tempDataDir('certwright-r3-');
let cluster: LocalCluster;
let proxy: CountingProxy;
let manager: Manager;
let requestsDuringIssuance = 0;
let requestsByKind: Record<string, number> = {};

const isReady = (c: Certificate | CertificateRequest | undefined) => c?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;

/** Per Certificate, when (ms since start) its request was created and issued, its Secret got the certificate, and it became Ready: seen straight from the server, printed to tell where a slow one waited. */
const startedAt = Date.now();
const timelines = new Map<string, { requestCreated?: number; requestIssued?: number; secretIssued?: number; ready?: number }>();
const timeline = (name: string) => timelines.get(name) ?? timelines.set(name, {}).get(name)!;
const watches: WatchStream[] = [];

/** The Certificates that sat longest between their request being issued and becoming Ready. */
function slowestPickups(): Array<{ name: string; waitMs: number }> {
  return [...timelines.entries()]
    .map(([name, t]) => ({ name, waitMs: (t.ready ?? Date.now() - startedAt) - (t.requestIssued ?? Infinity), ...t }))
    .filter((x) => Number.isFinite(x.waitMs))
    .sort((a, b) => b.waitMs - a.waitMs)
    .slice(0, 5);
}

before(async () => {
  cluster = await startLocalCluster({ dataDir: dataDir.path });
  proxy = await startCountingProxy(cluster.server.url, dataDir.path, { faults: faultFor });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(proxy.kubeconfigPath);
  manager = await startManager({ kubeConfig, logger: createLogger({ level: 'silent' }) });
  // The test's own writes go straight to the server.
  const client = new KubeClient({ kubeConfig: cluster.kubeConfig, timers: new TimerQueue(realClock) });
  watches.push(
    client.watch<CertificateRequest>(CERTIFICATE_REQUESTS, { namespace: NAMESPACE, resourceVersion: '0' }, (event) => {
      const owner = (event.object as CertificateRequest).metadata?.annotations?.['cert-manager.io/certificate-name'];
      if (owner) timeline(owner).requestCreated ??= Date.now() - startedAt;
      if (owner && isReady(event.object as CertificateRequest)) timeline(owner).requestIssued ??= Date.now() - startedAt;
    }),
    client.watch<KubeSecret>(SECRETS, { namespace: NAMESPACE, resourceVersion: '0' }, (event) => {
      const owner = (event.object as KubeSecret).metadata?.annotations?.['cert-manager.io/certificate-name'];
      if (owner && (event.object as KubeSecret).data?.['tls.crt']) timeline(owner).secretIssued ??= Date.now() - startedAt;
    }),
    client.watch<Certificate>(CERTIFICATES, { namespace: NAMESPACE, resourceVersion: '0' }, (event) => {
      const name = (event.object as Certificate).metadata?.name;
      if (name && isReady(event.object as Certificate)) timeline(name).ready ??= Date.now() - startedAt;
    }),
  );
  await applyManifests(client, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace: NAMESPACE, name: 'r3-selfsigned' }, spec: { selfSigned: {} } },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { namespace: NAMESPACE, name: 'r3-root' },
      spec: { isCA: true, commonName: 'r3 root', secretName: 'r3-root-tls', issuerRef: { name: 'r3-selfsigned', kind: 'Issuer' } },
    },
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace: NAMESPACE, name: 'r3-ca' }, spec: { ca: { secretName: 'r3-root-tls' } } },
    ...Array.from({ length: COUNT }, (_, i) => ({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { namespace: NAMESPACE, name: `faulty-${i}` },
      spec: { secretName: `faulty-${i}-tls`, dnsNames: [`faulty-${i}.r3.example.com`], issuerRef: { name: 'r3-ca', kind: 'Issuer' } },
    })),
  ]);
  // 13–37 s seen on a loaded 2-core machine; the limit was 180 s while cut watches left informers up to 30 s behind.
  await eventually(async () => {
    const list = await manager.informers.certificates.list();
    return list.filter(isReady).length === COUNT + 1;
  }, `all ${COUNT + 1} Certificates Ready through the faults (seed ${seed})`, 90_000).finally(() => {
    console.log(`# seed ${seed}, ${Date.now() - startedAt} ms; slowest from request issued to Ready: ${JSON.stringify(slowestPickups())}`);
  });
  const counts = proxy.counts();
  requestsDuringIssuance = counts.reads + counts.writes;
  requestsByKind = counts.byRequest;
});

after(async () => {
  for (const watch of watches) watch.stop();
  await manager?.stop();
  await proxy?.close();
  await cluster?.close();
  dataDir.remove();
});

test('every kind of fault was injected', () => {
  for (const kind of ['409', '429', '503', '500', 'watch 410', 'watch cut']) assert.ok((injected[kind] ?? 0) > 0, `no ${kind} injected (seed ${seed}): ${JSON.stringify(injected)}`);
});

test('requests per Certificate stay bounded through the faults', () => {
  // Without faults a Certificate costs ~17 requests; a quarter of writes failing roughly triples
  // that. A hot loop would cost thousands.
  assert.ok(requestsDuringIssuance / (COUNT + 1) < 120, `${requestsDuringIssuance} requests for ${COUNT + 1} Certificates (seed ${seed}): ${JSON.stringify(requestsByKind)}`);
});

test('once Ready, the controller writes nothing while the faults go on', async () => {
  // Trailing work (events, request pruning, next-key deletion) first finishes, retried through faults.
  // Mostly Events (hundreds, best effort, yielding to reconciles): ~40 s alone, over 60 s in a loaded full suite.
  await eventually(async () => {
    proxy.resetCounts();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    return proxy.counts().writes === 0;
  }, 'a 2 s window without writes', 100_000);
  proxy.resetCounts();
  await new Promise((resolve) => setTimeout(resolve, QUIET_WINDOW_MS));
  const counts = proxy.counts();
  assert.equal(counts.writes, 0, `writes in a quiet window (seed ${seed}): ${JSON.stringify(counts.byRequest)}`);
  assert.ok(counts.reads < 60, `reads in ${QUIET_WINDOW_MS / 1000} s (seed ${seed}): ${JSON.stringify(counts.byRequest)}`);
});

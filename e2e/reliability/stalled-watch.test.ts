/**
 * R3 stalled watches: a proxy between the informer and the API server holds watches open with a 200
 * and delivers nothing — no events, no bookmarks. The informer asks for bookmarks (the API server
 * here sends one every 200 ms), so a watch silent for longer than the client's silence limit is a
 * stalled one: it is ended and the informer watches again, seeing the changes it missed within a
 * bound instead of after the watch's `timeoutSeconds` + 30 s (5–10 min). A healthy watch, kept
 * talking by its bookmarks, is not restarted.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '../../apiserver/index.js';
import { startCountingProxy, type CountingProxy } from '../../bench/lifecycle/counting-proxy.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { KubeClient } from '../../controller/runtime/client.js';
import { realClock } from '../../controller/runtime/clock.js';
import { Informer } from '../../controller/runtime/informer.js';
import { SECRETS } from '../../controller/runtime/resources.js';
import { TimerQueue } from '../../controller/runtime/timers.js';
import { eventually, tempDataDir } from '../../test/controller/certificates/reconciler-harness.js';

const NAMESPACE = 'default';
const BOOKMARK_INTERVAL_MS = 200;
const SILENCE_LIMIT_MS = 1_500;
const WATCH = 'WATCH secrets';

const dataDir = tempDataDir('certwright-stalled-watch-');
let server: ApiServer;
let proxy: CountingProxy;
/** Watches the proxy holds without delivering anything, counted down as it stalls them. */
let watchesToStall = 0;
let stalled = 0;
let directClient: KubeClient;
const timers = new TimerQueue(realClock);
const informers: Informer<KubeSecret>[] = [];

before(async () => {
  server = await startApiServer({ dataDir: dataDir.path, bookmarkIntervalMs: BOOKMARK_INTERVAL_MS });
  proxy = await startCountingProxy(server.url, dataDir.path, {
    faults: (method, url) => {
      if (method !== 'GET' || !/[?&]watch=(1|true)/.test(url) || watchesToStall === 0) return undefined;
      watchesToStall--;
      stalled++;
      return { stall: true };
    },
  });
  const direct = new KubeConfig();
  direct.loadFromFile(server.kubeconfigPath);
  directClient = new KubeClient({ kubeConfig: direct, timers });
});

after(async () => {
  await Promise.all(informers.map((i) => i.stop()));
  await proxy?.close();
  await server?.close();
  dataDir.remove();
});

/** A synced informer on Secrets through the proxy, whose client gives up on silent watches after `watchSilenceLimitMs`. */
async function syncedInformer(watchSilenceLimitMs?: number): Promise<Informer<KubeSecret>> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(proxy.kubeconfigPath);
  const client = new KubeClient({ kubeConfig, timers, ...(watchSilenceLimitMs ? { watchSilenceLimitMs } : {}) });
  const informer = new Informer<KubeSecret>({ source: client.listerWatcher<KubeSecret>(SECRETS, { namespace: NAMESPACE }), timers });
  informers.push(informer);
  informer.start();
  await informer.waitForSync();
  return informer;
}

async function createSecret(name: string): Promise<void> {
  await directClient.create<KubeSecret>(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NAMESPACE }, data: { k: 'dg==' } });
}

test('a stalled watch is noticed within the silence limit and the missed change arrives', async () => {
  watchesToStall = 2;
  stalled = 0;
  const informer = await syncedInformer(SILENCE_LIMIT_MS);
  await eventually(() => stalled === 1, 'the first watch stalled');
  const createdAt = Date.now();
  await createSecret('missed-while-stalled');
  await eventually(() => informer.get({ namespace: NAMESPACE, name: 'missed-while-stalled' }), 'the Secret reaches the informer', 20_000);
  const lagMs = Date.now() - createdAt;
  assert.equal(stalled, 2, 'both stalled watches were given up on before a healthy one delivered the Secret');
  // Two silences plus reconnect backoff (0.8 s, 1.6 s) and a relist-free resume: far below 5 min.
  assert.ok(lagMs < 2 * SILENCE_LIMIT_MS + 6_000, `the Secret took ${lagMs} ms to arrive`);
  assert.ok(lagMs >= SILENCE_LIMIT_MS, `the Secret arrived after ${lagMs} ms, before any stalled watch could have been noticed`);
});

test('without a silence limit the same stall hides changes (the limit is what recovers)', async () => {
  watchesToStall = 1;
  stalled = 0;
  const informer = await syncedInformer(); // default limit: minutes
  await eventually(() => stalled === 1, 'the watch stalled');
  await createSecret('hidden-by-stall');
  await new Promise((resolve) => setTimeout(resolve, 2 * SILENCE_LIMIT_MS + 1_000));
  assert.equal(informer.get({ namespace: NAMESPACE, name: 'hidden-by-stall' }), undefined, 'the stalled watch delivered nothing');
  await informer.stop();
});

test('a healthy watch kept alive by bookmarks is not restarted', async () => {
  watchesToStall = 0;
  proxy.resetCounts();
  const informer = await syncedInformer(SILENCE_LIMIT_MS);
  await new Promise((resolve) => setTimeout(resolve, 3 * SILENCE_LIMIT_MS));
  assert.equal(proxy.counts().byRequest[WATCH], 1, `watches opened: ${JSON.stringify(proxy.counts().byRequest)}`);
  await createSecret('seen-live');
  await eventually(() => informer.get({ namespace: NAMESPACE, name: 'seen-live' }), 'the Secret reaches the informer', 5_000);
});

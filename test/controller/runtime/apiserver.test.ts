/**
 * The client and informers against certwright's embedded API server (a real HTTPS Kubernetes API
 * with a durable store): CRUD semantics, list+watch, selectors, reconnects and 410 relists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../../apiserver/admission.js';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../../apiserver/index.js';
import { KubeClient, type ListerWatcher, type WatchStream } from '../../../controller/runtime/client.js';
import { realClock } from '../../../controller/runtime/clock.js';
import { TimerQueue } from '../../../controller/runtime/timers.js';
import { Informer, getCachedOrFetch } from '../../../controller/runtime/informer.js';
import { isAlreadyExists, isConflict, isInvalid, isNotFound } from '../../../controller/runtime/api-error.js';
import { SECRETS, type ResourceType } from '../../../controller/runtime/resources.js';
import { byLabel } from '../../../controller/runtime/store.js';

const CRDS: ResourceType = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false };
const GADGETS: ResourceType = { group: 'runtime.certwright.io', version: 'v1', resource: 'gadgets', kind: 'Gadget', namespaced: true };
const FAO = 'controller.cert-manager.io/fao';
/** Reconnect sooner than the default 0.8 s → 30 s, to keep the test short. */
const FAST_RECONNECT = { baseMs: 100, maxMs: 1000 };

const gadgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.runtime.certwright.io' },
  spec: {
    group: 'runtime.certwright.io',
    scope: 'Namespaced',
    names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' } } },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

interface Gadget extends KubeObject {
  spec?: { size?: number };
  status?: { phase?: string };
}

interface Cluster {
  server: ApiServer;
  dataDir: string;
  client: KubeClient;
  timers: TimerQueue;
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function startCluster(options: Partial<ApiServerOptions> = {}): Promise<Cluster> {
  const dataDir = await mkdtemp(join(tmpdir(), 'certwright-runtime-'));
  const timers = new TimerQueue(realClock);
  const kc = new KubeConfig();
  const cluster: Cluster = {
    server: await startApiServer({ dataDir, ...options }),
    dataDir,
    timers,
    client: undefined as unknown as KubeClient,
    async restart() {
      const listen = new URL(cluster.server.url).host;
      await cluster.server.close();
      cluster.server = await startApiServer({ dataDir, ...options, listen });
    },
    async close() {
      await cluster.client.close();
      await cluster.server.close();
      timers.clear();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  kc.loadFromFile(cluster.server.kubeconfigPath);
  cluster.client = new KubeClient({ kubeConfig: kc, timers });
  return cluster;
}

function secret(name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default', labels }, type: 'Opaque', data };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function waitFor(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function recordEvents(informer: Informer<KubeObject>): string[] {
  const events: string[] = [];
  informer.addEventHandler({
    onAdd: (o) => events.push(`add ${o.metadata.name}`),
    onUpdate: (_old, o) => events.push(`update ${o.metadata.name}`),
    onDelete: (o) => events.push(`delete ${o.metadata.name}`),
  });
  return events;
}

test('client: create, get, update with optimistic concurrency, merge patch, apply, list, delete', async () => {
  const c = await startCluster();
  try {
    const { client } = c;
    const created = await client.create(SECRETS, secret('a', { app: 'web' }, { k: b64('v1') }));
    assert.ok(created.metadata.uid && created.metadata.resourceVersion);
    await assert.rejects(client.create(SECRETS, secret('a')), isAlreadyExists);

    const read = await client.get<KubeObject & { data: Record<string, string> }>(SECRETS, { namespace: 'default', name: 'a' });
    assert.equal(read.data.k, b64('v1'));
    assert.equal(await client.find(SECRETS, { namespace: 'default', name: 'missing' }), undefined);

    const updated = await client.update(SECRETS, { ...read, data: { k: b64('v2') } });
    assert.notEqual(updated.metadata.resourceVersion, read.metadata.resourceVersion);
    await assert.rejects(client.update(SECRETS, { ...read, data: { k: b64('stale') } }), isConflict);

    const patched = await client.patch(SECRETS, { namespace: 'default', name: 'a' }, { metadata: { labels: { tier: 'front', app: null } } });
    assert.deepEqual(patched.metadata.labels, { tier: 'front' });

    const applied = await client.apply(SECRETS, secret('ssa', { owner: 'certwright' }, { 'tls.crt': b64('cert') }), { fieldManager: 'certwright' });
    assert.equal(applied.metadata.labels?.owner, 'certwright');
    const rival = secret('ssa', { owner: 'someone-else' });
    await assert.rejects(client.apply(SECRETS, rival, { fieldManager: 'rival' }), isConflict, 'a field owned by another manager conflicts');
    const forced = await client.apply(SECRETS, rival, { fieldManager: 'rival', force: true });
    assert.equal(forced.metadata.labels?.owner, 'someone-else');

    const listed = await client.list(SECRETS, { namespace: 'default', labelSelector: 'tier=front', limit: 1 });
    assert.deepEqual(listed.items.map((s) => [s.kind, s.metadata.name]), [['Secret', 'a']]);
    assert.ok(listed.metadata.resourceVersion);

    await client.delete(SECRETS, { namespace: 'default', name: 'a' });
    await assert.rejects(client.get(SECRETS, { namespace: 'default', name: 'a' }), isNotFound);
    await assert.rejects(client.delete(SECRETS, { namespace: 'default', name: 'a' }), isNotFound);
  } finally {
    await c.close();
  }
});

test('client: status subresource writes, schema violations are Invalid, pages are followed', async () => {
  const c = await startCluster();
  try {
    const { client } = c;
    await client.create(CRDS, gadgetCrd as unknown as KubeObject);
    const newGadget = (name: string, size: unknown): Gadget => ({
      apiVersion: 'runtime.certwright.io/v1',
      kind: 'Gadget',
      metadata: { name, namespace: 'default' },
      spec: { size: size as number },
    });
    let gadget: Gadget | undefined;
    const deadline = Date.now() + 10_000;
    while (!gadget) {
      gadget = await client.create<Gadget>(GADGETS, newGadget('g', 2)).catch((err) => {
        if (Date.now() > deadline || !isNotFound(err)) throw err;
        return undefined; // the CRD is not served yet
      });
    }
    const withStatus = await client.updateStatus<Gadget>(GADGETS, { ...gadget, spec: { size: 99 }, status: { phase: 'Ready' } });
    assert.equal(withStatus.status?.phase, 'Ready');
    assert.equal(withStatus.spec?.size, 2, 'the status endpoint ignores spec');
    const patched = await client.patch<Gadget>(GADGETS, { namespace: 'default', name: 'g' }, { status: { phase: 'Done' } }, { subresource: 'status' });
    assert.equal(patched.status?.phase, 'Done');

    await assert.rejects(client.create(GADGETS, newGadget('bad', 'huge')), (err) => isInvalid(err) && /spec.size/.test(String(err)));

    for (let i = 0; i < 5; i++) await client.create(GADGETS, newGadget(`p${i}`, i));
    const all = await client.list<Gadget>(GADGETS, { namespace: 'default', limit: 2 });
    assert.equal(all.items.length, 6, 'three pages of two');
  } finally {
    await c.close();
  }
});

test('informer: list+watch sees adds, updates and deletes; indexes follow', async () => {
  const c = await startCluster();
  const informer = new Informer<KubeObject>({
    source: c.client.listerWatcher(SECRETS, { namespace: 'default' }),
    timers: c.timers,
    indexers: { app: byLabel('app') },
  });
  try {
    await c.client.create(SECRETS, secret('before', { app: 'x' }));
    const events = recordEvents(informer);
    informer.start();
    await informer.waitForSync();
    assert.deepEqual(events, ['add before']);

    await c.client.create(SECRETS, secret('after', { app: 'y' }));
    const before = informer.get({ namespace: 'default', name: 'before' })!;
    await c.client.patch(SECRETS, { namespace: 'default', name: 'before' }, { metadata: { labels: { app: 'y' } } });
    await c.client.delete(SECRETS, { namespace: 'default', name: 'after' });
    await waitFor('the delete', () => events.includes('delete after'));
    assert.deepEqual(events, ['add before', 'add after', 'update before', 'delete after']);
    assert.notEqual(informer.get({ namespace: 'default', name: 'before' })!.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.deepEqual(informer.byIndex('app', 'y').map((o) => o.metadata.name), ['before']);
    assert.deepEqual(informer.byIndex('app', 'x'), []);
  } finally {
    await informer.stop();
    await c.close();
  }
});

test('informer with a label selector caches only owned Secrets; others are fetched on demand', async () => {
  const c = await startCluster();
  const owned = new Informer<KubeObject>({ source: c.client.listerWatcher(SECRETS, { labelSelector: `${FAO}=true` }), timers: c.timers });
  try {
    await c.client.create(SECRETS, secret('owned', { [FAO]: 'true' }));
    await c.client.create(SECRETS, secret('ca-key-pair'));
    const events = recordEvents(owned);
    owned.start();
    await owned.waitForSync();
    assert.deepEqual(owned.list().map((s) => s.metadata.name), ['owned']);

    const ca = await getCachedOrFetch(owned, c.client, SECRETS, { namespace: 'default', name: 'ca-key-pair' });
    assert.equal(ca?.metadata.name, 'ca-key-pair', 'fetched with a GET');
    assert.equal(await getCachedOrFetch(owned, c.client, SECRETS, { namespace: 'default', name: 'nope' }), undefined);

    await c.client.create(SECRETS, secret('owned-later', { [FAO]: 'true' }));
    await c.client.patch(SECRETS, { namespace: 'default', name: 'ca-key-pair' }, { data: { x: b64('y') } });
    await c.client.patch(SECRETS, { namespace: 'default', name: 'owned' }, { metadata: { labels: { [FAO]: null } } });
    await waitFor('the label removal', () => events.includes('delete owned'));
    assert.deepEqual(events, ['add owned', 'add owned-later', 'delete owned']);
    assert.deepEqual(owned.list().map((s) => s.metadata.name), ['owned-later']);
  } finally {
    await owned.stop();
    await c.close();
  }
});

test('informer reconnects after the API server restarts on the same data dir', async () => {
  const c = await startCluster();
  const errors: unknown[] = [];
  const informer = new Informer<KubeObject>({
    source: c.client.listerWatcher(SECRETS, { namespace: 'default' }),
    timers: c.timers,
    backoff: FAST_RECONNECT,
    onError: (err) => errors.push(err),
  });
  try {
    const events = recordEvents(informer);
    informer.start();
    await informer.waitForSync();
    await c.client.create(SECRETS, secret('one'));
    await waitFor('the first add', () => events.includes('add one'));

    await c.restart();
    await c.client.create(SECRETS, secret('two'));
    await waitFor('an add after the restart', () => events.includes('add two'), 20_000);
    assert.ok(errors.length >= 1, 'the broken watch was reported');
    assert.deepEqual(events, ['add one', 'add two'], 'no duplicate adds after reconnecting');
  } finally {
    await informer.stop();
    await c.close();
  }
});

/** Passes list/watch through, but while `paused` every watch fails at once (an unreachable server). */
class PausableSource implements ListerWatcher<KubeObject> {
  readonly description: string;
  paused = false;
  lists = 0;
  watchesFrom: string[] = [];
  current: WatchStream | undefined;

  constructor(private readonly inner: ListerWatcher<KubeObject>) {
    this.description = inner.description;
  }

  list() {
    this.lists++;
    return this.inner.list();
  }

  watch(options: { resourceVersion: string; timeoutSeconds: number }, onEvent: Parameters<ListerWatcher<KubeObject>['watch']>[1]): WatchStream {
    this.watchesFrom.push(options.resourceVersion);
    if (this.paused) return { stop: () => {}, done: Promise.reject(new Error('connect ECONNREFUSED (paused by the test)')) };
    this.current = this.inner.watch(options, onEvent);
    return this.current;
  }
}

test('informer relists after 410 when its resourceVersion fell out of the watch history', async () => {
  const c = await startCluster({ store: { historyEvents: 8 } });
  const source = new PausableSource(c.client.listerWatcher(SECRETS, { namespace: 'default' }));
  const informer = new Informer<KubeObject>({ source, timers: c.timers, backoff: FAST_RECONNECT, onError: () => {} });
  try {
    await c.client.create(SECRETS, secret('old'));
    const events = recordEvents(informer);
    informer.start();
    await informer.waitForSync();
    const syncedAt = informer.resourceVersion;
    await waitFor('the watch', () => source.current !== undefined);

    source.paused = true;
    source.current!.stop();
    for (let i = 0; i < 20; i++) await c.client.create(SECRETS, secret(`burst-${i}`));
    await c.client.delete(SECRETS, { namespace: 'default', name: 'old' });
    source.paused = false;

    await waitFor('the relist', () => informer.list().length === 20);
    assert.equal(source.lists, 2, 'one relist');
    assert.ok(source.watchesFrom.includes(syncedAt), 'it first tried to resume from where it was');
    assert.equal(events.filter((e) => e.startsWith('add burst-')).length, 20);
    assert.ok(events.includes('delete old'), 'the relist noticed the delete it missed');
  } finally {
    await informer.stop();
    await c.close();
  }
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { makeInformer, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { asMergePatch, eventually, startTestServer, type TestServer } from './harness.js';

let t: TestServer;
before(async () => {
  t = await startTestServer({ bookmarkIntervalMs: 100, maxWatchSeconds: 1, store: { historyEvents: 8 } });
  for (const ns of ['w1', 'w2', 'w3', 'w4', 'w5', 'inf-a', 'inf-b', 'inf-c']) await t.core.createNamespace({ body: { metadata: { name: ns } } });
});
after(() => t.close());

interface Seen {
  type: string;
  object: any;
}

/** A raw watch stream, collecting every event until stopped; `afterChunk` sees the response after each chunk is parsed. */
function rawWatch(path: string, afterChunk?: (res: IncomingMessage) => void): { events: Seen[]; stop(): void } {
  const events: Seen[] = [];
  let buffer = '';
  const req = httpsRequest(new URL(path, t.server.url), { headers: { Authorization: `Bearer ${t.server.token}` }, ca: t.server.caCertificate }, (res) => {
    res.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
      }
      afterChunk?.(res);
    });
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
  return { events, stop: () => req.destroy() };
}

describe('watch', () => {
  test('from a list resourceVersion: ADDED, MODIFIED, DELETED in order (client-node Watch)', async () => {
    const list = await t.core.listNamespacedConfigMap({ namespace: 'w1' });
    const seen: [string, string, string | undefined][] = [];
    const watch = new Watch(t.kc);
    const controller = await watch.watch('/api/v1/namespaces/w1/configmaps', { resourceVersion: list.metadata!.resourceVersion }, (type, obj) => seen.push([type, obj.metadata.name, obj.data?.k]), () => undefined);
    await t.core.createNamespacedConfigMap({ namespace: 'w1', body: { metadata: { name: 'a' }, data: { k: '1' } } });
    await t.core.patchNamespacedConfigMap({ namespace: 'w1', name: 'a', body: { data: { k: '2' } } }, asMergePatch);
    await t.core.deleteNamespacedConfigMap({ namespace: 'w1', name: 'a' });
    await eventually(() => seen.length === 3, 'three events');
    controller.abort();
    assert.deepEqual(seen, [
      ['ADDED', 'a', '1'],
      ['MODIFIED', 'a', '2'],
      ['DELETED', 'a', '2'],
    ]);
  });

  test('initial events larger than the socket buffers arrive once each, then what changed while the client lagged', async () => {
    const filler = 'x'.repeat(2048);
    const names = Array.from({ length: 400 }, (_, i) => `bulk-${i}`);
    for (let i = 0; i < names.length; i += 50)
      await Promise.all(names.slice(i, i + 50).map((name) => t.call('POST', '/api/v1/namespaces/w5/configmaps', { body: { metadata: { name }, data: { filler } } })));
    let late: Promise<unknown> | undefined;
    const w = rawWatch('/api/v1/namespaces/w5/configmaps?watch=true&timeoutSeconds=60', (res) => {
      // Stop reading while the server is still writing the initial events, and change something meanwhile.
      if (late) return;
      res.pause();
      late = t.call('POST', '/api/v1/namespaces/w5/configmaps', { body: { metadata: { name: 'late' } } }).finally(() => res.resume());
    });
    await eventually(() => w.events.length >= names.length + 1, 'every initial event and the late one', 20_000);
    w.stop();
    await late;
    const { events } = w;
    assert.ok(events.every((e) => e.type === 'ADDED'), JSON.stringify(events.map((e) => e.type)));
    const seen = events.map((e) => e.object.metadata.name as string);
    assert.equal(new Set(seen).size, seen.length, 'no object twice');
    assert.deepEqual(new Set(seen), new Set([...names, 'late']));
  });

  test('without a resourceVersion the current state arrives as ADDED first', async () => {
    await t.core.createNamespacedConfigMap({ namespace: 'w2', body: { metadata: { name: 'existing' } } });
    const w = rawWatch('/api/v1/namespaces/w2/configmaps?watch=true');
    await eventually(() => w.events.length === 1, 'initial event');
    w.stop();
    assert.deepEqual([w.events[0]!.type, w.events[0]!.object.metadata.name], ['ADDED', 'existing']);
  });

  test('label-selected watch: leaving the selection is DELETED, entering it is ADDED', async () => {
    const list = await t.core.listNamespacedConfigMap({ namespace: 'w3' });
    const w = rawWatch(`/api/v1/namespaces/w3/configmaps?watch=1&labelSelector=pick%3Dyes&resourceVersion=${list.metadata!.resourceVersion}`);
    await t.core.createNamespacedConfigMap({ namespace: 'w3', body: { metadata: { name: 'm', labels: { pick: 'no' } } } });
    await t.core.patchNamespacedConfigMap({ namespace: 'w3', name: 'm', body: { metadata: { labels: { pick: 'yes' } } } }, asMergePatch);
    await t.core.patchNamespacedConfigMap({ namespace: 'w3', name: 'm', body: { metadata: { labels: { pick: 'no' } } } }, asMergePatch);
    await eventually(() => w.events.filter((e) => e.type !== 'BOOKMARK').length === 2, 'two transitions');
    w.stop();
    assert.deepEqual(
      w.events.filter((e) => e.type !== 'BOOKMARK').map((e) => e.type),
      ['ADDED', 'DELETED'],
    );
  });

  test('bookmarks carry the current resourceVersion; sendInitialEvents ends with the initial-events-end bookmark', async () => {
    await t.core.createNamespacedConfigMap({ namespace: 'w4', body: { metadata: { name: 'x' } } });
    const w = rawWatch('/api/v1/namespaces/w4/configmaps?watch=true&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan');
    await eventually(() => w.events.filter((e) => e.type === 'BOOKMARK').length >= 2, 'bookmarks');
    w.stop();
    assert.equal(w.events[0]!.type, 'ADDED');
    assert.equal(w.events[1]!.type, 'BOOKMARK');
    assert.equal(w.events[1]!.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    assert.match(w.events[2]!.object.metadata.resourceVersion, /^\d+$/);
  });

  test('a resourceVersion older than the retained history is an ERROR event with 410 Expired', async () => {
    const first = await t.core.createNamespacedConfigMap({ namespace: 'w4', body: { metadata: { name: 'old' } } });
    for (let i = 0; i < 12; i++) await t.core.patchNamespacedConfigMap({ namespace: 'w4', name: 'old', body: { data: { i: String(i) } } }, asMergePatch);
    const w = rawWatch(`/api/v1/namespaces/w4/configmaps?watch=true&resourceVersion=${first.metadata!.resourceVersion}`);
    await eventually(() => w.events.length === 1, 'error event');
    w.stop();
    const [event] = w.events;
    assert.equal(event!.type, 'ERROR');
    assert.deepEqual([event!.object.kind, event!.object.code, event!.object.reason], ['Status', 410, 'Expired']);
  });
});

describe('client-node informer', () => {
  test('list+watch keeps a cache through server-side watch timeouts (reconnect)', async () => {
    const informer = makeInformer<V1ConfigMap>(t.kc, '/api/v1/namespaces/inf-a/configmaps', () => t.core.listNamespacedConfigMap({ namespace: 'inf-a' }));
    const added: string[] = [];
    const deleted: string[] = [];
    informer.on('add', (o) => added.push(o.metadata!.name!));
    informer.on('delete', (o) => deleted.push(o.metadata!.name!));
    await informer.start();
    try {
      await t.core.createNamespacedConfigMap({ namespace: 'inf-a', body: { metadata: { name: 'one' } } });
      await eventually(() => added.includes('one'), 'add of one');
      // The server closes watches after at most a second: later events must still arrive.
      await new Promise((r) => setTimeout(r, 1300));
      await t.core.createNamespacedConfigMap({ namespace: 'inf-a', body: { metadata: { name: 'two' } } });
      await t.core.deleteNamespacedConfigMap({ namespace: 'inf-a', name: 'one' });
      await eventually(() => added.includes('two') && deleted.includes('one'), 'events after reconnect');
      assert.deepEqual(informer.list().map((o) => o.metadata!.name), ['two']);
    } finally {
      await informer.stop();
    }
  });

  test('a watch resuming past the retained history gets 410 and the informer relists', async () => {
    let lists = 0;
    const informer = makeInformer<V1ConfigMap>(t.kc, '/api/v1/namespaces/inf-b/configmaps', () => {
      lists++;
      return t.core.listNamespacedConfigMap({ namespace: 'inf-b' });
    });
    const added: string[] = [];
    informer.on('add', (o) => added.push(o.metadata!.name!));
    await informer.start();
    try {
      await t.core.createNamespacedConfigMap({ namespace: 'inf-b', body: { metadata: { name: 'first' } } });
      await eventually(() => added.includes('first'), 'first add');
      // Writes elsewhere push the informer's resourceVersion out of the history window.
      for (let i = 0; i < 20; i++) await t.core.createNamespacedConfigMap({ namespace: 'inf-c', body: { metadata: { name: `filler-${i}` } } });
      await eventually(() => lists >= 2, 'a relist after 410', 5000);
      await t.core.createNamespacedConfigMap({ namespace: 'inf-b', body: { metadata: { name: 'second' } } });
      await eventually(() => added.includes('second'), 'second add after relist');
      assert.deepEqual(informer.list().map((o) => o.metadata!.name).sort(), ['first', 'second']);
    } finally {
      await informer.stop();
    }
  });
});

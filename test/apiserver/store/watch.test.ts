import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore, ResourceVersionTooOld, type StoreEvent } from '../../../apiserver/store/index.js';
import { configMap, configMapKey, dataDirFor } from './helpers.js';

function summary(event: StoreEvent): string {
  return `${event.type} ${event.object.metadata.name} ${event.resourceVersion}`;
}

test('a watch from a resourceVersion replays later retained events, then live ones, in order', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t) });
  t.after(() => store.close());
  await store.create(configMapKey('a'), configMap('a'));
  await store.create(configMapKey('b'), configMap('b'));
  await store.update(configMapKey('a'), configMap('a', { v: '2' }));

  const seen: string[] = [];
  store.watch('/core/configmaps/', 1, (event) => seen.push(summary(event)));
  assert.deepEqual(seen, ['ADDED b 2', 'MODIFIED a 3'], 'retained events are delivered before watch returns');
  await store.delete(configMapKey('b'));
  assert.deepEqual(seen, ['ADDED b 2', 'MODIFIED a 3', 'DELETED b 4'], 'a live event arrives before its write resolves');
});

test('events carry the stored object; a deletion carries the last state at the deletion\'s resourceVersion', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t) });
  t.after(() => store.close());
  const events: StoreEvent[] = [];
  store.watch('/', 0, (event) => events.push(event));
  await store.create(configMapKey('a'), configMap('a', { v: '1' }));
  await store.delete(configMapKey('a'));
  const [added, deleted] = events;
  assert.equal(added?.key, configMapKey('a'));
  assert.deepEqual(added?.object.data, { v: '1' });
  assert.equal(added?.object.metadata.resourceVersion, '1');
  assert.equal(deleted?.type, 'DELETED');
  assert.equal(deleted?.resourceVersion, 2);
  assert.deepEqual(deleted?.object.data, { v: '1' });
  assert.equal(deleted?.object.metadata.resourceVersion, '2');
  assert.deepEqual(JSON.parse(deleted?.json as string), deleted?.object);
  assert.deepEqual(JSON.parse(JSON.stringify(deleted)).object, deleted?.object);
});

test('watchers only see keys under their prefix; overlapping prefixes each get the event, frozen and shared', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t) });
  t.after(() => store.close());
  const everything: StoreEvent[] = [];
  const defaultNamespace: StoreEvent[] = [];
  const otherNamespace: StoreEvent[] = [];
  store.watch('/core/', 0, (event) => everything.push(event));
  store.watch('/core/configmaps/default/', 0, (event) => defaultNamespace.push(event));
  store.watch('/core/configmaps/other/', 0, (event) => otherNamespace.push(event));
  await store.create(configMapKey('a'), configMap('a'));
  await store.create(configMapKey('b', 'other'), configMap('b', {}, 'other'));
  assert.deepEqual(everything.map((e) => e.key), [configMapKey('a'), configMapKey('b', 'other')]);
  assert.deepEqual(defaultNamespace.map((e) => e.key), [configMapKey('a')]);
  assert.deepEqual(otherNamespace.map((e) => e.key), [configMapKey('b', 'other')]);
  const object = defaultNamespace[0]?.object;
  assert.ok(object && Object.isFrozen(object) && Object.isFrozen(object.metadata));
  assert.throws(() => {
    (object.metadata as { name: string }).name = 'mutated';
  }, TypeError);
  assert.equal(everything[0]?.object, object, 'one parsed object is shared by every watcher');
  assert.equal(store.get(configMapKey('a'))?.metadata.name, 'a');
});

test('stop ends delivery', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t) });
  t.after(() => store.close());
  const seen: number[] = [];
  const watch = store.watch('/', 0, (event) => seen.push(event.resourceVersion));
  await store.create(configMapKey('a'), configMap('a'));
  watch.stop();
  await store.create(configMapKey('b'), configMap('b'));
  assert.deepEqual(seen, [1]);
});

test('a watch too far behind the retained window is ResourceVersionTooOld', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t), historyEvents: 3 });
  t.after(() => store.close());
  for (const name of ['a', 'b', 'c', 'd', 'e']) await store.create(configMapKey(name), configMap(name));
  // Events 3, 4, 5 are retained: a watch from 2 needs nothing older and still works.
  const seen: number[] = [];
  store.watch('/', 2, (event) => seen.push(event.resourceVersion)).stop();
  assert.deepEqual(seen, [3, 4, 5]);
  assert.throws(() => store.watch('/', 1, () => {}), ResourceVersionTooOld);
  assert.throws(() => store.watch('/', 0, () => {}), ResourceVersionTooOld);
});

test('the byte bound on the window also compacts', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t), historyBytes: 2000 });
  t.after(() => store.close());
  const big = 'x'.repeat(800);
  for (const name of ['a', 'b', 'c', 'd']) await store.create(configMapKey(name), configMap(name, { big }));
  assert.throws(() => store.watch('/', 1, () => {}), ResourceVersionTooOld);
  assert.doesNotThrow(() => store.watch('/', 3, () => {}).stop());
});

test('a watch from a resourceVersion ahead of the store gets only later events', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t) });
  t.after(() => store.close());
  const seen: number[] = [];
  store.watch('/', 2, (event) => seen.push(event.resourceVersion));
  for (const name of ['a', 'b', 'c']) await store.create(configMapKey(name), configMap(name));
  assert.deepEqual(seen, [3]);
});

test('a watch started from inside another watcher\'s callback gets each event once', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t) });
  t.after(() => store.close());
  const late: number[] = [];
  let started = false;
  store.watch('/', 0, (event) => {
    if (started) return;
    started = true;
    store.watch('/', event.resourceVersion - 1, (e) => late.push(e.resourceVersion));
  });
  // Both writes commit in one batch: the second event is published while the new watch is registered.
  await Promise.all([store.create(configMapKey('a'), configMap('a')), store.create(configMapKey('b'), configMap('b'))]);
  assert.deepEqual(late, [1, 2]);
});

test('a throwing watcher is stopped and reported; other watchers and the write are unaffected', async (t) => {
  const reported: Error[] = [];
  const store = await openStore({ dataDir: await dataDirFor(t), onBackgroundError: (error) => reported.push(error) });
  t.after(() => store.close());
  let calls = 0;
  store.watch('/', 0, () => {
    calls++;
    throw new Error('boom');
  });
  const healthy: number[] = [];
  store.watch('/', 0, (event) => healthy.push(event.resourceVersion));
  await store.create(configMapKey('a'), configMap('a'));
  await store.create(configMapKey('b'), configMap('b'));
  assert.equal(calls, 1);
  assert.deepEqual(healthy, [1, 2]);
  assert.equal(reported.length, 1);
  assert.match(reported[0]?.message ?? '', /threw and was stopped/);
  assert.equal((reported[0]?.cause as Error).message, 'boom');
});

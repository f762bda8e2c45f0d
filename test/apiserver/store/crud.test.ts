import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlreadyExists, Conflict, NotFound, openStore, StoreUnavailable } from '../../../apiserver/store/index.js';
import { scanRecords } from '../../../apiserver/store/record.js';
import { listSegments } from '../../../apiserver/store/wal.js';
import { configMap, configMapKey, dataDirFor } from './helpers.js';

test('create assigns increasing resourceVersions and get returns what was stored', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t) });
  t.after(() => store.close());
  const first = await store.create(configMapKey('a'), configMap('a', { x: '1' }));
  const second = await store.create(configMapKey('b'), configMap('b'));
  assert.equal(first.metadata.resourceVersion, '1');
  assert.equal(second.metadata.resourceVersion, '2');
  assert.equal(store.resourceVersion, 2);
  assert.deepEqual(store.get(configMapKey('a')), { ...configMap('a', { x: '1' }), metadata: { name: 'a', namespace: 'default', resourceVersion: '1' } });
  assert.equal(store.get(configMapKey('missing')), undefined);
});

test('the caller\'s object is not changed and returned objects do not alias stored state', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t) });
  t.after(() => store.close());
  const input = configMap('a', { x: '1' });
  const created = await store.create(configMapKey('a'), input);
  assert.equal(input.metadata.resourceVersion, undefined);
  input.data = { x: 'changed after create' };
  (created.data as Record<string, string>).x = 'changed returned copy';
  const read = store.get(configMapKey('a'));
  assert.deepEqual(read?.data, { x: '1' });
  (read?.data as Record<string, string>).x = 'changed read copy';
  assert.deepEqual(store.get(configMapKey('a'))?.data, { x: '1' });
  assert.deepEqual(store.list('/core/').items[0]?.data, { x: '1' });
});

test('create of an existing key is AlreadyExists, a Conflict', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t) });
  t.after(() => store.close());
  await store.create(configMapKey('a'), configMap('a'));
  await assert.rejects(store.create(configMapKey('a'), configMap('a')), (error) => error instanceof AlreadyExists && error instanceof Conflict);
  assert.equal(store.resourceVersion, 1, 'a rejected write consumes no resourceVersion');
});

test('concurrent creates of one key: exactly one wins, even before either is committed', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t) });
  t.after(() => store.close());
  const results = await Promise.allSettled([store.create(configMapKey('a'), configMap('a')), store.create(configMapKey('a'), configMap('a'))]);
  assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
});

test('update checks the expected resourceVersion against the latest accepted write', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t) });
  t.after(() => store.close());
  const created = await store.create(configMapKey('a'), configMap('a', { v: '1' }));
  const updated = await store.update(configMapKey('a'), configMap('a', { v: '2' }), Number(created.metadata.resourceVersion));
  assert.equal(updated.metadata.resourceVersion, '2');
  assert.deepEqual(store.get(configMapKey('a'))?.data, { v: '2' });
  await assert.rejects(store.update(configMapKey('a'), configMap('a', { v: 'stale' }), 1), Conflict);
  // An update without a precondition always applies; one queued behind it must expect its version.
  const blind = store.update(configMapKey('a'), configMap('a', { v: '3' }));
  const chained = store.update(configMapKey('a'), configMap('a', { v: '4' }), 3);
  assert.equal((await blind).metadata.resourceVersion, '3');
  assert.equal((await chained).metadata.resourceVersion, '4');
  await assert.rejects(store.update(configMapKey('missing'), configMap('missing')), NotFound);
});

test('delete returns the last state stamped with the deletion\'s resourceVersion', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t) });
  t.after(() => store.close());
  await store.create(configMapKey('a'), configMap('a', { v: '1' }));
  await assert.rejects(store.delete(configMapKey('a'), 7), Conflict);
  const deleted = await store.delete(configMapKey('a'), 1);
  assert.equal(deleted.metadata.resourceVersion, '2');
  assert.deepEqual(deleted.data, { v: '1' });
  assert.equal(store.get(configMapKey('a')), undefined);
  await assert.rejects(store.delete(configMapKey('a')), NotFound);
  // The key can be created again after deletion.
  assert.equal((await store.create(configMapKey('a'), configMap('a'))).metadata.resourceVersion, '3');
});

test('bad input gets a specific error', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t) });
  t.after(() => store.close());
  await assert.rejects(store.create('', configMap('a')), /key must be a non-empty string/);
  await assert.rejects(store.create('/k', { apiVersion: 'v1', kind: 'X' } as never), /has no metadata object/);
  await assert.rejects(store.update(configMapKey('a'), configMap('a'), Number.NaN), /expectedResourceVersion must be a non-negative integer/);
  assert.throws(() => store.list('/', { limit: 0 }), /limit must be a positive integer/);
  assert.throws(() => store.watch('/', -1, () => {}), /fromResourceVersion must be a non-negative integer/);
});

test('bad tuning options are refused before the data dir is touched', async (t) => {
  const dataDir = await dataDirFor(t);
  await assert.rejects(openStore({ dataDir, historyEvents: 0 }), /option historyEvents must be an integer >= 1, got 0/);
  await assert.rejects(openStore({ dataDir, groupCommitDelayMs: -1 }), /option groupCommitDelayMs must be an integer >= 0/);
  const store = await openStore({ dataDir, groupCommitDelayMs: 2 });
  assert.equal((await store.create(configMapKey('a'), configMap('a'))).metadata.resourceVersion, '1');
  await store.close();
});

test('list returns keys under a prefix in order, paged, each page at one resourceVersion', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t) });
  t.after(() => store.close());
  const names = ['e', 'b', 'd', 'a', 'c'];
  await Promise.all(names.map((name) => store.create(configMapKey(name), configMap(name))));
  await store.create(configMapKey('a', 'other'), configMap('a', {}, 'other'));
  await store.create('/core/configmapsx/default/z', configMap('z'));

  const all = store.list('/core/configmaps/default/');
  assert.deepEqual(all.items.map((o) => o.metadata.name), ['a', 'b', 'c', 'd', 'e']);
  assert.equal(all.resourceVersion, 7);
  assert.equal(all.nextKey, undefined);
  assert.equal(store.list('/core/configmaps/').items.length, 6);

  const pages: string[][] = [];
  let continueAfterKey: string | undefined;
  do {
    const page = store.list('/core/configmaps/default/', { limit: 2, ...(continueAfterKey ? { continueAfterKey } : {}) });
    pages.push(page.items.map((o) => o.metadata.name as string));
    continueAfterKey = page.nextKey;
  } while (continueAfterKey);
  assert.deepEqual(pages, [['a', 'b'], ['c', 'd'], ['e']]);

  // A key deleted between pages does not break paging.
  const first = store.list('/core/configmaps/default/', { limit: 2 });
  await store.delete(configMapKey('b'));
  await store.delete(configMapKey('c'));
  const second = store.list('/core/configmaps/default/', { limit: 2, continueAfterKey: first.nextKey as string });
  assert.deepEqual(second.items.map((o) => o.metadata.name), ['d', 'e']);
  assert.equal(second.resourceVersion, 9);
  assert.equal(second.nextKey, undefined);
});

test('a list taken while writes are in flight shows only committed state', async (t) => {
  const store = await openStore({ dataDir: await dataDirFor(t) });
  t.after(() => store.close());
  await store.create(configMapKey('a'), configMap('a'));
  const inFlight = store.create(configMapKey('b'), configMap('b'));
  const during = store.list('/core/');
  assert.deepEqual(during.items.map((o) => o.metadata.name), ['a']);
  assert.equal(during.resourceVersion, 1);
  await inFlight;
  assert.equal(store.list('/core/').items.length, 2);
});

test('concurrent writes share fsyncs: they are logged as fewer WAL records than writes', async (t) => {
  const dataDir = await dataDirFor(t);
  const store = await openStore({ dataDir });
  const writes = Array.from({ length: 200 }, (_, i) => store.create(configMapKey(`cm-${i}`), configMap(`cm-${i}`)));
  await Promise.all(writes);
  await store.close();
  let records = 0;
  for (const segment of await listSegments(dataDir)) await scanRecords(segment.file, 'strict', () => records++);
  assert.ok(records >= 1 && records < 20, `200 concurrent writes took ${records} WAL records`);
});

test('after close, writes are refused and writes accepted before close are committed', async (t) => {
  const dataDir = await dataDirFor(t);
  const store = await openStore({ dataDir });
  const accepted = store.create(configMapKey('a'), configMap('a'));
  const closed = store.close();
  await assert.rejects(store.create(configMapKey('b'), configMap('b')), StoreUnavailable);
  assert.equal((await accepted).metadata.resourceVersion, '1');
  await closed;
  const reopened = await openStore({ dataDir });
  t.after(() => reopened.close());
  assert.ok(reopened.get(configMapKey('a')));
});

import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore, ResourceVersionTooOld, StoreCorruption, type Store } from '../../../apiserver/store/index.js';
import { listSegments } from '../../../apiserver/store/wal.js';
import { configMap, configMapKey, dataDirFor } from './helpers.js';

async function fill(store: Store, count: number, from = 0): Promise<void> {
  for (let i = from; i < from + count; i++) await store.create(configMapKey(`cm-${i}`), configMap(`cm-${i}`, { i: String(i) }));
}

async function waitForSnapshot(dataDir: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await readdir(dataDir)).includes('snapshot.bin')) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail('no snapshot was written');
}

test('a restart recovers every object and continues resourceVersions without reuse', async (t) => {
  const dataDir = await dataDirFor(t);
  const first = await openStore({ dataDir });
  await fill(first, 10);
  await first.update(configMapKey('cm-3'), configMap('cm-3', { i: 'updated' }));
  await first.delete(configMapKey('cm-5'));
  const before = first.list('/');
  await first.close();

  const second = await openStore({ dataDir });
  t.after(() => second.close());
  assert.equal(second.resourceVersion, 12);
  assert.deepEqual(second.list('/'), before);
  assert.equal(second.get(configMapKey('cm-5')), undefined);
  assert.equal((await second.create(configMapKey('new'), configMap('new'))).metadata.resourceVersion, '13');
  // Events since the last snapshot (here: all of them) are replayed into the watch window.
  const seen: string[] = [];
  second.watch('/', 10, (event) => seen.push(`${event.type} ${event.resourceVersion}`)).stop();
  assert.deepEqual(seen, ['MODIFIED 11', 'DELETED 12', 'ADDED 13']);
});

test('snapshots drop covered WAL segments; state and resourceVersions survive restarts across them', async (t) => {
  const dataDir = await dataDirFor(t);
  const first = await openStore({ dataDir, snapshotMinWalBytes: 2048 });
  await fill(first, 40);
  await waitForSnapshot(dataDir);
  await first.close();
  const segments = await listSegments(dataDir);
  assert.ok(segments.every((segment) => segment.startResourceVersion > 1), 'the segment holding the first writes was deleted');

  const second = await openStore({ dataDir, snapshotMinWalBytes: 2048 });
  assert.equal(second.resourceVersion, 40);
  assert.equal(second.list('/').items.length, 40);
  assert.deepEqual(second.get(configMapKey('cm-0'))?.data, { i: '0' });
  await fill(second, 40, 40);
  await second.delete(configMapKey('cm-0'));
  await second.close();

  const third = await openStore({ dataDir });
  t.after(() => third.close());
  assert.equal(third.resourceVersion, 81);
  assert.equal(third.list('/').items.length, 79);
  assert.equal(third.get(configMapKey('cm-0')), undefined);
  assert.equal(third.get(configMapKey('cm-79'))?.metadata.resourceVersion, '80');
  // Events before the snapshot are gone after a restart.
  assert.throws(() => third.watch('/', 0, () => {}), ResourceVersionTooOld);
});

test('a torn final record (WAL truncated mid-record) is dropped and appends continue after the intact data', async (t) => {
  const dataDir = await dataDirFor(t);
  const first = await openStore({ dataDir });
  await fill(first, 3);
  await first.close();
  const [segment] = await listSegments(dataDir);
  assert.ok(segment);
  const size = (await stat(segment.file)).size;
  await truncate(segment.file, size - 5);

  const second = await openStore({ dataDir });
  assert.equal(second.resourceVersion, 2, 'the torn write (rv 3) was never acknowledged durable in this scenario');
  assert.ok(second.get(configMapKey('cm-1')));
  assert.equal(second.get(configMapKey('cm-2')), undefined);
  assert.equal((await second.create(configMapKey('after'), configMap('after'))).metadata.resourceVersion, '3');
  await second.close();

  const third = await openStore({ dataDir });
  t.after(() => third.close());
  assert.equal(third.resourceVersion, 3);
  assert.ok(third.get(configMapKey('after')));
});

test('trailing zeros (a crash after the file grew but before data reached disk) are dropped', async (t) => {
  const dataDir = await dataDirFor(t);
  const first = await openStore({ dataDir });
  await fill(first, 2);
  await first.close();
  const [segment] = await listSegments(dataDir);
  assert.ok(segment);
  await appendFile(segment.file, Buffer.alloc(4096));
  const second = await openStore({ dataDir });
  t.after(() => second.close());
  assert.equal(second.resourceVersion, 2);
});

test('a corrupt record in the middle of the WAL stops startup with an error naming the file and offset', async (t) => {
  const dataDir = await dataDirFor(t);
  const first = await openStore({ dataDir });
  await fill(first, 3);
  await first.close();
  const [segment] = await listSegments(dataDir);
  assert.ok(segment);
  const bytes = await readFile(segment.file);
  // Flip a byte inside the first record's payload (the JSON of cm-0); records 2 and 3 stay intact.
  const inside = bytes.indexOf('cm-0');
  bytes[inside] = (bytes[inside] as number) ^ 0xff;
  await writeFile(segment.file, bytes);

  await assert.rejects(openStore({ dataDir }), (error) => {
    assert.ok(error instanceof StoreCorruption);
    assert.equal(error.file, segment.file);
    assert.equal(error.offset, 0);
    assert.match(error.message, new RegExp(`${segment.file} is corrupt at offset 0: record payload checksum mismatch, and intact records follow`));
    return true;
  });
  // The failed open released the data dir lock.
  assert.ok(!(await readdir(dataDir)).includes('LOCK'));
});

test('a corrupt snapshot stops startup', async (t) => {
  const dataDir = await dataDirFor(t);
  const first = await openStore({ dataDir, snapshotMinWalBytes: 512 });
  await fill(first, 10);
  await waitForSnapshot(dataDir);
  await first.close();
  const file = join(dataDir, 'snapshot.bin');
  const bytes = await readFile(file);
  bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 0xff;
  await writeFile(file, bytes);
  await assert.rejects(openStore({ dataDir }), StoreCorruption);
});

test('a temp file left by a crash mid-snapshot is ignored and removed', async (t) => {
  const dataDir = await dataDirFor(t);
  const first = await openStore({ dataDir });
  await fill(first, 2);
  await first.close();
  await writeFile(join(dataDir, 'snapshot.bin.tmp'), 'half a snapshot');
  const second = await openStore({ dataDir });
  t.after(() => second.close());
  assert.equal(second.resourceVersion, 2);
  assert.ok(!(await readdir(dataDir)).includes('snapshot.bin.tmp'));
});

test('a leftover segment already covered by the snapshot is deleted unread, even if damaged', async (t) => {
  const dataDir = await dataDirFor(t);
  const first = await openStore({ dataDir, snapshotMinWalBytes: 512 });
  await fill(first, 10);
  await waitForSnapshot(dataDir);
  await first.close();
  const leftover = join(dataDir, 'wal-0000000000000001.log');
  await writeFile(leftover, 'not a WAL at all');
  const second = await openStore({ dataDir });
  t.after(() => second.close());
  assert.equal(second.resourceVersion, 10);
  assert.ok(!(await readdir(dataDir)).includes('wal-0000000000000001.log'));
});

test('a data dir whose parents do not exist yet is created', async (t) => {
  const dataDir = join(await dataDirFor(t), 'local', 'state');
  const store = await openStore({ dataDir });
  await fill(store, 1);
  await store.close();
  const reopened = await openStore({ dataDir });
  t.after(() => reopened.close());
  assert.equal(reopened.resourceVersion, 1);
});

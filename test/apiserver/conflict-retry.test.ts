/**
 * Writes that name no resourceVersion (merge patches, apply, updates without one, graceful deletes)
 * are retried on a store conflict. The conflict usually comes from a write still being committed:
 * the store checks preconditions against queued writes, but reads only see committed ones, so a
 * retry must wait for that commit instead of re-reading the same old state (yieldToPendingCommit).
 * Starting every write in the same tick makes each later one conflict with an uncommitted one.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { adminUser } from '../../apiserver/auth.js';
import { builtinResourceTypes } from '../../apiserver/builtins.js';
import { internalContext, ObjectService } from '../../apiserver/objects.js';
import { Registry, type ResourceType } from '../../apiserver/resources.js';
import { openStore, type Store } from '../../apiserver/store/index.js';

let dir: string;
let store: Store;
let objects: ObjectService;
let configMaps: ResourceType;
const ns = 'default';
const ctx = () => internalContext(adminUser, 'writer');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certwright-conflict-retry-'));
  store = await openStore({ dataDir: dir });
  objects = new ObjectService(store, new Registry(builtinResourceTypes()), []);
  configMaps = objects.registry.lookup('', 'v1', 'configmaps')!;
  await objects.create(objects.registry.lookup('', 'v1', 'namespaces')!, undefined, { metadata: { name: ns } }, ctx());
});
after(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

test('merge patches started together all land, each on top of the previous commit', async () => {
  await objects.create(configMaps, ns, { metadata: { name: 'merge' } }, ctx());
  const keys = ['a', 'b', 'c', 'd'];
  const results = await Promise.all(keys.map((k) => objects.patch(configMaps, ns, 'merge', 'merge', { data: { [k]: k } }, ctx(), 'main', false)));
  assert.equal(results.length, keys.length);
  assert.deepEqual(objects.get(configMaps, ns, 'merge').data, { a: 'a', b: 'b', c: 'c', d: 'd' });
});

test('updates without a resourceVersion and server-side applies started together all land', async () => {
  await objects.create(configMaps, ns, { metadata: { name: 'mixed' } }, ctx());
  await Promise.all([
    objects.update(configMaps, ns, 'mixed', { metadata: { name: 'mixed', labels: { updated: 'yes' } } }, ctx(), 'main'),
    objects.patch(configMaps, ns, 'mixed', 'apply', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mixed' }, data: { applied: 'yes' } }, internalContext(adminUser, 'applier'), 'main', false),
  ]);
  const stored = objects.get(configMaps, ns, 'mixed');
  assert.deepEqual([stored.metadata.labels, stored.data], [{ updated: 'yes' }, { applied: 'yes' }]);
});

test('an update that names a stale resourceVersion still conflicts at once', async () => {
  const created = await objects.create(configMaps, ns, { metadata: { name: 'pinned' } }, ctx());
  const first = objects.patch(configMaps, ns, 'pinned', 'merge', { data: { a: '1' } }, ctx(), 'main', false);
  await assert.rejects(objects.update(configMaps, ns, 'pinned', { metadata: { name: 'pinned', resourceVersion: created.metadata.resourceVersion, labels: { stale: 'yes' } } }, ctx(), 'main'), { code: 409, reason: 'Conflict' });
  await first;
});

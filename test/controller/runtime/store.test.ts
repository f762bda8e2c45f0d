import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apiserver/admission.js';
import { IndexedStore, NAMESPACE_INDEX, byAnnotation, byLabel, byNamespace, byOwnerUid } from '../../../controller/runtime/store.js';
import { keyOf, objectKey, parseKey } from '../../../controller/runtime/keys.js';
import { LruCache } from '../../../controller/runtime/lru.js';

function secret(namespace: string, name: string, meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { namespace, name, resourceVersion: '1', ...meta } };
}

const owned = (uid: string) => ({ ownerReferences: [{ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: 'c', uid, controller: true }] });

function newStore() {
  return new IndexedStore<KubeObject>({
    [NAMESPACE_INDEX]: byNamespace,
    owner: byOwnerUid,
    fao: byLabel('controller.cert-manager.io/fao'),
    certName: byAnnotation('cert-manager.io/certificate-name'),
  });
}

test('keys are namespace/name or name, and parse back', () => {
  assert.equal(objectKey(secret('ns', 'a')), 'ns/a');
  assert.equal(keyOf({ name: 'issuer' }), 'issuer');
  assert.deepEqual(parseKey('ns/a'), { namespace: 'ns', name: 'a' });
  assert.deepEqual(parseKey('issuer'), { name: 'issuer' });
  assert.throws(() => parseKey('a/b/c'), /invalid object key/);
  assert.throws(() => parseKey('/a'), /invalid object key/);
});

test('indexes find objects by namespace, owner UID, label and annotation', () => {
  const store = newStore();
  store.upsert(secret('ns1', 'a', { ...owned('uid-1'), labels: { 'controller.cert-manager.io/fao': 'true' } }));
  store.upsert(secret('ns1', 'b', { annotations: { 'cert-manager.io/certificate-name': 'web' } }));
  store.upsert(secret('ns2', 'c', owned('uid-1')));
  const names = (objs: KubeObject[]) => objs.map(objectKey).sort();
  assert.deepEqual(names(store.byIndex('namespace', 'ns1')), ['ns1/a', 'ns1/b']);
  assert.deepEqual(names(store.byIndex('owner', 'uid-1')), ['ns1/a', 'ns2/c']);
  assert.deepEqual(names(store.byIndex('fao', 'true')), ['ns1/a']);
  assert.deepEqual(names(store.byIndex('certName', 'web')), ['ns1/b']);
  assert.deepEqual(store.byIndex('owner', 'nobody'), []);
  assert.throws(() => store.byIndex('nope', 'x'), /no index named "nope"/);
  assert.throws(() => new IndexedStore<KubeObject>().byIndex(NAMESPACE_INDEX, 'ns1'), /no index named "namespace"; have: none/, 'by namespace only when asked for');
});

test('an update moves the object between index values; remove unindexes it', () => {
  const store = newStore();
  store.upsert(secret('ns', 'a', owned('uid-1')));
  const old = store.upsert(secret('ns', 'a', { ...owned('uid-2'), resourceVersion: '2' }));
  assert.equal(old?.metadata.resourceVersion, '1');
  assert.deepEqual(store.byIndex('owner', 'uid-1'), []);
  assert.equal(store.byIndex('owner', 'uid-2').length, 1);
  assert.equal(store.remove('ns/a')?.metadata.resourceVersion, '2');
  assert.deepEqual(store.byIndex('owner', 'uid-2'), []);
  assert.deepEqual(store.byIndex('namespace', 'ns'), []);
  assert.equal(store.remove('ns/a'), undefined);
});

test('an index value filing one, two, then one and no objects again; an owner listed twice files once', () => {
  const store = newStore();
  const names = (uid: string) => store.byIndex('owner', uid).map(objectKey).sort();
  const twice = { ownerReferences: [...owned('uid-1').ownerReferences, ...owned('uid-1').ownerReferences] };
  store.upsert(secret('ns', 'a', twice));
  assert.deepEqual(names('uid-1'), ['ns/a']);
  store.upsert(secret('ns', 'b', owned('uid-1')));
  store.upsert(secret('ns', 'a', { ...twice, resourceVersion: '2' }));
  assert.deepEqual(names('uid-1'), ['ns/a', 'ns/b']);
  store.remove('ns/a');
  assert.deepEqual(names('uid-1'), ['ns/b']);
  store.upsert(secret('ns', 'c', owned('uid-1')));
  store.upsert(secret('ns', 'b', { ...owned('uid-2'), resourceVersion: '2' }));
  assert.deepEqual([names('uid-1'), names('uid-2')], [['ns/c'], ['ns/b']]);
  store.remove('ns/c');
  store.remove('ns/b');
  assert.deepEqual([names('uid-1'), names('uid-2')], [[], []]);
});

test('replace reports added, updated (by resourceVersion) and deleted objects', () => {
  const store = newStore();
  store.upsert(secret('ns', 'same'));
  store.upsert(secret('ns', 'changed'));
  store.upsert(secret('ns', 'gone'));
  const diff = store.replace([secret('ns', 'same'), secret('ns', 'changed', { resourceVersion: '7' }), secret('ns', 'new')]);
  assert.deepEqual(diff.added.map(objectKey), ['ns/new']);
  assert.deepEqual(diff.updated.map((u) => [u.old.metadata.resourceVersion, u.obj.metadata.resourceVersion]), [['1', '7']]);
  assert.deepEqual(diff.deleted.map(objectKey), ['ns/gone']);
  assert.deepEqual(store.keys().sort(), ['ns/changed', 'ns/new', 'ns/same']);
});

test('LruCache drops the least recently used entry; a read counts as a use', () => {
  const cache = new LruCache<string, number>(2);
  cache.set('a', 1);
  cache.set('b', 2);
  assert.equal(cache.get('a'), 1);
  cache.set('c', 3);
  assert.equal(cache.get('b'), undefined, 'b was the least recently used');
  assert.equal(cache.get('a'), 1);
  assert.equal(cache.get('c'), 3);
  assert.equal(cache.size, 2);
  assert.throws(() => new LruCache(0), /at least 1 entry/);
});

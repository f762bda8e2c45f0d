import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apiserver/admission.js';
import { flatKey, keyOf } from '../../../controller/runtime/keys.js';
import { keepManagedFieldsOf, sharedFrozen, sharingPartsAt } from '../../../controller/runtime/transforms.js';
import { haveSameHiddenClass, heapHeldBy } from './v8-probes.js';

/** A value as a watch event decodes it: equal to others, but a copy of its own. */
const decoded = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

test('sharedFrozen: equal values are one deeply frozen copy, different ones apart, large ones left alone', () => {
  const issuerRef = { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'ca' };
  const first = sharedFrozen(decoded(issuerRef));
  assert.equal(sharedFrozen(decoded(issuerRef)), first);
  assert.ok(Object.isFrozen(first));
  assert.deepEqual(first, issuerRef);
  assert.notEqual(sharedFrozen(decoded({ ...issuerRef, name: 'other' })), first);
  const conditions = [{ type: 'Ready', status: 'True', reason: 'Ready' }];
  assert.ok(Object.isFrozen(sharedFrozen(decoded(conditions))[0]), 'frozen all the way down');
  const large = { text: 'x'.repeat(5000) };
  const kept = sharedFrozen(decoded(large));
  assert.notEqual(sharedFrozen(decoded(large)), kept, 'a part this large is rarely equal: not remembered');
  assert.equal(Object.isFrozen(kept), false);
});

test('sharingPartsAt: the objects at the paths are shared in place; absent paths and non-objects are left', () => {
  const make = (name: string) => decoded({ metadata: { name, labels: { app: 'web' } }, spec: { issuerRef: { name: 'ca' }, dnsNames: [name] } });
  const [a, b] = [make('a'), make('b')];
  const shareParts = sharingPartsAt(['metadata.labels', 'spec.issuerRef', 'spec.privateKey', 'status.conditions', 'metadata.name']);
  assert.equal(shareParts(a), a, 'in place');
  shareParts(b);
  assert.equal(a.spec.issuerRef, b.spec.issuerRef);
  assert.equal(a.metadata.labels, b.metadata.labels);
  assert.notEqual(a.spec.dnsNames, b.spec.dnsNames, 'unlisted parts stay each object\'s own');
  assert.deepEqual(a, { metadata: { name: 'a', labels: { app: 'web' } }, spec: { issuerRef: { name: 'ca' }, dnsNames: ['a'] } }, 'same content');
  assert.throws(() => {
    (a.spec.issuerRef as { name: string }).name = 'changed';
  }, TypeError);
});

test('keepManagedFieldsOf: Secrets with the same fields keep one hidden class for their metadata', () => {
  const secret = (name: string) =>
    decoded({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { l: 'v' }, managedFields: [{ manager: 'certwright', operation: 'Apply', time: name, fieldsV1: { 'f:data': {} } }], resourceVersion: '1' },
    } as KubeObject);
  const keep = keepManagedFieldsOf('certwright');
  const [a, b] = [keep(secret('a')), keep(secret('b'))];
  assert.ok(haveSameHiddenClass(a.metadata, b.metadata), 'one per object was ~0.5 KiB a Secret (map, descriptors, enum cache)');
  assert.deepEqual(Object.keys(a.metadata), ['name', 'namespace', 'uid', 'labels', 'managedFields', 'resourceVersion'], 'the entries stay in their place');
});

test('keyOf and flatKey: a kept key is one flat string, not a concatenation (a cons cell beside its flattened text)', () => {
  const parts = Array.from({ length: 20_000 }, (_, i) => decoded({ namespace: 'namespace-1', name: `certificate-${i}` }));
  // Map keys, as the caches and the timer heap keep them (hashing a concatenation flattens it, and keeps both).
  const asMapKeys = (keys: string[]) => [new Map(keys.map((key) => [key, 0]))];
  const flat = heapHeldBy(() => asMapKeys(parts.map(({ namespace, name }) => decoded(`${namespace}/${name}`))));
  const joined = heapHeldBy(() => asMapKeys(parts.map((ref) => keyOf(ref))));
  const flattened = heapHeldBy(() => asMapKeys(parts.map(({ namespace, name }) => flatKey(`${namespace}/${name}`))));
  // Concatenations measure ~1.17 times the flat strings here.
  assert.ok(joined < flat * 1.05, `keyOf ${joined} bytes, flat strings ${flat}`);
  assert.ok(flattened < flat * 1.05, `flatKey ${flattened} bytes, flat strings ${flat}`);
  assert.equal(keyOf(parts[1]!), 'namespace-1/certificate-1');
  assert.equal(flatKey(`timer/${parts[1]!.namespace}/x`), 'timer/namespace-1/x');
  assert.equal(flatKey('e\u0301'), 'e\u0301', 'text normalization would change stays as it is');
});

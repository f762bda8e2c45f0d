import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch } from '../../apiserver/patch/strategic-merge.js';
import { applyJsonPatch } from '../../apiserver/patch/json-patch.js';
import { builtinResourceTypes } from '../../apiserver/builtins.js';
import { withObjectMeta } from '../../apiserver/schema/shapes.js';
import { startTestServer, type TestServer } from './harness.js';
import { widget, widgetCrd, widgetPath } from './fixtures.js';

const serviceSchema = withObjectMeta(builtinResourceTypes().find((r) => r.kind === 'Service')!.schema);

describe('strategic merge patch', () => {
  test('lists with a merge key merge by it; $patch: delete removes one item', () => {
    const live = { spec: { ports: [{ port: 80, protocol: 'TCP', name: 'http' }, { port: 443, protocol: 'TCP', name: 'https' }] } };
    const patched = applyStrategicMergePatch(live, { spec: { ports: [{ port: 80, name: 'web' }, { port: 8080, name: 'alt' }, { port: 443, $patch: 'delete' }] } }, serviceSchema);
    assert.deepEqual(patched, { spec: { ports: [{ port: 80, protocol: 'TCP', name: 'web' }, { port: 8080, name: 'alt' }] } });
  });

  test('finalizers merge as a set; $deleteFromPrimitiveList and $setElementOrder are honoured', () => {
    const live = { metadata: { finalizers: ['a', 'b'] } };
    assert.deepEqual(applyStrategicMergePatch(live, { metadata: { finalizers: ['c'] } }, serviceSchema), { metadata: { finalizers: ['a', 'b', 'c'] } });
    assert.deepEqual(applyStrategicMergePatch(live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, serviceSchema), { metadata: { finalizers: ['b'] } });
    const ordered = applyStrategicMergePatch(
      { spec: { ports: [{ port: 1 }, { port: 2 }] } },
      { spec: { '$setElementOrder/ports': [{ port: 2 }, { port: 1 }], ports: [{ port: 2, name: 'two' }] } },
      serviceSchema,
    );
    assert.deepEqual(ordered, { spec: { ports: [{ port: 2, name: 'two' }, { port: 1 }] } });
  });

  test('lists without a strategy are replaced; $retainKeys and $patch: replace drop the rest', () => {
    assert.deepEqual(applyStrategicMergePatch({ spec: { rules: [1, 2] } }, { spec: { rules: [3] } }, serviceSchema), { spec: { rules: [3] } });
    assert.deepEqual(applyStrategicMergePatch({ spec: { a: 1, b: 2 } }, { spec: { $retainKeys: ['b', 'c'], c: 3 } }, serviceSchema), { spec: { b: 2, c: 3 } });
    assert.deepEqual(applyStrategicMergePatch({ data: { a: '1', b: '2' } }, { data: { $patch: 'replace', c: '3' } }, serviceSchema), { data: { c: '3' } });
  });

  test('a selector (an atomic map) is replaced, not merged', () => {
    assert.deepEqual(applyStrategicMergePatch({ spec: { selector: { a: '1' } } }, { spec: { selector: { b: '2' } } }, serviceSchema), { spec: { selector: { b: '2' } } });
  });
});

describe('JSON patch', () => {
  test('add, replace, remove, move, copy and test', () => {
    const doc = { a: { b: [1, 2] }, c: 'x' };
    const result = applyJsonPatch(doc, [
      { op: 'add', path: '/a/b/-', value: 3 },
      { op: 'replace', path: '/c', value: 'y' },
      { op: 'copy', from: '/c', path: '/d' },
      { op: 'move', from: '/d', path: '/e' },
      { op: 'remove', path: '/a/b/0' },
      { op: 'test', path: '/e', value: 'y' },
    ]);
    assert.deepEqual(result, { a: { b: [2, 3] }, c: 'y', e: 'y' });
    assert.deepEqual(doc, { a: { b: [1, 2] }, c: 'x' }, 'input untouched');
    assert.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/c', value: 'nope' }]), /testing value \/c failed/);
  });
});

describe('patch and server-side apply over HTTP', () => {
  let t: TestServer;
  const ns = 'patching';
  const apply = (path: string, body: unknown, manager: string, force = false) =>
    t.call('PATCH', `${path}?fieldManager=${manager}${force ? '&force=true' : ''}`, { contentType: 'application/apply-patch+yaml', body });

  before(async () => {
    t = await startTestServer();
    await t.core.createNamespace({ body: { metadata: { name: ns } } });
    assert.equal((await t.call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: widgetCrd })).status, 201);
  });
  after(() => t.close());

  test('strategic merge patch on a Service merges ports by port', async () => {
    await t.core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'svc' }, spec: { ports: [{ port: 80, name: 'http' }], selector: { app: 'x' } } } });
    const reply = await t.call('PATCH', `/api/v1/namespaces/${ns}/services/svc`, { contentType: 'application/strategic-merge-patch+json', body: { spec: { ports: [{ port: 443, name: 'https' }] } } });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.json.spec.ports.map((p: any) => [p.port, p.protocol]), [[80, 'TCP'], [443, 'TCP']]);
  });

  test('JSON patch with a failing test op is rejected and changes nothing', async () => {
    await t.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'jp' }, data: { a: '1' } } });
    const reply = await t.call('PATCH', `/api/v1/namespaces/${ns}/configmaps/jp`, { contentType: 'application/json-patch+json', body: [{ op: 'test', path: '/data/a', value: '2' }, { op: 'replace', path: '/data/a', value: '3' }] });
    assert.equal(reply.status, 422);
    assert.equal((await t.core.readNamespacedConfigMap({ namespace: ns, name: 'jp' })).data!.a, '1');
  });

  test('apply creates the object and records the manager\'s fields', async () => {
    const path = `/api/v1/namespaces/${ns}/configmaps/ssa`;
    const created = await apply(path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', labels: { app: 'a' } }, data: { one: '1' } }, 'alice');
    assert.equal(created.status, 201, created.text);
    const entry = created.json.metadata.managedFields.find((e: any) => e.manager === 'alice');
    assert.equal(entry.operation, 'Apply');
    assert.deepEqual(entry.fieldsV1, { 'f:data': { 'f:one': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } });
  });

  test('a field another manager owns with a different value conflicts; force takes it over', async () => {
    const path = `/api/v1/namespaces/${ns}/configmaps/ssa`;
    const conflict = await apply(path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { one: 'bob' } }, 'bob');
    assert.equal(conflict.status, 409);
    assert.equal(conflict.json.message, 'Apply failed with 1 conflict: conflict with "alice": .data.one');
    assert.deepEqual(conflict.json.details.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.data.one' }]);
    const same = await apply(path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { one: '1' } }, 'bob');
    assert.equal(same.status, 200, 'the same value is shared, not a conflict');
    const forced = await apply(path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { one: 'bob' } }, 'bob', true);
    assert.equal(forced.status, 200);
    assert.equal(forced.json.data.one, 'bob');
    const alice = forced.json.metadata.managedFields.find((e: any) => e.manager === 'alice');
    assert.deepEqual(alice.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:app': {} } } });
  });

  test('an update by another client conflicts with apply, naming the manager and the time', async () => {
    const path = `/api/v1/namespaces/${ns}/configmaps/ssa`;
    await t.call('PATCH', `${path}?fieldManager=editor`, { contentType: 'application/merge-patch+json', body: { data: { two: 'edited' } } });
    const conflict = await apply(path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { two: 'applied' } }, 'alice');
    assert.equal(conflict.status, 409);
    assert.match(conflict.json.message, /^Apply failed with 1 conflict: conflict with "editor" using v1 at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: \.data\.two$/);
  });

  test('fields dropped from an applied configuration are removed unless someone else owns them', async () => {
    const path = `/api/v1/namespaces/${ns}/configmaps/drop`;
    await apply(path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'drop' }, data: { keep: '1', drop: '2', shared: '3' } }, 'alice');
    await apply(path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'drop' }, data: { shared: '3' } }, 'bob');
    const after = await apply(path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'drop' }, data: { keep: '1' } }, 'alice');
    assert.deepEqual(after.json.data, { keep: '1', shared: '3' });
  });

  test('a list-map item dropped from an applied configuration goes as a whole; one another manager shares keeps its key', async () => {
    const path = widgetPath(ns, 'parts');
    const parts = (...items: unknown[]) => widget('parts', { color: 'red', parts: items });
    assert.equal((await apply(path, parts({ name: 'a', count: 1 }, { name: 'b', count: 2 }, { name: 'c', count: 3 }), 'alice')).status, 201);
    assert.equal((await apply(path, widget('parts', { parts: [{ name: 'c' }] }), 'bob')).status, 200);
    const after = await apply(path, parts({ name: 'b', count: 2 }), 'alice');
    assert.equal(after.status, 200, after.text);
    assert.deepEqual(after.json.spec.parts, [{ name: 'b', count: 2 }, { name: 'c' }]);
    const alice = after.json.metadata.managedFields.find((e: any) => e.manager === 'alice');
    assert.deepEqual(Object.keys(alice.fieldsV1['f:spec']['f:parts']), ['k:{"name":"b"}']);
  });

  test('apply merges list-map items by key and respects the status subresource', async () => {
    const path = widgetPath(ns, 'applied');
    const base = { color: 'red', parts: [{ name: 'a', count: 1 }] };
    assert.equal((await apply(path, widget('applied', base), 'alice')).status, 201);
    const bob = await apply(path, widget('applied', { color: 'red', parts: [{ name: 'b', count: 2 }] }), 'bob');
    assert.equal(bob.status, 200, bob.text);
    assert.deepEqual(bob.json.spec.parts, [{ name: 'a', count: 1 }, { name: 'b', count: 2 }]);
    const withStatus = await apply(path, { ...widget('applied', base), status: { observedGeneration: 9 } }, 'alice');
    assert.equal(withStatus.json.status, undefined, 'status ignored on the main resource');
    const status = await apply(`${path}/status`, { apiVersion: 'example.certwright.io/v1', kind: 'Widget', metadata: { name: 'applied' }, status: { observedGeneration: 9 } }, 'controller');
    assert.equal(status.json.status.observedGeneration, 9);
    const entry = status.json.metadata.managedFields.find((e: any) => e.manager === 'controller');
    assert.equal(entry.subresource, 'status');
  });

  test('apply without fieldManager is rejected', async () => {
    const reply = await t.call('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa`, { contentType: 'application/apply-patch+yaml', body: 'apiVersion: v1\nkind: ConfigMap\n' });
    assert.equal(reply.status, 422);
    assert.match(reply.json.message, /fieldManager: Required value: is required for apply patch/);
  });
});

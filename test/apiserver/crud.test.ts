import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startTestServer, statusOf, type TestServer } from './harness.js';
import { widget, widgetCrd, widgetPath } from './fixtures.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

describe('discovery', () => {
  test('version, legacy and aggregated discovery list the built-in kinds', async () => {
    const version = await t.call('GET', '/version', { token: null });
    assert.equal(version.json.major, '1');
    const v1 = await t.call('GET', '/api/v1');
    const secrets = v1.json.resources.find((r: any) => r.name === 'secrets');
    assert.deepEqual({ kind: secrets.kind, namespaced: secrets.namespaced }, { kind: 'Secret', namespaced: true });
    assert.ok(v1.json.resources.some((r: any) => r.name === 'serviceaccounts/token'));
    const groups = await t.call('GET', '/apis');
    const names = groups.json.groups.map((g: any) => g.name);
    for (const g of ['events.k8s.io', 'coordination.k8s.io', 'networking.k8s.io', 'apiextensions.k8s.io']) assert.ok(names.includes(g), g);
    const aggregated = await t.call('GET', '/apis', { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    assert.equal(aggregated.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const networking = aggregated.json.items.find((i: any) => i.metadata.name === 'networking.k8s.io');
    assert.deepEqual(networking.versions[0].resources.map((r: any) => r.resource).sort(), ['ingressclasses', 'ingresses']);
  });

  test('requests without the token get a 401 Status', async () => {
    const reply = await t.call('GET', '/api/v1/namespaces', { token: 'wrong' });
    assert.equal(reply.status, 401);
    assert.deepEqual([reply.json.kind, reply.json.reason], ['Status', 'Unauthorized']);
  });

  test('an unknown resource gets kube\'s 404 Status', async () => {
    const reply = await t.call('GET', '/apis/nope.example.io/v1/namespaces/default/things');
    assert.equal(reply.status, 404);
    assert.equal(reply.json.message, 'the server could not find the requested resource');
    const clusterWide = await t.call('POST', '/api/v1/configmaps', { body: { metadata: { name: 'x', namespace: 'default' } } });
    assert.equal(clusterWide.status, 405);
  });
});

describe('object semantics', () => {
  test('a body over 3 MiB gets kube\'s 413 Status, and the connection still serves the next request', async () => {
    const big = { metadata: { name: 'too-big' }, data: { blob: 'x'.repeat(3 * 1024 * 1024) } };
    const reply = await t.call('POST', '/api/v1/namespaces/default/configmaps', { body: big });
    assert.equal(reply.status, 413, reply.text.slice(0, 200));
    assert.equal(reply.json.reason, 'RequestEntityTooLarge');
    assert.equal((await t.call('GET', '/api/v1/namespaces/default/configmaps/too-big')).status, 404);
  });

  test('create sets uid, creationTimestamp, resourceVersion; generateName picks a name', async () => {
    const created = await t.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { generateName: 'gen-' }, data: { a: '1' } } });
    assert.match(created.metadata!.name!, /^gen-[a-z0-9]{5}$/);
    assert.match(created.metadata!.uid!, /^[0-9a-f-]{36}$/);
    assert.ok(created.metadata!.creationTimestamp instanceof Date);
    assert.match(created.metadata!.resourceVersion!, /^\d+$/);
  });

  test('default and kube-system exist; a missing namespace is a 404', async () => {
    const namespaces = await t.core.listNamespace();
    const names = namespaces.items.map((n) => n.metadata!.name);
    assert.ok(names.includes('default') && names.includes('kube-system'));
    const status = await statusOf(t.core.createNamespacedSecret({ namespace: 'missing', body: { metadata: { name: 's' } } }));
    assert.equal(status.code, 404);
    assert.equal(status.message, 'namespaces "missing" not found');
  });

  test('every namespace gets a default ServiceAccount', async () => {
    await t.core.createNamespace({ body: { metadata: { name: 'with-sa' } } });
    await eventually(async () => (await t.core.readNamespacedServiceAccount({ namespace: 'with-sa', name: 'default' })).metadata!.uid, 'default ServiceAccount');
    await eventually(async () => (await t.core.readNamespacedServiceAccount({ namespace: 'kube-system', name: 'default' })).metadata!.uid, 'default ServiceAccount in kube-system');
  });

  test('a duplicate create is 409 AlreadyExists', async () => {
    await t.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'dup' } } });
    const status = await statusOf(t.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'dup' } } }));
    assert.equal(status.code, 409);
    assert.equal(status.reason, 'AlreadyExists');
  });

  test('an update with a stale resourceVersion is 409 with kube\'s message', async () => {
    const cm = await t.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'occ' }, data: { a: '1' } } });
    await t.core.replaceNamespacedConfigMap({ namespace: 'default', name: 'occ', body: { ...cm, data: { a: '2' } } });
    const status = await statusOf(t.core.replaceNamespacedConfigMap({ namespace: 'default', name: 'occ', body: { ...cm, data: { a: '3' } } }));
    assert.equal(status.code, 409);
    assert.equal(status.reason, 'Conflict');
    assert.equal(status.message, 'Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again');
  });

  test('a no-op update keeps the resourceVersion', async () => {
    const cm = await t.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'noop' }, data: { a: '1' } } });
    const again = await t.core.replaceNamespacedConfigMap({ namespace: 'default', name: 'noop', body: cm });
    assert.equal(again.metadata!.resourceVersion, cm.metadata!.resourceVersion);
  });

  test('Secret stringData folds into data; type defaults to Opaque; type is a field selector', async () => {
    const s = await t.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'sd' }, stringData: { user: 'admin' } } });
    assert.equal(s.data!.user, Buffer.from('admin').toString('base64'));
    assert.equal(s.stringData, undefined);
    assert.equal(s.type, 'Opaque');
    await t.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'tls1' }, type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } } });
    const tls = await t.core.listNamespacedSecret({ namespace: 'default', fieldSelector: 'type=kubernetes.io/tls' });
    assert.deepEqual(tls.items.map((i) => i.metadata!.name), ['tls1']);
    const bad = await statusOf(t.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'tls2' }, type: 'kubernetes.io/tls', data: {} } }));
    assert.equal(bad.code, 422);
    assert.equal(bad.message, 'Secret "tls2" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]');
  });

  test('unknown fields of built-in kinds are pruned with a warning, or rejected when strict', async () => {
    const typo = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'typo', bogusMeta: 1 }, strinData: { a: 'b' } };
    const warned = await t.call('POST', '/api/v1/namespaces/default/secrets', { body: typo });
    assert.equal(warned.status, 201);
    assert.equal(warned.json.strinData, undefined);
    assert.equal(warned.json.metadata.bogusMeta, undefined);
    assert.match(String(warned.headers.warning), /unknown field \\"strinData\\"/);
    const strict = await t.call('POST', '/api/v1/namespaces/default/secrets?fieldValidation=Strict', { body: { ...typo, metadata: { name: 'typo2' } } });
    assert.equal(strict.status, 400);
    assert.equal(strict.json.message, 'Secret in version "v1" cannot be handled as a Secret: strict decoding error: unknown field "strinData"');
  });

  test('invalid names are rejected with the Kubernetes message', async () => {
    const status = await statusOf(t.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'Bad_Name' } } }));
    assert.equal(status.code, 422);
    assert.match(status.message!, /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    assert.equal(status.details.causes[0].field, 'metadata.name');
  });

  test('dryRun=All validates without storing', async () => {
    await t.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'dry' } }, dryRun: 'All' });
    assert.equal((await statusOf(t.core.readNamespacedConfigMap({ namespace: 'default', name: 'dry' }))).code, 404);
  });

  test('label selectors: equality and set-based', async () => {
    const ns = 'labels';
    await t.core.createNamespace({ body: { metadata: { name: ns } } });
    const make = (name: string, labels: Record<string, string>) => t.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels } } });
    await make('a', { app: 'web', tier: 'front' });
    await make('b', { app: 'web', tier: 'back' });
    await make('c', { app: 'db' });
    const names = async (labelSelector: string) => (await t.core.listNamespacedConfigMap({ namespace: ns, labelSelector })).items.map((i) => i.metadata!.name).sort();
    assert.deepEqual(await names('app=web'), ['a', 'b']);
    assert.deepEqual(await names('app==web,tier!=back'), ['a']);
    assert.deepEqual(await names('tier in (front,back)'), ['a', 'b']);
    assert.deepEqual(await names('app notin (web)'), ['c']);
    assert.deepEqual(await names('tier'), ['a', 'b']);
    assert.deepEqual(await names('!tier'), ['c']);
    assert.equal((await statusOf(t.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app in web' }))).code, 400);
  });

  test('field selectors: metadata.name, metadata.namespace; unknown fields are 400', async () => {
    const byName = await t.core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.name=a,metadata.namespace=labels' });
    assert.deepEqual(byName.items.map((i) => i.metadata!.name), ['a']);
    const status = await statusOf(t.core.listConfigMapForAllNamespaces({ fieldSelector: 'data.x=1' }));
    assert.equal(status.code, 400);
    assert.equal(status.message, 'field label not supported: data.x');
  });

  test('list limit and continue page through everything once', async () => {
    const ns = 'paging';
    await t.core.createNamespace({ body: { metadata: { name: ns } } });
    for (let i = 0; i < 7; i++) await t.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `cm-${i}` } } });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await t.core.listNamespacedConfigMap({ namespace: ns, limit: 3, ...(token ? { _continue: token } : {}) });
      seen.push(...page.items.map((i) => i.metadata!.name!));
      token = page.metadata!._continue;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(seen, ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6']);
  });

  test('finalizers: delete sets deletionTimestamp; removing the last finalizer deletes', async () => {
    await t.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'fin', finalizers: ['example.io/hold'] } } });
    const deleting = await t.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'fin' });
    assert.ok(deleting);
    const held = await t.core.readNamespacedConfigMap({ namespace: 'default', name: 'fin' });
    assert.ok(held.metadata!.deletionTimestamp);
    await t.core.patchNamespacedConfigMap({ namespace: 'default', name: 'fin', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
    assert.equal((await statusOf(t.core.readNamespacedConfigMap({ namespace: 'default', name: 'fin' }))).code, 404);
  });

  test('delete preconditions mismatch is a 409', async () => {
    await t.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'pre' } } });
    const status = await statusOf(t.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'pre', body: { preconditions: { uid: 'not-it' } } }));
    assert.equal(status.code, 409);
    assert.match(status.message!, /Precondition failed: UID in precondition: not-it/);
  });

  test('deletecollection deletes what the selector matches', async () => {
    const ns = 'collection';
    await t.core.createNamespace({ body: { metadata: { name: ns } } });
    for (const [name, drop] of [['x', 'yes'], ['y', 'yes'], ['z', 'no']] as const) await t.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels: { drop } } } });
    await t.core.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector: 'drop=yes' });
    const left = await t.core.listNamespacedConfigMap({ namespace: ns });
    assert.deepEqual(left.items.map((i) => i.metadata!.name), ['z']);
  });

  test('deleting a namespace terminates it and removes its contents', async () => {
    await t.core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await t.core.createNamespacedSecret({ namespace: 'doomed', body: { metadata: { name: 's' } } });
    await t.core.deleteNamespace({ name: 'doomed' });
    const blocked = await statusOf(t.core.createNamespacedSecret({ namespace: 'doomed', body: { metadata: { name: 't' } } })).catch(() => undefined);
    if (blocked) assert.ok([403, 404].includes(blocked.code));
    await eventually(async () => (await statusOf(t.core.readNamespace({ name: 'doomed' }))).code === 404, 'namespace removal');
  });
});

describe('custom resources', () => {
  before(async () => {
    const created = await t.call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: widgetCrd });
    assert.equal(created.status, 201, created.text);
  });

  test('an applied CRD is established and its resources are served with short names and categories', async () => {
    const crd = await t.call('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.certwright.io');
    const conditions = Object.fromEntries(crd.json.status.conditions.map((c: any) => [c.type, c.status]));
    assert.deepEqual(conditions, { NamesAccepted: 'True', Established: 'True' });
    const list = await t.call('GET', '/apis/example.certwright.io/v1');
    const widgets = list.json.resources.find((r: any) => r.name === 'widgets');
    assert.deepEqual([widgets.shortNames, widgets.categories], [['wdg'], ['gadgets']]);
    assert.ok(list.json.resources.some((r: any) => r.name === 'widgets/status'));
  });

  test('metadata.generation moves on spec changes only; status goes through /status only', async () => {
    const created = (await t.custom.createNamespacedCustomObject({ group: 'example.certwright.io', version: 'v1', namespace: 'default', plural: 'widgets', body: widget('gen', { color: 'red' }) })) as any;
    assert.equal(created.metadata.generation, 1);
    assert.equal(created.spec.size, 3, 'defaulted');
    const labelled = await t.call('PATCH', widgetPath('default', 'gen'), { contentType: 'application/merge-patch+json', body: { metadata: { labels: { a: 'b' } }, status: { observedGeneration: 7 } } });
    assert.equal(labelled.json.metadata.generation, 1);
    assert.equal(labelled.json.status, undefined, 'status ignored on the main resource');
    const resized = await t.call('PATCH', widgetPath('default', 'gen'), { contentType: 'application/merge-patch+json', body: { spec: { size: 5 } } });
    assert.equal(resized.json.metadata.generation, 2);
    const status = await t.call('PATCH', `${widgetPath('default', 'gen')}/status`, { contentType: 'application/merge-patch+json', body: { spec: { size: 9 }, status: { observedGeneration: 2 } } });
    assert.equal(status.json.status.observedGeneration, 2);
    assert.equal(status.json.spec.size, 5, 'spec ignored on /status');
    assert.equal(status.json.metadata.generation, 2);
  });

  test('schema validation, CEL rules and pruning', async () => {
    const bad = await t.call('POST', widgetPath('default'), { body: widget('bad', { color: 'purple', size: 0, name: 'Nope' }) });
    assert.equal(bad.status, 422);
    assert.equal(
      bad.json.message,
      'Widget.example.certwright.io "bad" is invalid: [spec.color: Unsupported value: "purple": supported values: "red", "green", "blue", "black", spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1, spec.name: Invalid value: "Nope": spec.name in body should match \'^[a-z]+$\']',
    );
    const cel = await t.call('POST', widgetPath('default'), { body: widget('cel', { color: 'black', size: 1 }) });
    assert.equal(cel.status, 422);
    assert.equal(cel.json.message, 'Widget.example.certwright.io "cel" is invalid: spec: Invalid value: "object": black widgets must be bigger than 1');
    assert.deepEqual(cel.json.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: "object": black widgets must be bigger than 1', field: 'spec' }]);
    const pruned = await t.call('POST', widgetPath('default'), { body: widget('pruned', { color: 'red', bogus: 1, extra: { kept: true } }) });
    assert.equal(pruned.status, 201);
    assert.equal(pruned.json.spec.bogus, undefined);
    assert.deepEqual(pruned.json.spec.extra, { kept: true });
    assert.match(String(pruned.headers.warning), /unknown field \\"spec.bogus\\"/);
    const strict = await t.call('POST', `${widgetPath('default')}?fieldValidation=Strict`, { body: widget('strict', { color: 'red', bogus: 1 }) });
    assert.equal(strict.status, 400);
    assert.match(strict.json.message, /strict decoding error: unknown field "spec.bogus"/);
    const immutable = await t.call('PATCH', widgetPath('default', 'pruned'), { contentType: 'application/merge-patch+json', body: { spec: { color: 'blue' } } });
    assert.equal(immutable.status, 422);
    assert.match(immutable.json.message, /spec: Invalid value: "object": color is immutable/);
  });

  test('validation ratchets: a value the update leaves alone is not re-judged', async () => {
    const ok = await t.call('POST', widgetPath('default'), { body: widget('ratchet', { color: 'red', name: 'abc' }) });
    assert.equal(ok.status, 201, ok.text);
    // Tighten the schema after the object exists: names must now be at most 2 characters.
    const crd = (await t.call('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.certwright.io')).json;
    crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.name.maxLength = 2;
    assert.equal((await t.call('PUT', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.certwright.io', { body: crd })).status, 200);
    const status = await t.call('PATCH', `${widgetPath('default', 'ratchet')}/status`, { contentType: 'application/merge-patch+json', body: { status: { observedGeneration: 1 } } });
    assert.equal(status.status, 200, status.text);
    const relabel = await t.call('PATCH', widgetPath('default', 'ratchet'), { contentType: 'application/merge-patch+json', body: { metadata: { labels: { x: 'y' } } } });
    assert.equal(relabel.status, 200, relabel.text);
    const changed = await t.call('PATCH', widgetPath('default', 'ratchet'), { contentType: 'application/merge-patch+json', body: { spec: { name: 'abcd' } } });
    assert.equal(changed.status, 422);
    assert.match(changed.json.message, /spec.name: Too long/);
    crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.name.maxLength = 10;
    delete crd.metadata.resourceVersion;
    assert.equal((await t.call('PUT', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.certwright.io', { body: crd })).status, 200);
  });

  test('selectable fields and label selectors filter custom resources', async () => {
    await t.call('POST', widgetPath('default'), { body: widget('sel-green', { color: 'green' }) });
    const green = await t.call('GET', `${widgetPath('default')}?fieldSelector=spec.color%3Dgreen`);
    assert.deepEqual(green.json.items.map((i: any) => i.metadata.name), ['sel-green']);
    const unknown = await t.call('GET', `${widgetPath('default')}?fieldSelector=spec.size%3D3`);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.message, '"spec.size" is not a known field selector: only "metadata.name", "metadata.namespace", "spec.color"');
  });

  test('Table output uses additionalPrinterColumns', async () => {
    await t.call('POST', widgetPath('default'), { body: widget('tabled', { color: 'blue', size: 4 }) });
    await t.call('PATCH', `${widgetPath('default', 'tabled')}/status`, { contentType: 'application/merge-patch+json', body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } } });
    const table = await t.call('GET', widgetPath('default', 'tabled'), { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    assert.equal(table.json.kind, 'Table');
    assert.deepEqual(table.json.columnDefinitions.map((c: any) => [c.name, c.priority]), [['Name', 0], ['Ready', 0], ['Color', 0], ['Size', 1], ['Age', 0]]);
    const [name, ready, color, size, age] = table.json.rows[0].cells;
    assert.deepEqual([name, ready, color, size], ['tabled', 'True', 'blue', 4]);
    assert.match(age, /^\d+s$/);
    const secrets = await t.call('GET', '/api/v1/namespaces/default/secrets', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.deepEqual(secrets.json.columnDefinitions.map((c: any) => c.name), ['Name', 'Type', 'Data', 'Age']);
  });

  test('strategic merge patch is refused for custom resources with 415', async () => {
    const reply = await t.call('PATCH', widgetPath('default', 'tabled'), { contentType: 'application/strategic-merge-patch+json', body: { spec: { size: 2 } } });
    assert.equal(reply.status, 415);
  });

  test('a CRD serving two versions converts by apiVersion (strategy None)', async () => {
    const crd = structuredClone(widgetCrd) as any;
    crd.metadata.name = 'sprockets.example.certwright.io';
    Object.assign(crd.spec.names, { plural: 'sprockets', singular: 'sprocket', kind: 'Sprocket', listKind: 'SprocketList', shortNames: [], categories: [] });
    crd.spec.versions = [{ ...crd.spec.versions[0], name: 'v1beta1', storage: false }, crd.spec.versions[0]];
    assert.equal((await t.call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd })).status, 201);
    const created = await t.call('POST', '/apis/example.certwright.io/v1beta1/namespaces/default/sprockets', { body: { apiVersion: 'example.certwright.io/v1beta1', kind: 'Sprocket', metadata: { name: 's1' }, spec: { color: 'red' } } });
    assert.equal(created.status, 201, created.text);
    const asV1 = await t.call('GET', '/apis/example.certwright.io/v1/namespaces/default/sprockets/s1');
    assert.equal(asV1.json.apiVersion, 'example.certwright.io/v1');
    const group = await t.call('GET', '/apis/example.certwright.io');
    assert.deepEqual(group.json.versions.map((v: any) => v.version), ['v1', 'v1beta1']);
    assert.equal(group.json.preferredVersion.version, 'v1');
  });

  test('deleting the CRD removes its instances and stops serving it', async () => {
    const crd = structuredClone(widgetCrd);
    crd.metadata.name = 'gizmos.example.certwright.io';
    Object.assign(crd.spec.names, { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo', listKind: 'GizmoList', shortNames: [], categories: [] });
    assert.equal((await t.call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd })).status, 201);
    const path = '/apis/example.certwright.io/v1/namespaces/default/gizmos';
    assert.equal((await t.call('POST', path, { body: { apiVersion: 'example.certwright.io/v1', kind: 'Gizmo', metadata: { name: 'g1' }, spec: { color: 'red' } } })).status, 201);
    assert.equal((await t.call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.example.certwright.io')).status, 200);
    await eventually(async () => (await t.call('GET', path)).status === 404, 'gizmos no longer served');
    const reply = await t.call('GET', path);
    assert.equal(reply.json.message, 'the server could not find the requested resource');
  });
});

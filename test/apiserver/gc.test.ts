import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { asMergePatch, eventually, startTestServer, statusOf, type TestServer } from './harness.js';

let t: TestServer;
const ns = 'gc';
before(async () => {
  t = await startTestServer();
  await t.core.createNamespace({ body: { metadata: { name: ns } } });
});
after(() => t.close());

async function owner(name: string): Promise<V1ConfigMap> {
  return t.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name } } });
}

async function dependent(name: string, of: V1ConfigMap, extra: Record<string, unknown> = {}): Promise<V1ConfigMap> {
  const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: of.metadata!.name!, uid: of.metadata!.uid!, ...extra };
  return t.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name, ownerReferences: [ref] } } }) as unknown as V1ConfigMap;
}

const gone = async (read: Promise<unknown>): Promise<boolean> => (await statusOf(read).catch(() => ({ code: 200 }))).code === 404;

test('background deletion: dependents go after the owner', async () => {
  const o = await owner('bg-owner');
  await dependent('bg-dep-1', o);
  await dependent('bg-dep-2', o);
  await t.core.deleteNamespacedConfigMap({ namespace: ns, name: 'bg-owner', propagationPolicy: 'Background' });
  assert.ok(await gone(t.core.readNamespacedConfigMap({ namespace: ns, name: 'bg-owner' })));
  await eventually(async () => (await gone(t.core.readNamespacedSecret({ namespace: ns, name: 'bg-dep-1' }))) && gone(t.core.readNamespacedSecret({ namespace: ns, name: 'bg-dep-2' })), 'dependents deleted');
});

test('foreground deletion: the owner waits with foregroundDeletion until blocking dependents are gone', async () => {
  const o = await owner('fg-owner');
  await t.core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'fg-dep', finalizers: ['example.io/hold'], ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'fg-owner', uid: o.metadata!.uid!, blockOwnerDeletion: true }] } },
  });
  await t.core.deleteNamespacedConfigMap({ namespace: ns, name: 'fg-owner', propagationPolicy: 'Foreground' });
  const waiting = await t.core.readNamespacedConfigMap({ namespace: ns, name: 'fg-owner' });
  assert.ok(waiting.metadata!.deletionTimestamp);
  assert.deepEqual(waiting.metadata!.finalizers, ['foregroundDeletion']);
  await eventually(async () => (await t.core.readNamespacedSecret({ namespace: ns, name: 'fg-dep' })).metadata!.deletionTimestamp, 'dependent being deleted');
  assert.ok(!(await gone(t.core.readNamespacedConfigMap({ namespace: ns, name: 'fg-owner' }))), 'owner still waits for the held dependent');
  await t.core.patchNamespacedSecret({ namespace: ns, name: 'fg-dep', body: { metadata: { finalizers: null } } }, asMergePatch);
  await eventually(() => gone(t.core.readNamespacedConfigMap({ namespace: ns, name: 'fg-owner' })), 'owner deleted after its dependent');
});

test('orphan deletion: dependents stay, without the owner reference', async () => {
  const o = await owner('or-owner');
  const other = await owner('or-other');
  await t.core.createNamespacedSecret({
    namespace: ns,
    body: {
      metadata: {
        name: 'or-dep',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'or-owner', uid: o.metadata!.uid! },
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'or-other', uid: other.metadata!.uid! },
        ],
      },
    },
  });
  await t.core.deleteNamespacedConfigMap({ namespace: ns, name: 'or-owner', propagationPolicy: 'Orphan' });
  await eventually(() => gone(t.core.readNamespacedConfigMap({ namespace: ns, name: 'or-owner' })), 'owner deleted');
  const kept = await t.core.readNamespacedSecret({ namespace: ns, name: 'or-dep' });
  assert.deepEqual(kept.metadata!.ownerReferences!.map((r) => r.name), ['or-other']);
});

test('a dependent whose only owner does not exist is collected', async () => {
  await t.core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'dangling', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'never-was', uid: '00000000-0000-0000-0000-000000000000' }] } },
  });
  await eventually(() => gone(t.core.readNamespacedSecret({ namespace: ns, name: 'dangling' })), 'dangling dependent collected');
});

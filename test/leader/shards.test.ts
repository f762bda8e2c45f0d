import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../apiserver/admission.js';
import { Controller } from '../../controller/runtime/controller.js';
import { ManualClock } from '../../controller/runtime/clock.js';
import { TimerQueue } from '../../controller/runtime/timers.js';
import { WorkQueue } from '../../controller/runtime/workqueue.js';
import { ShardGate } from '../../controller/leader/shard-gate.js';
import { chainRootKey, memberLeaseName, preferenceOrder, shardLeaseName, shardOf, shardOfLeaseName } from '../../controller/leader/shards.js';
import { fairShare, isExpired, liveMembers, planRound, type LeaseRecord } from '../../controller/leader/lease-round.js';

test('shardOf: a stable crc32 of the key (the same in every process and release)', () => {
  // Golden values (Python's zlib.crc32 agrees): changing the hash would move every Certificate to another shard on upgrade.
  assert.equal(shardOf('default/web', 1), 0);
  assert.deepEqual(['default/web', 'apps/api', 'kube-system/ca'].map((k) => shardOf(k, 7)), [1, 5, 1]);
  assert.throws(() => shardOf('a/b', 0), /positive integer/);
  assert.throws(() => shardOf('a/b', 1.5), /positive integer/);
});

test('shardOf spreads keys evenly over the shards', () => {
  const counts = [0, 0, 0];
  for (let i = 0; i < 3000; i++) counts[shardOf(`ns-${i % 7}/cert-${i}`, 3)]!++;
  for (const count of counts) assert.ok(count > 850 && count < 1150, `uneven: ${counts}`);
});

const meta = (metadata: KubeObject['metadata'], kind = 'CertificateRequest'): KubeObject => ({ apiVersion: 'v1', kind, metadata });

test('chainRootKey: the certificate-name annotation, then controller owners up the chain, else the own key', () => {
  const noLookup = () => undefined;
  assert.equal(chainRootKey(meta({ namespace: 'ns', name: 'web-1', annotations: { 'cert-manager.io/certificate-name': 'web' } }), noLookup), 'ns/web');
  const owner = (kind: string, name: string, controller = true) => ({ apiVersion: 'x', kind, name, uid: `${name}-uid`, controller });
  assert.equal(chainRootKey(meta({ namespace: 'ns', name: 'web-1', ownerReferences: [owner('Certificate', 'web')] }), noLookup), 'ns/web');
  // Challenge → Order → CertificateRequest (annotated).
  const objects = new Map<string, KubeObject>([
    ['Order ns/web-1-123', meta({ namespace: 'ns', name: 'web-1-123', ownerReferences: [owner('CertificateRequest', 'web-1')] }, 'Order')],
    ['CertificateRequest ns/web-1', meta({ namespace: 'ns', name: 'web-1', annotations: { 'cert-manager.io/certificate-name': 'web' } })],
  ]);
  const lookup = (kind: string, ref: { namespace?: string; name: string }) => objects.get(`${kind} ${ref.namespace}/${ref.name}`);
  const challenge = meta({ namespace: 'ns', name: 'web-1-123-9', ownerReferences: [owner('Order', 'web-1-123')] }, 'Challenge');
  assert.equal(chainRootKey(challenge, lookup), 'ns/web');
  // A parent missing from the cache: its key, so every replica still agrees.
  assert.equal(chainRootKey(meta({ namespace: 'ns', name: 'x-9', ownerReferences: [owner('Order', 'gone')] }, 'Challenge'), lookup), 'ns/gone');
  // Not a controller owner, or not a chain kind: the object's own key.
  assert.equal(chainRootKey(meta({ namespace: 'ns', name: 'solo', ownerReferences: [owner('Certificate', 'web', false)] }), lookup), 'ns/solo');
  assert.equal(chainRootKey(meta({ name: 'cluster-ca' }, 'ClusterIssuer'), lookup), 'cluster-ca');
});

test('lease names', () => {
  assert.equal(shardLeaseName(2), 'certwright-shard-2');
  assert.equal(shardOfLeaseName('certwright-shard-2'), 2);
  assert.equal(shardOfLeaseName('certwright-shard-02'), undefined);
  assert.equal(shardOfLeaseName('certwright-member-1'), undefined);
  assert.match(memberLeaseName(`pod-${'x'.repeat(250)}_5e1f`), /^certwright-member-[0-9a-f]{8}$/);
  assert.notEqual(memberLeaseName('a'), memberLeaseName('b'));
  assert.deepEqual(preferenceOrder('a', [0, 1, 2]).sort(), [0, 1, 2]);
});

const record = (holder: string, observedAtMs = 0, leaseDurationMs = 2000): LeaseRecord => ({ holder, leaseDurationMs, observedAtMs });

test('isExpired judges by when this replica saw the Lease change; a released Lease is free at once', () => {
  assert.equal(isExpired(record('b', 1000), 2999), false);
  assert.equal(isExpired(record('b', 1000), 3000), true);
  assert.equal(isExpired(record('', 1000), 1000), true);
});

test('planRound: one replica alone takes every shard; renews what it holds', () => {
  const first = planRound({ identity: 'a', now: 0, shardCount: 3, shards: [], held: new Set(), members: 1 });
  assert.deepEqual([...first.acquire].sort(), [0, 1, 2]);
  const next = planRound({ identity: 'a', now: 10, shardCount: 3, shards: [record('a'), record('a'), record('a')], held: new Set([0, 1, 2]), members: 1 });
  assert.deepEqual({ renew: [...next.renew].sort(), acquire: next.acquire, release: next.release, lost: next.lost }, { renew: [0, 1, 2], acquire: [], release: [], lost: [] });
});

test('planRound: more live replicas → shards above the fair share are let go; live Leases of others are never taken', () => {
  const plan = planRound({ identity: 'a', now: 10, shardCount: 3, shards: [record('a'), record('a'), record('a')], held: new Set([0, 1, 2]), members: 3 });
  assert.equal(plan.renew.length, 1);
  assert.equal(plan.release.length, 2);
  const newcomer = planRound({ identity: 'b', now: 10, shardCount: 3, shards: [record('a'), record('a'), record('a')], held: new Set(), members: 3 });
  assert.deepEqual(newcomer.acquire, []);
  // After a's let-go Leases expire, b takes one (its share), not two.
  const later = planRound({ identity: 'b', now: 5000, shardCount: 3, shards: [record('a', 4900), record('a', 0), record('a', 0)], held: new Set(), members: 3 });
  assert.equal(later.acquire.length, 1);
  assert.notEqual(later.acquire[0], 0);
});

test('planRound: a held shard whose Lease another replica now holds is lost', () => {
  const plan = planRound({ identity: 'a', now: 10, shardCount: 2, shards: [record('b'), record('a')], held: new Set([0, 1]), members: 2 });
  assert.deepEqual(plan.lost, [0]);
  assert.deepEqual(plan.renew, [1]);
  assert.deepEqual(plan.acquire, []);
});

test('fairShare and liveMembers', () => {
  assert.equal(fairShare(3, 2), 2);
  assert.equal(fairShare(3, 3), 1);
  assert.equal(fairShare(3, 5), 1);
  assert.equal(fairShare(1, 0), 1);
  assert.equal(liveMembers('a', [record('a'), record('b', 100), record('c', 0)], 2050), 2);
});

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

test('a Controller reconciles only admitted keys; the gate queues parked keys again when their shard is gained', async () => {
  const timers = new TimerQueue(new ManualClock());
  const queue = new WorkQueue({ name: 'certificates', timers, backoff: { baseMs: 1000, maxMs: 30_000 } });
  const reconciled: string[] = [];
  const controller = new Controller({ name: 'certificates', queue, reconcile: async (key) => (reconciled.push(key), {}) });
  const owned = new Set<number>();
  const gate = new ShardGate({ shardCount: 7, owns: (shard) => owned.has(shard), rootKeyOf: (_c, key) => key });
  gate.register('certificates', queue);
  controller.admitOnly((key) => gate.admit('certificates', key));
  controller.start();
  // 'default/web' is shard 1, 'apps/api' shard 5 (golden values above).
  owned.add(5);
  queue.add('default/web');
  queue.add('apps/api');
  await settle();
  assert.deepEqual(reconciled, ['apps/api']);
  assert.equal(gate.parkedCount, 1);
  owned.add(1);
  gate.gained(1);
  await settle();
  assert.deepEqual(reconciled, ['apps/api', 'default/web']);
  assert.equal(gate.parkedCount, 0);
  await controller.stop();
});

test('keysLeft: a Controller hears which keys it still owns once a shard is lost (per-key state of the others can go)', () => {
  const timers = new TimerQueue(new ManualClock());
  const queue = new WorkQueue({ name: 'certificates', timers, backoff: { baseMs: 1000, maxMs: 30_000 } });
  const stillOwned: Record<string, boolean>[] = [];
  const controller = new Controller({
    name: 'certificates',
    queue,
    reconcile: async () => ({}),
    onKeysLeft: (owned) => stillOwned.push(Object.fromEntries(['default/web', 'apps/api'].map((key) => [key, owned(key)]))),
  });
  const owned = new Set([1, 5]);
  const gate = new ShardGate({ shardCount: 7, owns: (shard) => owned.has(shard), rootKeyOf: (_c, key) => key });
  owned.delete(5);
  controller.keysLeft((key) => gate.owns('certificates', key));
  assert.deepEqual(stillOwned, [{ 'default/web': true, 'apps/api': false }]);
  assert.equal(gate.parkedCount, 0, 'asking whether a key is owned parks nothing');
});

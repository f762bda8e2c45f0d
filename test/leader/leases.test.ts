/**
 * ShardLeases of three replicas against the embedded API server, on one manual clock: rounds are
 * run by hand so every step can be checked — no shard is ever owned by two replicas, shares even
 * out, a dead replica's shard moves within the lease duration, a released one at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { KubeClient } from '../../controller/runtime/client.js';
import { ManualClock } from '../../controller/runtime/clock.js';
import { TimerQueue } from '../../controller/runtime/timers.js';
import { checkLeaderElectionTimings, LEASES, ShardLeases, type Lease } from '../../controller/leader/leases.js';
import { tempDataDir } from '../controller/certificates/reconciler-harness.js';

const dataDir = tempDataDir('certwright-leases-');
let cluster: LocalCluster;
const TIMINGS = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 250 };

before(async () => {
  cluster = await startLocalCluster({ dataDir: dataDir.path });
});

after(async () => {
  await cluster?.close();
  dataDir.remove();
});

interface Replica {
  name: string;
  leases: ShardLeases;
  gained: number[];
  lost: number[];
  alive: boolean;
}

function replicas(namespace: string, clock: ManualClock, names: string[], shards: number): Replica[] {
  const timers = new TimerQueue(clock);
  const client = new KubeClient({ kubeConfig: cluster.kubeConfig, timers, rateLimit: { qps: 1e9, burst: 1_000_000 } });
  return names.map((name) => {
    const replica: Replica = { name, gained: [], lost: [], alive: true, leases: undefined as unknown as ShardLeases };
    replica.leases = new ShardLeases({
      client,
      timers,
      config: { namespace, identity: `${name}_0b5e`, shards, ...TIMINGS },
      onGained: (shard) => replica.gained.push(shard),
      onLost: (shard) => replica.lost.push(shard),
      onError: (err) => assert.fail(`${name}: ${String(err)}`),
    });
    return replica;
  });
}

function assertNoShardOwnedTwice(all: Replica[], shards: number, when: string): void {
  for (let shard = 0; shard < shards; shard++) {
    const owners = all.filter((r) => r.leases.owns(shard)).map((r) => r.name);
    assert.ok(owners.length <= 1, `${when}: shard ${shard} owned by ${owners.join(' and ')}`);
  }
}

/** Runs a round on every live replica, then moves the clock one retry period, checking ownership before and after. */
async function step(all: Replica[], clock: ManualClock, shards: number, when: string): Promise<void> {
  for (const replica of all.filter((r) => r.alive)) {
    await replica.leases.runRound();
    assertNoShardOwnedTwice(all, shards, when);
  }
  clock.advance(TIMINGS.retryPeriodMs);
  assertNoShardOwnedTwice(all, shards, `${when}, after the clock moved`);
}

const owned = (all: Replica[]) => Object.fromEntries(all.map((r) => [r.name, r.leases.ownedShards()]));

test('three replicas: shares even out, a dead replica’s shard moves within the lease duration, a released one at once', async () => {
  const namespace = 'kube-system';
  const clock = new ManualClock(Date.now());
  const all = replicas(namespace, clock, ['a', 'b', 'c'], 3);
  const [a, b, c] = all as [Replica, Replica, Replica];

  // a starts first and takes every shard.
  await step([a], clock, 3, 'a alone');
  assert.deepEqual(a.leases.ownedShards(), [0, 1, 2]);

  // b and c join: a lets two shards go, they expire, b and c take one each.
  let steps = 0;
  while (!all.every((r) => r.leases.ownedShards().length === 1)) {
    await step(all, clock, 3, `joining, step ${steps}`);
    assert.ok(++steps < 30, `shares never evened out: ${JSON.stringify(owned(all))}`);
  }
  assert.ok(steps * TIMINGS.retryPeriodMs <= TIMINGS.leaseDurationMs + 4 * TIMINGS.retryPeriodMs, `took ${steps} rounds`);
  assert.deepEqual(new Set(all.flatMap((r) => r.leases.ownedShards())), new Set([0, 1, 2]));

  // b dies (stops renewing): it stops owning at its renew deadline, the others take its shard
  // once its Lease has been unchanged for the lease duration.
  const bShard = b.leases.ownedShards()[0]!;
  b.alive = false;
  const diedAt = clock.now();
  while (![a, c].some((r) => r.leases.owns(bShard))) {
    await step(all, clock, 3, 'after b died');
    assert.ok(clock.now() - diedAt <= TIMINGS.leaseDurationMs + 3 * TIMINGS.retryPeriodMs, `shard ${bShard} not taken over: ${JSON.stringify(owned(all))}`);
  }
  assert.equal(b.leases.owns(bShard), false);

  // c shuts down cleanly: a takes c's shard on its next round, no expiry to wait for.
  const cShard = c.leases.ownedShards()[0]!;
  c.alive = false;
  await c.leases.release();
  assert.deepEqual(c.leases.ownedShards(), []);
  await step(all, clock, 3, 'after c released');
  assert.ok(a.leases.owns(cShard), `a did not take released shard ${cShard}: ${JSON.stringify(owned(all))}`);
  assert.deepEqual(a.leases.ownedShards(), [0, 1, 2]);

  const client = new KubeClient({ kubeConfig: cluster.kubeConfig, timers: new TimerQueue(clock) });
  const leases = await client.list<Lease>(LEASES, { namespace });
  const names = leases.items.map((l) => l.metadata.name!).sort();
  assert.ok(names.includes('certwright-shard-0') && names.includes('certwright-shard-2'));
  assert.equal(names.filter((n) => n.startsWith('certwright-member-')).length, 2, `c removed its member Lease: ${names}`);
  const shard = leases.items.find((l) => l.metadata.name === `certwright-shard-${cShard}`)!;
  assert.equal(shard.spec?.holderIdentity, 'a_0b5e');
  assert.ok((shard.spec?.leaseTransitions ?? 0) >= 1);
});

test('one shard is plain leader election: one leader, no member Leases', async () => {
  const namespace = 'default';
  const clock = new ManualClock(Date.now());
  const all = replicas(namespace, clock, ['x', 'y'], 1);
  for (let i = 0; i < 4; i++) await step(all, clock, 1, `step ${i}`);
  assert.equal(all.filter((r) => r.leases.owns(0)).length, 1);
  const client = new KubeClient({ kubeConfig: cluster.kubeConfig, timers: new TimerQueue(clock) });
  const names = (await client.list<Lease>(LEASES, { namespace })).items.map((l) => l.metadata.name);
  assert.deepEqual(names, ['certwright-shard-0']);
});

test('lease timings follow client-go’s rule', () => {
  assert.doesNotThrow(() => checkLeaderElectionTimings(TIMINGS));
  assert.throws(() => checkLeaderElectionTimings({ ...TIMINGS, renewDeadlineMs: 2000 }), /lease duration \(2000 ms\) must be longer than the renew deadline/);
  assert.throws(() => checkLeaderElectionTimings({ ...TIMINGS, retryPeriodMs: 1400 }), /1\.2 × the retry period/);
});

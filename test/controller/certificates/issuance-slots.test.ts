import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IssuanceSlots } from '../../../controller/certificates/issuance-slots.js';
import { CERTIFICATES } from '../../../controller/runtime/resources.js';
import { cached, createCertificate, ensureSelfSignedClusterIssuer, eventually, ready, requests, settled, startWorld, tempDataDir, type World } from './reconciler-harness.js';

function slots(limit: number) {
  const woken: string[] = [];
  return { slots: new IssuanceSlots(limit, (key) => woken.push(key)), woken };
}

test('admits up to the limit; a holder asking again keeps its slot', () => {
  const { slots: s } = slots(2);
  assert.equal(s.admit('a'), true);
  assert.equal(s.admit('b'), true);
  assert.equal(s.admit('a'), true);
  assert.equal(s.admit('c'), false);
  assert.deepEqual([s.issuing, s.waiting], [2, 1]);
});

test('a freed slot goes to the first in line, who is woken; later askers cannot take it first', () => {
  const { slots: s, woken } = slots(1);
  s.admit('a');
  assert.equal(s.admit('b'), false);
  assert.equal(s.admit('c'), false);
  s.release('a');
  assert.deepEqual(woken, ['b']);
  // c is reconciled before b: the slot is b's.
  assert.equal(s.admit('c'), false);
  assert.equal(s.admit('d'), false);
  assert.equal(s.admit('b'), true);
  s.release('b');
  assert.deepEqual(woken, ['b', 'c']);
  assert.equal(s.admit('c'), true);
});

test('none is starved: every waiter gets a slot in the order it first asked, whoever is reconciled first', () => {
  const { slots: s } = slots(2);
  const keys = Array.from({ length: 7 }, (_, i) => `ns/c${i}`);
  const admitted = keys.filter((key) => s.admit(key));
  let finished = 0;
  while (admitted.length < keys.length) {
    s.release(admitted[finished++]!);
    // The latest askers are reconciled first each time.
    for (const key of keys.toReversed()) if (!admitted.includes(key) && s.admit(key)) admitted.push(key);
  }
  assert.deepEqual(admitted, keys);
});

/** One slot, held by a; b then c waiting for it. */
function oneSlotAndALine() {
  const line = slots(1);
  for (const key of ['a', 'b', 'c']) line.slots.admit(key);
  return line;
}

test('releasing a waiter gives up its place in line; releasing an unknown key wakes no one', () => {
  const { slots: s, woken } = oneSlotAndALine();
  s.release('c');
  s.release('x');
  assert.deepEqual([s.issuing, s.waiting, woken.length], [1, 1, 0]);
  s.release('a');
  assert.deepEqual(woken, ['b']);
});

test('a woken waiter that goes away (deleted, no longer issuing) passes the free slot on to the next', () => {
  const { slots: s, woken } = oneSlotAndALine();
  s.release('a');
  assert.deepEqual(woken, ['b']);
  s.release('b');
  assert.deepEqual(woken, ['b', 'c']);
  assert.equal(s.admit('c'), true);
});

test('the limit is a whole number of at least 1', () => {
  for (const limit of [0, -1, 1.5, Number.NaN]) assert.throws(() => new IssuanceSlots(limit, () => {}), /whole number ≥ 1/);
});

describe('the reconciler with --max-concurrent-issuances 1', () => {
  const dataDir = tempDataDir();
  let world: World;

  before(async () => {
    world = await startWorld({ dataDir: dataDir.path, namespace: 'slots', manager: { maxConcurrentIssuances: 1 } });
    await ensureSelfSignedClusterIssuer(world);
  });

  after(async () => {
    await world.stopManager();
    await world.cluster.close();
    dataDir.remove();
  });

  test('Certificates past the limit wait (nothing written for them) and issue in the order they came once the slot is free', async () => {
    // Its issuer does not exist: its request stays pending and it keeps the one slot.
    await createCertificate(world, 'blocked', { issuerRef: { name: 'missing' } });
    await eventually(async () => (await requests(world)).length === 1, 'the blocked Certificate’s request');
    await createCertificate(world, 'first');
    await createCertificate(world, 'second');
    await eventually(() => world.manager.certificates!.issuanceSlots.waiting === 2, 'both in line');
    await settled(world);
    assert.deepEqual((await requests(world)).map((r) => r.metadata.name), ['blocked-1']);
    for (const name of ['first', 'second']) assert.equal(cached(world, name)?.status, undefined, `${name}: no status written while in line`);

    await world.manager.client.delete(CERTIFICATES, { namespace: world.namespace, name: 'blocked' });
    await ready(world, 'first', 1);
    await ready(world, 'second', 1);
    const made = (await requests(world)).filter((r) => r.metadata.name !== 'blocked-1');
    const createdOrder = made.sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion)).map((r) => r.metadata.name);
    assert.deepEqual(createdOrder, ['first-1', 'second-1']);
    assert.deepEqual([world.manager.certificates!.issuanceSlots.issuing, world.manager.certificates!.issuanceSlots.waiting], [0, 0]);
  });
});

test('releaseWhere: the slots and places in line of keys gone elsewhere (a shard lost) are given up, and the next in line woken', () => {
  const { slots: s, woken } = slots(2);
  for (const key of ['a/1', 'b/1', 'a/2', 'b/2', 'b/3']) s.admit(key);
  assert.deepEqual([s.issuing, s.waiting], [2, 3]);
  s.releaseWhere((key) => key.startsWith('a/'));
  assert.deepEqual([s.issuing, s.waiting], [1, 2]);
  assert.deepEqual(woken, ['b/2'], 'one slot freed: the first waiter left moves up');
  assert.equal(s.admit('b/2'), true);
  s.releaseWhere(() => false);
  assert.deepEqual(woken, ['b/2'], 'nothing released, no one woken');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../controller/runtime/clock.js';
import { TimerQueue } from '../../../controller/runtime/timers.js';
import { WorkQueue } from '../../../controller/runtime/workqueue.js';
import { Controller, decideOutcome, type Reconcile, type SyncHooks } from '../../../controller/runtime/controller.js';
import { ApiError } from '../../../controller/runtime/api-error.js';

const conflict = () => new ApiError(409, 'Conflict', 'the object has been modified; please apply your changes to the latest version and try again');

/** Lets queued promise callbacks (worker loops) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

function setup(reconcile: Reconcile, workers = 1) {
  const clock = new ManualClock();
  const timers = new TimerQueue(clock);
  const queue = new WorkQueue({ name: 'certificates', timers, backoff: { baseMs: 1000, maxMs: 30_000 } });
  const calls: string[] = [];
  const errors: string[] = [];
  const conflicts: string[] = [];
  const hooks: SyncHooks = {
    onSync: (controller, key) => calls.push(`${controller}:${key}`),
    onSyncError: (_c, key) => errors.push(key),
    onConflict: (_c, key) => conflicts.push(key),
  };
  const controller = new Controller({ name: 'certificates', queue, reconcile, workers, hooks });
  return { clock, queue, controller, calls, errors, conflicts };
}

test('decideOutcome: conflict, error, requeue-after, done', () => {
  assert.equal(decideOutcome({ ok: false, error: conflict() }).kind, 'requeue-now');
  assert.equal(decideOutcome({ ok: false, error: new ApiError(409, 'AlreadyExists', 'exists') }).kind, 'retry-with-backoff');
  assert.equal(decideOutcome({ ok: false, error: new Error('boom') }).kind, 'retry-with-backoff');
  assert.deepEqual(decideOutcome({ ok: true, result: { requeueAfterMs: 5000 } }), { kind: 'requeue-after', delayMs: 5000 });
  assert.deepEqual(decideOutcome({ ok: true, result: { requeueAfterMs: -3 } }), { kind: 'requeue-after', delayMs: 0 });
  assert.equal(decideOutcome({ ok: true, result: {} }).kind, 'done');
});

test('a failing reconcile is retried with backoff and counted; success forgets the failures', async () => {
  let failuresLeft = 2;
  const { clock, queue, controller, calls, errors } = setup(async () => {
    if (failuresLeft-- > 0) throw new Error('issuer not ready');
    return {};
  });
  controller.start();
  queue.add('ns/cert');
  await settle();
  assert.deepEqual(errors, ['ns/cert']);
  clock.advance(999);
  await settle();
  assert.equal(calls.length, 1, 'not retried before the backoff');
  clock.advance(1);
  await settle();
  assert.equal(calls.length, 2);
  clock.advance(2000);
  await settle();
  assert.equal(calls.length, 3);
  assert.deepEqual(errors, ['ns/cert', 'ns/cert']);
  assert.equal(queue.numRequeues('ns/cert'), 0, 'success forgot the failures');
  await controller.stop();
});

test('a 409 conflict is requeued at once and is not a sync error', async () => {
  let conflictsLeft = 2;
  const { queue, controller, calls, errors, conflicts } = setup(async () => {
    if (conflictsLeft-- > 0) throw conflict();
    return {};
  });
  controller.start();
  queue.add('ns/cert');
  await settle();
  assert.equal(calls.length, 3, 'reconciled again without moving the clock');
  assert.deepEqual(errors, []);
  assert.deepEqual(conflicts, ['ns/cert', 'ns/cert']);
  assert.equal(queue.numRequeues('ns/cert'), 0);
  await controller.stop();
});

test('requeueAfterMs brings the key back after that long', async () => {
  const { clock, queue, controller, calls } = setup(async () => ({ requeueAfterMs: 60_000 }));
  controller.start();
  queue.add('ns/cert');
  await settle();
  assert.equal(calls.length, 1);
  clock.advance(59_999);
  await settle();
  assert.equal(calls.length, 1);
  clock.advance(1);
  await settle();
  assert.equal(calls.length, 2);
  await controller.stop();
});

test('N workers run different keys in parallel but never the same key twice at once', async () => {
  const running = new Set<string>();
  let maxParallel = 0;
  const releases: Array<() => void> = [];
  const seen: string[] = [];
  const { queue, controller } = setup(async (key) => {
    assert.ok(!running.has(key), `${key} reconciled twice at once`);
    running.add(key);
    seen.push(key);
    maxParallel = Math.max(maxParallel, running.size);
    await new Promise<void>((resolve) => releases.push(resolve));
    running.delete(key);
    return {};
  }, 2);
  controller.start();
  queue.add('a');
  queue.add('b');
  queue.add('c');
  await settle();
  assert.equal(running.size, 2);
  queue.add('a'); // changed while in flight
  releases.splice(0).forEach((release) => release());
  await settle();
  releases.splice(0).forEach((release) => release());
  await settle();
  releases.splice(0).forEach((release) => release());
  await settle();
  assert.equal(maxParallel, 2);
  assert.deepEqual(seen.sort(), ['a', 'a', 'b', 'c']);
  await controller.stop();
});

test('stop lets the reconcile in flight finish', async () => {
  let release!: () => void;
  let finished = false;
  const { queue, controller } = setup(async () => {
    await new Promise<void>((resolve) => (release = resolve));
    finished = true;
    return {};
  });
  controller.start();
  queue.add('k');
  await settle();
  const stopping = controller.stop();
  await settle();
  assert.equal(finished, false);
  release();
  await stopping;
  assert.equal(finished, true);
});

test('workers must be a positive integer', () => {
  assert.throws(() => setup(async () => ({}), 0), /workers must be a positive integer/);
});

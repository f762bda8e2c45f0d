import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../controller/runtime/clock.js';
import { TimerQueue } from '../../../controller/runtime/timers.js';
import { WorkQueue } from '../../../controller/runtime/workqueue.js';
import { backoffDelay, CERTIFICATE_BACKOFF, DEFAULT_BACKOFF, ItemBackoff } from '../../../controller/runtime/backoff.js';

function setup() {
  const clock = new ManualClock();
  const timers = new TimerQueue(clock);
  const queue = new WorkQueue({ name: 'test', timers, backoff: CERTIFICATE_BACKOFF });
  return { clock, timers, queue };
}

/** Whether a pending get() has resolved yet. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

test('a key waits at most once', async () => {
  const { queue } = setup();
  queue.add('ns/a');
  queue.add('ns/b');
  queue.add('ns/a');
  assert.equal(queue.length, 2);
  assert.equal(await queue.get(), 'ns/a');
  assert.equal(await queue.get(), 'ns/b');
  assert.equal(queue.length, 0);
});

test('a key in flight is not handed to another worker; re-added, it comes back after done', async () => {
  const { queue } = setup();
  queue.add('k');
  const key = await queue.get();
  assert.equal(key, 'k');
  queue.add('k');
  queue.add('k');
  assert.equal(queue.length, 0, 'not queued while processing');
  const second = queue.get();
  assert.equal(await isSettled(second), false);
  queue.done('k');
  assert.equal(await second, 'k');
  queue.done('k');
  assert.equal(await isSettled(queue.get()), false, 'processed once more, not twice');
});

test('done without a re-add does not requeue', async () => {
  const { queue } = setup();
  queue.add('k');
  queue.done((await queue.get())!);
  assert.equal(queue.length, 0);
});

test('waiting workers get keys in the order they asked', async () => {
  const { queue } = setup();
  const first = queue.get();
  const second = queue.get();
  queue.add('x');
  queue.add('y');
  assert.equal(await first, 'x');
  assert.equal(await second, 'y');
});

test('addAfter adds the key when the clock reaches it; the earliest pending add wins', async () => {
  const { clock, queue, timers } = setup();
  queue.addAfter('late-then-early', 5000);
  queue.addAfter('late-then-early', 1000);
  queue.addAfter('early-then-late', 1000);
  queue.addAfter('early-then-late', 5000);
  assert.equal(timers.size, 2);
  clock.advance(999);
  assert.equal(queue.length, 0);
  clock.advance(1);
  assert.equal(queue.length, 2);
  clock.advance(10_000);
  assert.equal(queue.length, 2, 'the later adds were folded into the earlier ones');
  queue.addAfter('now', 0);
  assert.equal(queue.length, 3, 'a zero delay adds at once');
});

test('backoff doubles from base to max', () => {
  const cert = Array.from({ length: 7 }, (_, i) => backoffDelay(CERTIFICATE_BACKOFF, i));
  assert.deepEqual(cert, [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  const other = Array.from({ length: 8 }, (_, i) => backoffDelay(DEFAULT_BACKOFF, i));
  assert.deepEqual(other, [5000, 10000, 20000, 40000, 80000, 160000, 300000, 300000]);
  assert.equal(backoffDelay(CERTIFICATE_BACKOFF, 10_000), 30000, 'huge failure counts stay capped');
  assert.throws(() => new ItemBackoff({ baseMs: 0, maxMs: 10 }), /baseMs/);
  assert.throws(() => new ItemBackoff({ baseMs: 10, maxMs: 5 }), /baseMs/);
});

test('addRateLimited backs off per key; forget resets only that key', async () => {
  const { clock, queue } = setup();
  const waits: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = clock.now();
    queue.addRateLimited('flaky');
    clock.advance(CERTIFICATE_BACKOFF.baseMs * 2 ** i - 1);
    assert.equal(queue.length, 0);
    clock.advance(1);
    assert.equal(queue.length, 1);
    waits.push(clock.now() - start);
    queue.done((await queue.get())!);
  }
  assert.deepEqual(waits, [1000, 2000, 4000]);
  assert.equal(queue.numRequeues('flaky'), 3);
  queue.addRateLimited('other');
  assert.equal(queue.numRequeues('other'), 1);
  queue.forget('flaky');
  assert.equal(queue.numRequeues('flaky'), 0);
  assert.equal(queue.numRequeues('other'), 1);
});

test('shutdown waits for keys in flight and drops queued and delayed ones', async () => {
  const { queue, timers } = setup();
  queue.add('a');
  queue.add('b');
  queue.add('c');
  const a = (await queue.get())!;
  const b = (await queue.get())!;
  queue.addAfter('d', 60_000);

  const stopped = queue.shutdown();
  assert.equal(queue.length, 0, 'c is dropped');
  assert.equal(timers.size, 0, 'the delayed add of d is cancelled');
  assert.equal(await isSettled(stopped), false, 'a and b are still in flight');
  queue.add('e');
  assert.equal(queue.length, 0, 'no adds after shutdown');
  queue.done(a);
  assert.equal(await isSettled(stopped), false);
  queue.done(b);
  await stopped;
  assert.equal(await queue.get(), undefined);
});

test('shutdown releases idle workers at once', async () => {
  const { queue } = setup();
  const idle = queue.get();
  await queue.shutdown();
  assert.equal(await idle, undefined);
});

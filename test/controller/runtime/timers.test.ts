import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, MAX_TIMER_DELAY_MS, realClock } from '../../../controller/runtime/clock.js';
import { TimerGroup, TimerQueue } from '../../../controller/runtime/timers.js';
import { heapHeldBy } from './v8-probes.js';

const DAY = 86_400_000;

function setup() {
  const clock = new ManualClock(1_000_000);
  const timers = new TimerQueue(clock);
  const fired: Array<{ key: string; at: number }> = [];
  const record = (key: string) => () => fired.push({ key, at: clock.now() });
  return { clock, timers, fired, record };
}

test('entries fire in due order, each at its due time, and not before', () => {
  const { clock, timers, fired, record } = setup();
  const t0 = clock.now();
  timers.schedule('c', t0 + 300, record('c'));
  timers.schedule('a', t0 + 100, record('a'));
  timers.schedule('b', t0 + 200, record('b'));
  timers.schedule('a2', t0 + 100, record('a2'));
  clock.advance(99);
  assert.deepEqual(fired, []);
  clock.advance(1000);
  assert.deepEqual(fired, [
    { key: 'a', at: t0 + 100 },
    { key: 'a2', at: t0 + 100 },
    { key: 'b', at: t0 + 200 },
    { key: 'c', at: t0 + 300 },
  ]);
  assert.equal(timers.size, 0);
  assert.equal(clock.pendingTimers, 0, 'nothing left armed once the heap is empty');
});

test('scheduling a key again replaces its entry (later or earlier)', () => {
  const { clock, timers, fired, record } = setup();
  const t0 = clock.now();
  timers.schedule('k', t0 + 100, record('first'));
  timers.schedule('k', t0 + 500, record('later'));
  assert.equal(timers.size, 1);
  assert.equal(timers.dueAt('k'), t0 + 500);
  clock.advance(400);
  assert.deepEqual(fired, []);
  timers.schedule('k', t0 + 450, record('earlier'));
  clock.advance(1000);
  assert.deepEqual(fired, [{ key: 'earlier', at: t0 + 450 }]);
});

test('cancel removes an entry; cancelling the earliest re-arms for the next', () => {
  const { clock, timers, fired, record } = setup();
  const t0 = clock.now();
  timers.schedule('a', t0 + 100, record('a'));
  timers.schedule('b', t0 + 200, record('b'));
  assert.equal(timers.cancel('a'), true);
  assert.equal(timers.cancel('a'), false);
  assert.equal(timers.dueAt('a'), undefined);
  clock.advance(1000);
  assert.deepEqual(fired, [{ key: 'b', at: t0 + 200 }]);
});

test('far-future entries are reached in chunks no longer than the setTimeout limit', () => {
  const { clock, timers, fired, record } = setup();
  const t0 = clock.now();
  // ManualClock rejects delays above MAX_TIMER_DELAY_MS like Node would misfire them.
  timers.schedule('renewal', t0 + 90 * DAY, record('renewal'));
  assert.equal(clock.pendingTimers, 1);
  clock.advance(90 * DAY - 1);
  assert.deepEqual(fired, []);
  clock.advance(1);
  assert.deepEqual(fired, [{ key: 'renewal', at: t0 + 90 * DAY }]);
  assert.ok(90 * DAY > 3 * MAX_TIMER_DELAY_MS, 'the test spans several chunks');
});

test('a nearer entry re-arms the single timer; only one clock timer exists for many entries', () => {
  const { clock, timers, fired, record } = setup();
  const t0 = clock.now();
  timers.schedule('far', t0 + 10 * DAY, record('far'));
  timers.schedule('near', t0 + 1000, record('near'));
  timers.schedule('mid', t0 + DAY, record('mid'));
  assert.equal(clock.pendingTimers, 1);
  clock.advance(1000);
  assert.deepEqual(fired, [{ key: 'near', at: t0 + 1000 }]);
  assert.equal(clock.pendingTimers, 1);
});

test('past due times fire on the next wake; non-finite times are rejected', () => {
  const { clock, timers, fired, record } = setup();
  timers.schedule('late', clock.now() - 5000, record('late'));
  clock.advance(0);
  assert.deepEqual(fired, [{ key: 'late', at: clock.now() }]);
  assert.throws(() => timers.schedule('x', Number.NaN, () => {}), /finite/);
  assert.throws(() => timers.schedule('x', Infinity, () => {}), /finite/);
});

test('a callback may cancel another entry due at the same time, and it does not fire', () => {
  const { clock, timers, fired, record } = setup();
  const at = clock.now() + 10;
  timers.schedule('a', at, () => {
    fired.push({ key: 'a', at: clock.now() });
    timers.cancel('b');
  });
  timers.schedule('b', at, record('b'));
  clock.advance(10);
  assert.deepEqual(fired.map((f) => f.key), ['a']);
});

test('a throwing callback is reported and does not stop later entries', () => {
  const clock = new ManualClock();
  const errors: string[] = [];
  const timers = new TimerQueue(clock, { onError: (_err, key) => errors.push(key) });
  const fired: string[] = [];
  timers.schedule('bad', clock.now() + 1, () => {
    throw new Error('boom');
  });
  timers.schedule('good', clock.now() + 2, () => fired.push('good'));
  clock.advance(5);
  assert.deepEqual(errors, ['bad']);
  assert.deepEqual(fired, ['good']);
});

test('sleep resolves when the clock reaches it, or at once when aborted', async () => {
  const { clock, timers } = setup();
  let woke = false;
  const sleeping = timers.sleep(1000).then(() => (woke = true));
  clock.advance(999);
  await Promise.resolve();
  assert.equal(woke, false);
  clock.advance(1);
  await sleeping;
  assert.equal(woke, true);

  const abort = new AbortController();
  const aborted = timers.sleep(DAY, abort.signal);
  assert.equal(timers.size, 1);
  abort.abort();
  await aborted;
  assert.equal(timers.size, 0, 'an aborted sleep leaves no entry behind');
});

test('100k entries: one armed timer, cheap scheduling, all fire in order', () => {
  const { clock, timers } = setup();
  const t0 = clock.now();
  const n = 100_000;
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const started = performance.now();
  for (let i = 0; i < n; i++) timers.schedule(`cert-${i}`, t0 + Math.floor(random() * 90 * DAY), () => {});
  // Reschedule a tenth (renewals moving after reissue) and cancel a tenth (deleted certificates).
  for (let i = 0; i < n; i += 10) timers.schedule(`cert-${i}`, t0 + Math.floor(random() * 90 * DAY), () => {});
  for (let i = 5; i < n; i += 10) timers.cancel(`cert-${i}`);
  const elapsed = performance.now() - started;
  assert.equal(timers.size, n - n / 10);
  assert.equal(clock.pendingTimers, 1);
  assert.ok(elapsed < 2000, `scheduling took ${elapsed.toFixed(0)} ms`);

  let last = -Infinity;
  let count = 0;
  const orderChecked = new TimerQueue(clock);
  for (let i = 0; i < 1000; i++) {
    const at = t0 + Math.floor(random() * DAY);
    orderChecked.schedule(`o-${i}`, at, () => {
      assert.ok(clock.now() >= last);
      last = clock.now();
      count++;
    });
  }
  timers.clear();
  clock.advance(DAY);
  assert.equal(count, 1000);
});

test('with the real clock an entry fires at or shortly after its due time', async () => {
  const timers = new TimerQueue(realClock);
  const due = Date.now() + 40;
  const firedAt = await new Promise<number>((resolve) => timers.schedule('soon', due, () => resolve(Date.now())));
  assert.ok(firedAt >= due, `fired ${due - firedAt} ms early`);
  // Generous bound: only a grossly wrong arm (e.g. a chunk or a poll interval) would miss it.
  assert.ok(firedAt - due < 500, `fired ${firedAt - due} ms late`);
  timers.clear();
});

test('a timer group: one per key, fired with the key; replaced, cancelled, counted and cleared as a group', () => {
  const { clock, timers } = setup();
  const fired: string[] = [];
  const wakeUps = new TimerGroup(timers, 'certificates/wake', (key) => fired.push(key));
  const other = new TimerGroup(timers, 'other', (key) => fired.push(`other:${key}`));
  const t0 = clock.now();
  wakeUps.schedule('ns/a', t0 + 100);
  wakeUps.schedule('ns/b', t0 + 200);
  wakeUps.schedule('ns/a', t0 + 300);
  other.schedule('ns/a', t0 + 50);
  assert.equal(wakeUps.dueAt('ns/a'), t0 + 300, 'replaced');
  assert.equal(wakeUps.size, 2);
  clock.advance(250);
  assert.deepEqual(fired, ['other:ns/a', 'ns/b']);
  assert.equal(wakeUps.size, 1);
  assert.equal(wakeUps.cancel('ns/b'), false, 'fired: nothing to cancel');
  wakeUps.schedule('ns/c', t0 + 400);
  other.schedule('ns/d', t0 + 400);
  wakeUps.cancelAll();
  assert.equal(wakeUps.size, 0);
  clock.advance(1000);
  assert.deepEqual(fired, ['other:ns/a', 'ns/b', 'other:ns/d'], 'another group is left alone');
});

test('a timer group holds no closure per timer', () => {
  const keys = Array.from({ length: 20_000 }, (_, i) => JSON.parse(`"ns/certificate-${i}"`) as string);
  const onDue = (_key: string) => {};
  const closures = heapHeldBy(() => {
    const timers = new TimerQueue(new ManualClock(0));
    for (const key of keys) timers.schedule(`wake/${key}`, 1000, () => onDue(key));
    return [timers];
  });
  const grouped = heapHeldBy(() => {
    const timers = new TimerQueue(new ManualClock(0));
    const wakeUps = new TimerGroup(timers, 'wake', onDue);
    for (const key of keys) wakeUps.schedule(key, 1000);
    return [timers];
  });
  assert.ok(grouped < closures * 0.85, `grouped ${grouped} bytes, with a closure each ${closures}`);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../controller/runtime/clock.js';
import { DEFAULT_CLIENT_RATE, TokenBucket } from '../../../controller/runtime/token-bucket.js';

test('a full bucket serves its burst at once, then one token per 1/qps', () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket(clock, { qps: 10, burst: 3 });
  assert.deepEqual([bucket.reserve(), bucket.reserve(), bucket.reserve()], [0, 0, 0]);
  // Later callers queue behind earlier ones: 100 ms, 200 ms, 300 ms.
  assert.deepEqual([bucket.reserve(), bucket.reserve(), bucket.reserve()], [100, 200, 300]);
  clock.advance(300);
  assert.equal(bucket.reserve(), 100, 'the debt was paid off, the next token is 1/qps away');
});

test('tokens refill over time but never beyond the burst', () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket(clock, { qps: 10, burst: 2 });
  bucket.reserve();
  bucket.reserve();
  clock.advance(50);
  assert.equal(bucket.reserve(), 50, 'half a token accrued');
  clock.advance(60_000);
  assert.deepEqual([bucket.reserve(), bucket.reserve(), bucket.reserve()], [0, 0, 100]);
});

test('a clock stepping back does not drain the bucket', () => {
  let now = 1_000_000;
  const bucket = new TokenBucket({ now: () => now, setTimer: () => () => {} }, { qps: 1, burst: 1 });
  now -= 10_000;
  assert.equal(bucket.reserve(), 0);
});

test('defaults are high and bad settings are rejected', () => {
  assert.deepEqual(DEFAULT_CLIENT_RATE, { qps: 2000, burst: 4000 });
  const clock = new ManualClock();
  assert.throws(() => new TokenBucket(clock, { qps: 0, burst: 1 }), /qps > 0/);
  assert.throws(() => new TokenBucket(clock, { qps: 5, burst: 0.5 }), /burst/);
});

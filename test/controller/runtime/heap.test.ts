import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapStatistics } from 'node:v8';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { COMPACTION_LIMITS, compactHeap, HeapCompactor, releaseFreeMallocMemory, shouldCompact, unpoolSmallBuffers, type HeapActivity } from '../../../controller/runtime/heap.js';

const MiB = 1024 * 1024;
const afterBurst: HeapActivity = { loopUtilization: 0.01, burstSinceCompaction: true, msSinceCompaction: 120_000, slackBytes: 100 * MiB };

test('shouldCompact: only idle after a burst, not too soon after the last one, and only with memory to return', () => {
  assert.equal(shouldCompact(afterBurst), true);
  assert.equal(shouldCompact({ ...afterBurst, burstSinceCompaction: false }), false, 'steady state: no burst');
  assert.equal(shouldCompact({ ...afterBurst, loopUtilization: 0.3 }), false, 'still working');
  assert.equal(shouldCompact({ ...afterBurst, msSinceCompaction: COMPACTION_LIMITS.minIntervalMs - 1 }), false, 'rate-limited');
  assert.equal(shouldCompact({ ...afterBurst, slackBytes: COMPACTION_LIMITS.minSlackBytes - 1 }), false, 'little to gain');
});

/** A compactor driven by hand: the loop's busy/idle time and the heap's size are whatever the test says. */
function scripted() {
  const loop = { idle: 0, active: 0 };
  const heap = { total_heap_size: 200 * MiB, used_heap_size: 150 * MiB };
  let now = 0;
  const compactions: number[] = [];
  const compactor = new HeapCompactor({
    now: () => now,
    loopUtilization: () => ({ ...loop }),
    heapStatistics: () => ({ ...heap }),
    compact: () => {
      compactions.push(now);
      Object.assign(heap, { total_heap_size: 60 * MiB, used_heap_size: 50 * MiB });
    },
  });
  const interval = (activeMs: number, idleMs: number) => {
    loop.active += activeMs;
    loop.idle += idleMs;
    now += activeMs + idleMs;
    return compactor.check();
  };
  return { interval, compactions, heap };
}

test('HeapCompactor: compacts once when the loop goes idle after a busy interval, not again until the next burst', () => {
  const { interval, compactions, heap } = scripted();
  assert.equal(interval(200, 1800), false, 'light work is no burst');
  assert.equal(interval(1900, 100), false, 'busy: a burst, but not idle yet');
  assert.equal(interval(50, 1950), true, 'idle after the burst');
  assert.equal(compactions.length, 1);
  Object.assign(heap, { total_heap_size: 120 * MiB });
  for (let i = 0; i < 60; i++) assert.equal(interval(10, 1990), false, 'idle without a new burst: never again');
  assert.equal(interval(1500, 500), false);
  assert.equal(interval(0, 2000), true, 'the next burst, a minute later: compacts again');
});

test('HeapCompactor: a second burst within the minimum interval waits for it', () => {
  const { interval, compactions, heap } = scripted();
  interval(2000, 0);
  assert.equal(interval(0, 2000), true);
  interval(2000, 0);
  Object.assign(heap, { total_heap_size: 150 * MiB });
  assert.equal(interval(0, 2000), false, 'too soon');
  let compacted = false;
  for (let i = 0; i < 40 && !compacted; i++) compacted = interval(0, 2000);
  assert.equal(compacted, true, 'once the minimum interval has passed, the burst still counts');
  assert.equal(compactions.length, 2);
  assert.ok(compactions[1]! - compactions[0]! >= COMPACTION_LIMITS.minIntervalMs);
});

test('compactHeap: returns the pages a burst left behind (a full collection that packs fragmented pages)', () => {
  // Fragment the old generation: keep one object in twenty across many pages, drop the rest.
  const kept: object[] = [];
  let garbage: object[] = [];
  for (let i = 0; i < 600_000; i++) {
    const obj = { i, text: `item ${i}`, list: [i] };
    garbage.push(obj);
    if (i % 20 === 0) kept.push(obj);
    if (garbage.length > 200_000) garbage = [];
  }
  garbage = [];
  const before = getHeapStatistics().total_heap_size;
  compactHeap();
  const after = getHeapStatistics();
  assert.ok(kept.length === 30_000);
  assert.ok(after.total_heap_size < before * 0.6, `heap total ${Math.round(before / MiB)} → ${Math.round(after.total_heap_size / MiB)} MiB`);
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'gc stays out of the global scope');
});

test('unpoolSmallBuffers: a small Buffer owns a backing store of its own size instead of pinning a shared slab', () => {
  const pooled = Buffer.from('c2hvcnQ=', 'base64');
  assert.ok(pooled.buffer.byteLength > pooled.length, 'by default: a slice of the pool');
  unpoolSmallBuffers();
  for (const small of [Buffer.from('c2hvcnQ=', 'base64'), Buffer.from('short'), Buffer.allocUnsafe(100), Buffer.concat([Buffer.from('a'), Buffer.from('b')])]) {
    assert.equal(small.buffer.byteLength, small.length);
  }
  assert.equal(Buffer.from('').length, 0);
});

/** RSS (MiB) of a fresh process that fragments malloc's arena, frees most of it and compacts. */
async function rssAfterFragmentingMalloc(release: boolean): Promise<{ peak: number; after: number }> {
  const heapModule = new URL('../../../controller/runtime/heap.js', import.meta.url).href;
  const script = `
    const { compactHeap } = await import(${JSON.stringify(heapModule)});
    const rss = () => process.memoryUsage().rss / 2 ** 20;
    let blocks = [];
    for (let i = 0; i < 60000; i++) blocks.push(Buffer.allocUnsafeSlow(1500)); // ~90 MiB of malloc'd backing stores
    blocks = blocks.filter((_, i) => i % 64 === 0); // a few survivors keep every stretch of the arena in use
    const peak = rss();
    if (${release}) compactHeap(); else (await import('node:vm')).runInNewContext('gc')();
    console.log(JSON.stringify({ peak, after: rss(), kept: blocks.length }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--input-type=module', '-e', script]);
  return JSON.parse(stdout) as { peak: number; after: number };
}

test('compactHeap gives malloc memory freed by the collection back to the system (glibc)', async (t) => {
  if (!releaseFreeMallocMemory()) return t.skip('no glibc malloc_trim here');
  const [collectedOnly, compacted] = await Promise.all([rssAfterFragmentingMalloc(false), rssAfterFragmentingMalloc(true)]);
  assert.ok(collectedOnly.peak - collectedOnly.after < 30, `a collection alone keeps the arena (${JSON.stringify(collectedOnly)}): otherwise this test proves nothing`);
  assert.ok(compacted.peak - compacted.after >= 50, `RSS after compactHeap: ${JSON.stringify(compacted)}`);
});

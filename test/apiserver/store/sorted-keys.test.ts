import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SortedKeys } from '../../../apiserver/store/sorted-keys.js';

/** Deterministic pseudo-random keys, so a failure reproduces. */
function* keys(count: number, seed: number): Generator<string> {
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    yield `/core/secrets/ns-${state % 7}/s-${state.toString(36)}`;
  }
}

function sortedReference(values: Iterable<string>): string[] {
  return Array.from(new Set(values)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

test('inserts and removals across many chunk splits keep every key in order', () => {
  const inserted = Array.from(keys(6000, 7));
  const sortedKeys = new SortedKeys();
  for (const key of inserted) sortedKeys.insert(key);
  for (const key of inserted.slice(0, 2500)) sortedKeys.insert(key); // duplicates are ignored
  const removed = new Set(inserted.filter((_, i) => i % 3 === 0));
  for (const key of removed) sortedKeys.remove(key);
  sortedKeys.remove('/not/present');

  const expected = sortedReference(inserted.filter((key) => !removed.has(key)));
  assert.deepEqual(Array.from(sortedKeys.from('')), expected);
  for (const start of ['/core/secrets/ns-3/', '/core/secrets/ns-3/s-5', expected[1234] as string, '~']) {
    assert.deepEqual(Array.from(sortedKeys.from(start)), expected.filter((key) => key >= start), `from ${start}`);
  }
});

test('built from unsorted keys (recovery) it is sorted and still accepts inserts', () => {
  const initial = Array.from(keys(3000, 11));
  const sortedKeys = new SortedKeys(initial);
  const later = Array.from(keys(500, 13));
  for (const key of later) sortedKeys.insert(key);
  assert.deepEqual(Array.from(sortedKeys.from('')), sortedReference([...initial, ...later]));
});

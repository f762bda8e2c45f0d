import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatDurationNs, parseDuration, parseDurationNs } from '../../api/duration.js';

const H = 3_600_000;
const M = 60_000;
const S = 1_000;

test('parseDuration reads Go duration syntax into milliseconds', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['+0', 0],
    ['-0', 0],
    ['0s', 0],
    ['2160h', 2160 * H],
    ['90m', 90 * M],
    ['1h30m', 90 * M],
    ['1h30m0s', 90 * M],
    ['1.5h', 90 * M],
    ['.5h', 30 * M],
    ['1.h', H],
    ['300ms', 300],
    ['1.5s', 1500],
    ['-5m', -5 * M],
    ['+5m', 5 * M],
    ['1m1s', 61 * S],
    ['2h45m30.5s', 2 * H + 45 * M + 30_500],
    ['1us', 0.001],
    ['1µs', 0.001],
    ['1μs', 0.001],
    ['1ns', 0.000001],
    ['1500ns', 0.0015],
    ['3m3m', 6 * M],
    ['100000h', 100000 * H],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
});

test('parseDuration rejects what Go rejects, with Go\'s messages', () => {
  const cases: [string, RegExp][] = [
    ['', /^time: invalid duration ""$/],
    ['-', /^time: invalid duration "-"$/],
    ['.', /^time: invalid duration "\."$/],
    ['.s', /^time: invalid duration "\.s"$/],
    ['1', /^time: missing unit in duration "1"$/],
    ['1h30', /^time: missing unit in duration "1h30"$/],
    ['10x', /^time: unknown unit "x" in duration "10x"$/],
    ['1d', /^time: unknown unit "d" in duration "1d"$/],
    ['1h 30m', /^time: unknown unit "h " in duration "1h 30m"$/],
    ['h', /^time: invalid duration "h"$/],
    ['abc', /^time: invalid duration "abc"$/],
    ['9999999999999999999h', /^time: invalid duration/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseDuration(text), { message }, text);
});

test('parseDurationNs keeps nanosecond precision and the int64 range', () => {
  assert.equal(parseDurationNs('1.000000001s'), 1_000_000_001n);
  assert.equal(parseDurationNs('2562047h47m16.854775807s'), (1n << 63n) - 1n);
  assert.equal(parseDurationNs('-2562047h47m16.854775808s'), -(1n << 63n));
  assert.throws(() => parseDurationNs('2562047h47m16.854775808s'), { message: /invalid duration/ });
});

test('formatDuration prints exactly like Go time.Duration.String()', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [2160 * H, '2160h0m0s'],
    [5 * M, '5m0s'],
    [90 * M, '1h30m0s'],
    [H, '1h0m0s'],
    [1500, '1.5s'],
    [S, '1s'],
    [61 * S, '1m1s'],
    [300, '300ms'],
    [1.5, '1.5ms'],
    [0.001, '1µs'],
    [0.0015, '1.5µs'],
    [0.000001, '1ns'],
    [-5 * M, '-5m0s'],
    [-1500, '-1.5s'],
    [2 * H + 45 * M + 30_500, '2h45m30.5s'],
    [720 * H, '720h0m0s'],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
  assert.equal(formatDurationNs(1_000_000_001n), '1.000000001s');
});

test('formatDuration and parseDuration round-trip', () => {
  for (const text of ['2160h0m0s', '1h30m0s', '5m0s', '1.5s', '300ms', '-10m0s', '0s', '1µs']) {
    assert.equal(formatDuration(parseDuration(text)), text);
  }
});

test('formatDuration rejects non-finite input with a clear error', () => {
  assert.throws(() => formatDuration(Number.NaN), { message: /finite number of milliseconds/ });
  assert.throws(() => formatDuration(Infinity), { message: /finite/ });
});

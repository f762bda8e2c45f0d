import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExposition, seriesSelector } from '../../../controller/observability/exposition.js';
import { scrapesToInputSeries } from '../../../controller/observability/promtool.js';

test('parseExposition reads names, unescaped labels and special values, skipping comments', () => {
  const text = [
    '# HELP up whether the target is up',
    '# TYPE up gauge',
    'up 1',
    'odd{a="q\\"uote",b="back\\\\slash",c="new\\nline",} 2.5e-3',
    'edges{v="inf"} +Inf',
    'edges{v="-inf"} -Inf',
    'edges{v="nan"} Nan',
    'stamped{} 7 1700000000000',
    '',
  ].join('\n');
  const samples = parseExposition(text);
  assert.deepEqual(samples.slice(0, 2), [
    { name: 'up', labels: {}, value: 1 },
    { name: 'odd', labels: { a: 'q"uote', b: 'back\\slash', c: 'new\nline' }, value: 0.0025 },
  ]);
  assert.deepEqual(samples.slice(2, 5).map((s) => s.value), [Infinity, -Infinity, NaN]);
  assert.deepEqual(samples[5], { name: 'stamped', labels: {}, value: 7 });
});

test('parseExposition names the line of malformed input', () => {
  assert.throws(() => parseExposition('up 1\nup{a="x" 1\n'), /exposition line 2: not a sample/);
  assert.throws(() => parseExposition('up{a=x} 1'), /exposition line 1: malformed labels at "a=x"/);
  assert.throws(() => parseExposition('up one'), /exposition line 1: not a sample value: "one"/);
});

test('seriesSelector escapes label values so they read back identically', () => {
  const labels = { a: 'q"uote', b: 'back\\slash', c: 'new\nline' };
  const selector = seriesSelector('odd', labels);
  assert.equal(selector, 'odd{a="q\\"uote",b="back\\\\slash",c="new\\nline"}');
  assert.deepEqual(parseExposition(`${selector} 1`)[0]!.labels, labels);
  assert.equal(seriesSelector('up', {}), 'up');
});

test('scrapesToInputSeries lines up each series across scrapes, with _ where a scrape lacked it', () => {
  const series = scrapesToInputSeries(['a{x="1"} 1\nb 5\n', 'a{x="1"} 2\n', 'a{x="1"} 3\nb 7\nc NaN\n'], {
    extraLabels: { job: 'certwright' },
    include: (s) => s.name !== 'c',
  });
  assert.deepEqual(series, [
    { series: 'a{x="1",job="certwright"}', values: '1 2 3' },
    { series: 'b{job="certwright"}', values: '5 _ 7' },
  ]);
  assert.deepEqual(scrapesToInputSeries(['c NaN\nd +Inf\n']), [
    { series: 'c', values: 'NaN' },
    { series: 'd', values: 'Inf' },
  ]);
});

/**
 * Runs `bench:apiserver --smoke` (tiny counts) so the benchmark never rots: three processes, every
 * write kind through HTTPS, watchers parsing live and initial events, a restart, and the memory
 * figures.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ApiServerBenchResult } from '../../bench/apiserver/main.js';

const BENCH = fileURLToPath(new URL('../../bench/apiserver/main.js', import.meta.url));

test('bench:apiserver --smoke measures every write kind, both watch figures and memory', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'certwright-bench-apiserver-smoke-'));
  try {
    const output = join(dir, 'apiserver.json');
    const { stdout } = await promisify(execFile)(process.execPath, [BENCH, '--smoke', '--output', output], { timeout: 110_000 });
    const result = JSON.parse(await readFile(output, 'utf8')) as ApiServerBenchResult;

    assert.deepEqual(Object.keys(result.writes).sort(), ['apply-secret', 'create-certificate', 'create-secret', 'patch-certificate-status', 'update-secret']);
    for (const [kind, w] of Object.entries(result.writes)) {
      assert.ok(w.writes > 0 && w.failures === 0, `${kind}: ${JSON.stringify(w)}`);
      assert.ok(w.serverCpuMsPerWrite > 0 && w.clientCpuMsPerWrite > 0, `${kind}: CPU read from /proc`);
    }
    // Every live create reached every watcher, parsed; the initial events are every stored Secret per watcher.
    assert.equal(result.liveWatch.delivered, result.liveWatch.watchers * result.liveWatch.writes.writes);
    assert.equal(result.initialWatch.delivered, result.initialWatch.watchers * result.initialWatch.events);
    assert.ok(result.initialWatch.events >= result.writes['create-secret'].writes + result.liveWatch.writes.writes);

    const { afterWrites, afterRestart } = result.memory;
    assert.ok(afterWrites.objects >= result.options.objects, JSON.stringify(afterWrites));
    assert.ok(afterWrites.jsonBytesPerObject > 1000 && afterWrites.jsonBytesPerObject < 4096, 'objects of ~1–2 KiB');
    assert.equal(afterRestart.objects, afterWrites.objects);
    assert.ok(afterRestart.rssBytes > 0 && result.memory.baselineRssBytes > 0);
    assert.match(stdout, /watch, 3 watchers, initial events/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/**
 * Runs `bench:smoke` (the lifecycle benchmark with 20 Certificates) so the benchmark never rots:
 * two real processes, a CA, issuance, a restart through the counting proxy and a steady window.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { LifecycleResult } from '../../bench/lifecycle/report.js';

const BENCH = fileURLToPath(new URL('../../bench/lifecycle/main.js', import.meta.url));

test('bench:smoke issues, restarts without reissuing and makes no writes in steady state', { timeout: 150_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'certwright-bench-smoke-'));
  try {
    const output = join(dir, 'lifecycle.json');
    const { stdout } = await promisify(execFile)(process.execPath, [BENCH, '--smoke', '--count-p1-requests', '--output', output], { timeout: 140_000 });
    const result = JSON.parse(await readFile(output, 'utf8')) as LifecycleResult;

    assert.equal(result.p1.certificates, 20);
    assert.ok(result.p1.readySeconds.first > 0 && result.p1.readySeconds.first <= result.p1.readySeconds.last);
    assert.ok(result.p1.controllerCpuSeconds > 0, 'controller CPU was measured');
    // Each Certificate needs at least its CertificateRequest created and its Secret written.
    assert.ok(result.p1.requests && result.p1.requests.writes >= 2 * 20, JSON.stringify(result.p1.requests));
    assert.ok((result.p1.requests.byRequest['POST certificaterequests'] ?? 0) >= 20);
    assert.ok(Number.isFinite(result.p1.overheadRatio) && result.p1.overheadRatio > 0);
    assert.ok(result.crypto.cpuMsPerCertificate > 0);
    assert.ok(result.p3.controllerRssBytes > 10 * 1024 * 1024, 'RSS read from /proc');
    assert.ok(result.p3.heapUsedBytes > 0 && result.p3.heapUsedBytes <= result.p3.heapTotalBytes, 'heap read from /metrics');

    assert.ok(result.p4?.steady, 'restart and steady state measured');
    assert.equal(result.p4.restart.reissues, 0);
    assert.equal(result.p4.restart.notReady, 0);
    assert.ok(result.p4.restart.timersArmedSeconds > 0 && result.p4.restart.timersArmedSeconds <= result.p4.restart.idleSeconds);
    assert.equal(result.p4.restart.timersArmed, result.p4.restart.certificates, 'every Certificate had its wake-up armed when the controller said it started');
    assert.equal(result.p4.restart.certificates, 21);
    assert.ok(result.p4.restart.requests.reads > 0, 'the restarted controller went through the counting proxy');
    assert.equal(result.p4.steady.requests.writes, 0, JSON.stringify(result.p4.steady.requests.byRequest));

    assert.deepEqual(result.goals.map((g) => g.id), ['P1', 'P1', 'P3', 'P4', 'P4', 'P4', 'P4']);
    assert.match(stdout, /P4 restart → timers armed/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

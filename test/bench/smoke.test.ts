/**
 * Runs `npm run bench:smoke` (every benchmark of `npm run bench` at tiny counts, as CI does) once,
 * so no benchmark rots, then checks what each one measured: real processes, requests counted
 * through the proxies, timings read from watches and /proc. P5 runs only where Pebble and bind9
 * are installed (its JSON then says skipped); lego and certbot may be missing, never failing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { AcmeResult } from '../../bench/acme/main.js';
import type { ApiServerBenchResult } from '../../bench/apiserver/main.js';
import type { SuiteSummary } from '../../bench/main.js';
import type { LifecycleResult } from '../../bench/lifecycle/report.js';
import type { PunctualityResult } from '../../bench/punctuality/main.js';
import type { RsaResult } from '../../bench/rsa/main.js';
import { pebbleMissing } from '../../e2e/acme/pebble.js';
import { namedMissing } from '../../e2e/dns/bind9.js';

const SUITE = fileURLToPath(new URL('../../bench/main.js', import.meta.url));

let dir: string;
let stdout: string;
let summary: SuiteSummary;
const result = async <T>(step: string): Promise<T> => JSON.parse(await readFile(join(dir, 'smoke', `${step}.json`), 'utf8')) as T;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certwright-bench-smoke-'));
  ({ stdout } = await promisify(execFile)(process.execPath, [SUITE, '--smoke', '--output-dir', dir], { timeout: 170_000, maxBuffer: 16 * 1024 * 1024 }));
  summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as SuiteSummary;
}, { timeout: 180_000 });

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('bench:smoke runs every benchmark once and judges every goal, P1..P7', () => {
  assert.equal(summary.mode, 'smoke');
  assert.deepEqual(summary.steps.map((s) => s.step), ['lifecycle-1k', 'rsa', 'acme', 'punctuality', 'apiserver']);
  for (const step of summary.steps) assert.deepEqual(step.runs.map((r) => r.exitCode), [0], step.step);
  assert.deepEqual([...new Set(summary.goals.map((g) => g.id))], ['P1', 'P3', 'P4', 'P2', 'P5', 'P6', 'P7']);
  assert.ok(summary.goals.every((g) => g.values.length <= 1), 'one run: at most one value per figure');
  assert.ok(summary.machine.nproc > 0 && summary.machine.loadAverage.start >= 0);
  assert.match(stdout, /^P6 +renewalTime → new CertificateRequest p99/m);
  assert.match(stdout, /wrote .*summary\.json/);
});

test('lifecycle: issues, restarts without reissuing and makes no writes in steady state', async () => {
  const r = await result<LifecycleResult>('lifecycle-1k');
  assert.equal(r.p1.certificates, 20);
  assert.ok(r.p1.readySeconds.first > 0 && r.p1.readySeconds.first <= r.p1.readySeconds.last);
  assert.ok(r.p1.controllerCpuSeconds > 0, 'controller CPU was measured');
  // Each Certificate needs at least its CertificateRequest created and its Secret written.
  assert.ok(r.p1.requests && r.p1.requests.writes >= 2 * 20, JSON.stringify(r.p1.requests));
  assert.ok((r.p1.requests.byRequest['POST certificaterequests'] ?? 0) >= 20);
  assert.ok(Number.isFinite(r.p1.overheadRatio) && r.p1.overheadRatio > 0);
  assert.ok(r.crypto.cpuMsPerCertificate > 0);
  assert.ok(r.p3.controllerRssBytes > 10 * 1024 * 1024, 'RSS read from /proc');
  assert.ok(r.p3.heapUsedBytes > 0 && r.p3.heapUsedBytes <= r.p3.heapTotalBytes, 'heap read from /metrics');
  assert.ok(r.p4?.steady, 'restart and steady state measured');
  assert.equal(r.p4.restart.reissues, 0);
  assert.equal(r.p4.restart.notReady, 0);
  // Not ordered against idle: a quiet window can start before the line saying so is read on a loaded machine.
  assert.ok(r.p4.restart.timersArmedSeconds > 0 && r.p4.restart.idleSeconds > 0);
  assert.equal(r.p4.restart.timersArmed, r.p4.restart.certificates, 'every Certificate had its wake-up armed when the controller said it started');
  assert.equal(r.p4.restart.certificates, 21);
  assert.ok(r.p4.restart.requests.reads > 0, 'the restarted controller went through the counting proxy');
  assert.equal(r.p4.steady.requests.writes, 0, JSON.stringify(r.p4.steady.requests.byRequest));
  assert.deepEqual(r.goals.map((g) => g.id), ['P1', 'P1', 'P3', 'P4', 'P4', 'P4', 'P4']);
});

test('rsa (P2): RSA-2048 Certificates issued, raw keygen measured before and after', async () => {
  const r = await result<RsaResult>('rsa');
  assert.equal(r.lifecycle.p1.certificates, 4);
  assert.deepEqual(r.lifecycle.crypto.key, { algorithm: 'RSA', size: 2048 });
  assert.equal(r.lifecycle.p4, undefined, 'P4 skipped');
  for (const k of [r.keygen.before, r.keygen.after]) assert.ok(k.keys >= 4 && k.keysPerSecond > 0 && k.cpuMsPerKey > 0, JSON.stringify(k));
  assert.equal(r.keygen.pooled.keys, r.keygen.before.keys + r.keygen.after.keys);
  assert.equal(r.throughputRatio, Math.round((r.lifecycle.p1.certificatesPerSecond / r.keygen.pooled.keysPerSecond) * 100) / 100);
  assert.deepEqual(r.goals.map((g) => g.id), ['P2']);
});

test('punctuality (P6): every Certificate renewed once, after its renewal time', async () => {
  const r = await result<PunctualityResult>('punctuality');
  assert.equal(r.schedule.count, 10);
  assert.equal(r.missing, 0);
  assert.equal(r.lag.count, 10);
  assert.equal(r.renewalsDuringIssuance, 0, 'the lead outlasted issuance');
  // With --renewal-jitter 0 nothing renews before status.renewalTime; the request follows it.
  assert.ok(r.lag.minMs >= 0 && r.lag.minMs <= r.lag.p50Ms && r.lag.p99Ms <= r.lag.maxMs, JSON.stringify(r.lag));
  // Issuing=True is not always seen: a renewal issued fast enough can reach the next revision in the same status write.
  assert.ok(r.lagToIssuing.count > 0 && r.lagToIssuing.count <= 10, JSON.stringify(r.lagToIssuing));
  assert.ok(r.renewalWindow.controllerCpuSeconds > 0);
});

test('acme (P5): certwright on both solvers through the counting proxy; peers run or reported missing', async () => {
  const r = await result<AcmeResult>('acme');
  const skipped = pebbleMissing() || namedMissing();
  if (skipped) {
    assert.equal(r.skipped, skipped);
    return;
  }
  for (const solver of ['http01', 'dns01'] as const) {
    const certwright = r.solvers[solver]!.certwright;
    assert.equal(certwright.status, 'ok', solver);
    assert.equal(certwright.issued, 1);
    assert.ok((certwright.requests.byRequest['POST order-plz'] ?? 0) >= 1, `${solver}: certwright's requests went through the proxy: ${JSON.stringify(certwright.requests)}`);
  }
  for (const [tool, run] of Object.entries(r.solvers.http01!.peers)) {
    assert.notEqual(run.status, 'failed', `${tool}: ${run.detail}`);
    if (run.status === 'ok') assert.equal(run.requests.byRequest['POST order-plz'], 1, `${tool}: one order through the proxy`);
  }
  assert.deepEqual(Object.keys(r.solvers.dns01!.peers), [], 'smoke: peers on HTTP-01 only');
  assert.equal(r.goals.length, 4);
});

test('apiserver (P7): every write kind, both watch figures and memory', async () => {
  const r = await result<ApiServerBenchResult>('apiserver');
  assert.deepEqual(Object.keys(r.writes).sort(), ['apply-secret', 'create-certificate', 'create-secret', 'patch-certificate-status', 'update-secret']);
  for (const [kind, w] of Object.entries(r.writes)) {
    assert.ok(w.writes > 0 && w.failures === 0, `${kind}: ${JSON.stringify(w)}`);
    assert.ok(w.serverCpuMsPerWrite > 0 && w.clientCpuMsPerWrite > 0, `${kind}: CPU read from /proc`);
  }
  // Every live create reached every watcher, parsed; the initial events are every stored Secret per watcher.
  assert.equal(r.liveWatch.delivered, r.liveWatch.watchers * r.liveWatch.writes.writes);
  assert.equal(r.initialWatch.delivered, r.initialWatch.watchers * r.initialWatch.events);
  assert.ok(r.initialWatch.events >= r.writes['create-secret'].writes + r.liveWatch.writes.writes);
  const { afterWrites, afterRestart } = r.memory;
  assert.ok(afterWrites.objects >= r.options.objects, JSON.stringify(afterWrites));
  assert.ok(afterWrites.jsonBytesPerObject > 1000 && afterWrites.jsonBytesPerObject < 4096, 'objects of ~1–2 KiB');
  assert.equal(afterRestart.objects, afterWrites.objects);
  assert.ok(afterRestart.rssBytes > 0 && r.memory.baselineRssBytes > 0);
});

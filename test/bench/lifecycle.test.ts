import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { loadOrCreateServingMaterial } from '../../apiserver/tls.js';
import { describeRequest, isWrite, startCountingProxy } from '../../bench/lifecycle/counting-proxy.js';
import { monotonicMicroseconds, summarizeCpuProfile, summarizeHeapProfile, type CpuProfile, type HeapProfileNode } from '../../bench/lifecycle/profiles.js';
import { BenchUsageError, parseBenchOptions } from '../../bench/lifecycle/options.js';
import { parseProcStatCpuSeconds, parseProcStatusBytes, readProcessUsage } from '../../bench/lifecycle/process-usage.js';
import { judge, quantile, type LifecycleResult } from '../../bench/lifecycle/report.js';
import { forEachConcurrently } from '../../bench/lifecycle/workload.js';
import { renderHeapSnapshotSummary, summarizeHeapSnapshot, type HeapSnapshot } from '../../bench/lifecycle/heap-snapshot.js';

test('/proc/<pid>/stat: utime + stime after a command name with spaces and parentheses', () => {
  const stat = '4242 (node (bench) x) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 11 0 123 456 789';
  assert.equal(parseProcStatCpuSeconds(stat, 100), 3);
  assert.throws(() => parseProcStatCpuSeconds('4242 (node) S 1', 100), /unexpected \/proc\/<pid>\/stat format/);
});

test('/proc/<pid>/status: VmRSS and VmHWM in bytes', () => {
  const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n';
  assert.equal(parseProcStatusBytes(status, 'VmRSS'), 100 * 1024 * 1024);
  assert.equal(parseProcStatusBytes(status, 'VmHWM'), 200 * 1024 * 1024);
  assert.throws(() => parseProcStatusBytes('Name:\tnode\n', 'VmRSS'), /no VmRSS line/);
});

test('this process: CPU and RSS from /proc agree with what node says', async () => {
  const usage = await readProcessUsage(process.pid);
  const cpu = process.cpuUsage();
  assert.ok(Math.abs(usage.cpuSeconds - (cpu.user + cpu.system) / 1e6) < 0.5);
  assert.ok(usage.rssBytes > 0 && usage.peakRssBytes >= usage.rssBytes);
});

test('requests are named by verb and resource, without namespace and name', () => {
  assert.equal(describeRequest('PATCH', '/apis/cert-manager.io/v1/namespaces/bench/certificates/cert-1/status?fieldManager=x'), 'PATCH certificates/status');
  assert.equal(describeRequest('POST', '/api/v1/namespaces/bench/events'), 'POST events');
  assert.equal(describeRequest('GET', '/api/v1/secrets?labelSelector=a%3Db&watch=1'), 'WATCH secrets');
  assert.equal(describeRequest('GET', '/apis/cert-manager.io/v1/clusterissuers/ca'), 'GET clusterissuers');
  assert.equal(describeRequest('GET', '/api/v1/namespaces/bench'), 'GET namespaces');
  assert.equal(describeRequest('GET', '/version'), 'GET version');
  assert.deepEqual(['GET', 'POST', 'put', 'PATCH', 'DELETE'].map(isWrite), [false, true, true, true, true]);
});

test('the counting proxy counts each request and passes bodies and streams through', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'counting-proxy-'));
  const material = await loadOrCreateServingMaterial(dataDir);
  await writeFile(join(dataDir, 'token'), 'secret-token\n');
  const upstream = createServer({ key: material.privateKey, cert: material.certificate }, (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-seen-auth': req.headers.authorization ?? '' });
      res.write(`{"method":"${req.method}",`);
      setTimeout(() => res.end(`"body":${JSON.stringify(body)}}`), 20);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const proxy = await startCountingProxy(`https://127.0.0.1:${(upstream.address() as AddressInfo).port}`, dataDir);
  const call = (method: string, path: string, body?: string) =>
    new Promise<{ status: number; auth: string; text: string }>((resolve, reject) => {
      const req = request(`${proxy.url}${path}`, { method, ca: material.caCertificate, headers: { authorization: 'Bearer t' } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, auth: String(res.headers['x-seen-auth']), text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  try {
    const created = await call('POST', '/api/v1/namespaces/a/secrets', '{"kind":"Secret"}');
    assert.deepEqual(created, { status: 201, auth: 'Bearer t', text: '{"method":"POST","body":"{\\"kind\\":\\"Secret\\"}"}' });
    await call('GET', '/api/v1/namespaces/a/secrets/x');
    await call('GET', '/api/v1/secrets?watch=true');
    await call('PATCH', '/api/v1/namespaces/a/secrets/x', '{}');
    assert.deepEqual(proxy.counts(), { reads: 2, writes: 2, byRequest: { 'POST secrets': 1, 'GET secrets': 1, 'WATCH secrets': 1, 'PATCH secrets': 1 } });
    proxy.resetCounts();
    assert.deepEqual(proxy.counts(), { reads: 0, writes: 0, byRequest: {} });
    const kubeconfig = await readFile(proxy.kubeconfigPath, 'utf8');
    assert.match(kubeconfig, new RegExp(`server: ${proxy.url}`));
    assert.match(kubeconfig, /token: secret-token\n/);
  } finally {
    await proxy.close();
    upstream.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('CPU profile summary: self time per function and per file, heaviest first', () => {
  const frame = (functionName: string, url: string, lineNumber: number) => ({ functionName, url, lineNumber });
  const profile: CpuProfile = {
    startTime: 5_000_000,
    nodes: [
      { id: 1, callFrame: frame('(root)', '', -1) },
      { id: 2, callFrame: frame('reconcile', 'file:///w/dist-bench/controller/certificates/reconciler.js', 9) },
      { id: 3, callFrame: frame('sign', 'file:///w/dist/pki/signing.js', 99) },
      { id: 4, callFrame: frame('', 'file:///w/node_modules/yaml/dist/index.js', 0) },
    ],
    samples: [2, 3, 3, 4, 1],
    timeDeltas: [1000, 3000, 3000, 2000, 1000],
  };
  const summary = summarizeCpuProfile(profile, 2);
  assert.equal(summary.unit, 'ms');
  assert.equal(summary.total, 10);
  assert.deepEqual(summary.topFunctions, [
    { what: 'sign (pki/signing.js:100)', amount: 6, percent: 60 },
    { what: '(anonymous) (node_modules/yaml/dist/index.js:1)', amount: 2, percent: 20 },
  ]);
  assert.deepEqual(summary.topFiles.map((c) => c.what), ['pki/signing.js', 'node_modules/yaml/dist/index.js']);
  // Samples are stamped at startTime + the running sum of deltas: 5.001, 5.004, 5.007, 5.009, 5.010 s.
  const phase = summarizeCpuProfile(profile, 5, { fromUs: 5_004_000, toUs: 5_009_000 });
  assert.equal(phase.total, 6);
  assert.deepEqual(phase.topFunctions.map((c) => c.what), ['sign (pki/signing.js:100)']);
});

test("another process's CPU profile is stamped on the clock monotonicMicroseconds reads", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'profile-clock-'));
  try {
    const before = monotonicMicroseconds();
    await promisify(execFile)(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', 'p.cpuprofile', '-e', 'let x = 0; for (let i = 0; i < 1e6; i++) x += i;']);
    const after = monotonicMicroseconds();
    const profile = JSON.parse(await readFile(join(dir, 'p.cpuprofile'), 'utf8')) as CpuProfile;
    assert.ok(profile.startTime >= before && profile.startTime <= after, `${before} ≤ ${profile.startTime} ≤ ${after}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('heap profile summary: live bytes per allocating function and file, over the whole tree', () => {
  const MiB = 1024 * 1024;
  const node = (functionName: string, url: string, selfSize: number, children: HeapProfileNode[] = []): HeapProfileNode => ({
    callFrame: { functionName, url, lineNumber: 0 },
    selfSize,
    children,
  });
  const summary = summarizeHeapProfile({
    head: node('(root)', '', 0, [
      node('onAdd', 'file:///w/dist/controller/runtime/store.js', 3 * MiB, [node('parse', 'file:///w/dist/pki/certificates.js', 6 * MiB)]),
      node('parse', 'file:///w/dist/pki/certificates.js', 1 * MiB),
    ]),
  });
  assert.equal(summary.unit, 'MiB');
  assert.equal(summary.total, 10);
  assert.deepEqual(summary.topFunctions[0], { what: 'parse (pki/certificates.js:1)', amount: 7, percent: 70 });
  assert.deepEqual(summary.topFiles.map((c) => [c.what, c.amount]), [['pki/certificates.js', 7], ['controller/runtime/store.js', 3]]);
});

test('options: defaults, smoke defaults, and specific errors', () => {
  const defaults = parseBenchOptions([], '/r');
  assert.equal(defaults.count, 1000);
  assert.equal(defaults.steadySeconds, 60);
  assert.equal(defaults.output, '/r/lifecycle.json');
  const smoke = parseBenchOptions(['--smoke', '--controller-arg=--workers=10', '--controller-arg=--kube-api-qps=5000'], '/r');
  assert.equal(smoke.count, 20);
  assert.equal(smoke.output, '/r/lifecycle-smoke.json');
  assert.deepEqual(smoke.controllerArgs, ['--workers=10', '--kube-api-qps=5000']);
  assert.equal(defaults.countP1Requests, false);
  const tenThousand = parseBenchOptions(['--count', '10000', '--output', 'x.json', '--count-p1-requests'], '/r');
  assert.deepEqual([tenThousand.count, tenThousand.output, tenThousand.countP1Requests], [10000, 'x.json', true]);
  assert.throws(() => parseBenchOptions(['--count', '0'], '/r'), (e: Error) => e instanceof BenchUsageError && /--count must be a positive integer, got "0"/.test(e.message));
  assert.throws(() => parseBenchOptions(['--counts', '1'], '/r'), BenchUsageError);
});

test('options: key algorithm and size, skipped phases', () => {
  const defaults = parseBenchOptions([], '/r');
  assert.deepEqual([defaults.key, defaults.skipSteady, defaults.skipRestart], [{ algorithm: 'ECDSA', size: 256 }, false, false]);
  assert.deepEqual(parseBenchOptions(['--key-algorithm', 'RSA'], '/r').key, { algorithm: 'RSA', size: 2048 });
  assert.deepEqual(parseBenchOptions(['--key-algorithm=ECDSA', '--key-size=384'], '/r').key, { algorithm: 'ECDSA', size: 384 });
  const skipped = parseBenchOptions(['--skip-steady', '--skip-restart'], '/r');
  assert.deepEqual([skipped.skipSteady, skipped.skipRestart], [true, true]);
  assert.deepEqual([defaults.idleSeconds, parseBenchOptions(['--idle-seconds', '45'], '/r').idleSeconds], [0, 45], 'P3 after idle: off unless asked');
  const usageError = (args: string[], message: RegExp) => assert.throws(() => parseBenchOptions(args, '/r'), (e: Error) => e instanceof BenchUsageError && message.test(e.message));
  usageError(['--key-algorithm', 'Ed25519'], /--key-algorithm must be ECDSA or RSA, got "Ed25519"/);
  usageError(['--key-algorithm', 'RSA', '--key-size', '256'], /--key-size for RSA must be one of 2048, 3072, 4096, got 256/);
  usageError(['--key-size', '2048'], /--key-size for ECDSA must be one of 256, 384, 521/);
  usageError(['--idle-seconds', '0'], /--idle-seconds must be a positive integer/);
});

test('quantile: nearest rank', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(quantile(values, 0.5), 50);
  assert.equal(quantile(values, 0.99), 99);
  assert.equal(quantile(values, 1), 100);
  assert.equal(quantile([7], 0.99), 7);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test('goals: each one judged from the measured result', () => {
  const measured = {
    p1: { certificatesPerSecond: 200, overheadRatio: 3.5 },
    p3: { controllerRssBytes: 150 * 1024 * 1024 },
    p4: { restart: { timersArmedSeconds: 10.5, timersArmed: 11, certificates: 11, reissues: 0, notReady: 0 }, steady: { requests: { writes: 1 }, controllerCpuPercent: 0.2 } },
  } as unknown as Omit<LifecycleResult, 'goals'>;
  assert.deepEqual(
    judge(measured).map((g) => [g.what, g.met]),
    [
      ['throughput (10k Ready in ≤ 60 s)', true],
      ['controller CPU per cert ÷ crypto CPU per cert', false],
      ['controller RSS holding them, settled', true],
      ['API writes in steady state', false],
      ['controller CPU in steady state', true],
      ['restart → all renewal timers armed', false],
      ['reissues after restart', true],
    ],
  );
  const p4 = measured.p4!;
  const armed = (timersArmed: number) => {
    const restart = { ...p4.restart, timersArmedSeconds: 2, timersArmed };
    return judge({ ...measured, p4: { ...p4, restart } }).find((g) => g.what === 'restart → all renewal timers armed')?.met;
  };
  assert.equal(armed(11), true);
  assert.equal(armed(10), false, 'in time, but one Certificate without its timer');

  const judged = (p4Measured: typeof measured.p4) => judge({ ...measured, p4: p4Measured }).slice(3).map((g) => [g.value, g.met]);
  const { steady: _, ...withoutSteady } = p4;
  assert.deepEqual(
    judged(withoutSteady),
    [['not measured', false], ['not measured', false], ['10.5 s, 11/11 armed', false], ['0', true]],
    '--skip-steady: the steady goals are not measured, the restart ones are',
  );
  assert.deepEqual(judged(undefined).map(([value]) => value), ['not measured', 'not measured', 'not measured', 'not measured'], '--skip-restart');

  const settled = (p3: object, steadyRssMiB?: number) =>
    judge({ ...measured, p3: { ...measured.p3, ...p3 }, p4: { ...p4, steady: { ...p4.steady!, controllerRssBytes: steadyRssMiB === undefined ? undefined : steadyRssMiB * 1024 * 1024 } } } as typeof measured).find((g) => g.id === 'P3');
  assert.deepEqual(
    [settled({ controllerRssBytes: 240 * 1024 * 1024, idle: { rssBytes: 140 * 1024 * 1024 } }, 130)].map((g) => [g?.value, g?.met]),
    [['140 MiB', true]],
    'settled: the higher of RSS after the idle window and in steady state, not the burst',
  );
  assert.equal(settled({ idle: { rssBytes: 140 * 1024 * 1024 } }, 151)?.met, false, 'steady state after the restart counts too');
  assert.equal(settled({ controllerRssBytes: 151 * 1024 * 1024 })?.met, false, 'neither measured: RSS when P1 went quiet stands in');
});

test('forEachConcurrently: every item once, never more than the limit in flight', async () => {
  let inFlight = 0;
  let most = 0;
  const done: number[] = [];
  await forEachConcurrently([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    done.push(n);
    inFlight--;
  });
  assert.deepEqual(done.sort(), [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(most, 3);
});

test('heap snapshot summary: objects by constructor, strings by the property holding them', () => {
  // Nodes: [type, name, id, self_size, edge_count]; edges: [type, name_or_index, to_node (field offset)].
  const snapshot: HeapSnapshot = {
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
        node_types: [['hidden', 'object', 'string', 'closure']],
        edge_fields: ['type', 'name_or_index', 'to_node'],
        edge_types: [['element', 'property', 'weak']],
      },
    },
    strings: ['', 'Secret', 'tls.crt', 'PEM-A', 'PEM-B', 'ca.crt', 'reconcile'],
    nodes: [
      0, 0, 1, 0, 2, // root → two Secrets
      1, 1, 3, 100, 2, // Secret 1: tls.crt, ca.crt
      1, 1, 5, 100, 1, // Secret 2: tls.crt
      2, 3, 7, 1000, 0, // a tls.crt text
      2, 4, 9, 1200, 0, // another
      2, 3, 11, 800, 0, // a ca.crt text
      3, 6, 13, 64, 0, // a closure nobody names
    ],
    edges: [
      0, 0, 5, 0, 1, 10, // root → Secrets (elements)
      1, 2, 15, 1, 5, 25, // Secret 1
      1, 2, 20, // Secret 2
    ],
  };
  const summary = summarizeHeapSnapshot(snapshot);
  assert.equal(summary.totalBytes, 3264);
  assert.equal(summary.nodes, 7);
  assert.deepEqual(
    summary.groups.map((g) => [g.what, g.count, g.bytes]),
    [
      ['(string) .tls.crt', 2, 2200],
      ['(string) .ca.crt', 1, 800],
      ['Secret', 2, 200],
      ['(closure) reconcile', 1, 64],
      ['(hidden)', 1, 0],
    ],
  );
  assert.match(renderHeapSnapshotSummary(summary), /\(string\) \.tls\.crt\s+2\s+0\.00\s+67\.4/);
});

/** The pure parts of `npm run bench` and of the P2, P5 and P6 benchmarks; the smoke test runs them for real. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { certbotCommand, certbotRfc2136Credentials, legoCommand, toolRun, type AcmeTarget } from '../../bench/acme/peers.js';
import type { AcmeResult, SolverRuns } from '../../bench/acme/main.js';
import { UsageError } from '../../bench/harness/cli.js';
import type { ApiServerBenchResult } from '../../bench/apiserver/main.js';
import type { LifecycleResult } from '../../bench/lifecycle/report.js';
import { lagsBetween, minimumLeadSeconds, renewalOffsetSeconds, renewBeforeFor, summarizeLags } from '../../bench/punctuality/schedule.js';
import { pooledKeygen } from '../../bench/rsa/keygen.js';
import { acmeMetrics, apiServerMetrics, countLabel, lifecycleMetrics } from '../../bench/suite/metrics.js';
import { parseSuiteOptions } from '../../bench/suite/options.js';
import { selectSteps } from '../../bench/suite/steps.js';
import { failedLine, medianOf, renderSummary, summarize } from '../../bench/suite/summary.js';

const MiB = 1024 * 1024;

test('suite options: modes, --only goal ids, --runs, and specific errors', () => {
  const full = parseSuiteOptions([]);
  assert.equal(full.mode, 'full');
  assert.equal(full.runs, 1);
  assert.match(full.outputDir, /bench\/results$/);
  assert.equal(parseSuiteOptions(['--quick']).mode, 'quick');
  assert.equal(parseSuiteOptions(['--smoke']).mode, 'smoke');
  const some = parseSuiteOptions(['--only', 'p2, P6', '--runs', '3', '--output-dir', '/tmp/x']);
  assert.deepEqual([some.only, some.runs, some.outputDir], [['P2', 'P6'], 3, '/tmp/x']);
  assert.throws(() => parseSuiteOptions(['--only', 'P8']), (e: Error) => e instanceof UsageError && /--only takes goal ids P1, P2/.test(e.message));
  assert.throws(() => parseSuiteOptions(['--quick', '--smoke']), /exclude each other/);
  assert.throws(() => parseSuiteOptions(['--runs', '0']), /--runs must be a positive integer/);
  assert.throws(() => parseSuiteOptions(['--count', '5']), UsageError);
});

test('steps: each mode runs what answers P1..P7, 50k and 10k only in full; --only picks by goal', () => {
  const names = (mode: 'smoke' | 'quick' | 'full', only?: Parameters<typeof selectSteps>[1]) => selectSteps(mode, only).map((s) => s.name);
  assert.deepEqual(names('full'), ['lifecycle-1k', 'lifecycle-10k', 'rsa', 'lifecycle-50k', 'acme', 'punctuality', 'apiserver']);
  assert.deepEqual(names('quick'), ['lifecycle-1k', 'rsa', 'acme', 'punctuality', 'apiserver']);
  assert.deepEqual(names('smoke'), names('quick'));
  assert.deepEqual(names('full', ['P2', 'P6']), ['rsa', 'punctuality']);
  assert.deepEqual(names('full', ['P3']), ['lifecycle-1k', 'lifecycle-10k', 'lifecycle-50k']);
  const fiftyK = selectSteps('full', ['P3']).find((s) => s.name === 'lifecycle-50k')!;
  assert.ok(fiftyK.args.full!.includes('--skip-restart'), '50k measures memory, not P4');
  const tenK = selectSteps('full', ['P4']).find((s) => s.name === 'lifecycle-10k')!;
  const steady = tenK.args.full!;
  assert.equal(steady[steady.indexOf('--steady-seconds') + 1], '600', 'P4 is stated over 10 minutes of steady state');
});

test('median: nearest rank, a value some run measured', () => {
  assert.equal(medianOf([3, 1, 2]), 2);
  assert.equal(medianOf([4, 1, 3, 2]), 2);
  assert.equal(medianOf([7]), 7);
  assert.ok(Number.isNaN(medianOf([])));
});

const lifecycle = (certificates: number, certsPerSecond: number, rssMiB: number, writes: number) =>
  ({
    p1: { certificates, certificatesPerSecond: certsPerSecond, overheadRatio: 2.5 },
    p3: { controllerRssBytes: rssMiB * MiB, heapUsedBytes: 50 * MiB },
    p4: { restart: { timersArmedSeconds: 2, timersArmed: certificates + 1, certificates: certificates + 1, reissues: 0, notReady: 0 }, steady: { seconds: 60, requests: { writes }, controllerCpuPercent: 0.1 } },
  }) as unknown as LifecycleResult;

test('summary: the median of several runs is judged by the goal; figures at another scale are not judged', () => {
  const runs = [lifecycle(10_000, 150, 140, 0), lifecycle(10_000, 180, 160, 0), lifecycle(10_000, 170, 155, 2)].map((r) => lifecycleMetrics(r, true));
  const lines = summarize('lifecycle-10k', runs);
  const line = (what: string) => lines.find((l) => l.what.startsWith(what))!;
  assert.deepEqual(line('throughput').values, [150, 180, 170]);
  assert.equal(line('throughput').median, 170);
  assert.equal(line('throughput').met, true, '170 certs/s ≥ 166.7');
  assert.equal(line('controller RSS').median, 155);
  assert.equal(line('controller RSS').met, false);
  assert.equal(line('API writes in steady state').median, 0);
  assert.equal(line('API writes in steady state').met, true);
  assert.equal(line('controller V8 heap').met, null, 'a figure, not a goal');
  assert.ok(lines.every((l) => l.what.includes('10k')), 'the scale is part of every label');
  const unjudged = summarize('lifecycle-1k', [lifecycleMetrics(lifecycle(1000, 500, 100, 0), false)]);
  assert.ok(unjudged.every((l) => l.met === null), 'goals stated at 10k are not judged at 1k in full mode');
  const rendered = renderSummary([...lines, failedLine('rsa', 'P2', 'exit code 1')]);
  assert.match(rendered, /P1 +throughput, 10k Certificates +≥ 166\.7 certs\/s \(10k in ≤ 60 s\) +170 certs\/s \(runs: 150, 180, 170\) +met/);
  assert.match(rendered, /P2 +rsa did not finish .* exit code 1 +MISSED/);
  assert.deepEqual([countLabel(20), countLabel(1000), countLabel(50_000), countLabel(1500)], ['20', '1k', '50k', '1500']);
});

test('labels do not vary from run to run: what differs goes into the note', () => {
  const apiserver = (slowest: string, writesPerSecond: number, objects: number) =>
    ({
      options: { objects: 10_000 },
      writes: { [slowest]: { writesPerSecond }, other: { writesPerSecond: 9000 } },
      liveWatch: { watchers: 10, deliveredPerSecond: 60_000 },
      memory: { afterWrites: { objects, rssOverheadPerObject: 900 }, afterRestart: { objects, rssOverheadPerObject: 1000 } },
    }) as unknown as ApiServerBenchResult;
  const lines = summarize('apiserver', [apiServerMetrics(apiserver('create-secret', 4000, 10_003)), apiServerMetrics(apiserver('update-secret', 6000, 10_950))]);
  assert.equal(lines.length, 3);
  assert.deepEqual([lines[0]!.values, lines[0]!.note], [[4000, 6000], 'slowest: create-secret; slowest: update-secret']);
  assert.deepEqual(lines[2]!.values, [1000, 1000]);
  const steady = (seconds: number) => {
    const r = lifecycle(1000, 100, 100, 0);
    return lifecycleMetrics({ ...r, p4: { ...r.p4!, steady: { ...r.p4!.steady!, seconds } } }, true);
  };
  assert.equal(summarize('lifecycle-1k', [steady(20.013), steady(20.016)]).filter((l) => l.what.startsWith('API writes')).length, 1);
});

test('P5 metrics: a missing lego leaves its goals unjudged, never failed', () => {
  const counts = (n: number) => ({ reads: n, writes: n, byRequest: {} });
  const certwright = { ...toolRun({ tool: 'certwright', solver: 'http01', status: 'ok', certificates: 10, issued: 10, command: '', wallMs: 4000, requests: counts(100) }), cpuSeconds: 1 };
  const lego = toolRun({ tool: 'lego', solver: 'http01', status: 'ok', certificates: 10, issued: 10, command: '', wallMs: 30_000, requests: counts(50) });
  assert.deepEqual([certwright.secondsPerCertificate, certwright.requestsPerCertificate, lego.requestsPerCertificate], [0.4, 20, 10]);
  const runs = (peers: SolverRuns['peers'], speedup: SolverRuns['speedup']): AcmeResult => ({ count: 10, solvers: { http01: { certwright, peers, speedup } } }) as unknown as AcmeResult;
  const [wall, requests] = summarize('acme', [acmeMetrics(runs({ lego }, { lego: 7.5 }))]);
  assert.deepEqual([wall!.median, wall!.met, requests!.median, requests!.met], [7.5, true, 2, false]);
  const missing = toolRun({ tool: 'lego', solver: 'http01', status: 'missing', certificates: 10, issued: 0, command: '', wallMs: 0, requests: counts(0), detail: '/usr/bin/lego is not installed' });
  const [wallMissing, requestsMissing] = summarize('acme', [acmeMetrics(runs({ lego: missing }, {}))]);
  assert.deepEqual([wallMissing!.met, requestsMissing!.met, wallMissing!.note], [null, null, 'lego missing']);
  const skipped = summarize('acme', [acmeMetrics({ skipped: 'pebble is not installed' } as AcmeResult)]);
  assert.deepEqual([skipped[0]!.met, skipped[0]!.note], [null, 'skipped: pebble is not installed']);
});

test('P6 schedule: renewals spread over the window after the lead; second renewals after the last first one', () => {
  const schedule = { count: 1000, spreadSeconds: 120, leadSeconds: 130 };
  assert.equal(renewalOffsetSeconds(0, schedule), 130);
  assert.equal(renewalOffsetSeconds(999, schedule), 249);
  assert.equal(renewBeforeFor(0, schedule), '3470s');
  assert.equal(renewBeforeFor(500, schedule), '3410s');
  // Certificate 0 renews again lead + 0 after its first renewal; the last first renewal is at lead + spread.
  assert.ok(2 * schedule.leadSeconds > schedule.leadSeconds + schedule.spreadSeconds);
  assert.equal(minimumLeadSeconds(120), 123);
  assert.throws(() => renewBeforeFor(0, { count: 1, spreadSeconds: 1, leadSeconds: 3400 }), /below cert-manager's 5 min minimum/);
});

test('P6 lags: between matching keys only, nearest-rank quantiles', () => {
  const renewal = new Map([['a', 1000], ['b', 2000], ['c', 3000]]);
  const request = new Map([['a', 1010], ['b', 2500], ['x', 9]]);
  assert.deepEqual(lagsBetween(renewal, request), [10, 500]);
  const lags = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.deepEqual(summarizeLags(lags), { count: 100, minMs: 1, p50Ms: 50, p90Ms: 90, p99Ms: 99, maxMs: 100, meanMs: 51 });
});

test('P2 keygen: before and after pooled as all keys over all time', () => {
  const pooled = pooledKeygen([
    { keys: 10, concurrency: 2, seconds: 1, keysPerSecond: 10, cpuMsPerKey: 100 },
    { keys: 30, concurrency: 2, seconds: 3, keysPerSecond: 10, cpuMsPerKey: 200 },
  ]);
  assert.deepEqual(pooled, { keys: 40, concurrency: 2, seconds: 4, keysPerSecond: 10, cpuMsPerKey: 175 });
});

test('P5 peers: lego and certbot command lines per solver, TSIG secrets only in the environment and a 0600 file', () => {
  const target: AcmeTarget = {
    directoryUrl: 'https://127.0.0.1:1234/dir',
    caFile: '/ca.pem',
    httpPort: 5002,
    dns: { address: '127.0.0.1', port: 8053, nameserver: '127.0.0.1:8053', key: { name: 'k', algorithm: 'HMACSHA256', secret: 'c2VjcmV0' } },
  };
  const legoHttp = legoCommand('a.acme.test', 'http01', target, '/d');
  assert.deepEqual(legoHttp.args.slice(-4), ['--http', '--http.port', '127.0.0.1:5002', 'run']);
  assert.deepEqual(legoHttp.env, { LEGO_CA_CERTIFICATES: '/ca.pem' });
  const legoDns = legoCommand('a.acme.test', 'dns01', target, '/d');
  assert.ok(legoDns.args.includes('--dns.disable-cp') && legoDns.args.includes('rfc2136'));
  assert.equal(legoDns.env.RFC2136_TSIG_ALGORITHM, 'hmac-sha256.');
  assert.equal(legoDns.env.RFC2136_TSIG_SECRET, 'c2VjcmV0');
  const certbotHttp = certbotCommand('a.acme.test', 'http01', target, '/d');
  assert.ok(certbotHttp.args.includes('--standalone') && certbotHttp.args.includes('5002'));
  assert.deepEqual(certbotHttp.env, { REQUESTS_CA_BUNDLE: '/ca.pem' });
  const certbotDns = certbotCommand('a.acme.test', 'dns01', target, '/d');
  assert.deepEqual(certbotDns.args.slice(-5), ['--dns-rfc2136', '--dns-rfc2136-credentials', '/d/rfc2136.ini', '--dns-rfc2136-propagation-seconds', '0']);
  assert.ok(!certbotDns.args.join(' ').includes('c2VjcmV0'), 'the secret stays in the credentials file');
  assert.match(certbotRfc2136Credentials(target), /^dns_rfc2136_server = 127\.0\.0\.1\ndns_rfc2136_port = 8053\ndns_rfc2136_name = k\ndns_rfc2136_secret = c2VjcmV0\ndns_rfc2136_algorithm = HMAC-SHA256\n$/);
});

test('benchmark commands: bad flags exit 2 with a specific message', async () => {
  const run = (script: string, args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [fileURLToPath(new URL(`../../bench/${script}`, import.meta.url)), ...args], (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }));
    });
  const cases: Array<[string, string[], RegExp]> = [
    ['main.js', ['--only', 'P9'], /--only takes goal ids/],
    ['rsa/main.js', ['--count', '1.5'], /--count must be a positive integer, got "1.5"/],
    ['punctuality/main.js', ['--spread-seconds', '120', '--lead-seconds', '60'], /--lead-seconds must be at least the spread \+ 3 s \(123\)/],
    ['acme/main.js', ['--solvers', 'tls-alpn01'], /--solvers: unknown tls-alpn01/],
  ];
  const results = await Promise.all(cases.map(([script, args]) => run(script, args)));
  results.forEach(({ code, stderr }, i) => {
    assert.equal(code, 2, `${cases[i]![0]}: ${stderr}`);
    assert.match(stderr, cases[i]![2]);
    assert.match(stderr, /Usage: npm run bench/);
  });
});

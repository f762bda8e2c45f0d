import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterKubeConfig, parseRunFlags, UsageError } from '../../cli/run.js';

test('defaults: local data dir, every controller, 1h/32h backoff, 10% jitter, info logs', () => {
  const flags = parseRunFlags([]);
  assert.equal(flags.dataDir, '.data');
  assert.deepEqual(flags.controllers, ['*']);
  assert.deepEqual(flags.issuanceBackoff, { minMs: 3_600_000, maxMs: 32 * 3_600_000 });
  assert.equal(flags.renewalJitter, 0.1);
  assert.equal(flags.logLevel, 'info');
  assert.equal(flags.metricsAddress, undefined, 'the mode decides the default');
  assert.equal(flags.enableCertificateOwnerRef, false);
  assert.deepEqual(flags.copiedAnnotationPrefixes, ['*', '-kubectl.kubernetes.io/', '-fluxcd.io/', '-argocd.argoproj.io/']);
});

test('--copied-annotation-prefixes takes a comma list; empty copies nothing', () => {
  assert.deepEqual(parseRunFlags(['--copied-annotation-prefixes=example.com/,-example.com/internal']).copiedAnnotationPrefixes, ['example.com/', '-example.com/internal']);
  assert.deepEqual(parseRunFlags(['--copied-annotation-prefixes=']).copiedAnnotationPrefixes, []);
});

test("cert-manager's flag names and Go-style booleans are accepted", () => {
  const flags = parseRunFlags([
    '--metrics-listen-address=127.0.0.1:19402',
    '--internal-healthz-listen-address',
    ':19403',
    '--concurrent-workers=3',
    '--enable-certificate-owner-ref=true',
    '--certificate-request-minimum-backoff-duration=10m',
    '--certificate-request-maximum-backoff-duration',
    '2h30m',
    '--controllers=*,-certificaterequests-approver',
  ]);
  assert.equal(flags.metricsAddress, '127.0.0.1:19402');
  assert.equal(flags.healthAddress, ':19403');
  assert.equal(flags.workers, 3);
  assert.equal(flags.enableCertificateOwnerRef, true);
  assert.deepEqual(flags.issuanceBackoff, { minMs: 600_000, maxMs: 9_000_000 });
  assert.deepEqual(flags.controllers, ['*', '-certificaterequests-approver']);
  assert.equal(parseRunFlags(['--enable-certificate-owner-ref=false']).enableCertificateOwnerRef, false);
  assert.equal(parseRunFlags(['--metrics-address=']).metricsAddress, '', "'' turns the listener off");
});

test('--max-concurrent-issuances bounds the Certificates in issuance at once (default 500)', () => {
  assert.equal(parseRunFlags([]).maxConcurrentIssuances, 500);
  assert.equal(parseRunFlags(['--max-concurrent-issuances=50']).maxConcurrentIssuances, 50);
  assert.throws(() => parseRunFlags(['--max-concurrent-issuances', '0']), /--max-concurrent-issuances must be a positive integer, got "0"/);
});

test('bad values get specific errors', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--workers', '0'], /--workers must be a positive integer, got "0"/],
    [['--kube-api-qps', 'fast'], /--kube-api-qps must be a positive number/],
    [['--renewal-jitter', '1'], /--renewal-jitter must be a fraction in \[0, 1\)/],
    [['--certificate-request-minimum-backoff-duration', '1 hour'], /must be a positive Go duration/],
    [['--certificate-request-minimum-backoff-duration', '2h', '--certificate-request-maximum-backoff-duration', '1h'], /must not be shorter than the minimum/],
    [['--log-level', 'loud'], /unknown log level "loud"/],
    [['--controllers', 'certificates,frobnicator'], /unknown controller\(s\) in --controllers: frobnicator/],
    [['--nope'], /Unknown option '--nope'/],
  ];
  for (const [args, message] of cases) assert.throws(() => parseRunFlags(args), (err: unknown) => err instanceof UsageError && message.test(err.message), args.join(' '));
});

test('--local always means local mode; otherwise a kubeconfig, then in-cluster config, else local', async () => {
  assert.equal(await clusterKubeConfig({ local: true, kubeconfig: '/nonexistent' }), undefined);
  const home = process.env.HOME;
  process.env.HOME = '/nonexistent-home';
  try {
    assert.equal(await clusterKubeConfig({ local: false }, {}), undefined, 'nothing configured: local mode');
  } finally {
    process.env.HOME = home;
  }
});

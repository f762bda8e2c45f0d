import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { startMetricsServer } from '../../../controller/observability/http.js';
import { createControllerMetrics, type CertificateForMetrics } from '../../../controller/observability/metrics.js';
import {
  checkMetrics,
  knownCompatibleLintNames,
  promtoolSkip,
  runPromtool,
  scrapesToInputSeries,
} from '../../../controller/observability/promtool.js';

const skip = promtoolSkip();

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the test file');
    dir = parent;
  }
  return dir;
}
const rulesDir = join(repoRoot(), 'deploy', 'prometheus');

/** A controller's metrics with objects in every state, so every family has series. */
function populatedMetrics(certificates: () => CertificateForMetrics[]) {
  const metrics = createControllerMetrics({
    certificates,
    issuers: () => [{ metadata: { name: 'local', namespace: 'apps' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }],
    clusterIssuers: () => [{ metadata: { name: 'root' } }],
    challenges: () => [
      { metadata: { name: 'web-1-1-1', namespace: 'apps' }, spec: { dnsName: 'www.example.com', type: 'HTTP-01' }, status: { state: 'pending' } },
    ],
  });
  metrics.syncCall('certificates');
  metrics.syncError('certificates');
  metrics.observeAcmeRequest({ url: 'https://acme.test/dir', method: 'GET', action: 'discover', status: 200, durationSeconds: 0.1 });
  metrics.observeAcmeRequest({ url: 'https://acme.test/new-order', method: 'POST', action: 'authorize_order', durationSeconds: 2 });
  return metrics;
}

const certificates: CertificateForMetrics[] = [
  {
    metadata: { name: 'web', namespace: 'apps' },
    spec: { issuerRef: { name: 'ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      notBefore: '2026-01-01T00:00:00Z',
      notAfter: '2026-04-01T00:00:00Z',
      renewalTime: '2026-03-02T00:00:00Z',
    },
  },
  { metadata: { name: 'fresh', namespace: 'apps' }, spec: { issuerRef: { name: 'ca' } } },
];

test('promtool check metrics parses /metrics fetched over HTTP; lint only on known compatible names', { skip }, async () => {
  const metrics = populatedMetrics(() => certificates);
  const server = await startMetricsServer({ registry: metrics.registry, address: '127.0.0.1:0' });
  let exposition: string;
  try {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 200);
    exposition = await res.text();
  } finally {
    await server.close();
  }
  assert.match(exposition, /^certmanager_certificate_challenge_status\{/m);

  const check = await checkMetrics(exposition);
  assert.ok(check.parsed, `promtool could not parse /metrics:\n${check.output}`);
  const unexpected = check.lint.filter((l) => !knownCompatibleLintNames.has(l.metric));
  assert.deepEqual(unexpected, [], `lint beyond the known compatible names:\n${check.output}`);
  // The linter really ran over our names (cert-manager's counter has no _total suffix).
  assert.ok(check.lint.some((l) => l.metric === 'certmanager_http_acme_client_request_count'), check.output);
});

test('promtool check metrics reports a malformed exposition as unparsed', { skip }, async () => {
  const check = await checkMetrics('# TYPE broken gauge\nbroken{label="unterminated} 1\n');
  assert.equal(check.parsed, false);
  assert.equal(check.code, 1);
});

test('the alert rules are valid and their promtool unit tests pass', { skip }, async () => {
  const rules = await runPromtool(['check', 'rules', 'certwright-alerts.yaml'], { cwd: rulesDir });
  assert.equal(rules.code, 0, rules.stdout + rules.stderr);
  assert.match(rules.stdout, /SUCCESS: 5 rules found/);
  const unit = await runPromtool(['test', 'rules', 'certwright-alerts.test.yaml'], { cwd: rulesDir });
  assert.equal(unit.code, 0, unit.stdout + unit.stderr);
});

test('scraped expositions become promtool input series the alert rules fire and resolve on', { skip }, async () => {
  let current: CertificateForMetrics[] = [
    { metadata: { name: 'web', namespace: 'apps' }, spec: { issuerRef: { name: 'ca', kind: 'Issuer' } }, status: { conditions: [{ type: 'Ready', status: 'False' }] } },
  ];
  const metrics = populatedMetrics(() => current);
  const scrapes: string[] = [];
  for (let minute = 0; minute < 30; minute++) {
    if (minute === 15) {
      current = [{ ...current[0]!, status: { conditions: [{ type: 'Ready', status: 'True' }] } }];
    }
    scrapes.push(await metrics.registry.metrics());
  }
  const inputSeries = scrapesToInputSeries(scrapes, {
    extraLabels: { job: 'certwright', instance: '127.0.0.1:9402' },
    include: (s) => s.name.startsWith('certmanager_'),
  });
  assert.ok(inputSeries.some((s) => s.series.startsWith('certmanager_certificate_ready_status{condition="False",name="web",')));

  const dir = mkdtempSync(join(tmpdir(), 'certwright-promtool-'));
  try {
    const notReady = {
      severity: 'critical',
      namespace: 'apps',
      name: 'web',
      condition: 'False',
    };
    const annotations = {
      summary: 'Certificate apps/web has been Ready=False for 10 minutes.',
      description: 'The certificate is not ready to serve traffic; `kubectl describe certificate` shows the reason and the events.',
    };
    writeFileSync(
      join(dir, 'scraped.test.yaml'),
      stringify({
        rule_files: [join(rulesDir, 'certwright-alerts.yaml')],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: inputSeries,
            alert_rule_test: [
              { eval_time: '5m', alertname: 'CertManagerCertNotReady', exp_alerts: [] },
              { eval_time: '12m', alertname: 'CertManagerCertNotReady', exp_alerts: [{ exp_labels: notReady, exp_annotations: annotations }] },
              { eval_time: '20m', alertname: 'CertManagerCertNotReady', exp_alerts: [] },
            ],
          },
        ],
      }),
    );
    const result = await runPromtool(['test', 'rules', 'scraped.test.yaml'], { cwd: dir });
    assert.equal(result.code, 0, result.stdout + result.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

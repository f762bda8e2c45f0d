/**
 * The metrics of a real run, checked by Prometheus' own tool: `promtool check metrics` parses
 * /metrics, and `promtool test rules` shows that the expiry-soon and not-ready alerts fire and
 * resolve on series scraped from a run that goes through both situations.
 *
 * The run uses a manual clock, so weeks pass in seconds; /metrics is scraped every 5 minutes of
 * that clock. promtool's time starts at 0, so the scrapes' timestamp values are shifted by the
 * time of the first scrape: promtool's `time()` then means the same instant as the run's clock.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ISSUERS } from '../../controller/runtime/resources.js';
import { parseExposition } from '../../controller/observability/exposition.js';
import { checkMetrics, knownCompatibleLintNames, promtoolSkip, runPromtool, scrapesToInputSeries } from '../../controller/observability/promtool.js';
import {
  cached,
  condition,
  createCertificate,
  DAY_MS,
  ensureSelfSignedClusterIssuer,
  eventually,
  moveClockTo,
  ready,
  settled,
  startWorld,
  tempDataDir,
  type World,
} from '../../test/controller/certificates/reconciler-harness.js';

const skip = promtoolSkip();
const MINUTE_MS = 60_000;
const STEP_MS = 5 * MINUTE_MS;

const dataDir = tempDataDir('certwright-lifecycle-');
let world: World;

before(async () => {
  world = await startWorld({ dataDir: dataDir.path, namespace: 'apps', manager: { metricsAddress: '127.0.0.1:0', renewalJitter: 0 } });
  await ensureSelfSignedClusterIssuer(world);
});

after(async () => {
  await world?.stopManager();
  await world?.cluster.close();
  dataDir.remove();
});

async function scrape(): Promise<string> {
  const response = await fetch(`${world.manager.metricsUrl}/metrics`);
  assert.equal(response.status, 200);
  return response.text();
}

const TIMESTAMP_SERIES = /^(certmanager_certificate_(?:expiration|not_after|not_before|renewal)_timestamp_seconds\{[^}]*\}) (\S+)$/;

/** The exposition with certificate timestamps moved so that `originSeconds` becomes 0 (unset 0s stay 0). */
function shiftTimestamps(exposition: string, originSeconds: number): string {
  return exposition
    .split('\n')
    .map((line) => {
      const m = TIMESTAMP_SERIES.exec(line);
      if (!m || Number(m[2]) === 0) return line;
      return `${m[1]} ${Number(m[2]) - originSeconds}`;
    })
    .join('\n');
}

test('promtool check metrics parses /metrics of a real run; lint only on the known compatible names', { skip }, async () => {
  await createCertificate(world, 'lint');
  await ready(world, 'lint', 1);
  const exposition = await scrape();
  assert.match(exposition, /^certmanager_certificate_ready_status\{condition="True",name="lint",namespace="apps"/m);
  const check = await checkMetrics(exposition);
  assert.ok(check.parsed, check.output);
  assert.deepEqual(
    check.lint.filter((l) => !knownCompatibleLintNames.has(l.metric)),
    [],
    check.output,
  );
});

test('expiry-soon and not-ready alerts fire and resolve on series scraped from a real run', { skip }, async () => {
  // 90 days, renewed 334h before expiry: 76 days and 2 hours after issuance, so there are two
  // hours in which fewer than 14 days are left before renewal happens.
  await createCertificate(world, 'web', { duration: '2160h', renewBefore: '334h' });
  const issued = await ready(world, 'web', 1);
  const notBefore = Date.parse(issued.status!.notBefore!);
  const origin = notBefore + 76 * DAY_MS - 30 * MINUTE_MS;
  moveClockTo(world, origin);
  await settled(world);
  // A Certificate whose Issuer does not exist yet: not ready until step 6 creates it.
  await createCertificate(world, 'pending', { issuerRef: { name: 'late' } });
  await eventually(() => condition(cached(world, 'pending'), 'Ready')?.status === 'False', 'pending Ready=False');

  const scrapes = [await scrape()];
  for (let step = 1; step <= 42; step++) {
    moveClockTo(world, origin + step * STEP_MS);
    if (step === 6) {
      await world.manager.client.create(ISSUERS, { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace: 'apps', name: 'late' }, spec: { selfSigned: {} } });
      await ready(world, 'pending', 1);
    }
    if (step === 30) await ready(world, 'web', 2);
    await settled(world, 50);
    scrapes.push(await scrape());
  }
  assert.equal(Date.parse(cached(world, 'web')!.status!.notBefore!), origin + 30 * STEP_MS, 'renewed at step 30');

  const originSeconds = origin / 1000;
  const inputSeries = scrapesToInputSeries(
    scrapes.map((s) => shiftTimestamps(s, originSeconds)),
    { include: (sample) => sample.name.startsWith('certmanager_certificate_') },
  );
  const labelsOf = (name: string, metric: string, extra: Record<string, string> = {}) => {
    const sample = parseExposition(scrapes.at(-1)!).find((s) => s.name === metric && s.labels.name === name && Object.entries(extra).every(([k, v]) => s.labels[k] === v));
    assert.ok(sample, `${metric} for ${name}`);
    // In Prometheus an empty label value is the same as no label.
    return Object.fromEntries(Object.entries(sample.labels).filter(([, v]) => v !== ''));
  };
  const expiring = (name: string) => ({ exp_labels: { severity: 'warning', ...labelsOf(name, 'certmanager_certificate_expiration_timestamp_seconds') } });
  const notReady = (name: string) => ({ exp_labels: { severity: 'critical', ...labelsOf(name, 'certmanager_certificate_ready_status', { condition: 'False' }) } });

  const rules = {
    groups: [
      {
        name: 'certwright-lifecycle',
        rules: [
          { alert: 'CertificateExpirySoon', expr: 'certmanager_certificate_expiration_timestamp_seconds - time() < 14*86400', for: '10m', labels: { severity: 'warning' } },
          { alert: 'CertificateNotReady', expr: 'certmanager_certificate_ready_status{condition="False"} == 1', for: '10m', labels: { severity: 'critical' } },
        ],
      },
    ],
  };
  const tests = {
    rule_files: ['rules.yaml'],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '5m',
        input_series: inputSeries,
        alert_rule_test: [
          // 20m: 'pending' has been Ready=False (and never issued: expiration 0) for 20 minutes.
          { eval_time: '20m', alertname: 'CertificateNotReady', exp_alerts: [notReady('pending')] },
          { eval_time: '20m', alertname: 'CertificateExpirySoon', exp_alerts: [expiring('pending')] },
          // 1h: 'pending' was issued at 30m; 'web' has had under 14 days left since 30m.
          { eval_time: '1h', alertname: 'CertificateNotReady', exp_alerts: [] },
          { eval_time: '1h', alertname: 'CertificateExpirySoon', exp_alerts: [expiring('web')] },
          { eval_time: '2h25m', alertname: 'CertificateExpirySoon', exp_alerts: [expiring('web')] },
          // 2h30m: 'web' renewed; the alert resolves.
          { eval_time: '2h45m', alertname: 'CertificateExpirySoon', exp_alerts: [] },
          { eval_time: '2h45m', alertname: 'CertificateNotReady', exp_alerts: [] },
        ],
      },
    ],
  };
  writeFileSync(join(dataDir.path, 'rules.yaml'), stringify(rules));
  writeFileSync(join(dataDir.path, 'rules.test.yaml'), stringify(tests));
  const result = await runPromtool(['test', 'rules', 'rules.test.yaml'], { cwd: dataDir.path });
  assert.equal(result.code, 0, result.stdout + result.stderr);

  // The same rules with the opposite expectations must fail: the test above can fail.
  tests.tests[0]!.alert_rule_test = [{ eval_time: '2h45m', alertname: 'CertificateExpirySoon', exp_alerts: [expiring('web')] }];
  writeFileSync(join(dataDir.path, 'rules.test.yaml'), stringify(tests));
  assert.notEqual((await runPromtool(['test', 'rules', 'rules.test.yaml'], { cwd: dataDir.path })).code, 0);
});

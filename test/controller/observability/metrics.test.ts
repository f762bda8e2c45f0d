import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createControllerMetrics,
  type CertificateForMetrics,
  type ChallengeForMetrics,
  type IssuerForMetrics,
  type MetricsSources,
} from '../../../controller/observability/metrics.js';
import { parseExposition, type ExpositionSample } from '../../../controller/observability/exposition.js';
import type { Certificate, Challenge, ClusterIssuer, Issuer } from '../../../api/types.js';
import { ApiError } from '../../../controller/runtime/api-error.js';
import { ManualClock } from '../../../controller/runtime/clock.js';
import { Controller } from '../../../controller/runtime/controller.js';
import { TimerQueue } from '../../../controller/runtime/timers.js';
import { WorkQueue } from '../../../controller/runtime/workqueue.js';

function certificate(
  name: string,
  issuerRef: CertificateForMetrics['spec']['issuerRef'],
  status?: CertificateForMetrics['status'],
): CertificateForMetrics {
  return { metadata: { name, namespace: 'apps' }, spec: { issuerRef }, status };
}

function sources(overrides: Partial<MetricsSources>): MetricsSources {
  return { certificates: () => [], issuers: () => [], challenges: () => [], ...overrides };
}

async function scrape(metrics: ReturnType<typeof createControllerMetrics>): Promise<ExpositionSample[]> {
  return parseExposition(await metrics.registry.metrics());
}

function series(samples: ExpositionSample[], name: string, match: Record<string, string> = {}): ExpositionSample[] {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

function valueOf(samples: ExpositionSample[], name: string, match: Record<string, string>): number {
  const found = series(samples, name, match);
  assert.equal(found.length, 1, `exactly one ${name} series matching ${JSON.stringify(match)}, found ${found.length}`);
  return found[0]!.value;
}

const caIssuer = { name: 'ca', kind: 'ClusterIssuer', group: 'cert-manager.io' };

test('ready_status has one series per condition with 1 on the current Ready status, Unknown without a condition', async () => {
  const certs = [
    certificate('ready', caIssuer, { conditions: [{ type: 'Issuing', status: 'False' }, { type: 'Ready', status: 'True' }] }),
    certificate('failing', caIssuer, { conditions: [{ type: 'Ready', status: 'False' }] }),
    certificate('unknown', caIssuer, { conditions: [{ type: 'Ready', status: 'Unknown' }] }),
    certificate('no-status', caIssuer),
    certificate('only-issuing', caIssuer, { conditions: [{ type: 'Issuing', status: 'True' }] }),
  ];
  const samples = await scrape(createControllerMetrics(sources({ certificates: () => certs })));
  const expected: Record<string, string> = {
    ready: 'True',
    failing: 'False',
    unknown: 'Unknown',
    'no-status': 'Unknown',
    'only-issuing': 'Unknown',
  };
  for (const [name, current] of Object.entries(expected)) {
    const perCert = series(samples, 'certmanager_certificate_ready_status', { name });
    assert.deepEqual(perCert.map((s) => s.labels.condition).sort(), ['False', 'True', 'Unknown'], name);
    for (const s of perCert) {
      assert.equal(s.value, s.labels.condition === current ? 1 : 0, `${name} condition=${s.labels.condition}`);
      assert.deepEqual(
        { ...s.labels, condition: undefined },
        { name, namespace: 'apps', condition: undefined, issuer_name: 'ca', issuer_kind: 'ClusterIssuer', issuer_group: 'cert-manager.io' },
      );
    }
  }
});

test('timestamp families report status times as Unix seconds, and 0 when unset', async () => {
  const issued = certificate('issued', caIssuer, {
    notBefore: '2025-01-01T00:00:00Z',
    notAfter: '2025-04-01T00:00:00Z',
    renewalTime: '2025-03-02T00:00:00.900Z',
  });
  const pending = certificate('pending', caIssuer, { conditions: [{ type: 'Ready', status: 'False' }] });
  const samples = await scrape(createControllerMetrics(sources({ certificates: () => [issued, pending] })));

  const notAfter = Date.UTC(2025, 3, 1) / 1000;
  assert.equal(valueOf(samples, 'certmanager_certificate_expiration_timestamp_seconds', { name: 'issued' }), notAfter);
  assert.equal(valueOf(samples, 'certmanager_certificate_not_after_timestamp_seconds', { name: 'issued' }), notAfter);
  assert.equal(valueOf(samples, 'certmanager_certificate_not_before_timestamp_seconds', { name: 'issued' }), Date.UTC(2025, 0, 1) / 1000);
  // Truncated like Go's Time.Unix(), not rounded.
  assert.equal(valueOf(samples, 'certmanager_certificate_renewal_timestamp_seconds', { name: 'issued' }), Date.UTC(2025, 2, 2) / 1000);
  for (const family of ['expiration', 'not_after', 'not_before', 'renewal']) {
    assert.equal(valueOf(samples, `certmanager_certificate_${family}_timestamp_seconds`, { name: 'pending' }), 0, family);
  }
  const labels = series(samples, 'certmanager_certificate_renewal_timestamp_seconds', { name: 'issued' })[0]!.labels;
  assert.deepEqual(labels, { name: 'issued', namespace: 'apps', issuer_name: 'ca', issuer_kind: 'ClusterIssuer', issuer_group: 'cert-manager.io' });
});

test('issuer labels are spec.issuerRef verbatim, like cert-manager: omitted kind/group are empty', async () => {
  const certs = [
    certificate('namespaced', { name: 'local-ca', kind: 'Issuer', group: 'cert-manager.io' }),
    certificate('cluster', { name: 'root', kind: 'ClusterIssuer' }),
    certificate('defaulted', { name: 'implicit' }),
    certificate('external', { name: 'step', kind: 'StepClusterIssuer', group: 'certmanager.step.sm' }),
  ];
  const samples = await scrape(createControllerMetrics(sources({ certificates: () => certs })));
  const issuerOf = (name: string) => {
    const { issuer_name, issuer_kind, issuer_group } = series(samples, 'certmanager_certificate_expiration_timestamp_seconds', { name })[0]!.labels;
    return [issuer_name, issuer_kind, issuer_group];
  };
  assert.deepEqual(issuerOf('namespaced'), ['local-ca', 'Issuer', 'cert-manager.io']);
  assert.deepEqual(issuerOf('cluster'), ['root', 'ClusterIssuer', '']);
  assert.deepEqual(issuerOf('defaulted'), ['implicit', '', '']);
  assert.deepEqual(issuerOf('external'), ['step', 'StepClusterIssuer', 'certmanager.step.sm']);
});

test('collectors read the cache at every scrape: updates show, deleted objects disappear', async () => {
  let certs = [certificate('a', caIssuer), certificate('b', caIssuer)];
  const metrics = createControllerMetrics(sources({ certificates: () => certs }));
  assert.equal(series(await scrape(metrics), 'certmanager_certificate_ready_status').length, 6);

  // An informer replaces the object on update.
  certs = [certificate('a', caIssuer, { conditions: [{ type: 'Ready', status: 'True' }], notAfter: '2030-01-01T00:00:00Z' })];
  const samples = await scrape(metrics);
  assert.equal(series(samples, 'certmanager_certificate_ready_status').length, 3);
  assert.equal(valueOf(samples, 'certmanager_certificate_ready_status', { name: 'a', condition: 'True' }), 1);
  assert.equal(valueOf(samples, 'certmanager_certificate_expiration_timestamp_seconds', { name: 'a' }), Date.UTC(2030, 0, 1) / 1000);
  assert.equal(series(samples, 'certmanager_certificate_expiration_timestamp_seconds', { name: 'b' }).length, 0);
});

test('label values with quotes, backslashes and newlines survive the exposition', async () => {
  const odd = 'we"ird\\name\nline';
  const samples = await scrape(createControllerMetrics(sources({ certificates: () => [certificate('odd', { name: odd, kind: 'Issuer' })] })));
  assert.equal(series(samples, 'certmanager_certificate_ready_status', { issuer_name: odd }).length, 3);
});

test('challenge_status has 8 series per Challenge with 1 on its state, all 0 without a state', async () => {
  const challenges: ChallengeForMetrics[] = [
    {
      metadata: { name: 'web-1-2-3', namespace: 'apps' },
      spec: { dnsName: 'www.example.com', type: 'HTTP-01' },
      status: { state: 'pending', processing: true, reason: 'Waiting for HTTP-01 challenge propagation' },
    },
    {
      metadata: { name: 'dns-1-2-3', namespace: 'apps' },
      spec: { dnsName: 'example.com', type: 'DNS-01' },
      status: { state: 'invalid', processing: false, reason: 'Error accepting authorization' },
    },
    { metadata: { name: 'new-1-2-3', namespace: 'apps' }, spec: { dnsName: 'new.example.com', type: 'HTTP-01' } },
  ];
  const samples = await scrape(createControllerMetrics(sources({ challenges: () => challenges })));
  const states = ['ready', 'valid', 'errored', 'expired', 'invalid', 'processing', 'unknown', 'pending'];
  const expected: Record<string, { state: string; processing: string; reason: string; domain: string; type: string }> = {
    'web-1-2-3': { state: 'pending', processing: 'true', reason: 'Waiting for HTTP-01 challenge propagation', domain: 'www.example.com', type: 'HTTP-01' },
    'dns-1-2-3': { state: 'invalid', processing: 'false', reason: 'Error accepting authorization', domain: 'example.com', type: 'DNS-01' },
    'new-1-2-3': { state: '', processing: 'false', reason: '', domain: 'new.example.com', type: 'HTTP-01' },
  };
  for (const [name, want] of Object.entries(expected)) {
    const perChallenge = series(samples, 'certmanager_certificate_challenge_status', { name });
    assert.deepEqual(perChallenge.map((s) => s.labels.status).sort(), [...states].sort(), name);
    for (const s of perChallenge) {
      assert.equal(s.value, s.labels.status === want.state ? 1 : 0, `${name} status=${s.labels.status}`);
      assert.deepEqual(
        { ...s.labels, status: undefined },
        { status: undefined, domain: want.domain, reason: want.reason, processing: want.processing, name, namespace: 'apps', type: want.type },
      );
    }
  }
});

test('issuer_ready_status per Issuer; clusterissuer_ready_status only when clusterissuers are enabled', async () => {
  const issuers: IssuerForMetrics[] = [
    { metadata: { name: 'ready', namespace: 'apps' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    { metadata: { name: 'new', namespace: 'apps' } },
  ];
  const clusterIssuers: IssuerForMetrics[] = [{ metadata: { name: 'root' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } }];

  const withoutCluster = await scrape(createControllerMetrics(sources({ issuers: () => issuers })));
  assert.equal(series(withoutCluster, 'certmanager_clusterissuer_ready_status').length, 0);
  assert.equal(valueOf(withoutCluster, 'certmanager_issuer_ready_status', { name: 'ready', condition: 'True' }), 1);
  assert.equal(valueOf(withoutCluster, 'certmanager_issuer_ready_status', { name: 'new', condition: 'Unknown' }), 1);
  assert.deepEqual(series(withoutCluster, 'certmanager_issuer_ready_status', { name: 'new', condition: 'True' })[0]!.labels, {
    condition: 'True',
    name: 'new',
    namespace: 'apps',
  });
  const text = await createControllerMetrics(sources({ issuers: () => issuers })).registry.metrics();
  assert.doesNotMatch(text, /certmanager_clusterissuer_ready_status/, 'not even HELP/TYPE lines');

  const withCluster = await scrape(createControllerMetrics(sources({ issuers: () => issuers, clusterIssuers: () => clusterIssuers })));
  const root = series(withCluster, 'certmanager_clusterissuer_ready_status', { name: 'root' });
  assert.deepEqual(
    root.map((s) => [s.labels.condition, s.value]).sort(),
    [
      ['False', 1],
      ['True', 0],
      ['Unknown', 0],
    ],
  );
  assert.deepEqual(Object.keys(root[0]!.labels).sort(), ['condition', 'name']);
});

test('sync counters count per controller, directly or as the runtime Controller hooks; conflicts are not errors', async () => {
  const metrics = createControllerMetrics(sources({}));
  metrics.syncCall('issuers');
  metrics.syncError('issuers');

  const queue = new WorkQueue({ name: 'certificates', timers: new TimerQueue(new ManualClock()), backoff: { baseMs: 1000, maxMs: 30_000 } });
  let conflicted = false;
  const controller = new Controller({
    name: 'certificates',
    queue,
    workers: 1,
    hooks: metrics.syncHooks,
    reconcile: async (key) => {
      if (key === 'apps/broken') throw new Error('issuer not ready');
      if (key === 'apps/stale' && !conflicted) {
        conflicted = true;
        throw new ApiError(409, 'Conflict', 'the object has been modified');
      }
      return {};
    },
  });
  controller.start();
  for (const key of ['apps/ok', 'apps/broken', 'apps/stale']) queue.add(key);
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  await controller.stop();

  const samples = await scrape(metrics);
  // ok, broken, stale (conflict, requeued at once), stale again.
  assert.equal(valueOf(samples, 'certmanager_controller_sync_call_count', { controller: 'certificates' }), 4);
  assert.equal(valueOf(samples, 'certmanager_controller_sync_error_count', { controller: 'certificates' }), 1);
  assert.equal(valueOf(samples, 'certmanager_controller_sync_call_count', { controller: 'issuers' }), 1);
  assert.equal(valueOf(samples, 'certmanager_controller_sync_error_count', { controller: 'issuers' }), 1);
  assert.match(await metrics.registry.metrics(), /# TYPE certmanager_controller_sync_error_count counter/);
});

test('ACME requests: counter and 0.5/0.9/0.99 summary by scheme, host, action, method, status; 999 on transport error', async () => {
  const metrics = createControllerMetrics(sources({}));
  metrics.observeAcmeRequest({ url: 'https://acme.test:14000/dir', method: 'get', action: 'discover', status: 200, durationSeconds: 0.25 });
  metrics.observeAcmeRequest({ url: 'https://acme.test:14000/order-plz', method: 'POST', action: 'authorize_order', status: 429, durationSeconds: 0.5 });
  metrics.observeAcmeRequest({ url: 'https://acme.test:14000/order-plz', method: 'POST', action: 'authorize_order', status: 429, durationSeconds: 1.5 });
  metrics.observeAcmeRequest({ url: 'https://acme.test:14000/chall/1', method: 'POST', durationSeconds: 3 });
  const samples = await scrape(metrics);
  const base = { scheme: 'https', host: 'acme.test:14000' };
  assert.equal(valueOf(samples, 'certmanager_http_acme_client_request_count', { ...base, action: 'discover', method: 'GET', status: '200' }), 1);
  assert.equal(valueOf(samples, 'certmanager_http_acme_client_request_count', { ...base, action: 'authorize_order', method: 'POST', status: '429' }), 2);
  assert.equal(valueOf(samples, 'certmanager_http_acme_client_request_count', { ...base, action: 'unnamed_action', method: 'POST', status: '999' }), 1);

  const limited = { ...base, action: 'authorize_order', method: 'POST', status: '429' };
  assert.deepEqual(
    series(samples, 'certmanager_http_acme_client_request_duration_seconds', limited).map((s) => s.labels.quantile),
    ['0.5', '0.9', '0.99'],
  );
  assert.equal(valueOf(samples, 'certmanager_http_acme_client_request_duration_seconds_sum', limited), 2);
  assert.equal(valueOf(samples, 'certmanager_http_acme_client_request_duration_seconds_count', limited), 2);
  assert.match(await metrics.registry.metrics(), /# TYPE certmanager_http_acme_client_request_duration_seconds summary/);
});

test('clock metrics report the injected clock in whole seconds: a deprecated counter and a gauge', async () => {
  let now = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  const metrics = createControllerMetrics(sources({ now: () => now }));
  let samples = await scrape(metrics);
  assert.equal(valueOf(samples, 'certmanager_clock_time_seconds', {}), Date.UTC(2026, 0, 2, 3, 4, 5) / 1000);
  assert.equal(valueOf(samples, 'certmanager_clock_time_seconds_gauge', {}), Date.UTC(2026, 0, 2, 3, 4, 5) / 1000);
  now += 60_000;
  samples = await scrape(metrics);
  assert.equal(valueOf(samples, 'certmanager_clock_time_seconds', {}), Date.UTC(2026, 0, 2, 3, 5, 5) / 1000);
  const text = await metrics.registry.metrics();
  assert.match(text, /# TYPE certmanager_clock_time_seconds counter/);
  assert.match(text, /# TYPE certmanager_clock_time_seconds_gauge gauge/);
});

test('Node process and runtime metrics are included', async () => {
  const names = new Set((await scrape(createControllerMetrics(sources({})))).map((s) => s.name));
  for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
    assert.ok(names.has(name), name);
  }
});

test('the collectors take the api/ objects as informers cache them', async () => {
  const cert: Certificate = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'web', namespace: 'apps', uid: 'u1', resourceVersion: '7' },
    spec: { secretName: 'web-tls', dnsNames: ['web.example.com'], issuerRef: { name: 'ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'up to date' }], notAfter: '2026-04-01T00:00:00Z', revision: 1 },
  };
  const issuer: Issuer = { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name: 'local', namespace: 'apps' }, spec: { selfSigned: {} } };
  const clusterIssuer: ClusterIssuer = {
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    metadata: { name: 'ca' },
    spec: { ca: { secretName: 'root-ca' } },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
  const challenge: Challenge = {
    apiVersion: 'acme.cert-manager.io/v1',
    kind: 'Challenge',
    metadata: { name: 'web-1-2-3', namespace: 'apps' },
    spec: {
      url: 'https://acme.test/chall/1',
      authorizationURL: 'https://acme.test/authz/1',
      dnsName: 'web.example.com',
      type: 'HTTP-01',
      token: 'token',
      key: 'token.thumbprint',
      solver: { http01: {} },
      issuerRef: { name: 'le', kind: 'ClusterIssuer' },
    },
    status: { state: 'valid', processing: false },
  };
  const samples = await scrape(
    createControllerMetrics({
      certificates: () => [cert],
      issuers: () => [issuer],
      clusterIssuers: () => [clusterIssuer],
      challenges: () => [challenge],
    }),
  );
  assert.equal(valueOf(samples, 'certmanager_certificate_ready_status', { name: 'web', condition: 'True' }), 1);
  assert.equal(valueOf(samples, 'certmanager_certificate_expiration_timestamp_seconds', { name: 'web' }), Date.UTC(2026, 3, 1) / 1000);
  assert.equal(valueOf(samples, 'certmanager_issuer_ready_status', { name: 'local', condition: 'Unknown' }), 1);
  assert.equal(valueOf(samples, 'certmanager_clusterissuer_ready_status', { name: 'ca', condition: 'True' }), 1);
  assert.equal(valueOf(samples, 'certmanager_certificate_challenge_status', { name: 'web-1-2-3', status: 'valid' }), 1);
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { CoordinationV1Api, EventsV1Api, KubeConfig, CoreV1Api } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { AdmissionPlugin, AdmissionRequest, KubeObject } from '../../apiserver/admission.js';
import { certwrightAdmission } from '../../api/admission.js';
import { generateCsr, generatePrivateKey } from '../../pki/index.js';
import { callServer, eventually, startTestServer, statusOf, type TestServer } from './harness.js';

async function bundledCrds(): Promise<KubeObject[]> {
  const text = await readFile(new URL('../../../crds/all.yaml', import.meta.url), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJS() as KubeObject);
}

describe('restart, TLS and tokens', () => {
  test('CA, serving certificate, token and objects survive a restart; resourceVersions continue', async () => {
    const first = await startTestServer();
    let second: TestServer | undefined;
    try {
      const cm = await first.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'kept' }, data: { a: '1' } } });
      const ca = new X509Certificate(await readFile(join(first.dataDir, 'ca.crt')));
      const serving = new X509Certificate(await readFile(join(first.dataDir, 'apiserver.crt')));
      assert.ok(serving.verify(ca.publicKey), 'serving certificate signed by the local CA');
      assert.ok(serving.checkHost('localhost') && serving.checkIP('127.0.0.1'));
      await first.stop();
      second = await startTestServer({}, first.dataDir);
      assert.equal(second.server.token, first.server.token);
      assert.equal(second.server.caCertificate, first.server.caCertificate);
      const kept = await second.core.readNamespacedConfigMap({ namespace: 'default', name: 'kept' });
      assert.equal(kept.metadata!.uid, cm.metadata!.uid);
      const next = await second.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'next' } } });
      assert.ok(Number(next.metadata!.resourceVersion) > Number(cm.metadata!.resourceVersion));
      const kubeconfig = await readFile(second.server.kubeconfigPath, 'utf8');
      assert.match(kubeconfig, /current-context: certwright/);
      assert.match(kubeconfig, new RegExp(`server: ${second.server.url}`));
    } finally {
      await (second ?? first).close();
    }
  });

  test('a TokenRequest token authenticates as the ServiceAccount; garbage tokens get 401', async () => {
    const t = await startTestServer();
    try {
      await t.core.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'robot' } } });
      const issued = await t.core.createNamespacedServiceAccountToken({ namespace: 'default', name: 'robot', body: { spec: { audiences: ['vault'], expirationSeconds: 600 } } });
      const token = issued.status!.token;
      assert.ok(issued.status!.expirationTimestamp);
      assert.equal((await callServer(t.server, 'GET', '/api/v1/namespaces', { token })).status, 200);
      assert.equal((await callServer(t.server, 'GET', '/api/v1/namespaces', { token: `${token}x` })).status, 401);
      const missing = await statusOf(t.core.createNamespacedServiceAccountToken({ namespace: 'default', name: 'nobody', body: { spec: { audiences: [] } } }));
      assert.equal(missing.code, 404);
    } finally {
      await t.close();
    }
  });
});

describe('built-in kinds', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('an events.k8s.io/v1 Event is the same object as a core/v1 Event', async () => {
    const events = t.kc.makeApiClient(EventsV1Api);
    await events.createNamespacedEvent({
      namespace: 'default',
      body: {
        metadata: { name: 'e1' },
        eventTime: new Date(),
        reportingController: 'certwright.io/controller',
        reportingInstance: 'certwright-0',
        action: 'Issue',
        reason: 'Issued',
        note: 'Certificate issued',
        type: 'Normal',
        regarding: { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: 'web', namespace: 'default', uid: 'u-1' },
      } as never,
    });
    const core = await t.core.listNamespacedEvent({ namespace: 'default', fieldSelector: 'involvedObject.name=web,involvedObject.kind=Certificate' });
    assert.equal(core.items.length, 1);
    assert.equal(core.items[0]!.message, 'Certificate issued');
    assert.equal(core.items[0]!.involvedObject.uid, 'u-1');
    assert.equal(core.items[0]!.reportingComponent, 'certwright.io/controller');
    const back = await events.readNamespacedEvent({ namespace: 'default', name: 'e1' });
    assert.equal(back.note, 'Certificate issued');
    assert.equal(back.regarding!.name, 'web');
  });

  test('Leases for leader election: create, optimistic update, conflict', async () => {
    const leases = t.kc.makeApiClient(CoordinationV1Api);
    const lease = await leases.createNamespacedLease({ namespace: 'kube-system', body: { metadata: { name: 'certwright' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 } } });
    const renewed = await leases.replaceNamespacedLease({ namespace: 'kube-system', name: 'certwright', body: { ...lease, spec: { ...lease.spec, holderIdentity: 'a', renewTime: new Date() } } });
    assert.notEqual(renewed.metadata!.resourceVersion, lease.metadata!.resourceVersion);
    const stale = await statusOf(leases.replaceNamespacedLease({ namespace: 'kube-system', name: 'certwright', body: { ...lease, spec: { ...lease.spec, holderIdentity: 'b' } } }));
    assert.equal(stale.code, 409);
  });

  test('Ingress and IngressClass; Ingress has a status subresource and a generation', async () => {
    const ingress = await t.call('POST', '/apis/networking.k8s.io/v1/namespaces/default/ingresses', {
      body: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web' }, spec: { ingressClassName: 'nginx', rules: [{ host: 'web.example.com' }] } },
    });
    assert.equal(ingress.status, 201, ingress.text);
    assert.equal(ingress.json.metadata.generation, 1);
    const cls = await t.call('POST', '/apis/networking.k8s.io/v1/ingressclasses', { body: { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } } });
    assert.equal(cls.status, 201, cls.text);
    const status = await t.call('PATCH', '/apis/networking.k8s.io/v1/namespaces/default/ingresses/web/status', {
      contentType: 'application/merge-patch+json',
      body: { status: { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } } },
    });
    assert.deepEqual(status.json.status.loadBalancer.ingress, [{ ip: '127.0.0.1' }]);
    assert.equal(status.json.metadata.generation, 1);
    const table = await t.call('GET', '/apis/networking.k8s.io/v1/namespaces/default/ingresses', { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.deepEqual(table.json.rows[0].cells.slice(0, 5), ['web', 'nginx', 'web.example.com', '127.0.0.1', '80']);
  });
});

test('events expire a TTL after their last write', async () => {
  const t = await startTestServer({ eventTtlSeconds: 0.4 });
  try {
    const event = { metadata: { name: 'short-lived' }, involvedObject: { kind: 'ConfigMap', name: 'x', namespace: 'default' }, reason: 'Test', message: 'bye', type: 'Normal' };
    await t.core.createNamespacedEvent({ namespace: 'default', body: event });
    await t.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'not-an-event' } } });
    await eventually(async () => (await statusOf(t.core.readNamespacedEvent({ namespace: 'default', name: 'short-lived' }))).code === 404, 'event expiry', 5000);
    assert.ok(await t.core.readNamespacedConfigMap({ namespace: 'default', name: 'not-an-event' }), 'only events expire');
  } finally {
    await t.close();
  }
});

describe('admission', () => {
  const seen: AdmissionRequest[] = [];
  const labeller: AdmissionPlugin = {
    handles: (group, kind) => group === '' && kind === 'ConfigMap',
    mutate(request) {
      seen.push(request);
      if (request.object) request.object.metadata.labels = { ...request.object.metadata.labels, admitted: 'yes' };
    },
    validate(request) {
      const data = (request.object?.data ?? {}) as Record<string, string>;
      return 'forbidden' in data ? [{ type: 'FieldValueForbidden', field: 'data[forbidden]', detail: 'not here' }] : [];
    },
    warnings: (request) => (request.object?.data && 'old' in (request.object.data as object) ? ['data.old is deprecated'] : []),
  };
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ admission: [labeller, certwrightAdmission], customResourceDefinitions: await bundledCrds() });
  });
  after(() => t.close());

  test('plugins mutate, validate (422 with causes) and warn; they see the authenticated user', async () => {
    const created = await t.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'm' }, data: { a: '1' } } });
    assert.equal(created.metadata!.labels!.admitted, 'yes');
    const request = seen.find((r) => r.operation === 'CREATE' && r.name === 'm')!;
    assert.deepEqual([request.userInfo.username, request.userInfo.groups], ['certwright-admin', ['system:masters', 'system:authenticated']]);
    assert.equal(request.resource, 'configmaps');
    const rejected = await statusOf(t.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'r' }, data: { forbidden: 'x' } } }));
    assert.equal(rejected.code, 422);
    assert.equal(rejected.message, 'ConfigMap "r" is invalid: data[forbidden]: Forbidden: not here');
    assert.deepEqual(rejected.details.causes, [{ reason: 'FieldValueForbidden', message: 'Forbidden: not here', field: 'data[forbidden]' }]);
    const warned = await t.call('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'w' }, data: { old: '1' } } });
    assert.equal(warned.headers.warning, '299 - "data.old is deprecated"');
  });

  test('CertificateRequest identity comes from the authenticated caller, not the body', async () => {
    const csr = await generateCsr({ dnsNames: ['cr.example.com'] }, await generatePrivateKey({ algorithm: 'ECDSA' }));
    const reply = await t.call('POST', '/apis/cert-manager.io/v1/namespaces/default/certificaterequests', {
      body: {
        apiVersion: 'cert-manager.io/v1',
        kind: 'CertificateRequest',
        metadata: { name: 'cr1' },
        spec: { request: Buffer.from(csr).toString('base64'), issuerRef: { name: 'ca' }, username: 'mallory', groups: ['system:masters'] },
      },
    });
    assert.equal(reply.status, 201, reply.text);
    assert.equal(reply.json.spec.username, 'certwright-admin');
    assert.deepEqual(reply.json.spec.groups, ['system:masters', 'system:authenticated']);
  });

  test('an invalid Certificate gets 422 with the webhook\'s field errors', async () => {
    const reply = await t.call('POST', '/apis/cert-manager.io/v1/namespaces/default/certificates', {
      body: { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'bad' }, spec: { secretName: 'bad-tls', issuerRef: { name: 'ca' }, dnsNames: ['a.example.com'], renewBefore: '1m' } },
    });
    assert.equal(reply.status, 422);
    assert.equal(reply.json.message, 'Certificate.cert-manager.io "bad" is invalid: spec.renewBefore: Invalid value: "1m": certificate renewBefore must be at least 5m0s');
    assert.deepEqual(reply.json.details, { name: 'bad', group: 'cert-manager.io', kind: 'Certificate', causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "1m": certificate renewBefore must be at least 5m0s', field: 'spec.renewBefore' }] });
  });

  test('client-node loads the generated kubeconfig', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(t.server.kubeconfigPath);
    assert.equal(kc.getCurrentContext(), 'certwright');
    const namespaces = await kc.makeApiClient(CoreV1Api).listNamespace();
    assert.ok(namespaces.items.some((n) => n.metadata!.name === 'kube-system'));
  });
});

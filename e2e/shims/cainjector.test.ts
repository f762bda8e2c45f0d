/**
 * CA injection through the embedded API server (reference §6.3, cert-manager's
 * serving/cainjector.go cases): every injectable kind gets the CA of a Secret (only with
 * allow-direct-injection), of a Certificate, or of the API server; non-annotated and
 * badly-annotated objects are left alone; a rotated CA is merged in and the old one stays in
 * every bundle until it expires.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../apiserver/admission.js';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { applyManifests } from '../../cli/manifests.js';
import { INJECTABLE_KINDS, type InjectableKind } from '../../controller/cainjector/targets.js';
import { startManager, type Manager } from '../../controller/manager.js';
import { createLogger } from '../../controller/observability/log.js';
import { SECRETS } from '../../controller/runtime/resources.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { parseCertificateBundle } from '../../pki/index.js';
import { eventually, tempDataDir } from '../../test/controller/certificates/reconciler-harness.js';
import { b64, DAY_MS, selfSignedCa, tlsSecret, type CaMaterial } from './helpers.js';

const NS = 'inject';
/** Long enough to see the rotated bundle hold both CAs on a loaded machine, short enough to watch the old one go. */
const OLD_CA_LIFETIME_LEFT_MS = 15_000;
const dataDir = tempDataDir('certwright-cainjector-');
let cluster: LocalCluster;
let manager: Manager;
let oldCa: CaMaterial;
let newCa: CaMaterial;
let otherCa: CaMaterial;

const [validating, mutating, apiService, crd] = INJECTABLE_KINDS as [InjectableKind, InjectableKind, InjectableKind, InjectableKind];

const webhooks = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    name: `hook-${i}.example.com`,
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    clientConfig: { service: { namespace: NS, name: 'webhook', path: '/validate' } },
    rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }],
  }));

const validatingConfig = (name: string, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingWebhookConfiguration',
  metadata: { name, ...(annotations ? { annotations } : {}) },
  webhooks: webhooks(2),
});

const fromDirectSecret = { 'cert-manager.io/inject-ca-from-secret': `${NS}/direct` };

/** The targets injected from the `direct` Secret: one of each kind. */
const directTargets: Array<[InjectableKind, KubeObject]> = [
  [validating, validatingConfig('direct-validating', fromDirectSecret)],
  [mutating, { ...validatingConfig('direct-mutating', fromDirectSecret), apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration' }],
  [
    apiService,
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1.direct.example.com', annotations: fromDirectSecret },
      spec: { group: 'direct.example.com', version: 'v1', service: { namespace: NS, name: 'api' }, groupPriorityMinimum: 1000, versionPriority: 15 },
    },
  ],
  [
    crd,
    {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'things.direct.example.com', annotations: fromDirectSecret },
      spec: {
        group: 'direct.example.com',
        names: { kind: 'Thing', listKind: 'ThingList', plural: 'things', singular: 'thing' },
        scope: 'Namespaced',
        versions: [
          { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
          { name: 'v2', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
        ],
        conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { namespace: NS, name: 'convert', path: '/convert' } } } },
      },
    },
  ],
];

before(async () => {
  cluster = await startLocalCluster({ dataDir: dataDir.path });
  manager = await startManager({ kubeConfig: cluster.kubeConfig, controllers: ['*', 'cainjector'], logger: createLogger({ level: 'silent' }) });
  [oldCa, newCa, otherCa] = await Promise.all([
    selfSignedCa('old CA', { notBefore: new Date(Date.now() - DAY_MS), durationMs: DAY_MS + OLD_CA_LIFETIME_LEFT_MS }),
    selfSignedCa('new CA'),
    selfSignedCa('other CA'),
  ]);
  await applyManifests(manager.client, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    tlsSecret(NS, 'direct', otherCa, { annotations: { 'cert-manager.io/allow-direct-injection': 'true' }, caCrt: oldCa.certificatePem }),
    tlsSecret(NS, 'not-allowed', otherCa, { caCrt: otherCa.certificatePem }),
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace: NS, name: 'selfsigned' }, spec: { selfSigned: {} } },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { namespace: NS, name: 'webhook-ca' },
      spec: { isCA: true, commonName: 'webhook CA', secretName: 'webhook-ca-tls', privateKey: { algorithm: 'ECDSA' }, issuerRef: { name: 'selfsigned' } },
    },
  ]);
  const targets: Array<[InjectableKind, KubeObject]> = [
    ...directTargets,
    [validating, validatingConfig('from-certificate', { 'cert-manager.io/inject-ca-from': `${NS}/webhook-ca` })],
    [validating, validatingConfig('apiserver', { 'cert-manager.io/inject-apiserver-ca': 'true' })],
    [validating, validatingConfig('not-allowed', { 'cert-manager.io/inject-ca-from-secret': `${NS}/not-allowed` })],
    [validating, validatingConfig('no-namespace', { 'cert-manager.io/inject-ca-from-secret': 'direct' })],
    [validating, validatingConfig('plain')],
  ];
  for (const [kind, obj] of targets) await manager.client.create(kind.resource, obj);
});

after(async () => {
  await manager?.stop();
  await cluster?.close();
  dataDir.remove();
});

/** Subjects of every caBundle of the target, read from the API (not the injector's cache). */
async function bundles(kind: InjectableKind, name: string): Promise<string[][]> {
  const obj = await manager.client.get<KubeObject>(kind.resource, { name });
  return kind.injectionPoints(obj).map((p) => (p.caBundle ? parseCertificateBundle(Buffer.from(p.caBundle, 'base64').toString('utf8')).map((c) => c.subject) : []));
}

async function waitForBundles(kind: InjectableKind, name: string, subjects: string[]): Promise<void> {
  await eventually(async () => {
    const all = await bundles(kind, name);
    return all.length > 0 && all.every((b) => JSON.stringify(b) === JSON.stringify(subjects));
  }, `${kind.resource.kind} ${name} bundles = ${subjects.join(' + ')}`, 30_000);
}

test('inject-ca-from-secret fills every caBundle of every kind; rotation keeps old and new CA until the old one expires', async () => {
  for (const [kind, obj] of directTargets) await waitForBundles(kind, obj.metadata.name!, ['CN=old CA']);
  const webhookBundles = await bundles(validating, 'direct-validating');
  assert.equal(webhookBundles.length, 2, 'both webhooks injected');

  await manager.client.patch(SECRETS, { namespace: NS, name: 'direct' }, { data: { 'ca.crt': b64(newCa.certificatePem) } });
  for (const [kind, obj] of directTargets) await waitForBundles(kind, obj.metadata.name!, ['CN=old CA', 'CN=new CA']);
  assert.ok(Date.now() < parseCertificateBundle(oldCa.certificatePem)[0]!.notAfter.getTime(), 'both CAs were seen while the old one was still valid');

  for (const [kind, obj] of directTargets) await waitForBundles(kind, obj.metadata.name!, ['CN=new CA']);
  const apiServiceObj = await manager.client.get<KubeObject>(apiService.resource, { name: 'v1.direct.example.com' });
  assert.equal((apiServiceObj.spec as { groupPriorityMinimum?: number }).groupPriorityMinimum, 1000, 'fields the injector does not own are kept');
});

test("inject-ca-from uses the Certificate's Secret ca.crt", async () => {
  const secret = await eventually(async () => {
    const s = await manager.client.find<KubeSecret>(SECRETS, { namespace: NS, name: 'webhook-ca-tls' });
    return s?.data?.['ca.crt'] ? s : undefined;
  }, 'webhook CA issued', 30_000);
  const caSubject = parseCertificateBundle(Buffer.from(secret.data!['ca.crt']!, 'base64').toString('utf8'))[0]!.subject;
  assert.equal(caSubject, 'CN=webhook CA');
  await waitForBundles(validating, 'from-certificate', [caSubject]);
});

test('inject-apiserver-ca injects the API server CA of the kubeconfig', async () => {
  const apiServerCa = parseCertificateBundle(cluster.server.caCertificate).map((c) => c.subject);
  await waitForBundles(validating, 'apiserver', apiServerCa);
});

test('a Secret without allow-direct-injection is not injected until it allows it', async () => {
  await waitForBundles(validating, 'direct-validating', ['CN=new CA']);
  assert.deepEqual(await bundles(validating, 'not-allowed'), [[], []]);
  await manager.client.patch(SECRETS, { namespace: NS, name: 'not-allowed' }, { metadata: { annotations: { 'cert-manager.io/allow-direct-injection': 'true' } } });
  await waitForBundles(validating, 'not-allowed', ['CN=other CA']);
});

test('objects without (valid) injection annotations are ignored, and only annotated ones are cached, stripped', async () => {
  await waitForBundles(validating, 'direct-validating', ['CN=new CA']);
  assert.deepEqual(await bundles(validating, 'plain'), [[], []]);
  assert.deepEqual(await bundles(validating, 'no-namespace'), [[], []]);
  const cache = manager.caInjector!.targets.find((t) => t.kind === validating)!.informer;
  assert.equal(cache.get({ name: 'plain' }), undefined, 'not cached');
  const cached = cache.get({ name: 'direct-validating' })!;
  assert.deepEqual(Object.keys(cached).sort(), ['apiVersion', 'kind', 'metadata', 'webhooks']);
  assert.deepEqual(Object.keys((cached.webhooks as object[])[0]!).sort(), ['clientConfig', 'name'], 'rules, sideEffects… are not cached');
  assert.equal(cached.metadata.managedFields, undefined);
});

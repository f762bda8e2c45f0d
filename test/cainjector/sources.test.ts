import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../apiserver/admission.js';
import { injectionTargetsOnly } from '../../controller/cainjector/cache.js';
import { caSourceOf, secretCa } from '../../controller/cainjector/sources.js';
import { INJECTABLE_KINDS } from '../../controller/cainjector/targets.js';
import type { ListerWatcher, WatchEvent } from '../../controller/runtime/client.js';
import type { KubeSecret } from '../../issuers/backend.js';

test('sources in cert-manager order; values without a namespace are ignored', () => {
  assert.deepEqual(caSourceOf({ 'cert-manager.io/inject-ca-from-secret': 'ns/s', 'cert-manager.io/inject-ca-from': 'ns/c' }), { from: 'secret', namespace: 'ns', name: 's' });
  assert.deepEqual(caSourceOf({ 'cert-manager.io/inject-ca-from': 'ns/c', 'cert-manager.io/inject-apiserver-ca': 'true' }), { from: 'certificate', namespace: 'ns', name: 'c' });
  assert.deepEqual(caSourceOf({ 'cert-manager.io/inject-apiserver-ca': 'true' }), { from: 'apiserver' });
  assert.deepEqual(caSourceOf({ 'cert-manager.io/inject-ca-from-secret': 'just-a-name', 'cert-manager.io/inject-apiserver-ca': 'true' }), { from: 'apiserver' });
  for (const bad of ['c', '/c', 'ns/', 'a/b/c']) assert.equal(caSourceOf({ 'cert-manager.io/inject-ca-from': bad }), undefined, bad);
  assert.equal(caSourceOf({ 'cert-manager.io/inject-apiserver-ca': 'false' }), undefined);
  assert.equal(caSourceOf(undefined), undefined);
});

const secret = (annotations: Record<string, string>, data: Record<string, string> = { 'ca.crt': Buffer.from('PEM').toString('base64') }): KubeSecret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { namespace: 'ns', name: 's', annotations },
  data,
});

test('a Secret named directly must allow direct injection; a Certificate Secret must be that Certificate s', () => {
  const direct = { from: 'secret', namespace: 'ns', name: 's' } as const;
  const viaCertificate = { from: 'certificate', namespace: 'ns', name: 'c' } as const;
  assert.deepEqual(secretCa(secret({ 'cert-manager.io/allow-direct-injection': 'true' }), direct), { ok: true, pem: 'PEM' });
  assert.deepEqual(secretCa(secret({}), direct), { ok: false, reason: 'the Secret lacks cert-manager.io/allow-direct-injection: "true"' });
  assert.deepEqual(secretCa(secret({ 'cert-manager.io/certificate-name': 'c' }), viaCertificate, 'c'), { ok: true, pem: 'PEM' });
  assert.deepEqual(secretCa(secret({ 'cert-manager.io/certificate-name': 'other' }), viaCertificate, 'c'), {
    ok: false,
    reason: 'the Secret\'s cert-manager.io/certificate-name is not "c"',
  });
  assert.deepEqual(secretCa(secret({ 'cert-manager.io/allow-direct-injection': 'true' }, {}), direct), { ok: false, reason: 'the Secret has no ca.crt' });
  assert.deepEqual(secretCa(undefined, direct), { ok: false, reason: 'the Secret does not exist' });
});

const [validating, , apiService, crd] = INJECTABLE_KINDS;

const webhookConfig = (annotations: Record<string, string> | undefined, resourceVersion = '1'): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingWebhookConfiguration',
  metadata: { name: 'hooks', uid: 'u1', resourceVersion, ...(annotations ? { annotations } : {}), managedFields: [{ manager: 'kubectl' }] },
  webhooks: [
    { name: 'a.example.com', sideEffects: 'None', admissionReviewVersions: ['v1'], clientConfig: { url: 'https://a', caBundle: 'QQ==' }, rules: [{ operations: ['CREATE'] }] },
    { name: 'b.example.com', sideEffects: 'None', admissionReviewVersions: ['v1'], clientConfig: { service: { name: 's', namespace: 'n' } } },
  ],
});

test('injection points and apply configurations of each kind', () => {
  const hooks = webhookConfig({});
  assert.deepEqual(validating!.injectionPoints(hooks), [
    { id: 'a.example.com', caBundle: 'QQ==' },
    { id: 'b.example.com', caBundle: undefined },
  ]);
  assert.deepEqual(validating!.applyConfiguration(hooks, new Map([['a.example.com', 'Qg=='], ['b.example.com', 'Qg==']])), {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'hooks' },
    webhooks: [
      { name: 'a.example.com', clientConfig: { caBundle: 'Qg==' } },
      { name: 'b.example.com', clientConfig: { caBundle: 'Qg==' } },
    ],
  });
  const service: KubeObject = { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1.x' }, spec: { group: 'x', caBundle: 'QQ==' } };
  assert.deepEqual(apiService!.injectionPoints(service), [{ id: 'spec', caBundle: 'QQ==' }]);
  assert.deepEqual(apiService!.applyConfiguration(service, new Map([['spec', 'Qg==']])).spec, { caBundle: 'Qg==' });
  const definition = (strategy: string): KubeObject => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'things.example.com' },
    spec: { group: 'example.com', versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object' } } }], conversion: { strategy, webhook: { clientConfig: { url: 'https://c' } } } },
  });
  assert.deepEqual(crd!.injectionPoints(definition('None')), [], 'no conversion webhook, nothing to inject');
  assert.deepEqual(crd!.injectionPoints(definition('Webhook')), [{ id: 'conversion', caBundle: undefined }]);
  assert.deepEqual(crd!.applyConfiguration(definition('Webhook'), new Map([['conversion', 'Qg==']])).spec, { conversion: { webhook: { clientConfig: { caBundle: 'Qg==' } } } });
  assert.deepEqual(crd!.strip(definition('Webhook')).spec, { conversion: { strategy: 'Webhook', webhook: { clientConfig: {} } } }, 'the schema is not cached');
});

test('the cache holds only annotated targets, stripped; losing the annotation evicts', async () => {
  const annotated = { 'cert-manager.io/inject-ca-from': 'ns/c', unrelated: 'x' };
  const events: WatchEvent<KubeObject>[] = [];
  const upstream: ListerWatcher<KubeObject> = {
    description: 'validatingwebhookconfigurations',
    list: async () => ({ metadata: { resourceVersion: '5' }, items: [webhookConfig(annotated), { ...webhookConfig(undefined), metadata: { name: 'plain' } }] }),
    watch: (_options, onEvent) => {
      onEvent({ type: 'MODIFIED', object: webhookConfig({}, '6') });
      onEvent({ type: 'ADDED', object: webhookConfig(annotated, '7') });
      onEvent({ type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'x', metadata: { resourceVersion: '8' } } });
      return { stop: () => {}, done: Promise.resolve() };
    },
  };
  const filtered = injectionTargetsOnly(upstream, validating!.strip);
  const list = await filtered.list();
  assert.equal(list.metadata.resourceVersion, '5');
  assert.deepEqual(list.items, [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'hooks', uid: 'u1', resourceVersion: '1', annotations: { 'cert-manager.io/inject-ca-from': 'ns/c' } },
      webhooks: [
        { name: 'a.example.com', clientConfig: { caBundle: 'QQ==' } },
        { name: 'b.example.com', clientConfig: {} },
      ],
    },
  ]);
  filtered.watch({ resourceVersion: '5', timeoutSeconds: 1 }, (event) => events.push(event));
  assert.deepEqual(
    events.map((e) => [e.type, e.object.metadata.resourceVersion]),
    [
      ['DELETED', '6'],
      ['ADDED', '7'],
      ['BOOKMARK', '8'],
    ],
  );
});

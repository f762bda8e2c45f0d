/**
 * ingress-shim and gateway-shim through the embedded API server (reference §4, §9.2 bespoke
 * Ingress and Gateway cases): annotated Ingresses and Gateways get Ready Certificates and Secrets
 * from a CA ClusterIssuer named letsencrypt-production and a CA Issuer; bad annotations get a
 * BadConfig event and no Certificate; TLS changes update, replace and (with the Ingress) delete
 * Certificates.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../apiserver/admission.js';
import type { Certificate } from '../../api/types.js';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { applyManifests, readManifests } from '../../cli/manifests.js';
import { startManager, type Manager } from '../../controller/manager.js';
import { createLogger } from '../../controller/observability/log.js';
import { GATEWAYS } from '../../controller/gateway-shim/gateway.js';
import { INGRESSES } from '../../controller/ingress-shim/ingress.js';
import { CERTIFICATES, SECRETS } from '../../controller/runtime/resources.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { parseCertificateChain, parsePrivateKey } from '../../pki/index.js';
import { eventually, tempDataDir } from '../../test/controller/certificates/reconciler-harness.js';
import { eventsOf, GATEWAY_API_CRDS, selfSignedCa, tlsSecret } from './helpers.js';

const NS = 'shims';
const CLUSTER_RESOURCE_NAMESPACE = 'kube-system';
const ISSUE_TIMEOUT_MS = 45_000;
const dataDir = tempDataDir('certwright-shims-');
let cluster: LocalCluster;
let manager: Manager;

const ingress = (name: string, annotations: Record<string, string>, tls: Array<{ hosts?: string[]; secretName?: string }>): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { namespace: NS, name, annotations, labels: { app: name } },
  spec: { ingressClassName: 'nginx', tls, rules: [{ host: tls[0]?.hosts?.[0] ?? 'x.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
});

const listener = (name: string, hostname: string, secret: string, protocol = 'HTTPS') => ({
  name,
  hostname,
  port: 443,
  protocol,
  tls: { mode: 'Terminate', certificateRefs: [{ name: secret }] },
});

const gateway = (name: string, annotations: Record<string, string>, listeners: object[]): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { namespace: NS, name, annotations },
  spec: { gatewayClassName: 'test', listeners },
});

const caIssuer = { 'cert-manager.io/issuer': 'ca' };
const fieldAnnotations = {
  ...caIssuer,
  'cert-manager.io/common-name': 'fields.example.com',
  'cert-manager.io/duration': '999h',
  'cert-manager.io/renew-before': '111h',
  'cert-manager.io/revision-history-limit': '7',
  'cert-manager.io/private-key-algorithm': 'RSA',
  'cert-manager.io/private-key-encoding': 'PKCS1',
  'cert-manager.io/private-key-size': '4096',
  'cert-manager.io/private-key-rotation-policy': 'Always',
};

const objects: KubeObject[] = [
  ingress('production', { 'cert-manager.io/cluster-issuer': 'letsencrypt-production' }, [{ hosts: ['www.example.com', 'example.com'], secretName: 'production-tls' }]),
  ingress('issuer-annotations', { ...caIssuer, 'cert-manager.io/issuer-kind': 'Issuer', 'cert-manager.io/issuer-group': 'cert-manager.io' }, [
    { hosts: ['issuer.example.com'], secretName: 'issuer-annotations-tls' },
  ]),
  ingress('field-annotations', fieldAnnotations, [{ hosts: ['fields.example.com'], secretName: 'field-annotations-tls' }]),
  ingress('auto', { 'kubernetes.io/tls-acme': 'true' }, [{ hosts: ['auto.example.com'], secretName: 'auto-tls' }]),
  ingress('edit-in-place', { ...caIssuer, 'acme.cert-manager.io/http01-edit-in-place': 'true' }, [{ hosts: ['edit.example.com'], secretName: 'edit-in-place-tls' }]),
  ingress('bad', { ...caIssuer, 'cert-manager.io/duration': 'abc' }, [{ hosts: ['bad.example.com'], secretName: 'bad-tls' }]),
  ingress('lifecycle', caIssuer, [{ hosts: ['a.example.com'], secretName: 'lifecycle-a' }]),
  gateway('gw-annotations', { ...caIssuer, 'cert-manager.io/common-name': 'gw.example.com', 'cert-manager.io/duration': '720h', 'cert-manager.io/renew-before': '240h' }, [
    listener('https', 'gw.example.com', 'gw-annotations-tls'),
  ]),
  gateway('gw-extra', caIssuer, [listener('quic', 'quic.example.com', 'gw-extra-tls', 'example.com/QUIC')]),
  gateway('gw-ignore', { ...caIssuer, 'cert-manager.io/ignore-tls-listeners': 'custom-tls-listener' }, [
    listener('custom-tls-listener', 'ignored.example.com', 'ignored-tls'),
    listener('https', 'kept.example.com', 'kept-tls'),
    listener('https-2', 'kept2.example.com', 'kept-tls'),
  ]),
];

let gatewayApiMissing: unknown;

before(async () => {
  cluster = await startLocalCluster({ dataDir: dataDir.path });
  const options = {
    kubeConfig: cluster.kubeConfig,
    clusterResourceNamespace: CLUSTER_RESOURCE_NAMESPACE,
    logger: createLogger({ level: 'silent' }),
    enableGatewayApi: true,
    gatewayApiExtraProtocols: ['example.com/QUIC'],
    defaultIssuer: { name: 'letsencrypt-production', kind: 'ClusterIssuer', group: 'cert-manager.io' },
  };
  gatewayApiMissing = await startManager(options).then(
    (m) => m.stop(),
    (err: unknown) => err,
  );
  const setup = await startManager({ ...options, enableGatewayApi: false, controllers: ['issuers'] });
  const [productionCa, namespaceCa] = await Promise.all([selfSignedCa('letsencrypt-production test CA'), selfSignedCa('shims CA')]);
  await applyManifests(setup.client, [
    ...(await readManifests(GATEWAY_API_CRDS)),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    tlsSecret(CLUSTER_RESOURCE_NAMESPACE, 'letsencrypt-production-ca', productionCa),
    tlsSecret(NS, 'ca', namespaceCa),
    { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'letsencrypt-production' }, spec: { ca: { secretName: 'letsencrypt-production-ca' } } },
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace: NS, name: 'ca' }, spec: { ca: { secretName: 'ca' } } },
  ]);
  await setup.stop();
  manager = await startManager(options);
  for (const obj of objects) await manager.client.create(obj.kind === 'Gateway' ? GATEWAYS : INGRESSES, obj);
});

after(async () => {
  await manager?.stop();
  await cluster?.close();
  dataDir.remove();
});

const cachedCertificate = (name: string) => manager.informers.certificates.get({ namespace: NS, name });

function isReady(certificate: Certificate | undefined): boolean {
  const ready = certificate?.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' && ready.observedGeneration === certificate?.metadata.generation;
}

/** The Certificate once Ready, and its Secret. */
async function issued(name: string): Promise<{ certificate: Certificate; secret: KubeSecret }> {
  const certificate = await eventually(() => (isReady(cachedCertificate(name)) ? cachedCertificate(name) : undefined), `Certificate ${name} Ready`, ISSUE_TIMEOUT_MS);
  const secret = await manager.client.get<KubeSecret>(SECRETS, { namespace: NS, name: certificate.spec.secretName });
  return { certificate, secret };
}

const leafOf = (secret: KubeSecret) => parseCertificateChain(Buffer.from(secret.data!['tls.crt']!, 'base64').toString('utf8'))[0]!;

test('--enable-gateway-api without the Gateway API CRDs fails at start, saying so', () => {
  assert.ok(gatewayApiMissing instanceof Error);
  assert.equal(
    gatewayApiMissing.message,
    '--enable-gateway-api is set but the API server does not serve gateway.networking.k8s.io/v1 gateways: install the Gateway API CRDs first',
  );
});

test('an Ingress with cert-manager.io/cluster-issuer: letsencrypt-production and a TLS block gets a Ready Certificate and Secret', async () => {
  const { certificate, secret } = await issued('production-tls');
  assert.deepEqual(certificate.spec.issuerRef, { name: 'letsencrypt-production', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  assert.deepEqual(certificate.spec.dnsNames, ['www.example.com', 'example.com']);
  assert.deepEqual(certificate.metadata.labels, { app: 'production' });
  const owner = certificate.metadata.ownerReferences?.[0];
  assert.deepEqual([owner?.kind, owner?.name, owner?.controller], ['Ingress', 'production', true]);
  assert.deepEqual(leafOf(secret).dnsNames.sort(), ['example.com', 'www.example.com']);
  assert.match(leafOf(secret).issuer, /letsencrypt-production test CA/);
  // Events are written in the background, so they may trail the Certificate.
  await eventually(async () => {
    const events = await eventsOf(manager.client, objects[0]!);
    return events.some((e) => e.type === 'Normal' && e.reason === 'CreateCertificate' && e.message === 'Successfully created Certificate "production-tls"');
  }, 'CreateCertificate event');
});

test('bespoke: Ingress with issuer, issuer-kind and issuer-group annotations', async () => {
  const { certificate, secret } = await issued('issuer-annotations-tls');
  assert.deepEqual(certificate.spec.issuerRef, { name: 'ca', kind: 'Issuer', group: 'cert-manager.io' });
  assert.deepEqual(leafOf(secret).dnsNames, ['issuer.example.com']);
});

test('bespoke: Ingress with certificate field annotations carries exactly those values and issues', async () => {
  const { certificate, secret } = await issued('field-annotations-tls');
  assert.equal(certificate.spec.commonName, 'fields.example.com');
  assert.equal(certificate.spec.duration, '999h');
  assert.equal(certificate.spec.renewBefore, '111h');
  assert.equal(certificate.spec.revisionHistoryLimit, 7);
  assert.deepEqual(certificate.spec.privateKey, { algorithm: 'RSA', encoding: 'PKCS1', size: 4096, rotationPolicy: 'Always' });
  const keyPem = Buffer.from(secret.data!['tls.key']!, 'base64').toString('utf8');
  assert.match(keyPem, /^-----BEGIN RSA PRIVATE KEY-----/, 'PKCS#1 encoding');
  assert.equal(parsePrivateKey(keyPem).asymmetricKeyDetails?.modulusLength, 4096);
  const leaf = leafOf(secret);
  assert.equal(leaf.notAfter.getTime() - leaf.notBefore.getTime(), 999 * 3_600_000);
});

test('kubernetes.io/tls-acme: "true" uses the default issuer settings', async () => {
  const { certificate } = await issued('auto-tls');
  assert.deepEqual(certificate.spec.issuerRef, { name: 'letsencrypt-production', kind: 'ClusterIssuer', group: 'cert-manager.io' });
});

test('http01-edit-in-place: the Certificate names the Ingress for the solver and asks for a temporary certificate', async () => {
  const certificate = await eventually(() => cachedCertificate('edit-in-place-tls'), 'edit-in-place Certificate');
  assert.equal(certificate.metadata.annotations?.['acme.cert-manager.io/http01-override-ingress-name'], 'edit-in-place');
  assert.equal(certificate.metadata.annotations?.['cert-manager.io/issue-temporary-certificate'], 'true');
});

test('a bad annotation draws a Warning BadConfig naming it, and no Certificate', async () => {
  const events = await eventually(async () => {
    const found = (await eventsOf(manager.client, objects.find((o) => o.metadata.name === 'bad')!)).filter((e) => e.reason === 'BadConfig');
    return found.length > 0 ? found : undefined;
  }, 'BadConfig event');
  assert.deepEqual(events[0], { type: 'Warning', reason: 'BadConfig', message: 'invalid ingress annotation "cert-manager.io/duration": time: invalid duration "abc"' });
  assert.equal(await manager.client.find(CERTIFICATES, { namespace: NS, name: 'bad-tls' }), undefined);
});

test('§4.4: a new host updates the Certificate, a renamed Secret replaces it, deleting the Ingress deletes it', async () => {
  await issued('lifecycle-a');
  const patchTls = (tls: object[]) => manager.client.patch(INGRESSES, { namespace: NS, name: 'lifecycle' }, { spec: { tls } });
  await patchTls([{ hosts: ['a.example.com', 'b.example.com'], secretName: 'lifecycle-a' }]);
  await eventually(() => cachedCertificate('lifecycle-a')?.spec.dnsNames?.length === 2, 'dnsNames updated');
  const { secret } = await issued('lifecycle-a');
  assert.deepEqual(leafOf(secret).dnsNames.sort(), ['a.example.com', 'b.example.com']);

  await patchTls([{ hosts: ['a.example.com', 'b.example.com'], secretName: 'lifecycle-b' }]);
  await issued('lifecycle-b');
  await eventually(() => cachedCertificate('lifecycle-a') === undefined, 'old Certificate deleted');
  const expected = [
    'CreateCertificate: Successfully created Certificate "lifecycle-a"',
    'UpdateCertificate: Successfully updated Certificate "lifecycle-a"',
    'CreateCertificate: Successfully created Certificate "lifecycle-b"',
    'DeleteCertificate: Successfully deleted unrequired Certificate "lifecycle-a"',
  ];
  await eventually(async () => {
    const reasons = (await eventsOf(manager.client, objects.find((o) => o.metadata.name === 'lifecycle')!)).map((e) => `${e.reason}: ${e.message}`);
    return expected.every((e) => reasons.includes(e));
  }, `events ${expected.join('; ')}`);

  await manager.client.delete(INGRESSES, { namespace: NS, name: 'lifecycle' });
  await eventually(() => cachedCertificate('lifecycle-b') === undefined, 'Certificate garbage-collected with its Ingress');
});

test('bespoke: Gateway with annotations', async () => {
  const { certificate, secret } = await issued('gw-annotations-tls');
  assert.deepEqual(certificate.spec.dnsNames, ['gw.example.com']);
  assert.equal(certificate.spec.commonName, 'gw.example.com');
  assert.equal(certificate.spec.duration, '720h');
  assert.equal(certificate.spec.renewBefore, '240h');
  assert.equal(certificate.metadata.annotations?.['acme.cert-manager.io/http01-parentrefname'], 'gw-annotations');
  assert.equal(certificate.metadata.ownerReferences?.[0]?.kind, 'Gateway');
  assert.deepEqual(leafOf(secret).dnsNames, ['gw.example.com']);
});

test('bespoke: Gateway with an extra protocol configured', async () => {
  const certificate = await eventually(() => cachedCertificate('gw-extra-tls'), 'extra-protocol Certificate');
  assert.deepEqual(certificate.spec.dnsNames, ['quic.example.com']);
  assert.equal(certificate.spec.secretName, 'gw-extra-tls');
});

test('bespoke: Gateway with ignore-tls-listeners: custom-tls-listener still gets Certificates for the others, merged by Secret', async () => {
  const { certificate } = await issued('kept-tls');
  assert.deepEqual(certificate.spec.dnsNames, ['kept.example.com', 'kept2.example.com']);
  assert.equal(await manager.client.find(CERTIFICATES, { namespace: NS, name: 'ignored-tls' }), undefined);
});

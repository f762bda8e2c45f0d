/**
 * R4 bad input, controller side: broken CA Secrets, references to missing or out-of-reach
 * issuers and Secrets, a corrupt issued Secret and a duplicate secretName, all in one running
 * controller next to a good Certificate. Each gets the exact condition a user would read, and the
 * good Certificate is issued regardless: one bad object never stalls the others.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Certificate, CertificateRequest, Condition, Issuer, ClusterIssuer } from '../../api/types.js';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { applyManifests } from '../../cli/manifests.js';
import { startManager, type Manager } from '../../controller/manager.js';
import { createLogger } from '../../controller/observability/log.js';
import { CERTIFICATE_REQUESTS, CERTIFICATES, CLUSTER_ISSUERS, ISSUERS } from '../../controller/runtime/resources.js';
import { encodePrivateKeyPem, generateCsr, generatePrivateKey, selfSignCertificate } from '../../pki/index.js';
import { eventually, tempDataDir } from '../../test/controller/certificates/reconciler-harness.js';

const NAMESPACE = 'r4-bad-objects';
const OTHER_NAMESPACE = 'r4-elsewhere';
const CLUSTER_RESOURCE_NAMESPACE = 'kube-system';
const DAY_MS = 86_400_000;
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

async function keyPair(isCA: boolean): Promise<{ certificatePem: string; keyPem: string }> {
  const key = await generatePrivateKey({ algorithm: 'ECDSA', size: 256 });
  const usages = isCA ? (['cert sign', 'crl sign'] as const) : (['digital signature'] as const);
  const csr = await generateCsr({ commonName: isCA ? 'r4 CA' : 'r4 leaf', isCA, usages: [...usages] }, key);
  const signed = await selfSignCertificate(csr, { isCA, usages: [...usages], now: new Date(Date.now() - DAY_MS), durationMs: 365 * DAY_MS }, key);
  return { certificatePem: signed.certificatePem, keyPem: encodePrivateKeyPem(key, 'PKCS8') };
}

function tlsSecret(namespace: string, name: string, data: Record<string, string | Buffer>) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

const caIssuer = (name: string, secretName: string) => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Issuer',
  metadata: { namespace: NAMESPACE, name },
  spec: { ca: { secretName } },
});

const certificate = (name: string, issuer: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { namespace: NAMESPACE, name },
  spec: { secretName: `${name}-tls`, dnsNames: [`${name}.r4.example.com`], issuerRef: { name: issuer, kind: 'Issuer' }, ...extra },
});

let cluster: LocalCluster;
let manager: Manager;
/** The oversized CA certificate data: its length is in the expected message. */
let oversizedPem = '';
const dataDir = tempDataDir('certwright-r4-');

before(async () => {
  cluster = await startLocalCluster({ dataDir: dataDir.path });
  manager = await startManager({ kubeConfig: cluster.kubeConfig, clusterResourceNamespace: CLUSTER_RESOURCE_NAMESPACE, logger: createLogger({ level: 'silent' }) });
  const ca = await keyPair(true);
  const otherCa = await keyPair(true);
  const leaf = await keyPair(false);
  await applyManifests(manager.client, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: OTHER_NAMESPACE } },
    tlsSecret(NAMESPACE, 'good-ca', { 'tls.crt': ca.certificatePem, 'tls.key': ca.keyPem }),
    tlsSecret(NAMESPACE, 'mismatched-ca', { 'tls.crt': ca.certificatePem, 'tls.key': otherCa.keyPem }),
    tlsSecret(NAMESPACE, 'leaf-not-ca', { 'tls.crt': leaf.certificatePem, 'tls.key': leaf.keyPem }),
    tlsSecret(NAMESPACE, 'garbage-ca', { 'tls.crt': 'not a certificate', 'tls.key': ca.keyPem }),
    tlsSecret(NAMESPACE, 'keyless-ca', { 'tls.crt': ca.certificatePem }),
    tlsSecret(NAMESPACE, 'oversized-ca', { 'tls.crt': (oversizedPem = `${ca.certificatePem}${'#'.repeat(400_000)}`), 'tls.key': ca.keyPem }),
    tlsSecret(OTHER_NAMESPACE, 'elsewhere-ca', { 'tls.crt': ca.certificatePem, 'tls.key': ca.keyPem }),
    caIssuer('good', 'good-ca'),
    caIssuer('missing-secret', 'no-such-secret'),
    caIssuer('mismatched', 'mismatched-ca'),
    caIssuer('not-a-ca', 'leaf-not-ca'),
    caIssuer('garbage', 'garbage-ca'),
    caIssuer('keyless', 'keyless-ca'),
    caIssuer('oversized', 'oversized-ca'),
    caIssuer('other-namespace-secret', 'elsewhere-ca'),
    { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'r4-secret-outside-resource-namespace' }, spec: { ca: { secretName: 'elsewhere-ca' } } },
    // An issued-looking Secret whose certificate is garbage: the Certificate must reissue over it.
    tlsSecret(NAMESPACE, 'corrupt-tls', { 'tls.crt': 'garbage', 'tls.key': 'garbage' }),
    certificate('good', 'good'),
    certificate('missing-issuer', 'no-such-issuer'),
    certificate('unready-issuer', 'mismatched'),
    certificate('corrupt', 'good', { secretName: 'corrupt-tls' }),
    certificate('duplicate-a', 'good', { secretName: 'shared-tls' }),
    certificate('duplicate-b', 'good', { secretName: 'shared-tls' }),
  ]);
});

after(async () => {
  await manager?.stop();
  await cluster?.close();
  dataDir.remove();
});

const condition = (object: { status?: { conditions?: Condition[] } } | undefined, type: string) => object?.status?.conditions?.find((c) => c.type === type);

async function issuerReady(name: string, kind: 'Issuer' | 'ClusterIssuer' = 'Issuer'): Promise<Condition> {
  return eventually(async () => {
    const issuer = kind === 'Issuer' ? await manager.client.get<Issuer>(ISSUERS, { namespace: NAMESPACE, name }) : await manager.client.get<ClusterIssuer>(CLUSTER_ISSUERS, { name });
    return condition(issuer, 'Ready');
  }, `${kind} ${name} Ready condition`, 30_000);
}

async function certificateCondition(name: string, type: string, status: string): Promise<Condition> {
  return eventually(async () => {
    const found = condition(await manager.client.get<Certificate>(CERTIFICATES, { namespace: NAMESPACE, name }), type);
    return found?.status === status ? found : undefined;
  }, `Certificate ${name} ${type}=${status}`, 30_000);
}

async function requestReady(certificateName: string): Promise<Condition> {
  return eventually(async () => {
    const requests = await manager.client.list<CertificateRequest>(CERTIFICATE_REQUESTS, { namespace: NAMESPACE });
    const request = requests.items.find((r) => r.metadata.annotations?.['cert-manager.io/certificate-name'] === certificateName);
    return condition(request, 'Ready');
  }, `CertificateRequest of ${certificateName} Ready condition`, 30_000);
}

const notReady = (reason: string, message: string) => ({ status: 'False', reason, message });
const pick = (c: Condition) => ({ status: c.status, reason: c.reason, message: c.message });

test('a CA Issuer whose Secret does not exist', async () => {
  assert.deepEqual(pick(await issuerReady('missing-secret')), notReady('ErrGetKeyPair', 'Error getting keypair for CA issuer: secrets "no-such-secret" not found'));
});

test('a CA Issuer whose key does not match its certificate', async () => {
  assert.deepEqual(pick(await issuerReady('mismatched')), notReady('ErrInvalidKeyPair', 'Error getting keypair for CA issuer: private key does not match certificate'));
});

test('a CA Issuer whose certificate is not a CA', async () => {
  assert.deepEqual(pick(await issuerReady('not-a-ca')), notReady('ErrInvalidKeyPair', 'Error getting keypair for CA issuer: certificate is not a CA'));
});

test('a CA Issuer whose certificate is not PEM', async () => {
  assert.deepEqual(pick(await issuerReady('garbage')), notReady('ErrGetKeyPair', 'Error getting keypair for CA issuer: no PEM block found in certificate chain'));
});

test('a CA Issuer whose Secret has no tls.key', async () => {
  assert.deepEqual(pick(await issuerReady('keyless')), notReady('ErrGetKeyPair', 'Error getting keypair for CA issuer: secret "keyless-ca" has no "tls.key" data'));
});

test('a CA Issuer whose certificate data is oversized', async () => {
  assert.deepEqual(pick(await issuerReady('oversized')), notReady('ErrGetKeyPair', `Error getting keypair for CA issuer: certificate chain is ${oversizedPem.length} bytes, more than the limit of 95000 bytes`));
});

test('an Issuer never reads a Secret of another namespace', async () => {
  assert.deepEqual(pick(await issuerReady('other-namespace-secret')), notReady('ErrGetKeyPair', 'Error getting keypair for CA issuer: secrets "elsewhere-ca" not found'));
});

test('a ClusterIssuer reads Secrets only in the cluster resource namespace', async () => {
  assert.deepEqual(pick(await issuerReady('r4-secret-outside-resource-namespace', 'ClusterIssuer')), notReady('ErrGetKeyPair', 'Error getting keypair for CA issuer: secrets "elsewhere-ca" not found'));
});

test('a Certificate whose Issuer does not exist waits with the reason on its request', async () => {
  assert.deepEqual(pick(await requestReady('missing-issuer')), {
    status: 'False',
    reason: 'Pending',
    message: 'Referenced "Issuer" not found: issuers.cert-manager.io "no-such-issuer" not found',
  });
});

test('a Certificate whose Issuer is not Ready waits with the reason on its request', async () => {
  assert.deepEqual(pick(await requestReady('unready-issuer')), { status: 'False', reason: 'Pending', message: 'Referenced issuer does not have a Ready status condition' });
});

test('the second Certificate for one secretName is blocked, naming the first', async () => {
  await certificateCondition('duplicate-a', 'Ready', 'True');
  const ready = await eventually(async () => {
    const found = condition(await manager.client.get<Certificate>(CERTIFICATES, { namespace: NAMESPACE, name: 'duplicate-b' }), 'Ready');
    return found?.reason === 'IncorrectCertificate' ? found : undefined;
  }, 'duplicate-b blocked as IncorrectCertificate', 30_000);
  assert.deepEqual(pick(ready), {
    status: 'False',
    reason: 'IncorrectCertificate',
    message:
      'Secret was issued for "duplicate-a". If this message is not transient, you might have two conflicting Certificates pointing to the same secret. ' +
      'Certificate "duplicate-a" uses the same Secret and issues into it',
  });
});

test('a corrupt issued Secret is reissued over', async () => {
  await certificateCondition('corrupt', 'Ready', 'True');
});

test('the good Certificate is issued regardless of its neighbours', async () => {
  await certificateCondition('good', 'Ready', 'True');
});

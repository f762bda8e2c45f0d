/**
 * The Vault issuer in a running certwright against the embedded API server and the HTTP Vault
 * double: Kubernetes auth with `serviceAccountRef` (the token comes from the API server's
 * TokenRequest API, and the double's token review authenticates it against that API server, as
 * Vault's TokenReview does), an Issuer on a sealed Vault that becomes Ready once Vault is unsealed,
 * and Certificates issued through both.
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, test } from 'node:test';
import type { Certificate, Issuer } from '../../api/types.js';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { applyManifests } from '../../cli/manifests.js';
import { startManager, type Manager } from '../../controller/manager.js';
import { createLogger } from '../../controller/observability/log.js';
import { CERTIFICATES, ISSUERS, SECRETS, type ResourceType } from '../../controller/runtime/resources.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { parseCertificateChain } from '../../pki/index.js';
import { tempDataDir } from '../../test/controller/certificates/reconciler-harness.js';
import { waitFor } from '../../test/issuers/cluster.js';
import { vaultPki, type VaultPki } from '../../test/doubles/vault/pki.js';
import { VaultDouble, type ServiceAccountIdentity } from '../../test/doubles/vault/server.js';

const NAMESPACE = 'vault-e2e';
const SERVICE_ACCOUNT = 'vault-issuer';
const SIGN_PATH = 'pki_int/sign/e2e';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const SERVICE_ACCOUNTS: ResourceType = { group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true };

const dataDir = tempDataDir('certwright-vault-e2e-');
let cluster: LocalCluster;
let manager: Manager;
let vault: VaultDouble;
let pki: VaultPki;
const reviewed: string[] = [];

/** Vault's TokenReview, done the one way the embedded API server offers: the token must authenticate a request. */
function reviewAgainstApiServer(jwt: string): Promise<ServiceAccountIdentity | undefined> {
  const url = new URL(`/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${SERVICE_ACCOUNT}`, cluster.server.url);
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: cluster.server.caCertificate, headers: { authorization: `Bearer ${jwt}` } }, (res) => {
        res.resume();
        res.on('end', () => {
          reviewed.push(jwt);
          resolve(res.statusCode === 200 ? { namespace: NAMESPACE, name: SERVICE_ACCOUNT, audiences: [] } : undefined);
        });
      })
      .on('error', reject);
  });
}

const TIMEOUT_MS = 45_000;

/** The issuer's Ready condition when it has `status`. */
const readyOf = (issuer: Issuer | undefined, status: 'True' | 'False') => issuer?.status?.conditions?.find((c) => c.type === 'Ready' && c.status === status);

function vaultIssuer(name: string, auth: object): Issuer {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Issuer',
    metadata: { namespace: NAMESPACE, name },
    spec: { vault: { server: vault.url, path: SIGN_PATH, caBundle: b64(pki.servingCa.certificatePem), auth } as never },
  };
}

function certificate(name: string, issuer: string): Certificate {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { namespace: NAMESPACE, name },
    spec: { secretName: `${name}-tls`, dnsNames: [`${name}.example.test`], issuerRef: { name: issuer, kind: 'Issuer' } },
  };
}

async function issued(name: string): Promise<KubeSecret> {
  return waitFor(
    `Certificate ${name} Ready`,
    async () => {
      const cert = await manager.client.get<Certificate>(CERTIFICATES, { namespace: NAMESPACE, name });
      if (cert.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True') return undefined;
      return manager.client.get<KubeSecret>(SECRETS, { namespace: NAMESPACE, name: `${name}-tls` });
    },
    TIMEOUT_MS,
  );
}

before(async () => {
  pki = await vaultPki();
  cluster = await startLocalCluster({ dataDir: dataDir.path });
  vault = await VaultDouble.start({
    tls: { certificatePem: pki.serving.certificatePem, keyPem: pki.serving.keyPem },
    pki: { mount: 'pki_int', role: 'e2e', signer: { certificatePem: pki.intermediate.certificatePem, key: pki.intermediate.key }, caChainPems: [pki.intermediate.certificatePem, pki.root.certificatePem] },
    policies: { e2e: [SIGN_PATH] },
    tokens: { 'hvs.e2e-token': { policies: ['e2e'], ttlSeconds: 0 } },
    kubernetes: {
      roles: { issuer: { serviceAccountNames: [SERVICE_ACCOUNT], serviceAccountNamespaces: [NAMESPACE], policies: ['e2e'], ttlSeconds: 3600 } },
      reviewToken: reviewAgainstApiServer,
    },
  });
  manager = await startManager({ kubeConfig: cluster.kubeConfig, logger: createLogger({ level: 'silent' }) });
  await applyManifests(manager.client, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: NAMESPACE, name: 'vault-token' }, type: 'Opaque', data: { token: b64('hvs.e2e-token') } } as KubeSecret,
  ]);
  await manager.client.create(SERVICE_ACCOUNTS, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace: NAMESPACE, name: SERVICE_ACCOUNT } });
});

after(async () => {
  await manager?.stop();
  await cluster?.close();
  await vault?.close();
  dataDir.remove();
});

test('Kubernetes auth with serviceAccountRef: a TokenRequest token logs in, the issuer is Ready and signs', async () => {
  await applyManifests(manager.client, [vaultIssuer('vault-k8s', { kubernetes: { role: 'issuer', serviceAccountRef: { name: SERVICE_ACCOUNT } } }), certificate('k8s-auth', 'vault-k8s')]);
  const ready = await waitFor('the Kubernetes-auth issuer Ready', () => readyOf(manager.informers.issuers.get({ namespace: NAMESPACE, name: 'vault-k8s' }), 'True'), TIMEOUT_MS);
  assert.equal(ready.reason, 'VaultVerified');
  assert.ok(reviewed.length >= 1 && reviewed.every((jwt) => jwt.startsWith('cw-sa.')), 'the JWT Vault reviewed is an API server ServiceAccount token');
  const secret = await issued('k8s-auth');
  const chain = parseCertificateChain(Buffer.from(secret.data!['tls.crt']!, 'base64').toString('utf8'));
  assert.deepEqual(
    chain.map((c) => c.commonName),
    ['', 'Vault PKI Intermediate'],
  );
  assert.equal(parseCertificateChain(Buffer.from(secret.data!['ca.crt']!, 'base64').toString('utf8'))[0]!.commonName, 'Vault PKI Root');
  assert.equal(vault.count('/v1/auth/kubernetes/login'), 1, 'readiness and signing share one login');
});

test('an Issuer on a sealed Vault is not Ready (VaultSealed) and becomes Ready once Vault is unsealed', async () => {
  vault.health = 'sealed';
  await applyManifests(manager.client, [vaultIssuer('vault-token', { tokenSecretRef: { name: 'vault-token' } }), certificate('after-unseal', 'vault-token')]);
  const sealed = await waitFor('the issuer not Ready', () => readyOf(manager.informers.issuers.get({ namespace: NAMESPACE, name: 'vault-token' }), 'False'), TIMEOUT_MS);
  assert.equal(sealed.reason, 'VaultSealed');
  assert.match(sealed.message ?? '', /Vault is sealed/);
  vault.health = 'active';
  const ready = await waitFor('the issuer Ready after unsealing', async () => readyOf(await manager.client.get<Issuer>(ISSUERS, { namespace: NAMESPACE, name: 'vault-token' }), 'True'), TIMEOUT_MS);
  assert.equal(ready.reason, 'VaultVerified');
  await issued('after-unseal');
});

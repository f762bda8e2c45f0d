/**
 * R5 secrets hygiene on the ACME and Vault paths: Certificates issued by Pebble (HTTP-01) and by
 * the Vault double, ECDSA and RSA keys, with the controller logging at trace level; then the ACME
 * account private key, every Certificate key (every Secret version) and the Vault intermediate's key
 * are searched for in the logs, Events, the status of every cert-manager and ACME object and
 * /metrics (the scan of secrets-hygiene.test.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import type { Issuer } from '../../api/types.js';
import { applyManifests } from '../../cli/manifests.js';
import { CERTIFICATE_REQUESTS, CERTIFICATES, CHALLENGES, CLUSTER_ISSUERS, ISSUERS, ORDERS, SECRETS } from '../../controller/runtime/resources.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { vaultPki, type VaultPki } from '../../test/doubles/vault/pki.js';
import { VaultDouble } from '../../test/doubles/vault/server.js';
import { namedMissing } from '../dns/bind9.js';
import { pebbleMissing } from '../acme/pebble.js';
import { acmeIssuerSpec, createCertificate, createIssuer, NAMESPACE, startAcmeEnv, testName, waitForCertificateReady, waitForIssuerReady, type AcmeEnv } from '../acme/harness.js';
import { defineKeyLeakTests, KeyLeakScan } from './key-leak-scan.js';

const skip = pebbleMissing() || namedMissing();
const SIGN_PATH = 'pki_int/sign/hygiene';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const KEYS = { ecdsa: { algorithm: 'ECDSA', size: 256 }, rsa: { algorithm: 'RSA', size: 2048, encoding: 'PKCS1' } } as const;

const scan = new KeyLeakScan();
let env: AcmeEnv;
let vault: VaultDouble;
let pki: VaultPki;
let accountKeySecret: string;

before(async () => {
  if (skip) return;
  pki = await vaultPki();
  scan.addKey(pki.intermediate.key);
  vault = await VaultDouble.start({
    tls: { certificatePem: pki.serving.certificatePem, keyPem: pki.serving.keyPem },
    pki: { mount: 'pki_int', role: 'hygiene', signer: { certificatePem: pki.intermediate.certificatePem, key: pki.intermediate.key }, caChainPems: [pki.intermediate.certificatePem, pki.root.certificatePem] },
    policies: { hygiene: [SIGN_PATH] },
    tokens: { 'hvs.hygiene-token': { policies: ['hygiene'], ttlSeconds: 0 } },
  });
  env = await startAcmeEnv({}, {}, scan.logger);
  scan.watchSecrets(env.manager);
  const acme = acmeIssuerSpec(env.pebble);
  accountKeySecret = acme.privateKeySecretRef.name;
  await createIssuer(env, 'acme', acme);
  await applyManifests(env.manager.client, [
    { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: NAMESPACE, name: 'vault-token' }, type: 'Opaque', data: { token: b64('hvs.hygiene-token') } } as KubeSecret,
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: { namespace: NAMESPACE, name: 'vault' },
      spec: { vault: { server: vault.url, path: SIGN_PATH, caBundle: b64(pki.servingCa.certificatePem), auth: { tokenSecretRef: { name: 'vault-token', key: 'token' } } } },
    } as Issuer,
  ]);
  await Promise.all([waitForIssuerReady(env, 'acme'), waitForIssuerReady(env, 'vault')]);
  const names: string[] = [];
  for (const issuer of ['acme', 'vault']) {
    for (const [label, privateKey] of Object.entries(KEYS)) {
      const name = `${issuer}-${label}`;
      names.push(name);
      await createCertificate(env, name, issuer, { dnsNames: [testName(name)], privateKey });
    }
  }
  await Promise.all(names.map((name) => waitForCertificateReady(env, name, 50_000)));
});

after(async () => {
  scan.stop();
  await env?.close();
  await vault?.close();
});

test('the ACME account key and the Vault signer key are among the keys looked for', { skip }, async () => {
  const secret = await env.manager.client.get<KubeSecret>(SECRETS, { namespace: NAMESPACE, name: accountKeySecret });
  const accountKey = createPrivateKey(Buffer.from(secret.data!['tls.key']!, 'base64').toString('utf8'));
  assert.ok(scan.holds(accountKey), 'the account key Secret was collected');
  assert.ok(scan.holds(pki.intermediate.key));
  // The scan can fail: each spelling of the account key, inside a log-like line, is caught.
  const der = (type: 'pkcs8' | 'sec1' | 'pkcs1') => accountKey.export({ format: 'der', type }) as Buffer;
  const alternate = accountKey.asymmetricKeyType === 'rsa' ? der('pkcs1') : der('sec1');
  const spellings = [accountKey.export({ format: 'pem', type: 'pkcs8' }) as string, der('pkcs8').toString('base64'), der('pkcs8').toString('hex'), alternate.toString('base64'), alternate.toString('hex')];
  for (const spelling of spellings) assert.throws(() => scan.assertClean('probe', `{"msg":"x","key":${JSON.stringify(spelling)}}`), /holds a/);
});

// The account key, 4 Certificate keys (ECDSA: PKCS#8 + SEC1, RSA: PKCS#8 + PKCS#1) and Vault's signer.
defineKeyLeakTests(() => ({ scan, manager: env.manager }), [CERTIFICATES, CERTIFICATE_REQUESTS, ISSUERS, CLUSTER_ISSUERS, ORDERS, CHALLENGES], { minKeys: 10, minLogLines: 5, skip });

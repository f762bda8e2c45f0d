/**
 * R5 secrets hygiene: run issuance of every key type and encoding, keystores, renewals and
 * failures with trace-level logs, then scan everything a user or an operator can read — every log
 * line, every Event, the status of every cert-manager object, the /metrics page — for any private
 * key the run produced (every version of every Secret, watched from the start, including the
 * short-lived next-private-key Secrets), as a PEM block, base64 of its DER, or hex of its DER.
 */
import { after, before } from 'node:test';
import type { Certificate } from '../../api/types.js';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { applyManifests } from '../../cli/manifests.js';
import { startManager, type Manager } from '../../controller/manager.js';
import { CERTIFICATE_REQUESTS, CERTIFICATES, CLUSTER_ISSUERS, ISSUERS } from '../../controller/runtime/resources.js';
import { encodePrivateKeyPem, generatePrivateKey } from '../../pki/index.js';
import { eventually, tempDataDir } from '../../test/controller/certificates/reconciler-harness.js';
import { defineKeyLeakTests, KeyLeakScan } from './key-leak-scan.js';

const NAMESPACE = 'r5-hygiene';
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

const certificate = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { namespace: NAMESPACE, name },
  spec: { secretName: `${name}-tls`, dnsNames: [`${name}.r5.example.com`], issuerRef: { name: 'r5-ca', kind: 'Issuer' }, ...spec },
});

let cluster: LocalCluster;
let manager: Manager;
const scan = new KeyLeakScan();
const dataDir = tempDataDir('certwright-r5-');
const NAMES = ['ecdsa', 'rsa-pkcs1', 'ed25519', 'keystores', 'combined', 'renewed'];

before(async () => {
  cluster = await startLocalCluster({ dataDir: dataDir.path });
  manager = await startManager({
    kubeConfig: cluster.kubeConfig,
    logger: scan.logger,
    metricsAddress: '127.0.0.1:0',
  });
  scan.watchSecrets(manager);
  // A CA Secret whose key does not match the certificate: its key must not leak through the error path.
  const strayKey = await generatePrivateKey({ algorithm: 'ECDSA', size: 256 });
  await applyManifests(manager.client, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: NAMESPACE, name: 'keystore-password' }, data: { password: b64('changeit') } },
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace: NAMESPACE, name: 'r5-selfsigned' }, spec: { selfSigned: {} } },
    certificate('r5-root', { isCA: true, commonName: 'r5 root', secretName: 'r5-root-tls', issuerRef: { name: 'r5-selfsigned', kind: 'Issuer' }, dnsNames: undefined }),
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace: NAMESPACE, name: 'r5-ca' }, spec: { ca: { secretName: 'r5-root-tls' } } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: NAMESPACE, name: 'stray-ca' },
      data: { 'tls.crt': b64('not a certificate'), 'tls.key': b64(encodePrivateKeyPem(strayKey, 'PKCS8')) },
    },
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace: NAMESPACE, name: 'r5-broken' }, spec: { ca: { secretName: 'stray-ca' } } },
    certificate('ecdsa', { privateKey: { algorithm: 'ECDSA', size: 384 } }),
    certificate('rsa-pkcs1', { privateKey: { algorithm: 'RSA', size: 2048, encoding: 'PKCS1' } }),
    certificate('ed25519', { privateKey: { algorithm: 'Ed25519', encoding: 'PKCS8' } }),
    certificate('keystores', {
      keystores: {
        pkcs12: { create: true, passwordSecretRef: { name: 'keystore-password', key: 'password' } },
        jks: { create: true, passwordSecretRef: { name: 'keystore-password', key: 'password' } },
      },
    }),
    certificate('combined', { additionalOutputFormats: [{ type: 'DER' }, { type: 'CombinedPEM' }] }),
    certificate('renewed', {}),
    certificate('unissuable', { issuerRef: { name: 'r5-broken', kind: 'Issuer' } }),
  ]);
  const ready = (name: string) => async () => {
    const c = await manager.client.get<Certificate>(CERTIFICATES, { namespace: NAMESPACE, name });
    return c?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ? c : undefined;
  };
  for (const name of NAMES) await eventually(ready(name), `${name} Ready`, 60_000);
  // A renewal with a new key (rotationPolicy Always), the way `cmctl renew` asks for one.
  const renewed = (await ready('renewed')())!;
  const issuing = { type: 'Issuing', status: 'True', reason: 'ManuallyTriggered', message: 'Certificate re-issuance manually triggered', lastTransitionTime: new Date().toISOString() } as const;
  await manager.client.updateStatus(CERTIFICATES, { ...renewed, status: { ...renewed.status, conditions: [...(renewed.status?.conditions ?? []), issuing] } });
  await eventually(async () => {
    const c = await manager.client.get<Certificate>(CERTIFICATES, { namespace: NAMESPACE, name: 'renewed' });
    return (c?.status?.revision ?? 0) >= 2 || undefined;
  }, 'renewed reissued', 60_000);
});

after(async () => {
  scan.stop();
  await manager?.stop();
  await cluster?.close();
  dataDir.remove();
});

// 7 issued + the root + next keys + the stray CA key.
defineKeyLeakTests(() => ({ scan, manager }), [CERTIFICATES, CERTIFICATE_REQUESTS, ISSUERS, CLUSTER_ISSUERS], { minKeys: 10, minLogLines: 6 });

/**
 * A controller restart (new manager, API server restarted on the same data directory) resumes
 * where the last one stopped: valid certificates are not reissued, renewal timers are armed from
 * status, and a next private key made before the restart is the key that ends up stored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Certificate } from '../../../api/types.js';
import { startLocalCluster } from '../../../cli/local-cluster.js';
import { ISSUERS, SECRETS } from '../../../controller/runtime/resources.js';
import { ManualClock } from '../../../controller/runtime/clock.js';
import { encodePrivateKeyPem, generateCsr, generatePrivateKey, selfSignCertificate } from '../../../pki/index.js';
import {
  cached,
  certificatePublicKeyOf,
  createCertificate,
  DAY_MS,
  dataOf,
  ensureSelfSignedClusterIssuer,
  eventsFor,
  eventually,
  getSecret,
  moveClockTo,
  publicKeyOf,
  ready,
  requests,
  settled,
  startWorld,
  tempDataDir,
} from './reconciler-harness.js';

test('after a restart: no reissue, no writes, renewal armed from status and fired at renewalTime', async () => {
  const dataDir = tempDataDir();
  try {
    const first = await startWorld({ dataDir: dataDir.path, namespace: 'apps' });
    await ensureSelfSignedClusterIssuer(first);
    await createCertificate(first, 'web');
    const issued = await ready(first, 'web', 1);
    await settled(first);
    const secretVersion = (await getSecret(first, 'web-tls')).metadata.resourceVersion;
    await first.stopManager();
    await first.cluster.close();

    const clock = new ManualClock(first.clock.now() + DAY_MS);
    const cluster = await startLocalCluster({ dataDir: dataDir.path });
    const second = await startWorld({ dataDir: dataDir.path, namespace: 'apps', cluster, clock });
    try {
      const renewalTime = Date.parse(issued.status!.renewalTime!);
      await settled(second);
      assert.equal(second.manager.certificates!.wakeDueAt('apps/web'), renewalTime, 'the renewal timer is armed again');
      assert.equal((await getSecret(second, 'web-tls')).metadata.resourceVersion, secretVersion, 'the Secret was not written');
      assert.equal(cached(second, 'web')?.metadata.resourceVersion, issued.metadata.resourceVersion, 'the status was not written');
      assert.deepEqual((await requests(second)).map((r) => r.metadata.name), ['web-1']);

      moveClockTo(second, renewalTime);
      await ready(second, 'web', 2);
      const leaf = dataOf(await getSecret(second, 'web-tls'), 'tls.crt')!;
      assert.ok(leaf.length > 0);
      assert.equal(Date.parse(cached(second, 'web')!.status!.notBefore!), renewalTime);
    } finally {
      await second.stopManager();
      await cluster.close();
    }
  } finally {
    dataDir.remove();
  }
});

async function caSecret(namespace: string, name: string, now: number) {
  const key = await generatePrivateKey({ algorithm: 'ECDSA' });
  const csr = await generateCsr({ commonName: 'Restart Test CA', isCA: true, usages: ['cert sign'] }, key);
  const signed = await selfSignCertificate(csr, { isCA: true, usages: ['cert sign'], now: new Date(now - DAY_MS), durationMs: 3650 * DAY_MS }, key);
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(signed.certificatePem), 'tls.key': b64(encodePrivateKeyPem(key, 'PKCS8')) },
  };
}

test('a next private key made before a restart is the one issued and stored', async () => {
  const dataDir = tempDataDir();
  try {
    const first = await startWorld({ dataDir: dataDir.path, namespace: 'apps' });
    await first.manager.client.create(ISSUERS, {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Issuer',
      metadata: { namespace: 'apps', name: 'ca' },
      spec: { ca: { secretName: 'root-ca' } },
    });
    await createCertificate(first, 'web', { issuerRef: { name: 'ca' } });
    // The CA Secret does not exist yet: the request waits, holding the next key's Secret name.
    const [request] = await eventually(async () => {
      const list = await requests(first);
      return list.length === 1 ? list : undefined;
    }, 'the request');
    const nextKeySecretName = request!.metadata.annotations!['cert-manager.io/private-key-secret-name']!;
    const nextKeyPem = dataOf(await getSecret(first, nextKeySecretName), 'tls.key')!;
    await eventually(() => cached(first, 'web')?.status?.nextPrivateKeySecretName === nextKeySecretName, 'status.nextPrivateKeySecretName');
    await settled(first);
    await first.stopManager();
    await first.cluster.close();

    const cluster = await startLocalCluster({ dataDir: dataDir.path });
    const second = await startWorld({ dataDir: dataDir.path, namespace: 'apps', cluster, clock: new ManualClock(first.clock.now()) });
    try {
      await second.manager.client.create(SECRETS, await caSecret('apps', 'root-ca', second.clock.now()));
      const issued: Certificate = await ready(second, 'web', 1);
      const secret = await getSecret(second, 'web-tls');
      assert.equal(publicKeyOf(dataOf(secret, 'tls.key')!), publicKeyOf(nextKeyPem), 'the stored key is the next key made before the restart');
      assert.equal(certificatePublicKeyOf(dataOf(secret, 'tls.crt')!), publicKeyOf(nextKeyPem));
      assert.equal(issued.status?.nextPrivateKeySecretName, undefined);
      assert.deepEqual((await requests(second)).map((r) => r.metadata.name), ['web-1']);
      const generated = (await eventsFor(second, 'web')).filter((e) => e.reason === 'Generated');
      assert.equal(generated.length, 1, 'one key was generated, before the restart');
      await eventually(async () => (await second.manager.client.find(SECRETS, { namespace: 'apps', name: nextKeySecretName })) === undefined, 'the used next-key Secret deleted');
    } finally {
      await second.stopManager();
      await cluster.close();
    }
  } finally {
    dataDir.remove();
  }
});

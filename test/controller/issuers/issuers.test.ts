import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClusterIssuer, Issuer } from '../../../api/types.js';
import { IssuerController } from '../../../controller/issuers/controller.js';
import { CLUSTER_ISSUERS, ISSUERS, SECRETS } from '../../../controller/runtime/resources.js';
import { createIssuerContext } from '../../../issuers/context.js';
import { builtinIssuers, IssuerRegistry } from '../../../issuers/registry.js';
import { selfSignedIssuer } from '../../../issuers/selfsigned.js';
import { condition, startTestCluster, waitFor, type TestCluster } from '../../issuers/cluster.js';
import { caSecret, clusterIssuer, issuer, selfSignedCa, type KeyPair } from '../../issuers/fixtures.js';

describe('Issuer and ClusterIssuer readiness controllers', () => {
  let cluster: TestCluster;
  let root: KeyPair;
  let notCa: KeyPair;
  const running: Array<IssuerController<Issuer> | IssuerController<ClusterIssuer>> = [];

  function startIssuers(options: Partial<ConstructorParameters<typeof IssuerController<Issuer>>[0]> = {}) {
    const controller = new IssuerController<Issuer>({
      kind: 'Issuer',
      informer: cluster.issuers,
      client: cluster.client,
      timers: cluster.timers,
      registry: builtinIssuers(),
      context: createIssuerContext({ client: cluster.client, clock: cluster.timers.clock, secretMaxAgeMs: 0 }),
      events: cluster.events,
      ...options,
    });
    controller.start();
    running.push(controller);
    return controller;
  }

  async function stopAll() {
    await Promise.all(running.splice(0).map((c) => c.stop()));
  }

  const readIssuer = (namespace: string, name: string) => cluster.client.get<Issuer>(ISSUERS, { namespace, name });

  before(async () => {
    cluster = await startTestCluster();
    root = await selfSignedCa();
    notCa = await selfSignedCa('just a leaf', false);
  });
  after(async () => {
    await stopAll();
    await cluster?.close();
  });

  it('marks a SelfSigned Issuer Ready (IsReady) with observedGeneration', async () => {
    await cluster.createNamespace('selfsigned');
    startIssuers();
    await cluster.client.create(ISSUERS, issuer({ selfSigned: {} }, 'selfsigned', 'self'));
    const ready = await waitFor('Ready', async () => condition(await readIssuer('selfsigned', 'self'), 'Ready'));
    assert.equal(ready.status, 'True');
    assert.equal(ready.reason, 'IsReady');
    assert.equal(ready.observedGeneration, 1);
    await stopAll();
  });

  it('CA Issuer: Secret missing → ErrGetKeyPair; Secret created → Ready KeyPairVerified at once (watched Secret); no writes while nothing changes', async () => {
    await cluster.createNamespace('ca-missing');
    const controller = startIssuers();
    await cluster.client.create(ISSUERS, issuer({ ca: { secretName: 'root-ca' } }, 'ca-missing', 'ca'));
    const missing = await waitFor('ErrGetKeyPair', async () => {
      const c = condition(await readIssuer('ca-missing', 'ca'), 'Ready');
      return c?.reason === 'ErrGetKeyPair' && c;
    });
    assert.equal(missing.status, 'False');
    assert.equal(missing.message, 'Error getting keypair for CA issuer: secrets "root-ca" not found');
    assert.deepEqual(controller.watchedSecrets, ['ca-missing/root-ca']);
    assert.ok((await cluster.eventsFor('ca', 'ca-missing')).some((e) => e.type === 'Warning' && e.reason === 'ErrGetKeyPair'));

    // The not-ready backoff is 5 s at first; the watch must make this much faster.
    const createdAt = Date.now();
    await cluster.client.create(SECRETS, caSecret('ca-missing', 'root-ca', root));
    const ready = await waitFor('KeyPairVerified', async () => {
      const c = condition(await readIssuer('ca-missing', 'ca'), 'Ready');
      return c?.status === 'True' && c;
    });
    assert.ok(Date.now() - createdAt < 4_000, 'the Secret watch, not the backoff timer, re-checked the issuer');
    assert.equal(ready.reason, 'KeyPairVerified');
    assert.equal(ready.message, 'Signing CA verified');
    assert.ok((await cluster.eventsFor('ca', 'ca-missing')).some((e) => e.type === 'Normal' && e.reason === 'KeyPairVerified'));

    // A Secret update that changes nothing re-runs setup but writes nothing.
    const before = (await readIssuer('ca-missing', 'ca')).metadata.resourceVersion;
    const current = await cluster.client.get<ReturnType<typeof caSecret>>(SECRETS, { namespace: 'ca-missing', name: 'root-ca' });
    await cluster.client.update(SECRETS, { ...current, metadata: { ...current.metadata, labels: { touched: 'yes' } } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await readIssuer('ca-missing', 'ca')).metadata.resourceVersion, before);

    // Deleting the issuer stops the watch.
    await cluster.client.delete(ISSUERS, { namespace: 'ca-missing', name: 'ca' });
    await waitFor('watch released', () => controller.watchedSecrets.length === 0);
    await stopAll();
  });

  it('CA Issuer: a certificate that is not a CA → ErrInvalidKeyPair; replaced by a CA → Ready', async () => {
    await cluster.createNamespace('ca-invalid');
    startIssuers();
    await cluster.client.create(SECRETS, caSecret('ca-invalid', 'keypair', notCa));
    await cluster.client.create(ISSUERS, issuer({ ca: { secretName: 'keypair' } }, 'ca-invalid', 'ca'));
    const invalid = await waitFor('ErrInvalidKeyPair', async () => {
      const c = condition(await readIssuer('ca-invalid', 'ca'), 'Ready');
      return c?.reason === 'ErrInvalidKeyPair' && c;
    });
    assert.equal(invalid.status, 'False');
    assert.equal(invalid.message, 'Error getting keypair for CA issuer: certificate is not a CA');

    const current = await cluster.client.get<ReturnType<typeof caSecret>>(SECRETS, { namespace: 'ca-invalid', name: 'keypair' });
    await cluster.client.update(SECRETS, { ...current, data: caSecret('ca-invalid', 'keypair', root).data });
    await waitFor('Ready after the Secret was fixed', async () => condition(await readIssuer('ca-invalid', 'ca'), 'Ready')?.status === 'True');
    await stopAll();
  });

  it('re-checks a not-ready issuer on the backoff timer when Secrets are not watched, and follows a spec change (observedGeneration)', async () => {
    await cluster.createNamespace('ca-backoff');
    const controller = startIssuers({ watchSecrets: false, notReadyBackoff: { baseMs: 100, maxMs: 200 } });
    await cluster.client.create(ISSUERS, issuer({ ca: { secretName: 'later' } }, 'ca-backoff', 'ca'));
    await waitFor('ErrGetKeyPair', async () => condition(await readIssuer('ca-backoff', 'ca'), 'Ready')?.reason === 'ErrGetKeyPair');
    assert.deepEqual(controller.watchedSecrets, []);
    await cluster.client.create(SECRETS, caSecret('ca-backoff', 'later', root));
    await waitFor('Ready from the backoff re-check', async () => condition(await readIssuer('ca-backoff', 'ca'), 'Ready')?.status === 'True');

    const current = await readIssuer('ca-backoff', 'ca');
    await cluster.client.update(ISSUERS, { ...current, spec: { ca: { secretName: 'other' } } });
    const changed = await waitFor('generation 2 observed', async () => {
      const c = condition(await readIssuer('ca-backoff', 'ca'), 'Ready');
      return c?.observedGeneration === 2 && c;
    });
    assert.equal(changed.reason, 'ErrGetKeyPair');
    assert.match(changed.message ?? '', /"other" not found/);
    await stopAll();
  });

  it('ClusterIssuer: reads its Secret from the cluster resource namespace; Events go to default', async () => {
    const controller = new IssuerController<ClusterIssuer>({
      kind: 'ClusterIssuer',
      informer: cluster.clusterIssuers,
      client: cluster.client,
      timers: cluster.timers,
      registry: builtinIssuers(),
      context: createIssuerContext({ client: cluster.client, clock: cluster.timers.clock, secretMaxAgeMs: 0 }),
      events: cluster.events,
    });
    controller.start();
    running.push(controller);
    await cluster.client.create(SECRETS, caSecret('kube-system', 'cluster-root', root));
    await cluster.client.create(CLUSTER_ISSUERS, clusterIssuer({ ca: { secretName: 'cluster-root' } }, 'cluster-ca'));
    await waitFor('ClusterIssuer Ready', async () => condition(await cluster.client.get<ClusterIssuer>(CLUSTER_ISSUERS, { name: 'cluster-ca' }), 'Ready')?.status === 'True');
    assert.deepEqual(controller.watchedSecrets, ['kube-system/cluster-root']);
    assert.ok((await cluster.eventsFor('cluster-ca', 'default')).some((e) => e.reason === 'KeyPairVerified'));
    await stopAll();
  });

  it('emits ErrInitIssuer and retries when setup throws', async () => {
    await cluster.createNamespace('init-error');
    let failed = false;
    const flaky = new IssuerRegistry([
      {
        ...selfSignedIssuer,
        setup: async (iss) => {
          if (iss.metadata.name === 'flaky' && !failed) {
            failed = true;
            throw new Error('API unreachable');
          }
          return { status: 'True', reason: 'IsReady', message: '' };
        },
      },
    ]);
    startIssuers({ registry: flaky, errorBackoff: { baseMs: 50, maxMs: 100 } });
    await cluster.client.create(ISSUERS, issuer({ selfSigned: {} }, 'init-error', 'flaky'));
    await waitFor('Ready after the retry', async () => condition(await readIssuer('init-error', 'flaky'), 'Ready')?.status === 'True');
    const events = await cluster.eventsFor('flaky', 'init-error');
    const init = events.find((e) => e.reason === 'ErrInitIssuer');
    assert.equal(init?.type, 'Warning');
    assert.equal(init?.message, 'Error initializing issuer: API unreachable');
    await stopAll();
  });
});

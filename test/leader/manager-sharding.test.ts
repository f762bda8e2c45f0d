/**
 * The manager's wiring of namespace scoping and sharding, against the embedded API server:
 * `namespace` keeps every cache to one namespace; with leader election the CertificateRequest
 * controllers' keys go to their Certificate's shard.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Certificate } from '../../api/types.js';
import { startManager, type Manager } from '../../controller/manager.js';
import { createLogger } from '../../controller/observability/log.js';
import { shardOf } from '../../controller/leader/shards.js';
import { APPROVER_CONTROLLER_NAME } from '../../controller/certificaterequests/approver.js';
import { NAMESPACES } from '../../cli/manifests.js';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { CERTIFICATES, CERTIFICATE_REQUESTS, ISSUERS } from '../../controller/runtime/resources.js';
import { certificateObject, eventually, tempDataDir } from '../controller/certificates/reconciler-harness.js';

const dataDir = tempDataDir('certwright-manager-sharding-');
let cluster: LocalCluster;
const managers: Manager[] = [];

before(async () => {
  cluster = await startLocalCluster({ dataDir: dataDir.path });
});

after(async () => {
  await Promise.all(managers.map((m) => m.stop()));
  await cluster?.close();
  dataDir.remove();
});

const logger = createLogger({ level: 'silent' });

test('namespace scoping: only that namespace is cached and reconciled; no ClusterIssuers', async () => {
  const manager = await startManager({ kubeConfig: cluster.kubeConfig, namespace: 'team-a', logger });
  managers.push(manager);
  const { client } = manager;
  for (const name of ['team-a', 'team-b']) {
    await client.apply(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'test', force: true });
    await client.create(ISSUERS, { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace: name, name: 'selfsigned' }, spec: { selfSigned: {} } });
    await client.create(CERTIFICATES, certificateObject(name, 'web', { secretName: 'web-tls', commonName: 'web', issuerRef: { name: 'selfsigned', kind: 'Issuer' } }));
  }
  assert.equal(manager.enabled.has('clusterissuers'), false);
  assert.equal(manager.informers.clusterIssuers, undefined);
  const ready = (namespace: string) => manager.informers.certificates.get({ namespace, name: 'web' })?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  await eventually(() => ready('team-a'), 'team-a/web Ready');
  assert.equal(manager.informers.certificates.get({ namespace: 'team-b', name: 'web' }), undefined, 'team-b is not cached');
  const teamB = await client.get<Certificate>(CERTIFICATES, { namespace: 'team-b', name: 'web' });
  assert.equal(teamB.status, undefined, 'team-b/web untouched');
  const requestsB = await client.list(CERTIFICATE_REQUESTS, { namespace: 'team-b' });
  assert.equal(requestsB.items.length, 0);
});

test('sharding: a CertificateRequest goes to its Certificate’s shard; a lone replica holds every shard', async () => {
  const manager = await startManager({
    kubeConfig: cluster.kubeConfig,
    namespace: 'team-a',
    logger,
    leaderElection: { namespace: 'team-a', identity: 'test_1', shards: 7, leaseDurationMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 15_000 },
  });
  managers.push(manager);
  const sharding = manager.sharding!;
  const request = manager.informers.certificateRequests.list('team-a')[0]!;
  assert.equal(request.metadata.annotations?.['cert-manager.io/certificate-name'], 'web');
  assert.equal(sharding.gate.shardOf(APPROVER_CONTROLLER_NAME, `team-a/${request.metadata.name}`), shardOf('team-a/web', 7));
  assert.equal(sharding.gate.shardOf('certificates', 'team-a/web'), shardOf('team-a/web', 7));
  // Alone, this replica takes all seven shards in its first round.
  await eventually(() => sharding.leases.ownedShards().length === 7, 'all shards held');
  const metrics = await manager.metrics.registry.metrics();
  assert.match(metrics, /leader_election_master_status\{name="certwright-shard-6"\} 1/);
});

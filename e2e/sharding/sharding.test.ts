/**
 * Sharding end to end: three `certwright run` processes with three shard Leases (2 s leases)
 * against the embedded API server split the Certificates; one is killed with SIGKILL mid-issuance.
 * Its shard moves to a survivor within about a lease duration, every Certificate becomes Ready,
 * and nothing is issued twice (one certificate per Secret, one CertificateRequest per Certificate,
 * as a watcher of every version sees). A survivor stopped with SIGTERM releases its Lease.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import type { Certificate, CertificateRequest } from '../../api/types.js';
import { CliProcess } from '../../bench/lifecycle/processes.js';
import { forEachConcurrently } from '../../bench/lifecycle/workload.js';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { applyManifests } from '../../cli/manifests.js';
import { LEASES, type Lease } from '../../controller/leader/leases.js';
import { KubeClient, type WatchStream } from '../../controller/runtime/client.js';
import { realClock } from '../../controller/runtime/clock.js';
import { CERTIFICATE_REQUESTS, CERTIFICATES, SECRETS } from '../../controller/runtime/resources.js';
import { TimerQueue } from '../../controller/runtime/timers.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { parseCertificateChain } from '../../pki/index.js';
import { caIssuerChain, eventually, tempDataDir } from '../../test/controller/certificates/reconciler-harness.js';

const COUNT = Number(process.env.SHARDING_COUNT ?? 90);
const NAMESPACE = 'sharding';
const LEASE_NAMESPACE = 'kube-system';
const SHARDS = 3;
const LEASE_DURATION_MS = 2000;

const dataDir = tempDataDir('certwright-sharding-');
let cluster: LocalCluster;
let client: KubeClient;
const watches: WatchStream[] = [];
const replicas: Array<{ process: CliProcess; identity?: string; acquired: string[] }> = [];

const serialsBySecret = new Map<string, Set<string>>();
const requestUidsByCertificate = new Map<string, Set<string>>();
const readyCertificates = new Set<string>();
let killed: { index: number; shards: string[]; movedAfterMs?: number } | undefined;

function startReplica(index: number): void {
  const args = [
    'run',
    '--kubeconfig',
    cluster.server.kubeconfigPath,
    '--metrics-address',
    '',
    '--health-address',
    '',
    '--log-level',
    'info',
    '--leader-elect',
    '--leader-election-namespace',
    LEASE_NAMESPACE,
    '--leader-election-shards',
    String(SHARDS),
    '--leader-election-lease-duration',
    `${LEASE_DURATION_MS}ms`,
    '--leader-election-renew-deadline',
    '1500ms',
    '--leader-election-retry-period',
    '250ms',
  ];
  const replica: (typeof replicas)[number] = { process: new CliProcess([], args, `${dataDir.path}/replica-${index}.log`), acquired: [] };
  replica.process.onLine((line) => {
    if (!line.includes('"shard acquired"')) return;
    const { identity, lease } = JSON.parse(line) as { identity: string; lease: string };
    replica.identity = identity;
    replica.acquired.push(lease);
  });
  replicas[index] = replica;
}

async function shardHolders(): Promise<Map<string, string>> {
  const leases = await client.list<Lease>(LEASES, { namespace: LEASE_NAMESPACE });
  return new Map(leases.items.filter((l) => l.metadata.name!.startsWith('certwright-shard-')).map((l) => [l.metadata.name!, l.spec?.holderIdentity ?? '']));
}

function createCertificates(): Promise<void> {
  return forEachConcurrently(Array.from({ length: COUNT }, (_, i) => i), 8, async (i) => {
    await client.create(CERTIFICATES, {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { namespace: NAMESPACE, name: `shard-${i}` },
      spec: {
        secretName: `shard-${i}-tls`,
        dnsNames: [`shard-${i}.example.com`],
        privateKey: { algorithm: 'ECDSA' },
        issuerRef: { name: 'sharding-ca', kind: 'Issuer' },
      },
    });
  });
}

before(async () => {
  cluster = await startLocalCluster({ dataDir: dataDir.path });
  client = new KubeClient({ kubeConfig: cluster.kubeConfig, timers: new TimerQueue(realClock) });
  await applyManifests(client, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }]);
  watches.push(
    client.watch<KubeSecret>(SECRETS, { namespace: NAMESPACE, resourceVersion: '0' }, (event) => {
      const pem = event.object.data?.['tls.crt'];
      if (!pem || event.type === 'DELETED') return;
      const serials = serialsBySecret.get(event.object.metadata.name!) ?? new Set<string>();
      serials.add(parseCertificateChain(Buffer.from(pem, 'base64').toString('utf8'))[0]!.serialNumber);
      serialsBySecret.set(event.object.metadata.name!, serials);
    }),
    client.watch<CertificateRequest>(CERTIFICATE_REQUESTS, { namespace: NAMESPACE, resourceVersion: '0' }, (event) => {
      const owner = event.object.metadata.annotations?.['cert-manager.io/certificate-name'];
      if (!owner) return;
      const uids = requestUidsByCertificate.get(owner) ?? new Set<string>();
      uids.add(event.object.metadata.uid!);
      requestUidsByCertificate.set(owner, uids);
    }),
    client.watch<Certificate>(CERTIFICATES, { namespace: NAMESPACE, resourceVersion: '0' }, (event) => {
      const ready = event.object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (ready && event.object.metadata.name!.startsWith('shard-')) readyCertificates.add(event.object.metadata.name!);
    }),
  );
  for (let i = 0; i < 3; i++) startReplica(i);
  // Each replica ends up with one shard: the first to start lets the others' shares go.
  await eventually(async () => new Set((await shardHolders()).values()).size === SHARDS && replicas.every((r) => r.identity), 'three shards held by three replicas', 30_000);
  await applyManifests(client, caIssuerChain(NAMESPACE, 'sharding'));
  const creating = createCertificates();
  await eventually(() => readyCertificates.size >= COUNT / 5, `${COUNT / 5} Certificates Ready`, 60_000);

  // Kill a replica holding a shard mid-issuance and time how long until the shard has another
  // holder. (On a loaded machine shares can shift for a moment: pick whoever holds shard 1 now.)
  const holders = await shardHolders();
  const index = replicas.findIndex((r) => r.identity === holders.get('certwright-shard-1'));
  assert.ok(index >= 0, `shard 1 held by a replica: ${JSON.stringify([...holders])}`);
  const victim = replicas[index]!;
  killed = { index, shards: [...holders].filter(([, holder]) => holder === victim.identity).map(([lease]) => lease) };
  process.kill(victim.process.pid, 'SIGKILL');
  const killedAt = performance.now();
  await victim.process.exited;
  await eventually(async () => {
    const now = await shardHolders();
    return killed!.shards.every((lease) => ![victim.identity, ''].includes(now.get(lease)!));
  }, `shards ${killed.shards} taken over`, 30_000);
  killed.movedAfterMs = performance.now() - killedAt;
  await creating;
  await eventually(() => readyCertificates.size >= COUNT, `all ${COUNT} Certificates Ready`, 120_000);
});

after(async () => {
  await Promise.all(replicas.map((r) => r?.process.stop()));
  for (const watch of watches) watch.stop();
  await cluster?.close();
  dataDir.remove();
});

test('the replicas split the shards, one each, before any work', () => {
  assert.equal(new Set(replicas.map((r) => r.identity)).size, 3);
});

test('a killed replica’s shards move to survivors within about a lease duration', (t) => {
  t.diagnostic(`shards ${killed?.shards} moved ${Math.round(killed?.movedAfterMs ?? NaN)} ms after the kill (lease duration ${LEASE_DURATION_MS} ms)`);
  assert.ok(killed!.shards.length >= 1);
  for (const lease of killed!.shards) {
    assert.ok(replicas.some((r, i) => i !== killed!.index && r.acquired.includes(lease)), `a survivor took ${lease}`);
  }
  // Lease duration plus retry periods; generous for a loaded 2-core machine (load 15+ seen).
  assert.ok(killed!.movedAfterMs! < LEASE_DURATION_MS + 8000, `took ${Math.round(killed!.movedAfterMs!)} ms`);
});

test('every Certificate is Ready', async () => {
  const certificates = await client.list<Certificate>(CERTIFICATES, { namespace: NAMESPACE });
  const notReady = certificates.items.filter((c) => !c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
  assert.deepEqual(notReady.map((c) => c.metadata.name), []);
  assert.equal(certificates.items.length, COUNT + 1);
});

test('nothing was issued twice: one certificate per Secret, one CertificateRequest per Certificate', () => {
  assert.ok(serialsBySecret.size >= COUNT);
  const twice = [...serialsBySecret].filter(([, serials]) => serials.size > 1).map(([name]) => name);
  const extraRequests = [...requestUidsByCertificate].filter(([, uids]) => uids.size > 1).map(([name]) => name);
  assert.deepEqual({ twice, extraRequests }, { twice: [], extraRequests: [] });
});

test('a replica stopped with SIGTERM releases its shard Lease (no waiting for it to expire)', async () => {
  const before = await shardHolders();
  const holders = new Set(before.values());
  const leaving = replicas.find((r, i) => i !== killed!.index && holders.has(r.identity!))!;
  const itsShards = [...before].filter(([, holder]) => holder === leaving.identity).map(([lease]) => lease);
  assert.ok(itsShards.length >= 1);
  await leaving.process.stop();
  const after = await shardHolders();
  for (const lease of itsShards) assert.notEqual(after.get(lease), leaving.identity, `${lease} still held by the stopped replica`);
  const leases = await client.list<Lease>(LEASES, { namespace: LEASE_NAMESPACE });
  const members = leases.items.filter((l) => l.metadata.name!.startsWith('certwright-member-')).map((l) => l.spec?.holderIdentity);
  assert.ok(!members.includes(leaving.identity), 'its member Lease is gone');
});

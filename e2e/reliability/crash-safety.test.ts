/**
 * R1 crash safety: the controller is killed with SIGKILL at random points while it issues
 * R1_COUNT Certificates (default 1,000) and restarted each time (R1_KILLS times, default 3;
 * `npm run soak` uses 20). A watcher sees every version of every Secret and CertificateRequest.
 * Afterwards: every Certificate Ready; no Secret version ever held a `tls.key` that does not match
 * its `tls.crt`; no Secret ever held two different certificates (nothing issued twice); each
 * Certificate had exactly one CertificateRequest; no next-private-key Secret is left behind.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { NEXT_PRIVATE_KEY_LABEL } from '../../api/well-known.js';
import type { Certificate, CertificateRequest } from '../../api/types.js';
import { CliProcess } from '../../bench/lifecycle/processes.js';
import { forEachConcurrently } from '../../bench/lifecycle/workload.js';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { applyManifests } from '../../cli/manifests.js';
import { KubeClient, type WatchStream } from '../../controller/runtime/client.js';
import { realClock } from '../../controller/runtime/clock.js';
import { CERTIFICATE_REQUESTS, CERTIFICATES, SECRETS } from '../../controller/runtime/resources.js';
import { TimerQueue } from '../../controller/runtime/timers.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { parseCertificateChain, parsePrivateKey, publicKeysEqual } from '../../pki/index.js';
import { caIssuerChain, eventually, tempDataDir } from '../../test/controller/certificates/reconciler-harness.js';

const COUNT = Number(process.env.R1_COUNT ?? 1000);
const KILLS = Number(process.env.R1_KILLS ?? 3);
const NAMESPACE = 'r1-crash';
const CREATE_CONCURRENCY = 64;

const dataDir = tempDataDir('certwright-r1-');
let cluster: LocalCluster;
let client: KubeClient;
let timers: TimerQueue;
let controller: CliProcess | undefined;
const watches: WatchStream[] = [];

/** What the watcher saw. */
const mismatchedSecretVersions: string[] = [];
const serialsBySecret = new Map<string, Set<string>>();
const requestUidsByCertificate = new Map<string, Set<string>>();
const readyCertificates = new Set<string>();
let kills = 0;
/** Secret and CertificateRequest versions in order, to explain a failure. */
const history: string[] = [];

function decoded(secret: KubeSecret, key: string): string | undefined {
  const value = secret.data?.[key];
  return value ? Buffer.from(value, 'base64').toString('utf8') : undefined;
}

function checkSecretVersion(secret: KubeSecret): void {
  const certificatePem = decoded(secret, 'tls.crt');
  const keyPem = decoded(secret, 'tls.key');
  if (!certificatePem || !keyPem) return;
  const where = `${secret.metadata.name}@${secret.metadata.resourceVersion}`;
  try {
    const leaf = parseCertificateChain(certificatePem)[0]!;
    if (!publicKeysEqual(parsePrivateKey(keyPem), leaf)) mismatchedSecretVersions.push(where);
    const serials = serialsBySecret.get(secret.metadata.name!) ?? new Set<string>();
    serials.add(leaf.serialNumber);
    history.push(`${secret.metadata.name} rv=${secret.metadata.resourceVersion} serial=${leaf.serialNumber.slice(0, 8)} kills=${kills}`);
    serialsBySecret.set(secret.metadata.name!, serials);
  } catch (err) {
    mismatchedSecretVersions.push(`${where}: ${(err as Error).message}`);
  }
}

function startController(): CliProcess {
  return new CliProcess([], ['run', '--kubeconfig', cluster.server.kubeconfigPath, '--metrics-address', '', '--health-address', '', '--log-level', 'warn'], `${dataDir.path}/controller.log`);
}

/** Ready counts at which the controller is killed: distinct, random, inside the run. */
function killPoints(): number[] {
  const points = new Set<number>();
  while (points.size < Math.min(KILLS, COUNT - 2)) points.add(randomInt(Math.floor(COUNT * 0.05) + 1, Math.floor(COUNT * 0.95)));
  return [...points].sort((a, b) => a - b);
}

function createCertificates(): Promise<void> {
  return forEachConcurrently(Array.from({ length: COUNT }, (_, i) => i), CREATE_CONCURRENCY, async (i) => {
    await client.create(CERTIFICATES, {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { namespace: NAMESPACE, name: `crash-${i}` },
      spec: { secretName: `crash-${i}-tls`, dnsNames: [`crash-${i}.r1.example.com`], revisionHistoryLimit: 1, issuerRef: { name: 'r1-ca', kind: 'Issuer' } },
    });
  });
}

before(async () => {
  cluster = await startLocalCluster({ dataDir: dataDir.path });
  timers = new TimerQueue(realClock);
  client = new KubeClient({ kubeConfig: cluster.kubeConfig, timers });
  await applyManifests(client, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }]);
  watches.push(
    client.watch<KubeSecret>(SECRETS, { namespace: NAMESPACE, resourceVersion: '0' }, (event) => {
      if (event.type === 'ADDED' || event.type === 'MODIFIED') checkSecretVersion(event.object);
    }),
    client.watch<CertificateRequest>(CERTIFICATE_REQUESTS, { namespace: NAMESPACE, resourceVersion: '0' }, (event) => {
      const owner = event.object.metadata.annotations?.['cert-manager.io/certificate-name'];
      if (!owner) return;
      const uids = requestUidsByCertificate.get(owner) ?? new Set<string>();
      uids.add(event.object.metadata.uid!);
      history.push(`CR ${event.type} ${event.object.metadata.name} uid=${event.object.metadata.uid?.slice(0, 6)} rv=${event.object.metadata.resourceVersion} kills=${kills} owner=${owner} cert=${event.object.status?.certificate ? parseCertificateChain(Buffer.from(event.object.status.certificate, 'base64').toString())[0]!.serialNumber.slice(0, 8) : '-'}`);
      requestUidsByCertificate.set(owner, uids);
    }),
    client.watch<Certificate>(CERTIFICATES, { namespace: NAMESPACE, resourceVersion: '0' }, (event) => {
      const ready = event.object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (ready && event.object.metadata.name!.startsWith('crash-')) readyCertificates.add(event.object.metadata.name!);
    }),
  );
  controller = startController();
  await applyManifests(client, caIssuerChain(NAMESPACE, 'r1'));
  const creating = createCertificates();
  for (const point of killPoints()) {
    await eventually(() => readyCertificates.size >= point, `${point} Certificates Ready before kill ${kills + 1}`, 300_000);
    process.kill(controller.pid, 'SIGKILL');
    await controller.exited;
    kills++;
    controller = startController();
  }
  await creating;
  await eventually(() => readyCertificates.size >= COUNT, `all ${COUNT} Certificates Ready`, 300_000);
});

after(async () => {
  await controller?.stop();
  for (const watch of watches) watch.stop();
  await cluster?.close();
  dataDir.remove();
});

test('the controller was killed mid-issuance as often as asked', () => {
  assert.equal(kills, Math.min(KILLS, COUNT - 2));
});

test('every Certificate is Ready', async () => {
  const certificates = await client.list<Certificate>(CERTIFICATES, { namespace: NAMESPACE });
  const notReady = certificates.items.filter((c) => !c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
  assert.deepEqual(notReady.map((c) => c.metadata.name), []);
  assert.equal(certificates.items.length, COUNT + 1);
});

test('no Secret version ever held a key that does not match its certificate', () => {
  assert.ok(serialsBySecret.size >= COUNT, `${serialsBySecret.size} Secrets with a certificate seen`);
  assert.deepEqual(mismatchedSecretVersions, []);
});

test('nothing was issued twice: one certificate per Secret, one CertificateRequest per Certificate', () => {
  const twice = [...serialsBySecret].filter(([, serials]) => serials.size > 1).map(([name]) => name);
  const extraRequests = [...requestUidsByCertificate].filter(([, uids]) => uids.size > 1).map(([name]) => name);
  assert.deepEqual({ twice, extraRequests }, { twice: [], extraRequests: [] }, JSON.stringify(history.filter((h) => twice.some((t) => h.includes(t.replace(/-tls$/, ''))))));
});

test('no next-private-key Secret is left behind and requests stay within revisionHistoryLimit', async () => {
  await eventually(async () => {
    const leftover = await client.list<KubeSecret>(SECRETS, { namespace: NAMESPACE, labelSelector: `${NEXT_PRIVATE_KEY_LABEL}=true` });
    return leftover.items.length === 0;
  }, 'next-private-key Secrets cleaned up', 60_000);
  const requests = await client.list<CertificateRequest>(CERTIFICATE_REQUESTS, { namespace: NAMESPACE });
  const perCertificate = new Map<string, number>();
  for (const r of requests.items) {
    const owner = r.metadata.annotations?.['cert-manager.io/certificate-name'] ?? '';
    perCertificate.set(owner, (perCertificate.get(owner) ?? 0) + 1);
  }
  assert.deepEqual([...perCertificate].filter(([, n]) => n > 1), []);
});

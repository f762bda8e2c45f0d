/**
 * examples/acme/ passes admission on the embedded API server (schema, defaulting and the webhook's
 * validation, as `kubectl apply` would meet them) and is stored as written; the same Issuer with a
 * mistake is refused, so the check is real. No controller runs: nothing talks to Let's Encrypt.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { ClusterIssuer, Issuer } from '../../api/types.js';
import type { KubeObject } from '../../apiserver/admission.js';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { applyManifests, readManifests } from '../../cli/manifests.js';
import { isInvalid } from '../../controller/runtime/api-error.js';
import { KubeClient } from '../../controller/runtime/client.js';
import { realClock } from '../../controller/runtime/clock.js';
import { CLUSTER_ISSUERS, ISSUERS } from '../../controller/runtime/resources.js';
import { TimerQueue } from '../../controller/runtime/timers.js';
import { tempDataDir } from '../controller/certificates/reconciler-harness.js';

/** The examples are not compiled, so they are read from the source tree. */
const EXAMPLES = fileURLToPath(new URL('../../../examples/acme', import.meta.url));
const dataDir = tempDataDir('certwright-acme-examples-');
let cluster: LocalCluster;
let client: KubeClient;
let examples: KubeObject[];

before(async () => {
  cluster = await startLocalCluster({ dataDir: dataDir.path });
  client = new KubeClient({ kubeConfig: cluster.kubeConfig, timers: new TimerQueue(realClock) });
  examples = await readManifests(EXAMPLES);
});
after(async () => {
  await client?.close();
  await cluster?.close();
  dataDir.remove();
});

test('every example object is admitted and stored', async () => {
  assert.deepEqual(examples.map((o) => o.kind).sort(), ['Certificate', 'Certificate', 'ClusterIssuer', 'Issuer', 'Namespace', 'Namespace', 'Secret', 'Secret']);
  const applied = await applyManifests(client, examples);
  assert.equal(applied.length, examples.length);
  const staging = await client.get<Issuer>(ISSUERS, { namespace: 'web', name: 'letsencrypt-staging' });
  assert.deepEqual(staging.spec.acme?.solvers, [{ http01: { ingress: { ingressClassName: 'nginx' } } }]);
  const dns01 = await client.get<ClusterIssuer>(CLUSTER_ISSUERS, { name: 'letsencrypt-staging-dns01' });
  assert.deepEqual(dns01.spec.acme?.solvers?.map((s) => [s.selector?.dnsZones, Object.keys(s.dns01 ?? {})]), [
    [['aws.example.com'], ['route53']],
    [['example.org'], ['cloudflare']],
  ]);
});

test('the HTTP-01 Issuer with both ingressClassName and class is refused', async () => {
  const staging = examples.find((o) => o.kind === 'Issuer') as Issuer;
  const broken: Issuer = { ...staging, metadata: { ...staging.metadata, name: 'broken' }, spec: { acme: { ...staging.spec.acme!, solvers: [{ http01: { ingress: { ingressClassName: 'nginx', class: 'nginx' } } }] } } };
  await assert.rejects(client.create(ISSUERS, broken), (err) => isInvalid(err) && /only one of/i.test(String((err as Error).message)));
});

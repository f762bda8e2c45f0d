/**
 * HTTP-01 in pod mode (`--acme-http01-solver-mode=pod`, cert-manager's way) against a real Pebble:
 * a Challenge gets a solver Pod, its Service and a solver Ingress routed to it, with cert-manager's
 * shape and the `podTemplate` merged in; all go with the Challenge. The embedded API server stores
 * Pods but runs nothing, so this test plays the kubelet: for each solver Pod it starts the Pod's
 * command line (`certwright acme-http01-solver …`) on the port Pebble validates against, where the
 * Pod's Service and Ingress would route in a cluster. No ingress controller routes anything here.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Certificate, Challenge } from '../../api/types.js';
import type { KubeObject } from '../../apiserver/admission.js';
import { INGRESSES } from '../../controller/ingress-shim/ingress.js';
import type { WatchEvent, WatchStream } from '../../controller/runtime/client.js';
import { CERTIFICATES, PODS, SERVICES } from '../../controller/runtime/resources.js';
import { solverObjectName, type SolverIngress, type SolverPod, type SolverPodService } from '../../solvers/http01/solver-objects.js';
import { namedMissing } from '../dns/bind9.js';
import { pebbleMissing } from './pebble.js';
import { acmeIssuerSpec, createIssuer, issuedChain, NAMESPACE, startAcmeEnv, testName, waitFor, waitForCertificateReady, waitForDeleted, waitForIssuerReady, type AcmeEnv } from './harness.js';

const skip = pebbleMissing() || namedMissing();
const MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const POD_OPTIONS = { image: 'registry.example/certwright:test', requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' }, runAsNonRoot: true };
let env: AcmeEnv;
const watches: WatchStream[] = [];
const running = new Map<string, ChildProcess>();
const seen = new Map<string, KubeObject>();

/** The kubelet's part: run a solver Pod's command where Pebble connects, stop it when the Pod goes. */
function kubelet(event: WatchEvent<SolverPod>): void {
  const name = event.object.metadata.name!;
  if (event.type === 'ADDED' && !running.has(name)) {
    seen.set(`Pod/${name}`, event.object);
    const args = event.object.spec.containers[0]!.args.map((arg) => (arg.startsWith('--listen-port=') ? `--listen-port=${env.pebble.httpPort}` : arg));
    running.set(name, spawn(process.execPath, [MAIN, ...args, '--listen-host=127.0.0.1'], { stdio: 'ignore' }));
  }
  if (event.type === 'DELETED') {
    running.get(name)?.kill('SIGTERM');
    running.delete(name);
  }
}

before(async () => {
  if (skip) return;
  env = await startAcmeEnv({}, { http01SolverMode: 'pod', http01SolverPod: POD_OPTIONS });
  watches.push(env.manager.client.watch<SolverPod>(PODS, { namespace: NAMESPACE }, kubelet));
  const record = (kind: string) => (event: WatchEvent<KubeObject>) => {
    if (event.type === 'ADDED') seen.set(`${kind}/${event.object.metadata.name}`, event.object);
  };
  watches.push(env.manager.client.watch(SERVICES, { namespace: NAMESPACE }, record('Service')), env.manager.client.watch(INGRESSES, { namespace: NAMESPACE }, record('Ingress')));
  const podTemplate = {
    metadata: { labels: { pool: 'acme' }, annotations: { 'example.com/owner': 'platform' } },
    spec: { nodeSelector: { 'node-role': 'edge' }, tolerations: [{ key: 'edge', operator: 'Exists', effect: 'NoSchedule' }], priorityClassName: 'acme-solvers' },
  };
  await createIssuer(env, 'pods', acmeIssuerSpec(env.pebble, { solvers: [{ http01: { ingress: { class: 'nginx', serviceType: 'ClusterIP', podTemplate } } }] }));
  await waitForIssuerReady(env, 'pods');
});
after(async () => {
  watches.forEach((w) => w.stop());
  for (const child of running.values()) child.kill('SIGTERM');
  await env?.close();
});

test('a solver Pod, its Service and an Ingress to it answer the challenge; the Certificate is issued and they are deleted', { skip }, async () => {
  const dnsName = testName('pod');
  await env.manager.client.create<Certificate>(CERTIFICATES, {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'pod', namespace: NAMESPACE },
    spec: { secretName: 'pod-tls', issuerRef: { name: 'pods' }, dnsNames: [dnsName] },
  });
  const challenge = await waitFor(() => (env.manager.acme!.challenges.list(NAMESPACE) as Challenge[]).find((c) => c.spec.dnsName === dnsName), 'the Challenge');
  const name = solverObjectName(challenge);
  const certificate = await waitForCertificateReady(env, 'pod');
  const [leaf] = await issuedChain(env, certificate);
  assert.deepEqual(leaf!.dnsNames, [dnsName]);

  const pod = seen.get(`Pod/${name}`) as SolverPod;
  assert.ok(pod, `the solver Pod was created: ${[...seen.keys()].join(', ')}`);
  assert.equal(pod.metadata.labels?.['acme.cert-manager.io/http01-solver'], 'true');
  assert.equal(pod.metadata.labels?.pool, 'acme');
  assert.deepEqual(pod.metadata.annotations, { 'sidecar.istio.io/inject': 'false', 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true', 'example.com/owner': 'platform' });
  assert.deepEqual(pod.metadata.ownerReferences?.map((r) => [r.kind, r.name]), [['Challenge', challenge.metadata.name]]);
  assert.deepEqual(pod.spec.nodeSelector, { 'kubernetes.io/os': 'linux', 'node-role': 'edge' });
  assert.deepEqual(pod.spec.tolerations, [{ key: 'edge', operator: 'Exists', effect: 'NoSchedule' }]);
  assert.equal(pod.spec.priorityClassName, 'acme-solvers');
  assert.equal(pod.spec.automountServiceAccountToken, false);
  assert.deepEqual(pod.spec.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  const [container] = pod.spec.containers;
  assert.equal(container!.image, POD_OPTIONS.image);
  assert.deepEqual(container!.args, ['acme-http01-solver', '--listen-port=8089', `--domain=${dnsName}`, `--token=${challenge.spec.token}`, `--key=${challenge.spec.key}`]);
  assert.deepEqual(container!.resources, { requests: POD_OPTIONS.requests, limits: POD_OPTIONS.limits });
  assert.deepEqual(container!.securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });

  const service = seen.get(`Service/${name}`) as SolverPodService;
  assert.equal(service.spec.type, 'ClusterIP', 'the solver serviceType');
  assert.deepEqual(service.spec.ports.map((p) => [p.port, p.targetPort]), [[8089, 8089]]);
  assert.equal(service.spec.selector['acme.cert-manager.io/http-token'], pod.metadata.labels?.['acme.cert-manager.io/http-token'], 'the Service selects the Pod');

  const ingress = seen.get(`Ingress/${name}`) as SolverIngress;
  assert.equal(ingress.metadata.annotations?.['kubernetes.io/ingress.class'], 'nginx');
  assert.deepEqual(ingress.spec?.rules?.[0]?.http?.paths[0]?.backend, { service: { name, port: { number: 8089 } } });

  for (const type of [PODS, SERVICES, INGRESSES]) {
    await waitForDeleted(env, type, name);
  }
});

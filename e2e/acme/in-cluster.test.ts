/**
 * HTTP-01 in a cluster (`--acme-http01-solver-mode=service`) against the embedded API server with
 * the Gateway API CRDs and a real Pebble that reuses every valid authorization: the solver Ingress
 * (class, template), the HTTPRoute and the ExternalName Service to the token Service have
 * cert-manager's shape and go with their Challenge; an Ingress named by the edit-in-place override
 * annotation gains the challenge path and loses it again, nothing else touched; a Certificate is
 * issued while its solver Ingress exists, and a second one for the same name reuses the valid
 * authorization without a Challenge. There is no ingress controller here, so the Ingresses route
 * nothing: Pebble validates straight against the token listener's port, as in local mode. Solvers
 * that must stay presented wait (`waitInsteadOfSelfCheck`) instead of being accepted.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Certificate, Challenge, Order } from '../../api/types.js';
import type { KubeObject } from '../../apiserver/admission.js';
import { applyManifests, readManifests } from '../../cli/manifests.js';
import { INGRESSES } from '../../controller/ingress-shim/ingress.js';
import { parseExposition } from '../../controller/observability/exposition.js';
import { checkMetrics, promtoolSkip } from '../../controller/observability/promtool.js';
import type { WatchEvent } from '../../controller/runtime/client.js';
import { CERTIFICATES, CHALLENGES, HTTP_ROUTES, SERVICES, type ResourceType } from '../../controller/runtime/resources.js';
import { namedMissing } from '../dns/bind9.js';
import { GATEWAY_API_CRDS } from '../shims/helpers.js';
import { pebbleMissing } from './pebble.js';
import { acmeIssuerSpec, createIssuer, NAMESPACE, startAcmeEnv, testName, waitFor, waitForCertificateReady, waitForDeleted, waitForIssuerReady, type AcmeEnv } from './harness.js';
import { adler32, solverObjectName, type SolverHttpRoute, type SolverIngress, type ProxyService } from '../../solvers/http01/solver-objects.js';

const skip = pebbleMissing() || namedMissing();
const TOKEN_SERVICE = { name: 'certwright-http01', namespace: 'certwright', port: 80 };
const names = { classed: testName('classed'), routed: testName('routed'), inPlace: testName('inplace'), issued: testName('issued') };
let env: AcmeEnv;

before(async () => {
  if (skip) return;
  env = await startAcmeEnv({ authzReusePercent: 100 }, { http01SolverMode: 'service', http01SolverService: TOKEN_SERVICE });
  await applyManifests(env.manager.client, await readManifests(GATEWAY_API_CRDS));
  const held = { waitInsteadOfSelfCheck: '1h' };
  await createIssuer(
    env,
    'cluster',
    acmeIssuerSpec(env.pebble, {
      solvers: [
        { ...held, selector: { dnsNames: [names.classed] }, http01: { ingress: { class: 'nginx', ingressTemplate: { metadata: { labels: { team: 'web' }, annotations: { note: 'x' } } } } } },
        { ...held, selector: { dnsNames: [names.routed] }, http01: { gatewayHTTPRoute: { labels: { route: 'acme' }, parentRefs: [{ kind: 'Gateway', name: 'gw', namespace: 'infra' }] } } },
        { ...held, selector: { dnsNames: [names.inPlace] }, http01: { ingress: { ingressClassName: 'public' } } },
        { http01: { ingress: { ingressClassName: 'public' } } },
      ],
    }),
  );
  await waitForIssuerReady(env, 'cluster');
});
after(async () => {
  await env?.close();
});

async function createCertificate(name: string, dnsNames: string[], annotations: Record<string, string> = {}): Promise<void> {
  await env.manager.client.create<Certificate>(CERTIFICATES, {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name, namespace: NAMESPACE, annotations },
    spec: { secretName: `${name}-tls`, issuerRef: { name: 'cluster' }, dnsNames },
  });
}

const challengeFor = (dnsName: string) => (env.manager.acme!.challenges.list(NAMESPACE) as Challenge[]).find((c) => c.spec.dnsName === dnsName && c.status?.presented);
const find = <T extends KubeObject>(type: ResourceType, name: string) => env.manager.client.find<T>(type, { namespace: NAMESPACE, name });

const gone = (type: ResourceType, name: string) => waitForDeleted(env, type, name);

async function deleteCertificate(name: string): Promise<void> {
  await env.manager.client.delete(CERTIFICATES, { namespace: NAMESPACE, name }, { propagationPolicy: 'Background' });
}

function assertSolverMetadata(obj: KubeObject, challenge: Challenge): void {
  assert.equal(obj.metadata.labels?.['acme.cert-manager.io/http01-solver'], 'true');
  assert.equal(obj.metadata.labels?.['acme.cert-manager.io/http-domain'], String(adler32(challenge.spec.dnsName)));
  assert.equal(obj.metadata.labels?.['acme.cert-manager.io/http-token'], String(adler32(challenge.spec.token)));
  assert.deepEqual(
    obj.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]),
    [['Challenge', challenge.metadata.name, challenge.metadata.uid, true]],
  );
}

test('a presented Challenge has its solver Ingress / HTTPRoute and ExternalName Service, with the challenge status metric; all go with the Challenge', { skip }, async () => {
  await createCertificate('routed', [names.classed, names.routed]);
  const classed = await waitFor(() => challengeFor(names.classed), 'classed Challenge presented');
  const routed = await waitFor(() => challengeFor(names.routed), 'routed Challenge presented');
  const proxyName = solverObjectName(classed);

  const ingress = (await find<SolverIngress>(INGRESSES, solverObjectName(classed)))!;
  assertSolverMetadata(ingress, classed);
  assert.equal(ingress.metadata.labels?.team, 'web');
  assert.deepEqual(ingress.metadata.annotations, { 'nginx.ingress.kubernetes.io/whitelist-source-range': '0.0.0.0/0,::/0', 'kubernetes.io/ingress.class': 'nginx', note: 'x' });
  assert.deepEqual(ingress.spec, {
    rules: [
      {
        host: names.classed,
        http: { paths: [{ path: `/.well-known/acme-challenge/${classed.spec.token}`, pathType: 'Exact', backend: { service: { name: proxyName, port: { number: 80 } } } }] },
      },
    ],
  });
  const proxy = (await find<ProxyService>(SERVICES, proxyName))!;
  assertSolverMetadata(proxy, classed);
  assert.equal(proxy.spec.type, 'ExternalName');
  assert.equal(proxy.spec.externalName, 'certwright-http01.certwright.svc.cluster.local', 'the Challenge namespace reaches the token Service through it');

  const route = (await find<SolverHttpRoute>(HTTP_ROUTES, solverObjectName(routed)))!;
  assertSolverMetadata(route, routed);
  assert.equal(route.metadata.labels?.route, 'acme');
  assert.deepEqual(route.spec.parentRefs, [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', namespace: 'infra' }], 'the solver parentRefs (group defaulted by the CRD)');
  assert.deepEqual(route.spec.hostnames, [names.routed]);
  assert.deepEqual(route.spec.rules[0]!.matches, [{ path: { type: 'Exact', value: `/.well-known/acme-challenge/${routed.spec.token}` } }]);
  assert.deepEqual(route.spec.rules[0]!.backendRefs.map((b) => [b.kind, b.name, b.port]), [['Service', solverObjectName(routed), 80]]);

  const exposition = await (await fetch(`${env.manager.metricsUrl}/metrics`)).text();
  const pending = parseExposition(exposition).filter((s) => s.name === 'certmanager_certificate_challenge_status' && s.labels.status === 'pending' && s.value === 1);
  assert.deepEqual(pending.filter((s) => s.labels.domain === names.classed || s.labels.domain === names.routed).map((s) => [s.labels.domain, s.labels.type, s.labels.processing]).sort(), [
    [names.classed, 'HTTP-01', 'true'],
    [names.routed, 'HTTP-01', 'true'],
  ]);
  if (!promtoolSkip()) assert.ok((await checkMetrics(exposition)).parsed, 'promtool parses the exposition');

  await deleteCertificate('routed');
  await Promise.all([gone(INGRESSES, solverObjectName(classed)), gone(SERVICES, proxyName), gone(HTTP_ROUTES, solverObjectName(routed)), gone(CHALLENGES, classed.metadata.name!), gone(CHALLENGES, routed.metadata.name!)]);
});

test('the edit-in-place annotation adds the challenge path to the named Ingress and removes it, leaving the rest of the Ingress alone', { skip }, async () => {
  const original: SolverIngress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: NAMESPACE, labels: { app: 'web' }, annotations: { 'example.com/keep': 'me' } },
    spec: {
      ingressClassName: 'gce',
      tls: [{ hosts: [names.inPlace], secretName: 'web-tls' }],
      rules: [
        { host: names.inPlace, http: { paths: [{ path: '/', pathType: 'Prefix' as 'Exact', backend: { service: { name: 'web', port: { number: 8080 } } } }] } },
        { host: 'other.acme.test', http: { paths: [{ path: '/api', pathType: 'Prefix' as 'Exact', backend: { service: { name: 'api', port: { number: 9000 } } } }] } },
      ],
    },
  };
  await env.manager.client.create(INGRESSES, original);
  await createCertificate('inplace', [names.inPlace], { 'acme.cert-manager.io/http01-override-ingress-name': 'web' });
  const challenge = await waitFor(() => challengeFor(names.inPlace), 'in-place Challenge presented');
  assert.deepEqual(challenge.spec.solver.http01?.ingress, { name: 'web' }, 'the override replaced the solver ingressClassName');

  const edited = (await find<SolverIngress>(INGRESSES, 'web'))!;
  const [webRule, otherRule] = original.spec!.rules!;
  const challengePath = { path: `/.well-known/acme-challenge/${challenge.spec.token}`, pathType: 'Exact', backend: { service: { name: solverObjectName(challenge), port: { number: 80 } } } };
  assert.deepEqual(edited.spec, { ...original.spec, rules: [{ ...webRule, http: { paths: [...webRule!.http!.paths, challengePath] } }, otherRule] });
  assert.deepEqual([edited.metadata.labels, edited.metadata.annotations], [original.metadata.labels, original.metadata.annotations]);
  assert.equal(await find(INGRESSES, solverObjectName(challenge)), undefined, 'no solver Ingress of its own');

  await deleteCertificate('inplace');
  await gone(CHALLENGES, challenge.metadata.name!);
  const restored = (await find<SolverIngress>(INGRESSES, 'web'))!;
  assert.deepEqual(restored.spec, original.spec);
  assert.deepEqual([restored.metadata.labels, restored.metadata.annotations], [original.metadata.labels, original.metadata.annotations]);
});

test('issued through a solver Ingress; a second Certificate for the name reuses the valid authorization without a Challenge', { skip }, async () => {
  const ingresses: string[] = [];
  const challenges: string[] = [];
  const record = (into: string[]) => (event: WatchEvent<KubeObject>) => {
    if (event.type === 'ADDED') into.push(event.object.metadata.name!);
  };
  const watches = [env.manager.client.watch(INGRESSES, { namespace: NAMESPACE }, record(ingresses)), env.manager.client.watch(CHALLENGES, { namespace: NAMESPACE }, record(challenges))];
  try {
    await createCertificate('issued', [names.issued]);
    await waitForCertificateReady(env, 'issued');
    const issuedChallenges = challenges.filter((name) => name.startsWith('issued-'));
    assert.equal(issuedChallenges.length, 1, JSON.stringify(challenges));
    assert.ok(ingresses.includes(computeSolverName(issuedChallenges[0]!)), `the solver Ingress existed during issuance: ${JSON.stringify(ingresses)}`);
    await gone(INGRESSES, computeSolverName(issuedChallenges[0]!));

    await createCertificate('reused', [names.issued]);
    await waitForCertificateReady(env, 'reused');
    const order = (env.manager.acme!.orders.list(NAMESPACE) as Order[]).find((o) => o.metadata.name?.startsWith('reused-'));
    assert.deepEqual(order?.status?.authorizations?.map((a) => [a.identifier, a.initialState]), [[names.issued, 'valid']]);
    assert.deepEqual(challenges.filter((name) => name.startsWith('reused-')), [], 'no Challenge for a reused authorization');
  } finally {
    watches.forEach((w) => w.stop());
  }
});

/** The solver object name of a Challenge known by name only. */
const computeSolverName = (challengeName: string) => solverObjectName({ metadata: { name: challengeName } } as Challenge);

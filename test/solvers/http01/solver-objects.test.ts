/** The solver Ingress, the edit-in-place rules, the HTTPRoute and the backend, as cert-manager's HTTP-01 solver makes them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ACMEChallengeSolver, Challenge } from '../../../api/types.js';
import {
  adler32,
  challengeBackend,
  ingressPath,
  rulesWithChallengePath,
  rulesWithoutChallengePath,
  solverHttpRoute,
  solverIngress,
  solverObjectName,
  solverPod,
  solverPodService,
  type IngressRule,
} from '../../../solvers/http01/solver-objects.js';

const SERVICE = { name: 'certwright-http01', namespace: 'certwright', port: 80 };

function challenge(solver: ACMEChallengeSolver = { http01: { ingress: {} } }, namespace = 'apps'): Challenge {
  return {
    apiVersion: 'acme.cert-manager.io/v1',
    kind: 'Challenge',
    metadata: { name: 'web-1-2-3', namespace, uid: 'uid-1' },
    spec: {
      url: 'https://acme/chall/1',
      authorizationURL: 'https://acme/authz/1',
      dnsName: 'www.example.com',
      type: 'HTTP-01',
      token: 'tok_EN-1',
      key: 'tok_EN-1.thumb',
      solver,
      issuerRef: { name: 'le' },
    },
  };
}

test('adler32 is zlib Adler-32 (the value cert-manager puts in the http-domain and http-token labels)', () => {
  assert.equal(adler32('Wikipedia'), 0x11e60398);
  assert.equal(adler32(''), 1);
});

test('a Challenge outside the token Service namespace gets an ExternalName Service of its own to route to; one inside routes to the Service', () => {
  const elsewhere = challengeBackend(challenge(), SERVICE);
  assert.equal(elsewhere.serviceName, solverObjectName(challenge()));
  assert.match(elsewhere.serviceName, /^cm-acme-http-solver-\d+$/);
  assert.deepEqual(elsewhere.proxy?.spec, { type: 'ExternalName', externalName: 'certwright-http01.certwright.svc.cluster.local', ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] });
  assert.equal(elsewhere.proxy?.metadata.namespace, 'apps');
  assert.deepEqual(challengeBackend(challenge(undefined, 'certwright'), SERVICE), { serviceName: 'certwright-http01', port: 80 });
});

test('the solver Ingress: domain rule, challenge path to the backend, solver labels, owner, class annotation', () => {
  const ch = challenge({ http01: { ingress: { class: 'nginx' } } });
  const backend = challengeBackend(ch, SERVICE);
  const ingress = solverIngress(ch, { class: 'nginx' }, backend, true);
  assert.deepEqual(ingress.metadata.labels, {
    'acme.cert-manager.io/http-domain': String(adler32('www.example.com')),
    'acme.cert-manager.io/http-token': String(adler32('tok_EN-1')),
    'acme.cert-manager.io/http01-solver': 'true',
  });
  assert.deepEqual(ingress.metadata.annotations, { 'nginx.ingress.kubernetes.io/whitelist-source-range': '0.0.0.0/0,::/0', 'kubernetes.io/ingress.class': 'nginx' });
  assert.deepEqual(ingress.metadata.ownerReferences, [{ apiVersion: 'acme.cert-manager.io/v1', kind: 'Challenge', name: 'web-1-2-3', uid: 'uid-1', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(ingress.spec, {
    rules: [
      {
        host: 'www.example.com',
        http: { paths: [{ path: '/.well-known/acme-challenge/tok_EN-1', pathType: 'Exact', backend: { service: { name: backend.serviceName, port: { number: 80 } } } }] },
      },
    ],
  });
});

test('ingressClassName goes to the spec; the template merges labels and annotations, and its own whitelist annotation drops the default one', () => {
  const config = { ingressClassName: 'public', ingressTemplate: { metadata: { labels: { team: 'a' }, annotations: { 'haproxy.org/whitelist-source-range': '10.0.0.0/8', x: 'y' } } } };
  const ingress = solverIngress(challenge({ http01: { ingress: config } }), config, challengeBackend(challenge(), SERVICE), false);
  assert.equal(ingress.spec?.ingressClassName, 'public');
  assert.equal(ingress.metadata.labels?.team, 'a');
  assert.equal(ingress.metadata.labels?.['acme.cert-manager.io/http01-solver'], 'true');
  assert.deepEqual(ingress.metadata.annotations, { 'haproxy.org/whitelist-source-range': '10.0.0.0/8', x: 'y' });
  assert.equal(ingress.spec?.rules?.[0]?.http?.paths[0]?.pathType, 'ImplementationSpecific');
});

test('edit in place adds the path to the domain rule or a new rule, replaces a stale one, and removing it leaves the rest as it was', () => {
  const ch = challenge({ http01: { ingress: { name: 'web' } } });
  const path = ingressPath(ch, { serviceName: 'svc', port: 80 }, true);
  const other = { path: '/', pathType: 'Prefix' as 'Exact', backend: { service: { name: 'app', port: { number: 8080 } } } };
  const unrelated: IngressRule = { host: 'api.example.com', http: { paths: [other] } };
  const withDomain: IngressRule[] = [unrelated, { host: 'www.example.com', http: { paths: [other] } }];

  const added = rulesWithChallengePath(withDomain, ch, path)!;
  assert.deepEqual(added, [unrelated, { host: 'www.example.com', http: { paths: [other, path] } }]);
  assert.equal(rulesWithChallengePath(added, ch, path), undefined, 'already there: no write');
  const stale = rulesWithChallengePath(added, ch, { ...path, backend: { service: { name: 'old', port: { number: 1 } } } })!;
  assert.deepEqual(rulesWithChallengePath(stale, ch, path), added, 'a stale backend is replaced, not duplicated');
  assert.deepEqual(rulesWithoutChallengePath(added, ch), withDomain);
  assert.equal(rulesWithoutChallengePath(withDomain, ch), undefined, 'nothing to remove: no write');

  const appended = rulesWithChallengePath([unrelated], ch, path)!;
  assert.deepEqual(appended, [unrelated, { host: 'www.example.com', http: { paths: [path] } }]);
  assert.deepEqual(rulesWithoutChallengePath(appended, ch), [unrelated], 'a rule left empty is dropped');
});

test('the solver HTTPRoute: parentRefs and labels of the solver, the domain, an exact match on the path to the backend', () => {
  const ch = challenge({ http01: { gatewayHTTPRoute: { labels: { gw: 'x' }, parentRefs: [{ name: 'gw', namespace: 'infra', kind: 'Gateway' }] } } });
  const route = solverHttpRoute(ch, challengeBackend(ch, SERVICE));
  assert.equal(route.kind, 'HTTPRoute');
  assert.equal(route.metadata.labels?.gw, 'x');
  assert.equal(route.metadata.labels?.['acme.cert-manager.io/http01-solver'], 'true');
  assert.deepEqual(route.spec, {
    parentRefs: [{ name: 'gw', namespace: 'infra', kind: 'Gateway' }],
    hostnames: ['www.example.com'],
    rules: [{ matches: [{ path: { type: 'Exact', value: '/.well-known/acme-challenge/tok_EN-1' } }], backendRefs: [{ group: '', kind: 'Service', name: solverObjectName(ch), port: 80, weight: 1 }] }],
  });
});

test('the solver Pod takes the podTemplate resources, security context fields and pull secrets over the flags', () => {
  const podTemplate = {
    spec: {
      resources: { limits: { memory: '128Mi' } },
      securityContext: { runAsUser: 1000, runAsNonRoot: false },
      imagePullSecrets: [{ name: 'registry' }],
      serviceAccountName: 'solver',
    },
  };
  const ch = challenge({ http01: { gatewayHTTPRoute: { parentRefs: [{ name: 'gw' }], podTemplate } } });
  const pod = solverPod(ch, { image: 'img:1', requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' }, runAsNonRoot: true });
  assert.deepEqual(pod.spec.containers[0]!.resources, { limits: { memory: '128Mi' } });
  assert.deepEqual(pod.spec.securityContext, { runAsNonRoot: false, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
  assert.deepEqual(pod.spec.imagePullSecrets, [{ name: 'registry' }]);
  assert.equal(pod.spec.serviceAccountName, 'solver');
  assert.equal(pod.spec.automountServiceAccountToken, false);
  assert.equal(solverPodService(ch).spec.type, 'NodePort', "cert-manager's default serviceType");
});

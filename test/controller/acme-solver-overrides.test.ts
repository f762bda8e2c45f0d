/** The §4.3 annotations ingress-shim and gateway-shim leave on an Order change the solver its Challenges get, by cert-manager's rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ACMEChallengeSolver } from '../../api/types.js';
import { solverForOrder } from '../../controller/acme/solver-overrides.js';

const order = (annotations: Record<string, string>) => ({ metadata: { namespace: 'apps', annotations } });
const ingressSolver: ACMEChallengeSolver = { selector: { dnsZones: ['example.com'] }, http01: { ingress: { class: 'nginx', serviceType: 'ClusterIP' } } };
const routeSolver: ACMEChallengeSolver = { http01: { gatewayHTTPRoute: { parentRefs: [{ name: 'gw', kind: 'Gateway', namespace: 'apps' }, { name: 'other' }] } } };

test('no override annotation leaves the solver as the issuer has it', () => {
  assert.deepEqual(solverForOrder(ingressSolver, order({ 'cert-manager.io/x': 'y' })), ingressSolver);
  assert.deepEqual(solverForOrder(routeSolver, order({})), routeSolver);
});

test('one ingress override replaces the class, className and name of the solver; the rest stays', () => {
  const name = solverForOrder(ingressSolver, order({ 'acme.cert-manager.io/http01-override-ingress-name': 'web' }));
  assert.deepEqual(name.http01?.ingress, { serviceType: 'ClusterIP', name: 'web' });
  assert.deepEqual(name.selector, ingressSolver.selector);
  const className = solverForOrder(ingressSolver, order({ 'acme.cert-manager.io/http01-override-ingress-ingressclassname': 'public' }));
  assert.deepEqual(className.http01?.ingress, { serviceType: 'ClusterIP', ingressClassName: 'public' });
  const cls = solverForOrder({ http01: { ingress: { name: 'old' } } }, order({ 'acme.cert-manager.io/http01-override-ingress-class': 'traefik' }));
  assert.deepEqual(cls.http01?.ingress, { class: 'traefik' });
  assert.deepEqual(ingressSolver.http01?.ingress, { class: 'nginx', serviceType: 'ClusterIP' }, 'the issuer solver is not modified');
});

test('two ingress overrides at once are refused', () => {
  assert.throws(
    () => solverForOrder(ingressSolver, order({ 'acme.cert-manager.io/http01-override-ingress-name': 'web', 'acme.cert-manager.io/http01-override-ingress-class': 'nginx' })),
    /only one of the annotations .*override-ingress-name.*override-ingress-class/,
  );
});

test('the parent-ref override replaces the same parent or is appended, its namespace defaulting to the Order namespace', () => {
  const same = solverForOrder(routeSolver, order({ 'acme.cert-manager.io/http01-parentrefname': 'gw', 'acme.cert-manager.io/http01-parentrefkind': 'Gateway' }));
  assert.deepEqual(same.http01?.gatewayHTTPRoute?.parentRefs, [{ name: 'other' }, { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', namespace: 'apps' }]);
  const added = solverForOrder(routeSolver, order({ 'acme.cert-manager.io/http01-parentrefname': 'ls', 'acme.cert-manager.io/http01-parentrefkind': 'ListenerSet', 'acme.cert-manager.io/http01-parentrefnamespace': 'infra' }));
  assert.equal(added.http01?.gatewayHTTPRoute?.parentRefs?.length, 3);
  assert.deepEqual(added.http01?.gatewayHTTPRoute?.parentRefs?.[2], { group: 'gateway.networking.k8s.io', kind: 'ListenerSet', name: 'ls', namespace: 'infra' });
  const fromNothing = solverForOrder({ http01: { gatewayHTTPRoute: {} } }, order({ 'acme.cert-manager.io/http01-parentrefname': 'gw', 'acme.cert-manager.io/http01-parentrefkind': 'Gateway' }));
  assert.deepEqual(fromNothing.http01?.gatewayHTTPRoute?.parentRefs?.map((r) => r.name), ['gw']);
});

test('a parent-ref name without kind, or a route left without parents, is refused', () => {
  assert.throws(() => solverForOrder(routeSolver, order({ 'acme.cert-manager.io/http01-parentrefname': 'gw' })), /must be set together/);
  assert.throws(() => solverForOrder({ http01: { gatewayHTTPRoute: {} } }, order({})), /no parentRefs/);
});

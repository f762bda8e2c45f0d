import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Certificate } from '../../api/types.js';
import { gatewayShimSource, gatewayTlsTargets, type Gateway, type GatewayListener } from '../../controller/gateway-shim/gateway.js';
import { ingressCertificateAnnotations, ingressShimSource, ingressTlsTargets, type Ingress, type IngressTLS } from '../../controller/ingress-shim/ingress.js';
import { certNeedsUpdate, desiredCertificate, planShimSync } from '../../controller/shim/certificates.js';

const ingress = (annotations: Record<string, string>, tls: IngressTLS[], labels?: Record<string, string>): Ingress => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { namespace: 'web', name: 'site', uid: 'ing-uid', annotations, ...(labels ? { labels } : {}) },
  spec: { tls },
});

test('ingress: one target per TLS block; blocks without hosts or secretName are skipped with a message', () => {
  const { targets, skipped } = ingressTlsTargets(
    ingress({}, [{ hosts: ['a.example.com', 'b.example.com'], secretName: 'ab-tls' }, { secretName: 'no-hosts' }, { hosts: ['c.example.com'] }]),
  );
  assert.deepEqual(targets, [{ secretName: 'ab-tls', hosts: ['a.example.com', 'b.example.com'] }]);
  assert.deepEqual(skipped, ['Skipped a TLS block: spec.tls[1].hosts: Required value', 'Skipped a TLS block: spec.tls[2].secretName: Required value']);
});

test('ingress: a Secret named by two TLS blocks is a BadConfig and nothing is synced', () => {
  assert.throws(() => ingressTlsTargets(ingress({}, [{ hosts: ['a'], secretName: 's' }, { hosts: ['b'], secretName: 's' }])), {
    name: 'BadConfigError',
    message: 'spec.tls[1].secretName: Duplicate value: "s"',
  });
});

test('ingress: triggers are issuer, cluster-issuer and true auto-certificate annotations', () => {
  const source = ingressShimSource();
  assert.equal(source.wantsCertificates(ingress({ 'cert-manager.io/issuer': 'ca' }, [])), true);
  assert.equal(source.wantsCertificates(ingress({ 'cert-manager.io/cluster-issuer': 'ca' }, [])), true);
  assert.equal(source.wantsCertificates(ingress({ 'kubernetes.io/tls-acme': 'true' }, [])), true);
  assert.equal(source.wantsCertificates(ingress({ 'kubernetes.io/tls-acme': 'false' }, [])), false);
  assert.equal(source.wantsCertificates(ingress({ 'kubernetes.io/tls-acme': 'yes' }, [])), false);
  assert.equal(ingressShimSource(['example.com/tls']).wantsCertificates(ingress({ 'example.com/tls': 'True' }, [])), true);
  assert.equal(source.wantsCertificates(ingress({}, [])), false);
});

test('ingress: HTTP-01 edit-in-place asks for a temporary certificate and names the Ingress; class annotations become overrides', () => {
  assert.deepEqual(
    ingressCertificateAnnotations(
      ingress({ 'acme.cert-manager.io/http01-edit-in-place': 'true', 'acme.cert-manager.io/http01-ingress-class': 'nginx', 'acme.cert-manager.io/http01-ingress-ingressclassname': 'public' }, []),
    ),
    {
      'acme.cert-manager.io/http01-override-ingress-name': 'site',
      'cert-manager.io/issue-temporary-certificate': 'true',
      'acme.cert-manager.io/http01-override-ingress-class': 'nginx',
      'acme.cert-manager.io/http01-override-ingress-ingressclassname': 'public',
    },
  );
  assert.deepEqual(ingressCertificateAnnotations(ingress({ 'acme.cert-manager.io/http01-edit-in-place': 'false' }, [])), {});
});

test('desired Certificate: named after the Secret, controlled by the parent, labels copied but applyset, IPs split out', () => {
  const parent = ingress({ 'cert-manager.io/cluster-issuer': 'letsencrypt-production' }, [], { app: 'site', 'applyset.kubernetes.io/part-of': 'x' });
  const certificate = desiredCertificate(parent, { secretName: 'site-tls', hosts: ['site.example.com', '10.0.0.1', 'site.example.com'] }, {
    issuerRef: { name: 'letsencrypt-production', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    annotations: { 'acme.cert-manager.io/http01-override-ingress-name': 'site' },
  });
  assert.deepEqual(certificate, {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: {
      name: 'site-tls',
      namespace: 'web',
      labels: { app: 'site' },
      annotations: { 'acme.cert-manager.io/http01-override-ingress-name': 'site' },
      ownerReferences: [{ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'site', uid: 'ing-uid', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      dnsNames: ['site.example.com'],
      ipAddresses: ['10.0.0.1'],
      secretName: 'site-tls',
      issuerRef: { name: 'letsencrypt-production', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      usages: ['digital signature', 'key encipherment'],
    },
  });
});

const listener = (name: string, hostname: string | undefined, secret: string, extra: Partial<GatewayListener> = {}): GatewayListener => ({
  name,
  ...(hostname ? { hostname } : {}),
  port: 443,
  protocol: 'HTTPS',
  tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: secret }] },
  ...extra,
});

const gateway = (listeners: GatewayListener[], annotations: Record<string, string> = { 'cert-manager.io/issuer': 'ca' }): Gateway => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { namespace: 'web', name: 'gw', uid: 'gw-uid', annotations },
  spec: { gatewayClassName: 'test', listeners },
});

test('gateway: listeners sharing a Secret merge hostnames; HTTP, Passthrough and ignored listeners are passed over', () => {
  const { targets, skipped } = gatewayTlsTargets(
    gateway(
      [
        listener('a', 'a.example.com', 'shared'),
        listener('b', 'b.example.com', 'shared'),
        listener('c', 'c.example.com', 'own', { protocol: 'TLS' }),
        listener('http', 'd.example.com', 'http', { protocol: 'HTTP', port: 80 }),
        listener('pass', 'e.example.com', 'pass', { protocol: 'TLS', tls: { mode: 'Passthrough' } }),
        listener('custom-tls-listener', 'f.example.com', 'ignored'),
      ],
      { 'cert-manager.io/issuer': 'ca', 'cert-manager.io/ignore-tls-listeners': 'custom-tls-listener, other' },
    ),
  );
  assert.deepEqual(targets, [
    { secretName: 'shared', hosts: ['a.example.com', 'b.example.com'] },
    { secretName: 'own', hosts: ['c.example.com'] },
  ]);
  assert.deepEqual(skipped, []);
});

test('gateway: invalid listeners are skipped with every problem named', () => {
  const { targets, skipped } = gatewayTlsTargets(
    gateway([
      listener('no-host', undefined, 's1'),
      { name: 'no-tls', hostname: 'x.example.com', protocol: 'HTTPS' },
      listener('bad-ref', 'y.example.com', 's2', {
        tls: { mode: 'Terminate', certificateRefs: [{ group: 'example.com', kind: 'ConfigMap', name: 'c', namespace: 'other' }] },
      }),
      listener('no-refs', 'z.example.com', 's3', { tls: { mode: 'Terminate', certificateRefs: [] } }),
      listener('ok', 'ok.example.com', 'ok'),
    ]),
  );
  assert.deepEqual(targets, [{ secretName: 'ok', hosts: ['ok.example.com'] }]);
  assert.deepEqual(skipped, [
    'Skipped a listener block: spec.listeners[0].hostname: Required value: the hostname cannot be empty',
    'Skipped a listener block: spec.listeners[1].tls: Required value: the TLS block cannot be empty',
    'Skipped a listener block: [spec.listeners[2].tls.certificateRef[0].group: Unsupported value: "example.com": supported values: "core", "", spec.listeners[2].tls.certificateRef[0].kind: Unsupported value: "ConfigMap": supported values: "Secret", "", spec.listeners[2].tls.certificateRef[0].namespace: Invalid value: "other": cross-namespace secret references are not allowed in listeners]',
    'Skipped a listener block: spec.listeners[3].tls.certificateRef: Required value: listener has no certificateRefs',
  ]);
});

test('gateway: extra protocols count as TLS listeners; Certificates point HTTP-01 at the Gateway', () => {
  const gw = gateway([listener('q', 'q.example.com', 'q', { protocol: 'example.com/QUIC' })]);
  assert.deepEqual(gatewayTlsTargets(gw).targets, []);
  const source = gatewayShimSource(['example.com/QUIC']);
  assert.deepEqual(source.tlsTargets(gw).targets, [{ secretName: 'q', hosts: ['q.example.com'] }]);
  assert.deepEqual(source.certificateAnnotations(gw), { 'acme.cert-manager.io/http01-parentrefname': 'gw', 'acme.cert-manager.io/http01-parentrefkind': 'Gateway' });
  assert.equal(source.wantsCertificates(gateway([], { 'kubernetes.io/tls-acme': 'true' })), false);
});

const issuerRef = { name: 'ca', kind: 'Issuer', group: 'cert-manager.io' };
const parent = ingress({ 'cert-manager.io/issuer': 'ca' }, []);
const want = (secretName: string, hosts = [`${secretName}.example.com`]) => desiredCertificate(parent, { secretName, hosts }, { issuerRef });
const existing = (certificate: Certificate, owner = 'ing-uid'): Certificate => ({
  ...certificate,
  metadata: { ...certificate.metadata, uid: `${certificate.metadata.name}-uid`, ownerReferences: [{ ...certificate.metadata.ownerReferences![0]!, uid: owner }] },
});

test('plan: create missing, update changed, leave others', () => {
  const same = existing(want('same'));
  const changed = existing(want('changed', ['old.example.com']));
  const foreign = existing(want('foreign'), 'someone-else');
  const stale = existing(want('stale'));
  const byName = new Map([same, changed, foreign, stale].map((c) => [c.metadata.name!, c]));
  const plan = planShimSync(parent, [want('same'), want('changed'), want('foreign'), want('new')], (name) => byName.get(name), [same, changed, stale]);
  assert.deepEqual(plan.create.map((c) => c.metadata.name), ['new']);
  assert.deepEqual(plan.update.map((c) => c.metadata.name), ['changed']);
  assert.deepEqual(plan.notOwned.map((c) => c.metadata.name), ['foreign']);
  assert.deepEqual(plan.delete.map((c) => c.metadata.name), ['stale']);
});

test("certNeedsUpdate compares cert-manager's fields only", () => {
  const current = want('a');
  const changed = (f: (c: Certificate) => void) => {
    const copy = structuredClone(current);
    f(copy);
    return certNeedsUpdate(current, copy);
  };
  assert.equal(changed(() => {}), false);
  for (const f of [
    (c: Certificate) => void (c.spec.commonName = 'x'),
    (c: Certificate) => void (c.spec.dnsNames = ['b.example.com', 'a.example.com']),
    (c: Certificate) => void (c.spec.issuerRef = { ...c.spec.issuerRef, kind: 'ClusterIssuer' }),
    (c: Certificate) => void (c.spec.duration = '100h'),
    (c: Certificate) => void (c.spec.renewBefore = '10h'),
    (c: Certificate) => void (c.spec.revisionHistoryLimit = 3),
    (c: Certificate) => void (c.spec.privateKey = { rotationPolicy: 'Always' }),
    (c: Certificate) => void (c.metadata.labels = { team: 'x' }),
  ]) {
    assert.equal(changed(f), true, f.toString());
  }
  for (const f of [
    (c: Certificate) => void (c.spec.usages = ['server auth']),
    (c: Certificate) => void (c.spec.ipAddresses = ['10.0.0.1']),
    (c: Certificate) => void (c.spec.emailAddresses = ['a@example.com']),
    (c: Certificate) => void (c.spec.subject = { organizations: ['o'] }),
    (c: Certificate) => void (c.spec.secretTemplate = { labels: { a: 'b' } }),
    (c: Certificate) => void (c.spec.renewBeforePercentage = 20),
    (c: Certificate) => void (c.spec.issuerRef = { ...c.spec.issuerRef, group: 'other.io' }),
  ]) {
    assert.equal(changed(f), false, f.toString());
  }
  const ed = structuredClone(current);
  ed.spec.privateKey = { algorithm: 'Ed25519' };
  assert.equal(certNeedsUpdate(ed, { ...ed, spec: { ...ed.spec, privateKey: { algorithm: 'Ed25519', size: 256 } } }), false, 'size ignored for Ed25519');
});

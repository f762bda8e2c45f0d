import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { certwrightAdmission } from '../../api/admission.js';
import { certwrightResources, resourceFor } from '../../api/resources.js';
import type { AdmissionRequest, KubeObject, UserInfo } from '../../apiserver/admission.js';
import { acmeIssuerSpec, certificate, certificateRequest, issuer, messages, order } from './builders.js';
import { asRequest, csrPem } from './csr.js';

const alice: UserInfo = { username: 'alice', uid: 'u-1', groups: ['dev', 'system:authenticated'], extra: { scopes: ['read'] } };

function admission(object: unknown, overrides: Partial<AdmissionRequest> = {}): AdmissionRequest {
  const o = object as KubeObject;
  const [group] = o.apiVersion.split('/');
  const resource = resourceFor(group!, o.kind);
  return {
    operation: 'CREATE',
    group: group!,
    version: 'v1',
    kind: o.kind,
    resource: resource?.plural ?? '',
    namespace: 'default',
    name: o.metadata.name,
    object: o,
    userInfo: alice,
    dryRun: false,
    ...overrides,
  };
}

let request: string;
before(async () => {
  request = asRequest(await csrPem());
});

test('the registry describes the six kinds as reference §0 does', () => {
  const table = certwrightResources.map((r) => ({
    kind: r.kind,
    group: r.group,
    plural: r.plural,
    scope: r.scope,
    shortNames: r.shortNames.join(','),
    categories: r.categories.join(','),
    columns: r.additionalPrinterColumns.map((c) => `${c.name}${c.priority === 1 ? '(p1)' : ''}`).join(','),
    selectable: r.selectableFields.length,
  }));
  assert.deepEqual(table, [
    { kind: 'Certificate', group: 'cert-manager.io', plural: 'certificates', scope: 'Namespaced', shortNames: 'cert,certs', categories: 'cert-manager', columns: 'Ready,Secret,Issuer(p1),Status(p1),Expiration(p1),Age', selectable: 3 },
    { kind: 'CertificateRequest', group: 'cert-manager.io', plural: 'certificaterequests', scope: 'Namespaced', shortNames: 'cr,crs', categories: 'cert-manager', columns: 'Approved,Denied,Ready,Issuer,Requester,Status(p1),Age', selectable: 3 },
    { kind: 'Issuer', group: 'cert-manager.io', plural: 'issuers', scope: 'Namespaced', shortNames: 'iss', categories: 'cert-manager', columns: 'Ready,Status(p1),Age', selectable: 0 },
    { kind: 'ClusterIssuer', group: 'cert-manager.io', plural: 'clusterissuers', scope: 'Cluster', shortNames: 'ciss', categories: 'cert-manager', columns: 'Ready,Status(p1),Age', selectable: 0 },
    { kind: 'Order', group: 'acme.cert-manager.io', plural: 'orders', scope: 'Namespaced', shortNames: '', categories: 'cert-manager,cert-manager-acme', columns: 'State,Issuer(p1),Reason(p1),Age', selectable: 3 },
    { kind: 'Challenge', group: 'acme.cert-manager.io', plural: 'challenges', scope: 'Namespaced', shortNames: '', categories: 'cert-manager,cert-manager-acme', columns: 'State,Domain,Reason(p1),Age', selectable: 3 },
  ]);
  const cr = resourceFor('cert-manager.io', 'CertificateRequest')!;
  assert.deepEqual(
    cr.additionalPrinterColumns.map((c) => c.jsonPath),
    [
      '.status.conditions[?(@.type == "Approved")].status',
      '.status.conditions[?(@.type == "Denied")].status',
      '.status.conditions[?(@.type == "Ready")].status',
      '.spec.issuerRef.name',
      '.spec.username',
      '.status.conditions[?(@.type == "Ready")].message',
      '.metadata.creationTimestamp',
    ],
  );
  assert.equal(resourceFor('cert-manager.io', 'Certificate')!.additionalPrinterColumns.find((c) => c.name === 'Expiration')!.jsonPath, '.status.notAfter');
  assert.equal(resourceFor('acme.cert-manager.io', 'Challenge')!.additionalPrinterColumns[1]!.jsonPath, '.spec.dnsName');
});

test('the plugin handles exactly the six kinds', () => {
  assert.equal(certwrightAdmission.handles('cert-manager.io', 'Certificate'), true);
  assert.equal(certwrightAdmission.handles('acme.cert-manager.io', 'Challenge'), true);
  assert.equal(certwrightAdmission.handles('', 'Secret'), false);
  assert.equal(certwrightAdmission.handles('acme.cert-manager.io', 'Certificate'), false);
});

test('on CREATE of a CertificateRequest the requester identity is stamped, overriding what was sent', () => {
  const req = admission(certificateRequest({ request, username: 'mallory', uid: 'evil', groups: ['system:masters'], extra: { x: ['y'] } }));
  certwrightAdmission.mutate!(req);
  const spec = (req.object as unknown as ReturnType<typeof certificateRequest>).spec;
  assert.equal(spec.username, 'alice');
  assert.equal(spec.uid, 'u-1');
  assert.deepEqual(spec.groups, ['dev', 'system:authenticated']);
  assert.deepEqual(spec.extra, { scopes: ['read'] });
  assert.deepEqual(messages(certwrightAdmission.validate(req)), []);

  const noExtra = admission(certificateRequest({ request, extra: { x: ['y'] } }), { userInfo: { username: 'bob', uid: 'u-2', groups: [] } });
  certwrightAdmission.mutate!(noExtra);
  assert.equal('extra' in (noExtra.object!.spec as object), false);
});

test('identity is left alone on UPDATE and checked: without mutation a forged identity is refused', () => {
  const old = certificateRequest({ request, username: 'alice', uid: 'u-1', groups: alice.groups, extra: alice.extra });
  const update = admission(structuredClone(old), { operation: 'UPDATE', oldObject: old as unknown as KubeObject, userInfo: { username: 'bob', uid: 'u-2', groups: [] } });
  certwrightAdmission.mutate!(update);
  assert.equal((update.object!.spec as { username: string }).username, 'alice');
  assert.deepEqual(messages(certwrightAdmission.validate(update)), []);

  const forged = admission(certificateRequest({ request, username: 'root', uid: 'u-1', groups: alice.groups, extra: alice.extra }));
  assert.deepEqual(messages(certwrightAdmission.validate(forged)), ['spec.username: Forbidden: username identity must be that of the requester']);
});

test('every kind is validated through the registry; DELETE is not', () => {
  const bad = certificate({ secretName: '' });
  assert.deepEqual(messages(certwrightAdmission.validate(admission(bad))), ['spec.secretName: Required value: must be specified']);
  assert.deepEqual(messages(certwrightAdmission.validate(admission(bad, { operation: 'DELETE' }))), []);
  assert.deepEqual(messages(certwrightAdmission.validate(admission(issuer({})))), ['spec: Required value: at least one issuer must be configured']);
  const oldOrder = order({}, { url: 'https://acme.example/order/1' });
  const newOrder = order({}, { url: 'https://acme.example/order/2' });
  assert.deepEqual(messages(certwrightAdmission.validate(admission(newOrder, { operation: 'UPDATE', oldObject: oldOrder as unknown as KubeObject }))), [
    'status.url: Forbidden: field is immutable once set',
  ]);
});

test('writes to the status subresource check only status rules', () => {
  const old = certificateRequest({ request: 'bm90IGEgY3Ny' }, { status: { conditions: [{ type: 'Approved', status: 'True' }] } });
  const next = structuredClone(old);
  next.status!.conditions!.push({ type: 'Ready', status: 'False', reason: 'Pending' });
  const statusWrite = admission(next, { operation: 'UPDATE', subresource: 'status', oldObject: old as unknown as KubeObject });
  assert.deepEqual(messages(certwrightAdmission.validate(statusWrite)), []);
  const mainWrite = admission(next, { operation: 'UPDATE', oldObject: old as unknown as KubeObject });
  assert.deepEqual(messages(certwrightAdmission.validate(mainWrite)), []);
  const flip = structuredClone(old);
  flip.status!.conditions = [{ type: 'Denied', status: 'True' }];
  assert.deepEqual(messages(certwrightAdmission.validate(admission(flip, { operation: 'UPDATE', subresource: 'status', oldObject: old as unknown as KubeObject }))), [
    "status.conditions: Forbidden: 'Approved' condition may not be modified once set",
  ]);
  const certStatus = admission(certificate({ secretName: '' }), { operation: 'UPDATE', subresource: 'status', oldObject: certificate() as unknown as KubeObject });
  assert.deepEqual(messages(certwrightAdmission.validate(certStatus)), []);
});

test('a deprecated EAB keyAlgorithm draws a warning, not an error', () => {
  const eab = issuer(acmeIssuerSpec({ externalAccountBinding: { keyID: 'kid', keySecretRef: { name: 'eab', key: 'secret' }, keyAlgorithm: 'HS512' } }), 'ClusterIssuer');
  const req = admission(eab);
  assert.deepEqual(messages(certwrightAdmission.validate(req)), []);
  assert.deepEqual(certwrightAdmission.warnings!(req), [
    "ACME issuer spec field 'externalAccountBinding.keyAlgorithm' is deprecated. The value of this field will be ignored.",
  ]);
  assert.deepEqual(certwrightAdmission.warnings!(admission(issuer(acmeIssuerSpec()))), []);
  assert.deepEqual(certwrightAdmission.warnings!(admission(certificate())), []);
});

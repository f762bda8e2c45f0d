import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Certificate, CertificateRequest } from '../../api/types.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { cachedCertificate, cachedCertificateRequest, cachedOwnedSecret } from '../../controller/cache-transforms.js';
import { haveSameHiddenClass } from './runtime/v8-probes.js';

/** As a watch event decodes it: each object's parts its own copies. */
const decoded = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const time = '2026-11-23T21:36:24Z';
const issuerRef = { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'bench-ca' };

function certificate(name: string): Certificate {
  return decoded({
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name, namespace: 'bench', uid: `uid-${name}`, resourceVersion: '5', generation: 1, managedFields: [{ manager: 'kubectl', operation: 'Update', time, fieldsV1: { 'f:spec': {} } }] },
    spec: { commonName: `${name}.example`, dnsNames: [`${name}.example`], issuerRef, privateKey: { algorithm: 'ECDSA', size: 256 }, secretName: `${name}-tls` },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', lastTransitionTime: time, observedGeneration: 1 }], revision: 1 },
  } as Certificate);
}

function request(name: string): CertificateRequest {
  return decoded({
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: {
      name: `${name}-1`,
      namespace: 'bench',
      uid: `uid-${name}-1`,
      resourceVersion: '7',
      labels: {},
      annotations: { 'cert-manager.io/certificate-name': name, 'cert-manager.io/certificate-revision': '1' },
      ownerReferences: [{ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name, uid: `uid-${name}`, controller: true, blockOwnerDeletion: true }],
    },
    spec: { request: `CSR-${name}`, issuerRef, groups: ['system:masters', 'system:authenticated'], username: 'admin' },
    status: {
      certificate: `CERT-${name}`,
      conditions: [
        { type: 'Approved', status: 'True', reason: 'cert-manager.io', message: 'Certificate request has been approved by cert-manager.io', lastTransitionTime: time },
        { type: 'Ready', status: 'True', reason: 'Issued', message: 'Certificate fetched from issuer successfully', lastTransitionTime: time },
      ],
    },
  } as CertificateRequest);
}

function secret(name: string): KubeSecret {
  return decoded({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name: `${name}-tls`,
      namespace: 'bench',
      uid: `uid-${name}-tls`,
      resourceVersion: '9',
      labels: { 'controller.cert-manager.io/fao': 'true' },
      annotations: { 'cert-manager.io/certificate-name': name, 'cert-manager.io/issuer-name': 'bench-ca' },
      managedFields: [
        { manager: 'certwright', operation: 'Apply', time: `${name}-time`, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:tls.crt': {}, 'f:tls.key': {} } } },
        { manager: 'kubectl', operation: 'Update', time, fieldsV1: { 'f:metadata': {} } },
      ],
    },
    data: { 'tls.crt': `CRT-${name}`, 'tls.key': `KEY-${name}` },
  } as KubeSecret);
}

test('cached Certificates: no managedFields; issuer reference, key spec and equal conditions shared and frozen; the rest as read', () => {
  const [a, b] = [cachedCertificate(certificate('a')), cachedCertificate(certificate('b'))];
  const { managedFields: _dropped, ...metadata } = certificate('a').metadata;
  assert.deepEqual(a, { ...certificate('a'), metadata });
  for (const part of [(c: Certificate) => c.spec.issuerRef, (c: Certificate) => c.spec.privateKey, (c: Certificate) => c.status?.conditions]) {
    assert.equal(part(a), part(b));
    assert.ok(Object.isFrozen(part(a)));
  }
  assert.notEqual(a.spec.dnsNames, b.spec.dnsNames);
});

test('cached CertificateRequests: issued ones without their certificate; issuer reference, groups and conditions shared', () => {
  const [a, b] = [cachedCertificateRequest(request('a')), cachedCertificateRequest(request('b'))];
  const { certificate: _withheld, ...status } = request('a').status!;
  assert.deepEqual(a, { ...request('a'), status });
  assert.equal(a.spec.issuerRef, b.spec.issuerRef);
  assert.equal(a.spec.groups, b.spec.groups);
  assert.equal(a.status?.conditions, b.status?.conditions);
  assert.equal(a.spec.request, 'CSR-a', 'the CSR stays: the readiness checks read it');
});

test('cached owned Secrets: only our apply\'s managedFields, without its time, one shared copy; metadata of one hidden class', () => {
  const [a, b] = [cachedOwnedSecret(secret('a')), cachedOwnedSecret(secret('b'))];
  assert.deepEqual(a.metadata?.managedFields, [{ manager: 'certwright', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:tls.crt': {}, 'f:tls.key': {} } } }]);
  assert.equal(a.metadata?.managedFields, b.metadata?.managedFields);
  assert.equal(a.metadata?.labels, b.metadata?.labels);
  assert.deepEqual(a.data, secret('a').data);
  assert.ok(haveSameHiddenClass(a.metadata!, b.metadata!));
});

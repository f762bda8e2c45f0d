import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CertificateRequest, Condition } from '../../../api/types.js';
import { decideSigning, ISSUER_NOT_READY_MESSAGE, type SignerFacts } from '../../../controller/certificaterequests/sign-decisions.js';
import { caIssuer } from '../../../issuers/ca.js';
import { selfSignedIssuer } from '../../../issuers/selfsigned.js';
import type { GenericIssuer } from '../../../issuers/backend.js';
import { certificateRequest, clusterIssuer, issuer } from '../../issuers/fixtures.js';

const approved: Condition = { type: 'Approved', status: 'True', reason: 'cert-manager.io', message: 'approved' };
const ready: Condition = { type: 'Ready', status: 'True', reason: 'IsReady', message: '' };

function request(conditions: Condition[] = [approved], extra: Partial<CertificateRequest['status']> = {}, ref?: CertificateRequest['spec']['issuerRef']): CertificateRequest {
  const cr = certificateRequest('csr', ref ? { issuerRef: ref } : {});
  return { ...cr, status: { conditions, ...extra } };
}

function readyIssuer(spec = { selfSigned: {} }): GenericIssuer {
  return { ...issuer(spec), status: { conditions: [ready] } };
}

const facts = (f: Partial<SignerFacts>): SignerFacts => ({ request: request(), issuer: readyIssuer(), backend: selfSignedIssuer, ...f });

describe('decideSigning', () => {
  it('signs an approved request whose issuer exists, has a registered type and is ready', () => {
    const decision = decideSigning(facts({}));
    assert.equal(decision.kind, 'sign');
    assert.equal(decision.kind === 'sign' && decision.backend, selfSignedIssuer);
  });

  it('ignores requests for other issuer groups, before anything else', () => {
    const denied = request([{ type: 'Denied', status: 'True', reason: 'policy', message: 'no' }], {}, { name: 'x', group: 'example.com' });
    assert.deepEqual(decideSigning(facts({ request: denied })), { kind: 'ignore', check: 'otherIssuerGroup' });
    assert.equal(decideSigning(facts({ request: request([approved], {}, { name: 'x', group: 'cert-manager.io' }) })).kind, 'sign');
  });

  it('marks a denied request once (Ready=Denied with failureTime), then leaves it', () => {
    const deniedCondition: Condition = { type: 'Denied', status: 'True', reason: 'policy', message: 'no' };
    assert.deepEqual(decideSigning(facts({ request: request([deniedCondition]) })), { kind: 'mark-denied' });
    const marked = request([deniedCondition, { type: 'Ready', status: 'False', reason: 'Denied', message: '' }], { failureTime: '2025-01-01T00:00:00Z' });
    assert.deepEqual(decideSigning(facts({ request: marked })), { kind: 'done', check: 'denied' });
  });

  it('stops on InvalidRequest, waits for approval, and stops once Issued or Failed', () => {
    assert.deepEqual(decideSigning(facts({ request: request([approved, { type: 'InvalidRequest', status: 'True' }]) })), { kind: 'done', check: 'invalidRequest' });
    assert.deepEqual(decideSigning(facts({ request: request([]) })), { kind: 'wait-for-approval' });
    for (const reason of ['Issued', 'Failed']) {
      const finished = request([approved, { type: 'Ready', status: reason === 'Issued' ? 'True' : 'False', reason }]);
      assert.deepEqual(decideSigning(facts({ request: finished })), { kind: 'done', check: 'finished' });
    }
    // Pending is not final.
    assert.equal(decideSigning(facts({ request: request([approved, { type: 'Ready', status: 'False', reason: 'Pending' }]) })).kind, 'sign');
  });

  it('is pending IssuerNotFound, naming the kind, when the issuer is not in the caches', () => {
    assert.deepEqual(decideSigning(facts({ issuer: undefined, backend: undefined })), {
      kind: 'pending',
      reason: 'IssuerNotFound',
      message: 'Referenced "Issuer" not found: issuers.cert-manager.io "test-issuer" not found',
    });
    const cluster = request([approved], {}, { name: 'root', kind: 'ClusterIssuer' });
    const decision = decideSigning(facts({ request: cluster, issuer: undefined, backend: undefined }));
    assert.equal(decision.kind === 'pending' && decision.message, 'Referenced "ClusterIssuer" not found: clusterissuers.cert-manager.io "root" not found');
  });

  it('is pending IssuerTypeMissing when the issuer configures no type', () => {
    const decision = decideSigning(facts({ issuer: readyIssuer({} as never), backend: undefined }));
    assert.deepEqual(decision, { kind: 'pending', reason: 'IssuerTypeMissing', message: 'Missing issuer type' });
  });

  it('ignores issuers of a type no backend is registered for here', () => {
    const acme = readyIssuer({ acme: { server: 'https://acme.test/dir', privateKeySecretRef: { name: 'k' }, solvers: [] } } as never);
    assert.deepEqual(decideSigning(facts({ issuer: acme, backend: undefined })), { kind: 'ignore', check: 'issuerTypeNotRegistered' });
  });

  it('is pending IssuerNotReady unless the issuer has Ready=True', () => {
    for (const status of [undefined, { conditions: [{ ...ready, status: 'False' as const }] }]) {
      const notReady = { ...clusterIssuer({ ca: { secretName: 'ca' } }), ...(status ? { status } : {}) };
      assert.deepEqual(decideSigning(facts({ issuer: notReady, backend: caIssuer })), { kind: 'pending', reason: 'IssuerNotReady', message: ISSUER_NOT_READY_MESSAGE });
    }
  });

  it('stops when a certificate is already set', () => {
    assert.deepEqual(decideSigning(facts({ request: request([approved], { certificate: 'Y2VydA==' }) })), { kind: 'done', check: 'certificateAlreadySet' });
  });
});

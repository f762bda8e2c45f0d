import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  annotationsToCopy,
  buildCertificateRequest,
  duplicateSecretNameOwner,
  nextRevision,
  requestForRevision,
  requestName,
  requestsToDelete,
  revisionOf,
  revisionsToPrune,
  shortenedName,
} from '../../../controller/certificates/requests.js';
import type { Certificate, CertificateRequest } from '../../../api/types.js';
import { certificate, ecKey, issue, NOW, otherEcKey, request, secret } from './fixtures.js';

const a64 = 'a'.repeat(64);

describe('requestName', () => {
  test('is <certificate>-<revision>', () => {
    assert.equal(requestName('web', 1), 'web-1');
    assert.equal(requestName('web', 42), 'web-42');
    assert.throws(() => requestName('web', 0), RangeError);
    assert.throws(() => requestName('web', 1.5), RangeError);
  });
  test("long names get a SHA-256 suffix exactly as cert-manager's", () => {
    assert.equal(shortenedName(a64, 64), a64);
    assert.equal(shortenedName(`b${a64}`, 64), '08ba353c3a64d6186cac33ae87b2bd29700803754b34f77dc4d3a45e66316745');
    assert.equal(shortenedName(`b${a64}`, 65), `b${a64}`);
    assert.equal(shortenedName(`bb${a64}`, 65), '824cc1084d15d9bff4dda12c92066ff5d15ef2f9847c47347836cee174138ca0');
    assert.equal(shortenedName(`b.b${a64}`, 66), 'b-f0673c1af88891be1ecfe74876e460de28e073a0bb78d3308fb41617db4c2ca5');
    assert.equal(shortenedName(`bbbbbbbbbbbbbc.............${a64}`, 79), 'bbbbbbbbbbbbbc-d1b69a0803d97526b868335f95a8bc6fcf02e8e08644264c470faded0ca42033');
    assert.throws(() => shortenedName('x', 63), RangeError);
  });
  test('a name over 233 characters still gives a stable, distinct name within 253', () => {
    const long = 'x'.repeat(240);
    const name = requestName(long, 12345);
    assert.ok(name.length <= 253);
    assert.match(name, /^x{168}-[0-9a-f]{64}-12345$/);
    assert.equal(requestName(long, 12345), name);
    assert.notEqual(requestName(`${long}y`, 12345), name);
    assert.equal(requestName('y'.repeat(233), 1), `${'y'.repeat(233)}-1`);
  });
});

describe('annotationsToCopy', () => {
  const annotations = {
    'kubectl.kubernetes.io/last-applied-configuration': '{}',
    'fluxcd.io/sync': 'x',
    'argocd.argoproj.io/tracking-id': 'y',
    'venafi.cert-manager.io/custom-fields': '[]',
    team: 'web',
  };
  test('the default copies everything but kubectl, Flux and Argo CD bookkeeping', () => {
    assert.deepEqual(annotationsToCopy(annotations, ['*', '-kubectl.kubernetes.io/', '-fluxcd.io/', '-argocd.argoproj.io/']), {
      'venafi.cert-manager.io/custom-fields': '[]',
      team: 'web',
    });
  });
  test('without * only the listed prefixes are copied', () => {
    assert.deepEqual(annotationsToCopy(annotations, ['venafi.cert-manager.io/']), { 'venafi.cert-manager.io/custom-fields': '[]' });
    assert.deepEqual(annotationsToCopy(annotations, []), {});
  });
});

const crt = certificate(
  { duration: '720h', usages: ['server auth'], isCA: false },
  { labels: { app: 'web' }, annotations: { team: 'web', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  { revision: 2, conditions: [{ type: 'Issuing', status: 'True', lastTransitionTime: new Date(NOW).toISOString() }] },
);
const { csrPem } = await issue(crt);

describe('buildCertificateRequest', () => {
  const built = buildCertificateRequest({ certificate: crt, csrPem, revision: 3, nextKeySecretName: 'web-x7k2p' });
  test('names, labels and annotations', () => {
    assert.equal(built.metadata.name, 'web-3');
    assert.equal(built.metadata.namespace, 'apps');
    assert.deepEqual(built.metadata.labels, { app: 'web' });
    assert.deepEqual(built.metadata.annotations, {
      team: 'web',
      'cert-manager.io/certificate-revision': '3',
      'cert-manager.io/private-key-secret-name': 'web-x7k2p',
      'cert-manager.io/certificate-name': 'web',
    });
  });
  test('is controlled by the Certificate', () => {
    assert.deepEqual(built.metadata.ownerReferences, [
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true },
    ]);
  });
  test('spec copies duration, issuerRef, isCA and usages and carries the CSR base64-encoded', () => {
    assert.deepEqual(built.spec, {
      duration: '720h',
      issuerRef: { name: 'ca', kind: 'Issuer', group: 'cert-manager.io' },
      request: Buffer.from(csrPem).toString('base64'),
      usages: ['server auth'],
    });
    const ca = buildCertificateRequest({ certificate: certificate({ isCA: true }), csrPem, revision: 1, nextKeySecretName: 'k' });
    assert.equal(ca.spec.isCA, true);
    assert.equal(ca.spec.duration, undefined);
  });
  test('custom copied-annotation prefixes', () => {
    const none = buildCertificateRequest({ certificate: crt, csrPem, revision: 3, nextKeySecretName: 'k', copiedAnnotationPrefixes: [] });
    assert.deepEqual(Object.keys(none.metadata.annotations!).sort(), [
      'cert-manager.io/certificate-name',
      'cert-manager.io/certificate-revision',
      'cert-manager.io/private-key-secret-name',
    ]);
  });
});

const withRevision = (revision: string | undefined, name = `r-${revision}`): CertificateRequest => {
  const r = request(crt, csrPem, 1);
  const annotations = { ...r.metadata.annotations };
  if (revision === undefined) delete annotations['cert-manager.io/certificate-revision'];
  else annotations['cert-manager.io/certificate-revision'] = revision;
  return { ...r, metadata: { ...r.metadata, name, annotations } };
};

describe('revisions', () => {
  test('revisionOf reads the annotation, ignoring junk', () => {
    assert.equal(revisionOf(withRevision('3')), 3);
    assert.equal(revisionOf(withRevision('x')), undefined);
    assert.equal(revisionOf(withRevision('')), undefined);
    assert.equal(revisionOf(withRevision(undefined)), undefined);
  });
  test('the next revision follows status.revision', () => {
    assert.equal(nextRevision(crt), 3);
    assert.equal(nextRevision(certificate()), 1);
  });
  test('requestForRevision finds the one request of a revision', () => {
    const requests = [withRevision('1'), withRevision('2')];
    assert.equal(requestForRevision(requests, 2)?.metadata.name, 'r-2');
    assert.equal(requestForRevision(requests, 3), undefined);
    assert.equal(requestForRevision([withRevision('2', 'a'), withRevision('2', 'b')], 2), undefined);
  });
});

describe('requestsToDelete', () => {
  const next = (changes: Partial<CertificateRequest> = {}, csr = csrPem): CertificateRequest => {
    const r = request(crt, csr, 3);
    return { ...r, ...changes };
  };
  const names = (stale: ReturnType<typeof requestsToDelete>) => stale.map((s) => s.request.metadata.name);

  test('a request for the next revision that matches the spec and key is kept', () => {
    assert.deepEqual(requestsToDelete({ certificate: crt, requests: [next()], nextKey: ecKey }), []);
  });
  test('requests without a readable revision are deleted; other revisions are left alone', () => {
    const stale = requestsToDelete({ certificate: crt, requests: [withRevision(undefined, 'none'), withRevision('x', 'junk'), withRevision('1', 'old')], nextKey: ecKey });
    assert.deepEqual(names(stale), ['none', 'junk']);
  });
  test('a next-revision request that no longer matches the spec is deleted', () => {
    const changed = certificate({ dnsNames: ['other.example.com'] }, {}, crt.status);
    const [stale] = requestsToDelete({ certificate: changed, requests: [next()], nextKey: ecKey });
    assert.match(stale!.why, /spec\.dnsNames/);
  });
  test('a next-revision request for another key is deleted', () => {
    const [stale] = requestsToDelete({ certificate: crt, requests: [next()], nextKey: otherEcKey });
    assert.match(stale!.why, /next private key/);
  });
  test('a next-revision request with an unreadable CSR is deleted', () => {
    assert.equal(requestsToDelete({ certificate: crt, requests: [next({}, 'garbage')], nextKey: ecKey }).length, 1);
  });
  test('a request that failed before this Issuing attempt began is deleted; one that failed during it is kept', () => {
    const failed = (at: number) =>
      next({ status: { failureTime: new Date(at).toISOString(), conditions: [{ type: 'Ready', status: 'False', reason: 'Failed' }] } });
    assert.equal(requestsToDelete({ certificate: crt, requests: [failed(NOW - 1000)], nextKey: ecKey }).length, 1);
    assert.equal(requestsToDelete({ certificate: crt, requests: [failed(NOW + 1000)], nextKey: ecKey }).length, 0);
  });
});

describe('revisionsToPrune', () => {
  const requests = [withRevision('3'), withRevision('1'), withRevision('2'), withRevision(undefined, 'none')];
  test('deletes the oldest revisions beyond the limit', () => {
    assert.deepEqual(revisionsToPrune(requests, 1).map((r) => r.metadata.name), ['r-1', 'r-2']);
    assert.deepEqual(revisionsToPrune(requests, 2).map((r) => r.metadata.name), ['r-1']);
    assert.deepEqual(revisionsToPrune(requests, 5), []);
  });
  test('a limit below one keeps one', () => {
    assert.deepEqual(revisionsToPrune(requests, 0).map((r) => r.metadata.name), ['r-1', 'r-2']);
  });
});

describe('duplicateSecretNameOwner', () => {
  const at = (name: string, created?: string): Certificate => certificate({}, { name, ...(created ? { creationTimestamp: created } : {}) });
  const older = at('b', '2030-01-01T00:00:00Z');
  const newer = at('a', '2030-01-02T00:00:00Z');
  test('one Certificate per Secret is no duplicate', () => {
    assert.equal(duplicateSecretNameOwner([older], undefined), undefined);
  });
  test('the oldest Certificate owns a Secret none of them has written', () => {
    assert.equal(duplicateSecretNameOwner([newer, older], undefined), 'b');
    assert.equal(duplicateSecretNameOwner([newer, older], secret({ annotations: { 'cert-manager.io/certificate-name': 'gone' } })), 'b');
  });
  test('the Certificate named by the Secret owns it', () => {
    assert.equal(duplicateSecretNameOwner([newer, older], secret({ annotations: { 'cert-manager.io/certificate-name': 'a' } })), 'a');
  });
  test('ties go to the smaller name; missing timestamps sort last', () => {
    const sameTime = '2030-01-01T00:00:00Z';
    assert.equal(duplicateSecretNameOwner([at('z', sameTime), at('m', sameTime)], undefined), 'm');
    assert.equal(duplicateSecretNameOwner([at('a'), at('z', sameTime)], undefined), 'z');
  });
});

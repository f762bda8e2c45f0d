import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CertificateRequest } from '../../../api/types.js';
import { PRIVATE_KEY_SECRET_NAME_ANNOTATION } from '../../../api/well-known.js';
import { BY_ISSUER_INDEX, BY_PRIVATE_KEY_SECRET_INDEX, certificateRequestIndexers } from '../../../controller/certificaterequests/indexes.js';
import { IndexedStore } from '../../../controller/runtime/store.js';

function request(name: string, ready?: { status: string; reason: string }, denied = false): CertificateRequest {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: { namespace: 'ns', name, resourceVersion: '1', annotations: { [PRIVATE_KEY_SECRET_NAME_ANNOTATION]: `${name}-key` } },
    spec: { request: 'Q1NS', issuerRef: { kind: 'ClusterIssuer', name: 'ca' } },
    status: {
      conditions: [
        ...(denied ? [{ type: 'Denied', status: 'True' as const, reason: 'Policy', message: 'no' }] : []),
        ...(ready ? [{ type: 'Ready', status: ready.status as 'True' | 'False', reason: ready.reason, message: '' }] : []),
      ],
    },
  } as CertificateRequest;
}

test('the signer\'s wake-up indexes file only requests it still has work for', () => {
  const store = new IndexedStore<CertificateRequest>(certificateRequestIndexers);
  store.upsert(request('pending', { status: 'False', reason: 'Pending' }));
  store.upsert(request('new'));
  store.upsert(request('denied-unmarked', undefined, true));
  for (const finished of [request('issued', { status: 'True', reason: 'Issued' }), request('failed', { status: 'False', reason: 'Failed' }), request('denied', { status: 'False', reason: 'Denied' }, true)]) {
    store.upsert(finished);
  }
  const names = (objs: CertificateRequest[]) => objs.map((r) => r.metadata.name).sort();
  assert.deepEqual(names(store.byIndex(BY_ISSUER_INDEX, 'ClusterIssuer/ca')), ['denied-unmarked', 'new', 'pending']);
  assert.deepEqual(names(store.byIndex(BY_PRIVATE_KEY_SECRET_INDEX, 'ns/pending-key')), ['pending']);
  assert.deepEqual(store.byIndex(BY_PRIVATE_KEY_SECRET_INDEX, 'ns/issued-key'), []);

  // A request that becomes issued leaves both indexes with its new version.
  store.upsert({ ...request('pending', { status: 'True', reason: 'Issued' }), metadata: { ...request('pending').metadata, resourceVersion: '2' } });
  assert.deepEqual(store.byIndex(BY_PRIVATE_KEY_SECRET_INDEX, 'ns/pending-key'), []);
  assert.deepEqual(names(store.byIndex(BY_ISSUER_INDEX, 'ClusterIssuer/ca')), ['denied-unmarked', 'new']);
});

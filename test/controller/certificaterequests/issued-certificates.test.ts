import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CertificateRequest } from '../../../api/types.js';
import { handOverIssuedCertificate, issuedCertificateOf, withoutIssuedCertificate } from '../../../controller/certificaterequests/issued-certificates.js';
import type { KubeClient } from '../../../controller/runtime/client.js';
import type { ObjectRef } from '../../../controller/runtime/keys.js';

const issued = { type: 'Ready', status: 'True' as const, reason: 'Issued', message: 'Certificate fetched from issuer successfully' };
const pending = { type: 'Ready', status: 'False' as const, reason: 'Pending', message: 'waiting' };

function request(uid: string, resourceVersion: string, status: CertificateRequest['status']): CertificateRequest {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: { namespace: 'ns', name: `r-${uid}`, uid, resourceVersion },
    spec: { request: 'Q1NS', issuerRef: { name: 'ca' } },
    ...(status ? { status } : {}),
  };
}

/** A client whose GETs answer from `objects` and are counted. */
function apiWith(...objects: CertificateRequest[]) {
  const reads: string[] = [];
  const client = {
    find: async (_type: unknown, ref: ObjectRef) => {
      reads.push(ref.name);
      return objects.find((o) => o.metadata.name === ref.name);
    },
  } as unknown as KubeClient;
  return { client, reads };
}

test('withoutIssuedCertificate: only an issued request loses status.certificate, the rest stays and the input is not changed', () => {
  const done = request('a', '5', { conditions: [issued], certificate: 'Y2VydA==', ca: 'Y2E=' });
  assert.deepEqual(withoutIssuedCertificate(done), request('a', '5', { conditions: [issued], ca: 'Y2E=' }));
  assert.equal(done.status?.certificate, 'Y2VydA==');
  // Not issued (yet): the signer's "certificate already set" check reads it.
  const notIssued = request('b', '5', { conditions: [pending], certificate: 'Y2VydA==' });
  assert.equal(withoutIssuedCertificate(notIssued), notIssued);
  const fresh = request('c', '1', undefined);
  assert.equal(withoutIssuedCertificate(fresh), fresh);
});

test('issuedCertificateOf: the signer\'s hand-over first (no API read), once; else the API\'s copy of the same version', async () => {
  const written = request('d', '7', { conditions: [issued], certificate: 'aGFuZGVk' });
  const cached = withoutIssuedCertificate(written);
  const { client, reads } = apiWith(written);
  handOverIssuedCertificate(written);
  assert.equal(await issuedCertificateOf(cached, client), 'aGFuZGVk');
  assert.deepEqual(reads, [], 'handed over in memory');
  assert.equal(await issuedCertificateOf(cached, client), 'aGFuZGVk', 'taken: the next reader fetches it');
  assert.deepEqual(reads, ['r-d']);
});

test('issuedCertificateOf: never another version than the cached one', async () => {
  const cached = withoutIssuedCertificate(request('e', '7', { conditions: [issued], certificate: 'b2xk' }));
  assert.equal(await issuedCertificateOf(cached, apiWith(request('e', '9', { conditions: [issued], certificate: 'bmV3' })).client), undefined, 'the cache is behind');
  assert.equal(await issuedCertificateOf(cached, apiWith().client), undefined, 'deleted meanwhile');
  handOverIssuedCertificate(request('e', '6', { conditions: [issued], certificate: 'b2xkZXI=' }));
  assert.equal(await issuedCertificateOf(cached, apiWith().client), undefined, 'a hand-over of another version is not this one');
  const kept = request('f', '3', { conditions: [pending], certificate: 'a2VwdA==' });
  const { client, reads } = apiWith();
  assert.equal(await issuedCertificateOf(kept, client), 'a2VwdA==', 'a cached certificate is read from the object');
  assert.deepEqual(reads, []);
});

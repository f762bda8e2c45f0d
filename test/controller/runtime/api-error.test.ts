import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiErrorFromResponse,
  apiErrorFromStatus,
  isAlreadyExists,
  isConflict,
  isGone,
  isInvalid,
  isNotFound,
} from '../../../controller/runtime/api-error.js';
import { collectionPath, objectPath, SECRETS, CERTIFICATES, CLUSTER_ISSUERS } from '../../../controller/runtime/resources.js';

const status = (code: number, reason: string, message: string, causes?: unknown[]) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, details: causes ? { causes } : {} });

test('a Status body gives code, reason, message and causes', () => {
  const err = apiErrorFromResponse(
    422,
    status(422, 'Invalid', 'Certificate.cert-manager.io "x" is invalid: spec.secretName: Required value', [
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.secretName' },
    ]),
  );
  assert.equal(err.code, 422);
  assert.equal(err.reason, 'Invalid');
  assert.match(err.message, /is invalid: spec.secretName/);
  assert.equal(err.causes[0]?.field, 'spec.secretName');
  assert.ok(isInvalid(err));
  assert.ok(!isConflict(err));
});

test('409 is a conflict unless the reason is AlreadyExists', () => {
  const conflict = apiErrorFromResponse(409, status(409, 'Conflict', 'the object has been modified'));
  const exists = apiErrorFromResponse(409, status(409, 'AlreadyExists', 'secrets "a" already exists'));
  assert.ok(isConflict(conflict) && !isAlreadyExists(conflict));
  assert.ok(isAlreadyExists(exists) && !isConflict(exists));
});

test('a non-Status body falls back to the reason for the HTTP code', () => {
  const err = apiErrorFromResponse(404, '404 page not found');
  assert.ok(isNotFound(err));
  assert.equal(err.reason, 'NotFound');
  assert.match(err.message, /404 Not Found: 404 page not found/);
  const unknown = apiErrorFromResponse(418, '');
  assert.equal(unknown.reason, 'Unknown');
});

test('watch ERROR events with 410 are Gone; other predicates reject plain errors', () => {
  assert.ok(isGone(apiErrorFromStatus({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' })));
  assert.ok(isGone(apiErrorFromResponse(410, status(410, 'Gone', 'gone'))));
  const plain = new Error('ECONNREFUSED');
  assert.ok(![isGone, isConflict, isNotFound, isAlreadyExists, isInvalid].some((p) => p(plain)));
});

test('resource paths cover core, groups, namespaces, subresources and scope mistakes', () => {
  assert.equal(collectionPath(SECRETS), '/api/v1/secrets');
  assert.equal(collectionPath(SECRETS, 'ns'), '/api/v1/namespaces/ns/secrets');
  assert.equal(objectPath(CERTIFICATES, { namespace: 'ns', name: 'web' }, 'status'), '/apis/cert-manager.io/v1/namespaces/ns/certificates/web/status');
  assert.equal(objectPath(CLUSTER_ISSUERS, { name: 'ca' }), '/apis/cert-manager.io/v1/clusterissuers/ca');
  assert.throws(() => objectPath(SECRETS, { name: 'a' }), /Secret is namespaced; a namespace is required/);
  assert.throws(() => objectPath(CLUSTER_ISSUERS, { namespace: 'ns', name: 'a' }), /cluster-scoped/);
});

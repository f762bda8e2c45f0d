import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import { nextKeyAction } from '../../../controller/certificates/next-key.js';
import { inspectSecret } from '../../../controller/certificates/secret-state.js';
import type { Certificate, CertificatePrivateKey } from '../../../api/types.js';
import { encodePrivateKeyPem } from '../../../pki/index.js';
import { certificate, ec384Key, ecKey, NOW, secret } from './fixtures.js';

const issuingStatus = (nextPrivateKeySecretName?: string): Certificate['status'] => ({
  conditions: [{ type: 'Issuing', status: 'True', lastTransitionTime: new Date(NOW).toISOString() }],
  ...(nextPrivateKeySecretName ? { nextPrivateKeySecretName } : {}),
});
const issuing = (privateKey: CertificatePrivateKey = { algorithm: 'ECDSA' }, next?: string) => certificate({ privateKey }, {}, issuingStatus(next));
const nextKeySecret = (name: string, key: KeyObject | string = ecKey): V1Secret => secret({ name, key });
const noSecret = inspectSecret(undefined);

describe('when the Certificate is not issuing', () => {
  test('every next-key Secret is deleted', () => {
    const action = nextKeyAction({ certificate: certificate(), candidates: [nextKeySecret('web-a'), nextKeySecret('web-b')], currentSecret: noSecret });
    assert.deepEqual(action, { delete: ['web-a', 'web-b'], why: 'the Certificate is not issuing' });
  });
  test('with none there is nothing to delete', () => {
    assert.deepEqual(nextKeyAction({ certificate: certificate(), candidates: [], currentSecret: noSecret }), { delete: [], why: 'the Certificate is not issuing' });
  });
});

describe('creating the next key', () => {
  test('rotationPolicy Always (the default) generates a new key', () => {
    const withSecret = inspectSecret(secret({ key: ecKey }));
    assert.deepEqual(nextKeyAction({ certificate: issuing(), candidates: [], currentSecret: withSecret }), { create: 'generate' });
  });
  test('rotationPolicy Never reuses a matching key from the Secret', () => {
    const never = issuing({ algorithm: 'ECDSA', rotationPolicy: 'Never' });
    assert.deepEqual(nextKeyAction({ certificate: never, candidates: [], currentSecret: inspectSecret(secret({ key: ecKey })) }), { create: 'reuse' });
  });
  test('rotationPolicy Never generates when the Secret or its key is absent', () => {
    const never = issuing({ algorithm: 'ECDSA', rotationPolicy: 'Never' });
    assert.deepEqual(nextKeyAction({ certificate: never, candidates: [], currentSecret: noSecret }), { create: 'generate' });
    assert.deepEqual(nextKeyAction({ certificate: never, candidates: [], currentSecret: inspectSecret(secret({ data: {} })) }), { create: 'generate' });
  });
  test('rotationPolicy Never generates with a DecodeFailed warning when the key is unreadable', () => {
    const never = issuing({ algorithm: 'ECDSA', rotationPolicy: 'Never' });
    const action = nextKeyAction({ certificate: never, candidates: [], currentSecret: inspectSecret(secret({ key: 'junk' })) });
    assert.deepEqual(action, {
      create: 'generate',
      event: { type: 'Warning', reason: 'DecodeFailed', message: 'Failed to decode private key stored in Secret "web-tls" - generating new key' },
    });
  });
  test('rotationPolicy Never waits with CannotRegenerateKey when the key does not match the spec', () => {
    const never = issuing({ algorithm: 'ECDSA', size: 384, rotationPolicy: 'Never' });
    const action = nextKeyAction({ certificate: never, candidates: [], currentSecret: inspectSecret(secret({ key: ecKey })) });
    assert.ok('wait' in action);
    assert.equal(action.wait, 'CannotRegenerateKey');
    assert.equal(action.event.type, 'Warning');
    assert.match(action.event.message, /^User intervention required: existing private key in Secret "web-tls" does not match requirements on Certificate resource, mismatching fields: \[spec\.privateKey\.size\]/);
    assert.ok(!action.event.message.includes(encodePrivateKeyPem(ecKey).split('\n')[1]!.slice(0, 16)));
  });
});

describe('an existing next-key Secret', () => {
  test('a good one named in the status is used', () => {
    assert.deepEqual(nextKeyAction({ certificate: issuing(undefined, 'web-a'), candidates: [nextKeySecret('web-a')], currentSecret: noSecret }), { use: 'web-a' });
  });
  test('a good one is adopted when the status names none (a restart between create and status update)', () => {
    assert.deepEqual(nextKeyAction({ certificate: issuing(), candidates: [nextKeySecret('web-a')], currentSecret: noSecret }), { use: 'web-a' });
  });
  test('one whose name differs from the status is deleted', () => {
    const action = nextKeyAction({ certificate: issuing(undefined, 'web-b'), candidates: [nextKeySecret('web-a')], currentSecret: noSecret });
    assert.deepEqual(action, { delete: ['web-a'], why: 'its name does not match status.nextPrivateKeySecretName' });
  });
  test('one without data, with an unreadable key, or with a key that no longer fits the spec is deleted', () => {
    const cases: Array<[V1Secret, Certificate, RegExp]> = [
      [secret({ name: 'web-a', data: {} }), issuing(), /no private key/],
      [nextKeySecret('web-a', 'junk'), issuing(), /cannot be decoded/],
      [nextKeySecret('web-a', ec384Key), issuing(), /spec\.privateKey\.size/],
      [nextKeySecret('web-a'), issuing({ algorithm: 'RSA' }), /spec\.privateKey\.algorithm/],
    ];
    for (const [candidate, crt, why] of cases) {
      const action = nextKeyAction({ certificate: crt, candidates: [candidate], currentSecret: noSecret });
      assert.ok('delete' in action);
      assert.deepEqual(action.delete, ['web-a']);
      assert.match(action.why, why);
    }
  });
  test('of several, only the one the status names survives', () => {
    const candidates = [nextKeySecret('web-a'), nextKeySecret('web-b'), nextKeySecret('web-c')];
    const named = nextKeyAction({ certificate: issuing(undefined, 'web-b'), candidates, currentSecret: noSecret });
    assert.ok('delete' in named);
    assert.deepEqual(named.delete, ['web-a', 'web-c']);
    const unnamed = nextKeyAction({ certificate: issuing(), candidates, currentSecret: noSecret });
    assert.ok('delete' in unnamed);
    assert.deepEqual(unnamed.delete, ['web-a', 'web-b', 'web-c']);
  });
});

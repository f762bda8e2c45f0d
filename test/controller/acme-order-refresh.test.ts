/** Why an Order is refreshed decides which ACME requests the refresh may skip (issue 6: requests per certificate ≤ lego's). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Challenge, Order } from '../../api/types.js';
import { nextOrderAction } from '../../controller/acme/order-decisions.js';

const order = (status: Order['status']): Order => ({ apiVersion: 'acme.cert-manager.io/v1', kind: 'Order', metadata: { name: 'o', namespace: 'n', uid: 'u' }, spec: { request: '', issuerRef: { name: 'i' } }, status });
const challenge = (state?: NonNullable<Challenge['status']>['state']): Challenge => ({
  apiVersion: 'acme.cert-manager.io/v1',
  kind: 'Challenge',
  metadata: { name: `c-${state}`, namespace: 'n' },
  spec: { url: 'u', authorizationURL: 'a', dnsName: 'x.test', type: 'HTTP-01', token: 't', key: 'k', solver: {}, issuerRef: { name: 'i' } },
  ...(state ? { status: { state } } : {}),
});
const authz = (url: string, initialState: 'pending' | 'valid') => ({ url, identifier: 'x.test', initialState, challenges: [] });
const pending = { url: 'u', finalizeURL: 'f', state: 'pending' as const, authorizations: [authz('a1', 'pending'), authz('a2', 'pending')] };
const cause = (status: Order['status'], challenges: Challenge[] = []) => {
  const action = nextOrderAction({ order: order(status), challenges });
  return action.kind === 'refresh' ? action.because : action.kind;
};

test('a refresh names its cause: missing Challenges, all valid (finalize without a GET), one failed, processing, nothing to solve', () => {
  assert.equal(cause(pending, [challenge('pending')]), 'challenges-missing', 'two authorizations to solve, one Challenge');
  assert.equal(cause(pending, [challenge('valid'), challenge('pending')]), 'wait-for-challenges');
  assert.equal(cause(pending, [challenge('valid'), challenge('valid')]), 'challenges-valid');
  assert.equal(cause(pending, [challenge('valid'), challenge('invalid')]), 'challenges-failed', 'a failed Challenge needs the order read (it is invalid)');
  assert.equal(cause(pending, [challenge('pending'), challenge('errored')]), 'challenges-failed');
  assert.equal(cause({ ...pending, state: 'processing' }), 'processing');
  assert.equal(cause({ ...pending, authorizations: [authz('a1', 'valid')] }), 'nothing-to-solve');
  assert.equal(cause({ ...pending, authorizations: [authz('a1', 'valid'), authz('a2', 'pending')] }, [challenge('valid')]), 'challenges-valid', 'reused authorizations need no Challenge');
});

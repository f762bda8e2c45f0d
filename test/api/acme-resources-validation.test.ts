import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateChallenge, validateChallengeStatus, validateOrder, validateOrderStatus } from '../../api/validation/index.js';
import type { Order } from '../../api/types.js';
import { challenge, messages, order } from './builders.js';

const pem = Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64');

const recorded = (): Order =>
  order(
    {},
    {
      url: 'https://acme.example/order/1',
      finalizeURL: 'https://acme.example/order/1/finalize',
      state: 'pending',
      authorizations: [
        {
          url: 'https://acme.example/authz/1',
          identifier: 'example.com',
          wildcard: false,
          initialState: 'pending',
          challenges: [
            { url: 'https://acme.example/chall/1', token: 't1', type: 'http-01' },
            { url: 'https://acme.example/chall/2', token: 't2', type: 'dns-01' },
          ],
        },
      ],
    },
  );

test('Order: creates need only the schema', () => {
  assert.deepEqual(messages(validateOrder(order({ profile: 'tlsserver', replaces: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE', duration: '24h', ipAddresses: ['10.0.0.1'], commonName: 'example.com' }))), []);
  assert.deepEqual(messages(validateOrder(order({}, { state: 'finished' as 'valid' }))), [
    'status.state: Unsupported value: "finished": supported values: "valid", "ready", "pending", "processing", "invalid", "expired", "errored"',
  ]);
  const noRequest = order();
  delete (noRequest.spec as Partial<Order['spec']>).request;
  assert.deepEqual(messages(validateOrder(noRequest)), ['spec.request: Required value']);
});

test('Order: what the ACME server returned is immutable once set', () => {
  const old = recorded();
  const progressed = structuredClone(old);
  progressed.status!.state = 'valid';
  progressed.status!.certificate = pem;
  assert.deepEqual(messages(validateOrder(progressed, old)), []);

  const rewritten = structuredClone(progressed);
  rewritten.spec.request = Buffer.from('other').toString('base64');
  rewritten.status!.url = 'https://acme.example/order/2';
  rewritten.status!.finalizeURL = 'https://acme.example/order/2/finalize';
  const authz = rewritten.status!.authorizations![0]!;
  authz.url = 'https://acme.example/authz/2';
  authz.identifier = 'other.example.com';
  authz.wildcard = true;
  authz.initialState = 'valid';
  authz.challenges![0] = { url: 'https://acme.example/chall/9', token: 't9', type: 'tls-alpn-01' };
  assert.deepEqual(messages(validateOrder(rewritten, progressed)), [
    'spec.request: Forbidden: field is immutable once set',
    'status.url: Forbidden: field is immutable once set',
    'status.finalizeURL: Forbidden: field is immutable once set',
    'status.authorizations[0].url: Forbidden: field is immutable once set',
    'status.authorizations[0].identifier: Forbidden: field is immutable once set',
    'status.authorizations[0].wildcard: Forbidden: field is immutable once set',
    'status.authorizations[0].initialState: Forbidden: field is immutable once set',
    'status.authorizations[0].challenges[0].url: Forbidden: field is immutable once set',
    'status.authorizations[0].challenges[0].type: Forbidden: field is immutable once set',
    'status.authorizations[0].challenges[0].token: Forbidden: field is immutable once set',
  ]);

  const reissued = structuredClone(progressed);
  reissued.status!.certificate = Buffer.from('other').toString('base64');
  reissued.status!.authorizations!.push({ url: 'https://acme.example/authz/3' });
  reissued.status!.authorizations![0]!.challenges!.pop();
  assert.deepEqual(messages(validateOrderStatus(reissued, progressed)), [
    'status.certificate: Forbidden: field is immutable once set',
    'status.authorizations: Forbidden: field is immutable once set',
    'status.authorizations[0].challenges: Forbidden: field is immutable once set',
  ]);
});

test('Order: fields still unset may be filled in', () => {
  const bare = order();
  const filled = recorded();
  assert.deepEqual(messages(validateOrder(filled, bare)), []);
  const partial = structuredClone(filled);
  delete partial.status!.authorizations![0]!.wildcard;
  assert.deepEqual(messages(validateOrder(filled, partial)), []);
});

test('Challenge: the spec is immutable after creation; the status may change', () => {
  const old = challenge();
  assert.deepEqual(messages(validateChallenge(old)), []);
  const presented = challenge({}, { processing: true, presented: true, presentedAt: '2026-01-01T00:00:00Z', state: 'pending', reason: '' });
  assert.deepEqual(messages(validateChallenge(presented, old)), []);
  assert.deepEqual(messages(validateChallengeStatus(presented, old)), []);
  assert.deepEqual(messages(validateChallenge(challenge({ token: 'other' }), old)), ['spec: Forbidden: challenge spec is immutable after creation']);
  assert.deepEqual(messages(validateChallenge(challenge({ type: 'TLS-ALPN-01' as 'DNS-01' }))), [
    'spec.type: Unsupported value: "TLS-ALPN-01": supported values: "HTTP-01", "DNS-01"',
  ]);
  assert.deepEqual(messages(validateChallengeStatus(challenge({}, { presentedAt: 'yesterday' }), old)), [
    'status.presentedAt: Invalid value: "yesterday": status.presentedAt in body must be of type date-time: "yesterday"',
  ]);
});

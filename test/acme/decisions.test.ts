/** The ACME decisions as pure functions: names, solver choice, Order and Challenge steps, scheduling, budget, Retry-After, ARI time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ACMEChallengeSolver, Challenge, Order } from '../../api/types.js';
import { ariNextCheck, ariRenewalInput, ariWindowFraction, DEFAULT_ARI_POLL_BOUNDS } from '../../controller/acme/ari.js';
import { renewalTime } from '../../controller/certificates/renewal.js';
import type { Certificate } from '../../api/types.js';
import { challengesToSchedule, nextChallengeStep, CHALLENGE_FINALIZER } from '../../controller/acme/challenge-decisions.js';
import { nextOrderAction } from '../../controller/acme/order-decisions.js';
import { pollDelay } from '../../controller/acme/orders.js';
import { selectSolver } from '../../controller/acme/solver-selection.js';
import { OrderBudget } from '../../issuers/acme/budget.js';
import { alternateLinks, dns01TxtValue, jwkThumbprint, keyAuthorization } from '../../issuers/acme/client.js';
import { computeName, fnv1_32, orderIdentifiers } from '../../issuers/acme/orders.js';
import { AcmeProblemError, isPermanentProblem, parseRetryAfter } from '../../issuers/acme/problem.js';
import { registrationCached } from '../../issuers/acme/issuer.js';
import { createPublicKey } from 'node:crypto';

test('fnv1_32 is Go FNV-1 (not 1a) and computeName keeps 52 characters of the prefix', () => {
  assert.equal(fnv1_32(Buffer.from('')), 0x811c9dc5);
  assert.equal(fnv1_32(Buffer.from('a')), 0x050c5d7e); // FNV-1 32 of "a"; FNV-1a would be 0xe40c292c
  const name = computeName('x'.repeat(60), { a: 1 });
  assert.match(name, /^x{52}-\d+$/);
  assert.equal(computeName('cr', { a: 1 }), computeName('cr', { a: 1 }));
  assert.notEqual(computeName('cr', { a: 1 }), computeName('cr', { a: 2 }));
});

test('orderIdentifiers: DNS names and IPs once each, the CN by its kind', () => {
  assert.deepEqual(orderIdentifiers({ commonName: 'a.test', dnsNames: ['a.test', 'b.test'], ipAddresses: ['10.0.0.1'] }), [
    { type: 'dns', value: 'a.test' },
    { type: 'dns', value: 'b.test' },
    { type: 'ip', value: '10.0.0.1' },
  ]);
  assert.deepEqual(orderIdentifiers({ commonName: '192.0.2.1' }), [{ type: 'ip', value: '192.0.2.1' }]);
});

const http = (selector?: ACMEChallengeSolver['selector']): ACMEChallengeSolver => ({ http01: { ingress: {} }, ...(selector ? { selector } : {}) });
const dns = (selector?: ACMEChallengeSolver['selector']): ACMEChallengeSolver => ({ dns01: { rfc2136: { nameserver: '127.0.0.1' } }, ...(selector ? { selector } : {}) });

test('solver selection follows cert-manager precedence: dnsNames > dnsZones (more labels wins) > labels > no selector', () => {
  const offered = ['http-01', 'dns-01'];
  const input = { domain: 'www.sub.example.com', offered, labels: { team: 'a' } };
  const byDefault = http();
  const byLabel = dns({ matchLabels: { team: 'a' } });
  const byZone = http({ dnsZones: ['example.com'] });
  const byLongerZone = dns({ dnsZones: ['sub.example.com'] });
  const byName = http({ dnsNames: ['www.sub.example.com'] });
  assert.equal(selectSolver([byDefault], input)?.solver, byDefault);
  assert.equal(selectSolver([byDefault, byLabel], input)?.solver, byLabel);
  assert.equal(selectSolver([byLabel, byZone], input)?.solver, byZone);
  assert.equal(selectSolver([byZone, byLongerZone], input)?.solver, byLongerZone);
  assert.equal(selectSolver([byLongerZone, byName, byZone], input)?.solver, byName);
  assert.equal(selectSolver([dns({ matchLabels: { team: 'b' } })], input), undefined, 'a non-matching selector never applies');
  assert.equal(selectSolver([dns()], { ...input, offered: ['http-01'] }), undefined, 'only offered types');
  assert.equal(selectSolver([http(), dns()], input)?.type, 'http-01', 'ties keep the earlier solver');
  assert.equal(selectSolver([http({ dnsNames: ['*.example.com'] })], { ...input, domain: '*.example.com' })?.type, 'http-01', 'wildcards match as *.name');
});

const order = (status: Order['status'] = {}): Order => ({ apiVersion: 'acme.cert-manager.io/v1', kind: 'Order', metadata: { name: 'o', namespace: 'n', uid: 'u' }, spec: { request: '', issuerRef: { name: 'i' } }, status });
const challenge = (status: Challenge['status'] = {}, meta: Partial<Challenge['metadata']> = {}): Challenge => ({
  apiVersion: 'acme.cert-manager.io/v1',
  kind: 'Challenge',
  metadata: { name: 'c', namespace: 'n', ...meta },
  spec: { url: 'u', authorizationURL: 'a', dnsName: 'x.test', type: 'HTTP-01', token: 't', key: 'k', solver: {}, issuerRef: { name: 'i' } },
  status,
});
const authz = (initialState: 'pending' | 'valid') => ({ url: 'a', identifier: 'x.test', initialState, challenges: [] });

test('nextOrderAction walks the Order state machine', () => {
  const kind = (o: Order, challenges: Challenge[] = []) => nextOrderAction({ order: o, challenges }).kind;
  assert.equal(kind(order({ state: 'errored' })), 'done');
  assert.equal(kind(order()), 'create');
  assert.equal(kind(order({ url: 'u', state: 'pending' })), 'fetch-authorizations');
  const pending = { url: 'u', finalizeURL: 'f', state: 'pending' as const, authorizations: [authz('pending')] };
  assert.equal(kind(order(pending)), 'refresh', 'a missing Challenge is created by a refresh');
  assert.equal(kind(order(pending), [challenge({ state: 'pending' })]), 'wait-for-challenges');
  assert.equal(kind(order(pending), [challenge({ state: 'valid' })]), 'refresh');
  assert.equal(kind(order(pending), [challenge({ state: 'invalid' })]), 'refresh');
  assert.equal(kind(order({ ...pending, authorizations: [authz('valid')] })), 'refresh', 'reused authorizations need no Challenge');
  assert.equal(kind(order({ ...pending, state: 'ready' })), 'finalize');
  assert.equal(kind(order({ ...pending, state: 'processing' })), 'refresh');
  assert.equal(kind(order({ ...pending, state: 'valid' })), 'fetch-certificate');
  assert.equal(kind(order({ ...pending, state: 'valid', certificate: 'pem' }), [challenge()]), 'delete-challenges');
  assert.equal(kind(order({ ...pending, state: 'valid', certificate: 'pem' })), 'done');
});

test('nextChallengeStep: finish, schedule, finalizer, state, present, check, poll', () => {
  const withFinalizer = { finalizers: [CHALLENGE_FINALIZER] };
  assert.equal(nextChallengeStep(challenge({ state: 'valid', processing: true })), 'finish');
  assert.equal(nextChallengeStep(challenge({}, { deletionTimestamp: '2026-01-01T00:00:00Z' })), 'finish');
  assert.equal(nextChallengeStep(challenge({})), 'idle');
  assert.equal(nextChallengeStep(challenge({ processing: true })), 'add-finalizer');
  assert.equal(nextChallengeStep(challenge({ processing: true }, withFinalizer)), 'read-state');
  assert.equal(nextChallengeStep(challenge({ processing: true, state: 'pending' }, withFinalizer)), 'present');
  assert.equal(nextChallengeStep(challenge({ processing: true, state: 'pending', presented: true }, withFinalizer)), 'check-and-accept');
  assert.equal(nextChallengeStep(challenge({ processing: true, state: 'processing', presented: true }, withFinalizer)), 'poll');
});

test('the scheduler keeps the global limit, never two live Challenges per (name, type), oldest first', () => {
  const at = (name: string, minute: number, dnsName = `${name}.test`, status: Challenge['status'] = {}) => {
    const c = challenge(status, { name, creationTimestamp: `2026-01-01T00:${String(minute).padStart(2, '0')}:00Z` });
    return { ...c, spec: { ...c.spec, dnsName } };
  };
  const running = at('running', 0, 'same.test', { processing: true, state: 'pending' });
  const sameName = at('same', 1, 'same.test');
  const a = at('a', 3);
  const b = at('b', 2);
  const done = at('done', 0, 'done.test', { state: 'valid' });
  assert.deepEqual(challengesToSchedule([running, sameName, a, b, done], 60).map((c) => c.metadata.name), ['b', 'a']);
  assert.deepEqual(challengesToSchedule([running, sameName, a, b], 2).map((c) => c.metadata.name), ['b'], 'the limit counts processing ones');
  assert.deepEqual(challengesToSchedule([sameName, at('same2', 5, 'same.test')], 60).map((c) => c.metadata.name), ['same'], 'one per name and type per pass');
});

test('the order budget queues instead of failing and refills over its period', () => {
  let now = 0;
  const budget = new OrderBudget({ orders: 2, periodMs: 1000 }, () => now);
  assert.equal(budget.tryTake('acct'), 0);
  assert.equal(budget.tryTake('acct'), 0);
  assert.equal(budget.tryTake('acct'), 500, 'one order every 500 ms');
  assert.equal(budget.tryTake('other'), 0, 'per account');
  now = 499;
  assert.ok(budget.tryTake('acct') > 0, 'waiting takes nothing');
  now = 500;
  assert.equal(budget.tryTake('acct'), 0);
  assert.throws(() => new OrderBudget({ orders: 0, periodMs: 1 }), /orders ≥ 1/);
});

test('Retry-After as seconds or an HTTP date; poll delays honour it within bounds', () => {
  assert.equal(parseRetryAfter('120', 1000), 121_000);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', 0), Date.parse('2015-10-21T07:28:00Z'));
  assert.equal(parseRetryAfter('soon', 0), undefined);
  assert.equal(parseRetryAfter(undefined, 0), undefined);
  assert.equal(pollDelay(undefined, 0, 200), 200);
  assert.equal(pollDelay(5_000, 0, 200), 5_000);
  assert.equal(pollDelay(100, 0, 200), 200, 'never faster than the poll interval');
  assert.equal(pollDelay(3_600_000, 0, 200), 60_000, 'capped');
});

test('ACME problems: types, permanence and messages', () => {
  const rateLimited = new AcmeProblemError(429, { type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many' }, 5);
  assert.equal(rateLimited.shortType, 'rateLimited');
  assert.equal(rateLimited.message, '429 urn:ietf:params:acme:error:rateLimited: too many');
  assert.equal(isPermanentProblem(rateLimited), false);
  assert.equal(isPermanentProblem(new AcmeProblemError(400, { type: 'urn:ietf:params:acme:error:malformed' })), true);
  assert.equal(isPermanentProblem(new AcmeProblemError(503, {})), false);
});

test('key authorizations use the RFC 7638 thumbprint; DNS-01 values are its SHA-256; alternate links are parsed', () => {
  // RFC 7638 §3.1's example key has this thumbprint.
  const jwk = { kty: 'RSA', e: 'AQAB', n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw' };
  const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString();
  assert.equal(jwkThumbprint(pem), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  assert.equal(keyAuthorization('tok', 'thumb'), 'tok.thumb');
  assert.equal(dns01TxtValue('tok.thumb').length, 43);
  assert.deepEqual(alternateLinks('<https://a/1>;rel="alternate", <https://a/up>;rel="up", <https://a/2>; rel=alternate'), ['https://a/1', 'https://a/2']);
});

test('registration is cached only for a Ready issuer with the same host, email and key', () => {
  const issuer = (status: object, email = 'a@b.test') => ({
    apiVersion: 'cert-manager.io/v1',
    kind: 'Issuer' as const,
    metadata: { name: 'i', namespace: 'n' },
    spec: { acme: { server: 'https://ca.test/dir', email, privateKeySecretRef: { name: 'k' } } },
    status: { conditions: [{ type: 'Ready', status: 'True' as const }], ...status },
  });
  const acme = { uri: 'https://ca.test/acct/1', lastRegisteredEmail: 'a@b.test', lastPrivateKeyHash: 'h' };
  assert.equal(registrationCached(issuer({ acme }), 'h'), true);
  assert.equal(registrationCached(issuer({ acme }), 'other key'), false);
  assert.equal(registrationCached(issuer({ acme }, 'new@b.test'), 'h'), false, 'an email change updates the account');
  assert.equal(registrationCached(issuer({ acme: { ...acme, uri: 'https://other.test/acct/1' } }), 'h'), false);
});

test('ARI: the renewal time is a stable, uniformly spread instant of the window fetched for the current leaf', () => {
  const window = { start: '2030-02-20T00:00:00Z', end: '2030-02-21T00:00:00Z' };
  const fractions = Array.from({ length: 200 }, (_, i) => ariWindowFraction(`uid-${i}`, window));
  const firstHalf = fractions.filter((f) => f < 0.5).length;
  assert.ok(fractions.every((f) => f >= 0 && f < 1));
  assert.ok(firstHalf > 70 && firstHalf < 130, `roughly uniform (${firstHalf}/200 in the first half)`);
  const certificate = (lastChecked: string): Certificate => ({
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'c', namespace: 'n', uid: 'uid-1' },
    spec: { secretName: 's', issuerRef: { name: 'i' } },
    status: { acme: { ari: { suggestedWindow: window, lastChecked } } },
  });
  const notBefore = new Date('2029-12-01T00:00:00Z');
  const input = { notBefore, notAfter: new Date('2030-03-01T00:00:00Z') };
  const fresh = certificate('2029-12-02T00:00:00Z');
  const at = renewalTime({ ...input, certificate: fresh, ...ariRenewalInput(fresh, notBefore) })!.time.getTime();
  assert.ok(at >= Date.parse(window.start) && at < Date.parse(window.end), 'inside the window');
  assert.equal(renewalTime({ ...input, certificate: fresh, ...ariRenewalInput(fresh, notBefore) })!.time.getTime(), at, 'stable');
  const stale = certificate('2029-11-30T00:00:00Z');
  assert.deepEqual(ariRenewalInput(stale, notBefore), {}, 'information fetched before this leaf was issued is about another certificate');
  assert.ok(renewalTime({ ...input, certificate: stale, ...ariRenewalInput(stale, notBefore) })!.time.getTime() < Date.parse(window.start), 'normal renewal applies');
});

test('ARI polling: Retry-After clamped to [1 h, 7 d], 24 h without one, with at most 10 % jitter', () => {
  const { minMs, maxMs, defaultMs } = DEFAULT_ARI_POLL_BOUNDS;
  const mid = () => 0.5;
  assert.equal(ariNextCheck(undefined, 0, DEFAULT_ARI_POLL_BOUNDS, mid), defaultMs);
  assert.equal(ariNextCheck(10_000, 0, DEFAULT_ARI_POLL_BOUNDS, mid), minMs);
  assert.equal(ariNextCheck(30 * 86_400_000, 0, DEFAULT_ARI_POLL_BOUNDS, mid), maxMs);
  assert.equal(ariNextCheck(2 * minMs, 0, DEFAULT_ARI_POLL_BOUNDS, () => 0), Math.round(2 * minMs * 0.9));
  assert.equal(ariNextCheck(2 * minMs, 0, DEFAULT_ARI_POLL_BOUNDS, () => 1), Math.round(2 * minMs * 1.1));
});

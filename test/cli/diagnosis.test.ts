import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  awaitingApproval,
  caSecretMissing,
  challengeFailed,
  challengePending,
  describeSolver,
  diagnose,
  diagnosisChain,
  isReady,
  issuanceBackingOff,
  issuerNotFound,
  issuerNotReady,
  issuingWithoutRequest,
  notReconciled,
  orderFailed,
  orderPending,
  readyConditionFalse,
  requestDenied,
  requestFailed,
  requestInvalid,
  requestPending,
  secretNotReady,
} from '../../cli/diagnosis.js';
import { certificate, challenge, condition, DAY_MS, issuer, NOW, order, request, secretState, snapshot, tlsSecret } from './fixtures.js';

const context = { program: 'certwright' };
const approved = condition('Approved', 'True', 'cert-manager.io', 'approved');

test('notReconciled: only a Certificate without any condition', () => {
  assert.equal(notReconciled(snapshot({ certificate: certificate([]) }), context)?.code, 'NotReconciled');
  assert.equal(notReconciled(snapshot(), context), undefined);
});

test('challengeFailed names the domain, the solver, the ACME problem and how to retry', () => {
  const failed = challenge('HTTP-01', 'invalid', 'Error accepting authorization: 403 urn:ietf:params:acme:error:unauthorized: Invalid response: 404');
  const d = challengeFailed(snapshot({ challenges: [challenge('HTTP-01', 'valid'), failed] }), context);
  assert.equal(d?.code, 'ChallengeFailed');
  assert.match(d!.reason, /^ACME challenge for web\.example\.com \(HTTP-01 via ingress class "nginx"\) is invalid: Error accepting authorization: 403/);
  assert.match(d!.nextStep, /http:\/\/web\.example\.com\/\.well-known\/acme-challenge\/tok3n is reachable/);
  assert.match(d!.nextStep, /"certwright renew web -n apps"/);
  const dns = challengeFailed(snapshot({ challenges: [challenge('DNS-01', 'errored', 'presenting: cloudflare: 403')] }), context);
  assert.match(dns!.reason, /DNS-01 via cloudflare\) is errored/);
  assert.match(dns!.nextStep, /TXT record _acme-challenge\.web\.example\.com/);
  assert.equal(challengeFailed(snapshot({ challenges: [challenge('HTTP-01', 'pending')] }), context), undefined);
});

test('describeSolver names the ingress, the class, the Gateway route or the DNS provider', () => {
  const withSolver = (solver: object) => ({ ...challenge('HTTP-01', 'pending'), spec: { ...challenge('HTTP-01', 'pending').spec, solver } }) as ReturnType<typeof challenge>;
  assert.equal(describeSolver(withSolver({ http01: { ingress: { name: 'web' } } })), 'HTTP-01 via Ingress "web"');
  assert.equal(describeSolver(withSolver({ http01: { ingress: { class: 'traefik' } } })), 'HTTP-01 via ingress class "traefik"');
  assert.equal(describeSolver(withSolver({ http01: { gatewayHTTPRoute: {} } })), 'HTTP-01 via a Gateway API HTTPRoute');
  assert.equal(describeSolver(challenge('DNS-01', 'pending')), 'DNS-01 via cloudflare');
});

test('orderFailed and orderPending read the Order state', () => {
  assert.match(orderFailed(snapshot({ order: order('errored', '400 urn:ietf:params:acme:error:rejectedIdentifier') }), context)!.reason, /ACME Order apps\/web-1-123 is errored: 400 .*rejectedIdentifier/);
  assert.equal(orderFailed(snapshot({ order: order('pending') }), context), undefined);
  assert.equal(orderPending(snapshot({ order: order('pending') }), context)?.code, 'OrderPending');
  assert.equal(orderPending(snapshot({ order: order('valid') }), context), undefined);
});

test('challengePending reports the first challenge that is not valid, with its propagation message', () => {
  const d = challengePending(snapshot({ challenges: [challenge('DNS-01', 'pending', 'Waiting for DNS-01 challenge propagation: NXDOMAIN')] }), context);
  assert.match(d!.reason, /is pending: Waiting for DNS-01 challenge propagation: NXDOMAIN/);
  assert.equal(challengePending(snapshot({ challenges: [challenge('DNS-01', 'valid')] }), context), undefined);
});

test('requestDenied quotes the denial; requestInvalid the InvalidRequest condition', () => {
  const denied = request(1, [condition('Denied', 'True', 'PolicyDenied', 'dnsNames not allowed by policy')]);
  const d = requestDenied(snapshot({ nextRequest: denied }), context);
  assert.equal(d?.code, 'Denied');
  assert.equal(d!.reason, 'CertificateRequest apps/web-1 was denied (PolicyDenied: dnsNames not allowed by policy)');
  assert.equal(requestDenied(snapshot({ nextRequest: request(1, [approved]) }), context), undefined);
  const invalid = request(1, [condition('InvalidRequest', 'True', 'RequestParsingError', 'bad CSR')]);
  assert.match(requestInvalid(snapshot({ nextRequest: invalid }), context)!.reason, /is invalid \(RequestParsingError: bad CSR\)/);
});

test('issuerNotFound, caSecretMissing and issuerNotReady look at the issuer snapshot', () => {
  const missing = snapshot({ issuer: { name: 'ca', kind: 'Issuer', group: 'cert-manager.io', external: false } });
  assert.equal(issuerNotFound(missing, context)!.reason, 'Issuer "ca" does not exist in namespace apps');
  assert.equal(issuerNotFound(snapshot({ issuer: { name: 'x', kind: 'AWSPCAIssuer', group: 'awspca.cert-manager.io', external: true } }), context), undefined, 'external issuers are not looked up');

  const noSecret = snapshot({ issuer: { ...snapshot().issuer, caSecret: { namespace: 'apps', name: 'ca-key-pair', exists: false } } });
  const d = caSecretMissing(noSecret, context);
  assert.equal(d!.reason, 'the CA Issuer "ca" needs Secret apps/ca-key-pair, which does not exist');
  assert.match(d!.nextStep, /create Secret apps\/ca-key-pair with the CA's tls\.crt and tls\.key/);
  assert.equal(caSecretMissing(snapshot(), context), undefined);

  const notReady = snapshot({ issuer: { ...snapshot().issuer, object: issuer([condition('Ready', 'False', 'ErrInvalidKeyPair', 'Error getting keypair for CA issuer: certificate is not a CA')]) } });
  assert.equal(issuerNotReady(notReady, context)!.reason, 'Issuer "ca" is not Ready (ErrInvalidKeyPair: Error getting keypair for CA issuer: certificate is not a CA)');
  assert.match(issuerNotReady(snapshot({ issuer: { ...snapshot().issuer, object: issuer([]) } }), context)!.nextStep, /no controller has checked/);
  assert.equal(issuerNotReady(snapshot(), context), undefined);
});

test('requestFailed says when the retry comes; issuanceBackingOff when the request is gone', () => {
  const failedAt = new Date(NOW - 10 * 60_000).toISOString();
  const failing = snapshot({
    certificate: certificate(undefined, { lastFailureTime: failedAt, failedIssuanceAttempts: 1 }),
    nextRequest: request(1, [approved, condition('Ready', 'False', 'Failed', 'Error signing certificate: boom')]),
  });
  const d = requestFailed(failing, context);
  assert.equal(d!.reason, 'CertificateRequest apps/web-1 failed (Error signing certificate: boom)');
  assert.match(d!.nextStep, /retried automatically after 2030-06-01T12:50:00Z/, 'an hour after the failure');
  const off = issuanceBackingOff(snapshot({ certificate: certificate([condition('Issuing', 'False', 'Failed', 'The certificate request has failed to complete and will be retried: x')], { lastFailureTime: failedAt, failedIssuanceAttempts: 1 }) }), context);
  assert.match(off!.reason, /the last issuance failed at .* \(The certificate request has failed to complete and will be retried: x\)/);
  assert.equal(issuanceBackingOff(snapshot(), context), undefined);
});

test('awaitingApproval only for a request with neither Approved nor Denied, and says how to approve', () => {
  const d = awaitingApproval(snapshot({ nextRequest: request(2) }), { program: 'kubectl certwright' });
  assert.equal(d!.reason, 'CertificateRequest apps/web-2 is waiting for approval');
  assert.match(d!.nextStep, /"kubectl certwright approve web-2 -n apps"/);
  assert.equal(awaitingApproval(snapshot({ nextRequest: request(2, [approved]) }), context), undefined);
  assert.equal(awaitingApproval(snapshot(), context), undefined);
});

test('requestPending quotes what the issuer waits for', () => {
  const pending = request(1, [approved, condition('Ready', 'False', 'Pending', 'Referenced "Issuer" not found: issuer.cert-manager.io "ca" not found')]);
  assert.match(requestPending(snapshot({ nextRequest: pending }), context)!.reason, /is pending \(Referenced "Issuer" not found/);
});

test('issuingWithoutRequest: Issuing=True before a request exists', () => {
  const issuing = certificate([condition('Issuing', 'True', 'DoesNotExist', 'Issuing certificate as Secret does not exist')]);
  assert.equal(issuingWithoutRequest(snapshot({ certificate: issuing }), context)?.code, 'Issuing');
  assert.equal(issuingWithoutRequest(snapshot({ certificate: issuing, nextRequest: request(1) }), context), undefined);
});

test('secretNotReady runs the readiness policies: expired, and renewal disabled says to renew by hand', async () => {
  const expired = secretState(await tlsSecret(NOW - 30 * DAY_MS, 10 * DAY_MS));
  const d = secretNotReady(snapshot({ secret: expired }), context);
  assert.equal(d?.code, 'Expired');
  assert.match(d!.reason, /^Certificate expired on /);
  assert.match(d!.nextStep, /re-issues it by itself/);
  const disabled = certificate();
  disabled.spec.renewal = { policy: 'Disabled' };
  assert.match(secretNotReady(snapshot({ certificate: disabled, secret: expired }), context)!.nextStep, /renewal is disabled .*"certwright renew web -n apps"/);
  assert.equal(secretNotReady(snapshot(), context)?.code, 'DoesNotExist');
  assert.equal(secretNotReady(snapshot({ secret: secretState(await tlsSecret(NOW - DAY_MS, 30 * DAY_MS)) }), context), undefined);
});

test('readyConditionFalse falls back to the Ready condition itself', () => {
  assert.deepEqual(readyConditionFalse(snapshot(), context), {
    code: 'DoesNotExist',
    reason: 'Issuing certificate as Secret does not exist',
    nextStep: 'see the Events below and the controller logs',
  });
});

test('diagnose: Ready needs Ready=True at the current generation and an unexpired certificate', async () => {
  const readyCertificate = certificate([{ ...condition('Ready', 'True', 'Ready', 'Certificate is up to date and has not expired'), observedGeneration: 1 }], { renewalTime: '2030-06-20T00:00:00Z' });
  const valid = secretState(await tlsSecret(NOW - DAY_MS, 30 * DAY_MS));
  const verdict = diagnose(snapshot({ certificate: readyCertificate, secret: valid }), context);
  assert.equal(verdict.ready, true);
  assert.match(verdict.reason, /Secret apps\/web-tls is valid until 2030-06-30T12:00:00Z/);
  assert.match(verdict.nextStep, /renewed at 2030-06-20T00:00:00Z/);

  const stale = structuredClone(readyCertificate);
  stale.metadata.generation = 2;
  assert.equal(isReady(snapshot({ certificate: stale, secret: valid })), false);
  assert.equal(diagnose(snapshot({ certificate: stale, secret: valid }), context).code, 'Stale');

  const expired = secretState(await tlsSecret(NOW - 30 * DAY_MS, 10 * DAY_MS));
  assert.equal(diagnose(snapshot({ certificate: readyCertificate, secret: expired }), context).code, 'Expired', 'a stale Ready=True does not hide expiry');
});

test('diagnose: the most specific evidence wins (challenge before issuer, denial before approval)', () => {
  const brokenIssuer = { ...snapshot().issuer, object: issuer([condition('Ready', 'False', 'ErrGetKeyPair', 'x')]) };
  assert.equal(diagnose(snapshot({ issuer: brokenIssuer, challenges: [challenge('HTTP-01', 'invalid')] }), context).code, 'ChallengeFailed');
  assert.equal(diagnose(snapshot({ issuer: brokenIssuer, nextRequest: request(1) }), context).code, 'IssuerNotReady');
  assert.equal(diagnose(snapshot({ nextRequest: request(1, [condition('Denied', 'True', 'No', 'no')]) }), context).code, 'Denied');
  assert.equal(diagnose(snapshot({ nextRequest: request(1) }), context).code, 'WaitingForApproval');
  assert.equal(diagnose(snapshot({ certificate: certificate([]), nextRequest: request(1) }), context).code, 'NotReconciled');
});

test('every check in the chain is a named function', () => {
  assert.ok(diagnosisChain.every((check) => check.name.length > 0));
  assert.equal(new Set(diagnosisChain.map((c) => c.name)).size, diagnosisChain.length);
});

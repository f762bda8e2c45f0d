/**
 * ARI (RFC 9773) and ACME profiles against Pebble through the documented test extension
 * (ari-proxy.ts): the suggested window drives `renewalTime` and renewal, `replaces` names the
 * certificate being replaced, an `alreadyReplaced` answer is retried without it, the profile is
 * sent, an unknown profile fails the Order without being sent, and `renewalInformationSource: None`
 * turns ARI off.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Certificate, Order } from '../../api/types.js';
import type { KubeObject } from '../../apiserver/admission.js';
import { ariCertId } from '../../pki/index.js';
import { EVENTS } from '../../controller/runtime/resources.js';
import { namedMissing } from '../dns/bind9.js';
import { startAriProxy, type AriProxy } from './ari-proxy.js';
import { pebbleMissing } from './pebble.js';
import { acmeIssuerSpec, condition, createCertificate, createIssuer, issuedChain, NAMESPACE, startAcmeEnv, testName, waitFor, waitForCertificateReady, waitForIssuerReady, type AcmeEnv } from './harness.js';

const skip = pebbleMissing() || namedMissing();
let env: AcmeEnv;
let proxy: AriProxy;
/** CertIDs whose suggested window the test has moved into the past. */
const renewNow = new Set<string>();
const ARI_NAME = testName('ari');
const FUTURE = { start: '2099-01-01T00:00:00Z', end: '2099-01-02T00:00:00Z' };

before(async () => {
  if (skip) return;
  // renewalInfo is polled every ~second here (the default clamps Retry-After to at least an hour).
  env = await startAcmeEnv({}, { ariPollBounds: { minMs: 500, maxMs: 1_000, defaultMs: 1_000 } });
  proxy = await startAriProxy(env.pebble);
  proxy.retryAfterSeconds = 1;
  proxy.windowFor = (certId) => (renewNow.has(certId) ? { start: new Date(Date.now() - 3_600_000).toISOString(), end: new Date(Date.now() - 60_000).toISOString() } : FUTURE);
  const server = proxy.directoryUrl;
  await createIssuer(env, 'ari', acmeIssuerSpec(env.pebble, { server, profile: 'shortlived' }));
  await createIssuer(env, 'bad-profile', acmeIssuerSpec(env.pebble, { server, profile: 'no-such-profile' }));
  await createIssuer(env, 'no-ari', acmeIssuerSpec(env.pebble, { server, renewalInformationSource: 'None' }));
});
after(async () => {
  await proxy?.close();
  await env?.close();
});

const certificate = (name: string): Certificate | undefined => env.manager.informers.certificates.get({ namespace: NAMESPACE, name });

async function leafCertId(name: string): Promise<string> {
  const [leaf] = await issuedChain(env, certificate(name)!);
  return ariCertId(leaf!);
}

test('the suggested window sets renewalTime; moving it into the past renews with replaces = the old CertID and the profile', { skip }, async () => {
  await waitForIssuerReady(env, 'ari');
  await createCertificate(env, 'ari-cert', 'ari', { dnsNames: [ARI_NAME] });
  await waitForCertificateReady(env, 'ari-cert');
  const first = await leafCertId('ari-cert');
  const withWindow = await waitFor(() => {
    const c = certificate('ari-cert');
    const at = Date.parse(c?.status?.renewalTime ?? '');
    return c?.status?.acme?.ari?.suggestedWindow?.start === FUTURE.start && at >= Date.parse(FUTURE.start) && at < Date.parse(FUTURE.end) ? c : undefined;
  }, 'status.acme.ari and a renewalTime inside the window (normal renewal would be in about 3 years)');
  assert.equal(withWindow.status?.acme?.ari?.explanationURL, 'https://example.test/why');
  assert.deepEqual(proxy.orders[0], { at: proxy.orders[0]!.at, names: proxy.orders[0]!.names, profile: 'shortlived', url: proxy.orders[0]!.url }, 'the first order has the profile and no replaces');
  const order = env.manager.acme!.orders.list(NAMESPACE).find((o: Order) => o.metadata.name?.startsWith('ari-cert-'));
  assert.equal(order?.spec.profile, 'shortlived');

  renewNow.add(first);
  const renewed = await waitFor(() => ((certificate('ari-cert')?.status?.revision ?? 0) >= 2 && condition(certificate('ari-cert'), 'Ready')?.status === 'True' ? true : undefined), 'renewal driven by the window');
  assert.ok(renewed);
  const replacing = proxy.orders.find((o) => o.replaces);
  assert.deepEqual(replacing, { at: replacing?.at, names: replacing?.names, replaces: first, profile: 'shortlived', url: replacing?.url }, 'the renewal order replaces the previous certificate');
  assert.notEqual(await leafCertId('ari-cert'), first);
});

test('an alreadyReplaced answer is retried without replaces, and renewal still happens', { skip }, async () => {
  // The renewal of the first test is complete once its leaf is in the Secret (its Order may
  // already be gone with the CertificateRequest the revision history limit dropped).
  const current = await waitFor(async () => {
    const id = await leafCertId('ari-cert');
    return proxy.orders.some((o) => o.replaces === id) || renewNow.has(id) ? undefined : id;
  }, 'the renewed leaf in the Secret');
  proxy.alreadyReplaced.add(current);
  renewNow.add(current);
  await waitFor(async () => ((await leafCertId('ari-cert')) !== current && condition(certificate('ari-cert'), 'Ready')?.status === 'True' ? true : undefined), 'renewal after alreadyReplaced');
  const orders = proxy.orders.filter((o) => o.names.includes(ARI_NAME));
  const rejectedAt = orders.findIndex((o) => o.rejected === 'alreadyReplaced' && o.replaces === current);
  assert.ok(rejectedAt >= 0, 'the order with replaces was rejected');
  const retried = orders[rejectedAt + 1];
  assert.deepEqual(retried, { at: retried?.at, names: retried?.names, profile: 'shortlived', url: retried?.url }, 'and sent again without replaces');
});

test('an unknown profile fails the Order without sending it, and is not retried', { skip }, async () => {
  await waitForIssuerReady(env, 'bad-profile');
  await createCertificate(env, 'bad-profile', 'bad-profile', { dnsNames: [testName('profile')] });
  const order = await waitFor(() => env.manager.acme!.orders.list(NAMESPACE).find((o: Order) => o.metadata.name?.startsWith('bad-profile-') && o.status?.state === 'errored'), 'the Order errored');
  assert.match(order.status?.reason ?? '', /does not offer the profile "no-such-profile" \(offered: classic, shortlived\)/);
  const issuing = await waitFor(() => {
    const c = condition(certificate('bad-profile'), 'Issuing');
    return c?.status === 'False' ? c : undefined;
  }, 'the Certificate Issuing=False');
  assert.match(issuing.message ?? '', /no-such-profile/);
  assert.equal(proxy.orders.filter((o) => o.profile === 'no-such-profile').length, 0, 'never sent to the server');
});

test('a rateLimited newOrder waits for Retry-After, shows on the Certificate, then issues', { skip }, async () => {
  const name = testName('limited');
  proxy.rateLimitNextOrderFor.add(name);
  await createCertificate(env, 'limited', 'no-ari', { dnsNames: [name] });
  await waitForCertificateReady(env, 'limited');
  const [limited, next] = proxy.orders.filter((o) => o.names.includes(name));
  assert.equal(limited?.rejected, 'rateLimited');
  assert.ok(next!.at - limited!.at >= 1_900, `the next newOrder waited for Retry-After (${next!.at - limited!.at} ms)`);
  const events = await env.manager.client.list<KubeObject & { involvedObject: { kind: string; name: string }; reason: string; message: string }>(EVENTS, { namespace: NAMESPACE });
  const onCertificate = events.items.find((e) => e.involvedObject.kind === 'Certificate' && e.involvedObject.name === 'limited' && e.reason === 'RateLimited');
  assert.match(onCertificate?.message ?? '', /429 urn:ietf:params:acme:error:rateLimited: too many new orders recently \(retry after \d{4}-\d\d-\d\dT/);
});

test('renewalInformationSource None: no renewalInfo requests and no status.acme.ari', { skip }, async () => {
  await waitForIssuerReady(env, 'no-ari');
  await createCertificate(env, 'no-ari', 'no-ari', { dnsNames: [testName('noari')] });
  await waitForCertificateReady(env, 'no-ari');
  const certId = await leafCertId('no-ari');
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(certificate('no-ari')?.status?.acme?.ari, undefined);
  assert.equal(proxy.renewalInfoRequests.includes(certId), false);
});

/**
 * ACME against a real Pebble, HTTP-01 in local mode: the account is registered (status.acme), and
 * Certificates for one name, several names and an IP address are issued through Orders and
 * Challenges answered by the built-in listener. Pebble rejects 5 % of nonces (its default) here.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Challenge, Order } from '../../api/types.js';
import { namedMissing } from '../dns/bind9.js';
import { pebbleMissing } from './pebble.js';
import { acmeIssuerSpec, condition, createCertificate, createIssuer, issuedChain, NAMESPACE, startAcmeEnv, testName, waitForCertificateReady, waitForIssuerReady, type AcmeEnv } from './harness.js';

const skip = pebbleMissing() || namedMissing();
let env: AcmeEnv;

before(async () => {
  if (skip) return;
  env = await startAcmeEnv({ nonceRejectPercent: 5 }); // PEBBLE_WFE_NONCEREJECT=5: every badNonce is retried with the fresh nonce
  await createIssuer(env, 'pebble', acmeIssuerSpec(env.pebble));
});
after(async () => {
  await env?.close();
});

test('the ACME issuer registers an account and records it in status.acme', { skip }, async () => {
  const issuer = await waitForIssuerReady(env, 'pebble');
  assert.equal(condition(issuer, 'Ready')?.reason, 'ACMEAccountRegistered');
  assert.match(issuer.status?.acme?.uri ?? '', /^https:\/\/127\.0\.0\.1:\d+\/my-account\//);
  assert.equal(issuer.status?.acme?.lastRegisteredEmail, 'e2e@example.test');
  assert.ok(issuer.status?.acme?.lastPrivateKeyHash);
});

test('HTTP-01: one name, several names and an IP address are issued by Pebble', { skip }, async () => {
  const single = testName();
  const several = [testName('a'), testName('b'), testName('c')];
  await createCertificate(env, 'single', 'pebble', { dnsNames: [single] });
  await createCertificate(env, 'several', 'pebble', { commonName: several[0], dnsNames: several });
  await createCertificate(env, 'ip', 'pebble', { ipAddresses: ['127.0.0.1'] });
  for (const [name, dnsNames, ips] of [['single', [single], []], ['several', several, []], ['ip', [], ['127.0.0.1']]] as const) {
    const certificate = await waitForCertificateReady(env, name);
    const [leaf, ...chain] = await issuedChain(env, certificate);
    assert.deepEqual([...leaf!.dnsNames].sort(), [...dnsNames].sort(), name);
    assert.deepEqual(leaf!.ipAddresses, [...ips], name);
    assert.match(leaf!.issuer, /Pebble Intermediate CA/, name);
    assert.ok(chain.length >= 1, `${name}: the chain carries the intermediate`);
  }
  const orders = env.manager.acme!.orders.list(NAMESPACE) as Order[];
  assert.ok(orders.length >= 3 && orders.every((o) => o.status?.state === 'valid'), JSON.stringify(orders.map((o) => o.status?.state)));
  const challenges = env.manager.acme!.challenges.list(NAMESPACE) as Challenge[];
  assert.equal(challenges.length, 0, 'Challenges of valid Orders are deleted');
  const requests = await env.manager.metrics.registry.getSingleMetricAsString('certmanager_http_acme_client_request_count');
  for (const action of ['discover', 'register_account', 'authorize_order', 'get_authorization', 'accept_challenge', 'create_order_cert', 'fetch_cert']) {
    assert.match(requests, new RegExp(`action="${action}"`), action);
  }
  assert.match(requests, /action="authorize_order",method="POST",status="201"/);
  assert.doesNotMatch(requests, /unnamed_action/, 'every request is labelled');
});

/**
 * ACME requests per certificate (issue 6: no more than lego's): one single-name HTTP-01 issuance
 * through the benchmark's counting proxy in front of Pebble, counted after the account exists
 * (the one-time directory and newAccount left out).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAcmeCountingProxy, type AcmeCountingProxy } from '../../bench/acme/counting-proxy.js';
import { namedMissing } from '../dns/bind9.js';
import { pebbleMissing } from './pebble.js';
import { acmeIssuerSpec, createCertificate, createIssuer, startAcmeEnv, testName, waitForCertificateReady, waitForIssuerReady, type AcmeEnv } from './harness.js';

/** newOrder, authorization, accept, a few authorization polls, finalize, order poll, certificate — lego makes 9–10. */
const MAX_REQUESTS_PER_CERTIFICATE = 10;

const skip = pebbleMissing() || namedMissing();
let env: AcmeEnv;
let proxy: AcmeCountingProxy;

before(async () => {
  if (skip) return;
  env = await startAcmeEnv({ nonceRejectPercent: 0 });
  proxy = await startAcmeCountingProxy(env.pebble);
  await createIssuer(env, 'counted', acmeIssuerSpec(env.pebble, { server: proxy.directoryUrl }));
  await waitForIssuerReady(env, 'counted');
});
after(async () => {
  await proxy?.close();
  await env?.close();
});

test('the account costs one directory fetch and one newAccount, however often the issuer is set up before status.acme is written', { skip }, () => {
  const { byRequest } = proxy.counts();
  assert.equal(byRequest['GET dir'], 1, JSON.stringify(byRequest));
  assert.equal(byRequest['POST sign-me-up'], 1, `Pebble's newAccount: ${JSON.stringify(byRequest)}`);
});

test(`a single-name HTTP-01 certificate takes at most ${MAX_REQUESTS_PER_CERTIFICATE} ACME requests once the account exists`, { skip }, async (t) => {
  proxy.resetCounts();
  await createCertificate(env, 'counted', 'counted', { dnsNames: [testName()] });
  await waitForCertificateReady(env, 'counted');
  const counts = proxy.counts();
  const total = counts.reads + counts.writes;
  t.diagnostic(`${total} ACME requests: ${JSON.stringify(counts.byRequest)}`);
  assert.ok(total <= MAX_REQUESTS_PER_CERTIFICATE, `${total} ACME requests: ${JSON.stringify(counts.byRequest)}`);
  assert.equal(counts.byRequest['GET dir'] ?? 0, 0, 'the directory is not fetched again');
});

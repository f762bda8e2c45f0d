/**
 * DNS-01 against Pebble with the dns01 helper's RFC 2136 provider writing to a real bind9 (the
 * same server Pebble resolves through): one name, a wildcard, and a wildcard with its apex (two
 * TXT values at one record). The self-check asks bind9 as the zone's authoritative server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { namedMissing, rfc2136SolverFor } from '../dns/bind9.js';
import { pebbleMissing } from './pebble.js';
import { acmeIssuerSpec, createCertificate, createIssuer, createSecret, issuedChain, rand, startAcmeEnv, waitForCertificateReady, waitForIssuerReady, type AcmeEnv } from './harness.js';
import { TEST_ZONE } from './pebble.js';

const skip = pebbleMissing() || namedMissing();
let env: AcmeEnv;

before(async () => {
  if (skip) return;
  env = await startAcmeEnv();
  const { solver, secretData } = rfc2136SolverFor(env.pebble.dns);
  await createSecret(env, 'tsig-secret', secretData);
  await createIssuer(env, 'dns', acmeIssuerSpec(env.pebble, { solvers: [{ dns01: solver }] }));
  await waitForIssuerReady(env, 'dns');
});
after(async () => {
  await env?.close();
});

test('DNS-01 via RFC 2136: a single name, a wildcard, and a wildcard with its apex', { skip }, async () => {
  const base = `d${rand()}.${TEST_ZONE}`;
  const cases = { single: [`www.${base}`], wildcard: [`*.w.${base}`], both: [`*.${base}`, base] };
  for (const [name, dnsNames] of Object.entries(cases)) await createCertificate(env, name, 'dns', { dnsNames });
  for (const [name, dnsNames] of Object.entries(cases)) {
    const [leaf] = await issuedChain(env, await waitForCertificateReady(env, name));
    assert.deepEqual([...leaf!.dnsNames].sort(), [...dnsNames].sort(), name);
  }
  const challenges = env.manager.acme!.challenges.list();
  assert.equal(challenges.length, 0, 'the Challenges were cleaned up and deleted');
});

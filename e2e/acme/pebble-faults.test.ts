/**
 * ACME against a Pebble that requires EAB, offers two alternate roots, rejects 50 % of nonces and
 * issues 40-second certificates: every issuance here goes through EAB and badNonce retries. Covers
 * EAB refusal without a key, preferredChain, a challenge that cannot validate (the ACME problem
 * reaches the Certificate), a controller restarted mid-order (same Order resumed), a deleted account
 * key (re-registration) and renewal of short-lived certificates.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Certificate, CertificateRequest, Issuer, Order } from '../../api/types.js';
import { SECRETS } from '../../controller/runtime/resources.js';
import { attributeValues, OID, parseCertificate } from '../../pki/index.js';
import { namedMissing } from '../dns/bind9.js';
import { pebbleMissing } from './pebble.js';
import {
  acmeIssuerSpec,
  condition,
  createCertificate,
  createIssuer,
  createSecret,
  issuedChain,
  NAMESPACE,
  startAcmeEnv,
  testName,
  waitFor,
  waitForCertificateReady,
  waitForIssuerReady,
  type AcmeEnv,
} from './harness.js';

const skip = pebbleMissing() || namedMissing();
const EAB_KID = 'kid-1';
const EAB_KEY = 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W';
const VALIDITY_SECONDS = 40;
let env: AcmeEnv;

const eab = { keyID: EAB_KID, keySecretRef: { name: 'eab', key: 'secret' } };

before(async () => {
  if (skip) return;
  env = await startAcmeEnv({ externalAccountMacKeys: { [EAB_KID]: EAB_KEY }, alternateRoots: 2, nonceRejectPercent: 50, certificateValidityPeriod: VALIDITY_SECONDS });
  await createSecret(env, 'eab', { secret: Buffer.from(EAB_KEY).toString('base64') });
  await createIssuer(env, 'eab', acmeIssuerSpec(env.pebble, { externalAccountBinding: eab }));
  // Created first: it renews about 27 s after issuance, while the other tests run.
  await createCertificate(env, 'short-lived', 'eab', { dnsNames: [testName('renew')] });
});
after(async () => {
  await env?.close();
});

test('without EAB the account is refused and the issuer says why; with EAB it registers', { skip }, async () => {
  await createIssuer(env, 'no-eab', acmeIssuerSpec(env.pebble));
  const refused = await waitFor(() => {
    const ready = condition(env.manager.informers.issuers.get({ namespace: NAMESPACE, name: 'no-eab' }), 'Ready');
    return ready?.status === 'False' ? ready : undefined;
  }, 'no-eab issuer not Ready');
  assert.equal(refused.reason, 'ErrRegisterACMEAccount');
  assert.match(refused.message ?? '', /externalAccountRequired/);
  assert.equal(condition(await waitForIssuerReady(env, 'eab'), 'Ready')?.reason, 'ACMEAccountRegistered');
});

test('preferredChain picks the alternate chain whose root has that common name', { skip }, async () => {
  const alternateRoot = parseCertificate(await env.pebble.rootPem(1));
  const rootName = alternateRoot.subjectFields.commonName;
  await createIssuer(env, 'preferred', acmeIssuerSpec(env.pebble, { externalAccountBinding: eab, preferredChain: rootName }));
  await createCertificate(env, 'preferred', 'preferred', { dnsNames: [testName('chain')] });
  const chain = await issuedChain(env, await waitForCertificateReady(env, 'preferred'));
  const top = chain[chain.length - 1]!;
  assert.deepEqual(attributeValues(top.issuerRdns, OID.commonName), [rootName], 'the chain ends below the preferred root');
  const defaultRoot = parseCertificate(await env.pebble.rootPem(0)).subjectFields.commonName;
  assert.notEqual(rootName, defaultRoot);
});

test('a challenge that cannot validate fails the Order and the Certificate with the ACME problem', { skip }, async () => {
  const unreachable = `bad-${Date.now()}.nowhere.test`;
  await createIssuer(env, 'no-self-check', acmeIssuerSpec(env.pebble, { externalAccountBinding: eab, solvers: [{ http01: { ingress: {} }, waitInsteadOfSelfCheck: '0s' }] }));
  await createCertificate(env, 'unreachable', 'no-self-check', { dnsNames: [unreachable] });
  const failed = await waitFor(() => {
    const request = env.manager.informers.certificateRequests.list(NAMESPACE).find((r: CertificateRequest) => r.metadata.annotations?.['cert-manager.io/certificate-name'] === 'unreachable');
    const ready = condition(request, 'Ready');
    return ready?.reason === 'Failed' ? ready : undefined;
  }, 'the CertificateRequest Failed');
  assert.match(failed.message ?? '', /order is in "invalid" state/);
  assert.match(failed.message ?? '', /urn:ietf:params:acme:error:(dns|connection)/);
  const issuing = await waitFor(() => {
    const c = condition(env.manager.informers.certificates.get({ namespace: NAMESPACE, name: 'unreachable' }), 'Issuing');
    return c?.status === 'False' ? c : undefined;
  }, 'the Certificate Issuing=False');
  assert.match(issuing.message ?? '', /urn:ietf:params:acme:error:(dns|connection)/);
});

test('a controller stopped mid-order resumes the same Order after restart', { skip }, async () => {
  await createCertificate(env, 'resume', 'eab', { dnsNames: [testName('resume')] });
  const started = await waitFor(
    () => env.manager.acme!.orders.list(NAMESPACE).find((o: Order) => o.metadata.name?.startsWith('resume-') && o.status?.url),
    'the Order created at the ACME server',
    20_000,
  );
  const manager = await env.restartManager();
  await waitForCertificateReady(env, 'resume');
  const orders = manager.acme!.orders.list(NAMESPACE).filter((o: Order) => o.metadata.name?.startsWith('resume-'));
  assert.equal(orders.length, 1, 'one Order for the revision');
  assert.equal(orders[0]!.status?.url, started.status?.url, 'the same ACME order');
  assert.equal(orders[0]!.status?.state, 'valid');
});

test('deleting the account key Secret makes the issuer register a new account', { skip }, async () => {
  const before = await waitForIssuerReady(env, 'eab');
  await env.manager.client.delete(SECRETS, { namespace: NAMESPACE, name: before.spec.acme!.privateKeySecretRef.name });
  const after = await waitFor(() => {
    const issuer: Issuer | undefined = env.manager.informers.issuers.get({ namespace: NAMESPACE, name: 'eab' });
    const ready = condition(issuer, 'Ready')?.status === 'True';
    return ready && issuer?.status?.acme?.lastPrivateKeyHash !== before.status?.acme?.lastPrivateKeyHash ? issuer : undefined;
  }, 'a new account');
  assert.notEqual(after.status?.acme?.uri, before.status?.acme?.uri);
  await env.manager.client.get(SECRETS, { namespace: NAMESPACE, name: before.spec.acme!.privateKeySecretRef.name });
});

test('a short-lived certificate is renewed before it expires', { skip }, async () => {
  const renewed = await waitFor(
    () => {
      const certificate: Certificate | undefined = env.manager.informers.certificates.get({ namespace: NAMESPACE, name: 'short-lived' });
      return (certificate?.status?.revision ?? 0) >= 2 && condition(certificate, 'Ready')?.status === 'True' ? certificate : undefined;
    },
    'revision 2 of the short-lived certificate',
    VALIDITY_SECONDS * 1000,
  );
  const [leaf] = await issuedChain(env, renewed);
  assert.ok(leaf!.notAfter.getTime() - leaf!.notBefore.getTime() <= (VALIDITY_SECONDS + 1) * 1000);
  assert.ok(leaf!.notAfter.getTime() > Date.now(), 'the Secret holds the renewed, unexpired certificate');
});

/**
 * The Certificate reconciler end to end: the embedded API server, the real client, every
 * controller of a manager, and a manual clock that tests move to make renewals and backoffs due.
 */
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Certificate, CertificateRequest } from '../../../api/types.js';
import { startLocalCluster, type LocalCluster } from '../../../cli/local-cluster.js';
import { NAMESPACES } from '../../../cli/manifests.js';
import { rfc3339 } from '../../../apiserver/time.js';
import { isConflict } from '../../../controller/runtime/api-error.js';
import { CERTIFICATES, CERTIFICATE_REQUESTS, ISSUERS, SECRETS } from '../../../controller/runtime/resources.js';
import type { KubeSecret } from '../../../issuers/backend.js';
import { isVerifiedCsr, parseCertificate } from '../../../pki/index.js';
import { parsedRequestCsr, requestToSign } from '../../../issuers/signing-request.js';
import { ABSENT_SECRET_RECHECK_MS } from '../../../controller/certificates/reconciler.js';
import {
  cached,
  certificateObject,
  certificatePublicKeyOf,
  condition,
  createCertificate,
  dataOf,
  DAY_MS,
  ensureSelfSignedClusterIssuer,
  eventsFor,
  eventually,
  getSecret,
  HOUR_MS,
  moveClockTo,
  publicKeyOf,
  ready,
  requests,
  settled,
  startWorld,
  tempDataDir,
  type World,
} from './reconciler-harness.js';

const dataDir = tempDataDir();
let cluster: LocalCluster;
let world: World | undefined;
let namespaces = 0;

before(async () => {
  cluster = await startLocalCluster({ dataDir: dataDir.path });
});

after(async () => {
  await cluster.close();
  dataDir.remove();
});

afterEach(async () => {
  if (!world) return;
  await world.stopManager();
  await world.manager.client.delete(NAMESPACES, { name: world.namespace }).catch(() => {});
  world = undefined;
});

async function newWorld(manager: Parameters<typeof startWorld>[0]['manager'] = {}): Promise<World> {
  world = await startWorld({ dataDir: dataDir.path, cluster, namespace: `t${++namespaces}`, manager });
  await ensureSelfSignedClusterIssuer(world);
  return world;
}

const at = (text: string | undefined) => {
  assert.ok(text, 'timestamp expected');
  return Date.parse(text);
};

/** Approves or denies as an external approver would (retrying when the request changed meanwhile). */
async function approve(w: World, request: CertificateRequest, type: 'Approved' | 'Denied'): Promise<void> {
  for (let current = request; ; ) {
    const conditions = [
      ...(current.status?.conditions ?? []),
      { type, status: 'True' as const, reason: 'test', message: `${type} by the test`, lastTransitionTime: rfc3339(new Date(w.clock.now())) },
    ];
    try {
      await w.manager.client.updateStatus(CERTIFICATE_REQUESTS, { ...current, status: { ...current.status, conditions } });
      return;
    } catch (err) {
      if (!isConflict(err)) throw err;
      current = await w.manager.client.get<CertificateRequest>(CERTIFICATE_REQUESTS, { namespace: w.namespace, name: current.metadata.name! });
    }
  }
}

function onlyRequest(w: World, revision = 1): Promise<CertificateRequest> {
  return eventually(async () => {
    const list = await requests(w);
    return list.length === 1 && list[0]!.metadata.annotations?.['cert-manager.io/certificate-revision'] === String(revision) ? list[0] : undefined;
  }, `one CertificateRequest at revision ${revision}`);
}

test('issues a Certificate: Secret per §3, status, conditions, events, one request; no writes once settled', async () => {
  const w = await newWorld();
  await createCertificate(w, 'web', { commonName: 'web.example.test', dnsNames: ['web.example.test', 'www.example.test'] });
  const certificate = await ready(w, 'web', 1);

  const secret = await getSecret(w, 'web-tls');
  assert.equal(secret.type, 'kubernetes.io/tls');
  assert.deepEqual(Object.keys(secret.data ?? {}).sort(), ['ca.crt', 'tls.crt', 'tls.key']);
  assert.match(dataOf(secret, 'tls.key')!, /^-----BEGIN EC PRIVATE KEY-----/, 'PKCS#1 (SEC 1) encoding by default');
  assert.equal(publicKeyOf(dataOf(secret, 'tls.key')!), certificatePublicKeyOf(dataOf(secret, 'tls.crt')!));
  assert.equal(secret.metadata.labels?.['controller.cert-manager.io/fao'], 'true');
  assert.equal(secret.metadata.annotations?.['cert-manager.io/certificate-name'], 'web');
  assert.equal(secret.metadata.annotations?.['cert-manager.io/issuer-kind'], 'ClusterIssuer');
  assert.equal(secret.metadata.annotations?.['cert-manager.io/alt-names'], 'web.example.test,www.example.test');
  assert.equal(secret.metadata.annotations?.['cert-manager.io/common-name'], 'web.example.test');

  const leaf = parseCertificate(dataOf(secret, 'tls.crt')!);
  const status = certificate.status!;
  assert.equal(status.notAfter, rfc3339(leaf.notAfter));
  assert.equal(status.notBefore, rfc3339(leaf.notBefore));
  assert.equal(leaf.notAfter.getTime() - leaf.notBefore.getTime(), 90 * DAY_MS);
  const renewal = at(status.renewalTime);
  // Two thirds of the lifetime, minus at most 10% of the 30-day renew-before window.
  assert.ok(renewal <= leaf.notAfter.getTime() - 30 * DAY_MS && renewal >= leaf.notAfter.getTime() - 33 * DAY_MS, status.renewalTime);
  assert.equal(status.nextPrivateKeySecretName, undefined);
  assert.equal(status.failedIssuanceAttempts, undefined);
  assert.deepEqual(
    { ...condition(certificate, 'Ready'), lastTransitionTime: undefined },
    { type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', observedGeneration: 1, lastTransitionTime: undefined },
  );
  assert.equal(condition(certificate, 'Issuing'), undefined, 'the Issuing condition is removed on success');

  const [request] = await requests(w);
  assert.equal(request!.metadata.name, 'web-1');
  assert.equal(request!.metadata.annotations?.['cert-manager.io/certificate-name'], 'web');
  assert.equal(request!.metadata.ownerReferences?.[0]?.uid, certificate.metadata.uid);
  await settled(w);
  const secrets = (await w.manager.client.list(SECRETS, { namespace: w.namespace })).items.map((s) => s.metadata.name);
  assert.deepEqual(secrets, ['web-tls'], 'the next private key Secret is gone after issuance');

  const reasons = (await eventsFor(w, 'web')).map((e) => `${e.reason}: ${e.message}`);
  assert.deepEqual(reasons.slice(0, 1), ['Issuing: Issuing certificate as Secret does not exist']);
  assert.ok(reasons.some((r) => /^Generated: Stored new private key in temporary Secret resource "web-/.test(r)), reasons.join('\n'));
  assert.ok(reasons.includes('Requested: Created new CertificateRequest resource "web-1"'), reasons.join('\n'));
  assert.ok(reasons.includes('Issuing: The certificate has been successfully issued'), reasons.join('\n'));

  // Steady state: a resync of everything writes nothing.
  const before = (await w.manager.client.get<Certificate>(CERTIFICATES, { namespace: w.namespace, name: 'web' })).metadata.resourceVersion;
  const secretBefore = secret.metadata.resourceVersion;
  w.manager.certificates!.controller.queue.add(`${w.namespace}/web`);
  await settled(w);
  assert.equal((await w.manager.client.get<Certificate>(CERTIFICATES, { namespace: w.namespace, name: 'web' })).metadata.resourceVersion, before);
  assert.equal((await getSecret(w, 'web-tls')).metadata.resourceVersion, secretBefore);
});

test('renewal fires from the timer at renewalTime, not a second before; new key, old request pruned', async () => {
  const w = await newWorld();
  await createCertificate(w, 'web');
  const first = await ready(w, 'web', 1);
  const firstKey = publicKeyOf(dataOf(await getSecret(w, 'web-tls'), 'tls.key')!);
  const renewalTime = at(first.status?.renewalTime);
  // Ready can show before the reconcile that follows the status write has run (until then the
  // wake-up is that reconcile's short deferral).
  await settled(w);
  assert.equal(w.manager.certificates!.wakeDueAt(`${w.namespace}/web`), renewalTime, 'the wake-up is armed at renewalTime');

  moveClockTo(w, renewalTime - 1000);
  await settled(w);
  assert.equal(cached(w, 'web')?.status?.revision, 1, 'no renewal before renewalTime');

  moveClockTo(w, renewalTime);
  const renewed = await ready(w, 'web', 2);
  const secret = await getSecret(w, 'web-tls');
  const leaf = parseCertificate(dataOf(secret, 'tls.crt')!);
  assert.equal(leaf.notBefore.getTime(), renewalTime, 'issued at the renewal time (within a second)');
  assert.notEqual(publicKeyOf(dataOf(secret, 'tls.key')!), firstKey, 'rotationPolicy Always: a new key');
  assert.ok(at(renewed.status?.renewalTime) > renewalTime);
  const reasons = (await eventsFor(w, 'web')).map((e) => e.message);
  assert.ok(reasons.includes(`Renewing certificate as renewal was scheduled at ${new Date(renewalTime).toISOString().replace('T', ' ').replace('.000Z', '')} +0000 UTC`), reasons.join('\n'));
  const names = await eventually(async () => {
    const list = (await requests(w)).map((r) => r.metadata.name);
    return list.length === 1 ? list : undefined;
  }, 'revision history pruned to one request');
  assert.deepEqual(names, ['web-2']);
});

test('failure backoff 1h → 2h → 4h, cleared on success', async () => {
  const w = await newWorld({ controllers: ['*', '-certificaterequests-approver'] });
  await createCertificate(w, 'web');
  const key = `${w.namespace}/web`;
  const failures = (n: number) =>
    eventually(() => {
      const c = cached(w, 'web');
      return c?.status?.failedIssuanceAttempts === n && condition(c, 'Issuing')?.status === 'False' ? c : undefined;
    }, `${n} failed issuance attempts`);

  await approve(w, await onlyRequest(w), 'Denied');
  let failed = await failures(1);
  await settled(w);
  assert.equal(condition(failed, 'Issuing')?.reason, 'test');
  assert.equal(condition(failed, 'Issuing')?.message, 'The certificate request has failed to complete and will be retried: Denied by the test');
  assert.equal(condition(failed, 'Ready')?.status, 'False');
  await eventually(
    () =>
      condition(cached(w, 'web'), 'Ready')?.message ===
      `Issuing certificate as Secret does not exist. Issuance failed once (test); the next attempt is at ${rfc3339(new Date(at(failed.status?.lastFailureTime) + HOUR_MS))}`,
    'the Ready message names the failure and the next attempt',
  );

  const freshRequest = () =>
    eventually(async () => {
      const [r] = await requests(w);
      return r && !r.status?.conditions?.some((c) => c.type === 'Denied') ? r : undefined;
    }, 'a fresh request');

  for (const [attempt, delay] of [
    [1, HOUR_MS],
    [2, 2 * HOUR_MS],
  ] as const) {
    const lastFailure = at(failed.status?.lastFailureTime);
    assert.equal(w.manager.certificates!.wakeDueAt(key), lastFailure + delay, `backoff after attempt ${attempt}`);
    moveClockTo(w, lastFailure + delay - 1000);
    await settled(w);
    assert.equal(cached(w, 'web')?.status?.failedIssuanceAttempts, attempt, 'no retry during the backoff');
    assert.equal(condition(cached(w, 'web'), 'Issuing')?.status, 'False');
    // The retry asks again with a new key (rotationPolicy Always), and is denied again.
    moveClockTo(w, lastFailure + delay);
    await approve(w, await freshRequest(), 'Denied');
    failed = await failures(attempt + 1);
    await settled(w);
    assert.equal(at(failed.status?.lastFailureTime), lastFailure + delay);
  }
  const lastFailure = at(failed.status?.lastFailureTime);
  assert.equal(w.manager.certificates!.wakeDueAt(key), lastFailure + 4 * HOUR_MS);

  moveClockTo(w, lastFailure + 4 * HOUR_MS);
  const request = await freshRequest();
  await approve(w, request, 'Approved');
  const issued = await ready(w, 'web', 1);
  assert.equal(issued.status?.failedIssuanceAttempts, undefined);
  assert.equal(issued.status?.lastFailureTime, undefined);
});

test('a spec change during backoff retries at once', async () => {
  const w = await newWorld({ controllers: ['*', '-certificaterequests-approver'] });
  const created = await createCertificate(w, 'web');
  await approve(w, await onlyRequest(w), 'Denied');
  await eventually(() => cached(w, 'web')?.status?.failedIssuanceAttempts === 1, 'the failure');

  assert.deepEqual(created.spec.dnsNames, ['web.example.test']);
  await w.manager.client.patch(CERTIFICATES, { namespace: w.namespace, name: 'web' }, { spec: { dnsNames: ['web.example.test', 'new.example.test'] } });
  const request = await eventually(async () => {
    const [r] = await requests(w);
    return r && r.metadata.uid !== undefined && !r.status?.conditions?.some((c) => c.type === 'Denied') ? r : undefined;
  }, 'a request for the new spec without moving the clock');
  await approve(w, request, 'Approved');
  const issued = await ready(w, 'web', 1);
  assert.equal(condition(issued, 'Ready')?.observedGeneration, 2);
  assert.equal((await getSecret(w, 'web-tls')).metadata.annotations?.['cert-manager.io/alt-names'], 'web.example.test,new.example.test');
});

test('duplicate secretName: only the owner issues; the other re-checks every 3 minutes', async () => {
  const w = await newWorld();
  await createCertificate(w, 'a', { secretName: 'shared-tls' });
  await createCertificate(w, 'b', { secretName: 'shared-tls' });
  await ready(w, 'a', 1);
  await settled(w);
  assert.deepEqual((await requests(w)).map((r) => r.metadata.name), ['a-1']);
  const now = w.clock.now();
  const due = w.manager.certificates!.wakeDueAt(`${w.namespace}/b`);
  assert.ok(due !== undefined && due > now && due <= now + 3 * 60_000, `b re-checks within 3 minutes (due ${due}, now ${now})`);
  moveClockTo(w, now + 3 * 60_000);
  await settled(w);
  assert.deepEqual((await requests(w)).map((r) => r.metadata.name), ['a-1'], 'still only the owner has a request');

  await w.manager.client.delete(CERTIFICATES, { namespace: w.namespace, name: 'a' });
  await ready(w, 'b', 1);
  assert.equal((await getSecret(w, 'shared-tls')).metadata.annotations?.['cert-manager.io/certificate-name'], 'b');
});

test('rotationPolicy Never: a re-issuance after tls.crt is blanked keeps the key', async () => {
  const w = await newWorld();
  await createCertificate(w, 'web', { privateKey: { algorithm: 'RSA', rotationPolicy: 'Never', encoding: 'PKCS8' } });
  await ready(w, 'web', 1);
  const secret = await getSecret(w, 'web-tls');
  assert.match(dataOf(secret, 'tls.key')!, /^-----BEGIN PRIVATE KEY-----/);
  const key = publicKeyOf(dataOf(secret, 'tls.key')!);
  await w.manager.client.patch(SECRETS, { namespace: w.namespace, name: 'web-tls' }, { data: { 'tls.crt': '' } });
  await ready(w, 'web', 2);
  const reissued = await getSecret(w, 'web-tls');
  assert.equal(publicKeyOf(dataOf(reissued, 'tls.key')!), key);
  assert.equal(certificatePublicKeyOf(dataOf(reissued, 'tls.crt')!), key);
  const reasons = (await eventsFor(w, 'web')).map((e) => e.reason);
  assert.ok(reasons.includes('Reused'), reasons.join(', '));
});

test('revision history: requests beyond revisionHistoryLimit are deleted, oldest first', async () => {
  const w = await newWorld();
  await createCertificate(w, 'web', { revisionHistoryLimit: 2, duration: '1h' });
  for (let revision = 1; revision <= 3; revision++) {
    const c = await ready(w, 'web', revision);
    if (revision < 3) moveClockTo(w, at(c.status?.renewalTime));
  }
  const names = await eventually(async () => {
    const list = (await requests(w)).map((r) => r.metadata.name).sort();
    return list.length === 2 ? list : undefined;
  }, 'two requests left');
  assert.deepEqual(names, ['web-2', 'web-3']);
});

test("other actors' data keys, labels and annotations survive re-issuance; secretTemplate is applied and removed", async () => {
  const w = await newWorld();
  const created = await createCertificate(w, 'web', { secretTemplate: { labels: { tier: 'frontend' } }, additionalOutputFormats: [{ type: 'CombinedPEM' }] });
  const first = await ready(w, 'web', 1);
  await w.manager.client.patch(
    SECRETS,
    { namespace: w.namespace, name: 'web-tls' },
    { metadata: { labels: { team: 'payments' }, annotations: { 'example.com/note': 'kept' } }, data: { 'extra.txt': Buffer.from('mine').toString('base64') } },
    { fieldManager: 'someone-else' },
  );
  moveClockTo(w, at(first.status?.renewalTime));
  await ready(w, 'web', 2);
  let secret = await getSecret(w, 'web-tls');
  assert.equal(dataOf(secret, 'extra.txt'), 'mine');
  assert.equal(secret.metadata.labels?.team, 'payments');
  assert.equal(secret.metadata.labels?.tier, 'frontend');
  assert.equal(secret.metadata.annotations?.['example.com/note'], 'kept');
  assert.equal(dataOf(secret, 'tls-combined.pem'), `${dataOf(secret, 'tls.key')}\n${dataOf(secret, 'tls.crt')}`);

  // Dropping the template and the output format removes exactly what certwright had put there.
  assert.ok(created.spec.secretTemplate && created.spec.additionalOutputFormats);
  await w.manager.client.patch(CERTIFICATES, { namespace: w.namespace, name: 'web' }, { spec: { secretTemplate: null, additionalOutputFormats: null } });
  secret = await eventually(async () => {
    const s = await getSecret(w, 'web-tls');
    return s.metadata.labels?.tier === undefined && s.data?.['tls-combined.pem'] === undefined ? s : undefined;
  }, 'template label and combined PEM removed');
  assert.equal(dataOf(secret, 'extra.txt'), 'mine');
  assert.equal(secret.metadata.labels?.team, 'payments');
  assert.equal(cached(w, 'web')?.status?.revision, 2, 'no re-issuance for a metadata change');
});

test('the Ready message names what issuance waits on: a missing issuer', async () => {
  const w = await newWorld();
  await createCertificate(w, 'web', { issuerRef: { name: 'missing' } });
  const message = await eventually(() => {
    const ready = condition(cached(w, 'web'), 'Ready');
    return ready?.status === 'False' && ready.message?.includes('Waiting for') ? ready.message : undefined;
  }, 'Ready=False naming the request');
  assert.equal(
    message,
    'Issuing certificate as Secret does not exist. Waiting for CertificateRequest "web-1": Referenced "Issuer" not found: issuers.cert-manager.io "missing" not found',
  );
});

test('keystores with a password from a Secret; a missing password Secret is reported and waited for', async () => {
  const w = await newWorld();
  await createCertificate(w, 'web', {
    keystores: { pkcs12: { create: true, passwordSecretRef: { name: 'keystore-password', key: 'password' } }, jks: { create: true, password: 'changeit' } },
  });
  await eventually(async () => (await eventsFor(w, 'web')).some((e) => e.reason === 'KeystorePasswordSecretNotFound'), 'the missing password reported');
  assert.equal(await w.manager.client.find(SECRETS, { namespace: w.namespace, name: 'web-tls' }), undefined);

  await w.manager.client.create(SECRETS, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace: w.namespace, name: 'keystore-password' },
    data: { password: Buffer.from('s3cret').toString('base64') },
  });
  // The retry runs on the controller's per-key backoff, on the manual clock.
  await eventually(() => {
    w.clock.advance(1000);
    return cached(w, 'web')?.status?.revision === 1;
  }, 'issued after the password Secret appears');
  const secret = await getSecret(w, 'web-tls');
  for (const key of ['keystore.p12', 'truststore.p12', 'keystore.jks', 'truststore.jks']) assert.ok(secret.data?.[key], key);
});

test('issue-temporary-certificate: a throw-away certificate for the next key while the request waits (Ready, as in cert-manager), then the real one', async () => {
  const w = await newWorld();
  await w.manager.client.create(CERTIFICATES, {
    ...certificateObject(w.namespace, 'web', { issuerRef: { name: 'later' } }),
    metadata: { namespace: w.namespace, name: 'web', annotations: { 'cert-manager.io/issue-temporary-certificate': 'true' } },
  });
  const temporary = await eventually(async () => (await w.manager.client.find<KubeSecret>(SECRETS, { namespace: w.namespace, name: 'web-tls' })) ?? false, 'the temporary Secret');
  const leaf = parseCertificate(dataOf(temporary, 'tls.crt')!);
  assert.equal(leaf.issuer, 'CN=cert-manager.local');
  assert.equal(temporary.metadata.annotations?.['cert-manager.io/issuer-name'], undefined);
  const [request] = await requests(w);
  const nextKeySecret = await getSecret(w, request!.metadata.annotations!['cert-manager.io/private-key-secret-name']!);
  assert.equal(publicKeyOf(dataOf(temporary, 'tls.key')!), publicKeyOf(dataOf(nextKeySecret, 'tls.key')!), 'made for the next key');
  // cert-manager's readiness chain has no issuer-annotation check, so the temporary certificate
  // counts: Ready=True while Issuing stays True and no revision is recorded.
  await eventually(() => condition(cached(w, 'web'), 'Ready')?.status === 'True', 'Ready on the temporary certificate');
  assert.equal(condition(cached(w, 'web'), 'Issuing')?.status, 'True');
  assert.equal(cached(w, 'web')?.status?.revision, undefined);

  await w.manager.client.create(ISSUERS, { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace: w.namespace, name: 'later' }, spec: { selfSigned: {} } });
  await ready(w, 'web', 1);
  const issued = await getSecret(w, 'web-tls');
  assert.notEqual(parseCertificate(dataOf(issued, 'tls.crt')!).issuer, 'CN=cert-manager.local');
  assert.equal(issued.metadata.annotations?.['cert-manager.io/issuer-name'], 'later');
  assert.equal(publicKeyOf(dataOf(issued, 'tls.key')!), publicKeyOf(dataOf(temporary, 'tls.key')!), 'the real certificate keeps the key');
});

test('--enable-certificate-owner-ref puts a controller reference on the Secret; turned off, it is removed', async () => {
  let w = await newWorld({ enableCertificateOwnerRef: true });
  const created = await createCertificate(w, 'web');
  await ready(w, 'web', 1);
  const owned = await getSecret(w, 'web-tls');
  assert.deepEqual(owned.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]), [['Certificate', 'web', created.metadata.uid, true]]);

  await w.stopManager();
  w = world = await startWorld({ dataDir: dataDir.path, cluster, namespace: w.namespace, manager: {} });
  await eventually(async () => ((await getSecret(w, 'web-tls')).metadata.ownerReferences ?? []).length === 0, 'the owner reference removed');
  assert.equal(cached(w, 'web')?.status?.revision, 1, 'without re-issuing');
});

test('a target Secret the API reported missing is not asked for again for 30 s', async () => {
  const w = await newWorld();
  const client = w.manager.client;
  const find = client.find.bind(client);
  const asked: string[] = [];
  client.find = ((type, ref) => {
    if (type === SECRETS && ref.name === 'web-tls') asked.push(rfc3339(new Date(w.clock.now())));
    return find(type, ref);
  }) as typeof client.find;
  // No issuer: the request waits, and the Certificate is reconciled again as its objects change.
  await createCertificate(w, 'web', { issuerRef: { name: 'later' } });
  await onlyRequest(w);
  await settled(w);
  assert.equal(asked.length, 1, `asked at ${asked.join(', ')}`);

  moveClockTo(w, w.clock.now() + ABSENT_SECRET_RECHECK_MS + 1000);
  await w.manager.client.patch(CERTIFICATES, { namespace: w.namespace, name: 'web' }, { metadata: { labels: { touched: 'yes' } } });
  await eventually(() => asked.length === 2, 'asked again once the 30 s are over');
});

test('the CSR of a request it made is signed and checked without being parsed or verified again, until its certificate is stored', async () => {
  const w = await newWorld();
  // No issuer: the request waits with the CSR this process built.
  await createCertificate(w, 'waiting', { issuerRef: { name: 'later' } });
  const waiting = await onlyRequest(w);
  const built = requestToSign(waiting);
  assert.ok(isVerifiedCsr(built), 'the signer gets the CSR as built, verified');
  assert.equal(parsedRequestCsr(waiting), built.csr, 'the reconciler reads the CSR as built');

  await createCertificate(w, 'web', {});
  await ready(w, 'web', 1);
  const [issued] = (await requests(w)).filter((r) => r.metadata.name === 'web-1');
  assert.equal(typeof requestToSign(issued!), 'string', 'forgotten once the certificate is stored');
});

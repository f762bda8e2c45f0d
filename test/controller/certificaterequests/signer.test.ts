import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CertificateRequest, Condition, Issuer, IssuerSpec } from '../../../api/types.js';
import { APPROVED_MESSAGE, CertificateRequestApprover } from '../../../controller/certificaterequests/approver.js';
import { CertificateRequestSigner, ISSUED_MESSAGE } from '../../../controller/certificaterequests/signer.js';
import { IssuerController } from '../../../controller/issuers/controller.js';
import { CERTIFICATE_REQUESTS, CLUSTER_ISSUERS, ISSUERS, SECRETS } from '../../../controller/runtime/resources.js';
import type { GenericIssuer } from '../../../issuers/backend.js';
import { createIssuerContext } from '../../../issuers/context.js';
import { builtinIssuers, IssuerRegistry } from '../../../issuers/registry.js';
import { selfSignedIssuer } from '../../../issuers/selfsigned.js';
import { parseCertificate, parseCertificateChain, publicKeysEqual } from '../../../pki/index.js';
import { Workdir } from '../../pki/openssl.js';
import { condition, OWNED_SECRET_LABEL, startTestCluster, waitFor, type TestCluster } from '../../issuers/cluster.js';
import {
  caSecret,
  certificateRequest,
  clusterIssuer,
  intermediateCa,
  issuer,
  keyAndCsr,
  secret,
  selfSignedCa,
  unb64,
  type KeyPair,
  type RequestOptions,
} from '../../issuers/fixtures.js';
import { PRIVATE_KEY_SECRET_NAME_ANNOTATION } from '../../../api/well-known.js';

const readyCondition: Condition = { type: 'Ready', status: 'True', reason: 'Test', message: 'set by the test' };

describe('CertificateRequest approver and signer (against the embedded API server)', () => {
  let cluster: TestCluster;
  let root: KeyPair;
  const work = new Workdir();

  before(async () => {
    cluster = await startTestCluster();
    root = await selfSignedCa();
  });
  after(async () => {
    await cluster?.close();
    work.remove();
  });

  function startSigner(registry = builtinIssuers(), syncNames: string[] = []) {
    const signer = new CertificateRequestSigner({
      client: cluster.client,
      timers: cluster.timers,
      registry,
      context: createIssuerContext({ client: cluster.client, clock: cluster.timers.clock, ownedSecrets: cluster.ownedSecrets, secretMaxAgeMs: 0 }),
      events: cluster.events,
      requests: cluster.requests,
      issuers: cluster.issuers,
      clusterIssuers: cluster.clusterIssuers,
      ownedSecrets: cluster.ownedSecrets,
      pendingBackoff: { baseMs: 100, maxMs: 400 },
      hooks: { onSync: (name) => syncNames.push(name) },
    });
    signer.start();
    return signer;
  }

  function startApprover() {
    const approver = new CertificateRequestApprover({ client: cluster.client, timers: cluster.timers, requests: cluster.requests, events: cluster.events });
    approver.start();
    return approver;
  }

  /** Creates an issuer and marks it Ready directly, so these tests do not depend on the issuers controller. */
  async function readyIssuer(obj: GenericIssuer, ready = true): Promise<void> {
    const type = obj.kind === 'ClusterIssuer' ? CLUSTER_ISSUERS : ISSUERS;
    const created = await cluster.client.create<GenericIssuer>(type, obj);
    if (ready) await cluster.client.updateStatus(type, { ...created, status: { conditions: [readyCondition] } });
  }

  const readRequest = (namespace: string, name: string) => cluster.client.get<CertificateRequest>(CERTIFICATE_REQUESTS, { namespace, name });

  async function waitForReadyReason(namespace: string, name: string, reason: string): Promise<CertificateRequest> {
    return waitFor(`${namespace}/${name} Ready reason ${reason}`, async () => {
      const request = await readRequest(namespace, name);
      return condition(request, 'Ready')?.reason === reason && request;
    });
  }

  /** A key Secret owned by certwright (labelled, so the owned-Secrets informer sees it). */
  function keySecret(namespace: string, name: string, keyPem: string) {
    return secret(namespace, name, { 'tls.key': keyPem }, { type: 'Opaque', metadata: { namespace, name, labels: { [OWNED_SECRET_LABEL]: 'true' } } });
  }

  async function createRequest(csrPem: string, options: RequestOptions) {
    return cluster.client.create(CERTIFICATE_REQUESTS, certificateRequest(csrPem, options));
  }

  /** Changes a label, so every controller syncs the request again. */
  async function touch(namespace: string, name: string) {
    const current = await readRequest(namespace, name);
    await cluster.client.update(CERTIFICATE_REQUESTS, { ...current, metadata: { ...current.metadata, labels: { touched: String(Date.now()) } } });
  }

  describe('with the built-in approver', () => {
    let approver: CertificateRequestApprover;
    let signer: CertificateRequestSigner;
    const syncNames: string[] = [];

    before(async () => {
      approver = startApprover();
      signer = startSigner(builtinIssuers(), syncNames);
    });
    after(async () => {
      await Promise.all([approver.stop(), signer.stop()]);
    });

    it('approves and self-signs a request: Approved, Ready=Issued, certificate = ca, events', async () => {
      await cluster.createNamespace('self');
      const { key, keyPem, csrPem } = await keyAndCsr({ commonName: 'self.example.test', dnsNames: ['self.example.test'] });
      await cluster.client.create(SECRETS, keySecret('self', 'self-key', keyPem));
      await readyIssuer(issuer({ selfSigned: {} }, 'self', 'selfsigned'));
      await createRequest(csrPem, { namespace: 'self', name: 'self-1', issuerRef: { name: 'selfsigned' }, annotations: { [PRIVATE_KEY_SECRET_NAME_ANNOTATION]: 'self-key' } });

      const issued = await waitForReadyReason('self', 'self-1', 'Issued');
      assert.deepEqual(
        { ...condition(issued, 'Approved'), lastTransitionTime: undefined },
        { type: 'Approved', status: 'True', reason: 'cert-manager.io', message: APPROVED_MESSAGE, lastTransitionTime: undefined },
      );
      const ready = condition(issued, 'Ready')!;
      assert.equal(ready.status, 'True');
      assert.equal(ready.message, ISSUED_MESSAGE);
      const certificatePem = unb64(issued.status?.certificate);
      assert.equal(unb64(issued.status?.ca), certificatePem);
      assert.ok(publicKeysEqual(parseCertificate(certificatePem), key));

      const reasons = (await cluster.eventsFor('self-1', 'self')).map((e) => `${e.type}/${e.reason}`);
      assert.ok(reasons.includes('Normal/cert-manager.io'), reasons.join());
      assert.ok(reasons.includes('Normal/CertificateIssued'), reasons.join());
      assert.ok(syncNames.includes('certificaterequests-issuer-selfsigned'), 'sync metrics are labelled per issuer type');
    });

    it('signs with a CA ClusterIssuer (Secret in the cluster resource namespace): chain leaf+intermediate, ca=root, openssl verifies', async () => {
      await cluster.createNamespace('ca');
      const intermediate = await intermediateCa(root);
      await cluster.client.create(SECRETS, caSecret('kube-system', 'intermediate-ca', intermediate, root.certificatePem));
      await readyIssuer(clusterIssuer({ ca: { secretName: 'intermediate-ca' } }, 'intermediate'));
      const { csrPem } = await keyAndCsr({ commonName: 'api.ca.test', dnsNames: ['api.ca.test'] });
      await createRequest(csrPem, { namespace: 'ca', name: 'api-1', issuerRef: { name: 'intermediate', kind: 'ClusterIssuer', group: 'cert-manager.io' }, duration: '48h' });

      const issued = await waitForReadyReason('ca', 'api-1', 'Issued');
      const chain = parseCertificateChain(unb64(issued.status?.certificate));
      assert.equal(chain.length, 2);
      assert.equal(chain[0]!.notAfter.getTime() - chain[0]!.notBefore.getTime(), 48 * 3_600_000);
      work.write('ca-root.pem', unb64(issued.status?.ca));
      work.write('ca-chain.pem', chain[1]!.pem);
      work.write('ca-leaf.pem', chain[0]!.pem);
      assert.match(work.openssl(['verify', '-CAfile', 'ca-root.pem', '-untrusted', 'ca-chain.pem', 'ca-leaf.pem']), /ca-leaf\.pem: OK/);
      assert.ok(syncNames.includes('certificaterequests-issuer-ca'));
    });

    it('is Pending IssuerNotFound (one event, however often it syncs) until the issuer appears, then issues', async () => {
      await cluster.createNamespace('late-issuer');
      const { keyPem, csrPem } = await keyAndCsr();
      await cluster.client.create(SECRETS, keySecret('late-issuer', 'key', keyPem));
      await createRequest(csrPem, { namespace: 'late-issuer', name: 'r', issuerRef: { name: 'later' }, annotations: { [PRIVATE_KEY_SECRET_NAME_ANNOTATION]: 'key' } });
      const pending = await waitForReadyReason('late-issuer', 'r', 'Pending');
      assert.equal(condition(pending, 'Ready')?.message, 'Referenced "Issuer" not found: issuers.cert-manager.io "later" not found');
      await touch('late-issuer', 'r');
      await touch('late-issuer', 'r');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const notFound = (await cluster.eventsFor('r', 'late-issuer')).filter((e) => e.reason === 'IssuerNotFound');
      assert.equal(notFound.length, 1);
      assert.equal(notFound[0]!.count, 1);

      await readyIssuer(issuer({ selfSigned: {} }, 'late-issuer', 'later'));
      await waitForReadyReason('late-issuer', 'r', 'Issued');
    });

    it('is Pending IssuerNotReady until the issuer becomes Ready, then issues', async () => {
      await cluster.createNamespace('not-ready');
      const { keyPem, csrPem } = await keyAndCsr();
      await cluster.client.create(SECRETS, keySecret('not-ready', 'key', keyPem));
      await readyIssuer(issuer({ selfSigned: {} }, 'not-ready', 'slow'), false);
      await createRequest(csrPem, { namespace: 'not-ready', name: 'r', issuerRef: { name: 'slow' }, annotations: { [PRIVATE_KEY_SECRET_NAME_ANNOTATION]: 'key' } });
      const pending = await waitForReadyReason('not-ready', 'r', 'Pending');
      assert.equal(condition(pending, 'Ready')?.message, 'Referenced issuer does not have a Ready status condition');

      const current = await cluster.client.get<GenericIssuer>(ISSUERS, { namespace: 'not-ready', name: 'slow' });
      await cluster.client.updateStatus(ISSUERS, { ...current, status: { conditions: [readyCondition] } });
      await waitForReadyReason('not-ready', 'r', 'Issued');
    });

    it('fails MissingAnnotation and ErrorKeyMatch: Ready=Failed, failureTime set once, Warning event', async () => {
      await cluster.createNamespace('failing');
      await readyIssuer(issuer({ selfSigned: {} }, 'failing', 'self'));
      const { csrPem } = await keyAndCsr();
      const other = await keyAndCsr();
      await cluster.client.create(SECRETS, keySecret('failing', 'other-key', other.keyPem));
      await createRequest(csrPem, { namespace: 'failing', name: 'no-annotation', issuerRef: { name: 'self' } });
      await createRequest(csrPem, { namespace: 'failing', name: 'wrong-key', issuerRef: { name: 'self' }, annotations: { [PRIVATE_KEY_SECRET_NAME_ANNOTATION]: 'other-key' } });

      const missing = await waitForReadyReason('failing', 'no-annotation', 'Failed');
      assert.match(condition(missing, 'Ready')?.message ?? '', /^Annotation "cert-manager.io\/private-key-secret-name" missing or reference empty/);
      assert.ok(missing.status?.failureTime);
      assert.equal(missing.status?.certificate, undefined);
      const wrongKey = await waitForReadyReason('failing', 'wrong-key', 'Failed');
      assert.equal(condition(wrongKey, 'Ready')?.message, 'Error generating certificate template: CSR not signed by referenced private key');

      const events = await cluster.eventsFor('no-annotation', 'failing');
      assert.ok(events.some((e) => e.type === 'Warning' && e.reason === 'MissingAnnotation'));
      assert.ok((await cluster.eventsFor('wrong-key', 'failing')).some((e) => e.type === 'Warning' && e.reason === 'ErrorKeyMatch'));

      await touch('failing', 'no-annotation');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const later = await readRequest('failing', 'no-annotation');
      assert.equal(later.status?.failureTime, missing.status?.failureTime);
      assert.equal(condition(later, 'Ready')?.reason, 'Failed');
    });

    it('is Pending MissingSecret until the owned key Secret appears (woken by its informer), and ErrorParsingKey on a bad key', async () => {
      await cluster.createNamespace('key-later');
      await readyIssuer(issuer({ selfSigned: {} }, 'key-later', 'self'));
      const { keyPem, csrPem } = await keyAndCsr();
      await cluster.client.create(SECRETS, keySecret('key-later', 'bad-key', 'not a key'));
      await createRequest(csrPem, { namespace: 'key-later', name: 'bad', issuerRef: { name: 'self' }, annotations: { [PRIVATE_KEY_SECRET_NAME_ANNOTATION]: 'bad-key' } });
      await createRequest(csrPem, { namespace: 'key-later', name: 'r', issuerRef: { name: 'self' }, annotations: { [PRIVATE_KEY_SECRET_NAME_ANNOTATION]: 'key' } });

      const pending = await waitForReadyReason('key-later', 'r', 'Pending');
      assert.equal(condition(pending, 'Ready')?.message, 'Referenced secret key-later/key not found');
      assert.ok((await cluster.eventsFor('r', 'key-later')).some((e) => e.reason === 'MissingSecret'));
      const bad = await waitForReadyReason('key-later', 'bad', 'Pending');
      assert.match(condition(bad, 'Ready')?.message ?? '', /^Failed to get key "bad-key" referenced in annotation/);
      assert.ok((await cluster.eventsFor('bad', 'key-later')).some((e) => e.reason === 'ErrorParsingKey'));

      await cluster.client.create(SECRETS, keySecret('key-later', 'key', keyPem));
      await waitForReadyReason('key-later', 'r', 'Issued');
    });

    it('CA issuer: Pending SecretMissing, retried on the backoff timer until the Secret exists; Pending SecretInvalidData on a bad Secret', async () => {
      await cluster.createNamespace('ca-later');
      await readyIssuer(issuer({ ca: { secretName: 'root' } }, 'ca-later', 'ca'));
      await readyIssuer(issuer({ ca: { secretName: 'broken' } }, 'ca-later', 'broken-ca'));
      await cluster.client.create(SECRETS, secret('ca-later', 'broken', { 'tls.crt': 'garbage', 'tls.key': 'garbage' }));
      const { csrPem } = await keyAndCsr();
      await createRequest(csrPem, { namespace: 'ca-later', name: 'r', issuerRef: { name: 'ca' } });
      await createRequest(csrPem, { namespace: 'ca-later', name: 'broken', issuerRef: { name: 'broken-ca' } });

      const pending = await waitForReadyReason('ca-later', 'r', 'Pending');
      assert.equal(condition(pending, 'Ready')?.message, 'Referenced secret ca-later/root not found');
      const invalid = await waitForReadyReason('ca-later', 'broken', 'Pending');
      assert.match(condition(invalid, 'Ready')?.message ?? '', /^Failed to parse signing CA keypair from secret ca-later\/broken: /);
      assert.ok((await cluster.eventsFor('broken', 'ca-later')).some((e) => e.reason === 'SecretInvalidData'));

      await cluster.client.create(SECRETS, caSecret('ca-later', 'root', root));
      await waitForReadyReason('ca-later', 'r', 'Issued');
    });

    it('leaves requests for other issuer groups to their signer (the approver still approves them)', async () => {
      await cluster.createNamespace('external');
      const { csrPem } = await keyAndCsr();
      await createRequest(csrPem, { namespace: 'external', name: 'r', issuerRef: { name: 'x', kind: 'AWSPCAIssuer', group: 'awspca.cert-manager.io' } });
      await waitFor('approved', async () => condition(await readRequest('external', 'r'), 'Approved')?.status === 'True');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(condition(await readRequest('external', 'r'), 'Ready'), undefined);
    });
  });

  describe('with the readiness controller', () => {
    it('issues once the CA Secret appears: issuer ErrGetKeyPair → KeyPairVerified (Secret watch) → request woken and signed', async () => {
      await cluster.createNamespace('chain');
      const approver = startApprover();
      const signer = startSigner();
      const readiness = new IssuerController<Issuer>({
        kind: 'Issuer',
        informer: cluster.issuers,
        client: cluster.client,
        timers: cluster.timers,
        registry: builtinIssuers(),
        context: createIssuerContext({ client: cluster.client, clock: cluster.timers.clock, secretMaxAgeMs: 0 }),
        events: cluster.events,
      });
      readiness.start();
      try {
        await cluster.client.create(ISSUERS, issuer({ ca: { secretName: 'chain-ca' } }, 'chain', 'ca'));
        const { csrPem } = await keyAndCsr();
        await createRequest(csrPem, { namespace: 'chain', name: 'r', issuerRef: { name: 'ca' } });
        const pending = await waitForReadyReason('chain', 'r', 'Pending');
        assert.equal(condition(pending, 'Ready')?.message, 'Referenced issuer does not have a Ready status condition');

        await cluster.client.create(SECRETS, caSecret('chain', 'chain-ca', root));
        const issued = await waitForReadyReason('chain', 'r', 'Issued');
        assert.equal(parseCertificateChain(unb64(issued.status?.certificate))[0]!.issuer, 'CN=Test Root CA');
      } finally {
        await Promise.all([approver.stop(), signer.stop(), readiness.stop()]);
      }
    });
  });

  describe('with approval left to an external approver', () => {
    let signer: CertificateRequestSigner;
    const garbageCa = {
      type: 'ca',
      setup: async () => ({ status: 'True' as const, reason: 'Test', message: '' }),
      sign: async () => ({ state: 'issued' as const, certificatePem: '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n' }),
    };

    before(() => {
      signer = startSigner(new IssuerRegistry([selfSignedIssuer, garbageCa]));
    });
    after(() => signer.stop());

    async function setCondition(namespace: string, name: string, added: Condition) {
      const current = await readRequest(namespace, name);
      await cluster.client.updateStatus(CERTIFICATE_REQUESTS, { ...current, status: { ...current.status, conditions: [...(current.status?.conditions ?? []), added] } });
    }

    it('waits for approval (WaitingForApproval event), issues once approved, and marks a denied request Denied', async () => {
      await cluster.createNamespace('manual');
      await readyIssuer(issuer({ selfSigned: {} }, 'manual', 'self'));
      const { keyPem, csrPem } = await keyAndCsr();
      await cluster.client.create(SECRETS, keySecret('manual', 'key', keyPem));
      const annotations = { [PRIVATE_KEY_SECRET_NAME_ANNOTATION]: 'key' };
      await createRequest(csrPem, { namespace: 'manual', name: 'approve-me', issuerRef: { name: 'self' }, annotations });
      await createRequest(csrPem, { namespace: 'manual', name: 'deny-me', issuerRef: { name: 'self' }, annotations });

      await waitFor('WaitingForApproval event', async () => (await cluster.eventsFor('approve-me', 'manual')).some((e) => e.reason === 'WaitingForApproval'));
      const waiting = await readRequest('manual', 'approve-me');
      assert.equal(condition(waiting, 'Approved'), undefined);
      assert.equal(condition(waiting, 'Ready'), undefined);

      await setCondition('manual', 'approve-me', { type: 'Approved', status: 'True', reason: 'policy.example.com', message: 'ok by policy' });
      await waitForReadyReason('manual', 'approve-me', 'Issued');

      await setCondition('manual', 'deny-me', { type: 'Denied', status: 'True', reason: 'policy.example.com', message: 'not allowed' });
      const denied = await waitForReadyReason('manual', 'deny-me', 'Denied');
      const ready = condition(denied, 'Ready')!;
      assert.equal(ready.status, 'False');
      assert.equal(ready.message, 'The CertificateRequest was denied by an approval controller');
      assert.ok(denied.status?.failureTime);
      assert.equal(denied.status?.certificate, undefined);
    });

    it('fails with DecodeError when a backend returns a certificate that does not decode', async () => {
      await cluster.createNamespace('garbage');
      await readyIssuer(issuer({ ca: { secretName: 'unused' } } as IssuerSpec, 'garbage', 'garbage-ca'));
      const { csrPem } = await keyAndCsr();
      await createRequest(csrPem, { namespace: 'garbage', name: 'r', issuerRef: { name: 'garbage-ca' } });
      await setCondition('garbage', 'r', { type: 'Approved', status: 'True', reason: 'test', message: 'ok' });
      const failed = await waitForReadyReason('garbage', 'r', 'Failed');
      assert.match(condition(failed, 'Ready')?.message ?? '', /^Failed to decode returned certificate: /);
      assert.equal(failed.status?.certificate, undefined);
      assert.ok((await cluster.eventsFor('r', 'garbage')).some((e) => e.type === 'Warning' && e.reason === 'DecodeError'));
    });
  });
});

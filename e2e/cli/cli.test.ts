/**
 * The CLI against the embedded API server with the controller running, in real failure
 * scenarios: each test waits until the scenario has settled, then runs the command the way a
 * user would and asserts its first line and exit code. certwright's approver is off, so requests
 * wait for `certwright approve` / `deny`. The ACME Order and Challenge are written directly with
 * their failed status (certwright's ACME controllers are not run here, so nothing rewrites them).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Certificate, CertificateRequest, CertificateSpec, Challenge, Order } from '../../api/types.js';
import { CERTIFICATE_NAME_ANNOTATION, ISSUER_GROUP_ANNOTATION, ISSUER_KIND_ANNOTATION, ISSUER_NAME_ANNOTATION } from '../../api/well-known.js';
import { run } from '../../cli/commands.js';
import { diagnose } from '../../cli/diagnosis.js';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { applyManifests } from '../../cli/manifests.js';
import { gatherCertificateSnapshot } from '../../cli/status.js';
import '../../cli/approval.js';
import '../../cli/check.js';
import '../../cli/create.js';
import '../../cli/inspect.js';
import '../../cli/renew.js';
import '../../cli/status.js';
import { startManager, type Manager } from '../../controller/manager.js';
import { createLogger } from '../../controller/observability/log.js';
import { CERTIFICATE_REQUESTS, CERTIFICATES, CHALLENGES, ORDERS } from '../../controller/runtime/resources.js';
import { encodePrivateKeyPem, generateCsr, generatePrivateKey, parsePrivateKey, publicKeysEqual, selfSignCertificate, parseCertificateChain } from '../../pki/index.js';
import { eventually, tempDataDir } from '../../test/controller/certificates/reconciler-harness.js';
import { DAY_MS, selfSignedCa, tlsSecret } from '../shims/helpers.js';

const NS = 'cli-e2e';
const dataDir = tempDataDir('certwright-cli-');
const work = mkdtempSync(join(tmpdir(), 'certwright-cli-files-'));
let cluster: LocalCluster;
let manager: Manager;
let connection: string[];

function capture(): { stream: Writable; text: () => string } {
  let out = '';
  return { stream: new Writable({ write: (chunk, _enc, cb) => ((out += String(chunk)), cb()) }), text: () => out };
}

/** Runs a CLI command in-process against the test cluster. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture();
  const stderr = capture();
  const code = await run([...args, ...connection], { stdout: stdout.stream, stderr: stderr.stream, argv0: 'certwright' });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const firstLine = (text: string) => text.split('\n')[0]!;

const certificate = (name: string, issuer: string, extra: Partial<CertificateSpec> = {}): Certificate => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { namespace: NS, name },
  spec: { secretName: `${name}-tls`, dnsNames: [`${name}.example.com`], issuerRef: { name: issuer }, privateKey: { algorithm: 'ECDSA' }, ...extra },
});

const issuer = (name: string, spec: object) => ({ apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace: NS, name }, spec });

/** Waits until the diagnosis of `name` has `code`, so the CLI runs on a settled scenario. */
async function settled(name: string, code: string): Promise<void> {
  await eventually(async () => {
    const verdict = diagnose(await gatherCertificateSnapshot(manager.client, NS, name), { program: 'certwright' });
    return verdict.code === code || undefined;
  }, `${name} diagnosed ${code}`, 30_000);
}

const request = (name: string) => manager.client.find<CertificateRequest>(CERTIFICATE_REQUESTS, { namespace: NS, name });

/** An expired certificate for `expired.example.com`, as certwright would have written it, before the Certificate exists. */
async function expiredSecret() {
  const key = await generatePrivateKey({ algorithm: 'ECDSA', size: 256 });
  const csr = await generateCsr({ dnsNames: ['expired.example.com'] }, key);
  const signed = await selfSignCertificate(csr, { now: new Date(Date.now() - 30 * DAY_MS), durationMs: 10 * DAY_MS }, key);
  const secret = tlsSecret(NS, 'expired-tls', { certificatePem: signed.certificatePem, keyPem: encodePrivateKeyPem(key, 'PKCS8') });
  secret.metadata.annotations = { [ISSUER_NAME_ANNOTATION]: 'ca', [ISSUER_KIND_ANNOTATION]: 'Issuer', [ISSUER_GROUP_ANNOTATION]: 'cert-manager.io', [CERTIFICATE_NAME_ANNOTATION]: 'expired' };
  return secret;
}

before(async () => {
  cluster = await startLocalCluster({ dataDir: dataDir.path });
  connection = ['--kubeconfig', cluster.server.kubeconfigPath, '-n', NS];
  manager = await startManager({
    kubeConfig: cluster.kubeConfig,
    controllers: ['-certificaterequests-approver', '-certificaterequests-issuer-acme', '-orders', '-challenges'],
    logger: createLogger({ level: 'silent' }),
  });
  const ca = await selfSignedCa('cli e2e CA');
  // A CA Secret whose certificate is not a CA: the Issuer using it is not Ready.
  const notCa = await (async () => {
    const key = await generatePrivateKey({ algorithm: 'ECDSA', size: 256 });
    const csr = await generateCsr({ commonName: 'leaf' }, key);
    const signed = await selfSignCertificate(csr, { isCA: false }, key);
    return { certificatePem: signed.certificatePem, keyPem: encodePrivateKeyPem(key, 'PKCS8') };
  })();
  await applyManifests(manager.client, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    tlsSecret(NS, 'ca', ca),
    tlsSecret(NS, 'not-a-ca', notCa),
    await expiredSecret(),
    issuer('ca', { ca: { secretName: 'ca' } }),
    issuer('missing-ca', { ca: { secretName: 'absent' } }),
    issuer('not-a-ca', { ca: { secretName: 'not-a-ca' } }),
    issuer('le', { acme: { server: 'https://127.0.0.1:9/directory', privateKeySecretRef: { name: 'le-account' }, solvers: [{ http01: { ingress: { ingressClassName: 'nginx' } } }] } }),
  ]);
  for (const c of [
    certificate('approve-me', 'ca'),
    certificate('deny-me', 'ca'),
    certificate('no-ca-secret', 'missing-ca'),
    certificate('bad-issuer', 'not-a-ca'),
    certificate('acme', 'le'),
    certificate('expired', 'ca', { renewal: { policy: 'Disabled' } }),
  ]) {
    await manager.client.create(CERTIFICATES, c);
  }
});

after(async () => {
  await manager?.stop();
  await cluster?.close();
  dataDir.remove();
  rmSync(work, { recursive: true, force: true });
});

test('pending approval: status says so and how to approve; approve makes it Ready; approving twice is refused', async () => {
  await settled('approve-me', 'WaitingForApproval');
  const pending = await cli('status', 'certificate', 'approve-me');
  assert.equal(pending.code, 3, pending.stderr);
  assert.equal(
    firstLine(pending.stdout),
    `Not Ready (WaitingForApproval): CertificateRequest ${NS}/approve-me-1 is waiting for approval. Next: approve it with "certwright approve approve-me-1 -n ${NS}" (or deny it with "certwright deny approve-me-1 -n ${NS}"); certwright's own approver is off or an approval policy has not decided.`,
  );
  assert.match(pending.stdout, /CertificateRequests\n {2}NAME +REVISION +APPROVED/);

  const approved = await cli('approve', 'approve-me-1');
  assert.deepEqual([approved.code, approved.stdout], [0, `Approved CertificateRequest ${NS}/approve-me-1\n`]);
  const again = await cli('approve', 'approve-me-1');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already has a Approved condition/);

  await settled('approve-me', 'Ready');
  const ready = await cli('status', 'certificate', 'approve-me');
  assert.equal(ready.code, 0, ready.stdout);
  assert.match(firstLine(ready.stdout), new RegExp(`^Ready: the certificate in Secret ${NS}/approve-me-tls is valid until \\S+\\. Next: nothing; it is renewed at \\S+\\.$`));
  const json = JSON.parse((await cli('status', 'certificate', 'approve-me', '-o', 'json')).stdout) as { ready: boolean; code: string; secret: { keyMatchesCertificate: boolean } };
  assert.deepEqual([json.ready, json.code, json.secret.keyMatchesCertificate], [true, 'Ready', true]);
});

test('inspect secret: chain, SANs, key match and ca.crt verification; the key never printed', async () => {
  await settled('approve-me', 'Ready');
  const inspected = await cli('inspect', 'secret', 'approve-me-tls');
  assert.equal(inspected.code, 0, inspected.stderr);
  assert.match(inspected.stdout, /private key \(tls\.key\): ECDSA P-256, matches the certificate/);
  assert.match(inspected.stdout, /DNS names +approve-me\.example\.com/);
  assert.match(inspected.stdout, /issuer +CN=cli e2e CA/);
  assert.match(inspected.stdout, /chain verifies against ca\.crt: yes/);
  assert.match(inspected.stdout, /SHA-256 +([0-9A-F]{2}:){31}[0-9A-F]{2}/);
  assert.doesNotMatch(inspected.stdout, /PRIVATE KEY/);
  const yaml = await cli('inspect', 'secret', 'approve-me-tls', '-o', 'yaml');
  assert.match(yaml.stdout, /keyMatchesCertificate: true/);
  assert.doesNotMatch(yaml.stdout, /PRIVATE KEY/);
  const missing = await cli('inspect', 'secret', 'nope');
  assert.deepEqual([missing.code, missing.stderr], [1, `error: Secret ${NS}/nope not found\n`]);
});

test('renew: Issuing=True ManuallyTriggered, then a second revision once approved', async () => {
  await settled('approve-me', 'Ready');
  const renewed = await cli('renew', 'approve-me');
  assert.deepEqual([renewed.code, renewed.stdout], [0, `Manually triggered issuance of Certificate ${NS}/approve-me\n`]);
  const issuing = (await manager.client.get<Certificate>(CERTIFICATES, { namespace: NS, name: 'approve-me' })).status?.conditions?.find((c) => c.type === 'Issuing');
  // The controller may already have moved on; while issuing, the reason is ours.
  if (issuing?.status === 'True') assert.equal(issuing.reason, 'ManuallyTriggered');
  await eventually(() => request('approve-me-2'), 'the request for revision 2');
  assert.equal((await cli('approve', 'approve-me-2')).code, 0);
  await eventually(async () => (await manager.client.get<Certificate>(CERTIFICATES, { namespace: NS, name: 'approve-me' })).status?.revision === 2 || undefined, 'revision 2');
  const none = await cli('renew', '--all', '-l', 'app=none');
  assert.deepEqual([none.code, none.stderr], [1, `no Certificates found in namespace ${NS}\n`]);
  assert.equal((await cli('renew', 'approve-me', '--all')).code, 2, 'names and --all together are a usage error');
});

test('denied request: status quotes the denial; approving a denied request is refused', async () => {
  await eventually(() => request('deny-me-1'), 'the request of deny-me');
  const denied = await cli('deny', 'deny-me-1', '--reason', 'PolicyDenied', '--message', 'example.com names are not allowed');
  assert.equal(denied.code, 0, denied.stderr);
  await settled('deny-me', 'Denied');
  const status = await cli('status', 'certificate', 'deny-me');
  assert.equal(status.code, 3);
  assert.equal(
    firstLine(status.stdout),
    `Not Ready (Denied): CertificateRequest ${NS}/deny-me-1 was denied (PolicyDenied: example.com names are not allowed). Next: resolve what the approver objected to, then request again with "certwright renew deny-me -n ${NS}".`,
  );
  const approve = await cli('approve', 'deny-me-1');
  assert.equal(approve.code, 1);
  assert.match(approve.stderr, /already has a Denied condition/);
});

test('missing CA Secret: status names the Secret to create', async () => {
  await settled('no-ca-secret', 'CASecretMissing');
  const status = await cli('status', 'certificate', 'no-ca-secret');
  assert.equal(status.code, 3);
  assert.equal(
    firstLine(status.stdout),
    `Not Ready (CASecretMissing): the CA Issuer "missing-ca" needs Secret ${NS}/absent, which does not exist. Next: create Secret ${NS}/absent with the CA's tls.crt and tls.key; issuance continues once the Issuer is Ready.`,
  );
});

test('Issuer not Ready: status quotes the Issuer condition', async () => {
  await settled('bad-issuer', 'IssuerNotReady');
  const status = await cli('status', 'certificate', 'bad-issuer');
  assert.equal(status.code, 3);
  assert.match(firstLine(status.stdout), /^Not Ready \(IssuerNotReady\): Issuer "not-a-ca" is not Ready \(ErrInvalidKeyPair: .*certificate is not a CA\)\. Next: fix the Issuer's configuration/);
});

test('failing ACME challenge: status names the domain, the solver and the ACME problem', async () => {
  const cr = await eventually(() => request('acme-1'), 'the request of the ACME Certificate');
  const owner = (obj: { apiVersion: string; kind: string; metadata: { name?: string; uid?: string } }) => [{ apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name!, uid: obj.metadata.uid!, controller: true }];
  const order = await manager.client.create<Order>(ORDERS, {
    apiVersion: 'acme.cert-manager.io/v1',
    kind: 'Order',
    metadata: { namespace: NS, name: 'acme-1-1234', ownerReferences: owner(cr) },
    spec: { request: cr.spec.request, issuerRef: { name: 'le' }, dnsNames: ['acme.example.com'] },
  });
  const problem = 'Error accepting authorization: acme: authorization error for acme.example.com: 403 urn:ietf:params:acme:error:unauthorized: Invalid response from http://acme.example.com/.well-known/acme-challenge/tok: 404';
  await manager.client.updateStatus(ORDERS, { ...order, status: { state: 'invalid', reason: problem } });
  const challenge = await manager.client.create<Challenge>(CHALLENGES, {
    apiVersion: 'acme.cert-manager.io/v1',
    kind: 'Challenge',
    metadata: { namespace: NS, name: 'acme-1-1234-5678', ownerReferences: owner(order) },
    spec: {
      url: 'https://127.0.0.1:9/chall/1',
      authorizationURL: 'https://127.0.0.1:9/authz/1',
      dnsName: 'acme.example.com',
      type: 'HTTP-01',
      token: 'tok',
      key: 'tok.thumbprint',
      solver: { http01: { ingress: { ingressClassName: 'nginx' } } },
      issuerRef: { name: 'le' },
    },
  });
  await manager.client.updateStatus(CHALLENGES, { ...challenge, status: { state: 'invalid', reason: problem, presented: false, processing: false } });
  await settled('acme', 'ChallengeFailed');
  const status = await cli('status', 'certificate', 'acme');
  assert.equal(status.code, 3);
  assert.equal(
    firstLine(status.stdout),
    `Not Ready (ChallengeFailed): ACME challenge for acme.example.com (HTTP-01 via ingress class "nginx") is invalid: ${problem}. Next: check that http://acme.example.com/.well-known/acme-challenge/tok is reachable from the internet (DNS, firewall, ingress), then retry with "certwright renew acme -n ${NS}".`,
  );
  assert.match(status.stdout, /Challenges\n {2}DOMAIN +SOLVER +STATE/);
  assert.match(status.stdout, /Order cli-e2e\/acme-1-1234\n {2}state +invalid/);
});

test('expired certificate with renewal disabled: status says to renew by hand', async () => {
  await settled('expired', 'Expired');
  const status = await cli('status', 'certificate', 'expired');
  assert.equal(status.code, 3);
  assert.match(firstLine(status.stdout), new RegExp(`^Not Ready \\(Expired\\): Certificate expired on .+ UTC\\. Next: renewal is disabled \\(spec\\.renewal\\.policy: Disabled\\): renew it with "certwright renew expired -n ${NS}"\\.$`));
  assert.match(status.stdout, /not after +\S+ \(expired \d+d ago\)/);
});

test('status of a missing Certificate exits 1; a bad kind is a usage error (2)', async () => {
  const missing = await cli('status', 'certificate', 'nope');
  assert.deepEqual([missing.code, missing.stderr], [1, `error: Certificate ${NS}/nope not found\n`]);
  const bad = await cli('status', 'issuer', 'ca');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /status supports "certificate", got "issuer"\n\nUsage: certwright status certificate NAME/);
});

test('check api: ready against the embedded API server; not ready (exit 1) against a closed port', async () => {
  const ready = await cli('check', 'api');
  assert.deepEqual([ready.code, ready.stdout], [0, 'The cert-manager API is ready\n']);
  const kubeconfig = readFileSync(cluster.server.kubeconfigPath, 'utf8').replace(/server: \S+/, 'server: https://127.0.0.1:9');
  const deadConfig = join(work, 'dead-kubeconfig');
  writeFileSync(deadConfig, kubeconfig);
  const stderr = capture();
  const code = await run(['check', 'api', '--wait', '1s', '--interval', '200ms', '--kubeconfig', deadConfig], { stdout: capture().stream, stderr: stderr.stream, argv0: 'certwright' });
  assert.equal(code, 1);
  assert.match(stderr.text(), /^Not ready: the API server cannot be reached/);
});

test('create certificaterequest --fetch-certificate: key written locally, CR created, certificate fetched once approved', async () => {
  const manifest = join(work, 'certificate.yaml');
  writeFileSync(manifest, JSON.stringify(certificate('from-file', 'ca')));
  const keyFile = join(work, 'from-file.key');
  const certificateFile = join(work, 'from-file.crt');
  const created = cli('create', 'certificaterequest', 'from-file', '--from-certificate-file', manifest, '--fetch-certificate', '--timeout', '30s', '--output-key-file', keyFile, '--output-certificate-file', certificateFile);
  await eventually(() => request('from-file'), 'the created request');
  await manager.client.updateStatus(CERTIFICATE_REQUESTS, {
    ...(await request('from-file'))!,
    status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Test', message: 'approved by the test', lastTransitionTime: new Date().toISOString() }] },
  });
  const result = await created;
  assert.equal(result.code, 0, result.stderr);
  const [leaf] = parseCertificateChain(readFileSync(certificateFile, 'utf8'));
  assert.deepEqual(leaf!.dnsNames, ['from-file.example.com']);
  assert.ok(publicKeysEqual(leaf!, parsePrivateKey(readFileSync(keyFile, 'utf8'))), 'the certificate is for the key written locally');
  const again = await cli('create', 'certificaterequest', 'from-file-2', '--from-certificate-file', manifest, '--output-key-file', keyFile);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists/);
  assert.equal(await request('from-file-2'), undefined, 'nothing is created when the key cannot be written');
});

test('as a kubectl plugin (kubectl-certwright): next steps are spelled "kubectl certwright", exit codes kept', async () => {
  await settled('deny-me', 'Denied');
  const plugin = join(work, 'kubectl-certwright');
  if (!existsSync(plugin)) symlinkSync(fileURLToPath(new URL('../../cli/main.js', import.meta.url)), plugin);
  const result = await promisify(execFile)(process.execPath, [plugin, 'status', 'certificate', 'deny-me', ...connection]).then(
    () => assert.fail('a Certificate that is not Ready exits non-zero'),
    (err: { code: number; stdout: string }) => err,
  );
  assert.equal(result.code, 3);
  assert.match(firstLine(result.stdout), /then request again with "kubectl certwright renew deny-me -n cli-e2e"\.$/);
});

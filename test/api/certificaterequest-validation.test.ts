import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCertificateRequest, validateCertificateRequestStatus } from '../../api/validation/index.js';
import type { CertificateRequest, Condition } from '../../api/types.js';
import { certificateRequest, messages } from './builders.js';
import { EKU, KU, asRequest, csrPem, tampered } from './csr.js';

let plain: string;
let serverAuth: string;
let defaults: string;
let caCsr: string;

before(async () => {
  plain = asRequest(await csrPem());
  defaults = asRequest(await csrPem({ keyUsages: KU.digitalSignature | KU.keyEncipherment }));
  serverAuth = asRequest(await csrPem({ keyUsages: KU.digitalSignature | KU.keyEncipherment, extKeyUsages: [EKU.serverAuth] }));
  caCsr = asRequest(await csrPem({ keyUsages: KU.digitalSignature | KU.keyEncipherment | KU.keyCertSign, ca: true }));
});

const check = (cr: CertificateRequest, old?: CertificateRequest) => messages(validateCertificateRequest(cr, old));
const approved: Condition = { type: 'Approved', status: 'True', reason: 'cert-manager.io', message: 'Certificate request has been approved by cert-manager.io' };
const denied: Condition = { type: 'Denied', status: 'True', reason: 'policy', message: 'no' };

test('a CertificateRequest with a valid CSR is valid, for RSA, ECDSA and Ed25519 keys', async () => {
  assert.deepEqual(check(certificateRequest({ request: plain })), []);
  for (const algorithm of ['RSA', 'Ed25519'] as const) {
    const request = asRequest(await csrPem({ algorithm, keyUsages: KU.digitalSignature | KU.keyEncipherment }));
    assert.deepEqual(check(certificateRequest({ request })), [], algorithm);
  }
});

test('the request is required, must be a PEM CSR and its signature must verify', async () => {
  const missing = certificateRequest({});
  delete (missing.spec as Partial<CertificateRequest['spec']>).request;
  assert.deepEqual(check(missing), ['spec.request: Required value: must be specified']);
  assert.deepEqual(check(certificateRequest({ request: asRequest('not a csr') })), [
    'spec.request: Invalid value: "<snip>": failed to decode csr: no PEM block found in certificate request',
  ]);
  assert.deepEqual(check(certificateRequest({ request: asRequest(tampered(await csrPem({ algorithm: 'RSA' }))) })), [
    'spec.request: Invalid value: "<snip>": failed to decode csr: certificate request signature does not verify with its public key',
  ]);
  assert.deepEqual(check(certificateRequest({ request: asRequest('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----') })).length, 1);
  assert.deepEqual(check(certificateRequest({ request: 'not base64!' })), [
    'spec.request: Invalid value: "not base64!": spec.request in body must be of type byte: "not base64!"',
  ]);
});

test('the issuerRef follows the Certificate rules and duration must parse', () => {
  assert.deepEqual(check(certificateRequest({ request: plain, issuerRef: { name: '', kind: 'Bogus' }, duration: '2 days' })), [
    'spec.issuerRef.name: Required value: must be specified',
    'spec.issuerRef.kind: Invalid value: "Bogus": must be one of Issuer or ClusterIssuer (did you forget to set spec.issuerRef.group?)',
    'spec.duration: Invalid value: "2 days": time: unknown unit " days" in duration "2 days"',
  ]);
});

test('CSR usages must equal the requested set (defaults when empty) unless they are just the defaults', () => {
  assert.deepEqual(check(certificateRequest({ request: serverAuth, usages: ['digital signature', 'key encipherment', 'server auth'] })), []);
  assert.deepEqual(check(certificateRequest({ request: serverAuth, usages: ['signing', 'key encipherment', 'server auth'] })), []);
  assert.deepEqual(check(certificateRequest({ request: serverAuth, usages: ['client auth'] })), [
    'spec.request: Invalid value: "<snip>": csr key usages do not match specified usages, these should match if both are set: csr has [digital signature, key encipherment, server auth], spec requests [client auth]',
  ]);
  // Usages only inside the CSR are not granted (DisallowInsecureCSRUsageDefinition).
  assert.deepEqual(check(certificateRequest({ request: serverAuth })), [
    'spec.request: Invalid value: "<snip>": csr key usages do not match specified usages, these should match if both are set: csr has [digital signature, key encipherment, server auth], spec requests [digital signature, key encipherment]',
  ]);
  assert.deepEqual(check(certificateRequest({ request: defaults, usages: ['server auth', 'client auth'] })), []);
  assert.deepEqual(check(certificateRequest({ request: plain, usages: ['code signing'] })), []);
});

test('a CA request: cert sign is implied and BasicConstraints must agree with isCA', () => {
  assert.deepEqual(check(certificateRequest({ request: caCsr, isCA: true })), []);
  assert.deepEqual(check(certificateRequest({ request: caCsr })), [
    "spec.isCA: Invalid value: false: must match the CA flag of the CSR's BasicConstraints extension (true)",
    'spec.request: Invalid value: "<snip>": csr key usages do not match specified usages, these should match if both are set: csr has [digital signature, key encipherment, cert sign], spec requests [digital signature, key encipherment]',
  ]);
});

test('Approved and Denied appear at most once, only True, never together', () => {
  const withConditions = (conditions: Condition[]) => certificateRequest({ request: plain }, { status: { conditions } });
  assert.deepEqual(check(withConditions([approved])), []);
  assert.deepEqual(check(withConditions([approved, { ...approved, reason: 'again' }])), [
    'status.conditions[1]: Duplicate value: {"type":"Approved"}',
    'status.conditions: Forbidden: multiple "Approved" conditions present',
  ]);
  assert.deepEqual(check(withConditions([{ ...denied, status: 'False' }])), [
    'status.conditions.Denied: Invalid value: "False": "Denied" condition may only be set to True',
  ]);
  assert.deepEqual(check(withConditions([approved, denied])), ["status.conditions: Forbidden: both 'Denied' and 'Approved' conditions cannot coexist"]);
});

test('on update the spec, cert-manager annotations, identity and decisions are immutable', () => {
  const old = certificateRequest(
    { request: plain, username: 'alice', uid: 'u-1', groups: ['system:authenticated', 'dev'], extra: { scopes: ['a'] } },
    { metadata: { name: 'x-1', annotations: { 'cert-manager.io/certificate-revision': '1', 'example.com/free': 'a' } }, status: { conditions: [approved] } },
  );
  // Reordered groups and free annotations are fine; so is adding Ready.
  const same = structuredClone(old);
  same.spec.groups = ['dev', 'system:authenticated'];
  same.metadata.annotations!['example.com/free'] = 'b';
  same.status!.conditions!.push({ type: 'Ready', status: 'True', reason: 'Issued' });
  assert.deepEqual(check(same, old), ['spec: Forbidden: cannot change spec after creation']);

  const unchanged = structuredClone(old);
  unchanged.metadata.annotations!['example.com/free'] = 'b';
  assert.deepEqual(check(unchanged, old), []);

  const changed = structuredClone(old);
  changed.spec.username = 'mallory';
  changed.spec.extra = {};
  changed.spec.isCA = true;
  changed.metadata.annotations = { 'cert-manager.io/certificate-revision': '2', 'acme.cert-manager.io/new': 'x' };
  changed.status!.conditions = [{ ...approved, message: 'changed' }];
  assert.deepEqual(check(changed, old), [
    'metadata.annotations[acme.cert-manager.io/new]: Forbidden: cannot change cert-manager annotation after creation',
    'metadata.annotations[cert-manager.io/certificate-revision]: Forbidden: cannot change cert-manager annotation after creation',
    "status.conditions: Forbidden: 'Approved' condition may not be modified once set",
    'spec: Forbidden: cannot change spec after creation',
    'spec.username: Forbidden: username identity cannot be changed once set',
    'spec.extra: Forbidden: extra identity cannot be changed once set',
  ]);
});

test('a status write checks only the approval decisions', () => {
  const old = certificateRequest({ request: plain, username: 'alice' });
  const approving = structuredClone(old);
  approving.status = { conditions: [approved] };
  assert.deepEqual(messages(validateCertificateRequestStatus(approving, old)), []);

  const denying = structuredClone(approving);
  denying.status!.conditions = [denied];
  assert.deepEqual(messages(validateCertificateRequestStatus(denying, approving)), ["status.conditions: Forbidden: 'Approved' condition may not be modified once set"]);

  // A stale, invalid spec does not block status updates.
  const broken = certificateRequest({ request: asRequest('garbage') }, { status: { conditions: [approved], certificate: 'not base64!' } });
  assert.deepEqual(messages(validateCertificateRequestStatus(broken, broken)), [
    'status.certificate: Invalid value: "not base64!": status.certificate in body must be of type byte: "not base64!"',
  ]);
});

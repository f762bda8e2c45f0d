import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1ManagedFieldsEntry, V1Secret } from '@kubernetes/client-node';
import {
  certificateDetailsAnnotations,
  desiredSecret,
  joinWithEscapeCsv,
  secretUpkeepViolation,
  temporaryCertificatePem,
  temporaryCertificateSecret,
  type DesiredSecretInput,
} from '../../../controller/certificates/secret-layout.js';
import { certificateOwnerReference } from '../../../controller/certificates/metadata.js';
import { csrSpecFor } from '../../../controller/certificates/requests.js';
import type { CertificateSpec } from '../../../api/types.js';
import {
  decodePemBlocks,
  encodePrivateKeyPem,
  generateCsr,
  parseCertificateChain,
  publicKeysEqual,
  signCertificate,
} from '../../../pki/index.js';
import { verifyPkcs12Mac } from '../../../pki/pkcs12.js';
import { loadKeystoreEncoders } from '../../../pki/keystores.js';
import { certificate, DAY_MS, ecKey, issue, NOW, otherEcKey } from './fixtures.js';

const caCertificate = certificate({ commonName: 'Example CA', dnsNames: [], isCA: true, usages: ['cert sign'] }, { name: 'ca' });
const ca = await issue(caCertificate, otherEcKey, { durationMs: 365 * DAY_MS });

const leafSpec: Partial<CertificateSpec> = {
  commonName: 'web.example.com',
  dnsNames: ['web.example.com', 'www.example.com'],
  ipAddresses: ['10.0.0.1', '2001:db8::1'],
  uris: ['spiffe://cluster.local/web'],
  emailAddresses: ['ops@example.com', 'dev@example.com'],
  subject: { organizations: ['Example, Inc.', 'Other'], organizationalUnits: [' Ops'], countries: ['DE'], serialNumber: '42' },
};
const crt = certificate(leafSpec);
const signed = await signCertificate(await generateCsr(csrSpecFor(crt), ecKey), { now: new Date(NOW - DAY_MS) }, { certificate: ca.certificatePem, privateKey: otherEcKey });
const chainPem = signed.certificate.pem + ca.certificatePem;
const pkcs8 = encodePrivateKeyPem(ecKey, 'PKCS8');

const keystoreEncoders = await loadKeystoreEncoders();
const input = (changes: Partial<DesiredSecretInput> = {}, spec: Partial<CertificateSpec> = {}): DesiredSecretInput => ({
  certificate: certificate({ ...leafSpec, ...spec }),
  privateKeyPem: pkcs8,
  certificatePem: chainPem,
  caPem: ca.certificatePem,
  issuerRef: { name: 'ca', kind: 'Issuer', group: 'cert-manager.io' },
  now: new Date(NOW),
  keystoreEncoders,
  ...changes,
});
const text = (s: V1Secret, key: string) => Buffer.from(s.data![key]!, 'base64').toString('utf8');
const bytes = (s: V1Secret, key: string) => Buffer.from(s.data![key]!, 'base64');

describe('joinWithEscapeCsv', () => {
  test("quotes like Go's encoding/csv", () => {
    assert.equal(joinWithEscapeCsv(['a', 'b']), 'a,b');
    assert.equal(joinWithEscapeCsv(['Example, Inc.', 'Other']), '"Example, Inc.",Other');
    assert.equal(joinWithEscapeCsv(['say "hi"']), '"say ""hi"""');
    assert.equal(joinWithEscapeCsv([' leading space', 'trailing ']), '" leading space",trailing ');
    assert.equal(joinWithEscapeCsv(['two\nlines']), '"two\nlines"');
    assert.equal(joinWithEscapeCsv(['\\.']), '"\\."');
    assert.equal(joinWithEscapeCsv(['', 'x']), ',x');
    assert.equal(joinWithEscapeCsv([]), '');
  });
});

describe('certificateDetailsAnnotations', () => {
  test('describe the issued certificate; empty subject fields and emails are left out', () => {
    assert.deepEqual(certificateDetailsAnnotations(signed.certificate), {
      'cert-manager.io/common-name': 'web.example.com',
      'cert-manager.io/alt-names': 'web.example.com,www.example.com',
      'cert-manager.io/ip-sans': '10.0.0.1,2001:db8::1',
      'cert-manager.io/uri-sans': 'spiffe://cluster.local/web',
      'cert-manager.io/email-sans': 'ops@example.com,dev@example.com',
      // Values of one attribute share an RDN, a DER SET OF sorted by encoding: the shorter one first.
      'cert-manager.io/subject-organizations': 'Other,"Example, Inc."',
      'cert-manager.io/subject-organizationalunits': '" Ops"',
      'cert-manager.io/subject-countries': 'DE',
      'cert-manager.io/subject-serialnumber': '42',
    });
  });
  test('common name and SAN annotations are always present', () => {
    const bare = certificateDetailsAnnotations(ca.leaf);
    assert.deepEqual(bare, {
      'cert-manager.io/common-name': 'Example CA',
      'cert-manager.io/alt-names': '',
      'cert-manager.io/ip-sans': '',
      'cert-manager.io/uri-sans': '',
    });
  });
});

describe('desiredSecret', () => {
  const desired = desiredSecret(input());
  test('is an apply configuration for the target Secret', () => {
    assert.equal(desired.apiVersion, 'v1');
    assert.equal(desired.kind, 'Secret');
    assert.equal(desired.metadata?.name, 'web-tls');
    assert.equal(desired.metadata?.namespace, 'apps');
    assert.equal(desired.type, 'kubernetes.io/tls');
    assert.equal(desired.metadata?.ownerReferences, undefined);
    assert.deepEqual(Object.keys(desired.data!).sort(), ['ca.crt', 'tls.crt', 'tls.key']);
  });
  test('tls.key is in the spec encoding: PKCS#1/SEC 1 by default, PKCS#8 on request', () => {
    assert.equal(decodePemBlocks(text(desired, 'tls.key'), { maxBytes: 1e5, what: 'key' })[0]!.label, 'EC PRIVATE KEY');
    const pkcs8Secret = desiredSecret(input({}, { privateKey: { algorithm: 'ECDSA', encoding: 'PKCS8' } }));
    assert.equal(text(pkcs8Secret, 'tls.key'), pkcs8);
  });
  test('tls.crt is the chain as issued; ca.crt only when the CA is known', () => {
    assert.equal(text(desired, 'tls.crt'), chainPem);
    assert.equal(text(desired, 'ca.crt'), ca.certificatePem);
    assert.equal(desiredSecret(input({ caPem: '' })).data!['ca.crt'], undefined);
    assert.equal(desiredSecret(input({ caPem: '\n' })).data!['ca.crt'], undefined);
    assert.equal(desiredSecret(input({ caPem: undefined })).data!['ca.crt'], undefined);
  });
  test('additional output formats: key.der is the DER of tls.key, tls-combined.pem is key + newline + chain', () => {
    const formats = desiredSecret(input({}, { additionalOutputFormats: [{ type: 'DER' }, { type: 'CombinedPEM' }] }));
    const tlsKey = text(formats, 'tls.key');
    assert.deepEqual(bytes(formats, 'key.der'), decodePemBlocks(tlsKey, { maxBytes: 1e5, what: 'key' })[0]!.der);
    assert.equal(text(formats, 'tls-combined.pem'), `${tlsKey}\n${chainPem}`);
  });
  test('labels: the controller label and the secretTemplate labels', () => {
    const templated = desiredSecret(input({}, { secretTemplate: { labels: { app: 'web' }, annotations: { note: 'hi' } } }));
    assert.deepEqual(templated.metadata?.labels, { app: 'web', 'controller.cert-manager.io/fao': 'true' });
    assert.equal(templated.metadata?.annotations?.note, 'hi');
  });
  test('annotations: certificate name, issuer and certificate details', () => {
    assert.deepEqual(desired.metadata?.annotations, {
      ...certificateDetailsAnnotations(signed.certificate),
      'cert-manager.io/certificate-name': 'web',
      'cert-manager.io/issuer-name': 'ca',
      'cert-manager.io/issuer-kind': 'Issuer',
      'cert-manager.io/issuer-group': 'cert-manager.io',
    });
    const defaulted = desiredSecret(input({ issuerRef: { name: 'root' } })).metadata?.annotations;
    assert.equal(defaulted?.['cert-manager.io/issuer-kind'], 'Issuer');
    assert.equal(defaulted?.['cert-manager.io/issuer-group'], '');
  });
  test('owner reference on request; an existing Secret keeps its type', () => {
    const ownerRef = certificateOwnerReference(crt);
    assert.deepEqual(desiredSecret(input({ ownerRef })).metadata?.ownerReferences, [ownerRef]);
    assert.equal(desiredSecret(input({ existingType: 'Opaque' })).type, 'Opaque');
  });
  test('PKCS#12 keystore and truststore under the spec password', () => {
    const p12 = desiredSecret(input({}, { keystores: { pkcs12: { create: true, password: 'changeit' } } }));
    assert.ok(verifyPkcs12Mac(bytes(p12, 'keystore.p12'), 'changeit'));
    assert.ok(verifyPkcs12Mac(bytes(p12, 'truststore.p12'), 'changeit'));
    assert.equal(verifyPkcs12Mac(bytes(p12, 'keystore.p12'), 'wrong'), false);
    const withoutCa = desiredSecret(input({ caPem: undefined }, { keystores: { pkcs12: { create: true, password: 'changeit' } } }));
    assert.equal(withoutCa.data!['truststore.p12'], undefined);
    const notCreated = desiredSecret(input({}, { keystores: { pkcs12: { create: false, password: 'changeit' } } }));
    assert.equal(notCreated.data!['keystore.p12'], undefined);
  });
  test('JKS keystore and truststore, with a password read from a Secret', () => {
    const jks = desiredSecret(
      input({ keystorePasswords: { jks: 's3cret' } }, { keystores: { jks: { create: true, passwordSecretRef: { name: 'jks-pass', key: 'password' } } } }),
    );
    const magic = (key: string) => bytes(jks, key).subarray(0, 4).toString('hex');
    assert.equal(magic('keystore.jks'), 'feedfeed');
    assert.equal(magic('truststore.jks'), 'feedfeed');
  });
  test('an unknown keystore password is a clear error', () => {
    assert.throws(
      () => desiredSecret(input({}, { keystores: { jks: { create: true, passwordSecretRef: { name: 'jks-pass', key: 'password' } } } })),
      /JKS keystore password is not known: read Secret "jks-pass" key "password" first/,
    );
  });
  test('unreadable key input is a pki error', () => {
    assert.throws(() => desiredSecret(input({ privateKeyPem: 'junk' })), { name: 'PkiError' });
  });
});

/** A managedFields entry claiming every label, annotation, data key and owner reference of `s`. */
function managedBy(manager: string, s: V1Secret): V1ManagedFieldsEntry {
  const set = (keys: string[]) => Object.fromEntries([['.', {}], ...keys.map((k) => [`f:${k}`, {}])]);
  const refs = s.metadata?.ownerReferences ?? [];
  return {
    manager,
    operation: 'Apply',
    fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': {
        'f:labels': set(Object.keys(s.metadata?.labels ?? {})),
        'f:annotations': set(Object.keys(s.metadata?.annotations ?? {})),
        ...(refs.length ? { 'f:ownerReferences': Object.fromEntries([['.', {}], ...refs.map((r) => [`k:${JSON.stringify({ uid: r.uid })}`, { '.': {} }])]) } : {}),
      },
      'f:data': set(Object.keys(s.data ?? {})),
      'f:type': {},
    },
  };
}

/** What the API server holds after certwright applied `applied` (and others made `changes`). */
function stored(applied: V1Secret, changes: { labels?: Record<string, string>; annotations?: Record<string, string>; data?: Record<string, string>; managedFields?: V1ManagedFieldsEntry[] } = {}): V1Secret {
  return {
    ...applied,
    metadata: {
      ...applied.metadata,
      labels: { ...applied.metadata?.labels, ...changes.labels },
      annotations: { ...applied.metadata?.annotations, ...changes.annotations },
      managedFields: changes.managedFields ?? [managedBy('certwright', applied)],
    },
    data: { ...applied.data, ...changes.data },
  };
}

const without = <T extends Record<string, string>>(map: T | undefined, key: string) => Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => k !== key));
const withoutKey = (s: V1Secret, where: 'labels' | 'annotations' | 'data', key: string): V1Secret =>
  where === 'data' ? { ...s, data: without(s.data, key) } : { ...s, metadata: { ...s.metadata, [where]: without(s.metadata?.[where], key) } };

describe('secretUpkeepViolation', () => {
  const desired = desiredSecret(input({}, { secretTemplate: { labels: { app: 'web' }, annotations: { note: 'hi' } }, additionalOutputFormats: [{ type: 'DER' }] }));
  const fresh = stored(desired);

  test('a Secret as applied has no violation', () => {
    assert.equal(secretUpkeepViolation(fresh, desired), undefined);
  });
  test("other actors' labels, annotations and data keys are never reported", () => {
    const decorated = stored(desired, { labels: { 'team.example.com/owner': 'x' }, annotations: { 'reflector/allowed': 'true' }, data: { extra: 'eA==' } });
    assert.equal(secretUpkeepViolation(decorated, desired), undefined);
  });
  test('base label missing or wrong', () => {
    assert.deepEqual(secretUpkeepViolation(withoutKey(fresh, 'labels', 'controller.cert-manager.io/fao'), desired), {
      reason: 'SecretManagedMetadataMismatch',
      message: 'Secret is missing these Managed Labels: [controller.cert-manager.io/fao]',
    });
    assert.deepEqual(secretUpkeepViolation(stored(desired, { labels: { 'controller.cert-manager.io/fao': 'false' } }), desired), {
      reason: 'SecretManagedMetadataMismatch',
      message: 'wrong base label controller.cert-manager.io/fao value "false", expected "true"',
    });
  });
  test('certificate detail annotations missing, wrong or left over', () => {
    assert.deepEqual(secretUpkeepViolation(withoutKey(fresh, 'annotations', 'cert-manager.io/alt-names'), desired), {
      reason: 'SecretManagedMetadataMismatch',
      message: 'Secret is missing these Managed Annotations: [cert-manager.io/alt-names]',
    });
    assert.deepEqual(secretUpkeepViolation(stored(desired, { annotations: { 'cert-manager.io/common-name': 'old.example.com' } }), desired), {
      reason: 'SecretTemplateMismatch',
      message: 'Secret metadata old.example.com does not match certificate metadata web.example.com',
    });
    const withEmails = stored(desired, { annotations: { 'cert-manager.io/subject-localities': 'Berlin' } });
    const owned = stored(desired, { annotations: { 'cert-manager.io/subject-localities': 'Berlin' }, managedFields: [managedBy('certwright', withEmails)] });
    assert.deepEqual(secretUpkeepViolation(owned, desired), {
      reason: 'SecretManagedMetadataMismatch',
      message: 'Secret has these extra Annotations: [cert-manager.io/subject-localities]',
    });
  });
  test('secretTemplate values, and template keys certwright applied before but no longer wants', () => {
    assert.equal(secretUpkeepViolation(stored(desired, { labels: { app: 'api' } }), desired)?.message, "Certificate's SecretTemplate Labels missing or incorrect value on Secret");
    assert.equal(secretUpkeepViolation(stored(desired, { annotations: { note: 'bye' } }), desired)?.message, "Certificate's SecretTemplate Annotations missing or incorrect value on Secret");
    const trimmed = desiredSecret(input({}, { secretTemplate: { annotations: { note: 'hi' } }, additionalOutputFormats: [{ type: 'DER' }] }));
    assert.deepEqual(secretUpkeepViolation(fresh, trimmed), { reason: 'SecretTemplateMismatch', message: 'Secret has these extra Labels: [app]' });
    // The same label put there by someone else is theirs to keep.
    const theirs = stored(desired, { managedFields: [managedBy('certwright', withoutKey(desired, 'labels', 'app')), managedBy('kubectl', desired)] });
    assert.equal(secretUpkeepViolation(theirs, trimmed), undefined);
  });
  test('tls.key in another encoding is re-applied; the same key re-wrapped is not', () => {
    const pkcs8Stored = stored(desired, { data: { 'tls.key': Buffer.from(pkcs8).toString('base64') } });
    assert.deepEqual(secretUpkeepViolation(pkcs8Stored, desired), { reason: 'SecretMismatch', message: 'Secret data tls.key is not in the private key encoding of the spec' });
    const rewrapped = text(desired, 'tls.key').replace(/\n(?!-----)/g, '\r\n');
    assert.equal(secretUpkeepViolation(stored(desired, { data: { 'tls.key': Buffer.from(rewrapped).toString('base64') } }), desired), undefined);
  });
  test('additional output formats: wrong data, and formats no longer asked for', () => {
    assert.deepEqual(secretUpkeepViolation(stored(desired, { data: { 'key.der': 'AAAA' } }), desired), {
      reason: 'AdditionalOutputFormatsMismatch',
      message: "Certificate's AdditionalOutputFormats doesn't match Secret Data",
    });
    const noDer = desiredSecret(input({}, { secretTemplate: { labels: { app: 'web' }, annotations: { note: 'hi' } } }));
    assert.deepEqual(secretUpkeepViolation(fresh, noDer), {
      reason: 'AdditionalOutputFormatsMismatch',
      message: "Certificate's AdditionalOutputFormats doesn't match Secret ManagedFields",
    });
  });
  test('keystores: present when created, removed when certwright wrote them and they are no longer wanted', () => {
    const spec = { keystores: { pkcs12: { create: true, password: 'changeit' } } };
    const withKeystore = desiredSecret(input({}, spec));
    assert.deepEqual(secretUpkeepViolation(stored(desiredSecret(input())), withKeystore), { reason: 'SecretMismatch', message: 'PKCS12 Keystore key does not contain data' });
    // A freshly built keystore differs byte for byte (new salts) but is not drift.
    assert.equal(secretUpkeepViolation(stored(withKeystore), desiredSecret(input({}, spec))), undefined);
    assert.deepEqual(secretUpkeepViolation(stored(withKeystore), desiredSecret(input())), { reason: 'SecretMismatch', message: 'PKCS12 Keystore create disabled' });
  });
  test('owner reference: required when enabled, removed only if certwright put it there', () => {
    const ownerRef = certificateOwnerReference(crt);
    const owned = desiredSecret(input({ ownerRef }));
    assert.deepEqual(secretUpkeepViolation(stored(desiredSecret(input())), owned), {
      reason: 'SecretOwnerRefMismatch',
      message: 'unexpected Secret Owner Reference value on Secret --enable-certificate-owner-ref=true',
    });
    const plain = desiredSecret(input());
    assert.deepEqual(secretUpkeepViolation(stored(owned), plain), {
      reason: 'SecretOwnerRefMismatch',
      message: 'unexpected managed Secret Owner Reference field on Secret --enable-certificate-owner-ref=false',
    });
    const foreign = { ...stored(plain), metadata: { ...stored(plain).metadata, ownerReferences: [{ ...ownerRef, uid: 'someone-else', controller: false }] } };
    assert.equal(secretUpkeepViolation(foreign, plain), undefined);
  });
  test('unreadable managed fields are reported, not thrown', () => {
    const broken = stored(desired, { managedFields: [{ manager: 'certwright', fieldsV1: { 'f:metadata': { 'f:labels': 'oops' } } }] });
    const violation = secretUpkeepViolation(broken, desired);
    assert.equal(violation?.reason, 'ManagedFieldsParseError');
    assert.match(violation!.message, /^failed to decode managed fields on Secret: /);
  });
  test('the field manager is configurable', () => {
    const noDer = desiredSecret(input({}, { secretTemplate: { labels: { app: 'web' }, annotations: { note: 'hi' } } }));
    const byOther = stored(desired, { managedFields: [managedBy('cert-manager-certificates-issuing', desired)] });
    assert.equal(secretUpkeepViolation(byOther, noDer), undefined);
    assert.equal(secretUpkeepViolation(byOther, noDer, { fieldManager: 'cert-manager-certificates-issuing' })?.reason, 'AdditionalOutputFormatsMismatch');
  });
});

const pending = certificate({ ...leafSpec, duration: '24h', additionalOutputFormats: [{ type: 'DER' }] });
const temporaryPem = await temporaryCertificatePem(pending, pkcs8, new Date(NOW));

describe('temporary certificate (§2.7)', () => {
  const pem = temporaryPem;
  const chain = parseCertificateChain(pem);
  const leaf = chain[0];
  test('a leaf for the spec names and the next key, signed by a throw-away cert-manager.local CA', () => {
    assert.equal(chain.length, 1);
    assert.ok(publicKeysEqual(leaf!, ecKey));
    assert.deepEqual(leaf!.dnsNames, ['web.example.com', 'www.example.com']);
    assert.equal(leaf!.subjectFields.serialNumber, '1234567890');
    assert.equal(leaf!.notAfter.getTime() - leaf!.notBefore.getTime(), DAY_MS);
    assert.equal(leaf!.issuer, 'CN=cert-manager.local');
    assert.equal(leaf!.signatureAlgorithmOid, '1.2.840.10045.4.3.4'); // ecdsa-with-SHA512: a P-521 signer
  });
  test('its Secret has key, certificate and detail annotations, but no issuer annotations and no ca.crt', () => {
    const temporary = temporaryCertificateSecret({ certificate: pending, privateKeyPem: pkcs8, certificatePem: pem });
    assert.deepEqual(Object.keys(temporary.data!).sort(), ['tls.crt', 'tls.key']);
    const annotations = temporary.metadata?.annotations ?? {};
    assert.equal(annotations['cert-manager.io/certificate-name'], 'web');
    assert.equal(annotations['cert-manager.io/common-name'], 'web.example.com');
    assert.equal(annotations['cert-manager.io/subject-serialnumber'], '1234567890');
    assert.ok(!Object.keys(annotations).some((k) => k.startsWith('cert-manager.io/issuer-')));
    assert.equal(temporary.metadata?.labels?.['controller.cert-manager.io/fao'], 'true');
  });
});

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import {
  DEFAULT_DURATION_MS,
  encodePrivateKeyPem,
  generateCsr,
  generatePrivateKey,
  isPkiError,
  parseCertificate,
  parseCsr,
  selfSignCertificate,
  signCertificate,
  type KeySpec,
  type SignedCertificate,
} from '../../pki/index.js';
import { Workdir } from './openssl.js';

const work = new Workdir();
after(() => work.remove());

const keySpecs: Record<string, KeySpec> = {
  RSA2048: {},
  P256: { algorithm: 'ECDSA' },
  P384: { algorithm: 'ECDSA', size: 384 },
  P521: { algorithm: 'ECDSA', size: 521 },
  Ed25519: { algorithm: 'Ed25519' },
};
const keys: Record<string, KeyObject> = {};
let root: SignedCertificate;
let rootKey: KeyObject;
let intermediate: SignedCertificate;
let intermediateKey: KeyObject;
const now = new Date('2026-03-01T12:00:00.000Z');

before(async () => {
  for (const [name, spec] of Object.entries(keySpecs)) keys[name] = await generatePrivateKey(spec);
  rootKey = await generatePrivateKey({ size: 3072 });
  root = await selfSignCertificate(await generateCsr({ commonName: 'Test Root', subject: { organizations: ['Acme'] }, isCA: true }, rootKey), { isCA: true, durationMs: 10 * 365 * 86400e3, now }, rootKey);
  intermediateKey = await generatePrivateKey({ algorithm: 'ECDSA', size: 384 });
  intermediate = await signCertificate(await generateCsr({ commonName: 'Test Intermediate', isCA: true }, intermediateKey), { isCA: true, durationMs: 5 * 365 * 86400e3, now }, { certificate: root.certificatePem, privateKey: rootKey });
});

function verifyWithOpenssl(name: string, signed: SignedCertificate): void {
  const ca = work.write(`${name}-ca.pem`, signed.caPem);
  const chain = work.write(`${name}-chain.pem`, signed.certificatePem);
  const out = work.openssl(['verify', '-attime', String(now.getTime() / 1000 + 60), '-CAfile', ca, '-untrusted', chain, chain]);
  assert.match(out, /: OK/);
}

test('a self-signed CA certificate for every key type verifies with openssl against itself', async () => {
  for (const [name, key] of Object.entries(keys)) {
    const signed = await selfSignCertificate(await generateCsr({ commonName: `self ${name}`, isCA: true }, key), { isCA: true, now }, key);
    assert.equal(signed.certificatePem, signed.caPem);
    assert.equal(signed.certificate.isCA, true);
    assert.equal(signed.certificate.selfIssued, true);
    assert.equal(signed.certificate.authorityKeyId, undefined, 'Go omits the AKI on self-signed certificates');
    verifyWithOpenssl(`self-${name}`, signed);
  }
});

const everySan = {
  ipAddresses: ['192.0.2.5', '2001:db8::5'],
  uris: ['spiffe://cluster.local/ns/sandbox/sa/foo'],
  emailAddresses: ['email@domain.test'],
  otherNames: [
    { oid: '1.3.6.1.4.1.311.20.2.3', utf8Value: 'upn@domain.test' },
    { oid: '1.3.6.1.4.1.311.20.2.3', utf8Value: 'upn@domain2.test' },
  ],
};
const everySanText = ['IP Address:192.0.2.5', 'IP Address:2001:DB8:0:0:0:0:0:5', 'URI:spiffe://cluster.local/ns/sandbox/sa/foo', 'email:email@domain.test', 'UPN::upn@domain.test', 'UPN::upn@domain2.test'];

test('leaves for every key type and SAN type signed by an intermediate verify with openssl up to the root', async () => {
  const expectedLeafSignature = /ecdsa-with-SHA384/; // the P-384 intermediate signs with SHA-384 whatever the leaf key
  for (const [name, key] of Object.entries(keys)) {
    const csr = await generateCsr({ dnsNames: [`${name.toLowerCase()}.example.com`], ...everySan, usages: ['server auth', 'digital signature'] }, key);
    const signed = await signCertificate(csr, { usages: ['server auth', 'digital signature'], now }, { certificate: intermediate.certificatePem, privateKey: intermediateKey, caBundle: intermediate.caPem });
    assert.equal(signed.certificatePem.match(/BEGIN CERTIFICATE/g)!.length, 2, 'leaf + intermediate, root left out');
    assert.equal(signed.caPem, root.caPem);
    verifyWithOpenssl(`leaf-${name}`, signed);
    const text = work.openssl(['x509', '-in', work.write(`leaf-${name}.pem`, signed.certificatePem), '-noout', '-text']);
    assert.match(text, expectedLeafSignature);
    for (const san of [`DNS:${name.toLowerCase()}.example.com`, ...everySanText]) assert.ok(text.includes(san), `${name}: ${san}`);
    assert.deepEqual(signed.certificate.otherNames, everySan.otherNames);
  }
});

test('the issued certificate carries cert-manager template fields', async () => {
  const key = keys.P256!;
  const spec = { commonName: 'leaf.example.com', dnsNames: ['leaf.example.com'], usages: ['signing', 'key encipherment', 'client auth'] };
  const signed = await signCertificate(
    await generateCsr(spec, key),
    { usages: spec.usages, durationMs: 896 * 3600e3, now, crlDistributionPoints: ['http://crl.example.com/ca.crl'], ocspServers: ['http://ocsp.example.com'], issuingCertificateUrls: ['http://ca.example.com/ca.crt'] },
    { certificate: intermediate.certificatePem, privateKey: intermediateKey },
  );
  const c = signed.certificate;
  assert.equal(c.notBefore.getTime(), now.getTime());
  assert.equal(c.notAfter.getTime() - c.notBefore.getTime(), 896 * 3600e3);
  assert.equal(c.isCA, false);
  assert.deepEqual(c.usages.sort(), ['client auth', 'digital signature', 'key encipherment']);
  assert.equal(c.serialNumberBytes.length <= 17 && c.serialNumberBytes[0]! < 0x80, true, 'positive, at most 128 bits');
  assert.deepEqual(c.authorityKeyId, intermediate.certificate.subjectKeyId);
  assert.ok(c.subjectKeyId && c.subjectKeyId.length === 20);
  assert.deepEqual(c.crlDistributionPoints, ['http://crl.example.com/ca.crl']);
  assert.deepEqual(c.ocspServers, ['http://ocsp.example.com']);
  assert.deepEqual(c.issuingCertificateUrls, ['http://ca.example.com/ca.crt']);
  assert.equal(c.issuer, 'CN=Test Intermediate');
  const text = work.openssl(['x509', '-in', work.write('template.pem', c.pem), '-noout', '-text']);
  assert.match(text, /Basic Constraints: critical\s+CA:FALSE/);
  assert.match(text, /Key Usage: critical\s+Digital Signature, Key Encipherment/);
  assert.match(text, /Extended Key Usage: \s*TLS Web Client Authentication/);
  assert.match(text, /CRL Distribution Points:\s+Full Name:\s+URI:http:\/\/crl.example.com\/ca.crl/);
  assert.match(text, /OCSP - URI:http:\/\/ocsp.example.com\s+CA Issuers - URI:http:\/\/ca.example.com\/ca.crt/);
  const defaulted = await selfSignCertificate(await generateCsr({ commonName: 'd' }, key), {}, key);
  assert.equal(defaulted.certificate.notAfter.getTime() - defaulted.certificate.notBefore.getTime(), DEFAULT_DURATION_MS);
  assert.ok(Math.abs(defaulted.certificate.notBefore.getTime() - Date.now()) < 60_000);
});

test('serials are random and distinct', async () => {
  const csr = await generateCsr({ commonName: 's' }, keys.Ed25519!);
  const serials = new Set<string>();
  for (let i = 0; i < 8; i++) serials.add((await selfSignCertificate(csr, { now }, keys.Ed25519!)).certificate.serialNumber);
  assert.equal(serials.size, 8);
});

test('subject bytes are copied from the CSR and the SAN stays critical with an empty subject', async () => {
  const key = keys.P256!;
  const keyFile = work.write('utf8-key.pem', encodePrivateKeyPem(key));
  // openssl -utf8 writes UTF8String values where Go would pick PrintableString: they must survive as-is.
  work.openssl(['req', '-new', '-utf8', '-key', keyFile, '-subj', '/O=Zürich/CN=utf8.example.com', '-out', 'utf8.csr']);
  const csr = parseCsr(work.read('utf8.csr').toString());
  const signed = await signCertificate(csr, { now }, { certificate: intermediate.certificatePem, privateKey: intermediateKey });
  assert.deepEqual(signed.certificate.rawSubject, csr.rawSubject);
  assert.deepEqual(signed.certificate.rawIssuer, intermediate.certificate.rawSubject);
  const sanOnly = await signCertificate(await generateCsr({ dnsNames: ['only.example.com'] }, key), { now }, { certificate: intermediate.certificatePem, privateKey: intermediateKey });
  assert.equal(sanOnly.certificate.sanCritical, true);
  assert.equal(sanOnly.certificate.rawSubject.toString('hex'), '3000');
});

test('mismatched keys and CSRs that contradict the request are refused', async () => {
  const key = keys.P256!;
  const csr = await generateCsr({ commonName: 'x' }, key);
  await assert.rejects(selfSignCertificate(csr, {}, keys.P384!), (e) => isPkiError(e, 'KEY_MISMATCH'));
  await assert.rejects(signCertificate(csr, {}, { certificate: intermediate.certificatePem, privateKey: rootKey }), (e) => isPkiError(e, 'KEY_MISMATCH'));
  await assert.rejects(signCertificate(csr, { usages: ['server auth'] }, { certificate: intermediate.certificatePem, privateKey: intermediateKey }), (e) => isPkiError(e, 'TEMPLATE_INVALID'));
  await assert.rejects(signCertificate(await generateCsr({ commonName: 'x', usages: ['client auth', 'digital signature'] }, key), { usages: ['server auth', 'digital signature'] }, { certificate: intermediate.certificatePem, privateKey: intermediateKey }), (e) => isPkiError(e, 'TEMPLATE_INVALID'));
  const keyFile = work.write('bc-key.pem', encodePrivateKeyPem(key));
  work.openssl(['req', '-new', '-key', keyFile, '-subj', '/CN=bc', '-addext', 'basicConstraints=critical,CA:TRUE', '-out', 'bc.csr']);
  await assert.rejects(signCertificate(work.read('bc.csr').toString(), { isCA: false }, { certificate: intermediate.certificatePem, privateKey: intermediateKey }), (e) => isPkiError(e, 'TEMPLATE_INVALID'));
  const ca = await signCertificate(work.read('bc.csr').toString(), { isCA: true }, { certificate: intermediate.certificatePem, privateKey: intermediateKey });
  assert.equal(ca.certificate.isCA, true);
  await assert.rejects(selfSignCertificate(csr, { durationMs: 0 }, key), (e) => isPkiError(e, 'TEMPLATE_INVALID'));
});

test('the signature is checked before signing', async () => {
  const der = Buffer.from(parseCsr(await generateCsr({ commonName: 'x' }, keys.P256!)).der);
  der[der.length - 3] ^= 0x01;
  await assert.rejects(selfSignCertificate(der, {}, keys.P256!), (e) => isPkiError(e, 'CSR_SIGNATURE_INVALID'));
});

test('a CA Secret whose tls.crt holds the intermediate and root yields the same chain', async () => {
  const csr = await generateCsr({ dnsNames: ['bundle.example.com'] }, keys.Ed25519!);
  const signed = await signCertificate(csr, { now }, { certificate: intermediate.certificatePem + root.caPem, privateKey: intermediateKey });
  assert.equal(signed.certificatePem, signed.certificate.pem + intermediate.certificate.pem);
  assert.equal(signed.caPem, root.caPem);
  const noRootKnown = await signCertificate(csr, { now }, { certificate: intermediate.certificate.pem, privateKey: intermediateKey });
  assert.equal(noRootKnown.caPem, intermediate.certificate.pem, 'without the root, the intermediate is the root-most certificate');
  assert.equal(parseCertificate(noRootKnown.caPem).isCA, true);
});

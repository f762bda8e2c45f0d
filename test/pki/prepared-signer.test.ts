import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import {
  bundleChain,
  generateCsr,
  generatePrivateKey,
  isIssuedBy,
  isPkiError,
  orderChain,
  parseCertificate,
  parseCertificateBundle,
  parseCertificateChain,
  prepareSigner,
  selfSignCertificate,
  signCertificate,
  type CaSigner,
  type CertificateInfo,
  type SignedCertificate,
} from '../../pki/index.js';
import { Workdir } from './openssl.js';

const work = new Workdir();
after(() => work.remove());

const now = new Date('2026-03-01T12:00:00Z');
let rootKey: KeyObject;
let root: CertificateInfo;
let intermediateKey: KeyObject;
let intermediate: CertificateInfo;

before(async () => {
  rootKey = await generatePrivateKey({ algorithm: 'ECDSA', size: 384 });
  root = (await selfSignCertificate(await generateCsr({ commonName: 'Prepared Root', isCA: true }, rootKey), { isCA: true, now, durationMs: 3650 * 86400e3 }, rootKey)).certificate;
  intermediateKey = await generatePrivateKey({ algorithm: 'ECDSA' });
  intermediate = (await signCertificate(await generateCsr({ commonName: 'Prepared Intermediate', isCA: true }, intermediateKey), { isCA: true, now, durationMs: 365 * 86400e3 }, { certificate: root.pem, privateKey: rootKey })).certificate;
});

/** What the chain rules give for `signed` when worked out from scratch with orderChain and bundleChain. */
function expectedBundle(signed: SignedCertificate, ca: CaSigner) {
  const [issuer, ...rest] = parseCertificateChain(ca.certificate);
  const known = [...rest, ...(ca.caBundle ? parseCertificateBundle(ca.caBundle) : [])];
  return bundleChain(orderChain(signed.certificate, [issuer!, ...known]));
}

test('a prepared signer gives the chain a one-off CaSigner gives, for roots, intermediates and bundles', async () => {
  const leafKey = await generatePrivateKey({ algorithm: 'Ed25519' });
  const csr = await generateCsr({ dnsNames: ['leaf.example.com'] }, leafKey);
  const cas: CaSigner[] = [
    { certificate: root.pem, privateKey: rootKey },
    { certificate: intermediate.pem, privateKey: intermediateKey },
    { certificate: intermediate.pem, privateKey: intermediateKey, caBundle: root.pem },
    { certificate: intermediate.pem + root.pem, privateKey: intermediateKey },
    { certificate: intermediate.der, privateKey: intermediateKey, caBundle: `${root.pem}${intermediate.pem}` },
  ];
  for (const [i, ca] of cas.entries()) {
    const prepared = prepareSigner(ca);
    const viaPrepared = await signCertificate(csr, { now }, prepared);
    const viaCa = await signCertificate(csr, { now }, ca);
    for (const signed of [viaPrepared, viaCa]) {
      const { certificatePem, caPem } = expectedBundle(signed, ca);
      assert.equal(signed.certificatePem, certificatePem, `case ${i}: tls.crt`);
      assert.equal(signed.caPem, caPem, `case ${i}: ca.crt`);
    }
    assert.equal(viaPrepared.certificate.issuer, viaCa.certificate.issuer);
  }
  const full = await signCertificate(csr, { now }, prepareSigner(cas[2]!));
  const out = work.openssl(['verify', '-attime', String(now.getTime() / 1000 + 60), '-CAfile', work.write('ca.pem', full.caPem), '-untrusted', work.write('chain.pem', full.certificatePem), work.write('leaf.pem', full.certificatePem)]);
  assert.match(out, /: OK/);
});

test('one prepared signer signs many different requests, each issued by the CA', async () => {
  const prepared = prepareSigner({ certificate: intermediate.pem, privateKey: intermediateKey, caBundle: root.pem });
  const serials = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const key = await generatePrivateKey({ algorithm: 'ECDSA' });
    const signed = await signCertificate(await generateCsr({ commonName: `leaf ${i}`, dnsNames: [`leaf${i}.example.com`] }, key), { now }, prepared);
    assert.equal(signed.certificate.commonName, `leaf ${i}`);
    assert.ok(isIssuedBy(signed.certificate, intermediate));
    assert.deepEqual(signed.certificate.authorityKeyId, intermediate.subjectKeyId);
    serials.add(signed.certificate.serialNumber);
  }
  assert.equal(serials.size, 20);
});

test('preparing checks the CA once: a key that does not match its certificate is KEY_MISMATCH', () => {
  assert.throws(() => prepareSigner({ certificate: intermediate.pem, privateKey: rootKey }), (e) => isPkiError(e, 'KEY_MISMATCH'));
  assert.throws(() => prepareSigner({ certificate: 'not pem', privateKey: rootKey }), (e) => isPkiError(e, 'PEM_MALFORMED'));
});

test('signing with a CaSigner never reuses a preparation for another certificate or bundle of the same key', async () => {
  const csr = await generateCsr({ commonName: 'cache' }, await generatePrivateKey({ algorithm: 'ECDSA' }));
  const renewed = (await selfSignCertificate(await generateCsr({ commonName: 'Prepared Root Renewed', isCA: true }, rootKey), { isCA: true, now }, rootKey)).certificate;
  assert.equal((await signCertificate(csr, { now }, { certificate: root.pem, privateKey: rootKey })).certificate.issuer, 'CN=Prepared Root');
  assert.equal((await signCertificate(csr, { now }, { certificate: renewed.pem, privateKey: rootKey })).certificate.issuer, 'CN=Prepared Root Renewed');
  assert.equal((await signCertificate(csr, { now }, { certificate: Buffer.from(root.der), privateKey: rootKey })).certificate.issuer, 'CN=Prepared Root');
  const withoutRoot = await signCertificate(csr, { now }, { certificate: intermediate.pem, privateKey: intermediateKey });
  const withRoot = await signCertificate(csr, { now }, { certificate: intermediate.pem, privateKey: intermediateKey, caBundle: root.pem });
  assert.equal(withoutRoot.caPem, intermediate.pem);
  assert.equal(withRoot.caPem, root.pem);
});

test('a certificate buffer refilled in place with another CA certificate is not mistaken for the first', async () => {
  const key = await generatePrivateKey({ algorithm: 'Ed25519' });
  const first = (await selfSignCertificate(await generateCsr({ commonName: 'Buffer CA 1', isCA: true }, key), { isCA: true, now }, key)).certificate;
  let second = first;
  // Same length, so the bytes can be overwritten in place (serials are 16 or 17 octets).
  while (second.der.length !== first.der.length || second === first) {
    second = (await selfSignCertificate(await generateCsr({ commonName: 'Buffer CA 2', isCA: true }, key), { isCA: true, now }, key)).certificate;
  }
  const buffer = Buffer.from(first.der);
  const ca = { certificate: buffer, privateKey: key };
  const csr = await generateCsr({ commonName: 'leaf' }, await generatePrivateKey({ algorithm: 'ECDSA' }));
  assert.equal((await signCertificate(csr, { now }, ca)).certificate.issuer, 'CN=Buffer CA 1');
  second.der.copy(buffer);
  assert.equal((await signCertificate(csr, { now }, ca)).certificate.issuer, 'CN=Buffer CA 2');
});

test('a CA signing its own name and key issues a self-signed certificate that is its own chain', async () => {
  const ca: CaSigner = { certificate: intermediate.pem, privateKey: intermediateKey, caBundle: root.pem };
  const signed = await signCertificate(await generateCsr({ commonName: 'Prepared Intermediate', isCA: true }, intermediateKey), { isCA: true, now }, prepareSigner(ca));
  assert.equal(signed.certificatePem, signed.certificate.pem);
  assert.equal(signed.caPem, signed.certificate.pem);
  assert.deepEqual(expectedBundle(signed, ca), { certificatePem: signed.certificatePem, caPem: signed.caPem });
});

test('the issued certificate is parsed on first use, once, and matches its PEM', async () => {
  const signed = await signCertificate(await generateCsr({ dnsNames: ['lazy.example.com'] }, intermediateKey), { now }, { certificate: root.pem, privateKey: rootKey });
  const first = signed.certificate;
  assert.equal(signed.certificate, first, 'memoised');
  assert.deepEqual(first, parseCertificate(signed.certificatePem));
  assert.deepEqual(first.dnsNames, ['lazy.example.com']);
});

/**
 * What pki/ remembers per key and per CSR it built, so an issuance does not ask OpenSSL or parse
 * the same thing twice: key descriptions and SPKI per KeyObject, and CSRs built verified.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  describeKey,
  encodePrivateKeyPem,
  generateCsr,
  generatePrivateKey,
  generateVerifiedCsr,
  isPkiError,
  isVerifiedCsr,
  parseCertificateChain,
  parseCsr,
  publicKeysEqual,
  selfSignCertificate,
  signCertificate,
  spkiOf,
  verifyCsr,
  type KeySpec,
} from '../../pki/index.js';

const SPEC = { commonName: 'remembered.example', dnsNames: ['remembered.example'] };

/** The same key as a KeyObject pki/ has never seen (nothing remembered for it). */
const unseenCopy = (key: ReturnType<typeof createPrivateKey>) => createPrivateKey({ key: key.export({ format: 'der', type: 'pkcs8' }), format: 'der', type: 'pkcs8' });

test('generated keys come described as OpenSSL describes them, and descriptions and SPKI are kept per key', async () => {
  const specs: KeySpec[] = [{ algorithm: 'ECDSA' }, { algorithm: 'ECDSA', size: 384 }, { algorithm: 'ECDSA', size: 521 }, { algorithm: 'Ed25519' }, { algorithm: 'RSA', size: 2048 }];
  for (const spec of specs) {
    const key = await generatePrivateKey(spec);
    assert.deepEqual(describeKey(key), describeKey(unseenCopy(key)), JSON.stringify(spec));
    assert.equal(describeKey(key), describeKey(key), 'the same description object: read once');
    assert.equal(spkiOf(key), spkiOf(key), 'the same SPKI buffer: derived once');
    assert.deepEqual(spkiOf(key), spkiOf(unseenCopy(key)));
  }
});

test('publicKeysEqual between two KeyObjects compares their SPKI', () => {
  const a = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const b = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  assert.ok(publicKeysEqual(a.privateKey, a.publicKey));
  assert.ok(publicKeysEqual(a.privateKey, unseenCopy(a.privateKey)));
  assert.ok(!publicKeysEqual(a.privateKey, b.privateKey));
  assert.ok(!publicKeysEqual(a.publicKey, b.publicKey));
});

test('generateVerifiedCsr gives what parsing and verifying generateCsr output gives', async () => {
  const key = await generatePrivateKey({ algorithm: 'ECDSA' });
  const built = await generateVerifiedCsr(SPEC, key);
  assert.ok(isVerifiedCsr(built));
  const checked = verifyCsr(await generateCsr(SPEC, key));
  // ECDSA signatures differ run to run; everything else is the same.
  assert.deepEqual(built.csr.dnsNames, checked.csr.dnsNames);
  assert.deepEqual(built.csr.rawSubject, checked.csr.rawSubject);
  assert.deepEqual(built.csr.publicKeyDer, checked.csr.publicKeyDer);
  assert.equal(built.publicKey.type, 'public');
  assert.ok(publicKeysEqual(built.publicKey, key));
  assert.deepEqual(parseCsr(built.csr.pem).dnsNames, ['remembered.example']);
});

test('a verified CSR is signed as it is, a CSR as text is still checked', async () => {
  const key = await generatePrivateKey({ algorithm: 'ECDSA' });
  const ca = await generatePrivateKey({ algorithm: 'ECDSA' });
  const caCertificate = (await selfSignCertificate(await generateCsr({ commonName: 'ca', isCA: true }, ca), { isCA: true }, ca)).certificatePem;
  const built = await generateVerifiedCsr(SPEC, key);
  const signed = await signCertificate(built, {}, { certificate: caCertificate, privateKey: ca });
  assert.ok(publicKeysEqual(signed.certificate, key));
  assert.ok(publicKeysEqual((await selfSignCertificate(built, {}, key)).certificate, key));

  // A flipped bit in the signature is caught when the CSR comes as text.
  const der = Buffer.from(built.csr.der);
  der[der.length - 2] ^= 0x01;
  await assert.rejects(signCertificate(der, {}, { certificate: caCertificate, privateKey: ca }), (e) => isPkiError(e, 'CSR_SIGNATURE_INVALID'));
});

test('chains share their parsed CA certificates (frozen); leaves are parsed each time', async () => {
  const ca = await generatePrivateKey({ algorithm: 'ECDSA' });
  const caCertificate = (await selfSignCertificate(await generateCsr({ commonName: 'ca', isCA: true }, ca), { isCA: true }, ca)).certificatePem;
  const key = await generatePrivateKey({ algorithm: 'ECDSA' });
  const chain = (await signCertificate(await generateCsr(SPEC, key), {}, { certificate: caCertificate, privateKey: ca, caBundle: caCertificate })).certificatePem + caCertificate;
  const [leaf1, ca1] = parseCertificateChain(chain);
  const [leaf2, ca2] = parseCertificateChain(chain);
  assert.equal(ca1, ca2, 'the CA certificate is parsed once');
  assert.ok(Object.isFrozen(ca1));
  assert.notEqual(leaf1, leaf2);
  assert.deepEqual(leaf1, leaf2);
  assert.equal(ca1!.isCA, true);
});

test('a key is encoded to PEM once per encoding', async () => {
  const key = await generatePrivateKey({ algorithm: 'ECDSA' });
  // Private keys are of a KeyObject subclass that defines its own export.
  const prototype = Object.getPrototypeOf(key) as KeyObject;
  const original = prototype.export;
  let exports = 0;
  prototype.export = function (this: KeyObject, ...args: Parameters<KeyObject['export']>) {
    exports++;
    return original.apply(this, args);
  } as KeyObject['export'];
  try {
    const sec1 = encodePrivateKeyPem(key, 'PKCS1');
    const pkcs8 = encodePrivateKeyPem(key, 'PKCS8');
    const afterFirst = exports;
    assert.ok(afterFirst > 0);
    assert.equal(encodePrivateKeyPem(key, 'PKCS1'), sec1);
    assert.equal(encodePrivateKeyPem(key), sec1, 'PKCS1 is the default');
    assert.equal(encodePrivateKeyPem(key, 'PKCS8'), pkcs8);
    assert.equal(exports, afterFirst, 'no export for an encoding already made');
    assert.match(sec1, /^-----BEGIN EC PRIVATE KEY-----/);
    assert.match(pkcs8, /^-----BEGIN PRIVATE KEY-----/);
  } finally {
    prototype.export = original;
  }
});

test('a generated EC key is encoded, described and turned into SPKI without asking OpenSSL for its details', async () => {
  const key = await generatePrivateKey({ algorithm: 'ECDSA', size: 384 });
  let owner = Object.getPrototypeOf(key) as object;
  while (!Object.getOwnPropertyDescriptor(owner, 'asymmetricKeyDetails')) owner = Object.getPrototypeOf(owner) as object;
  const descriptor = Object.getOwnPropertyDescriptor(owner, 'asymmetricKeyDetails')!;
  let reads = 0;
  Object.defineProperty(owner, 'asymmetricKeyDetails', {
    ...descriptor,
    get(this: KeyObject) {
      if (this === key) reads++;
      return descriptor.get!.call(this);
    },
  });
  try {
    encodePrivateKeyPem(key, 'PKCS8');
    spkiOf(key);
    assert.deepEqual(describeKey(key), { algorithm: 'ECDSA', size: 384, curve: 'P-384' });
    assert.equal(reads, 0);
    assert.deepEqual(spkiOf(key), spkiOf(unseenCopy(key)));
  } finally {
    Object.defineProperty(owner, 'asymmetricKeyDetails', descriptor);
  }
});

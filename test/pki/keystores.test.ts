import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { PFX } from '@peculiar/asn1-pfx';
import {
  combinedPemOutput,
  encodePrivateKeyDer,
  encodePrivateKeyPem,
  generateCsr,
  generatePrivateKey,
  isPkiError,
  parseCertificateBundle,
  parsePrivateKey,
  privateKeyDerOutput,
  publicKeysEqual,
  selfSignCertificate,
  signCertificate,
  type CertificateInfo,
} from '../../pki/index.js';
import { encodePkcs12Keystore, encodePkcs12Truststore, verifyPkcs12Mac, type Pkcs12Profile } from '../../pki/pkcs12.js';
import { encodeJksKeystore, encodeJksTruststore } from '../../pki/jks.js';
import { hasKeytool, Workdir } from './openssl.js';

const work = new Workdir();
after(() => work.remove());

const password = 'päss word';
let root: CertificateInfo;
let intermediate: CertificateInfo;
const leaves: Record<string, { key: KeyObject; certificatePem: string; leaf: CertificateInfo }> = {};

before(async () => {
  const rootKey = await generatePrivateKey({});
  root = (await selfSignCertificate(await generateCsr({ commonName: 'Store Root', isCA: true }, rootKey), { isCA: true }, rootKey)).certificate;
  const intermediateKey = await generatePrivateKey({ algorithm: 'ECDSA' });
  intermediate = (await signCertificate(await generateCsr({ commonName: 'Store Intermediate', isCA: true }, intermediateKey), { isCA: true }, { certificate: root.pem, privateKey: rootKey })).certificate;
  for (const [name, spec] of Object.entries({ RSA: {}, ECDSA: { algorithm: 'ECDSA' }, Ed25519: { algorithm: 'Ed25519' } })) {
    const key = await generatePrivateKey(spec);
    const signed = await signCertificate(await generateCsr({ commonName: `${name} leaf`, dnsNames: ['store.example.com'] }, key), {}, { certificate: intermediate.pem, privateKey: intermediateKey });
    leaves[name] = { key, certificatePem: signed.certificatePem, leaf: signed.certificate };
  }
});

const profileInfo: Record<Pkcs12Profile, RegExp[]> = {
  LegacyRC2: [/MAC: sha1, Iteration 1\n/, /PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC, Iteration 2048/, /Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/],
  LegacyDES: [/MAC: sha1, Iteration 1\n/, /PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/, /Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048/],
  Modern2023: [/MAC: sha256, Iteration 2048/, /PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/],
  Modern2026: [/MAC: PBMAC1/, /PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/, /Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256/],
};

/** The private key PEM block of openssl's dump (it lists certificates first). */
function keyBlock(dump: string): string {
  return dump.slice(dump.indexOf('-----BEGIN PRIVATE KEY-----'));
}

/** openssl flags per profile: RC2 needs the legacy provider; OpenSSL 3.0 can't check PBMAC1 (3.4+ can). */
function opensslFlags(profile: Pkcs12Profile): string[] {
  return profile === 'LegacyRC2' ? ['-legacy'] : profile === 'Modern2026' ? ['-nomacver'] : [];
}

test('PKCS#12 keystores of every profile and key type open in openssl with the key, leaf, chain and CA', () => {
  for (const profile of Object.keys(profileInfo) as Pkcs12Profile[]) {
    for (const [name, { key, certificatePem, leaf }] of Object.entries(leaves)) {
      const p12 = encodePkcs12Keystore({ privateKey: key, certificate: certificatePem, ca: root.pem, password, profile });
      const file = work.write(`ks-${profile}-${name}.p12`, p12);
      const out = work.openssl(['pkcs12', '-in', file, '-info', '-nodes', '-passin', `pass:${password}`, ...opensslFlags(profile)]);
      for (const pattern of profileInfo[profile]) assert.match(out, pattern, `${profile} ${name}`);
      assert.ok(publicKeysEqual(parsePrivateKey(keyBlock(out)), key), `${profile} ${name}: key`);
      assert.deepEqual(parseCertificateBundle(out).map((c) => c.fingerprintSha256), [leaf, intermediate, root].map((c) => c.fingerprintSha256), `${profile} ${name}: certificates`);
      assert.match(out, /localKeyID: ([0-9A-F]{2} ){20}[\s\S]*localKeyID/, 'leaf and key share a localKeyId');
      assert.equal(verifyPkcs12Mac(p12, password), true);
      assert.equal(verifyPkcs12Mac(p12, 'wrong'), false);
      if (profile !== 'Modern2026') assert.equal(work.opensslSucceeds(['pkcs12', '-in', file, '-noout', '-passin', 'pass:wrong', ...opensslFlags(profile)]), false);
    }
  }
});

test('PKCS#12 truststores hold every CA marked trusted for Java', () => {
  for (const profile of Object.keys(profileInfo) as Pkcs12Profile[]) {
    const p12 = encodePkcs12Truststore({ ca: intermediate.pem + root.pem, password, profile });
    const file = work.write(`ts-${profile}.p12`, p12);
    const out = work.openssl(['pkcs12', '-in', file, '-info', '-nokeys', '-passin', `pass:${password}`, ...opensslFlags(profile)]);
    assert.deepEqual(parseCertificateBundle(out).map((c) => c.commonName), ['Store Intermediate', 'Store Root']);
    assert.match(out, /2\.16\.840\.1\.113894\.746875\.1\.1[\s\S]*friendlyName: CN=Store Intermediate/);
    assert.equal(verifyPkcs12Mac(p12, password), true);
  }
  assert.throws(() => encodePkcs12Truststore({ ca: root.pem, password, profile: 'Modern2099' }), (e) => isPkiError(e, 'KEYSTORE_INVALID'));
});

test('the PBMAC1 verifier accepts the RFC 9579 A.1 vector and nothing else', () => {
  const fixture = fileURLToPath(new URL('../../../test/pki/fixtures/rfc9579-a1.p12.b64', import.meta.url));
  const vector = Buffer.from(readFileSync(fixture, 'utf8'), 'base64');
  assert.equal(verifyPkcs12Mac(vector, '1234'), true);
  assert.equal(verifyPkcs12Mac(vector, '12345'), false);
  const tampered = Buffer.from(vector);
  tampered[100] ^= 1;
  assert.equal(verifyPkcs12Mac(tampered, '1234'), false);
  assert.throws(() => verifyPkcs12Mac(Buffer.from('3003020103', 'hex'), '1234'), (e) => isPkiError(e, 'KEYSTORE_INVALID'));
  assert.throws(() => verifyPkcs12Mac(vector.subarray(0, 500), '1234'), (e) => isPkiError(e, 'KEYSTORE_INVALID'));
  // A hostile iteration count is refused instead of computed.
  const pfx = AsnConvert.parse(encodePkcs12Truststore({ ca: root.pem, password, profile: 'Modern2023' }), PFX);
  pfx.macData.iterations = 2 ** 31 - 1;
  assert.throws(() => verifyPkcs12Mac(Buffer.from(AsnConvert.serialize(pfx)), password), (e) => isPkiError(e, 'KEYSTORE_INVALID') && /iteration/.test(e.message));
});

test('keytool reads our PKCS#12 keystores and truststores', { skip: !hasKeytool && 'no keytool' }, () => {
  const { key, certificatePem } = leaves.ECDSA!;
  for (const profile of ['LegacyRC2', 'LegacyDES', 'Modern2023'] as const) {
    const ks = work.write(`kt-${profile}.p12`, encodePkcs12Keystore({ privateKey: key, certificate: certificatePem, ca: root.pem, password: 'changeit', profile }));
    assert.match(work.keytool(['-list', '-keystore', ks, '-storetype', 'PKCS12', '-storepass', 'changeit']), /PrivateKeyEntry/, profile);
  }
  const ts = work.write('kt-ts.p12', encodePkcs12Truststore({ ca: intermediate.pem + root.pem, password: 'changeit', profile: 'Modern2023' }));
  assert.equal(work.keytool(['-list', '-keystore', ts, '-storetype', 'PKCS12', '-storepass', 'changeit']).match(/trustedCertEntry/g)?.length, 2);
});

test('JKS keystores and truststores open in keytool with cert-manager aliases and the right key', { skip: !hasKeytool && 'no keytool' }, () => {
  const { key, certificatePem, leaf } = leaves.RSA!;
  const jks = work.write('ks.jks', encodeJksKeystore({ privateKey: key, certificate: certificatePem, ca: intermediate.pem + root.pem, password: 'changeit' }));
  const list = work.keytool(['-list', '-v', '-keystore', jks, '-storetype', 'JKS', '-storepass', 'changeit']);
  assert.match(list, /Alias name: ca\nCreation date: .*\nEntry type: trustedCertEntry/);
  assert.match(list, /Alias name: ca-1\n/);
  assert.match(list, /Alias name: certificate\nCreation date: .*\nEntry type: PrivateKeyEntry\nCertificate chain length: 2/);
  // Converting to PKCS#12 makes keytool decrypt the protected key; openssl then shows it.
  work.keytool(['-importkeystore', '-srckeystore', jks, '-srcstoretype', 'JKS', '-srcstorepass', 'changeit', '-srcalias', 'certificate', '-destkeystore', work.path('from-jks.p12'), '-deststoretype', 'PKCS12', '-deststorepass', 'changeit']);
  const out = work.openssl(['pkcs12', '-in', work.path('from-jks.p12'), '-nodes', '-passin', 'pass:changeit']);
  assert.ok(publicKeysEqual(parsePrivateKey(keyBlock(out)), key));
  assert.equal(parseCertificateBundle(out)[0]!.fingerprintSha256, leaf.fingerprintSha256);
  assert.throws(() => work.keytool(['-list', '-keystore', jks, '-storetype', 'JKS', '-storepass', 'wrongpass']), /password was incorrect|tampered/);

  const custom = work.write('custom.jks', encodeJksKeystore({ privateKey: leaves.Ed25519!.key, certificate: leaves.Ed25519!.certificatePem, password: 'changeit', alias: 'MyKey' }));
  assert.match(work.keytool(['-list', '-keystore', custom, '-storetype', 'JKS', '-storepass', 'changeit']), /mykey, .*PrivateKeyEntry/);
  const truststore = work.write('ts.jks', encodeJksTruststore({ ca: root.pem, password: 'changeit' }));
  assert.match(work.keytool(['-list', '-keystore', truststore, '-storetype', 'JKS', '-storepass', 'changeit']), /Your keystore contains 1 entry[\s\S]*ca, .*trustedCertEntry/);
});

test('JKS layout: magic, version, entry count and a SHA-1 integrity trailer', () => {
  const jks = encodeJksTruststore({ ca: intermediate.pem + root.pem, password: 'changeit', now: new Date(0) });
  assert.equal(jks.readUInt32BE(0), 0xfeedfeed);
  assert.equal(jks.readUInt32BE(4), 2);
  assert.equal(jks.readUInt32BE(8), 2);
  const again = encodeJksTruststore({ ca: intermediate.pem + root.pem, password: 'changeit', now: new Date(0) });
  assert.deepEqual(jks, again, 'truststores are deterministic for a fixed time');
  assert.notDeepEqual(encodeJksTruststore({ ca: root.pem + intermediate.pem, password: 'other', now: new Date(0) }).subarray(-20), jks.subarray(-20));
});

test('key.der and tls-combined.pem outputs follow cert-manager', () => {
  const { key, certificatePem } = leaves.ECDSA!;
  const keyPem = encodePrivateKeyPem(key, 'PKCS1');
  assert.deepEqual(privateKeyDerOutput(keyPem), encodePrivateKeyDer(key, 'PKCS1'));
  assert.deepEqual(privateKeyDerOutput(encodePrivateKeyPem(key, 'PKCS8')), encodePrivateKeyDer(key, 'PKCS8'));
  assert.equal(combinedPemOutput(keyPem, certificatePem), `${keyPem}\n${certificatePem}`);
  assert.throws(() => privateKeyDerOutput(certificatePem), (e) => isPkiError(e, 'PEM_UNEXPECTED_TYPE'));
});

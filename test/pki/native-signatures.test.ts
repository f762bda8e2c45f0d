/**
 * Native signature checks against the slow paths they replaced: CSR self-signatures against
 * @peculiar/x509's WebCrypto verify, issuer signatures against OpenSSL's X509Certificate.verify,
 * and JWK key import against OpenSSL's DER import, across signature algorithms openssl produces.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isIssuedBy, isPkiError, parseCertificate, parseCsr, publicKeyFromSpki, publicKeysEqual, verifyCsrSignature, verifyCsrSignatureSync } from '../../pki/index.js';
import { x509 } from '../../pki/x509.js';
import { Workdir } from './openssl.js';

const work = new Workdir();
after(() => work.remove());

/** openssl genpkey arguments per key, made once. */
const keyTypes: Record<string, string[]> = {
  rsa: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  p256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  p384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  p521: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'],
  ed25519: ['-algorithm', 'ED25519'],
  ed448: ['-algorithm', 'ED448'],
};

/** `file` in the work dir, made by `make` the first time any test asks for it. */
function made(file: string, make: () => void): string {
  if (!existsSync(work.path(file))) make();
  return file;
}

const keyFile = (type: string) => made(`${type}.key`, () => work.openssl(['genpkey', ...keyTypes[type]!, '-out', `${type}.key`]));

const dsaKeyFile = () =>
  made('dsa.key', () => {
    work.openssl(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:1024', '-out', 'dsa.params']);
    work.openssl(['genpkey', '-paramfile', 'dsa.params', '-out', 'dsa.key']);
  });

/** Key type and openssl signing options for every algorithm the native path verifies. */
interface Signing {
  label: string;
  key: string;
  options: string[];
}
const signings: Signing[] = [
  { label: 'sha1WithRSA', key: 'rsa', options: ['-sha1'] },
  { label: 'sha256WithRSA', key: 'rsa', options: ['-sha256'] },
  { label: 'sha384WithRSA', key: 'rsa', options: ['-sha384'] },
  { label: 'sha512WithRSA', key: 'rsa', options: ['-sha512'] },
  { label: 'RSA-PSS SHA-256 salt 32', key: 'rsa', options: ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'] },
  { label: 'RSA-PSS SHA-384 salt 48', key: 'rsa', options: ['-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:48'] },
  { label: 'ecdsa-with-SHA1 P-256', key: 'p256', options: ['-sha1'] },
  { label: 'ecdsa-with-SHA256 P-256', key: 'p256', options: ['-sha256'] },
  { label: 'ecdsa-with-SHA384 P-256', key: 'p256', options: ['-sha384'] },
  { label: 'ecdsa-with-SHA384 P-384', key: 'p384', options: ['-sha384'] },
  { label: 'ecdsa-with-SHA512 P-521', key: 'p521', options: ['-sha512'] },
  { label: 'Ed25519', key: 'ed25519', options: [] },
  { label: 'Ed448', key: 'ed448', options: [] },
];

function csrFile({ label, key, options }: Signing): string {
  const file = `${label.replace(/\W+/g, '-')}.csr`;
  return made(file, () => work.openssl(['req', '-new', '-key', keyFile(key), '-subj', `/CN=${label}`, ...options, '-out', file]));
}

function tampered(der: Buffer): Buffer {
  const copy = Buffer.from(der);
  copy[copy.length - 4] ^= 0x01;
  return copy;
}

test('CSR self-signatures verify natively exactly when @peculiar/x509 verifies them', async () => {
  for (const signing of signings) {
    const { label, key } = signing;
    const csr = parseCsr(work.read(csrFile(signing)).toString());
    verifyCsrSignatureSync(csr);
    await verifyCsrSignature(csr);
    if (key !== 'ed448') assert.equal(await new x509.Pkcs10CertificateRequest(csr.der).verify(), true, `${label}: the library agrees`);
    const bad = parseCsr(tampered(csr.der));
    assert.throws(() => verifyCsrSignatureSync(bad), (e) => isPkiError(e, 'CSR_SIGNATURE_INVALID'), `${label}: tampered`);
    if (key !== 'ed448') assert.equal(await new x509.Pkcs10CertificateRequest(bad.der).verify().catch(() => false), false, `${label}: the library agrees on the tampered CSR`);
  }
});

test('a CSR signed with an algorithm pki does not verify natively is CSR_SIGNATURE_INVALID, named', () => {
  work.openssl(['req', '-new', '-key', dsaKeyFile(), '-subj', '/CN=dsa', '-sha256', '-out', 'dsa.csr']);
  assert.throws(() => verifyCsrSignatureSync(parseCsr(work.read('dsa.csr').toString())), (e) => isPkiError(e, 'CSR_SIGNATURE_INVALID') && /unsupported algorithm \(2\.16\.840\.1\.101\.3\.4\.3\.2\)/.test(e.message));
});

test('issuer signatures verify natively exactly when OpenSSL verifies them, with OpenSSL as the fallback', () => {
  const issuers = new Map<string, ReturnType<typeof parseCertificate>>();
  for (const signing of signings) {
    const { label, key, options } = signing;
    const caFile = `${key}-ca.crt`;
    if (!issuers.has(key)) {
      work.openssl(['req', '-x509', '-key', keyFile(key), '-subj', `/CN=${key} CA`, '-days', '2', '-out', caFile]);
      issuers.set(key, parseCertificate(work.read(caFile).toString()));
    }
    const out = `${label.replace(/\W+/g, '-')}.crt`;
    work.openssl(['x509', '-req', '-in', csrFile(signing), '-CA', caFile, '-CAkey', keyFile(key), '-days', '1', ...options, '-out', out]);
    const child = parseCertificate(work.read(out).toString());
    const parent = issuers.get(key)!;
    assert.equal(isIssuedBy(child, parent), true, label);
    assert.equal(new X509Certificate(child.der).verify(createPublicKey({ key: parent.publicKeyDer, format: 'der', type: 'spki' })), true, `${label}: OpenSSL agrees`);
    const forged = parseCertificate(tampered(child.der));
    assert.equal(isIssuedBy(forged, parent), false, `${label}: tampered`);
  }
  const rsaChild = parseCertificate(work.read('sha256WithRSA.crt').toString());
  assert.equal(isIssuedBy(rsaChild, issuers.get('p256')!), false, 'a key of another type never verifies');
  // DSA is not verified natively: the check falls back to OpenSSL and still works.
  work.openssl(['req', '-x509', '-key', dsaKeyFile(), '-subj', '/CN=dsa', '-sha256', '-days', '1', '-out', 'dsa.crt']);
  const dsa = parseCertificate(work.read('dsa.crt').toString());
  assert.equal(isIssuedBy(dsa, dsa), true);
  assert.equal(isIssuedBy(parseCertificate(tampered(dsa.der)), dsa), false);
});

test('public keys import through JWK as OpenSSL imports their DER, and bad points are KEY_MALFORMED', () => {
  for (const type of Object.keys(keyTypes)) {
    const spki = createPublicKey(work.read(keyFile(type)).toString()).export({ format: 'der', type: 'spki' });
    const imported = publicKeyFromSpki(spki);
    assert.ok(imported.equals(createPublicKey({ key: spki, format: 'der', type: 'spki' })), type);
    assert.ok(publicKeysEqual(spki, createPublicKey(work.read(keyFile(type)).toString())), type);
  }
  work.openssl(['ec', '-in', keyFile('p256'), '-pubout', '-conv_form', 'compressed', '-outform', 'DER', '-out', 'compressed.der']);
  const compressed = work.read('compressed.der');
  assert.equal(compressed.length, 59, 'a compressed point (02/03 || X)');
  assert.ok(publicKeysEqual(compressed, createPublicKey(work.read(keyFile('p256')).toString())), 'compressed points take the DER path');
  const offCurve = Buffer.from(createPublicKey(work.read(keyFile('p256')).toString()).export({ format: 'der', type: 'spki' }));
  offCurve[offCurve.length - 1] ^= 0x01;
  assert.throws(() => publicKeyFromSpki(offCurve), (e) => isPkiError(e, 'KEY_MALFORMED'));
  assert.throws(() => publicKeyFromSpki(Buffer.from('3000', 'hex')), (e) => isPkiError(e, 'KEY_MALFORMED'));
});

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  decodeRdnSequence,
  decodeSubjectAltNames,
  encodePem,
  encodePrivateKeyPem,
  generateCsr,
  generatePrivateKey,
  parseCertificate,
  parseCertificateBundle,
  parseCertificateChain,
  parseCsr,
  parseLiteralSubject,
  parsePrivateKey,
  PkiError,
  selfSignCertificate,
  verifyCsrSignature,
} from '../../pki/index.js';
import { encodePkcs12Keystore, verifyPkcs12Mac } from '../../pki/pkcs12.js';

/** Any error must be a PkiError; success is fine (some mutations stay valid). */
function onlyPkiErrors(label: string, parse: () => unknown): void {
  try {
    parse();
  } catch (e) {
    assert.ok(e instanceof PkiError, `${label}: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
  }
}

async function onlyPkiErrorsAsync(label: string, parse: () => Promise<unknown>): Promise<void> {
  try {
    await parse();
  } catch (e) {
    assert.ok(e instanceof PkiError, `${label}: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
  }
}

/** Deterministic mutations of `der`: truncations, bit flips, length-byte rewrites, garbage tails. */
function mutations(der: Buffer): Buffer[] {
  const out: Buffer[] = [];
  const step = Math.max(1, Math.floor(der.length / 60));
  for (let n = 0; n < der.length; n += step) out.push(der.subarray(0, n));
  for (let i = 0; i < der.length; i += step) {
    for (const mask of [0x01, 0x80, 0xff]) {
      const flipped = Buffer.from(der);
      flipped[i] ^= mask;
      out.push(flipped);
    }
  }
  for (const i of [1, 2, 3, 5, 7]) {
    for (const value of [0x00, 0x7f, 0x80, 0x84, 0xff]) {
      const rewritten = Buffer.from(der);
      if (i < rewritten.length) rewritten[i] = value;
      out.push(rewritten);
    }
  }
  out.push(Buffer.concat([der, Buffer.from([0, 0, 0])]));
  return out;
}

function deepNesting(depth: number): Buffer {
  let inner = Buffer.from([0x05, 0x00]);
  for (let i = 0; i < depth; i++) {
    const length = inner.length;
    const header = length < 0x80 ? Buffer.from([0x30, length]) : length < 0x100 ? Buffer.from([0x30, 0x81, length]) : length < 0x10000 ? Buffer.from([0x30, 0x82, length >> 8, length & 0xff]) : Buffer.from([0x30, 0x83, length >> 16, (length >> 8) & 0xff, length & 0xff]);
    inner = Buffer.concat([header, inner]);
  }
  return inner;
}

let certificateDer: Buffer;
let csrDer: Buffer;
let keyDer: Buffer;
let p12: Buffer;
let sanDer: Buffer;

before(async () => {
  const key = await generatePrivateKey({ algorithm: 'ECDSA' });
  const csr = await generateCsr({ commonName: 'm', dnsNames: ['m.example.com'], ipAddresses: ['10.0.0.1'], otherNames: [{ oid: '1.2.3', utf8Value: 'v' }], usages: ['server auth'] }, key);
  const signed = await selfSignCertificate(csr, { usages: ['server auth'] }, key);
  certificateDer = signed.certificate.der;
  csrDer = parseCsr(csr).der;
  keyDer = Buffer.from(encodePrivateKeyPem(key, 'PKCS1').split('\n').slice(1, -2).join(''), 'base64');
  p12 = encodePkcs12Keystore({ privateKey: key, certificate: signed.certificatePem, password: 'pw', profile: 'Modern2023' });
  sanDer = signed.certificate.extensions.get('2.5.29.17')!.value;
});

test('mutated certificates, in DER and PEM, only ever fail with PkiError', () => {
  for (const [i, der] of mutations(certificateDer).entries()) {
    onlyPkiErrors(`certificate DER #${i}`, () => parseCertificate(der));
    onlyPkiErrors(`certificate PEM #${i}`, () => parseCertificateBundle(encodePem(der, 'CERTIFICATE')));
  }
  const pem = encodePem(certificateDer, 'CERTIFICATE');
  for (let n = 0; n < pem.length; n += 37) onlyPkiErrors(`truncated PEM ${n}`, () => parseCertificateChain(pem.slice(0, n)));
});

test('mutated CSRs only ever fail with PkiError, also when verifying', async () => {
  for (const [i, der] of mutations(csrDer).entries()) {
    onlyPkiErrors(`CSR #${i}`, () => parseCsr(der));
    let parsed;
    try {
      parsed = parseCsr(der);
    } catch {
      continue;
    }
    await onlyPkiErrorsAsync(`CSR verify #${i}`, () => verifyCsrSignature(parsed));
  }
});

test('mutated keys and keystores only ever fail with PkiError', () => {
  for (const [i, der] of mutations(keyDer).entries()) {
    onlyPkiErrors(`key DER #${i}`, () => parsePrivateKey(der));
    onlyPkiErrors(`key PEM #${i}`, () => parsePrivateKey(encodePem(der, 'EC PRIVATE KEY')));
  }
  for (const [i, der] of mutations(p12).entries()) onlyPkiErrors(`p12 #${i}`, () => verifyPkcs12Mac(der, 'pw'));
});

test('mutated names and SANs only ever fail with PkiError', () => {
  const name = parseCertificate(certificateDer).rawSubject;
  for (const [i, der] of mutations(name).entries()) onlyPkiErrors(`name #${i}`, () => decodeRdnSequence(der));
  for (const [i, der] of mutations(sanDer).entries()) onlyPkiErrors(`SAN #${i}`, () => decodeSubjectAltNames(der));
  // A dNSName encoded as a constructed value must not crash the reader.
  onlyPkiErrors('constructed dNSName', () => decodeSubjectAltNames(Buffer.from('3004a2020500', 'hex')));
  for (const text of ['=', ',', '+', '\\', '"', 'CN=\\', 'CN="\\', '=x', 'CN=a+', ' , ', 'CN=a,,O=b', '1.2=x', 'CN=\u0000']) {
    onlyPkiErrors(`literal ${JSON.stringify(text)}`, () => parseLiteralSubject(text));
  }
});

test('random bytes, empty input and absurd nesting only ever fail with PkiError', () => {
  const inputs: Array<string | Buffer> = ['', ' ', '-----BEGIN CERTIFICATE-----', '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n', deepNesting(5000), Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff])];
  for (let i = 0; i < 50; i++) inputs.push(randomBytes(1 + (i * 37) % 400));
  for (const [i, input] of inputs.entries()) {
    onlyPkiErrors(`certificate #${i}`, () => parseCertificate(input));
    onlyPkiErrors(`bundle #${i}`, () => parseCertificateBundle(input));
    onlyPkiErrors(`csr #${i}`, () => parseCsr(input));
    onlyPkiErrors(`key #${i}`, () => parsePrivateKey(input));
    if (typeof input !== 'string') {
      onlyPkiErrors(`p12 #${i}`, () => verifyPkcs12Mac(input, 'pw'));
      onlyPkiErrors(`name #${i}`, () => decodeRdnSequence(input));
      onlyPkiErrors(`san #${i}`, () => decodeSubjectAltNames(input));
    }
  }
});

test('an EC key whose scalar is longer than its curve is refused, not a process abort', () => {
  // Found by test/fuzz: OpenSSL imports this PKCS#8 P-256 key (a 102-byte scalar) but cannot
  // encode it again, and Node aborts the process when asked for its curve or its JWK.
  const der = Buffer.from(
    '308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010466c4a8a1b8fc34d3aa5c1610fa1898bb05df464552f58d95026dcbab2eb61af6b6a1440342000490a351475f28cf53fe10c7320dc7d07edfb87f4b6c6a0755c59709fb4c1b9c72c6cd5430161cb57e4db1ab5e19b0098a76137ab9a1fcd617ae66217bb852f701',
    'hex',
  );
  assert.throws(() => parsePrivateKey(der), { name: 'PkiError', message: 'private key could not be parsed' });
  assert.throws(() => parsePrivateKey(encodePem(der, 'PRIVATE KEY')), { name: 'PkiError', message: 'private key could not be parsed' });
});

import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import {
  commonNameForSpec,
  decodeRdnSequence,
  encodePrivateKeyPem,
  generateCsr,
  generatePrivateKey,
  isPkiError,
  parseCsr,
  parseLiteralSubject,
  verifyCsrSignature,
  type CertificateRequestSpec,
  type KeySpec,
} from '../../pki/index.js';
import { Workdir } from './openssl.js';

const work = new Workdir();
after(() => work.remove());

const keySpecs: Record<string, KeySpec> = {
  'RSA 2048': {},
  'ECDSA P-256': { algorithm: 'ECDSA' },
  'ECDSA P-384': { algorithm: 'ECDSA', size: 384 },
  'ECDSA P-521': { algorithm: 'ECDSA', size: 521 },
  Ed25519: { algorithm: 'Ed25519' },
};
const keys: Record<string, KeyObject> = {};
before(async () => {
  for (const [name, spec] of Object.entries(keySpecs)) keys[name] = await generatePrivateKey(spec);
});

const everySan: CertificateRequestSpec = {
  commonName: 'svc.example.com',
  dnsNames: ['svc.example.com', '*.svc.example.com'],
  ipAddresses: ['10.0.0.1', '2001:db8::7'],
  uris: ['spiffe://cluster.local/ns/sandbox/sa/foo'],
  emailAddresses: ['alice@example.com'],
  otherNames: [
    { oid: '1.3.6.1.4.1.311.20.2.3', utf8Value: 'upn@domain.test' },
    { oid: '1.2.3.4.5', utf8Value: 'ünïcode' },
  ],
};

function opensslText(name: string, pem: string): string {
  const file = work.write(name, pem);
  return work.openssl(['req', '-in', file, '-noout', '-text', '-verify']);
}

test('CSRs for every key type and every SAN type pass openssl req -verify and show each SAN', async () => {
  const expectedSignature: Record<string, RegExp> = {
    'RSA 2048': /sha256WithRSAEncryption/,
    'ECDSA P-256': /ecdsa-with-SHA256/,
    'ECDSA P-384': /ecdsa-with-SHA384/,
    'ECDSA P-521': /ecdsa-with-SHA512/,
    Ed25519: /ED25519/,
  };
  for (const [name, key] of Object.entries(keys)) {
    const pem = await generateCsr(everySan, key);
    const text = opensslText(`csr-${name.replace(/ /g, '')}.pem`, pem);
    assert.match(text, /Subject: CN ?= ?svc\.example\.com/, name);
    assert.match(text, expectedSignature[name]!, name);
    for (const san of ['DNS:svc.example.com', 'DNS:*.svc.example.com', 'IP Address:10.0.0.1', 'IP Address:2001:DB8:0:0:0:0:0:7', 'URI:spiffe://cluster.local/ns/sandbox/sa/foo', 'email:alice@example.com', 'UPN::upn@domain.test', '1.2.3.4.5::ünïcode']) {
      assert.ok(text.includes(san), `${name}: ${san} in\n${text}`);
    }
    const parsed = parseCsr(pem);
    await verifyCsrSignature(parsed);
    assert.deepEqual(
      { dns: parsed.dnsNames, ips: parsed.ipAddresses, uris: parsed.uris, emails: parsed.emailAddresses, other: parsed.otherNames },
      { dns: everySan.dnsNames, ips: everySan.ipAddresses, uris: everySan.uris, emails: everySan.emailAddresses, other: everySan.otherNames },
    );
    assert.equal(parsed.publicKey?.algorithm, name.split(' ')[0]);
  }
});

test('the SAN extension is critical exactly when the subject is empty', async () => {
  const key = keys['ECDSA P-256']!;
  const onlySan = parseCsr(await generateCsr({ dnsNames: ['a.example.com'] }, key));
  assert.equal(onlySan.rawSubject.toString('hex'), '3000');
  assert.equal(onlySan.sanCritical, true);
  assert.match(opensslText('san-critical.pem', onlySan.pem), /Subject Alternative Name: critical/);
  const withCn = parseCsr(await generateCsr({ commonName: 'a', dnsNames: ['a.example.com'] }, key));
  assert.equal(withCn.sanCritical, false);
  const withOrgOnly = parseCsr(await generateCsr({ subject: { organizations: ['Acme'] }, dnsNames: ['a.example.com'] }, key));
  assert.equal(withOrgOnly.sanCritical, false);
});

test('usages: defaults, isCA adds cert sign, explicit lists, and encodeUsagesInRequest=false', async () => {
  const key = keys['ECDSA P-256']!;
  const usagesOf = async (spec: CertificateRequestSpec) => parseCsr(await generateCsr({ commonName: 'x', ...spec }, key)).usages.sort();
  assert.deepEqual(await usagesOf({}), ['digital signature', 'key encipherment']);
  assert.deepEqual(await usagesOf({ isCA: true }), ['cert sign', 'digital signature', 'key encipherment']);
  assert.deepEqual(await usagesOf({ usages: ['signing', 'data encipherment', 'server auth', 'client auth'] }), ['client auth', 'data encipherment', 'digital signature', 'server auth']);
  assert.deepEqual(await usagesOf({ usages: ['server auth'] }), ['server auth']);
  const noUsages = parseCsr(await generateCsr({ commonName: 'x', usages: ['server auth'], encodeUsagesInRequest: false }, key));
  assert.deepEqual([noUsages.extensions.has('2.5.29.15'), noUsages.extensions.has('2.5.29.37')], [false, false]);
  const text = opensslText('usages.pem', await generateCsr({ commonName: 'x', usages: ['s/mime', 'ocsp signing', 'content commitment'] }, key));
  assert.match(text, /Key Usage: critical\s+Non Repudiation/);
  assert.match(text, /Extended Key Usage: \s*E-mail Protection, OCSP Signing/);
  await assert.rejects(generateCsr({ commonName: 'x', usages: ['frobnicate'] }, key), (e) => isPkiError(e, 'USAGE_INVALID'));
});

test('name constraints are encoded with the requested criticality', async () => {
  const key = keys['ECDSA P-256']!;
  const nameConstraints = {
    critical: true,
    permitted: { dnsDomains: ['example.com'], ipRanges: ['10.0.0.0/8'], emailAddresses: ['example.com'], uriDomains: ['.example.com'] },
    excluded: { dnsDomains: ['bad.example.com'] },
  };
  const text = opensslText('nc.pem', await generateCsr({ commonName: 'ca', isCA: true, nameConstraints }, key));
  assert.match(text, /Name Constraints: critical\s+Permitted:\s+DNS:example.com\s+IP:10.0.0.0\/255.0.0.0\s+email:example.com\s+URI:.example.com\s+Excluded:\s+DNS:bad.example.com/);
  const nonCritical = opensslText('nc2.pem', await generateCsr({ commonName: 'ca', isCA: true, nameConstraints: { ...nameConstraints, critical: false } }, key));
  assert.match(nonCritical, /Name Constraints: \n/);
  await assert.rejects(generateCsr({ commonName: 'ca', nameConstraints: { permitted: { ipRanges: ['10.0.0.0'] } } }, key), (e) => isPkiError(e, 'NAME_CONSTRAINTS_INVALID'));
});

test('signature algorithm: cert-manager defaults by key, explicit choice, and mismatch refused', async () => {
  const rsa3072 = await generatePrivateKey({ size: 3072 });
  assert.match(opensslText('rsa3072.pem', await generateCsr({ commonName: 'x' }, rsa3072)), /sha384WithRSAEncryption/);
  assert.match(opensslText('explicit.pem', await generateCsr({ commonName: 'x', signatureAlgorithm: 'SHA512WithRSA' }, keys['RSA 2048']!)), /sha512WithRSAEncryption/);
  assert.match(opensslText('explicit-ec.pem', await generateCsr({ commonName: 'x', signatureAlgorithm: 'ECDSAWithSHA384' }, keys['ECDSA P-256']!)), /ecdsa-with-SHA384/);
  await assert.rejects(generateCsr({ commonName: 'x', signatureAlgorithm: 'PureEd25519' }, keys['RSA 2048']!), (e) => isPkiError(e, 'SIGNATURE_ALGORITHM_INVALID'));
  await assert.rejects(generateCsr({ commonName: 'x', signatureAlgorithm: 'MD5WithRSA' }, keys['RSA 2048']!), (e) => isPkiError(e, 'SIGNATURE_ALGORITHM_INVALID'));
});

test('a literal subject is encoded RDN for RDN (conformance case 7)', async () => {
  const literalSubject = 'CN=*.abc.foo-long.bar.com,OU=FooLong,OU=Bar,OU=Baz,OU=Dept.,O=Corp.';
  const csr = parseCsr(await generateCsr({ literalSubject, dnsNames: ['*.abc.foo-long.bar.com'] }, keys['Ed25519']!));
  assert.deepEqual(decodeRdnSequence(csr.rawSubject), parseLiteralSubject(literalSubject));
  assert.equal(csr.commonName, '*.abc.foo-long.bar.com');
  assert.equal(commonNameForSpec({ literalSubject }), '*.abc.foo-long.bar.com');
  const rfc2253 = work.openssl(['req', '-in', work.write('literal.pem', csr.pem), '-noout', '-subject', '-nameopt', 'RFC2253']);
  assert.equal(rfc2253.trim(), `subject=${literalSubject}`);
});

test('a request with no name at all, or with invalid SANs, is refused', async () => {
  const key = keys['ECDSA P-256']!;
  await assert.rejects(generateCsr({ subject: { organizations: ['Acme'] } }, key), (e) => isPkiError(e, 'CSR_INVALID'));
  for (const spec of [{ ipAddresses: ['10.0.0'] }, { uris: ['not a uri'] }, { dnsNames: ['bücher.example'] }, { otherNames: [{ oid: 'upn', utf8Value: 'x' }] }, { otherNames: [{ oid: '1.2.3', utf8Value: '' }] }]) {
    await assert.rejects(generateCsr(spec, key), (e) => isPkiError(e, 'SAN_INVALID'), JSON.stringify(spec));
  }
});

test('CSRs openssl makes parse, and a tampered signature is CSR_SIGNATURE_INVALID', async () => {
  const keyFile = work.write('o-key.pem', encodePrivateKeyPem(keys['RSA 2048']!));
  work.openssl([
    'req', '-new', '-key', keyFile, '-out', 'o.csr', '-subj', '/C=DE/O=Acme/OU=Ops/CN=openssl.example.com',
    '-addext', 'subjectAltName=DNS:openssl.example.com,IP:192.0.2.1,email:ops@example.com,URI:https://example.com/x,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:upn@example.com',
    '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment', '-addext', 'extendedKeyUsage=serverAuth', '-addext', 'basicConstraints=critical,CA:TRUE',
  ]);
  const pem = work.read('o.csr').toString();
  const csr = parseCsr(pem);
  await verifyCsrSignature(csr);
  assert.equal(csr.subject, 'CN=openssl.example.com,OU=Ops,O=Acme,C=DE');
  assert.deepEqual(csr.subjectFields.organizations, ['Acme']);
  assert.deepEqual(csr.dnsNames, ['openssl.example.com']);
  assert.deepEqual(csr.ipAddresses, ['192.0.2.1']);
  assert.deepEqual(csr.emailAddresses, ['ops@example.com']);
  assert.deepEqual(csr.uris, ['https://example.com/x']);
  assert.deepEqual(csr.otherNames, [{ oid: '1.3.6.1.4.1.311.20.2.3', utf8Value: 'upn@example.com' }]);
  assert.deepEqual(csr.usages.sort(), ['digital signature', 'key encipherment', 'server auth']);
  assert.equal(csr.isCA, true);
  const der = Buffer.from(csr.der);
  der[der.length - 5] ^= 0xff;
  await assert.rejects(verifyCsrSignature(parseCsr(der)), (e) => isPkiError(e, 'CSR_SIGNATURE_INVALID'));
});

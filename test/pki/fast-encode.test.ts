/**
 * pki/'s DER writer against the encoders it replaced (@peculiar/x509, @peculiar/asn1-x509 and the
 * old asn1js code in asn1-reference.ts): the same bytes for every part, and, with Ed25519's
 * deterministic signatures, the same certificates and CSRs byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { ExtendedKeyUsage, KeyUsage, Time } from '@peculiar/asn1-x509';
import {
  computeUsages,
  decodeKeyUsage,
  encodeExtKeyUsage,
  encodeKeyUsage,
  encodeNameConstraints,
  encodeRdnSequence,
  encodeSubjectAltNames,
  generateCsr,
  generatePrivateKey,
  OID,
  parseCsr,
  parseLiteralSubject,
  selfSignCertificate,
  signCertificate,
  spkiOf,
} from '../../pki/index.js';
import { derOid, derTime } from '../../pki/der-writer.js';
import {
  encodeAuthorityInfoAccess,
  encodeAuthorityKeyIdentifier,
  encodeBasicConstraints,
  encodeCrlDistributionPoints,
  encodeSubjectKeyIdentifier,
} from '../../pki/extensions.js';
import { subtle, x509 } from '../../pki/x509.js';
import { referenceEncodeNameConstraints, referenceEncodeRdns, referenceEncodeSans } from './asn1-reference.js';

const hex = (bytes: ArrayBuffer | Uint8Array) => Buffer.from(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes).toString('hex');

test('KeyUsage and ExtendedKeyUsage encode as asn1-x509 encodes them, for every KU bit combination', () => {
  for (let flags = 1; flags < 512; flags++) {
    assert.equal(hex(encodeKeyUsage(flags)), hex(AsnConvert.serialize(new KeyUsage(flags))), `KU ${flags}`);
    assert.equal(decodeKeyUsage(encodeKeyUsage(flags)), flags);
  }
  const ekus = computeUsages(['server auth', 'client auth', 'code signing', 'email protection', 'ocsp signing', 'microsoft sgc', 'netscape sgc', 'any'], false).extKeyUsages;
  assert.equal(hex(encodeExtKeyUsage(ekus)), hex(AsnConvert.serialize(new ExtendedKeyUsage(ekus))));
});

test('names encode as the old asn1-x509 encoder did: string choice, multi-valued SET OF order, unicode, OIDs', () => {
  const subjects = [
    [],
    parseLiteralSubject('CN=Smith\\, James\\20+UID=js+O=b+O=a,OU=Ünïcode \\+ Co,O="a,b",DC=example,1.2.3.4=custom,SERIALNUMBER=7'),
    parseLiteralSubject('CN=*.example.com,O=Zürich & Co,C=CH'),
    [[{ type: OID.organization, value: 'Org B' }, { type: OID.organization, value: 'Org A*' }, { type: OID.organization, value: 'Org A' }]],
    [[{ type: '2.25.329800735698586629295641978511506172918', value: 'big arc' }]],
  ];
  for (const rdns of subjects) assert.equal(hex(encodeRdnSequence(rdns)), hex(referenceEncodeRdns(rdns)), JSON.stringify(rdns));
});

test('SANs and name constraints encode as the old asn1js encoders did', () => {
  const sans = {
    dnsNames: ['a.example.com', '*.b.example.com'],
    emailAddresses: ['x@example.com'],
    uris: ['spiffe://td/ns/x', 'https://example.com/a?b=c'],
    ipAddresses: ['192.0.2.1', '2001:db8::1', '::ffff:10.0.0.1', '::'],
    otherNames: [{ oid: '1.3.6.1.4.1.311.20.2.3', utf8Value: 'upn@example.com' }, { oid: '1.2.3.4.5', utf8Value: 'ünïcode' }],
  };
  assert.equal(hex(encodeSubjectAltNames(sans)), hex(referenceEncodeSans(sans)));
  assert.equal(hex(encodeSubjectAltNames({ dnsNames: ['x'.repeat(300)] })), hex(referenceEncodeSans({ dnsNames: ['x'.repeat(300)] })), 'long-form lengths');
  const constraints = {
    permitted: { dnsDomains: ['example.com', '.example.org'], ipRanges: ['10.0.0.0/8', '2001:db8::/32'], emailAddresses: ['example.com'], uriDomains: ['.example.com'] },
    excluded: { dnsDomains: ['bad.example.com'], ipRanges: ['10.1.0.0/16'] },
  };
  assert.equal(hex(encodeNameConstraints(constraints)), hex(referenceEncodeNameConstraints(constraints)));
  assert.equal(hex(encodeNameConstraints({ excluded: { emailAddresses: ['a'] } })), hex(referenceEncodeNameConstraints({ excluded: { emailAddresses: ['a'] } })));
});

test('certificate extensions, times and OIDs encode as @peculiar/x509 and asn1js encode them', () => {
  const keyId = Buffer.from('00112233445566778899aabbccddeeff00112233', 'hex');
  assert.equal(hex(encodeBasicConstraints(true)), hex(new x509.BasicConstraintsExtension(true, undefined, true).value));
  assert.equal(hex(encodeBasicConstraints(false)), hex(new x509.BasicConstraintsExtension(false, undefined, true).value));
  assert.equal(hex(encodeSubjectKeyIdentifier(keyId)), hex(new x509.SubjectKeyIdentifierExtension(keyId.toString('hex')).value));
  assert.equal(hex(encodeAuthorityKeyIdentifier(keyId)), hex(new x509.AuthorityKeyIdentifierExtension(keyId.toString('hex')).value));
  const ocsp = ['http://ocsp.example.com', 'http://ocsp2.example.com'];
  const caIssuers = ['http://ca.example.com/ca.crt'];
  assert.equal(hex(encodeAuthorityInfoAccess(ocsp, caIssuers)), hex(new x509.AuthorityInfoAccessExtension({ ocsp, caIssuers }).value));
  assert.equal(hex(encodeAuthorityInfoAccess([], caIssuers)), hex(new x509.AuthorityInfoAccessExtension({ caIssuers }).value));
  const crls = ['http://crl.example.com/a.crl', 'http://crl.example.com/b.crl'];
  assert.equal(hex(encodeCrlDistributionPoints(crls)), hex(new x509.CRLDistributionPointsExtension(crls).value));
  for (const iso of ['1950-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '2026-03-01T12:00:00.999Z', '2049-12-31T23:59:59Z', '2050-01-01T00:00:00Z', '9999-12-31T23:59:59Z']) {
    const date = new Date(iso);
    assert.equal(hex(derTime(date)), hex(AsnConvert.serialize(new Time(date))), iso);
  }
  for (const oid of ['1.2.840.113549.1.1.11', '2.5.29.17', '0.9.2342.19200300.100.1.25', '2.999.3', '2.25.329800735698586629295641978511506172918']) {
    assert.equal(hex(derOid(oid)), hex(new asn1js.ObjectIdentifier({ value: oid }).toBER()), oid);
  }
});

test('spkiOf gives the SPKI OpenSSL exports, for every key type', async () => {
  const keys = [
    await generatePrivateKey({}),
    await generatePrivateKey({ algorithm: 'ECDSA' }),
    await generatePrivateKey({ algorithm: 'ECDSA', size: 384 }),
    await generatePrivateKey({ algorithm: 'ECDSA', size: 521 }),
    await generatePrivateKey({ algorithm: 'Ed25519' }),
    generateKeyPairSync('ed448').privateKey,
    generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey,
    generateKeyPairSync('rsa', { modulusLength: 1024, publicExponent: 3 }).privateKey,
  ];
  for (const key of keys) {
    const expected = hex(createPublicKey(key).export({ format: 'der', type: 'spki' }));
    assert.equal(hex(spkiOf(key)), expected, key.asymmetricKeyType);
    assert.equal(hex(spkiOf(createPublicKey(key))), expected, `${key.asymmetricKeyType} public`);
  }
});

const now = new Date('2026-03-01T12:00:00Z');

test('CSRs are byte for byte what @peculiar/x509 generated from the same spec (Ed25519 signs deterministically)', async () => {
  const key = await generatePrivateKey({ algorithm: 'Ed25519' });
  const keys = {
    privateKey: await subtle.importKey('pkcs8', key.export({ format: 'der', type: 'pkcs8' }), { name: 'Ed25519' }, false, ['sign']),
    publicKey: await subtle.importKey('spki', createPublicKey(key).export({ format: 'der', type: 'spki' }), { name: 'Ed25519' }, true, ['verify']),
  };
  const specs = [
    { commonName: 'plain', encodeUsagesInRequest: false },
    { literalSubject: 'CN=lit+O=x,OU=Ünï', dnsNames: ['a.example.com'], ipAddresses: ['10.0.0.1'], otherNames: [{ oid: '1.2.3', utf8Value: 'v' }], usages: ['server auth', 'digital signature'] },
    { commonName: 'ca', isCA: true, nameConstraints: { critical: true, permitted: { dnsDomains: ['example.com'] } } },
  ];
  for (const spec of specs) {
    const ours = parseCsr(await generateCsr(spec, key));
    const theirs = await x509.Pkcs10CertificateRequestGenerator.create({
      name: new x509.Name(ours.rawSubject),
      extensions: [...ours.extensions].map(([oid, e]) => new x509.Extension(oid, e.critical, e.value)),
      keys,
      signingAlgorithm: { name: 'Ed25519' },
    });
    assert.equal(hex(ours.der), hex(theirs.rawData), JSON.stringify(spec));
  }
});

test('certificates are byte for byte what @peculiar/x509 generated from the same template (Ed25519 signs deterministically)', async () => {
  const caKey = await generatePrivateKey({ algorithm: 'Ed25519' });
  const ca = (await selfSignCertificate(await generateCsr({ commonName: 'Ed CA', isCA: true }, caKey), { isCA: true, now }, caKey)).certificate;
  const csr = parseCsr(await generateCsr({ literalSubject: 'CN=leaf,O=Zürich', dnsNames: ['leaf.example.com'], emailAddresses: ['a@example.com'], usages: ['client auth', 'signing'] }, await generatePrivateKey({ algorithm: 'ECDSA' })));
  const template = { usages: ['client auth', 'signing'], now, durationMs: 3600e3, crlDistributionPoints: ['http://crl.example.com/ca.crl'], ocspServers: ['http://ocsp.example.com'], issuingCertificateUrls: ['http://ca.example.com/ca.crt'] };
  const ours = (await signCertificate(csr, template, { certificate: ca.pem, privateKey: caKey })).certificate;
  const usages = computeUsages(template.usages, false);
  const san = csr.extensions.get('2.5.29.17')!;
  const theirs = await x509.X509CertificateGenerator.create({
    serialNumber: ours.serialNumber,
    subject: new x509.Name(csr.rawSubject),
    issuer: new x509.Name(ca.rawSubject),
    notBefore: now,
    notAfter: new Date(now.getTime() + template.durationMs),
    publicKey: csr.publicKeyDer,
    signingKey: await subtle.importKey('pkcs8', caKey.export({ format: 'der', type: 'pkcs8' }), { name: 'Ed25519' }, false, ['sign']),
    signingAlgorithm: { name: 'Ed25519' },
    extensions: [
      new x509.Extension('2.5.29.15', true, AsnConvert.serialize(new KeyUsage(usages.keyUsage))),
      new x509.Extension('2.5.29.37', false, AsnConvert.serialize(new ExtendedKeyUsage(usages.extKeyUsages))),
      new x509.BasicConstraintsExtension(false, undefined, true),
      await x509.SubjectKeyIdentifierExtension.create(new x509.PublicKey(csr.publicKeyDer)),
      new x509.AuthorityKeyIdentifierExtension(ca.subjectKeyId!.toString('hex')),
      new x509.AuthorityInfoAccessExtension({ ocsp: template.ocspServers, caIssuers: template.issuingCertificateUrls }),
      new x509.Extension('2.5.29.17', san.critical, san.value),
      new x509.CRLDistributionPointsExtension(template.crlDistributionPoints),
    ],
  });
  assert.equal(hex(ours.der), hex(theirs.rawData));
});

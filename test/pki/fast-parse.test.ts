/**
 * pki/'s DER reader against the slow ASN.1 path (asn1-reference.ts) and OpenSSL, field by field, on
 * certificates and CSRs covering every SAN type, string types, literal subjects and name constraints.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import {
  decodePemBlocks,
  decodeRdnSequence,
  encodePem,
  encodePrivateKeyPem,
  generateCsr,
  generatePrivateKey,
  isPkiError,
  parseCertificate,
  parseCsr,
  selfSignCertificate,
  signCertificate,
  type CertificateInfo,
  type CsrInfo,
} from '../../pki/index.js';
import { DerReader } from '../../pki/der-reader.js';
import { x509 } from '../../pki/x509.js';
import { referenceCertificate, referenceCsr, referenceRdns } from './asn1-reference.js';
import { Workdir } from './openssl.js';

const work = new Workdir();
after(() => work.remove());

function assertSameFields(label: string, fast: CertificateInfo | CsrInfo, reference: Record<string, unknown>): void {
  assert.deepEqual(Object.keys(fast).sort(), [...Object.keys(reference), 'pem'].sort(), `${label}: field names`);
  for (const [field, expected] of Object.entries(reference)) assert.deepEqual((fast as unknown as Record<string, unknown>)[field], expected, `${label}: ${field}`);
}

function assertMatchesOpenssl(label: string, c: CertificateInfo): void {
  const native = new X509Certificate(c.der);
  assert.equal(c.pem, native.toString(), `${label}: pem`);
  assert.equal(c.serialNumber, native.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''), `${label}: serial`);
  assert.equal(c.fingerprintSha256, native.fingerprint256.replace(/:/g, '').toLowerCase(), `${label}: fingerprint`);
  assert.equal(c.notBefore.getTime(), new Date(native.validFrom).getTime(), `${label}: notBefore`);
  assert.equal(c.notAfter.getTime(), new Date(native.validTo).getTime(), `${label}: notAfter`);
  assert.equal(c.isCA, native.ca, `${label}: ca`);
  assert.deepEqual([...c.extKeyUsages].sort(), [...(native.keyUsage ?? [])].sort(), `${label}: EKU`);
}

const opensslConfig = [
  '[req]',
  'distinguished_name = dn',
  'string_mask = default',
  '[dn]',
  '[everything]',
  'basicConstraints = critical,CA:TRUE,pathlen:1',
  'keyUsage = critical,keyCertSign,cRLSign,digitalSignature,decipherOnly',
  'extendedKeyUsage = serverAuth,clientAuth,codeSigning,1.2.3.4',
  'subjectKeyIdentifier = hash',
  'authorityKeyIdentifier = keyid:always',
  'subjectAltName = DNS:a.example.com,DNS:*.b.example.com,IP:192.0.2.7,IP:2001:db8::1,IP:::ffff:10.1.2.3,email:x@example.com,URI:spiffe://td/x,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:upn@example.com,otherName:1.2.3.4;IA5STRING:ia5,dirName:dir_sect,RID:1.2.3.4.5',
  'nameConstraints = critical,permitted;DNS:.example.com,permitted;IP:10.0.0.0/255.0.0.0,excluded;email:.bad.example',
  'crlDistributionPoints = URI:http://crl.example.com/a.crl,URI:http://crl2.example.com/b.crl',
  'authorityInfoAccess = OCSP;URI:http://ocsp.example.com,caIssuers;URI:http://ca.example.com/ca.crt,OCSP;URI:http://ocsp2.example.com',
  '[dir_sect]',
  'CN = directory name',
  '[leafish]',
  'basicConstraints = CA:FALSE',
  'subjectAltName = critical,DNS:only.example.com',
].join('\n');

function opensslCertificate(name: string, args: string[]): string {
  work.write('parse.cnf', opensslConfig);
  work.openssl(['req', '-x509', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-config', 'parse.cnf', ...args]);
  return work.read(`${name}.crt`).toString();
}

const opensslCases: Array<[string, string[]]> = [
  ['every extension, P-384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-extensions', 'everything', '-days', '30', '-set_serial', '0x87654321', '-subj', '/C=DE/ST=Berlin/L=Berlin/O=Acme/O=Acme Two/OU=Ops/CN=openssl.example.com/serialNumber=1234']],
  ['BMP, T61 and IA5 strings', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-utf8', '-days', '1', '-set_serial', '0x0a1b2c', '-subj', '/CN=日本語/O=Zürich/emailAddress=a@b.example/serialNumber=42']],
  ['multi-valued RDN, DC, UID, GeneralizedTime', ['-newkey', 'ed25519', '-multivalue-rdn', '-days', '15000', '-subj', '/CN=a+O=b/DC=example/UID=x', '-extensions', 'leafish']],
  ['RSA-PSS, negative-looking serial', ['-newkey', 'rsa:2048', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-days', '2', '-set_serial', '0xff00', '-subj', '/CN=pss.example.com']],
  ['P-521, empty subject with critical SAN', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-521', '-days', '3', '-subj', '/', '-extensions', 'leafish']],
];

test('certificates openssl makes read the same through the DER reader and the ASN.1 path', () => {
  for (const [label, args] of opensslCases) {
    const pem = opensslCertificate(label.replace(/\W+/g, '-'), args);
    const fast = parseCertificate(pem);
    assertSameFields(label, fast, referenceCertificate(fast.der));
    assertMatchesOpenssl(label, fast);
  }
  const everything = parseCertificate(work.read('every-extension-P-384.crt').toString());
  assert.equal(everything.keyUsage, 0x161, 'decipherOnly (bit 8) is read from the second octet');
  assert.ok(everything.extensions.get('2.5.29.30')?.critical);
  assert.deepEqual(everything.crlDistributionPoints, ['http://crl.example.com/a.crl', 'http://crl2.example.com/b.crl']);
  assert.deepEqual(everything.ocspServers, ['http://ocsp.example.com', 'http://ocsp2.example.com']);
  const strings = parseCertificate(work.read('BMP-T61-and-IA5-strings.crt').toString());
  assert.deepEqual([strings.serialNumber, strings.serialNumberBytes.toString('hex')], ['a1b2c', '0a1b2c'], 'the serial prints without a leading zero nibble');
  assert.deepEqual(strings.subjectFields.organizations, ['Zürich']);
  assert.equal(parseCertificate(work.read('BMP-T61-and-IA5-strings.crt').toString()).commonName, '日本語');
  assert.equal(parseCertificate(work.read('multi-valued-RDN-DC-UID-GeneralizedTime.crt').toString()).notAfter.getUTCFullYear() > 2049, true);
});

let caKey: KeyObject;
let ca: CertificateInfo;
before(async () => {
  caKey = await generatePrivateKey({ algorithm: 'ECDSA' });
  ca = (await selfSignCertificate(await generateCsr({ commonName: 'Parse CA', isCA: true }, caKey), { isCA: true }, caKey)).certificate;
});

test('certificates and CSRs pki makes read the same through the DER reader and the ASN.1 path', async () => {
  const key = await generatePrivateKey({ algorithm: 'ECDSA' });
  const specs = [
    {
      literalSubject: 'CN=Smith\\, James\\20+UID=js,OU=Ünïcode \\+ Co,O="a,b",DC=example,1.2.3.4=custom,SERIALNUMBER=7,STREET=Main St. 1',
      dnsNames: ['a.example.com', '*.b.example.com'],
      ipAddresses: ['192.0.2.1', '2001:db8::1', '::ffff:1.2.3.4'],
      uris: ['spiffe://cluster.local/ns/x/sa/y'],
      emailAddresses: ['a@example.com'],
      otherNames: [{ oid: '1.3.6.1.4.1.311.20.2.3', utf8Value: 'ünïcode@example.com' }],
      usages: ['server auth', 'client auth', 'digital signature', 'key encipherment', 'content commitment'],
    },
    { commonName: 'CA with constraints', isCA: true, nameConstraints: { critical: true, permitted: { dnsDomains: ['example.com'], ipRanges: ['10.0.0.0/8', '2001:db8::/32'], emailAddresses: ['example.com'], uriDomains: ['.example.com'] }, excluded: { dnsDomains: ['bad.example.com'] } } },
    { subject: { organizations: ['Zürich & Co', 'Plain'], countries: ['CH'], provinces: ['ZH'], localities: ['Zürich'], streetAddresses: ['Bahnhofstr. 1'], postalCodes: ['8001'], organizationalUnits: ['*'], serialNumber: '99' }, commonName: 'fields', encodeUsagesInRequest: false },
    { dnsNames: ['sans-only.example.com'] },
  ];
  const template = { crlDistributionPoints: ['http://crl.example.com/ca.crl'], ocspServers: ['http://ocsp.example.com'], issuingCertificateUrls: ['http://ca.example.com/ca.crt'] };
  for (const [i, spec] of specs.entries()) {
    const csr = parseCsr(await generateCsr(spec, key));
    assertSameFields(`CSR ${i}`, csr, referenceCsr(csr.der));
    const signed = await signCertificate(csr, { ...template, isCA: spec.isCA, usages: spec.usages }, { certificate: ca.pem, privateKey: caKey });
    assertSameFields(`certificate ${i}`, signed.certificate, referenceCertificate(signed.certificate.der));
    assertMatchesOpenssl(`certificate ${i}`, signed.certificate);
  }
});

test('CSRs openssl makes, with and without extensions and other attributes, read the same both ways', () => {
  const keyFile = work.write('csr.key', encodePrivateKeyPem(caKey));
  work.write('csr.cnf', ['[req]', 'distinguished_name = dn', 'attributes = attrs', 'string_mask = default', '[dn]', '[attrs]', 'challengePassword = secret123', 'unstructuredName = Acme'].join('\n'));
  const cases: string[][] = [
    ['-subj', '/CN=plain'],
    ['-subj', '/CN=attrs', '-config', 'csr.cnf'],
    ['-utf8', '-subj', '/CN=日本語/O=Zürich', '-config', 'csr.cnf', '-addext', 'subjectAltName=DNS:x.example.com,IP:10.0.0.1,otherName:1.2.3.4;UTF8:v', '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'basicConstraints=critical,CA:TRUE'],
  ];
  for (const [i, args] of cases.entries()) {
    work.openssl(['req', '-new', '-key', keyFile, '-out', `o${i}.csr`, ...args]);
    const csr = parseCsr(work.read(`o${i}.csr`).toString());
    assertSameFields(`openssl CSR ${i}`, csr, referenceCsr(csr.der));
  }
  assert.equal(parseCsr(work.read('o1.csr').toString()).extensions.size, 0, 'attributes other than extensionRequest are skipped');
});

test('names with every string type, non-string values and empty RDNs decode as the ASN.1 path decodes them', () => {
  const attribute = (oid: string, tag: number, content: Buffer) => {
    const oidDer = Buffer.from(new asn1js.ObjectIdentifier({ value: oid }).toBER());
    const value = Buffer.concat([Buffer.from([tag, content.length]), content]);
    const atv = Buffer.concat([Buffer.from([0x30, oidDer.length + value.length]), oidDer, value]);
    return Buffer.concat([Buffer.from([0x31, atv.length]), atv]);
  };
  const rdns = [
    attribute('2.5.4.3', 0x0c, Buffer.from('ütf8', 'utf8')),
    attribute('2.5.4.10', 0x13, Buffer.from('Printable')),
    attribute('2.5.4.11', 0x14, Buffer.from([0x5a, 0xfc])),
    attribute('2.5.4.7', 0x16, Buffer.from('ia5')),
    attribute('2.5.4.8', 0x1e, Buffer.from('00e4006a', 'hex')),
    attribute('2.5.4.9', 0x1c, Buffer.from('000000e40000006a', 'hex')),
    attribute('2.5.4.5', 0x12, Buffer.from('12345')),
    attribute('1.2.3.4', 0x04, Buffer.from([1, 2, 3])),
    attribute('2.5.4.3', 0x0c, Buffer.from([0xc3, 0x28])),
    Buffer.from([0x31, 0x00]),
  ];
  const body = Buffer.concat(rdns);
  const name = Buffer.concat([Buffer.from([0x30, 0x81, body.length]), body]);
  assert.deepEqual(decodeRdnSequence(name), referenceRdns(name));
  assert.equal(decodeRdnSequence(name)[6]![0]!.value, '#12053132333435', 'a NumericString is shown as #hex of its DER');
});

test('PEM decoding matches @peculiar/x509 PemConverter on headers, CRLF, junk and several blocks', () => {
  const der = ca.der;
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n');
  const inputs = [
    ca.pem,
    `junk before\n${ca.pem}between\r\n${encodePem(Buffer.from([1, 2, 3]), 'PRIVATE KEY')}after`,
    ca.pem.replace(/\n/g, '\r\n'),
    `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233\n  continued\n\n${body}-----END RSA PRIVATE KEY-----\n`,
    `-----BEGIN CERTIFICATE-----\n${body}-----END CERTIFICATE REQUEST-----\n${ca.pem}`,
  ];
  for (const [i, input] of inputs.entries()) {
    const ours = decodePemBlocks(input, { maxBytes: 1e6, what: 'test' });
    const theirs = x509.PemConverter.decodeWithHeaders(input);
    assert.deepEqual(
      ours.map((b) => ({ label: b.label, headers: [...b.headers], der: b.der.toString('hex') })),
      theirs.map((s) => ({ label: s.type, headers: s.headers.map((h) => [h.key, h.value]), der: Buffer.from(s.rawData).toString('hex') })),
      `input ${i}`,
    );
  }
  assert.equal(encodePem(der, 'CERTIFICATE'), `${x509.PemConverter.encode(der, 'CERTIFICATE')}\n`);
  assert.equal(encodePem(Buffer.alloc(0), 'X'), `${x509.PemConverter.encode(Buffer.alloc(0), 'X')}\n`);
  assert.throws(() => decodePemBlocks('-----BEGIN X-----\nAAA=A\n-----END X-----\n', { maxBytes: 100, what: 'x' }), (e) => isPkiError(e, 'PEM_MALFORMED'));
});

test('the DER reader is strict where Go is: lengths, tags, booleans, times, trailing bytes', () => {
  const reader = new DerReader('CERTIFICATE_MALFORMED', 'test value');
  const fails = (hex: string, read: (r: DerReader, bytes: Buffer) => unknown = (r, b) => r.single(b)) =>
    assert.throws(() => read(reader, Buffer.from(hex, 'hex')), (e) => isPkiError(e, 'CERTIFICATE_MALFORMED'), hex);
  fails('3080');
  fails('30810100');
  fails('3082000100');
  fails('1f0100');
  fails('30000000');
  fails('3004020100');
  fails('0101ff00');
  fails('010101', (r, b) => r.boolean(r.single(b)));
  fails('02020001', (r, b) => r.integerBytes(r.single(b)));
  fails('0603808001', (r, b) => r.oid(r.single(b)));
  fails('03020801', (r, b) => r.bitString(r.single(b)));
  const time = (text: string, tag = 0x17) => reader.time(reader.single(Buffer.concat([Buffer.from([tag, text.length]), Buffer.from(text, 'latin1')])));
  assert.equal(time('491231235959Z').toISOString(), '2049-12-31T23:59:59.000Z');
  assert.equal(time('500101000000Z').toISOString(), '1950-01-01T00:00:00.000Z');
  assert.equal(time('2601011200Z').toISOString(), '2026-01-01T12:00:00.000Z');
  assert.equal(time('260101120000+0130').toISOString(), '2026-01-01T10:30:00.000Z');
  assert.equal(time('20500101000000.5Z', 0x18).toISOString(), '2050-01-01T00:00:00.500Z');
  for (const bad of ['260230120000Z', '261301120000Z', '2601011200', '26010112000Z', 'abcdefghijklZ']) assert.throws(() => time(bad), (e) => isPkiError(e, 'CERTIFICATE_MALFORMED'), bad);
  assert.equal(reader.oid(reader.single(Buffer.from('06032a0304', 'hex'))), '1.2.3.4');
  const uuidArc = '2.25.329800735698586629295641978511506172918';
  assert.equal(reader.oid(reader.single(Buffer.from(new asn1js.ObjectIdentifier({ value: uuidArc }).toBER()))), uuidArc);
});

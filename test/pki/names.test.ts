import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeRdnSequence,
  encodeRdnSequence,
  formatRdnSequence,
  ipToBytes,
  ipToString,
  isPkiError,
  OID,
  parseLiteralSubject,
  rdnSequenceFromFields,
} from '../../pki/index.js';
import { cidrToBytes } from '../../pki/ip-addresses.js';

const rdn = (...pairs: Array<[string, string]>) => pairs.map(([type, value]) => ({ type, value }));

test('a literal subject keeps its RDNs, reversed into ASN.1 order as cert-manager does', () => {
  const parsed = parseLiteralSubject('CN=*.x.foo-long.bar.com,OU=FooLong,OU=Bar,OU=Baz,OU=Dept.,O=Corp.');
  assert.deepEqual(parsed, [
    rdn([OID.organization, 'Corp.']),
    rdn([OID.organizationalUnit, 'Dept.']),
    rdn([OID.organizationalUnit, 'Baz']),
    rdn([OID.organizationalUnit, 'Bar']),
    rdn([OID.organizationalUnit, 'FooLong']),
    rdn([OID.commonName, '*.x.foo-long.bar.com']),
  ]);
  assert.equal(formatRdnSequence(parsed), 'CN=*.x.foo-long.bar.com,OU=FooLong,OU=Bar,OU=Baz,OU=Dept.,O=Corp.');
});

test('literal subjects: DC and UID, OIDs, multi-valued RDNs, escapes, quotes and spaces', () => {
  assert.deepEqual(parseLiteralSubject('UID=jsmith,DC=example,DC=net'), [
    rdn([OID.domainComponent, 'net']),
    rdn([OID.domainComponent, 'example']),
    rdn([OID.userId, 'jsmith']),
  ]);
  assert.deepEqual(parseLiteralSubject('cn=a+O=b;2.5.4.7=c'), [rdn([OID.locality, 'c']), rdn([OID.commonName, 'a'], [OID.organization, 'b'])]);
  assert.deepEqual(parseLiteralSubject('CN=Smith\\, James\\20,O= Acme \\+ Co '), [rdn([OID.organization, 'Acme + Co']), rdn([OID.commonName, 'Smith, James '])]);
  assert.deepEqual(parseLiteralSubject('CN="a,b+c",O=caf\\C3\\A9'), [rdn([OID.organization, 'café']), rdn([OID.commonName, 'a,b+c'])]);
  assert.deepEqual(parseLiteralSubject(''), []);
});

test('literal subjects cert-manager rejects are SUBJECT_INVALID', () => {
  for (const bad of ['FOO=bar', 'CN=a,', 'CN', 'CN=#0403616263', 'CN=a\\zz', 'CN="open', 'CN=a"b']) {
    assert.throws(() => parseLiteralSubject(bad), (e) => isPkiError(e, 'SUBJECT_INVALID'), bad);
  }
});

test('subject fields follow Go ToRDNSequence order with one RDN per attribute type', () => {
  const rdns = rdnSequenceFromFields(
    { organizations: ['O1', 'O2'], countries: ['DE'], organizationalUnits: ['OU'], localities: ['L'], provinces: ['ST'], streetAddresses: ['S'], postalCodes: ['P'], serialNumber: '42' },
    'cn',
  );
  assert.deepEqual(
    rdns.map((r) => r.map((a) => a.type)),
    [[OID.country], [OID.province], [OID.locality], [OID.streetAddress], [OID.postalCode], [OID.organization, OID.organization], [OID.organizationalUnit], [OID.commonName], [OID.serialNumber]],
  );
  assert.deepEqual(rdnSequenceFromFields(undefined, ''), []);
});

test('encoding uses PrintableString when Go would, UTF8String otherwise, and round-trips', () => {
  const rdns = [rdn([OID.country, 'DE']), rdn([OID.commonName, '*.example.com']), rdn([OID.organization, 'Zürich & Co'])];
  const der = encodeRdnSequence(rdns);
  const hex = der.toString('hex');
  assert.ok(hex.includes('13024445'), 'DE as PrintableString (0x13)');
  assert.ok(hex.includes('0c0d2a2e6578616d706c652e636f6d'), '*.example.com as UTF8String (0x0c): * is not printable');
  assert.deepEqual(decodeRdnSequence(der), rdns);
  assert.equal(encodeRdnSequence([]).toString('hex'), '3000');
});

test('multi-valued RDN members are sorted into DER SET OF order', () => {
  const a = encodeRdnSequence([rdn([OID.organization, 'Org B'], [OID.organization, 'Org A*'])]);
  const b = encodeRdnSequence([rdn([OID.organization, 'Org A*'], [OID.organization, 'Org B'])]);
  assert.deepEqual(a, b);
});

test('printing escapes RFC 4514 specials like Go', () => {
  assert.equal(formatRdnSequence([rdn([OID.commonName, ' a,b+c"d\\e<f>g;h #'])]), 'CN=\\ a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h #');
  assert.equal(formatRdnSequence([rdn([OID.commonName, '#x '])]), 'CN=\\#x\\ ');
  assert.equal(formatRdnSequence([rdn(['1.2.3.4', 'v'])]), '1.2.3.4=v');
});

test('IP addresses convert like Go net.IP', () => {
  assert.equal(ipToBytes('10.0.0.1')!.toString('hex'), '0a000001');
  assert.equal(ipToBytes('::ffff:1.2.3.4')!.toString('hex'), '01020304');
  assert.equal(ipToBytes('2001:db8::1')!.toString('hex'), '20010db8000000000000000000000001');
  assert.equal(ipToBytes('::')!.toString('hex'), '0'.repeat(32));
  assert.equal(ipToBytes('64:ff9b::192.0.2.33')!.toString('hex'), '0064ff9b0000000000000000c0000221');
  for (const bad of ['1.2.3', 'fe80::1%eth0', 'example.com', '1.2.3.256', '']) assert.equal(ipToBytes(bad), undefined, bad);
  assert.equal(ipToString(Buffer.from('20010db8000000000000000000000001', 'hex')), '2001:db8::1');
  assert.equal(ipToString(Buffer.from('20010db8000100000001000000000000', 'hex')), '2001:db8:1:0:1::');
  assert.equal(ipToString(Buffer.from('00000000000000000000ffff01020304', 'hex')), '1.2.3.4');
  assert.equal(ipToString(Buffer.from('00000000000000000000000000000001', 'hex')), '::1');
  assert.equal(cidrToBytes('10.1.2.3/8')!.toString('hex'), '0a000000ff000000');
  assert.equal(cidrToBytes('2001:db8::/32')!.toString('hex'), '20010db8' + '0'.repeat(24) + 'ffffffff' + '0'.repeat(24));
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/x', 'nope/8']) assert.equal(cidrToBytes(bad), undefined, bad);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiteralSubjectError, literalSubjectCommonName, literalSubjectRdnSequence, parseDistinguishedName } from '../../api/literal-subject.js';

const simple = (text: string) => parseDistinguishedName(text).map((rdn) => rdn.map((a) => `${a.type}=${String(a.value)}`).join('+'));

test('RFC 4514 strings parse into RDNs in written order, with OIDs for Go x509 keys', () => {
  assert.deepEqual(simple('CN=*.example.com,OU=FooLong,OU=Bar,O=Corp.,C=US'), ['CN=*.example.com', 'OU=FooLong', 'OU=Bar', 'O=Corp.', 'C=US']);
  const [[cn], [dc1], [dc2], [uid]] = parseDistinguishedName('CN=jsmith,DC=example,DC=net,UID=42');
  assert.equal(cn!.oid, '2.5.4.3');
  assert.equal(dc1!.oid, '0.9.2342.19200300.100.1.25');
  assert.equal(dc2!.value, 'net');
  assert.equal(uid!.oid, '0.9.2342.19200300.100.1.1');
  const keys = ['CN', 'C', 'O', 'OU', 'L', 'ST', 'STREET', 'POSTALCODE', 'SERIALNUMBER', 'DC', 'UID'];
  for (const key of keys) assert.notEqual(parseDistinguishedName(`${key}=x`)[0]![0]!.oid, undefined, key);
  assert.equal(parseDistinguishedName('cn=lower')[0]![0]!.oid, '2.5.4.3');
  assert.equal(parseDistinguishedName('2.5.4.42=John')[0]![0]!.oid, '2.5.4.42');
  assert.equal(parseDistinguishedName('GIVENNAME=John')[0]![0]!.oid, undefined);
});

test('X.509 order is the reverse of the string order', () => {
  assert.deepEqual(
    literalSubjectRdnSequence('CN=leaf,O=Corp,C=US').map((rdn) => rdn[0]!.type),
    ['C', 'O', 'CN'],
  );
});

test('multi-valued RDNs, escapes, hex pairs and spaces around separators', () => {
  assert.deepEqual(simple('CN=a+UID=b,O=c'), ['CN=a+UID=b', 'O=c']);
  assert.deepEqual(simple('O=Smith\\, Jones and Co.,C=GB'), ['O=Smith, Jones and Co.', 'C=GB']);
  assert.deepEqual(simple('CN=\\#hash\\+plus\\=eq\\<\\>\\;\\"\\\\'), ['CN=#hash+plus=eq<>;"\\']);
  assert.deepEqual(simple('CN=caf\\C3\\A9'), ['CN=café']);
  assert.deepEqual(simple('O=jetstack, CN=example.com, 2.5.4.42=John, 2.5.4.4=Doe'), ['O=jetstack', 'CN=example.com', '2.5.4.42=John', '2.5.4.4=Doe']);
  assert.deepEqual(simple('CN=trailing\\ ,O=x'), ['CN=trailing ', 'O=x']);
  assert.deepEqual(simple('CN=  spaced out   '), ['CN=spaced out']);
  assert.deepEqual(simple(''), []);
});

test('#hex values: BER strings decode to text, anything else stays bytes', () => {
  const [[utf8]] = parseDistinguishedName('CN=#0c03666f6f');
  assert.equal(utf8!.value, 'foo');
  const [[printable]] = parseDistinguishedName('CN=#130362617a');
  assert.equal(printable!.value, 'baz');
  const [[integer]] = parseDistinguishedName('CN=#020101');
  assert.deepEqual(integer!.value, Uint8Array.from([2, 1, 1]));
});

test('literalSubjectCommonName finds the CN', () => {
  assert.equal(literalSubjectCommonName(parseDistinguishedName('O=x,CN=found')), 'found');
  assert.equal(literalSubjectCommonName(parseDistinguishedName('O=x')), undefined);
});

test('malformed strings are rejected with a position', () => {
  const cases: [string, RegExp][] = [
    ['CN=foo,', /DN ended with incomplete type, value pair at position 8/],
    ['CN', /attribute type "CN" has no "=" and value/],
    ['=foo', /expected an attribute type/],
    ['C N=foo', /invalid attribute type "C N"/],
    ['CN=a\\zz', /invalid escape sequence/],
    ['CN=a"b', /unescaped """ in value/],
    ['CN=#abc', /even number of hex digits/],
    ['CN=\\ff', /not valid UTF-8/],
    ['CN=a,,O=b', /expected an attribute type/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseDistinguishedName(text), (e: unknown) => e instanceof LiteralSubjectError && message.test(e.message), text);
  }
});

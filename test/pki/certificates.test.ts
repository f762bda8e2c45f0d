import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  ariCertId,
  encodePem,
  generateCsr,
  generatePrivateKey,
  isPkiError,
  MAX_CERTIFICATE_BUNDLE_SIZE,
  MAX_CERTIFICATE_CHAIN_LENGTH,
  MAX_CERTIFICATE_SIZE,
  OID,
  parseCertificate,
  parseCertificateBundle,
  parseCertificateChain,
  selfSignCertificate,
} from '../../pki/index.js';
import { Workdir } from './openssl.js';

const work = new Workdir();
after(() => work.remove());

function opensslCertificate(): string {
  work.write(
    'ext.cnf',
    [
      '[req]',
      'distinguished_name = dn',
      '[dn]',
      '[ext]',
      'basicConstraints = critical,CA:TRUE,pathlen:1',
      'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
      'extendedKeyUsage = serverAuth,clientAuth,codeSigning,1.2.3.4',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid:always',
      'subjectAltName = DNS:a.example.com,DNS:*.b.example.com,IP:192.0.2.7,IP:2001:db8::1,email:x@example.com,URI:spiffe://td/x,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:upn@example.com,otherName:1.2.3.4;IA5STRING:ia5',
      'crlDistributionPoints = URI:http://crl.example.com/a.crl',
      'authorityInfoAccess = OCSP;URI:http://ocsp.example.com,caIssuers;URI:http://ca.example.com/ca.crt',
    ].join('\n'),
  );
  work.openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', 'o.key', '-out', 'o.crt',
    '-subj', '/C=DE/ST=Berlin/L=Berlin/O=Acme/O=Acme Two/OU=Ops/CN=openssl.example.com/serialNumber=1234',
    '-days', '30', '-set_serial', '0x87654321', '-config', 'ext.cnf', '-extensions', 'ext',
  ]);
  return work.read('o.crt').toString();
}

test('certificates openssl makes parse field by field', () => {
  const pem = opensslCertificate();
  const c = parseCertificate(pem);
  const fingerprint = work.openssl(['x509', '-in', 'o.crt', '-noout', '-fingerprint', '-sha256']).trim().split('=')[1]!;
  assert.equal(c.fingerprintSha256, fingerprint.replace(/:/g, '').toLowerCase());
  assert.equal(c.serialNumber, '87654321');
  assert.equal(c.serialNumberBytes.toString('hex'), '0087654321');
  const dates = work.openssl(['x509', '-in', 'o.crt', '-noout', '-startdate', '-enddate']);
  assert.equal(c.notBefore.getTime(), new Date(/notBefore=(.*)/.exec(dates)![1]!).getTime());
  assert.equal(c.notAfter.getTime() - c.notBefore.getTime(), 30 * 86400e3);
  assert.equal(c.subject, 'SERIALNUMBER=1234,CN=openssl.example.com,OU=Ops,O=Acme Two,O=Acme,L=Berlin,ST=Berlin,C=DE');
  assert.equal(c.issuer, c.subject);
  assert.equal(c.selfIssued, true);
  assert.deepEqual(c.subjectRdns[4], [{ type: OID.organization, value: 'Acme Two' }]);
  assert.deepEqual(c.subjectFields.organizations, ['Acme', 'Acme Two']);
  assert.equal(c.commonName, 'openssl.example.com');
  assert.equal(c.subjectFields.serialNumber, '1234');
  assert.deepEqual(c.dnsNames, ['a.example.com', '*.b.example.com']);
  assert.deepEqual(c.ipAddresses, ['192.0.2.7', '2001:db8::1']);
  assert.deepEqual(c.emailAddresses, ['x@example.com']);
  assert.deepEqual(c.uris, ['spiffe://td/x']);
  assert.deepEqual(c.otherNames, [{ oid: '1.3.6.1.4.1.311.20.2.3', utf8Value: 'upn@example.com' }, { oid: '1.2.3.4' }]);
  assert.equal(c.isCA, true);
  assert.deepEqual(c.usages.sort(), ['cert sign', 'client auth', 'code signing', 'crl sign', 'digital signature', 'server auth']);
  assert.ok(c.extKeyUsages.includes('1.2.3.4'), 'unknown EKUs stay in the OID list');
  const ski = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(work.openssl(['x509', '-in', 'o.crt', '-noout', '-text']))![1]!;
  assert.equal(c.subjectKeyId!.toString('hex'), ski.replace(/:/g, '').toLowerCase());
  assert.deepEqual(c.authorityKeyId, c.subjectKeyId);
  assert.deepEqual(c.crlDistributionPoints, ['http://crl.example.com/a.crl']);
  assert.deepEqual(c.ocspServers, ['http://ocsp.example.com']);
  assert.deepEqual(c.issuingCertificateUrls, ['http://ca.example.com/ca.crt']);
  assert.deepEqual(c.publicKey, { algorithm: 'ECDSA', size: 384, curve: 'P-384' });
  const der = work.openssl(['x509', '-in', 'o.crt', '-outform', 'DER']);
  assert.equal(der.length > 0, true);
  assert.deepEqual(parseCertificate(c.der).fingerprintSha256, c.fingerprintSha256);
});

test('ARI CertID is base64url(AKI keyIdentifier).base64url(serial octets) (RFC 9773 example)', () => {
  const example = { authorityKeyId: Buffer.from('69885B6B87464041E1B37B847BA0AE2CDE01C8D4', 'hex'), serialNumberBytes: Buffer.from('0087654321', 'hex') };
  assert.equal(ariCertId(example), 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
  const c = parseCertificate(opensslCertificate());
  assert.equal(ariCertId(c), `${c.authorityKeyId!.toString('base64url')}.AIdlQyE`);
  assert.throws(() => ariCertId({ serialNumberBytes: Buffer.from([1]) }), (e) => isPkiError(e, 'CERTIFICATE_MALFORMED'));
});

test('bundles and chains parse every certificate; other PEM blocks are skipped', async () => {
  const key = await generatePrivateKey({ algorithm: 'Ed25519' });
  const a = (await selfSignCertificate(await generateCsr({ commonName: 'a' }, key), {}, key)).certificate;
  const b = (await selfSignCertificate(await generateCsr({ commonName: 'b' }, key), {}, key)).certificate;
  const text = `junk\n${a.pem}${encodePem(Buffer.from([1, 2, 3]), 'PRIVATE KEY')}${b.pem}`;
  assert.deepEqual(parseCertificateBundle(text).map((c) => c.commonName), ['a', 'b']);
  assert.deepEqual(parseCertificateChain(text).map((c) => c.commonName), ['a', 'b']);
  assert.equal(parseCertificate(text).commonName, 'a');
});

test('size limits of cert-manager apply: certificate, chain and bundle', async () => {
  const key = await generatePrivateKey({ algorithm: 'Ed25519' });
  const pem = (await selfSignCertificate(await generateCsr({ commonName: 'a' }, key), {}, key)).certificate.pem;
  const repeat = (limit: number) => pem.repeat(Math.ceil((limit + 1) / pem.length));
  assert.throws(() => parseCertificate(pem + ' '.repeat(MAX_CERTIFICATE_SIZE)), (e) => isPkiError(e, 'PEM_TOO_LARGE'));
  assert.equal(parseCertificateChain(repeat(MAX_CERTIFICATE_SIZE)).length > 1, true, 'a chain may exceed one certificate size');
  assert.throws(() => parseCertificateChain(repeat(MAX_CERTIFICATE_CHAIN_LENGTH)), (e) => isPkiError(e, 'PEM_TOO_LARGE'));
  assert.ok(parseCertificateBundle(repeat(MAX_CERTIFICATE_CHAIN_LENGTH)).length > 1);
  assert.throws(() => parseCertificateBundle(repeat(MAX_CERTIFICATE_BUNDLE_SIZE)), (e) => isPkiError(e, 'PEM_TOO_LARGE'));
  const huge = encodePem(Buffer.alloc(MAX_CERTIFICATE_SIZE + 10, 0x30), 'CERTIFICATE');
  assert.throws(() => parseCertificateBundle(huge), (e) => isPkiError(e, 'PEM_TOO_LARGE'));
  assert.throws(() => parseCertificate('no pem here'), (e) => isPkiError(e, 'PEM_MALFORMED'));
  assert.throws(() => parseCertificate(encodePem(Buffer.from([1, 2, 3]), 'PRIVATE KEY')), (e) => isPkiError(e, 'PEM_UNEXPECTED_TYPE'));
});

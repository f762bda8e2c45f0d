import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCertificate } from '../../api/validation/index.js';
import type { CertificateSpec } from '../../api/types.js';
import { certificate, messages } from './builders.js';

const check = (spec: Partial<CertificateSpec>) => messages(validateCertificate(certificate(spec)));

const DNS1123 =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

test('a minimal Certificate is valid', () => {
  assert.deepEqual(check({}), []);
});

test('1. secretName is required and must be a DNS subdomain', () => {
  assert.deepEqual(check({ secretName: '' }), ['spec.secretName: Required value: must be specified']);
  assert.deepEqual(check({ secretName: 'My_Secret' }), [`spec.secretName: Invalid value: "My_Secret": ${DNS1123}`]);
  const missing = certificate();
  delete (missing.spec as Partial<CertificateSpec>).secretName;
  assert.deepEqual(messages(validateCertificate(missing)), ['spec.secretName: Required value: must be specified']);
});

test('2. issuerRef needs a name, and a cert-manager.io kind of Issuer or ClusterIssuer', () => {
  assert.deepEqual(check({ issuerRef: { name: '' } }), ['spec.issuerRef.name: Required value: must be specified']);
  assert.deepEqual(check({ issuerRef: { name: 'x', kind: 'AWSPCAClusterIssuer' } }), [
    'spec.issuerRef.kind: Invalid value: "AWSPCAClusterIssuer": must be one of Issuer or ClusterIssuer (did you forget to set spec.issuerRef.group?)',
  ]);
  assert.deepEqual(check({ issuerRef: { name: 'x', kind: 'Foo', group: 'cert-manager.io' } }), [
    'spec.issuerRef.kind: Invalid value: "Foo": must be one of Issuer or ClusterIssuer',
  ]);
  assert.deepEqual(check({ issuerRef: { name: 'x', kind: 'AWSPCAClusterIssuer', group: 'awspca.cert-manager.io' } }), []);
  assert.deepEqual(check({ issuerRef: { name: 'x', kind: 'ClusterIssuer' } }), []);
});

test('3. literalSubject excludes commonName and subject, must parse and use known keys', () => {
  assert.deepEqual(check({ literalSubject: 'CN=foo,O=Corp', commonName: 'foo', dnsNames: [] }), [
    'spec.commonName: Invalid value: "foo": When providing a `LiteralSubject` no `commonName` may be provided.',
  ]);
  assert.deepEqual(check({ literalSubject: 'CN=foo', subject: { organizations: ['Corp'] } }), [
    'spec.subject: Invalid value: {"organizations":["Corp"]}: When providing a `LiteralSubject` no `Subject` properties may be provided.',
  ]);
  const invalidDN = 'literal subject is not a valid RFC 4514 distinguished name';
  assert.deepEqual(check({ literalSubject: 'CN=foo,FOO=bar' }), [
    `spec.literalSubject: Invalid value: "CN=foo,FOO=bar": ${invalidDN}: unknown attribute type "FOO"`,
  ]);
  assert.deepEqual(check({ literalSubject: 'CN=foo,' }), [`spec.literalSubject: Invalid value: "CN=foo,": ${invalidDN}: it ends with a separator`]);
  assert.deepEqual(check({ literalSubject: 'CN=#020101' }), [
    `spec.literalSubject: Invalid value: "CN=#020101": ${invalidDN}: hex-encoded (#) attribute values are not supported`,
  ]);
  assert.deepEqual(check({ literalSubject: 'O=jetstack, CN=example.com, 2.5.4.42=John, 2.5.4.4=Doe' }), []);
  assert.deepEqual(check({ literalSubject: 'CN=*.example.com,OU=FooLong,OU=Bar,OU=Baz,OU=Dept.,O=Corp.' }), []);
  assert.deepEqual(check({ literalSubject: 'UID=jsmith,DC=example,DC=net,1.2.3.4=x' }), []);
});

test('4. at least one identity is required; a CN from literalSubject counts', () => {
  assert.deepEqual(check({ dnsNames: [] }), [
    'spec: Invalid value: "": at least one of commonName (from the commonName field or from a literalSubject), dnsNames, emailSANs, ipAddresses, otherNames, or uriSANs must be set',
  ]);
  assert.deepEqual(check({ dnsNames: [], literalSubject: 'CN=only-a-cn,O=Corp' }), []);
  for (const identity of [
    { commonName: 'cn' },
    { uris: ['spiffe://cluster.local/ns/sandbox/sa/foo'] },
    { emailAddresses: ['alice@example.com'] },
    { ipAddresses: ['127.0.0.1'] },
    { otherNames: [{ oid: '1.3.6.1.4.1.311.20.2.3', utf8Value: 'upn@domain.test' }] },
  ]) {
    assert.deepEqual(check({ dnsNames: [], ...identity }), [], JSON.stringify(identity));
  }
});

test('5. commonName is at most 64 characters, also inside literalSubject', () => {
  assert.deepEqual(check({ commonName: 'a'.repeat(64) }), []);
  assert.deepEqual(check({ commonName: 'a'.repeat(65) }), ['spec.commonName: Too long: may not be more than 64 bytes']);
  assert.deepEqual(check({ literalSubject: `CN=${'b'.repeat(65)}` }), ['spec.commonName: Too long: may not be more than 64 bytes']);
});

test('6. IP addresses parse, emails are bare addresses, otherNames have an OID and a value', () => {
  assert.deepEqual(check({ ipAddresses: ['10.0.0.1', '::1', '2001:db8::1', '300.1.1.1', 'fe80::1%eth0'] }), [
    'spec.ipAddresses[3]: Invalid value: "300.1.1.1": invalid IP address',
    'spec.ipAddresses[4]: Invalid value: "fe80::1%eth0": invalid IP address',
  ]);
  assert.deepEqual(check({ emailAddresses: ['alice@example.com', 'Alice <alice@example.com>', 'alice'] }), [
    'spec.emailAddresses[1]: Invalid value: "Alice <alice@example.com>": invalid email address: make sure the supplied value only contains the email address itself',
    'spec.emailAddresses[2]: Invalid value: "alice": invalid email address: mail: missing \'@\' or angle-addr',
  ]);
  assert.deepEqual(check({ otherNames: [{ utf8Value: 'x' }, { oid: 'not.an.oid', utf8Value: 'x' }, { oid: '1.2.3' }] }), [
    'spec.otherNames[0].oid: Required value: must be specified',
    'spec.otherNames[1].oid: Invalid value: "not.an.oid": invalid oid syntax',
    'spec.otherNames[2].utf8Value: Required value: must be set to a valid non-empty UTF8 string',
  ]);
  assert.deepEqual(check({ uris: ['spiffe://cluster.local/ns/a/sa/b', 'not a uri'] }), [
    'spec.uris[1]: Invalid value: "not a uri": must be an absolute URI with a scheme, e.g. spiffe://cluster.local/ns/default/sa/app',
  ]);
});

test('7. private key size fits the algorithm and signatureAlgorithm fits the key', () => {
  assert.deepEqual(check({ privateKey: { size: 1024 } }), ['spec.privateKey.size: Invalid value: 1024: must be between 2048 and 8192 for rsa keyAlgorithm']);
  assert.deepEqual(check({ privateKey: { algorithm: 'RSA', size: 9000 } }), [
    'spec.privateKey.size: Invalid value: 9000: must be between 2048 and 8192 for rsa keyAlgorithm',
  ]);
  // Any RSA size in 2048–8192 is accepted, not only 2048/4096/8192 (reference §10).
  assert.deepEqual(check({ privateKey: { algorithm: 'RSA', size: 3072 } }), []);
  assert.deepEqual(check({ privateKey: { algorithm: 'ECDSA', size: 300 } }), [
    'spec.privateKey.size: Unsupported value: 300: supported values: "256", "384", "521"',
  ]);
  assert.deepEqual(check({ privateKey: { algorithm: 'ECDSA', size: 521 } }), []);
  assert.deepEqual(check({ privateKey: { algorithm: 'Ed25519', size: 12345 } }), []);
  assert.deepEqual(check({ privateKey: { algorithm: 'DSA' as 'RSA' } }), [
    'spec.privateKey.algorithm: Unsupported value: "DSA": supported values: "RSA", "ECDSA", "Ed25519"',
  ]);
  assert.deepEqual(check({ signatureAlgorithm: 'ECDSAWithSHA256' }), [
    'spec.signatureAlgorithm: Invalid value: "ECDSAWithSHA256": for key algorithm RSA the allowed signature algorithms are [SHA256WithRSA SHA384WithRSA SHA512WithRSA]',
  ]);
  assert.deepEqual(check({ privateKey: { algorithm: 'Ed25519' }, signatureAlgorithm: 'SHA256WithRSA' }), [
    'spec.signatureAlgorithm: Invalid value: "SHA256WithRSA": for key algorithm Ed25519 the allowed signature algorithms are [PureEd25519]',
  ]);
  assert.deepEqual(check({ privateKey: { algorithm: 'ECDSA', size: 384 }, signatureAlgorithm: 'ECDSAWithSHA384' }), []);
  assert.deepEqual(check({ privateKey: { encoding: 'PKCS12' as 'PKCS8' } }), [
    'spec.privateKey.encoding: Unsupported value: "PKCS12": supported values: "PKCS1", "PKCS8"',
  ]);
});

test('8. duration at least 1h, renewBefore at least 5m and below duration, exclusive with the percentage', () => {
  assert.deepEqual(check({ duration: '30m' }), ['spec.duration: Invalid value: "30m": certificate duration must be at least 1h0m0s']);
  assert.deepEqual(check({ duration: '1h' }), []);
  assert.deepEqual(check({ renewBefore: '1m' }), ['spec.renewBefore: Invalid value: "1m": certificate renewBefore must be at least 5m0s']);
  assert.deepEqual(check({ duration: '2h', renewBefore: '2h' }), [
    'spec.renewBefore: Invalid value: "2h": certificate duration 2h0m0s must be greater than renewBefore 2h0m0s',
  ]);
  // Without duration the 90-day default is the bound.
  assert.deepEqual(check({ renewBefore: '2200h' }), [
    'spec.renewBefore: Invalid value: "2200h": certificate duration 2160h0m0s must be greater than renewBefore 2200h0m0s',
  ]);
  assert.deepEqual(check({ duration: '24h', renewBefore: '1h', renewBeforePercentage: 50 }), [
    'spec.renewBefore: Invalid value: "1h": renewBefore and renewBeforePercentage are mutually exclusive and cannot both be set',
    'spec.renewBeforePercentage: Invalid value: 50: renewBefore and renewBeforePercentage are mutually exclusive and cannot both be set',
  ]);
  assert.deepEqual(check({ duration: 'ten days' }), ['spec.duration: Invalid value: "ten days": time: invalid duration "ten days"']);
  assert.deepEqual(check({ duration: '2160h', renewBefore: '360h' }), []);
});

test('8. renewBeforePercentage is checked as duration × (100 − pct) / 100, only next to duration or renewBefore', () => {
  assert.deepEqual(check({ duration: '1h', renewBeforePercentage: 95 }), [
    'spec.renewBeforePercentage: Invalid value: 95: certificate renewBeforePercentage must result in a renewBefore of at least 5m0s',
  ]);
  assert.deepEqual(check({ duration: '1h', renewBeforePercentage: 0 }), [
    'spec.renewBeforePercentage: Invalid value: 0: certificate renewBeforePercentage must result in a renewBefore less than duration',
  ]);
  assert.deepEqual(check({ duration: '1h', renewBeforePercentage: 50 }), []);
  // Reference §10: without duration or renewBefore the percentage is not range-checked at all.
  assert.deepEqual(check({ renewBeforePercentage: 0 }), []);
  assert.deepEqual(check({ renewBeforePercentage: 150 }), []);
});

test('9. usages must be known; revisionHistoryLimit at least 1', () => {
  assert.deepEqual(check({ usages: ['server auth', 'client auth', 's/mime', 'signing'] }), []);
  const [unknown] = check({ usages: ['server auth', 'frobnicate' as 'any'] });
  assert.match(unknown!, /^spec\.usages\[1\]: Unsupported value: "frobnicate": supported values: "signing", "digital signature", /);
  assert.deepEqual(check({ revisionHistoryLimit: 0 }), ['spec.revisionHistoryLimit: Invalid value: 0: must not be less than 1']);
  assert.deepEqual(check({ revisionHistoryLimit: 1 }), []);
});

test('10. secretTemplate labels and annotations use Kubernetes syntax and no cert-manager.io/ annotations', () => {
  assert.deepEqual(check({ secretTemplate: { labels: { 'app.kubernetes.io/name': 'web' }, annotations: { 'cert-manager.io/allow-direct-injection': 'true' } } }), []);
  assert.deepEqual(check({ secretTemplate: { annotations: { 'cert-manager.io/issuer-name': 'x' } } }), [
    'spec.secretTemplate.annotations: Invalid value: "cert-manager.io/issuer-name": cert-manager.io/* annotations are not allowed',
  ]);
  assert.deepEqual(check({ secretTemplate: { labels: { 'bad key!': 'v', ok: 'bad value!' } } }), [
    `spec.secretTemplate.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    `spec.secretTemplate.labels: Invalid value: "bad value!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
  ]);
  assert.deepEqual(check({ secretTemplate: { annotations: { 'a/b/c': 'x' } } }), [
    `spec.secretTemplate.annotations: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  ]);
});

test('11. nameConstraints need isCA, permitted or excluded, and valid CIDRs', () => {
  assert.deepEqual(check({ isCA: true, nameConstraints: { critical: true, permitted: { dnsDomains: ['example.com'], ipRanges: ['10.0.0.0/8', '2001:db8::/32'] } } }), []);
  assert.deepEqual(check({ nameConstraints: { excluded: { dnsDomains: ['bad.example'] } } }), [
    'spec.nameConstraints: Invalid value: {"excluded":{"dnsDomains":["bad.example"]}}: isCa should be true when nameConstraints is set',
  ]);
  assert.deepEqual(check({ isCA: true, nameConstraints: { critical: true } }), [
    'spec.nameConstraints: Invalid value: {"critical":true}: either permitted or excluded must be set',
  ]);
  assert.deepEqual(check({ isCA: true, nameConstraints: { permitted: { ipRanges: ['10.0.0.0/33', '10.0.0.1'] } } }), [
    'spec.nameConstraints.permitted.ipRanges[0]: Invalid value: "10.0.0.0/33": must be a valid CIDR, e.g. 10.0.0.0/8 or 2001:db8::/32',
    'spec.nameConstraints.permitted.ipRanges[1]: Invalid value: "10.0.0.1": must be a valid CIDR, e.g. 10.0.0.0/8 or 2001:db8::/32',
  ]);
});

test('12. additionalOutputFormats types are unique', () => {
  assert.deepEqual(check({ additionalOutputFormats: [{ type: 'DER' }, { type: 'CombinedPEM' }] }), []);
  assert.deepEqual(check({ additionalOutputFormats: [{ type: 'DER' }, { type: 'DER' }] }), [
    'spec.additionalOutputFormats[type]: Duplicate value: "DER"',
  ]);
});

test('13. keystores take exactly one non-empty password source', () => {
  const ref = { name: 'keystore-pass', key: 'password' };
  assert.deepEqual(check({ keystores: { jks: { create: true, passwordSecretRef: ref, alias: 'web' }, pkcs12: { create: true, password: 'changeit', profile: 'Modern2026' } } }), []);
  assert.deepEqual(check({ keystores: { jks: { create: true, password: 'x', passwordSecretRef: ref } } }), [
    'spec.keystores.jks: Forbidden: exactly one of passwordSecretRef and password must be provided for JKS keystores; cannot set both',
  ]);
  assert.deepEqual(check({ keystores: { pkcs12: { create: true } } }), [
    'spec.keystores.pkcs12: Forbidden: must set exactly one of passwordSecretRef and password for PKCS#12 keystores',
  ]);
  assert.deepEqual(check({ keystores: { pkcs12: { create: true, password: '' } } }), [
    'spec.keystores.pkcs12.password: Forbidden: literal password cannot be empty if set on PKCS#12 keystores',
  ]);
  assert.deepEqual(check({ keystores: { pkcs12: { create: true, password: 'x', profile: 'Modern2030' as 'Modern2026' } } }), [
    'spec.keystores.pkcs12.profile: Unsupported value: "Modern2030": supported values: "LegacyRC2", "LegacyDES", "Modern2023", "Modern2026"',
  ]);
  assert.deepEqual(check({ keystores: { jks: { create: true, passwordSecretRef: { name: 'p' } } } }), [
    'spec.keystores.jks.passwordSecretRef.key: Required value: secret key is required',
  ]);
});

test('14. renewal windows: forbidden when Disabled, IANA timezone, 5-field cron, a duration', () => {
  const window = { cron: '0 2 * * 1-5', windowDuration: '4h', timezone: 'Europe/London' };
  assert.deepEqual(check({ renewal: { policy: 'RenewBefore', windows: [window, { cron: '*/30 * * * *', windowDuration: '1.5h' }] } }), []);
  assert.deepEqual(check({ renewal: { policy: 'Disabled' } }), []);
  assert.deepEqual(check({ renewal: { policy: 'Disabled', windows: [window] } }), [
    'spec.renewal.windows: Forbidden: windows cannot be set when `renewal.policy` is set to Disabled',
  ]);
  assert.deepEqual(check({ renewal: { windows: [{ ...window, timezone: 'Mars/Olympus' }] } }), [
    'spec.renewal.windows[0].timezone: Invalid value: "Mars/Olympus": invalid value for timezone. timezone must be IANA compliant',
  ]);
  assert.deepEqual(check({ renewal: { windows: [{ ...window, timezone: 'europe/london' }] } }), [
    'spec.renewal.windows[0].timezone: Invalid value: "europe/london": invalid value for timezone. timezone must be IANA compliant',
  ]);
  assert.deepEqual(check({ renewal: { windows: [{ ...window, cron: '0 0 2 * * *' }] } }), [
    'spec.renewal.windows[0].cron: Invalid value: "0 0 2 * * *": invalid cron syntax: expected exactly 5 fields, found 6: "0 0 2 * * *". cron needs to follow: cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow',
  ]);
  assert.deepEqual(check({ renewal: { windows: [{ ...window, cron: '61 * * * *' }] } }), [
    'spec.renewal.windows[0].cron: Invalid value: "61 * * * *": invalid cron syntax: 61 is a invalid expression for minute. cron needs to follow: cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow',
  ]);
  assert.deepEqual(check({ renewal: { windows: [{ ...window, windowDuration: '1d' }] } }), [
    "spec.renewal.windows[0].windowDuration: Invalid value: \"1d\": spec.renewal.windows[0].windowDuration in body should match '^([0-9]+(\\.[0-9]+)?(s|m|h))+$'",
  ]);
  assert.deepEqual(check({ renewal: { windows: [{ ...window, windowDuration: '0s' }] } }), [
    'spec.renewal.windows[0].windowDuration: Required value: windowDuration must be specified and should be greater than 0',
  ]);
  assert.deepEqual(check({ renewal: { policy: 'Sometimes' as 'Disabled' } }), [
    'spec.renewal.policy: Unsupported value: "Sometimes": supported values: "RenewBefore", "Disabled"',
  ]);
});

test('every error is returned in one call', () => {
  const errors = check({
    secretName: '',
    issuerRef: { name: '' },
    dnsNames: [],
    ipAddresses: ['nope'],
    duration: '10m',
    renewBefore: '1m',
    revisionHistoryLimit: 0,
    additionalOutputFormats: [{ type: 'DER' }, { type: 'DER' }],
  });
  assert.deepEqual(errors, [
    'spec.secretName: Required value: must be specified',
    'spec.issuerRef.name: Required value: must be specified',
    'spec.ipAddresses[0]: Invalid value: "nope": invalid IP address',
    'spec.duration: Invalid value: "10m": certificate duration must be at least 1h0m0s',
    'spec.renewBefore: Invalid value: "1m": certificate renewBefore must be at least 5m0s',
    'spec.revisionHistoryLimit: Invalid value: 0: must not be less than 1',
    'spec.additionalOutputFormats[type]: Duplicate value: "DER"',
  ]);
});

test('schema errors come with semantic ones; wrong types never crash the rules', () => {
  const bad = certificate({ isCA: 'yes' as unknown as boolean, dnsNames: 'example.com' as unknown as string[], duration: '10m' });
  assert.deepEqual(messages(validateCertificate(bad)), [
    'spec.dnsNames: Invalid value: "string": spec.dnsNames in body must be of type array: "string"',
    'spec.isCA: Invalid value: "string": spec.isCA in body must be of type boolean: "string"',
    'spec.duration: Invalid value: "10m": certificate duration must be at least 1h0m0s',
  ]);
  assert.deepEqual(messages(validateCertificate({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: {}, spec: 42 })), [
    'spec: Invalid value: "integer": spec in body must be of type object: "integer"',
  ]);
  assert.deepEqual(messages(validateCertificate(null)), ['<root>: Invalid value: "null": <root> in body must be of type object: "null"']);
  assert.deepEqual(messages(validateCertificate({ ...certificate(), kind: 'Issuer' })), ['kind: Unsupported value: "Issuer": supported values: "Certificate"']);
});

test('updates run the same rules as creates', () => {
  const old = certificate();
  assert.deepEqual(messages(validateCertificate(certificate({ dnsNames: ['a.example.com', 'b.example.com'] }), old)), []);
  assert.deepEqual(messages(validateCertificate(certificate({ duration: '5m' }), old)), [
    'spec.duration: Invalid value: "5m": certificate duration must be at least 1h0m0s',
  ]);
});

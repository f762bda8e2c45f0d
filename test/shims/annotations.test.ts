import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CertificateSpec } from '../../api/types.js';
import { BadConfigError, issuerForIngressLike, translateAnnotations } from '../../controller/shim/annotations.js';
import { splitWithEscapeCsv } from '../../controller/shim/csv.js';
import { joinWithEscapeCsv } from '../../controller/certificates/secret-layout.js';

const base = (): CertificateSpec => ({
  dnsNames: ['example.com'],
  secretName: 'example-tls',
  issuerRef: { name: 'ca', kind: 'Issuer', group: 'cert-manager.io' },
  usages: ['digital signature', 'key encipherment'],
});

test('every field annotation lands in the spec', () => {
  const spec = translateAnnotations(base(), {
    'cert-manager.io/common-name': 'example.com',
    'cert-manager.io/alt-names': 'www.example.com, example.com',
    'cert-manager.io/ip-sans': '10.0.0.1, ::1',
    'cert-manager.io/email-sans': 'a@example.com,b@example.com',
    'cert-manager.io/subject-organizations': '"Acme, Inc",Example',
    'cert-manager.io/subject-organizationalunits': 'Ops',
    'cert-manager.io/subject-countries': 'DE',
    'cert-manager.io/subject-provinces': 'Berlin',
    'cert-manager.io/subject-localities': 'Berlin',
    'cert-manager.io/subject-postalcodes': '10115',
    'cert-manager.io/subject-streetaddresses': '"Str. 1, Hof"',
    'cert-manager.io/subject-serialnumber': '1234',
    'cert-manager.io/duration': '999h',
    'cert-manager.io/renew-before': '111h',
    'cert-manager.io/usages': 'digital signature, server auth',
    'cert-manager.io/revision-history-limit': '7',
    'cert-manager.io/private-key-algorithm': 'RSA',
    'cert-manager.io/private-key-encoding': 'PKCS1',
    'cert-manager.io/private-key-size': '4096',
    'cert-manager.io/private-key-rotation-policy': 'Always',
    'cert-manager.io/secret-template': '{"labels":{"team":"a"},"annotations":{"note":"x"}}',
  });
  assert.deepEqual(spec, {
    ...base(),
    commonName: 'example.com',
    dnsNames: ['example.com', 'www.example.com'],
    ipAddresses: ['10.0.0.1', '::1'],
    emailAddresses: ['a@example.com', 'b@example.com'],
    subject: {
      organizations: ['Acme, Inc', 'Example'],
      organizationalUnits: ['Ops'],
      countries: ['DE'],
      provinces: ['Berlin'],
      localities: ['Berlin'],
      postalCodes: ['10115'],
      streetAddresses: ['Str. 1, Hof'],
      serialNumber: '1234',
    },
    duration: '999h',
    renewBefore: '111h',
    usages: ['digital signature', 'server auth'],
    revisionHistoryLimit: 7,
    privateKey: { algorithm: 'RSA', encoding: 'PKCS1', size: 4096, rotationPolicy: 'Always' },
    secretTemplate: { labels: { team: 'a' }, annotations: { note: 'x' } },
  });
});

test('renew-before-percentage and ECDSA key sizes', () => {
  const spec = translateAnnotations(base(), {
    'cert-manager.io/renew-before-percentage': '30',
    'cert-manager.io/private-key-algorithm': 'ECDSA',
    'cert-manager.io/private-key-size': '384',
  });
  assert.equal(spec.renewBeforePercentage, 30);
  assert.deepEqual(spec.privateKey, { algorithm: 'ECDSA', size: 384 });
});

/** Each bad annotation and the exact BadConfig message it gives. */
const badAnnotations: Array<[Record<string, string>, string]> = [
  [{ 'cert-manager.io/duration': 'abc' }, 'invalid ingress annotation "cert-manager.io/duration": time: invalid duration "abc"'],
  [{ 'cert-manager.io/duration': '10' }, 'invalid ingress annotation "cert-manager.io/duration": time: missing unit in duration "10"'],
  [
    { 'cert-manager.io/duration': '30m' },
    'invalid ingress annotation "cert-manager.io/duration": spec.duration: Invalid value: "30m": certificate duration must be at least 1h0m0s',
  ],
  [{ 'cert-manager.io/renew-before': '1x' }, 'invalid ingress annotation "cert-manager.io/renew-before": time: unknown unit "x" in duration "1x"'],
  [
    { 'cert-manager.io/renew-before': '1m' },
    'invalid ingress annotation "cert-manager.io/renew-before": spec.renewBefore: Invalid value: "1m": certificate renewBefore must be at least 5m0s',
  ],
  [
    { 'cert-manager.io/renew-before-percentage': 'ten' },
    'invalid ingress annotation "cert-manager.io/renew-before-percentage": strconv.ParseInt: parsing "ten": invalid syntax',
  ],
  [{ 'cert-manager.io/usages': 'server auth, flying' }, 'invalid ingress annotation "cert-manager.io/usages": invalid key usage name "flying"'],
  [
    { 'cert-manager.io/revision-history-limit': '0' },
    'invalid ingress annotation "cert-manager.io/revision-history-limit": revision history limit must be a positive number "0"',
  ],
  [
    { 'cert-manager.io/revision-history-limit': '99999999999' },
    'invalid ingress annotation "cert-manager.io/revision-history-limit": strconv.ParseInt: parsing "99999999999": value out of range',
  ],
  [{ 'cert-manager.io/private-key-algorithm': 'DSA' }, 'invalid ingress annotation "cert-manager.io/private-key-algorithm": invalid private key algorithm "DSA"'],
  [{ 'cert-manager.io/private-key-encoding': 'PEM' }, 'invalid ingress annotation "cert-manager.io/private-key-encoding": invalid private key encoding "PEM"'],
  [{ 'cert-manager.io/private-key-size': 'big' }, 'invalid ingress annotation "cert-manager.io/private-key-size": strconv.Atoi: parsing "big": invalid syntax'],
  [{ 'cert-manager.io/private-key-size': '1024' }, 'invalid ingress annotation "cert-manager.io/private-key-size": invalid private key size for RSA algorithm "1024"'],
  [
    { 'cert-manager.io/private-key-algorithm': 'ECDSA', 'cert-manager.io/private-key-size': '2048' },
    'invalid ingress annotation "cert-manager.io/private-key-size": invalid private key size for ECDSA algorithm "2048"',
  ],
  [
    { 'cert-manager.io/private-key-rotation-policy': 'Sometimes' },
    'invalid ingress annotation "cert-manager.io/private-key-rotation-policy": invalid private key rotation policy "Sometimes"',
  ],
  [{ 'cert-manager.io/ip-sans': '10.0.0.1,example.com' }, 'invalid ingress annotation "cert-manager.io/ip-sans": invalid IP address "example.com"'],
  [
    { 'cert-manager.io/subject-organizations': 'a"b' },
    'invalid ingress annotation "cert-manager.io/subject-organizations": parse error on line 1, column 2: bare " in non-quoted field',
  ],
  [
    { 'cert-manager.io/secret-template': '{"labels":{},"data":{}}' },
    'invalid ingress annotation "cert-manager.io/secret-template": error parsing secret template JSON: json: unknown field "data"',
  ],
  [
    { 'cert-manager.io/secret-template': '{"annotations":{"cert-manager.io/issuer":"x"}}' },
    'invalid ingress annotation "cert-manager.io/secret-template": spec.secretTemplate.annotations: Invalid value: "cert-manager.io/issuer": cert-manager.io/* annotations are not allowed',
  ],
];

for (const [annotations, message] of badAnnotations) {
  test(`bad annotation ${JSON.stringify(annotations)}`, () => {
    assert.throws(() => translateAnnotations(base(), annotations), (err: unknown) => {
      assert.ok(err instanceof BadConfigError);
      assert.equal(err.message, message);
      return true;
    });
  });
}

test('a spec the API would reject for a reason no annotation explains names the field', () => {
  const spec = { ...base(), dnsNames: undefined };
  assert.throws(() => translateAnnotations(spec as CertificateSpec, {}), /^BadConfigError: invalid Certificate "spec": spec: Invalid value/);
});

test('issuer resolution: annotations over defaults, kind and group overrides', () => {
  const defaults = { name: 'default-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' };
  assert.deepEqual(issuerForIngressLike({}, defaults), defaults);
  assert.deepEqual(issuerForIngressLike({ 'cert-manager.io/issuer': 'ca' }, defaults), { name: 'ca', kind: 'Issuer', group: 'cert-manager.io' });
  assert.deepEqual(issuerForIngressLike({ 'cert-manager.io/cluster-issuer': 'letsencrypt-production' }), {
    name: 'letsencrypt-production',
    kind: 'ClusterIssuer',
    group: 'cert-manager.io',
  });
  assert.deepEqual(
    issuerForIngressLike({ 'cert-manager.io/issuer': 'ext', 'cert-manager.io/issuer-kind': 'AWSPCAIssuer', 'cert-manager.io/issuer-group': 'awspca.cert-manager.io' }),
    { name: 'ext', kind: 'AWSPCAIssuer', group: 'awspca.cert-manager.io' },
  );
});

const issuerErrors: Array<[Record<string, string>, string]> = [
  [{}, 'failed to determine issuer name to be used for ingress resource'],
  [{ 'cert-manager.io/issuer': '' }, 'failed to determine issuer name to be used for ingress resource'],
  [{ 'cert-manager.io/issuer': 'a', 'cert-manager.io/cluster-issuer': 'b' }, 'both "cert-manager.io/issuer" and "cert-manager.io/cluster-issuer" may not be set'],
  [{ 'cert-manager.io/cluster-issuer': 'b', 'cert-manager.io/issuer-kind': 'X' }, 'both "cert-manager.io/cluster-issuer" and "cert-manager.io/issuer-kind" may not be set'],
  [
    { 'cert-manager.io/cluster-issuer': 'b', 'cert-manager.io/issuer-group': 'g', 'cert-manager.io/issuer-kind': 'X' },
    'both "cert-manager.io/cluster-issuer" and "cert-manager.io/issuer-group" may not be set, both "cert-manager.io/cluster-issuer" and "cert-manager.io/issuer-kind" may not be set',
  ],
];

for (const [annotations, detail] of issuerErrors) {
  test(`issuer error ${JSON.stringify(annotations)}`, () => {
    assert.throws(() => issuerForIngressLike(annotations), { name: 'BadConfigError', message: `Could not determine issuer for ingress due to bad annotations: ${detail}` });
  });
}

test('CSV split is the inverse of the Secret annotation join', () => {
  for (const fields of [['a'], ['Acme, Inc', 'b'], ['say "hi"', ' lead'], ['', 'x', '']]) {
    assert.deepEqual(splitWithEscapeCsv(joinWithEscapeCsv(fields)), fields.map((f) => (f.startsWith(' ') && !joinWithEscapeCsv([f]).startsWith('"') ? f.trimStart() : f)));
  }
  assert.deepEqual(splitWithEscapeCsv('a,  b'), ['a', 'b']);
  assert.throws(() => splitWithEscapeCsv('"open'), /extraneous or missing " in quoted-field/);
});

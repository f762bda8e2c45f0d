import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  issuedCertificateMatchesSpec,
  parseRequestCsr,
  privateKeyMatchesSpec,
  requestMatchesSpec,
} from '../../../controller/certificates/request-matches-spec.js';
import type { Certificate, CertificateSpec } from '../../../api/types.js';
import { isPkiError } from '../../../pki/index.js';
import { certificate, ec384Key, ecKey, issue, request } from './fixtures.js';

const full: Partial<CertificateSpec> = {
  commonName: 'web.example.com',
  dnsNames: ['web.example.com', 'www.example.com'],
  ipAddresses: ['10.0.0.1', '2001:db8::1'],
  uris: ['spiffe://cluster.local/ns/apps/sa/web'],
  emailAddresses: ['ops@example.com'],
  subject: { organizations: ['Example', 'Other'], countries: ['DE'], localities: ['Berlin'], organizationalUnits: ['Ops'], provinces: ['BE'], streetAddresses: ['Main 1'], postalCodes: ['10115'], serialNumber: '42' },
  usages: ['digital signature', 'key encipherment', 'server auth'],
  duration: '2160h',
  isCA: false,
};
const base = certificate(full);
const { csrPem, leaf } = await issue(base);
const requested = request(base, csrPem);
const withSpec = (changes: Partial<CertificateSpec>): Certificate => certificate({ ...full, ...changes });

describe('requestMatchesSpec', () => {
  test('a request built from the spec matches it', () => {
    assert.deepEqual(requestMatchesSpec(requested, base), []);
  });
  test('lists compare without order; IPs compare as addresses', () => {
    const reordered = withSpec({
      dnsNames: ['www.example.com', 'web.example.com'],
      ipAddresses: ['2001:0db8:0:0:0:0:0:1', '::ffff:10.0.0.1'],
      usages: ['server auth', 'digital signature', 'key encipherment'],
      subject: { ...full.subject, organizations: ['Other', 'Example'] },
    });
    assert.deepEqual(requestMatchesSpec(requested, reordered), []);
  });
  test('each changed field is named', () => {
    const cases: Array<[Partial<CertificateSpec>, string]> = [
      [{ dnsNames: ['web.example.com'] }, 'spec.dnsNames'],
      [{ ipAddresses: ['10.0.0.2', '2001:db8::1'] }, 'spec.ipAddresses'],
      [{ uris: [] }, 'spec.uris'],
      [{ emailAddresses: ['dev@example.com'] }, 'spec.emailAddresses'],
      [{ commonName: 'api.example.com' }, 'spec.commonName'],
      [{ subject: { ...full.subject, serialNumber: '43' } }, 'spec.subject.serialNumber'],
      [{ subject: { ...full.subject, organizations: ['Example'] } }, 'spec.subject.organizations'],
      [{ subject: { ...full.subject, countries: ['FR'] } }, 'spec.subject.countries'],
      [{ subject: { ...full.subject, localities: [] } }, 'spec.subject.localities'],
      [{ subject: { ...full.subject, organizationalUnits: ['Dev'] } }, 'spec.subject.organizationalUnits'],
      [{ subject: { ...full.subject, postalCodes: ['1'] } }, 'spec.subject.postalCodes'],
      [{ subject: { ...full.subject, provinces: ['BY'] } }, 'spec.subject.provinces'],
      [{ subject: { ...full.subject, streetAddresses: ['Side 2'] } }, 'spec.subject.streetAddresses'],
      [{ isCA: true }, 'spec.isCA'],
      [{ usages: ['digital signature'] }, 'spec.usages'],
      [{ duration: '24h' }, 'spec.duration'],
      [{ issuerRef: { name: 'other' } }, 'spec.issuerRef'],
      [{ issuerRef: { name: 'ca', kind: 'ClusterIssuer' } }, 'spec.issuerRef'],
    ];
    for (const [change, path] of cases) assert.deepEqual(requestMatchesSpec(requested, withSpec(change)), [path], path);
  });
  test('durations compare by value and only when both are set', () => {
    assert.deepEqual(requestMatchesSpec(requested, withSpec({ duration: '129600m' })), []);
    assert.deepEqual(requestMatchesSpec(requested, withSpec({ duration: undefined })), []);
  });
  test('issuerRef kind and group are defaulted before comparing', () => {
    assert.deepEqual(requestMatchesSpec(requested, withSpec({ issuerRef: { name: 'ca' } })), []);
  });
  test('key parameters, name constraints, output settings and renewal are not compared', () => {
    const unrelated = withSpec({
      privateKey: { algorithm: 'RSA', size: 4096, encoding: 'PKCS8', rotationPolicy: 'Never' },
      signatureAlgorithm: 'ECDSAWithSHA512',
      renewBefore: '1h',
      secretTemplate: { labels: { a: 'b' } },
      additionalOutputFormats: [{ type: 'DER' }],
      revisionHistoryLimit: 4,
    });
    assert.deepEqual(requestMatchesSpec(requested, unrelated), []);
  });
  test('otherNames are compared only when the spec sets them', async () => {
    const upn = { oid: '1.3.6.1.4.1.311.20.2.3', utf8Value: 'web@example.com' };
    const withUpn = withSpec({ otherNames: [upn] });
    const upnRequest = request(withUpn, (await issue(withUpn)).csrPem);
    assert.deepEqual(requestMatchesSpec(upnRequest, withUpn), []);
    assert.deepEqual(requestMatchesSpec(upnRequest, withSpec({})), []);
    assert.deepEqual(requestMatchesSpec(requested, withUpn), ['spec.otherNames']);
  });
  test('a literal subject is compared RDN by RDN', async () => {
    const literal = certificate({ literalSubject: 'CN=web.example.com,O=Example+OU=Ops,C=DE', dnsNames: ['web.example.com'] });
    const literalRequest = request(literal, (await issue(literal)).csrPem);
    assert.deepEqual(requestMatchesSpec(literalRequest, literal), []);
    assert.deepEqual(requestMatchesSpec(literalRequest, { ...literal, spec: { ...literal.spec, literalSubject: 'CN=web.example.com,OU=Ops+O=Example,C=DE' } }), []);
    assert.deepEqual(requestMatchesSpec(literalRequest, { ...literal, spec: { ...literal.spec, literalSubject: 'CN=web.example.com,O=Example,C=DE' } }), ['spec.literalSubject']);
  });
  test('an unreadable CSR is an error, not a match', () => {
    assert.throws(() => requestMatchesSpec(request(base, 'garbage'), base), (e: unknown) => isPkiError(e));
  });
});

describe('issuedCertificateMatchesSpec (no CertificateRequest left)', () => {
  test('the issued certificate matches the spec it came from', () => {
    assert.deepEqual(issuedCertificateMatchesSpec(leaf, base), []);
  });
  test('names may move between the common name and the DNS names', () => {
    assert.deepEqual(issuedCertificateMatchesSpec(leaf, withSpec({ commonName: undefined })), []);
    assert.deepEqual(issuedCertificateMatchesSpec(leaf, withSpec({ commonName: 'www.example.com', dnsNames: ['web.example.com'] })), []);
  });
  test('new names, IPs, URIs and emails are violations; subject fields are not compared', () => {
    assert.deepEqual(issuedCertificateMatchesSpec(leaf, withSpec({ dnsNames: ['web.example.com', 'api.example.com'] })), ['spec.dnsNames']);
    assert.deepEqual(issuedCertificateMatchesSpec(leaf, withSpec({ commonName: 'api.example.com' })), ['spec.commonName']);
    assert.deepEqual(issuedCertificateMatchesSpec(leaf, withSpec({ ipAddresses: ['10.0.0.1'] })), ['spec.ipAddresses']);
    assert.deepEqual(issuedCertificateMatchesSpec(leaf, withSpec({ uris: [] })), ['spec.uris']);
    assert.deepEqual(issuedCertificateMatchesSpec(leaf, withSpec({ emailAddresses: [] })), ['spec.emailAddresses']);
    assert.deepEqual(issuedCertificateMatchesSpec(leaf, withSpec({ subject: { organizations: ['Changed'] } })), []);
  });
});

describe('privateKeyMatchesSpec', () => {
  test('algorithm and size with defaults (RSA 2048, EC 256)', () => {
    assert.deepEqual(privateKeyMatchesSpec(ecKey, certificate({ privateKey: { algorithm: 'ECDSA' } })), []);
    assert.deepEqual(privateKeyMatchesSpec(ecKey, certificate({ privateKey: { algorithm: 'ECDSA', size: 384 } })), ['spec.privateKey.size']);
    assert.deepEqual(privateKeyMatchesSpec(ec384Key, certificate({ privateKey: { algorithm: 'ECDSA', size: 384 } })), []);
    assert.deepEqual(privateKeyMatchesSpec(ecKey, certificate({ privateKey: undefined })), ['spec.privateKey.algorithm']);
    assert.deepEqual(privateKeyMatchesSpec(ecKey, certificate({ privateKey: { algorithm: 'Ed25519' } })), ['spec.privateKey.algorithm']);
  });
  test('an algorithm pki does not know counts as a mismatch', () => {
    const bogus = certificate({ privateKey: { algorithm: 'DSA' as 'RSA' } });
    assert.deepEqual(privateKeyMatchesSpec(ecKey, bogus), ['spec.privateKey.algorithm']);
  });
});

test('parseRequestCsr parses a request once; another CSR under the same uid is parsed again', async () => {
  const withUid = { ...requested, metadata: { ...requested.metadata, uid: 'cr-uid-1', resourceVersion: '1' } };
  const first = parseRequestCsr(withUid);
  assert.equal(parseRequestCsr({ ...withUid, metadata: { ...withUid.metadata, resourceVersion: '2' } }), first, 'a status update: the same parse');
  const other = await issue(withSpec({ commonName: 'other.example.com', dnsNames: ['other.example.com'] }));
  const replaced = parseRequestCsr({ ...withUid, spec: { ...withUid.spec, request: Buffer.from(other.csrPem).toString('base64') } });
  assert.equal(replaced.commonName, 'other.example.com');
  assert.throws(() => parseRequestCsr({ ...withUid, spec: { ...withUid.spec, request: Buffer.from('garbage').toString('base64') } }), (err: unknown) => isPkiError(err));
});

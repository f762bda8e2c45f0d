import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyUsageFlags } from '@peculiar/asn1-x509';
import {
  DEFAULT_CERTIFICATE_DURATION_MS,
  acmeAccountKeySecretKey,
  certificateDurationFor,
  cnameStrategyFor,
  encodeUsagesInRequestFor,
  http01ServiceTypeFor,
  issuerRefWithDefaults,
  jksAliasFor,
  keyUsagesFor,
  pkcs12ProfileFor,
  privateKeyAlgorithmFor,
  privateKeyEncodingFor,
  privateKeySizeFor,
  renewBeforeFor,
  renewalInformationSourceFor,
  renewalTimeFor,
  revisionHistoryLimitFor,
  rfc2136ProtocolFor,
  rfc2136TsigAlgorithmFor,
  rotationPolicyFor,
  usagesFor,
  vaultAuthWithDefaults,
  vaultCABundleKeyFor,
} from '../../api/defaults.js';
import { parseDuration } from '../../api/duration.js';
import { usageNames } from '../../pki/index.js';

const H = 3_600_000;
const DAY = 24 * H;

test('duration defaults to 90 days (2160h)', () => {
  assert.equal(DEFAULT_CERTIFICATE_DURATION_MS, 90 * DAY);
  assert.equal(certificateDurationFor({}), 90 * DAY);
  assert.equal(certificateDurationFor({ duration: '24h' }), DAY);
});

test('renewBeforeFor: renewBefore when set and shorter than the lifetime, else the percentage, else a third', () => {
  const lifetime = 90 * DAY;
  assert.equal(renewBeforeFor(lifetime, {}), 30 * DAY);
  assert.equal(renewBeforeFor(lifetime, { renewBefore: '360h' }), 15 * DAY);
  // A renewBefore as long as the actual lifetime (e.g. the issuer shortened it) falls back to 1/3.
  assert.equal(renewBeforeFor(DAY, { renewBefore: '48h' }), DAY / 3);
  assert.equal(renewBeforeFor(DAY, { renewBefore: '24h' }), DAY / 3);
  // The runtime uses the percentage directly (pct of the lifetime before expiry).
  assert.equal(renewBeforeFor(lifetime, { renewBeforePercentage: 25 }), 22.5 * DAY);
  assert.equal(renewBeforeFor(lifetime, { renewBeforePercentage: 0 }), 30 * DAY);
  assert.equal(renewBeforeFor(lifetime, { renewBeforePercentage: 100 }), 30 * DAY);
  // Go's integer division on nanoseconds: 1h / 3 = 20m exactly, 1s / 3 = 333333333ns.
  assert.equal(renewBeforeFor(H, {}), 20 * 60_000);
  assert.equal(renewBeforeFor(1000, {}), 333.333333);
});

test('renewalTimeFor renews at notAfter − renewBefore, truncated to the second', () => {
  const notBefore = new Date('2026-01-01T00:00:00Z');
  const notAfter = new Date('2026-04-01T00:00:00Z'); // 90 days
  assert.equal(renewalTimeFor(notBefore, notAfter, {}).toISOString(), '2026-03-02T00:00:00.000Z');
  assert.equal(renewalTimeFor(notBefore, notAfter, { renewBefore: '720h' }).toISOString(), '2026-03-02T00:00:00.000Z');
  assert.equal(renewalTimeFor(notBefore, new Date('2026-01-01T00:00:10Z'), {}).toISOString(), '2026-01-01T00:00:06.000Z');
});

test('private key defaults: RSA 2048, ECDSA 256, Ed25519 without size, PKCS1, rotation Always', () => {
  assert.equal(privateKeyAlgorithmFor({}), 'RSA');
  assert.equal(privateKeySizeFor({}), 2048);
  assert.equal(privateKeySizeFor({ privateKey: { algorithm: 'ECDSA' } }), 256);
  assert.equal(privateKeySizeFor({ privateKey: { algorithm: 'ECDSA', size: 384 } }), 384);
  assert.equal(privateKeySizeFor({ privateKey: { algorithm: 'RSA', size: 4096 } }), 4096);
  assert.equal(privateKeySizeFor({ privateKey: { algorithm: 'Ed25519', size: 256 } }), undefined);
  assert.equal(privateKeyEncodingFor({}), 'PKCS1');
  assert.equal(privateKeyEncodingFor({ privateKey: { encoding: 'PKCS8' } }), 'PKCS8');
  assert.equal(rotationPolicyFor({}), 'Always');
  assert.equal(rotationPolicyFor({ privateKey: { rotationPolicy: 'Never' } }), 'Never');
});

test('revisionHistoryLimit 1, encodeUsagesInRequest true, issuerRef Issuer in cert-manager.io', () => {
  assert.equal(revisionHistoryLimitFor({}), 1);
  assert.equal(revisionHistoryLimitFor({ revisionHistoryLimit: 5 }), 5);
  assert.equal(encodeUsagesInRequestFor({}), true);
  assert.equal(encodeUsagesInRequestFor({ encodeUsagesInRequest: false }), false);
  assert.deepEqual(issuerRefWithDefaults({ name: 'ca' }), { name: 'ca', kind: 'Issuer', group: 'cert-manager.io' });
  assert.deepEqual(issuerRefWithDefaults({ name: 'le', kind: 'ClusterIssuer', group: '' }), { name: 'le', kind: 'ClusterIssuer', group: 'cert-manager.io' });
});

test('usages default to digital signature + key encipherment; keyUsagesFor maps to X.509 and adds cert sign for CAs', () => {
  assert.deepEqual(usagesFor({}), ['digital signature', 'key encipherment']);
  assert.deepEqual(usagesFor({ usages: [] }), ['digital signature', 'key encipherment']);
  const names = (spec: Parameters<typeof keyUsagesFor>[0]) => usageNames(keyUsagesFor(spec));
  assert.deepEqual(keyUsagesFor({}), { keyUsage: KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment, extKeyUsages: [] });
  assert.deepEqual(names({ isCA: true }), ['digital signature', 'key encipherment', 'cert sign']);
  assert.deepEqual(keyUsagesFor({ usages: ['signing', 'data encipherment', 'server auth', 'client auth'] }), {
    keyUsage: KeyUsageFlags.digitalSignature | KeyUsageFlags.dataEncipherment,
    extKeyUsages: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
  });
  assert.deepEqual(names({ usages: ['s/mime', 'email protection', 'cert sign'], isCA: true }), ['cert sign', 'email protection']);
  assert.deepEqual(names({ usages: ['any', 'microsoft sgc', 'netscape sgc', 'ocsp signing', 'timestamping', 'code signing'] }), [
    'any',
    'microsoft sgc',
    'netscape sgc',
    'ocsp signing',
    'timestamping',
    'code signing',
  ]);
  // Unknown names (rejected by validation) are skipped rather than thrown on.
  assert.deepEqual(names({ usages: ['server auth', 'frobnicate'] }), ['server auth']);
});

test('keystores, ACME, DNS-01 and HTTP-01 defaults', () => {
  assert.equal(jksAliasFor({}), 'certificate');
  assert.equal(jksAliasFor({ alias: 'web' }), 'web');
  assert.equal(pkcs12ProfileFor({}), 'LegacyRC2');
  assert.equal(pkcs12ProfileFor({ profile: 'Modern2023' }), 'Modern2023');
  assert.equal(acmeAccountKeySecretKey({ privateKeySecretRef: { name: 'k' } }), 'tls.key');
  assert.equal(acmeAccountKeySecretKey({ privateKeySecretRef: { name: 'k', key: 'account.key' } }), 'account.key');
  assert.equal(renewalInformationSourceFor({}), 'ARI');
  assert.equal(http01ServiceTypeFor({}), 'NodePort');
  assert.equal(cnameStrategyFor({}), 'None');
  assert.equal(rfc2136TsigAlgorithmFor({}), 'HMACMD5');
  assert.equal(rfc2136TsigAlgorithmFor({ tsigAlgorithm: 'hmacsha256' }), 'HMACSHA256');
  assert.equal(rfc2136ProtocolFor({}), 'UDP');
});

test('Vault defaults: token key, CA bundle key and auth mount paths', () => {
  assert.deepEqual(vaultAuthWithDefaults({ tokenSecretRef: { name: 't' } }), { tokenSecretRef: { name: 't', key: 'token' } });
  assert.deepEqual(vaultAuthWithDefaults({ appRole: { roleId: 'r', secretRef: { name: 's', key: 'id' } } }), {
    appRole: { roleId: 'r', secretRef: { name: 's', key: 'id' }, path: 'approle' },
  });
  assert.equal(vaultAuthWithDefaults({ clientCertificate: {} }).clientCertificate?.mountPath, '/v1/auth/cert');
  assert.equal(vaultAuthWithDefaults({ kubernetes: { role: 'r' } }).kubernetes?.mountPath, '/v1/auth/kubernetes');
  assert.equal(vaultAuthWithDefaults({ kubernetes: { role: 'r', mountPath: '/v1/auth/k8s' } }).kubernetes?.mountPath, '/v1/auth/k8s');
  assert.equal(vaultAuthWithDefaults({ aws: { role: 'r' } }).aws?.mountPath, '/v1/auth/aws');
  assert.equal(vaultCABundleKeyFor({ caBundleSecretRef: { name: 'ca' } }), 'ca.crt');
  assert.equal(vaultCABundleKeyFor({}), undefined);
});

test('defaults are never written into the object they are computed from', () => {
  const spec = { privateKey: {}, usages: undefined };
  privateKeySizeFor(spec);
  usagesFor(spec);
  keyUsagesFor({ ...spec, isCA: true });
  assert.deepEqual(spec, { privateKey: {}, usages: undefined });
  assert.equal(parseDuration('2160h'), certificateDurationFor({ duration: 'garbage' }));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunFlags } from '../../cli/run.js';

test('shim flags default like cert-manager', () => {
  const flags = parseRunFlags([]);
  assert.equal(flags.enableGatewayApi, false);
  assert.deepEqual(flags.gatewayApiExtraProtocols, []);
  assert.deepEqual(flags.defaultIssuer, { name: '', kind: 'Issuer', group: 'cert-manager.io' });
  assert.deepEqual(flags.autoCertificateAnnotations, ['kubernetes.io/tls-acme']);
});

test('shim flags are read', () => {
  const flags = parseRunFlags([
    '--enable-gateway-api=true',
    '--gateway-api-extra-protocols=example.com/QUIC, UDP',
    '--default-issuer-name=letsencrypt-production',
    '--default-issuer-kind=ClusterIssuer',
    '--default-issuer-group=cert-manager.io',
    '--auto-certificate-annotations=kubernetes.io/tls-acme,example.com/tls',
    '--controllers=*,cainjector',
  ]);
  assert.equal(flags.enableGatewayApi, true);
  assert.deepEqual(flags.gatewayApiExtraProtocols, ['example.com/QUIC', 'UDP']);
  assert.deepEqual(flags.defaultIssuer, { name: 'letsencrypt-production', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  assert.deepEqual(flags.autoCertificateAnnotations, ['kubernetes.io/tls-acme', 'example.com/tls']);
  assert.deepEqual(flags.controllers, ['*', 'cainjector']);
  assert.equal(parseRunFlags(['--enable-gateway-api=false']).enableGatewayApi, false);
});

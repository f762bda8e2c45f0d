import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { caIssuer, readCaKeyPair } from '../../issuers/ca.js';
import { parseCertificate, parseCertificateChain } from '../../pki/index.js';
import { Workdir } from '../pki/openssl.js';
import {
  caSecret,
  certificateRequest,
  clusterIssuer,
  intermediateCa,
  issuer,
  keyAndCsr,
  memoryContext,
  NOW,
  secret,
  selfSignedCa,
  type KeyPair,
} from './fixtures.js';

const caSpec = {
  ca: {
    secretName: 'ca-key-pair',
    crlDistributionPoints: ['http://crl.example.test/ca.crl'],
    ocspServers: ['http://ocsp.example.test'],
    issuingCertificateURLs: ['http://ca.example.test/ca.crt'],
  },
};
const caIssuerObject = issuer(caSpec, 'apps');

describe('CA issuer', () => {
  let root: KeyPair;
  let intermediate: KeyPair;
  const work = new Workdir();

  before(async () => {
    root = await selfSignedCa();
    intermediate = await intermediateCa(root);
  });
  after(() => work.remove());

  describe('setup', () => {
    it('is ready with KeyPairVerified once the Secret holds a CA keypair', async () => {
      const ctx = memoryContext([caSecret('apps', 'ca-key-pair', root)]);
      assert.deepEqual(await caIssuer.setup(caIssuerObject, ctx), { status: 'True', reason: 'KeyPairVerified', message: 'Signing CA verified' });
    });

    it('is not ready with ErrGetKeyPair while the Secret is missing', async () => {
      assert.deepEqual(await caIssuer.setup(caIssuerObject, memoryContext()), {
        status: 'False',
        reason: 'ErrGetKeyPair',
        message: 'Error getting keypair for CA issuer: secrets "ca-key-pair" not found',
      });
    });

    it('is not ready with ErrGetKeyPair when tls.crt or tls.key is missing or unparsable', async () => {
      const cases = [
        secret('apps', 'ca-key-pair', { 'tls.key': root.keyPem }),
        secret('apps', 'ca-key-pair', { 'tls.crt': root.certificatePem }),
        secret('apps', 'ca-key-pair', { 'tls.crt': 'garbage', 'tls.key': root.keyPem }),
        secret('apps', 'ca-key-pair', { 'tls.crt': root.certificatePem, 'tls.key': 'garbage' }),
      ];
      for (const bad of cases) {
        const readiness = await caIssuer.setup(caIssuerObject, memoryContext([bad]));
        assert.equal(readiness.status, 'False');
        assert.equal(readiness.reason, 'ErrGetKeyPair');
        assert.match(readiness.message, /^Error getting keypair for CA issuer: /);
        assert.doesNotMatch(readiness.message, /PRIVATE KEY/);
      }
    });

    it('is not ready with ErrInvalidKeyPair when the certificate is not a CA, or the key is not its key', async () => {
      const leaf = await selfSignedCa('not a ca', false);
      assert.deepEqual(await caIssuer.setup(caIssuerObject, memoryContext([caSecret('apps', 'ca-key-pair', leaf)])), {
        status: 'False',
        reason: 'ErrInvalidKeyPair',
        message: 'Error getting keypair for CA issuer: certificate is not a CA',
      });
      const mismatched = { ...root, keyPem: intermediate.keyPem };
      const readiness = await caIssuer.setup(caIssuerObject, memoryContext([caSecret('apps', 'ca-key-pair', mismatched)]));
      assert.equal(readiness.reason, 'ErrInvalidKeyPair');
    });

    it('reads a ClusterIssuer Secret from the cluster resource namespace', async () => {
      const ctx = memoryContext([caSecret('certwright', 'ca-key-pair', root)], 'certwright');
      const readiness = await caIssuer.setup(clusterIssuer(caSpec), ctx);
      assert.equal(readiness.status, 'True');
      assert.deepEqual(ctx.reads, ['certwright/ca-key-pair']);
      assert.deepEqual(caIssuer.referencedSecrets?.(clusterIssuer(caSpec), ctx), [{ namespace: 'certwright', name: 'ca-key-pair' }]);
    });
  });

  it('parses a keypair once per Secret version', () => {
    const v1 = { ...caSecret('apps', 'ca-key-pair', root), metadata: { namespace: 'apps', name: 'ca-key-pair', uid: 'u1', resourceVersion: '1' } };
    assert.equal(readCaKeyPair(v1), readCaKeyPair({ ...v1 }));
    const v2 = { ...caSecret('apps', 'ca-key-pair', intermediate), metadata: { ...v1.metadata, resourceVersion: '2' } };
    assert.equal(readCaKeyPair(v2).certificate.subject, 'CN=Test Intermediate CA');
    const unversioned = caSecret('apps', 'ca-key-pair', root);
    assert.notEqual(readCaKeyPair(unversioned), readCaKeyPair(unversioned));
  });

  describe('sign', () => {
    it('signs with an intermediate: certificate = leaf + intermediate, ca = root, extensions from the issuer; openssl verifies the chain', async () => {
      const ctx = memoryContext([caSecret('apps', 'ca-key-pair', intermediate, root.certificatePem)]);
      const { csrPem } = await keyAndCsr({ commonName: 'web.apps.test', dnsNames: ['web.apps.test'], ipAddresses: ['10.0.0.1'] });
      const result = await caIssuer.sign(certificateRequest(csrPem, { namespace: 'apps', duration: '720h' }), caIssuerObject, ctx);

      assert.equal(result.state, 'issued');
      if (result.state !== 'issued') return;
      const chain = parseCertificateChain(result.certificatePem);
      assert.equal(chain.length, 2);
      assert.equal(chain[1]!.fingerprintSha256, parseCertificate(intermediate.certificatePem).fingerprintSha256);
      assert.equal(parseCertificate(result.caPem!).fingerprintSha256, parseCertificate(root.certificatePem).fingerprintSha256);

      const leaf = chain[0]!;
      assert.equal(leaf.issuer, 'CN=Test Intermediate CA');
      assert.equal(leaf.notBefore.getTime(), NOW);
      assert.equal(leaf.notAfter.getTime() - NOW, 720 * 3_600_000);
      assert.deepEqual(leaf.crlDistributionPoints, ['http://crl.example.test/ca.crl']);
      assert.deepEqual(leaf.ocspServers, ['http://ocsp.example.test']);
      assert.deepEqual(leaf.issuingCertificateUrls, ['http://ca.example.test/ca.crt']);
      assert.deepEqual(leaf.ipAddresses, ['10.0.0.1']);

      work.write('root.pem', result.caPem!);
      work.write('intermediate.pem', chain[1]!.pem);
      work.write('leaf.pem', leaf.pem);
      const attime = String(Math.floor(NOW / 1000) + 60);
      assert.match(work.openssl(['verify', '-attime', attime, '-CAfile', 'root.pem', '-untrusted', 'intermediate.pem', 'leaf.pem']), /leaf\.pem: OK/);
      assert.equal(work.opensslSucceeds(['verify', '-attime', attime, '-CAfile', 'intermediate.pem', '-partial_chain', '-untrusted', 'root.pem', 'leaf.pem']), true);
    });

    it('signs with a root CA: certificate = leaf only, ca = the root', async () => {
      const ctx = memoryContext([caSecret('apps', 'ca-key-pair', root)]);
      const { csrPem } = await keyAndCsr();
      const result = await caIssuer.sign(certificateRequest(csrPem, { namespace: 'apps' }), caIssuerObject, ctx);
      assert.equal(result.state, 'issued');
      if (result.state !== 'issued') return;
      assert.equal(parseCertificateChain(result.certificatePem).length, 1);
      assert.equal(result.caPem, parseCertificate(root.certificatePem).pem);
    });

    it('stays pending with SecretMissing while the CA Secret does not exist', async () => {
      const { csrPem } = await keyAndCsr();
      const result = await caIssuer.sign(certificateRequest(csrPem, { namespace: 'apps' }), caIssuerObject, memoryContext());
      assert.deepEqual(result, { state: 'pending', reason: 'SecretMissing', message: 'Referenced secret apps/ca-key-pair not found' });
    });

    it('stays pending with SecretInvalidData when the CA Secret cannot be parsed or its key does not match', async () => {
      const { csrPem } = await keyAndCsr();
      const request = certificateRequest(csrPem, { namespace: 'apps' });
      for (const bad of [
        secret('apps', 'ca-key-pair', { 'tls.crt': 'garbage', 'tls.key': root.keyPem }),
        caSecret('apps', 'ca-key-pair', { ...root, keyPem: intermediate.keyPem }),
      ]) {
        const result = await caIssuer.sign(request, caIssuerObject, memoryContext([bad]));
        assert.equal(result.state, 'pending');
        assert.equal(result.state === 'pending' && result.reason, 'SecretInvalidData');
        assert.match(result.state === 'pending' ? result.message : '', /^Failed to parse signing CA keypair from secret apps\/ca-key-pair: /);
      }
    });

    it('fails with SigningError when the request cannot be signed', async () => {
      const ctx = memoryContext([caSecret('apps', 'ca-key-pair', root)]);
      const result = await caIssuer.sign(certificateRequest('not a CSR', { namespace: 'apps' }), caIssuerObject, ctx);
      assert.equal(result.state, 'failed');
      assert.equal(result.state === 'failed' && result.reason, 'SigningError');
    });
  });
});

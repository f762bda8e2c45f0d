import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selfSignedIssuer } from '../../issuers/selfsigned.js';
import { parseCertificate, publicKeysEqual, isSelfSigned } from '../../pki/index.js';
import { certificateRequest, issuer, keyAndCsr, memoryContext, NOW, secret } from './fixtures.js';
import { PRIVATE_KEY_SECRET_NAME_ANNOTATION } from '../../api/well-known.js';

const selfSigned = issuer({ selfSigned: { crlDistributionPoints: ['http://crl.example.test/root.crl'] } });
const annotations = { [PRIVATE_KEY_SECRET_NAME_ANNOTATION]: 'app-key' };

describe('SelfSigned issuer', () => {
  it('is always ready with reason IsReady', async () => {
    assert.deepEqual(await selfSignedIssuer.setup(selfSigned, memoryContext()), { status: 'True', reason: 'IsReady', message: '' });
  });

  it('signs the request with the key named by the annotation: certificate and ca are the same self-signed certificate', async () => {
    const usages = ['digital signature', 'server auth'] as const;
    const { key, keyPem, csrPem } = await keyAndCsr({ commonName: 'app.example.test', dnsNames: ['app.example.test'], usages });
    const ctx = memoryContext([secret('default', 'app-key', { 'tls.key': keyPem })]);
    const request = certificateRequest(csrPem, { annotations, duration: '24h', usages: [...usages] });

    const result = await selfSignedIssuer.sign(request, selfSigned, ctx);

    assert.equal(result.state, 'issued');
    if (result.state !== 'issued') return;
    assert.equal(result.caPem, result.certificatePem);
    assert.equal(result.warnings, undefined);
    const cert = parseCertificate(result.certificatePem);
    assert.ok(isSelfSigned(cert));
    assert.ok(publicKeysEqual(cert, key));
    assert.equal(cert.subject, 'CN=app.example.test');
    assert.equal(cert.notBefore.getTime(), NOW);
    assert.equal(cert.notAfter.getTime() - cert.notBefore.getTime(), 24 * 3_600_000);
    assert.deepEqual(cert.crlDistributionPoints, ['http://crl.example.test/root.crl']);
    assert.deepEqual(cert.dnsNames, ['app.example.test']);
    assert.equal(cert.isCA, false);
    assert.deepEqual([...cert.usages].sort(), ['digital signature', 'server auth']);
    assert.deepEqual(ctx.reads, ['default/app-key']);
  });

  it('fails with MissingAnnotation when the request names no key Secret', async () => {
    const { csrPem } = await keyAndCsr();
    const result = await selfSignedIssuer.sign(certificateRequest(csrPem), selfSigned, memoryContext());
    assert.deepEqual(result, {
      state: 'failed',
      reason: 'MissingAnnotation',
      message: 'Annotation "cert-manager.io/private-key-secret-name" missing or reference empty: secret name missing',
    });
  });

  it('stays pending with MissingSecret while the key Secret does not exist', async () => {
    const { csrPem } = await keyAndCsr();
    const result = await selfSignedIssuer.sign(certificateRequest(csrPem, { annotations }), selfSigned, memoryContext());
    assert.deepEqual(result, { state: 'pending', reason: 'MissingSecret', message: 'Referenced secret default/app-key not found' });
  });

  it('stays pending with ErrorParsingKey when tls.key is missing or not a key, without echoing the data', async () => {
    const { csrPem } = await keyAndCsr();
    const request = certificateRequest(csrPem, { annotations });
    const missing = await selfSignedIssuer.sign(request, selfSigned, memoryContext([secret('default', 'app-key', {})]));
    assert.equal(missing.state, 'pending');
    assert.equal(missing.state === 'pending' && missing.reason, 'ErrorParsingKey');
    assert.match(missing.state === 'pending' ? missing.message : '', /^Failed to get key "app-key" referenced in annotation "cert-manager.io\/private-key-secret-name": .*tls\.key/);

    const garbage = '-----BEGIN PRIVATE KEY-----\nU2VjcmV0R2FyYmFnZVNlY3JldEdhcmJhZ2U=\n-----END PRIVATE KEY-----\n';
    const bad = await selfSignedIssuer.sign(request, selfSigned, memoryContext([secret('default', 'app-key', { 'tls.key': garbage })]));
    assert.equal(bad.state === 'pending' && bad.reason, 'ErrorParsingKey');
    assert.doesNotMatch(bad.state === 'pending' ? bad.message : '', /U2VjcmV0/);
  });

  it('fails with ErrorKeyMatch when the Secret holds a different key than the CSR', async () => {
    const { csrPem } = await keyAndCsr();
    const other = await keyAndCsr();
    const result = await selfSignedIssuer.sign(
      certificateRequest(csrPem, { annotations }),
      selfSigned,
      memoryContext([secret('default', 'app-key', { 'tls.key': other.keyPem })]),
    );
    assert.deepEqual(result, { state: 'failed', reason: 'ErrorKeyMatch', message: 'Error generating certificate template: CSR not signed by referenced private key' });
  });

  it('fails with ErrorGenerating when the CSR cannot be used: unparsable, or isCA contradicting its basic constraints', async () => {
    const { keyPem, csrPem } = await keyAndCsr({ commonName: 'ca.example.test', isCA: true });
    const ctx = memoryContext([secret('default', 'app-key', { 'tls.key': keyPem })]);

    const contradicting = await selfSignedIssuer.sign(certificateRequest(csrPem, { annotations, isCA: false }), selfSigned, ctx);
    assert.equal(contradicting.state === 'failed' && contradicting.reason, 'ErrorGenerating');
    assert.match(contradicting.state === 'failed' ? contradicting.message : '', /^Error generating certificate template: .*do not match/);

    const unparsable = await selfSignedIssuer.sign(certificateRequest('not a CSR', { annotations }), selfSigned, ctx);
    assert.equal(unparsable.state === 'failed' && unparsable.reason, 'ErrorGenerating');
  });

  it('warns BadConfig when the certificate would have an empty subject (and so an empty issuer DN)', async () => {
    const { keyPem, csrPem } = await keyAndCsr({ dnsNames: ['nosubject.example.test'] });
    const result = await selfSignedIssuer.sign(
      certificateRequest(csrPem, { annotations }),
      selfSigned,
      memoryContext([secret('default', 'app-key', { 'tls.key': keyPem })]),
    );
    assert.equal(result.state, 'issued');
    assert.deepEqual(result.state === 'issued' && result.warnings?.map((w) => w.reason), ['BadConfig']);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CertificateRequest } from '../../api/types.js';
import { generateCsr, generatePrivateKey, generateVerifiedCsr, isVerifiedCsr } from '../../pki/index.js';
import { forgetBuiltRequest, parsedRequestCsr, rememberBuiltRequest, requestPem, requestToSign } from '../../issuers/signing-request.js';

const SPEC = { commonName: 'built.example', dnsNames: ['built.example'] };

function requestCarrying(pem: string): CertificateRequest {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: { name: 'r', namespace: 'ns', uid: 'u' },
    spec: { issuerRef: { name: 'ca' }, request: Buffer.from(pem).toString('base64') },
  };
}

test('a request this process built is signed and read as built until forgotten', async () => {
  const key = await generatePrivateKey({ algorithm: 'ECDSA' });
  const built = await generateVerifiedCsr(SPEC, key);
  const request = requestCarrying(built.csr.pem);
  rememberBuiltRequest(request.spec.request, built);
  assert.equal(requestToSign(request), built);
  assert.equal(parsedRequestCsr(request), built.csr);

  forgetBuiltRequest(request.spec.request);
  assert.equal(requestToSign(request), requestPem(request));
  assert.notEqual(parsedRequestCsr(request), built.csr);
  assert.deepEqual(parsedRequestCsr(request).dnsNames, ['built.example']);
});

test('a request someone else built goes to the signer as PEM, to be parsed and checked', async () => {
  const key = await generatePrivateKey({ algorithm: 'ECDSA' });
  const request = requestCarrying(await generateCsr(SPEC, key));
  const toSign = requestToSign(request);
  assert.ok(!isVerifiedCsr(toSign));
  assert.equal(toSign, requestPem(request));
});

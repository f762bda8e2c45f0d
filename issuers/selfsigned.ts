/**
 * SelfSigned (reference §1.8.3, §2.10): always ready; signs a request with the private key named by
 * the request's `cert-manager.io/private-key-secret-name` annotation, which must be the CSR's key.
 */
import type { CertificateRequest } from '../api/types.js';
import { isEmptyName, isPkiError, parsePrivateKey, selfSignCertificate } from '../pki/index.js';
import { secretValue, type GenericIssuer, type IssuerBackend, type IssuerContext, type SignResult } from './backend.js';
import { isTemplateError, requestToSign, templateFor, withCause } from './signing-request.js';
import { PRIVATE_KEY_SECRET_NAME_ANNOTATION } from '../api/well-known.js';

/** Names the Secret (in the request's namespace) holding the key a SelfSigned issuer signs with. */

export const EMPTY_ISSUER_DN_MESSAGE =
  'Certificate will be issued with an empty Issuer DN, which contravenes RFC 5280 and could break some strict clients';

async function sign(request: CertificateRequest, issuer: GenericIssuer, ctx: IssuerContext): Promise<SignResult> {
  const namespace = request.metadata.namespace ?? '';
  const secretName = request.metadata.annotations?.[PRIVATE_KEY_SECRET_NAME_ANNOTATION];
  if (!secretName) {
    return {
      state: 'failed',
      reason: 'MissingAnnotation',
      message: `Annotation "${PRIVATE_KEY_SECRET_NAME_ANNOTATION}" missing or reference empty: secret name missing`,
    };
  }

  const secret = await ctx.getSecret(namespace, secretName);
  if (!secret) {
    return { state: 'pending', reason: 'MissingSecret', message: `Referenced secret ${namespace}/${secretName} not found` };
  }

  let privateKey;
  try {
    const keyBytes = secretValue(secret, 'tls.key');
    if (!keyBytes) throw new Error(`Secret has no "tls.key" data`);
    privateKey = parsePrivateKey(keyBytes.toString('utf8'));
  } catch (err) {
    return {
      state: 'pending',
      reason: 'ErrorParsingKey',
      message: withCause(`Failed to get key "${secretName}" referenced in annotation "${PRIVATE_KEY_SECRET_NAME_ANNOTATION}"`, err),
    };
  }

  const crlDistributionPoints = issuer.spec.selfSigned?.crlDistributionPoints;
  let signed;
  try {
    signed = await selfSignCertificate(requestToSign(request), templateFor(request, ctx.now(), { crlDistributionPoints }), privateKey);
  } catch (err) {
    if (isPkiError(err, 'KEY_MISMATCH')) {
      return { state: 'failed', reason: 'ErrorKeyMatch', message: 'Error generating certificate template: CSR not signed by referenced private key' };
    }
    if (isTemplateError(err)) return { state: 'failed', reason: 'ErrorGenerating', message: withCause('Error generating certificate template', err) };
    if (isPkiError(err)) return { state: 'failed', reason: 'ErrorSigning', message: withCause('Error signing certificate', err) };
    throw err;
  }

  return {
    state: 'issued',
    certificatePem: signed.certificatePem,
    caPem: signed.certificatePem,
    // RFC 5280 §4.1.2.4: the issuer DN must not be empty, and a self-signed issuer DN is the subject.
    ...(isEmptyName(signed.certificate.rawSubject) ? { warnings: [{ reason: 'BadConfig', message: EMPTY_ISSUER_DN_MESSAGE }] } : {}),
  };
}

export const selfSignedIssuer: IssuerBackend = {
  type: 'selfSigned',
  setup: async () => ({ status: 'True', reason: 'IsReady', message: '' }),
  sign,
};

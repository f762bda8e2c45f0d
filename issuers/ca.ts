/**
 * CA (reference §1.8.2, §2.10): signs with the keypair in the Secret `spec.ca.secretName` (`tls.crt`
 * = CA certificate and optionally its chain, `tls.key`, optional `ca.crt`), adding the issuer's CRL
 * distribution points, OCSP servers and issuing certificate URLs. Ready once that keypair is a CA
 * whose key matches its certificate.
 */
import type { KeyObject } from 'node:crypto';
import type { CertificateRequest } from '../api/types.js';
import { isPkiError, parseCertificateChain, parsePrivateKey, publicKeysEqual, signCertificate, type CertificateInfo } from '../pki/index.js';
import {
  secretValue,
  type GenericIssuer,
  type IssuerBackend,
  type IssuerContext,
  type IssuerReadiness,
  type KubeSecret,
  type SecretReference,
  type SignResult,
} from './backend.js';
import { isTemplateError, requestToSign, templateFor, withCause } from './signing-request.js';
import { LruCache } from '../controller/runtime/lru.js';

export const ERROR_GET_KEY_PAIR_MESSAGE = 'Error getting keypair for CA issuer: ';
export const KEY_PAIR_VERIFIED_MESSAGE = 'Signing CA verified';

/** The signing keypair of a CA Secret, parsed; `certificate` is the first certificate of `tls.crt`. */
export interface CaKeyPair {
  certificatePem: string;
  certificate: CertificateInfo;
  privateKey: KeyObject;
  /** `ca.crt`, when present. */
  caBundlePem?: string;
}

/** Why a Secret does not hold a usable keypair; the message never carries key bytes. */
export class InvalidKeyPairError extends Error {
  override readonly name = 'InvalidKeyPairError';
}

function requiredPem(secret: KubeSecret, key: string): string {
  const value = secretValue(secret, key);
  if (!value) throw new InvalidKeyPairError(`secret "${secret.metadata.name}" has no "${key}" data`);
  return value.toString('utf8');
}

/**
 * Parsed keypairs by Secret uid and resourceVersion: a given version of a Secret never changes, so
 * a burst of signings against one CA parses its keypair once. Few CAs exist; the oldest is dropped.
 */
const parsedKeyPairs = new LruCache<string, CaKeyPair>(32);

/** Reads and parses the keypair (once per Secret version); throws InvalidKeyPairError or a PkiError on bad data. */
export function readCaKeyPair(secret: KubeSecret): CaKeyPair {
  const { uid, resourceVersion } = secret.metadata;
  const version = uid && resourceVersion ? `${uid}/${resourceVersion}` : undefined;
  const parsed = version ? parsedKeyPairs.get(version) : undefined;
  if (parsed) return parsed;
  const keyPair = parseCaKeyPair(secret);
  if (version) parsedKeyPairs.set(version, keyPair);
  return keyPair;
}

function parseCaKeyPair(secret: KubeSecret): CaKeyPair {
  const certificatePem = requiredPem(secret, 'tls.crt');
  const certificate = parseCertificateChain(certificatePem)[0]!;
  const privateKey = parsePrivateKey(requiredPem(secret, 'tls.key'));
  const caBundle = secretValue(secret, 'ca.crt');
  return { certificatePem, certificate, privateKey, ...(caBundle ? { caBundlePem: caBundle.toString('utf8') } : {}) };
}

function caSecretRef(issuer: GenericIssuer, ctx: IssuerContext): SecretReference {
  return { namespace: ctx.resourceNamespace(issuer), name: issuer.spec.ca?.secretName ?? '' };
}

function notReady(reason: string, problem: string): IssuerReadiness {
  return { status: 'False', reason, message: ERROR_GET_KEY_PAIR_MESSAGE + problem };
}

async function setup(issuer: GenericIssuer, ctx: IssuerContext): Promise<IssuerReadiness> {
  const { namespace, name } = caSecretRef(issuer, ctx);
  const secret = await ctx.getSecret(namespace, name);
  if (!secret) return notReady('ErrGetKeyPair', `secrets "${name}" not found`);
  let keyPair: CaKeyPair;
  try {
    keyPair = readCaKeyPair(secret);
  } catch (err) {
    if (err instanceof InvalidKeyPairError || isPkiError(err)) return notReady('ErrGetKeyPair', err.message);
    throw err;
  }
  if (!keyPair.certificate.isCA) return notReady('ErrInvalidKeyPair', 'certificate is not a CA');
  if (!publicKeysEqual(keyPair.privateKey, keyPair.certificate)) return notReady('ErrInvalidKeyPair', 'private key does not match certificate');
  return { status: 'True', reason: 'KeyPairVerified', message: KEY_PAIR_VERIFIED_MESSAGE };
}

async function sign(request: CertificateRequest, issuer: GenericIssuer, ctx: IssuerContext): Promise<SignResult> {
  const { namespace, name } = caSecretRef(issuer, ctx);
  const secret = await ctx.getSecret(namespace, name);
  if (!secret) return { state: 'pending', reason: 'SecretMissing', message: `Referenced secret ${namespace}/${name} not found` };

  const invalidData = (err: unknown): SignResult => ({
    state: 'pending',
    reason: 'SecretInvalidData',
    message: withCause(`Failed to parse signing CA keypair from secret ${namespace}/${name}`, err),
  });
  let keyPair: CaKeyPair;
  try {
    keyPair = readCaKeyPair(secret);
  } catch (err) {
    if (err instanceof InvalidKeyPairError || isPkiError(err)) return invalidData(err);
    throw err;
  }

  const ca = issuer.spec.ca;
  const template = templateFor(request, ctx.now(), {
    crlDistributionPoints: ca?.crlDistributionPoints,
    ocspServers: ca?.ocspServers,
    issuingCertificateUrls: ca?.issuingCertificateURLs,
  });
  try {
    const signed = await signCertificate(requestToSign(request), template, {
      certificate: keyPair.certificatePem,
      privateKey: keyPair.privateKey,
      ...(keyPair.caBundlePem ? { caBundle: keyPair.caBundlePem } : {}),
    });
    return { state: 'issued', certificatePem: signed.certificatePem, caPem: signed.caPem };
  } catch (err) {
    // The CA key not matching the CA certificate is the Secret's fault, and fixable: stay pending.
    if (isPkiError(err, 'KEY_MISMATCH')) return invalidData(err);
    if (isTemplateError(err)) return { state: 'failed', reason: 'SigningError', message: withCause('Error generating certificate template', err) };
    if (isPkiError(err)) return { state: 'failed', reason: 'SigningError', message: withCause('Error signing certificate', err) };
    throw err;
  }
}

export const caIssuer: IssuerBackend = {
  type: 'ca',
  setup,
  sign,
  referencedSecrets: (issuer, ctx) => [caSecretRef(issuer, ctx)],
};

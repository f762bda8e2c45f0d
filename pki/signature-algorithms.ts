import { createPublicKey, type KeyObject, type webcrypto } from 'node:crypto';
import { PkiError } from './errors.js';
import { describeKey, type KeyDescription } from './keys.js';
import { subtle } from './x509.js';

export type SignatureAlgorithmName =
  | 'SHA256WithRSA'
  | 'SHA384WithRSA'
  | 'SHA512WithRSA'
  | 'ECDSAWithSHA256'
  | 'ECDSAWithSHA384'
  | 'ECDSAWithSHA512'
  | 'PureEd25519';

const keyAlgorithmBySignature: Record<SignatureAlgorithmName, KeyDescription['algorithm']> = {
  SHA256WithRSA: 'RSA',
  SHA384WithRSA: 'RSA',
  SHA512WithRSA: 'RSA',
  ECDSAWithSHA256: 'ECDSA',
  ECDSAWithSHA384: 'ECDSA',
  ECDSAWithSHA512: 'ECDSA',
  PureEd25519: 'Ed25519',
};

const hashBySignature: Record<SignatureAlgorithmName, string | undefined> = {
  SHA256WithRSA: 'SHA-256',
  SHA384WithRSA: 'SHA-384',
  SHA512WithRSA: 'SHA-512',
  ECDSAWithSHA256: 'SHA-256',
  ECDSAWithSHA384: 'SHA-384',
  ECDSAWithSHA512: 'SHA-512',
  PureEd25519: undefined,
};

/**
 * cert-manager's rule when no algorithm is requested: RSA ≥4096 bits → SHA-512, ≥3072 → SHA-384,
 * else SHA-256; ECDSA by curve; Ed25519 pure. The same rule picks the signer's algorithm when we sign.
 */
export function defaultSignatureAlgorithm(key: KeyDescription): SignatureAlgorithmName {
  switch (key.algorithm) {
    case 'RSA':
      return key.size >= 4096 ? 'SHA512WithRSA' : key.size >= 3072 ? 'SHA384WithRSA' : 'SHA256WithRSA';
    case 'ECDSA':
      return key.size === 521 ? 'ECDSAWithSHA512' : key.size === 384 ? 'ECDSAWithSHA384' : 'ECDSAWithSHA256';
    case 'Ed25519':
      return 'PureEd25519';
  }
}

/** `requested` (spec.signatureAlgorithm) checked against the key, or the default for the key. */
export function signatureAlgorithmFor(key: KeyObject, requested?: string): SignatureAlgorithmName {
  const description = describeKey(key);
  if (!requested) return defaultSignatureAlgorithm(description);
  if (!(requested in keyAlgorithmBySignature)) {
    throw new PkiError('SIGNATURE_ALGORITHM_INVALID', `unsupported signature algorithm "${requested}"`);
  }
  const name = requested as SignatureAlgorithmName;
  if (keyAlgorithmBySignature[name] !== description.algorithm) {
    throw new PkiError('SIGNATURE_ALGORITHM_INVALID', `signature algorithm ${name} cannot be used with a ${description.algorithm} key`);
  }
  return name;
}

export interface WebCryptoSigner {
  keys: { privateKey: webcrypto.CryptoKey; publicKey: webcrypto.CryptoKey };
  /** Parameters for subtle.sign (and @peculiar/x509's signingAlgorithm). */
  algorithm: webcrypto.AlgorithmIdentifier | webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | { name: string; hash?: string };
}

/**
 * The key as a WebCrypto key pair bound to `name`. RSA keys carry their hash in the imported key,
 * which @peculiar/x509 lets win over the signing parameters, so the hash is fixed at import.
 */
export async function webCryptoSigner(key: KeyObject, name: SignatureAlgorithmName): Promise<WebCryptoSigner> {
  const description = describeKey(key);
  const hash = hashBySignature[name];
  const importParams =
    description.algorithm === 'RSA'
      ? { name: 'RSASSA-PKCS1-v1_5', hash: hash! }
      : description.algorithm === 'ECDSA'
        ? { name: 'ECDSA', namedCurve: description.curve! }
        : { name: 'Ed25519' };
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  const [privateKey, publicKey] = await Promise.all([
    subtle.importKey('pkcs8', pkcs8, importParams, false, ['sign']),
    subtle.importKey('spki', spki, importParams, true, ['verify']),
  ]);
  const algorithm = description.algorithm === 'ECDSA' ? { name: 'ECDSA', hash: hash! } : importParams;
  return { keys: { privateKey, publicKey }, algorithm };
}

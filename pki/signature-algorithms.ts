import { constants, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { PkiError } from './errors.js';
import { DerReader, type DerElement } from './der-reader.js';
import { DER_NULL, derOid, derSequence } from './der-writer.js';
import { describeKey, type KeyDescription } from './keys.js';

export type SignatureAlgorithmName =
  | 'SHA256WithRSA'
  | 'SHA384WithRSA'
  | 'SHA512WithRSA'
  | 'ECDSAWithSHA256'
  | 'ECDSAWithSHA384'
  | 'ECDSAWithSHA512'
  | 'PureEd25519';

interface SignatureAlgorithm {
  keyAlgorithm: KeyDescription['algorithm'];
  /** Node's digest name; null for Ed25519, which hashes internally. */
  hash: string | null;
  oid: string;
}

const signatureAlgorithms: Record<SignatureAlgorithmName, SignatureAlgorithm> = {
  SHA256WithRSA: { keyAlgorithm: 'RSA', hash: 'sha256', oid: '1.2.840.113549.1.1.11' },
  SHA384WithRSA: { keyAlgorithm: 'RSA', hash: 'sha384', oid: '1.2.840.113549.1.1.12' },
  SHA512WithRSA: { keyAlgorithm: 'RSA', hash: 'sha512', oid: '1.2.840.113549.1.1.13' },
  ECDSAWithSHA256: { keyAlgorithm: 'ECDSA', hash: 'sha256', oid: '1.2.840.10045.4.3.2' },
  ECDSAWithSHA384: { keyAlgorithm: 'ECDSA', hash: 'sha384', oid: '1.2.840.10045.4.3.3' },
  ECDSAWithSHA512: { keyAlgorithm: 'ECDSA', hash: 'sha512', oid: '1.2.840.10045.4.3.4' },
  PureEd25519: { keyAlgorithm: 'Ed25519', hash: null, oid: '1.3.101.112' },
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
  if (!(requested in signatureAlgorithms)) {
    throw new PkiError('SIGNATURE_ALGORITHM_INVALID', `unsupported signature algorithm "${requested}"`);
  }
  const name = requested as SignatureAlgorithmName;
  if (signatureAlgorithms[name].keyAlgorithm !== description.algorithm) {
    throw new PkiError('SIGNATURE_ALGORITHM_INVALID', `signature algorithm ${name} cannot be used with a ${description.algorithm} key`);
  }
  return name;
}

/** The AlgorithmIdentifier DER for `name`: RSA carries NULL parameters, ECDSA and Ed25519 none (RFC 4055, 5758, 8410). */
export function signatureAlgorithmIdentifier(name: SignatureAlgorithmName): Buffer {
  const { keyAlgorithm, oid } = signatureAlgorithms[name];
  return keyAlgorithm === 'RSA' ? derSequence(derOid(oid), DER_NULL) : derSequence(derOid(oid));
}

/** Signs `data` natively (ECDSA signatures come DER-encoded, as X.509 wants them). */
export function signData(key: KeyObject, name: SignatureAlgorithmName, data: Uint8Array): Buffer {
  return sign(signatureAlgorithms[name].hash, data, key);
}

/** Algorithms we verify natively, by OID: a digest and, for RSA-PSS, parameters read separately. */
const verifiedAlgorithms: Record<string, { hash: string | null } | 'rsa-pss'> = {
  '1.2.840.113549.1.1.5': { hash: 'sha1' },
  '1.2.840.113549.1.1.14': { hash: 'sha224' },
  '1.2.840.113549.1.1.11': { hash: 'sha256' },
  '1.2.840.113549.1.1.12': { hash: 'sha384' },
  '1.2.840.113549.1.1.13': { hash: 'sha512' },
  '1.2.840.10045.4.1': { hash: 'sha1' },
  '1.2.840.10045.4.3.1': { hash: 'sha224' },
  '1.2.840.10045.4.3.2': { hash: 'sha256' },
  '1.2.840.10045.4.3.3': { hash: 'sha384' },
  '1.2.840.10045.4.3.4': { hash: 'sha512' },
  '1.3.101.112': { hash: null },
  '1.3.101.113': { hash: null },
  '1.2.840.113549.1.1.10': 'rsa-pss',
};

const digestByOid: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const MGF1_OID = '1.2.840.113549.1.1.8';

const pssReader = new DerReader('CERTIFICATE_MALFORMED', 'RSA-PSS parameters');

/**
 * RSASSA-PSS-params (RFC 4055): hash [0] (default SHA-1), MGF1 with a hash [1] (default SHA-1) and
 * salt length [2] (default 20). Node's PSS verify uses MGF1 with the message digest, so other
 * combinations are unsupported.
 */
function pssParameters(parameters: DerElement | undefined): { hash: string; saltLength: number } | undefined {
  let hash = 'sha1';
  let mgfHash = 'sha1';
  let saltLength = 20;
  for (const field of parameters ? pssReader.children(parameters) : []) {
    const value = pssReader.inner(field);
    if (field.tag === 0xa0) hash = digestByOid[pssReader.oid(pssReader.children(value)[0]!)] ?? '';
    else if (field.tag === 0xa1) {
      const [mgf, mgfParameters] = pssReader.children(value);
      if (pssReader.oid(mgf!) !== MGF1_OID || !mgfParameters) return undefined;
      mgfHash = digestByOid[pssReader.oid(pssReader.children(mgfParameters)[0]!)] ?? '';
    } else if (field.tag === 0xa2) saltLength = pssReader.smallInteger(value);
  }
  return hash && hash === mgfHash ? { hash, saltLength } : undefined;
}

/**
 * Whether `signature` over `data` verifies with `publicKey` under the AlgorithmIdentifier
 * `algorithm` (its OID and optional parameters); undefined when the algorithm is not one we
 * verify natively. A wrong key type, a malformed signature or bad parameters are all false.
 */
export function signatureVerifies(algorithm: { oid: string; parameters?: DerElement }, data: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean | undefined {
  const known = verifiedAlgorithms[algorithm.oid];
  if (!known) return undefined;
  try {
    if (known !== 'rsa-pss') return verify(known.hash, data, publicKey, signature);
    const pss = pssParameters(algorithm.parameters);
    return pss ? verify(pss.hash, data, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pss.saltLength }, signature) : false;
  } catch {
    return false;
  }
}

/** OpenSSL's own check of a certificate signature, for algorithms signatureVerifies doesn't know. */
export function nativeCertificateSignatureVerifies(certificateDer: Uint8Array, issuerKey: KeyObject): boolean {
  try {
    return new X509Certificate(certificateDer).verify(issuerKey);
  } catch {
    return false;
  }
}

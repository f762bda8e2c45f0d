import { createECDH, createPrivateKey, createPublicKey, generateKeyPair, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { PkiError } from './errors.js';
import { MAX_PRIVATE_KEY_SIZE } from './limits.js';
import { NAMED_CURVES, curveOfKey, namedCurve, rememberNamedCurve, type EcCurve, type NamedCurve } from './curves.js';
import { KeyMemo } from './key-memo.js';
import { decodePemBlocks, assertWithinLimit, encodePem, looksLikePem, type PemOrDer } from './pem.js';
import { ecPrivateKeyFromScalar, privateKeyFromDer, privateKeyToDer, type PrivateKeyDerType } from './private-key-der.js';

export type { EcCurve } from './curves.js';
export type KeyAlgorithm = 'RSA' | 'ECDSA' | 'Ed25519';

/**
 * `spec.privateKey` as cert-manager spells it. Fields are plain strings so an api/ Certificate spec
 * can be passed as is; values are checked when used.
 */
export interface KeySpec {
  algorithm?: string;
  size?: number;
  encoding?: string;
}

export type PrivateKeyEncoding = 'PKCS1' | 'PKCS8';

export interface KeyDescription {
  algorithm: KeyAlgorithm;
  /** RSA modulus bits, EC curve bits, 256 for Ed25519. */
  size: number;
  curve?: EcCurve;
}

export const RSA_MIN_SIZE = 2048;
export const RSA_MAX_SIZE = 8192;
const DEFAULT_RSA_SIZE = 2048;
const DEFAULT_EC_SIZE = 256;

const curveBySize = new Map(NAMED_CURVES.map((c) => [c.size, c.curve]));

/** The key algorithm a spec asks for; empty means RSA, as in cert-manager. */
export function keyAlgorithmOf(spec: KeySpec | undefined): KeyAlgorithm {
  const algorithm = spec?.algorithm ?? '';
  if (algorithm === '' || algorithm === 'RSA') return 'RSA';
  if (algorithm === 'ECDSA' || algorithm === 'Ed25519') return algorithm;
  throw new PkiError('KEY_SPEC_INVALID', `unsupported private key algorithm "${algorithm}" (want RSA, ECDSA or Ed25519)`);
}

/** Algorithm and size with cert-manager's defaults applied and bounds checked. */
export function resolveKeySpec(spec: KeySpec | undefined): KeyDescription {
  const algorithm = keyAlgorithmOf(spec);
  const size = spec?.size ?? 0;
  switch (algorithm) {
    case 'RSA': {
      const bits = size === 0 ? DEFAULT_RSA_SIZE : size;
      if (!Number.isInteger(bits) || bits < RSA_MIN_SIZE || bits > RSA_MAX_SIZE) {
        throw new PkiError('KEY_SPEC_INVALID', `RSA key size must be between ${RSA_MIN_SIZE} and ${RSA_MAX_SIZE}, got ${bits}`);
      }
      return { algorithm, size: bits };
    }
    case 'ECDSA': {
      const bits = size === 0 ? DEFAULT_EC_SIZE : size;
      const curve = curveBySize.get(bits);
      if (!curve) throw new PkiError('KEY_SPEC_INVALID', `ECDSA key size must be 256, 384 or 521, got ${bits}`);
      return { algorithm, size: bits, curve };
    }
    case 'Ed25519':
      return { algorithm, size: 256 };
  }
}

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * A new private key for `spec`, described as asked (describeKey then need not ask OpenSSL). RSA
 * keys are generated off the event loop (prime search takes 50–500 ms); EC and Ed25519 keys in
 * place, cheaper than handing the job to libuv's thread pool and back (~55 µs of CPU for P-256).
 *
 * No key returned here shares its lock with a key-generation job. A key made by
 * `generateKeyPair(Sync)` does until the job object is collected, and in Node 20 a collection
 * during `export({ format: 'jwk' })` of that key (which holds the lock while it allocates) runs the
 * job's destructor, which waits for the same lock: the process hangs for good (seen in 10k bench
 * runs; a loop of keygen + JWK export hangs within seconds). EC keys therefore come from ECDH
 * (~70 µs for P-256 instead of ~30), RSA and Ed25519 keys are re-read from their PKCS#8 DER.
 */
export async function generatePrivateKey(spec?: KeySpec): Promise<KeyObject> {
  const description = resolveKeySpec(spec);
  const key = await generateKeyFor(description);
  descriptions.remember(key, description);
  if (description.curve) rememberNamedCurve(key, description.curve);
  return key;
}

async function generateKeyFor({ algorithm, size, curve }: KeyDescription): Promise<KeyObject> {
  switch (algorithm) {
    case 'RSA':
      return apartFromItsJob((await generateKeyPairAsync('rsa', { modulusLength: size, publicExponent: 0x10001 })).privateKey);
    case 'ECDSA':
      return generateEcKey(namedCurve(curve!));
    case 'Ed25519':
      return apartFromItsJob(generateKeyPairSync('ed25519').privateKey);
  }
}

function generateEcKey(curve: NamedCurve): KeyObject {
  const ecdh = createECDH(curve.nodeName);
  const point = ecdh.generateKeys();
  return ecPrivateKeyFromScalar(curve, ecdh.getPrivateKey(), point);
}

/** The same key with a lock of its own (DER export takes the lock without allocating). */
function apartFromItsJob(key: KeyObject): KeyObject {
  return createPrivateKey({ key: key.export({ format: 'der', type: 'pkcs8' }), format: 'der', type: 'pkcs8' });
}

export function privateKeyEncodingOf(encoding: string | undefined): PrivateKeyEncoding {
  if (encoding === undefined || encoding === '' || encoding === 'PKCS1') return 'PKCS1';
  if (encoding === 'PKCS8') return 'PKCS8';
  throw new PkiError('KEY_SPEC_INVALID', `unsupported private key encoding "${encoding}" (want PKCS1 or PKCS8)`);
}

/**
 * How a key is serialised for `encoding`: PKCS1 means the algorithm's own format (PKCS#1 for RSA,
 * SEC 1 for EC); Ed25519 has none, so it is always PKCS#8.
 */
function exportType(key: KeyObject, encoding: PrivateKeyEncoding): { type: PrivateKeyDerType; label: string } {
  const algorithm = describeKey(key).algorithm;
  if (encoding === 'PKCS8' || algorithm === 'Ed25519') return { type: 'pkcs8', label: 'PRIVATE KEY' };
  return algorithm === 'RSA' ? { type: 'pkcs1', label: 'RSA PRIVATE KEY' } : { type: 'sec1', label: 'EC PRIVATE KEY' };
}

function assertPrivate(key: KeyObject): void {
  if (key.type !== 'private') throw new PkiError('UNSUPPORTED_KEY', `expected a private key, got a ${key.type} key`);
}

export function encodePrivateKeyDer(key: KeyObject, encoding?: string): Buffer {
  assertPrivate(key);
  const { type } = exportType(key, privateKeyEncodingOf(encoding));
  return privateKeyToDer(key, type) ?? key.export({ format: 'der', type });
}

/**
 * PEM texts by key and encoding: an issued Secret's `tls.key` is encoded when the Secret is built
 * and again whenever its upkeep is checked, from the same KeyObject.
 */
const pemTexts = new KeyMemo<Partial<Record<PrivateKeyEncoding, string>>>(() => ({}));

export function encodePrivateKeyPem(key: KeyObject, encoding?: string): string {
  assertPrivate(key);
  const format = privateKeyEncodingOf(encoding);
  const texts = pemTexts.get(key);
  return (texts[format] ??= encodePem(encodePrivateKeyDer(key, format), exportType(key, format).label));
}

const derTypeByLabel: Record<string, PrivateKeyDerType> = {
  'PRIVATE KEY': 'pkcs8',
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
};

function importDer(der: Buffer, type: PrivateKeyDerType): KeyObject | undefined {
  try {
    return createPrivateKey({ key: der, format: 'der', type });
  } catch {
    return undefined;
  }
}

/**
 * `der` as the first of `types` it is: read and checked in JS when it has a shape
 * private-key-der.ts handles, else imported by OpenSSL, named and checked with a trial signature.
 */
function importPrivateKey(der: Buffer, types: readonly PrivateKeyDerType[]): KeyObject {
  for (const type of types) {
    const key = privateKeyFromDer(der, type);
    if (key) return key;
  }
  for (const type of types) {
    const key = importDer(der, type);
    if (!key) continue;
    assertReencodable(key);
    describeKey(key);
    assertConsistent(key);
    return key;
  }
  throw new PkiError('KEY_MALFORMED', 'private key could not be parsed');
}

/**
 * A private key from PEM (the first block, as cert-manager reads `tls.key`: PKCS#1, SEC 1 or PKCS#8)
 * or from DER in any of those formats. Only RSA, ECDSA P-256/384/521 and Ed25519 keys are accepted.
 */
export function parsePrivateKey(input: PemOrDer): KeyObject {
  const limits = { maxBytes: MAX_PRIVATE_KEY_SIZE, what: 'private key' };
  if (!looksLikePem(input)) {
    assertWithinLimit(input, limits);
    return importPrivateKey(Buffer.from(input), ['pkcs8', 'pkcs1', 'sec1']);
  }
  const block = decodePemBlocks(input, limits)[0]!;
  if (block.label === 'ENCRYPTED PRIVATE KEY' || block.headers.get('Proc-Type')?.includes('ENCRYPTED')) {
    throw new PkiError('UNSUPPORTED_KEY', 'encrypted private keys are not supported');
  }
  const type = derTypeByLabel[block.label];
  if (!type) throw new PkiError('PEM_UNEXPECTED_TYPE', `unknown private key PEM type "${block.label}"`);
  return importPrivateKey(block.der, [type]);
}

/**
 * OpenSSL 3 imports some malformed EC keys (a scalar longer than the curve) that it cannot encode
 * again; Node then aborts the whole process when asked for their details or JWK. Encoding fails
 * cleanly, so it screens them out before anything else touches the key.
 */
function assertReencodable(key: KeyObject): void {
  try {
    key.export({ format: 'der', type: 'pkcs8' });
  } catch {
    throw new PkiError('KEY_MALFORMED', 'private key could not be parsed');
  }
}

/**
 * Like Go's key validation, for keys OpenSSL imported: the private half must produce signatures the
 * public half accepts (catches an EC public point that doesn't belong to the scalar).
 */
function assertConsistent(key: KeyObject): void {
  const probe = Buffer.from('certwright key check');
  const hash = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  let consistent = false;
  try {
    consistent = verify(hash, probe, createPublicKey(key), sign(hash, probe, key));
  } catch {
    consistent = false;
  }
  if (!consistent) throw new PkiError('KEY_MALFORMED', 'private key is inconsistent: its public part does not match');
}

/**
 * Descriptions by key: one issuance describes its key several times (CSR signature algorithm, PEM
 * encoding, spec checks), and reading `asymmetricKeyDetails` asks OpenSSL each time (~60 µs for EC).
 */
const descriptions = new KeyMemo(readKeyDescription);

/** Algorithm and size of a private or public key; UNSUPPORTED_KEY for anything cert-manager can't use. Treat the result as read-only. */
export function describeKey(key: KeyObject): KeyDescription {
  return descriptions.get(key);
}

function readKeyDescription(key: KeyObject): KeyDescription {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { algorithm: 'RSA', size: key.asymmetricKeyDetails?.modulusLength ?? 0 };
    case 'ec': {
      const named = curveOfKey(key);
      if (!named) throw new PkiError('UNSUPPORTED_KEY', `unsupported EC curve "${key.asymmetricKeyDetails?.namedCurve}"`);
      return { algorithm: 'ECDSA', size: named.size, curve: named.curve };
    }
    case 'ed25519':
      return { algorithm: 'Ed25519', size: 256 };
    default:
      throw new PkiError('UNSUPPORTED_KEY', `unsupported key type "${key.asymmetricKeyType}"`);
  }
}

/**
 * Field paths of `spec.privateKey` that `key` does not satisfy, as cert-manager's
 * PrivateKeyMatchesSpec: algorithm, then RSA bit length or EC curve size (defaults 2048 / 256).
 */
export function privateKeyMatchesSpec(key: KeyObject, spec: { privateKey?: KeySpec }): string[] {
  const wanted = keyAlgorithmOf(spec.privateKey);
  const actual = describeKey(key);
  if (actual.algorithm !== wanted) return ['spec.privateKey.algorithm'];
  if (wanted === 'Ed25519') return [];
  const size = spec.privateKey?.size || (wanted === 'RSA' ? DEFAULT_RSA_SIZE : DEFAULT_EC_SIZE);
  return actual.size === size ? [] : ['spec.privateKey.size'];
}

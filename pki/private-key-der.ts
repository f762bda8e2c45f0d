/**
 * Private keys to and from DER (PKCS#1, SEC 1, PKCS#8) through JWK. OpenSSL 3's DER decoders and
 * encoders cost ~100 µs per key (Ed25519 PKCS#8 import ~380 µs), JWK import and export a few µs
 * (EC import ~65 µs, as it checks the point); and checking a key's halves with arithmetic costs far
 * less than a trial signature (RSA-2048: ~270 µs). Shapes this module does not handle — other
 * curves, multi-prime RSA, SEC 1 without its public key, Ed25519 input — return undefined, and
 * callers use OpenSSL's DER path for them.
 */
import { createECDH, createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { PkiError } from './errors.js';
import { DerReader, TAG, contextTag, type DerElement } from './der-reader.js';
import { DER_NULL, derBitString, derContext, derOctetString, derOid, derSequence, derSmallInteger, derUnsignedInteger } from './der-writer.js';
import { NAMED_CURVES, curveOfKey, type NamedCurve } from './curves.js';

export type PrivateKeyDerType = 'pkcs8' | 'pkcs1' | 'sec1';

const ALGORITHM_OID = { rsa: '1.2.840.113549.1.1.1', ec: '1.2.840.10045.2.1', ed25519: '1.3.101.112' } as const;
const curveByOid = new Map(NAMED_CURVES.map((c) => [c.oid, c]));
const RSA_JWK_FIELDS = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;

/** A key whose halves disagree: the one failure that is not "not handled here". */
class InconsistentKeyError extends PkiError {
  constructor() {
    super('KEY_MALFORMED', 'private key is inconsistent: its public part does not match');
  }
}

function inconsistent(): never {
  throw new InconsistentKeyError();
}

const fromBase64url = (value: string | undefined) => Buffer.from(value ?? '', 'base64url');

/** Big-endian octets, left-padded with zeros to `length`. */
function padded(bytes: Buffer, length: number): Buffer {
  return bytes.length >= length ? bytes : Buffer.concat([Buffer.alloc(length - bytes.length), bytes]);
}

function ecPoint(jwk: JsonWebKey, curve: NamedCurve): Buffer {
  return Buffer.concat([Buffer.from([0x04]), padded(fromBase64url(jwk.x), curve.coordinateLength), padded(fromBase64url(jwk.y), curve.coordinateLength)]);
}

/** ECPrivateKey (RFC 5915) as OpenSSL writes it: the scalar padded to the field size, then the curve (SEC 1 only) and the public point. */
function ecPrivateKey(jwk: JsonWebKey, curve: NamedCurve, withParameters: boolean): Buffer {
  return derSequence(
    derSmallInteger(1),
    derOctetString(padded(fromBase64url(jwk.d), curve.coordinateLength)),
    ...(withParameters ? [derContext(0, true, derOid(curve.oid))] : []),
    derContext(1, true, derBitString(ecPoint(jwk, curve))),
  );
}

function rsaPrivateKey(jwk: JsonWebKey): Buffer {
  return derSequence(derSmallInteger(0), ...RSA_JWK_FIELDS.map((field) => derUnsignedInteger(fromBase64url(jwk[field]))));
}

const pkcs8 = (algorithm: Buffer, privateKey: Buffer) => derSequence(derSmallInteger(0), algorithm, derOctetString(privateKey));

/** The DER OpenSSL exports for `key` as `type`, or undefined for key types handled by OpenSSL only. */
export function privateKeyToDer(key: KeyObject, type: PrivateKeyDerType): Buffer | undefined {
  switch (key.asymmetricKeyType) {
    case 'rsa': {
      const der = rsaPrivateKey(key.export({ format: 'jwk' }));
      return type === 'pkcs1' ? der : type === 'pkcs8' ? pkcs8(derSequence(derOid(ALGORITHM_OID.rsa), DER_NULL), der) : undefined;
    }
    case 'ec': {
      const curve = curveOfKey(key);
      if (!curve) return undefined;
      const jwk = key.export({ format: 'jwk' });
      if (type === 'sec1') return ecPrivateKey(jwk, curve, true);
      return type === 'pkcs8' ? pkcs8(derSequence(derOid(ALGORITHM_OID.ec), derOid(curve.oid)), ecPrivateKey(jwk, curve, false)) : undefined;
    }
    case 'ed25519':
      return type === 'pkcs8' ? pkcs8(derSequence(derOid(ALGORITHM_OID.ed25519)), derOctetString(fromBase64url(key.export({ format: 'jwk' }).d))) : undefined;
    default:
      return undefined;
  }
}

/** Reads shapes only: anything that does not fit is "not handled here", never an error. */
const shapeReader = new DerReader('KEY_MALFORMED', 'private key');

function unsignedInteger(element: DerElement | undefined): bigint | undefined {
  if (element?.tag !== TAG.integer) return undefined;
  const bytes = shapeReader.integerBytes(element);
  return bytes[0]! & 0x80 ? undefined : BigInt(`0x${bytes.toString('hex')}`);
}

const toBase64url = (value: bigint) => {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
};

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

/**
 * RSAPrivateKey (RFC 8017 A.1.2), two-prime. Its halves must agree as Go's Validate demands: n = pq,
 * de ≡ 1 mod p−1 and q−1, and the CRT values derived from them.
 */
function rsaFromPkcs1(element: DerElement): KeyObject | undefined {
  const fields = shapeReader.children(element, TAG.sequence);
  if (fields.length !== 9 || unsignedInteger(fields[0]) !== 0n) return undefined;
  const values = fields.slice(1).map(unsignedInteger);
  if (values.some((v) => v === undefined)) return undefined;
  const [n, e, d, p, q, dp, dq, qi] = values as bigint[];
  if (p! <= 1n || q! <= 1n || n !== p! * q!) inconsistent();
  if (mod(d! * e!, p! - 1n) !== 1n || mod(d! * e!, q! - 1n) !== 1n) inconsistent();
  if (dp !== mod(d!, p! - 1n) || dq !== mod(d!, q! - 1n) || mod(qi! * q!, p!) !== 1n) inconsistent();
  const jwk: JsonWebKey = { kty: 'RSA' };
  RSA_JWK_FIELDS.forEach((field, i) => (jwk[field] = toBase64url(values[i]!)));
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

const EC_PARAMETERS_TAG = contextTag(0, true);
const EC_PUBLIC_KEY_TAG = contextTag(1, true);

/**
 * ECPrivateKey on a named curve (from its own parameters, or from `curveFromAlgorithm` inside
 * PKCS#8) with its public point, which must be the scalar's: d·G is recomputed and compared.
 */
function ecFromSec1(element: DerElement, curveFromAlgorithm?: NamedCurve): KeyObject | undefined {
  const [version, scalar, ...optional] = shapeReader.children(element, TAG.sequence);
  if (unsignedInteger(version) !== 1n || scalar?.tag !== TAG.octetString) return undefined;
  const parameters = optional.find((f) => f.tag === EC_PARAMETERS_TAG);
  const publicKey = optional.find((f) => f.tag === EC_PUBLIC_KEY_TAG);
  const ownCurve = parameters && shapeReader.inner(parameters);
  const curve = ownCurve ? (ownCurve.tag === TAG.oid ? curveByOid.get(shapeReader.oid(ownCurve)) : undefined) : curveFromAlgorithm;
  if (!curve || !publicKey || (curveFromAlgorithm && curve !== curveFromAlgorithm)) return undefined;
  const point = shapeReader.bitString(shapeReader.inner(publicKey));
  const length = curve.coordinateLength;
  if (point.unusedBits !== 0 || point.bytes.length !== 1 + 2 * length || point.bytes[0] !== 0x04) return undefined;
  const d = shapeReader.primitive(scalar);
  let derived: Buffer;
  try {
    const ecdh = createECDH(curve.nodeName);
    ecdh.setPrivateKey(d);
    derived = ecdh.getPublicKey();
  } catch {
    return inconsistent();
  }
  if (!derived.equals(point.bytes)) inconsistent();
  return ecPrivateKeyFromScalar(curve, d, point.bytes);
}

/** The EC private key with scalar `d` and its uncompressed public `point` (0x04 ‖ x ‖ y) on `curve`. */
export function ecPrivateKeyFromScalar(curve: NamedCurve, d: Buffer, point: Buffer): KeyObject {
  const length = curve.coordinateLength;
  const coordinates = { x: point.subarray(1, 1 + length).toString('base64url'), y: point.subarray(1 + length).toString('base64url') };
  return createPrivateKey({ key: { kty: 'EC', crv: curve.curve, d: padded(d, length).toString('base64url'), ...coordinates }, format: 'jwk' });
}

/** PrivateKeyInfo / OneAsymmetricKey (RFC 5958) wrapping an RSA or named-curve EC key. */
function fromPkcs8(element: DerElement): KeyObject | undefined {
  const [version, algorithm, privateKey] = shapeReader.children(element, TAG.sequence);
  const versionNumber = unsignedInteger(version);
  if ((versionNumber !== 0n && versionNumber !== 1n) || algorithm?.tag !== TAG.sequence || privateKey?.tag !== TAG.octetString) return undefined;
  const [oid, parameters] = shapeReader.children(algorithm);
  if (oid?.tag !== TAG.oid) return undefined;
  const inner = () => shapeReader.single(shapeReader.primitive(privateKey));
  switch (shapeReader.oid(oid)) {
    case ALGORITHM_OID.rsa:
      return !parameters || parameters.bytes.equals(DER_NULL) ? rsaFromPkcs1(inner()) : undefined;
    case ALGORITHM_OID.ec: {
      const curve = parameters?.tag === TAG.oid ? curveByOid.get(shapeReader.oid(parameters)) : undefined;
      return curve ? ecFromSec1(inner(), curve) : undefined;
    }
    default:
      return undefined;
  }
}

const readers: Record<PrivateKeyDerType, (element: DerElement) => KeyObject | undefined> = {
  pkcs8: fromPkcs8,
  pkcs1: rsaFromPkcs1,
  sec1: (element) => ecFromSec1(element),
};

/**
 * The key in `der` read as `type`, with its halves checked; undefined when `der` is not a shape
 * handled here (including malformed DER: OpenSSL then reports it). KEY_MALFORMED when the shape
 * fits but the halves disagree.
 */
export function privateKeyFromDer(der: Buffer, type: PrivateKeyDerType): KeyObject | undefined {
  try {
    return readers[type](shapeReader.single(der));
  } catch (e) {
    if (e instanceof InconsistentKeyError) throw e;
    return undefined;
  }
}

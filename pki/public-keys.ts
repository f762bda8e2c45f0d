/**
 * SubjectPublicKeyInfo: naming, importing, encoding and comparing public keys. OpenSSL 3's DER
 * decoders and encoders cost ~100 µs per key, while JWK import and export take a few µs (EC
 * import ~50 µs, as it checks the point), so known key types travel as JWK and are framed as
 * SPKI here; anything else goes through OpenSSL's DER path.
 */
import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { PkiError } from './errors.js';
import { DerReader, TAG, type DerElement } from './der-reader.js';
import { DER_NULL, derBitString, derOid, derSequence, derUnsignedInteger } from './der-writer.js';
import { NAMED_CURVES, curveOfKey, type NamedCurve } from './curves.js';
import type { KeyDescription } from './keys.js';
import { KeyMemo } from './key-memo.js';

const KEY_ALGORITHM_OID = { rsa: '1.2.840.113549.1.1.1', ec: '1.2.840.10045.2.1', ed25519: '1.3.101.112' } as const;
const curveByOid = new Map(NAMED_CURVES.map((c) => [c.oid, c]));

const spkiReader = new DerReader('KEY_MALFORMED', 'public key');

interface SpkiFields {
  algorithmOid: string;
  parameters?: DerElement;
  /** The subjectPublicKey BIT STRING's octets. */
  key: Buffer;
}

function readSpki(spki: Uint8Array): SpkiFields {
  const [algorithm, keyBits] = spkiReader.children(spkiReader.single(spki), TAG.sequence);
  if (!algorithm || !keyBits) spkiReader.fail('is missing fields');
  const [oid, parameters] = spkiReader.children(algorithm, TAG.sequence);
  const bits = spkiReader.bitString(keyBits);
  if (bits.unusedBits !== 0) spkiReader.fail('has a partial octet');
  const fields: SpkiFields = { algorithmOid: spkiReader.oid(oid ?? spkiReader.fail('has no algorithm')), key: bits.bytes };
  if (parameters) fields.parameters = parameters;
  return fields;
}

function rsaModulusAndExponent(key: Buffer): { modulus: Buffer; exponent: Buffer } {
  const [modulus, exponent] = spkiReader.children(spkiReader.single(key), TAG.sequence);
  if (!modulus || !exponent) spkiReader.fail('is missing RSA fields');
  return { modulus: spkiReader.integerBytes(modulus), exponent: spkiReader.integerBytes(exponent) };
}

function namedCurveOf(fields: SpkiFields): NamedCurve | undefined {
  return fields.parameters?.tag === TAG.oid ? curveByOid.get(spkiReader.oid(fields.parameters)) : undefined;
}

function bitLength(unsignedBigEndian: Buffer): number {
  const first = unsignedBigEndian.findIndex((b) => b !== 0);
  return first < 0 ? 0 : (unsignedBigEndian.length - first - 1) * 8 + (32 - Math.clz32(unsignedBigEndian[first]!));
}

/**
 * Algorithm and size of SubjectPublicKeyInfo DER, read from the ASN.1 alone: parsing a certificate
 * only needs to name its key. Undefined for malformed or unsupported keys.
 */
export function describeSpki(spki: Uint8Array): KeyDescription | undefined {
  try {
    const fields = readSpki(spki);
    switch (fields.algorithmOid) {
      case KEY_ALGORITHM_OID.rsa:
        return { algorithm: 'RSA', size: bitLength(rsaModulusAndExponent(fields.key).modulus) };
      case KEY_ALGORITHM_OID.ec: {
        const named = namedCurveOf(fields);
        return named ? { algorithm: 'ECDSA', size: named.size, curve: named.curve } : undefined;
      }
      case KEY_ALGORITHM_OID.ed25519:
        return { algorithm: 'Ed25519', size: 256 };
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (KEY_MALFORMED for bad SPKI). */
export function keyIdentifier(spki: Uint8Array): Buffer {
  return createHash('sha1').update(readSpki(spki).key).digest();
}

const unsigned = (integer: Buffer) => (integer.length > 1 && integer[0] === 0 ? integer.subarray(1) : integer);

/** The JWK for SPKI fields when the key is one we import that way; undefined sends it down OpenSSL's DER path. */
function jwkOf(fields: SpkiFields): JsonWebKey | undefined {
  switch (fields.algorithmOid) {
    case KEY_ALGORITHM_OID.rsa: {
      if (fields.parameters && !fields.parameters.bytes.equals(DER_NULL)) return undefined;
      const { modulus, exponent } = rsaModulusAndExponent(fields.key);
      if (modulus[0]! & 0x80 || exponent[0]! & 0x80) return undefined;
      return { kty: 'RSA', n: unsigned(modulus).toString('base64url'), e: unsigned(exponent).toString('base64url') };
    }
    case KEY_ALGORITHM_OID.ec: {
      const named = namedCurveOf(fields);
      const length = named?.coordinateLength ?? 0;
      // Only uncompressed points (04 || X || Y) map onto JWK coordinates.
      if (!named || fields.key.length !== 1 + 2 * length || fields.key[0] !== 0x04) return undefined;
      return { kty: 'EC', crv: named.curve, x: fields.key.subarray(1, 1 + length).toString('base64url'), y: fields.key.subarray(1 + length).toString('base64url') };
    }
    case KEY_ALGORITHM_OID.ed25519:
      return fields.parameters || fields.key.length !== 32 ? undefined : { kty: 'OKP', crv: 'Ed25519', x: fields.key.toString('base64url') };
    default:
      return undefined;
  }
}

/** A public KeyObject from SubjectPublicKeyInfo DER; KEY_MALFORMED when it is not a usable key. */
export function publicKeyFromSpki(spki: Uint8Array): KeyObject {
  try {
    const jwk = jwkOf(readSpki(spki));
    return jwk ? createPublicKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    throw new PkiError('KEY_MALFORMED', 'public key could not be parsed');
  }
}

const padded = (base64url: string | undefined, length: number) => {
  const bytes = Buffer.from(base64url ?? '', 'base64url');
  return bytes.length >= length ? bytes : Buffer.concat([Buffer.alloc(length - bytes.length), bytes]);
};

/** SPKI by key: one issuance compares the same key with its CSR, its certificate and its Secret in several reconciles (~40 µs each to derive). */
const spkis = new KeyMemo(deriveSpki);

/** SubjectPublicKeyInfo DER of a key's public half (the same bytes OpenSSL's SPKI export gives). Treat it as read-only. */
export function spkiOf(key: KeyObject): Buffer {
  return spkis.get(key);
}

function deriveSpki(key: KeyObject): Buffer {
  const publicKey = key.type === 'public' ? key : createPublicKey(key);
  switch (publicKey.asymmetricKeyType) {
    case 'rsa': {
      const jwk = publicKey.export({ format: 'jwk' });
      const rsaKey = derSequence(derUnsignedInteger(Buffer.from(jwk.n!, 'base64url')), derUnsignedInteger(Buffer.from(jwk.e!, 'base64url')));
      return derSequence(derSequence(derOid(KEY_ALGORITHM_OID.rsa), DER_NULL), derBitString(rsaKey));
    }
    case 'ec': {
      // Asked of `key`, not the public half made above: a key's curve is remembered.
      const named = curveOfKey(key);
      if (!named) break;
      const jwk = publicKey.export({ format: 'jwk' });
      const point = Buffer.concat([Buffer.from([0x04]), padded(jwk.x, named.coordinateLength), padded(jwk.y, named.coordinateLength)]);
      return derSequence(derSequence(derOid(KEY_ALGORITHM_OID.ec), derOid(named.oid)), derBitString(point));
    }
    case 'ed25519':
      return derSequence(derSequence(derOid(KEY_ALGORITHM_OID.ed25519)), derBitString(Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url')));
  }
  return publicKey.export({ format: 'der', type: 'spki' });
}

/** Anything that has a public key: a key (private or public), SPKI DER, or a parsed cert/CSR. */
export type PublicKeySource = KeyObject | Uint8Array | { publicKeyDer: Uint8Array };

function publicKeyObject(source: PublicKeySource): KeyObject {
  if (source instanceof Uint8Array) return publicKeyFromSpki(source);
  if ('publicKeyDer' in source) return publicKeyFromSpki(source.publicKeyDer);
  return source.type === 'public' ? source : createPublicKey(source);
}

/** SubjectPublicKeyInfo DER of `source`, normalised so equal keys give equal bytes. */
export function publicKeyDer(source: PublicKeySource): Buffer {
  return Buffer.from(spkiOf(publicKeyObject(source)));
}

/** The SPKI DER a source carries encoded, or undefined for a KeyObject. */
const encodedSpki = (source: PublicKeySource): Uint8Array | undefined =>
  source instanceof Uint8Array ? source : 'publicKeyDer' in source ? source.publicKeyDer : undefined;

export function publicKeysEqual(a: PublicKeySource, b: PublicKeySource): boolean {
  // A KeyObject's SPKI as spkiOf writes it is what certificates and CSRs carry for the same key, so
  // equal bytes settle it without importing the encoded side (an EC import costs ~55 µs).
  const [encodedA, encodedB] = [encodedSpki(a), encodedSpki(b)];
  // Two keys: spkiOf is canonical (and remembered per key), so equal keys give equal bytes.
  if (!encodedA && !encodedB) return spkiOf(a as KeyObject).equals(spkiOf(b as KeyObject));
  if (!encodedA !== !encodedB && spkiOf((encodedA ? b : a) as KeyObject).equals(encodedA ?? encodedB!)) return true;
  return publicKeyObject(a).equals(publicKeyObject(b));
}

/** Throws KEY_MISMATCH unless both hold the same public key; `what` names them for the message. */
export function assertSameKey(a: PublicKeySource, b: PublicKeySource, what: string): void {
  if (!publicKeysEqual(a, b)) throw new PkiError('KEY_MISMATCH', `${what}: public keys do not match`);
}

/**
 * The JWK-based private key codec against OpenSSL: the same DER OpenSSL exports, the same keys
 * OpenSSL imports, OpenSSL's path for shapes it leaves alone, and KEY_MALFORMED for keys whose
 * halves disagree.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { isPkiError, parsePrivateKey } from '../../pki/index.js';
import { derBitString, derContext, derOctetString, derOid, derSequence, derSmallInteger, derUnsignedInteger } from '../../pki/der-writer.js';
import { privateKeyFromDer, privateKeyToDer, type PrivateKeyDerType } from '../../pki/private-key-der.js';
import { Workdir } from './openssl.js';

const work = new Workdir();
after(() => work.remove());

const types: Record<string, PrivateKeyDerType[]> = { rsa: ['pkcs1', 'pkcs8'], ec: ['sec1', 'pkcs8'], ed25519: ['pkcs8'] };

function keys(): KeyObject[] {
  const ec = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve }).privateKey;
  // A P-256 scalar with a leading zero octet shows whether it is padded to the field size, as OpenSSL pads it.
  let shortScalar = ec('P-256');
  for (let tries = 0; Buffer.from(shortScalar.export({ format: 'jwk' }).d!, 'base64url')[0] !== 0; tries++) {
    assert.ok(tries < 20_000, 'a scalar with a leading zero octet turns up about once in 256 keys');
    shortScalar = ec('P-256');
  }
  return [
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 3 }).privateKey,
    generateKeyPairSync('rsa', { modulusLength: 2050 }).privateKey,
    ec('P-256'),
    ec('P-384'),
    ec('P-521'),
    shortScalar,
    generateKeyPairSync('ed25519').privateKey,
  ];
}

test('keys encode to the DER OpenSSL exports and read back as the same keys', () => {
  for (const key of keys()) {
    for (const type of types[key.asymmetricKeyType!]!) {
      const label = `${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.modulusLength ?? key.asymmetricKeyDetails?.namedCurve ?? ''} ${type}`;
      const exported = key.export({ format: 'der', type });
      assert.equal(privateKeyToDer(key, type)?.toString('hex'), exported.toString('hex'), label);
      const read = privateKeyFromDer(exported, type);
      if (key.asymmetricKeyType === 'ed25519') assert.equal(read, undefined, 'Ed25519 is left to OpenSSL');
      else assert.ok(read?.equals(key), label);
      assert.ok(parsePrivateKey(exported).equals(key), `${label}: parsePrivateKey`);
    }
  }
});

test('keys pki does not encode or read itself go through OpenSSL unchanged', () => {
  for (const [type, options] of [['ed448', {}], ['ec', { namedCurve: 'secp256k1' }]] as const) {
    const { privateKey } = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
    assert.equal(privateKeyToDer(privateKey, 'pkcs8'), undefined, type);
    assert.equal(privateKeyFromDer(privateKey.export({ format: 'der', type: 'pkcs8' }), 'pkcs8'), undefined, type);
  }
  work.openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ec.pem']);
  work.openssl(['ec', '-in', 'ec.pem', '-no_public', '-outform', 'DER', '-out', 'no-public.der']);
  const noPublic = work.read('no-public.der');
  assert.equal(privateKeyFromDer(noPublic, 'sec1'), undefined, 'SEC 1 without its public key');
  assert.ok(parsePrivateKey(noPublic).equals(parsePrivateKey(work.read('ec.pem').toString())));
  work.openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-pkeyopt', 'rsa_keygen_primes:3', '-out', 'multi.pem']);
  work.openssl(['rsa', '-in', 'multi.pem', '-traditional', '-outform', 'DER', '-out', 'multi.der']);
  assert.equal(privateKeyFromDer(work.read('multi.der'), 'pkcs1'), undefined, 'multi-prime RSA');
  assert.equal(parsePrivateKey(work.read('multi.der')).asymmetricKeyDetails?.modulusLength, 2048);
  assert.equal(privateKeyFromDer(Buffer.from('3003020101', 'hex'), 'sec1'), undefined, 'malformed input is left to OpenSSL');
});

const jwkBytes = (value: string | undefined) => Buffer.from(value!, 'base64url');

test('keys whose halves disagree are KEY_MALFORMED, as OpenSSL-imported ones were', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const pkcs1 = (jwk: typeof rsa) => derSequence(derSmallInteger(0), ...(['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const).map((f) => derUnsignedInteger(jwkBytes(jwk[f]))));
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const sec1 = (d: Buffer, publicOf: typeof ec) =>
    derSequence(derSmallInteger(1), derOctetString(d), derContext(0, true, derOid('1.2.840.10045.3.1.7')), derContext(1, true, derBitString(Buffer.concat([Buffer.from([4]), jwkBytes(publicOf.x), jwkBytes(publicOf.y)]))));
  const p256Order = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
  const broken: Array<[string, Buffer, PrivateKeyDerType]> = [
    ['RSA with another key’s p', pkcs1({ ...rsa, p: otherRsa.p }), 'pkcs1'],
    ['RSA with a wrong d', pkcs1({ ...rsa, d: otherRsa.d }), 'pkcs1'],
    ['RSA with a wrong dp', pkcs1({ ...rsa, dp: rsa.dq }), 'pkcs1'],
    ['RSA with a wrong qi', pkcs1({ ...rsa, qi: otherRsa.qi }), 'pkcs1'],
    ['EC with another key’s point', sec1(jwkBytes(ec.d), otherEc), 'sec1'],
    ['EC with a zero scalar', sec1(Buffer.alloc(32), ec), 'sec1'],
    ['EC with the group order as scalar', sec1(p256Order, ec), 'sec1'],
  ];
  for (const [label, der, type] of broken) {
    assert.throws(() => privateKeyFromDer(der, type), (e) => isPkiError(e, 'KEY_MALFORMED') && /inconsistent/.test(e.message), label);
    assert.throws(() => parsePrivateKey(der), (e) => isPkiError(e, 'KEY_MALFORMED'), `${label}: parsePrivateKey`);
  }
  assert.ok(privateKeyFromDer(pkcs1(rsa), 'pkcs1'), 'the unbroken RSA key reads');
  assert.ok(privateKeyFromDer(sec1(jwkBytes(ec.d), ec), 'sec1'), 'the unbroken EC key reads');
});

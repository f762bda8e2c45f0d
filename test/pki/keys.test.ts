import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import {
  describeKey,
  encodePrivateKeyDer,
  encodePrivateKeyPem,
  generatePrivateKey,
  isPkiError,
  MAX_PRIVATE_KEY_SIZE,
  parsePrivateKey,
  privateKeyMatchesSpec,
  publicKeyDer,
  publicKeysEqual,
  resolveKeySpec,
  type KeySpec,
} from '../../pki/index.js';
import { Workdir } from './openssl.js';

const work = new Workdir();
after(() => work.remove());

const specs: Array<{ spec: KeySpec; algorithm: string; size: number }> = [
  { spec: {}, algorithm: 'RSA', size: 2048 },
  { spec: { algorithm: 'ECDSA' }, algorithm: 'ECDSA', size: 256 },
  { spec: { algorithm: 'ECDSA', size: 384 }, algorithm: 'ECDSA', size: 384 },
  { spec: { algorithm: 'ECDSA', size: 521 }, algorithm: 'ECDSA', size: 521 },
  { spec: { algorithm: 'Ed25519' }, algorithm: 'Ed25519', size: 256 },
];

test('generated keys have the requested algorithm and size, defaults RSA 2048 / P-256', async () => {
  for (const { spec, algorithm, size } of specs) {
    const key = await generatePrivateKey(spec);
    assert.equal(key.type, 'private');
    assert.deepEqual({ algorithm: describeKey(key).algorithm, size: describeKey(key).size }, { algorithm, size });
  }
});

test('key specs outside cert-manager bounds are refused', () => {
  assert.deepEqual(resolveKeySpec({ algorithm: 'RSA', size: 8192 }), { algorithm: 'RSA', size: 8192 });
  assert.deepEqual(resolveKeySpec({ algorithm: 'RSA', size: 3000 }), { algorithm: 'RSA', size: 3000 });
  for (const spec of [{ size: 1024 }, { size: 8193 }, { algorithm: 'ECDSA', size: 512 }, { algorithm: 'DSA' }, { algorithm: 'rsa' }]) {
    assert.throws(() => resolveKeySpec(spec), (e) => isPkiError(e, 'KEY_SPEC_INVALID'), JSON.stringify(spec));
  }
});

test('PKCS1 encoding means PKCS#1 for RSA, SEC 1 for EC, and PKCS#8 for Ed25519; PKCS8 is PKCS#8', async () => {
  const labels = (pem: string) => pem.split('\n')[0];
  const rsa = await generatePrivateKey({});
  const ec = await generatePrivateKey({ algorithm: 'ECDSA' });
  const ed = await generatePrivateKey({ algorithm: 'Ed25519' });
  assert.equal(labels(encodePrivateKeyPem(rsa)), '-----BEGIN RSA PRIVATE KEY-----');
  assert.equal(labels(encodePrivateKeyPem(ec, 'PKCS1')), '-----BEGIN EC PRIVATE KEY-----');
  assert.equal(labels(encodePrivateKeyPem(ed, 'PKCS1')), '-----BEGIN PRIVATE KEY-----');
  for (const key of [rsa, ec, ed]) assert.equal(labels(encodePrivateKeyPem(key, 'PKCS8')), '-----BEGIN PRIVATE KEY-----');
  assert.throws(() => encodePrivateKeyPem(rsa, 'PKCS12'), (e) => isPkiError(e, 'KEY_SPEC_INVALID'));
});

test('every encoding round-trips through PEM and DER and openssl reads it', async () => {
  for (const { spec } of specs) {
    const key = await generatePrivateKey(spec);
    for (const encoding of ['PKCS1', 'PKCS8']) {
      const pem = encodePrivateKeyPem(key, encoding);
      const der = encodePrivateKeyDer(key, encoding);
      assert.ok(publicKeysEqual(parsePrivateKey(pem), key));
      assert.ok(publicKeysEqual(parsePrivateKey(der), key));
      const file = work.write(`key-${describeKey(key).algorithm}-${encoding}.pem`, pem);
      const text = work.openssl(['pkey', '-in', file, '-noout', '-text']);
      assert.match(text, /Private-Key|ED25519 Private-Key/);
      // openssl derives the same public key we do.
      const publicPem = work.openssl(['pkey', '-in', file, '-pubout']);
      assert.ok(publicKeysEqual(publicKeyDer(Buffer.from(publicPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')), key));
    }
  }
});

test('keys openssl generates parse in PKCS#1, SEC 1 and PKCS#8, PEM and DER', () => {
  work.openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'o-rsa.pem']);
  work.openssl(['rsa', '-in', 'o-rsa.pem', '-traditional', '-out', 'o-rsa-pkcs1.pem']);
  work.openssl(['rsa', '-in', 'o-rsa.pem', '-traditional', '-outform', 'DER', '-out', 'o-rsa-pkcs1.der']);
  work.openssl(['ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', 'o-ec-sec1.pem']);
  work.openssl(['ec', '-in', 'o-ec-sec1.pem', '-outform', 'DER', '-out', 'o-ec-sec1.der']);
  work.openssl(['pkcs8', '-topk8', '-nocrypt', '-in', 'o-ec-sec1.pem', '-out', 'o-ec-pkcs8.pem']);
  work.openssl(['genpkey', '-algorithm', 'ED25519', '-out', 'o-ed.pem']);
  work.openssl(['pkey', '-in', 'o-ed.pem', '-outform', 'DER', '-out', 'o-ed.der']);
  const cases: Array<[string, string, number]> = [
    ['o-rsa.pem', 'RSA', 2048],
    ['o-rsa-pkcs1.pem', 'RSA', 2048],
    ['o-rsa-pkcs1.der', 'RSA', 2048],
    ['o-ec-sec1.pem', 'ECDSA', 384],
    ['o-ec-sec1.der', 'ECDSA', 384],
    ['o-ec-pkcs8.pem', 'ECDSA', 384],
    ['o-ed.pem', 'Ed25519', 256],
    ['o-ed.der', 'Ed25519', 256],
  ];
  for (const [file, algorithm, size] of cases) {
    const bytes = work.read(file);
    const key = parsePrivateKey(file.endsWith('.pem') ? bytes.toString('utf8') : bytes);
    assert.deepEqual({ algorithm: describeKey(key).algorithm, size: describeKey(key).size }, { algorithm, size }, file);
  }
  assert.ok(publicKeysEqual(parsePrivateKey(work.read('o-ec-sec1.pem').toString()), parsePrivateKey(work.read('o-ec-pkcs8.pem').toString())));
});

test('unsupported and encrypted keys are refused as UNSUPPORTED_KEY', () => {
  for (const [type, options] of [['ed448', {}], ['x25519', {}], ['ec', { namedCurve: 'secp256k1' }], ['dsa', { modulusLength: 1024, divisorLength: 160 }]] as const) {
    const { privateKey } = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    assert.throws(() => parsePrivateKey(pem), (e) => isPkiError(e, 'UNSUPPORTED_KEY'), type);
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const encrypted = privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
  assert.throws(() => parsePrivateKey(encrypted), (e) => isPkiError(e, 'UNSUPPORTED_KEY'));
  const legacyEncrypted = privateKey.export({ format: 'pem', type: 'sec1', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
  assert.throws(() => parsePrivateKey(legacyEncrypted), (e) => isPkiError(e, 'UNSUPPORTED_KEY'));
});

test('bad key input fails with specific codes and messages that carry no key material', async () => {
  const pem = encodePrivateKeyPem(await generatePrivateKey({}), 'PKCS1');
  const body = pem.split('\n')[1]!;
  const checks: Array<[string | Uint8Array, string]> = [
    ['not a key', 'PEM_MALFORMED'],
    [pem.replace('RSA PRIVATE KEY', 'CERTIFICATE').replace('RSA PRIVATE KEY', 'CERTIFICATE'), 'PEM_UNEXPECTED_TYPE'],
    [pem.replace(body, body.slice(0, 20) + 'A'.repeat(body.length - 20)), 'KEY_MALFORMED'],
    [Buffer.from('30030201', 'hex'), 'KEY_MALFORMED'],
    [pem + ' '.repeat(MAX_PRIVATE_KEY_SIZE), 'PEM_TOO_LARGE'],
    [new Uint8Array(0), 'KEY_MALFORMED'],
  ];
  for (const [input, code] of checks) {
    assert.throws(
      () => parsePrivateKey(input),
      (e) => isPkiError(e) && e.code === code && !e.message.includes(body.slice(0, 16)),
      code,
    );
  }
});

test('privateKeyMatchesSpec reports cert-manager field paths', async () => {
  const rsa = await generatePrivateKey({});
  const ec = await generatePrivateKey({ algorithm: 'ECDSA', size: 384 });
  const ed = await generatePrivateKey({ algorithm: 'Ed25519' });
  assert.deepEqual(privateKeyMatchesSpec(rsa, {}), []);
  assert.deepEqual(privateKeyMatchesSpec(rsa, { privateKey: { algorithm: 'RSA', size: 4096 } }), ['spec.privateKey.size']);
  assert.deepEqual(privateKeyMatchesSpec(rsa, { privateKey: { algorithm: 'ECDSA' } }), ['spec.privateKey.algorithm']);
  assert.deepEqual(privateKeyMatchesSpec(ec, { privateKey: { algorithm: 'ECDSA', size: 384 } }), []);
  assert.deepEqual(privateKeyMatchesSpec(ec, { privateKey: { algorithm: 'ECDSA' } }), ['spec.privateKey.size']);
  assert.deepEqual(privateKeyMatchesSpec(ed, { privateKey: { algorithm: 'Ed25519', size: 4096 } }), []);
  assert.deepEqual(privateKeyMatchesSpec(ed, { privateKey: {} }), ['spec.privateKey.algorithm']);
});

test('public key equality compares SPKI across keys, DER and parsed objects', async () => {
  const a = await generatePrivateKey({ algorithm: 'ECDSA' });
  const b = await generatePrivateKey({ algorithm: 'ECDSA' });
  assert.ok(publicKeysEqual(a, { publicKeyDer: publicKeyDer(a) }));
  assert.ok(publicKeysEqual(a, createPrivateKey(encodePrivateKeyPem(a))));
  assert.ok(!publicKeysEqual(a, b));
  assert.throws(() => publicKeyDer(Buffer.from('3000', 'hex')), (e) => isPkiError(e, 'KEY_MALFORMED'));
});

test('generated keys never hang a JWK-based encode (Node 20: a GC inside the export ran the keygen job\'s destructor, which waits on the same lock)', async () => {
  // Tiny semi-spaces make a collection inside each export likely; the old keygen hung within seconds.
  const pki = (file: string) => JSON.stringify(new URL(`../../pki/${file}`, import.meta.url).href);
  const script = `
    const { generatePrivateKey, encodePrivateKeyDer } = await import(${pki('keys.js')});
    const { publicKeyDer } = await import(${pki('public-keys.js')});
    for (let i = 0; i < 3000; i++) {
      const key = await generatePrivateKey({ algorithm: i % 10 === 9 ? 'Ed25519' : 'ECDSA' });
      encodePrivateKeyDer(key, 'PKCS1');
      publicKeyDer(key);
    }
    process.stdout.write('done');`;
  const { execFile } = await import('node:child_process');
  const result = await new Promise<{ stdout: string; timedOut: boolean }>((resolve) => {
    const child = execFile(process.execPath, ['--max-semi-space-size=1', '--semi-space-growth-factor=1', '--input-type=module', '-e', script], { timeout: 30_000 }, (_err, stdout) =>
      resolve({ stdout, timedOut: child.killed }),
    );
  });
  assert.equal(result.timedOut, false, 'key generation + export hung');
  assert.equal(result.stdout, 'done');
});

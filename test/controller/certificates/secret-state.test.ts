import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectSecret, parsedCertificateChain, rememberSecretPrivateKey, secretPrivateKey, type PresentSecret } from '../../../controller/certificates/secret-state.js';
import { encodePrivateKeyPem } from '../../../pki/index.js';
import { certificate, ecKey, issue, otherEcKey, secret } from './fixtures.js';

const crt = certificate();
const issued = await issue(crt);
const root = await issue(certificate({ commonName: 'root', dnsNames: [] }), otherEcKey);
const b64 = (text: string) => Buffer.from(text).toString('base64');

function present(state: ReturnType<typeof inspectSecret>): PresentSecret {
  assert.equal(state.exists, true);
  return state as PresentSecret;
}

test('no Secret', () => {
  assert.deepEqual(inspectSecret(undefined), { exists: false });
});

test('a complete Secret: key, leaf, chain, CA, metadata, and whether key and certificate match', () => {
  const state = present(
    inspectSecret({
      ...secret({ annotations: { a: '1' }, labels: { l: '2' } }),
      data: { 'tls.key': b64(encodePrivateKeyPem(ecKey)), 'tls.crt': b64(issued.certificatePem + root.certificatePem), 'ca.crt': b64(root.certificatePem) },
    }),
  );
  assert.equal(state.hasData, true);
  assert.equal(state.privateKey.status, 'parsed');
  assert.equal(state.certificate.status, 'parsed');
  if (state.certificate.status !== 'parsed') return;
  assert.equal(state.certificate.leaf.commonName, 'web.example.com');
  assert.deepEqual(state.certificate.chain.map((c) => c.commonName), ['web.example.com', 'root']);
  assert.equal(state.caPem, root.certificatePem);
  assert.equal(state.keyMatchesCertificate, true);
  assert.deepEqual(state.annotations, { a: '1' });
  assert.deepEqual(state.labels, { l: '2' });
});

test('a key that belongs to another certificate', () => {
  assert.equal(present(inspectSecret(secret({ key: otherEcKey, certificatePem: issued.certificatePem }))).keyMatchesCertificate, false);
});

test('missing, empty and undecodable entries are told apart', () => {
  const state = present(inspectSecret(secret({ data: { 'tls.key': '', 'tls.crt': b64('junk') } })));
  assert.equal(state.privateKey.status, 'empty');
  assert.equal(state.certificate.status, 'undecodable');
  assert.equal(state.keyMatchesCertificate, undefined);
  assert.equal(state.caPem, undefined);
  const keyOnly = present(inspectSecret(secret({ key: ecKey })));
  assert.equal(keyOnly.certificate.status, 'missing');
  assert.equal(present(inspectSecret(secret({ data: {} }))).hasData, false);
});

test('decode errors never quote the key', () => {
  const pem = encodePrivateKeyPem(ecKey, 'PKCS8');
  const lines = pem.split('\n');
  const truncated = [lines[0], lines[1], lines.at(-2)].join('\n'); // BEGIN, one body line, END
  const state = present(inspectSecret(secret({ key: truncated, certificatePem: issued.certificatePem })));
  assert.equal(state.privateKey.status, 'undecodable');
  if (state.privateKey.status !== 'undecodable') return;
  assert.ok(state.privateKey.error.length > 0);
  assert.ok(!state.privateKey.error.includes(lines[1]!.slice(0, 16)), state.privateKey.error);
});

test('private keys are parsed once per Secret version; another version is parsed again', () => {
  const pem = encodePrivateKeyPem(ecKey);
  const version = (resourceVersion: string) => ({ ...secret({}), metadata: { ...secret({}).metadata, uid: 'u-1', resourceVersion } });
  const first = secretPrivateKey(version('7'), pem);
  assert.equal(secretPrivateKey(version('7'), pem), first, 'the same version: the same KeyObject');
  const other = secretPrivateKey(version('8'), pem);
  assert.notEqual(other, first);
  assert.ok(other.equals(first));
  assert.notEqual(secretPrivateKey(secret({}), pem), secretPrivateKey(secret({}), pem), 'no uid/resourceVersion: never cached');
  // A key this controller wrote is known for the version the API returned.
  rememberSecretPrivateKey(version('9'), otherEcKey);
  assert.equal(secretPrivateKey(version('9'), pem), otherEcKey);
  assert.throws(() => secretPrivateKey(version('10'), 'not a key'), /private key|PEM/i);
});

test('keys this controller wrote, and next keys, stay known while thousands of other versions are parsed', () => {
  const pem = encodePrivateKeyPem(ecKey);
  const withVersion = (uid: string, resourceVersion: string, labels: Record<string, string> = {}) => ({
    ...secret({}),
    metadata: { ...secret({}).metadata, uid, resourceVersion, labels },
  });
  const floodParsedKeys = () => {
    for (let i = 0; i < 3000; i++) rememberSecretPrivateKey(withVersion(`flood-${i}`, '1'), ecKey);
    for (let i = 0; i < 3000; i++) secretPrivateKey(withVersion(`flood-${i}`, '1'), pem);
  };

  // The issued Secret: the API's answer to our apply, then (a pass of the work queue later) the cache's copy.
  const applied = withVersion('issued', '5');
  rememberSecretPrivateKey(applied, otherEcKey);
  assert.equal(secretPrivateKey(applied, pem), otherEcKey, 'read back from the answer itself');
  floodParsedKeys();
  assert.equal(secretPrivateKey(withVersion('issued', '5'), pem), otherEcKey, 'the cached copy: still known, not parsed');
  floodParsedKeys();
  assert.notEqual(secretPrivateKey(withVersion('issued', '5'), pem), otherEcKey, 'taken out once the cached copy was read');

  // A next-key Secret keeps its key with the cached object for every reconcile while issuing.
  const cachedNextKey = withVersion('next', '3', { 'cert-manager.io/next-private-key': 'true' });
  const key = secretPrivateKey(cachedNextKey, pem);
  floodParsedKeys();
  assert.equal(secretPrivateKey(cachedNextKey, pem), key);
  const cachedIssued = withVersion('issued-2', '3');
  const issuedKey = secretPrivateKey(cachedIssued, pem);
  floodParsedKeys();
  assert.notEqual(secretPrivateKey(cachedIssued, pem), issuedKey, 'an issued Secret\'s key is not kept with its object');
});

test('a chain text is parsed once while recent: the Secret decoded after storing a certificate reuses its parse', () => {
  const pem = issued.certificatePem + root.certificatePem;
  const chain = parsedCertificateChain(pem);
  assert.deepEqual(chain.map((c) => c.commonName), [crt.spec.commonName, 'root']);
  const state = present(inspectSecret({ ...secret({}), data: { 'tls.crt': b64(pem) } }));
  assert.equal(state.certificate.status === 'parsed' && state.certificate.leaf, chain[0], 'the leaf parsed before');
  assert.equal(state.certificate.status === 'parsed' && state.certificate.chain, chain);
  for (let i = 0; i < 64; i++) parsedCertificateChain(`${root.certificatePem}\n`.repeat(1 + (i % 2)) + ' '.repeat(i));
  assert.notEqual(parsedCertificateChain(pem), chain, 'parsed again once 64 other texts came after it');
  assert.throws(() => parsedCertificateChain('not PEM'));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { encodePem } from '../../../pki/pem.js';
import { compactText, expandedText, withCompactTexts } from '../../../controller/runtime/pem-texts.js';
import { heapHeldBy } from './v8-probes.js';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
/** A fresh copy of `text`, as each watch event decodes its own. */
const decoded = (text: string) => JSON.parse(JSON.stringify(text)) as string;
const certificatePem = (size = 480) => encodePem(randomBytes(size), 'CERTIFICATE');
const ecKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string;

test('compactText: PEM texts come back exactly; a text that would not is not compacted', () => {
  for (const pem of [certificatePem(), certificatePem(700) + certificatePem(900), ecKeyPem, certificatePem(70_000)]) {
    const compact = compactText(base64(pem));
    assert.ok(compact !== undefined);
    assert.ok(compact.length < base64(pem).length * 0.8, `compact ${compact.length} characters for ${base64(pem).length}`);
    assert.equal(expandedText(compact), base64(pem));
  }
  const cert = certificatePem();
  for (const text of [
    base64(cert.replace(/\n/g, '\r\n')), // other line ends
    base64(cert.trimEnd()), // no trailing newline
    base64(`# a comment\n${cert}`), // text around the block
    base64(cert.replace(/\n/g, '\n\n').replace(/^(.*)\n\n/, '$1\n')), // other line lengths
    base64('x'.repeat(600)), // not PEM
    base64(cert).slice(0, -4), // not whole base64 of the text
    base64(ecKeyPem).slice(0, 200), // short: not worth it
  ]) {
    assert.equal(compactText(text), undefined, Buffer.from(text, 'base64').toString('utf8').slice(0, 40));
  }
});

test('withCompactTexts: every way of reading the record sees the original texts, and they take half the memory', () => {
  const data = { 'tls.crt': base64(certificatePem()), 'tls.key': base64(ecKeyPem), 'ca.crt': base64(certificatePem()), other: 'eA==' };
  const cached = withCompactTexts({ ...data }, ['tls.crt', 'tls.key']);
  assert.equal(cached['tls.crt'], data['tls.crt']);
  assert.deepEqual(Object.keys(cached), Object.keys(data));
  assert.deepEqual({ ...cached }, data);
  assert.deepEqual(Object.entries(cached), Object.entries(data));
  assert.equal(JSON.stringify(cached), JSON.stringify(data));
  assert.deepEqual(cached, data);
  assert.equal('tls.key' in cached, true);
  const descriptor = Object.getOwnPropertyDescriptor(cached, 'tls.crt');
  assert.equal(descriptor?.enumerable, true);
  assert.equal(descriptor?.get?.() ?? descriptor?.value, data['tls.crt'], 'a descriptor reads the text too (listing keys expands nothing)');
  assert.equal(cached['tls.crt'], cached['tls.crt'], 'read again: the same text');
  const plain = { 'tls.crt': 'eA==' };
  assert.equal(withCompactTexts(plain, ['tls.crt']), plain, 'nothing to compact: the record itself');

  const texts = Array.from({ length: 400 }, () => base64(certificatePem()));
  const asRead = heapHeldBy(() => texts.map((text) => ({ 'tls.crt': decoded(text) })));
  const compacted = heapHeldBy(() => texts.map((text) => withCompactTexts({ 'tls.crt': decoded(text) }, ['tls.crt'])));
  assert.ok(compacted < asRead * 0.7, `compacted ${compacted} bytes, as read ${asRead}`);
});

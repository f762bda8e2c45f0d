import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeCaBundles } from '../../controller/cainjector/ca-bundle.js';
import { parseCertificateBundle } from '../../pki/index.js';
import { DAY_MS, selfSignedCa } from '../../e2e/shims/helpers.js';

const NOW = Date.UTC(2026, 0, 10);
const oldCa = await selfSignedCa('old CA', { notBefore: new Date(NOW - 30 * DAY_MS), durationMs: 40 * DAY_MS });
const newCa = await selfSignedCa('new CA', { notBefore: new Date(NOW - DAY_MS), durationMs: 365 * DAY_MS });
const otherCa = await selfSignedCa('other CA', { notBefore: new Date(NOW - DAY_MS), durationMs: 365 * DAY_MS });
const names = (pem: string) => parseCertificateBundle(pem).map((c) => c.subject);

test('an empty or unparsable bundle is replaced by the source', () => {
  assert.deepEqual(names(mergeCaBundles('', newCa.certificatePem, NOW).pem), ['CN=new CA']);
  assert.deepEqual(names(mergeCaBundles('not PEM at all', newCa.certificatePem, NOW).pem), ['CN=new CA']);
  assert.equal(mergeCaBundles('', newCa.certificatePem, NOW).nextExpiry, undefined);
});

test('rotation keeps the old CA beside the new one until the old one expires', () => {
  const rotated = mergeCaBundles(oldCa.certificatePem, newCa.certificatePem, NOW);
  assert.deepEqual(names(rotated.pem), ['CN=old CA', 'CN=new CA']);
  const oldNotAfter = parseCertificateBundle(oldCa.certificatePem)[0]!.notAfter.getTime();
  assert.equal(rotated.nextExpiry, oldNotAfter, 'a re-merge is due when the old CA expires');
  assert.deepEqual(names(mergeCaBundles(rotated.pem, newCa.certificatePem, oldNotAfter - 1).pem), ['CN=old CA', 'CN=new CA']);
  const afterExpiry = mergeCaBundles(rotated.pem, newCa.certificatePem, oldNotAfter);
  assert.deepEqual(names(afterExpiry.pem), ['CN=new CA']);
  assert.equal(afterExpiry.nextExpiry, undefined);
});

test('merging is stable and drops duplicates', () => {
  const once = mergeCaBundles(oldCa.certificatePem + newCa.certificatePem + oldCa.certificatePem, newCa.certificatePem, NOW);
  assert.deepEqual(names(once.pem), ['CN=old CA', 'CN=new CA']);
  assert.equal(mergeCaBundles(once.pem, newCa.certificatePem, NOW).pem, once.pem);
});

test('a source with several CAs adds each; an expired CA the source still has is kept', () => {
  const merged = mergeCaBundles(oldCa.certificatePem, newCa.certificatePem + otherCa.certificatePem, NOW);
  assert.deepEqual(names(merged.pem), ['CN=old CA', 'CN=new CA', 'CN=other CA']);
  const late = NOW + 100 * DAY_MS;
  assert.deepEqual(names(mergeCaBundles(oldCa.certificatePem, oldCa.certificatePem, late).pem), ['CN=old CA']);
});

test('a source that does not parse is an error, never an empty bundle', () => {
  assert.throws(() => mergeCaBundles(oldCa.certificatePem, 'garbage', NOW));
});

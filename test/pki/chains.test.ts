import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import {
  bundleChain,
  encodePrivateKeyPem,
  generateCsr,
  generatePrivateKey,
  isPkiError,
  isSelfSigned,
  orderChain,
  parseCertificate,
  selfSignCertificate,
  signCertificate,
  verifyChain,
  type CertificateInfo,
} from '../../pki/index.js';
import { Workdir } from './openssl.js';

const work = new Workdir();
after(() => work.remove());

const now = new Date('2026-05-01T00:00:00Z');
const day = 86400e3;
let rootKey: KeyObject;
let root: CertificateInfo;
let intermediateKey: KeyObject;
let intermediate: CertificateInfo;
let leaf: CertificateInfo;

before(async () => {
  rootKey = await generatePrivateKey({ algorithm: 'ECDSA' });
  root = (await selfSignCertificate(await generateCsr({ commonName: 'Chain Root', isCA: true }, rootKey), { isCA: true, now, durationMs: 3650 * day }, rootKey)).certificate;
  intermediateKey = await generatePrivateKey({ algorithm: 'Ed25519' });
  intermediate = (await signCertificate(await generateCsr({ commonName: 'Chain Intermediate', isCA: true }, intermediateKey), { isCA: true, now, durationMs: 365 * day }, { certificate: root.pem, privateKey: rootKey })).certificate;
  const leafKey = await generatePrivateKey({ algorithm: 'ECDSA' });
  leaf = (await signCertificate(await generateCsr({ dnsNames: ['www.example.com', '*.apps.example.com'], ipAddresses: ['192.0.2.10'] }, leafKey), { now, durationMs: 90 * day }, { certificate: intermediate.pem, privateKey: intermediateKey })).certificate;
});

const at = new Date(now.getTime() + day);

test('a leaf verifies through its intermediate to the root, for DNS names, wildcards and IPs', () => {
  const path = verifyChain({ leaf, intermediates: [intermediate], roots: [root], at, hostname: 'www.example.com' });
  assert.deepEqual(path.map((c) => c.commonName), ['', 'Chain Intermediate', 'Chain Root']);
  verifyChain({ leaf, intermediates: [intermediate], roots: [root], at, hostname: 'x.apps.example.com' });
  verifyChain({ leaf, intermediates: [intermediate], roots: [root], at, hostname: '192.0.2.10' });
  verifyChain({ leaf: intermediate, roots: [root], at });
  const out = work.openssl(['verify', '-attime', String(at.getTime() / 1000), '-CAfile', work.write('root.pem', root.pem), '-untrusted', work.write('int.pem', intermediate.pem), work.write('leaf.pem', leaf.pem)]);
  assert.match(out, /OK/);
});

test('verification fails for wrong names, missing links, unknown roots and times outside validity', async () => {
  const otherKey = await generatePrivateKey({ algorithm: 'ECDSA' });
  const otherRoot = (await selfSignCertificate(await generateCsr({ commonName: 'Chain Root', isCA: true }, otherKey), { isCA: true, now }, otherKey)).certificate;
  const fails = (options: Parameters<typeof verifyChain>[0], message: RegExp) =>
    assert.throws(() => verifyChain(options), (e) => isPkiError(e, 'CHAIN_INVALID') && message.test(e.message), message.source);
  fails({ leaf, intermediates: [intermediate], roots: [root], at, hostname: 'a.b.apps.example.com' }, /valid for www.example.com, \*.apps.example.com, 192.0.2.10, not a.b.apps.example.com/);
  fails({ leaf, intermediates: [intermediate], roots: [root], at, hostname: '192.0.2.11' }, /not 192.0.2.11/);
  fails({ leaf, roots: [root], at }, /unknown authority/);
  fails({ leaf, intermediates: [intermediate], roots: [otherRoot], at }, /unknown authority/);
  fails({ leaf, intermediates: [intermediate], roots: [root], at: new Date(now.getTime() + 91 * day) }, /expired/);
  fails({ leaf, intermediates: [intermediate], roots: [root], at: new Date(now.getTime() - day) }, /not valid before/);
  const longLeafKey = await generatePrivateKey({ algorithm: 'Ed25519' });
  const longLeaf = (await signCertificate(await generateCsr({ dnsNames: ['long.example.com'] }, longLeafKey), { now, durationMs: 1000 * day }, { certificate: intermediate.pem, privateKey: intermediateKey })).certificate;
  fails({ leaf: longLeaf, intermediates: [intermediate], roots: [root], at: new Date(now.getTime() + 400 * day) }, /unknown authority: "CN=Chain Intermediate" expired/);
});

test('issuers must be CAs allowed to sign certificates', async () => {
  const notCaKey = await generatePrivateKey({ algorithm: 'ECDSA' });
  const notCa = (await signCertificate(await generateCsr({ commonName: 'Not a CA' }, notCaKey), { now }, { certificate: root.pem, privateKey: rootKey })).certificate;
  const leafKey = await generatePrivateKey({ algorithm: 'ECDSA' });
  const badLeaf = (await signCertificate(await generateCsr({ dnsNames: ['x.example.com'] }, leafKey), { now }, { certificate: notCa.pem, privateKey: notCaKey })).certificate;
  assert.throws(() => verifyChain({ leaf: badLeaf, intermediates: [notCa], roots: [root], at }), (e) => isPkiError(e, 'CHAIN_INVALID') && /not a CA/.test(e.message));

  const keyFile = work.write('noku.key', encodePrivateKeyPem(notCaKey));
  work.openssl(['req', '-x509', '-key', keyFile, '-subj', '/CN=No CertSign', '-days', '3650', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,digitalSignature', '-out', 'noku.crt']);
  const noCertSign = parseCertificate(work.read('noku.crt').toString());
  const signed = (await signCertificate(await generateCsr({ dnsNames: ['y.example.com'] }, leafKey), { now: new Date() }, { certificate: noCertSign.pem, privateKey: notCaKey })).certificate;
  assert.throws(() => verifyChain({ leaf: signed, roots: [noCertSign] }), (e) => isPkiError(e, 'CHAIN_INVALID') && /key usage/.test(e.message));
});

test('orderChain follows issuers from the leaf and bundleChain splits tls.crt from ca.crt', () => {
  const ordered = orderChain(leaf, [root, intermediate, leaf]);
  assert.deepEqual(ordered.map((c) => c.commonName), ['', 'Chain Intermediate', 'Chain Root']);
  assert.ok(isSelfSigned(root) && !isSelfSigned(intermediate));
  const bundle = bundleChain(ordered);
  assert.equal(bundle.certificatePem, leaf.pem + intermediate.pem);
  assert.equal(bundle.caPem, root.pem);
  assert.deepEqual(orderChain(leaf, [root]).map((c) => c.commonName), [''], 'stops where the next issuer is missing');
  assert.deepEqual(bundleChain([root]), { certificatePem: root.pem, caPem: root.pem });
  assert.throws(() => bundleChain([]), (e) => isPkiError(e, 'CHAIN_MALFORMED'));
});

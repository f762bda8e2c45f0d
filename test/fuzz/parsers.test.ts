/**
 * Property-based fuzzing of everything that parses user or network input, for a bounded number of
 * runs per property (CI keeps it to seconds; FUZZ_RUNS raises it for a soak). Each parser either
 * returns a value or throws its own typed error with a message — never a TypeError, RangeError or
 * a hang — and what validation accepts, the runtime can use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDuration, parseDuration } from '../../api/duration.js';
import { cronProblem } from '../../api/validation/syntax.js';
import { applyRenewalWindows } from '../../controller/certificates/renewal.js';
import {
  decodePemBlocks,
  encodePem,
  generateCsr,
  generatePrivateKey,
  isPkiError,
  parseCertificateChain,
  parseCsr,
  parseLiteralSubject,
  parsePrivateKey,
  selfSignCertificate,
  encodePrivateKeyPem,
} from '../../pki/index.js';

const runs = Number(process.env.FUZZ_RUNS ?? 300);
const DAY_MS = 86_400_000;

/** Runs `parse`; a thrown error must be a PkiError with a message (the only failure callers handle). */
function onlyPkiErrors(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch (err) {
    if (isPkiError(err) && err.message.length > 0) return true;
    throw err;
  }
}

/** Mutations of a valid DER encoding: flipped bytes, truncation, inserted garbage, changed lengths. */
function mutatedDer(valid: Buffer): fc.Arbitrary<Buffer> {
  return fc.oneof(
    fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((flips) => {
      const copy = Buffer.from(valid);
      for (const [at, xor] of flips) copy[at]! ^= xor;
      return copy;
    }),
    fc.nat(valid.length - 1).map((end) => valid.subarray(0, end)),
    fc.tuple(fc.nat(valid.length), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, junk]) => Buffer.concat([valid.subarray(0, at), junk, valid.subarray(at)])),
    fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  );
}

const key = await generatePrivateKey({ algorithm: 'ECDSA', size: 256 });
const csrPem = await generateCsr({ commonName: 'fuzz.example.com', dnsNames: ['fuzz.example.com'], ipAddresses: ['10.0.0.1'], uris: ['spiffe://fuzz/x'] }, key);
const csrDer = decodePemBlocks(csrPem, { maxBytes: 100_000, what: 'certificate request' })[0]!.der;
const certificatePem = (await selfSignCertificate(csrPem, { now: new Date(), durationMs: DAY_MS }, key)).certificatePem;
const certificateDer = decodePemBlocks(certificatePem, { maxBytes: 100_000, what: 'certificate' })[0]!.der;
const keyDer = decodePemBlocks(encodePrivateKeyPem(key, 'PKCS8'), { maxBytes: 100_000, what: 'private key' })[0]!.der;

test('certificate parsing of mutated DER and PEM throws only PkiErrors', () => {
  fc.assert(fc.property(mutatedDer(certificateDer), (der) => onlyPkiErrors(() => parseCertificateChain(der)) && onlyPkiErrors(() => parseCertificateChain(encodePem(der, 'CERTIFICATE')))), { numRuns: runs });
});

test('CSR parsing of mutated DER throws only PkiErrors', () => {
  fc.assert(fc.property(mutatedDer(csrDer), (der) => onlyPkiErrors(() => parseCsr(der))), { numRuns: runs });
});

test('private key parsing of mutated DER throws only PkiErrors', () => {
  fc.assert(fc.property(mutatedDer(keyDer), (der) => onlyPkiErrors(() => parsePrivateKey(der)) && onlyPkiErrors(() => parsePrivateKey(encodePem(der, 'PRIVATE KEY')))), { numRuns: runs });
});

test('PEM decoding of arbitrary text throws only PkiErrors', () => {
  const pemish = fc.oneof(
    fc.string({ maxLength: 400 }),
    fc.tuple(fc.constantFrom('CERTIFICATE', 'PRIVATE KEY', 'X', ''), fc.string({ maxLength: 200 }), fc.base64String({ maxLength: 200 })).map(
      ([label, headers, body]) => `-----BEGIN ${label}-----\n${headers}\n${body}\n-----END ${label}-----\n`,
    ),
    fc.nat(certificatePem.length - 1).map((end) => certificatePem.slice(0, end)),
  );
  fc.assert(fc.property(pemish, (text) => onlyPkiErrors(() => decodePemBlocks(text, { maxBytes: 100_000, what: 'fuzz input' }))), { numRuns: runs });
});

test('literalSubject parsing throws only PkiErrors', () => {
  const dnish = fc.oneof(
    fc.string({ maxLength: 120 }),
    fc.array(fc.tuple(fc.constantFrom('CN', 'O', 'OU', 'C', '2.5.4.3', 'serialNumber', 'x', '1.2'), fc.constantFrom('=', '', '=#', '=\\'), fc.string({ maxLength: 20 })), { maxLength: 6 }).map((rdns) =>
      rdns.map(([t, eq, v]) => `${t}${eq}${v}`).join(fc.sample(fc.constantFrom(',', '+', ', '), 1)[0]),
    ),
  );
  fc.assert(fc.property(dnish, (text) => onlyPkiErrors(() => parseLiteralSubject(text))), { numRuns: runs });
});

test('Go durations: what parses formats back to the same length of time', () => {
  const unit = fc.constantFrom('ns', 'us', 'µs', 'ms', 's', 'm', 'h');
  const durationText = fc.oneof(
    fc.array(fc.tuple(fc.nat(100_000), fc.option(fc.nat(999), { nil: undefined }), unit), { minLength: 1, maxLength: 4 }).map((parts) =>
      parts.map(([n, frac, u]) => `${n}${frac === undefined ? '' : `.${frac}`}${u}`).join(''),
    ),
    fc.string({ maxLength: 16 }),
  );
  fc.assert(
    fc.property(durationText, (text) => {
      let ms: number;
      try {
        ms = parseDuration(text);
      } catch (err) {
        assert.ok(err instanceof Error && err.message.startsWith('time: '), `unexpected error for ${JSON.stringify(text)}: ${String(err)}`);
        return;
      }
      assert.ok(Number.isFinite(ms), `${JSON.stringify(text)} → ${ms}`);
      if (ms >= 1 && Number.isInteger(ms)) assert.equal(parseDuration(formatDuration(ms)), ms, `${JSON.stringify(text)} → ${formatDuration(ms)}`);
    }),
    { numRuns: runs },
  );
});

test('a renewal window cron that validation accepts never fails at renewal time', () => {
  const field = (max: number) =>
    fc.oneof(
      fc.constant('*'),
      fc.nat(max).map(String),
      fc.tuple(fc.nat(max), fc.nat(max)).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
      fc.integer({ min: 1, max: max + 1 }).map((step) => `*/${step}`),
      fc.array(fc.nat(max), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(',')),
      fc.string({ maxLength: 4 }),
    );
  const cron = fc.tuple(field(59), field(23), field(31), field(12), field(7)).map((fields) => fields.join(' '));
  const notBefore = new Date('2026-01-01T00:00:00Z');
  const notAfter = new Date(notBefore.getTime() + 90 * DAY_MS);
  fc.assert(
    fc.property(cron, fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York'), (expression, timezone) => {
      if (cronProblem(expression) !== undefined) return;
      const result = applyRenewalWindows(new Date(notBefore.getTime() + 60 * DAY_MS), notBefore, notAfter, [{ cron: expression, windowDuration: '1h', timezone }]);
      assert.ok(!result.windowError?.startsWith('error parsing'), `validation accepted ${JSON.stringify(expression)} but renewal says: ${result.windowError}`);
    }),
    { numRuns: runs },
  );
});

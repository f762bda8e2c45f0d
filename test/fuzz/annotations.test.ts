/**
 * Property-based fuzzing of ingress-shim's annotation parsing (FUZZ_RUNS raises the run count for a
 * soak): for any annotation values — near-misses of valid ones and arbitrary text — the issuer and
 * spec translation either succeed or throw a BadConfigError naming the annotation (the Warning
 * Event users read), never another error; and whatever they accept passes Certificate validation,
 * so the shim never writes a Certificate the API would reject.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CertificateSpec } from '../../api/types.js';
import { certificateSpecErrors } from '../../api/validation/certificate.js';
import {
  CLUSTER_ISSUER_ANNOTATION,
  DURATION_ANNOTATION,
  ISSUER_ANNOTATION,
  ISSUER_KIND_ANNOTATION,
  IP_SANS_ANNOTATION,
  PRIVATE_KEY_ALGORITHM_ANNOTATION,
  PRIVATE_KEY_SIZE_ANNOTATION,
  RENEW_BEFORE_ANNOTATION,
  RENEW_BEFORE_PERCENTAGE_ANNOTATION,
  REVISION_HISTORY_LIMIT_ANNOTATION,
  SECRET_TEMPLATE_ANNOTATION,
  USAGES_ANNOTATION,
} from '../../api/well-known.js';
import { BadConfigError, issuerForIngressLike, translateAnnotations } from '../../controller/shim/annotations.js';

const runs = Number(process.env.FUZZ_RUNS ?? 300);

const BASE: CertificateSpec = { secretName: 'web-tls', dnsNames: ['web.example.com'], issuerRef: { name: 'ca', kind: 'Issuer' }, usages: ['digital signature', 'key encipherment'] };

/** Values close to valid ones (so parsing gets past its first check) mixed with arbitrary text. */
const durationish = fc.oneof(
  fc.stringMatching(/^-?[0-9]{0,6}(\.[0-9]{1,3})?(ns|us|µs|ms|s|m|h|d|y|year|)([0-9]{1,3}(h|m|s))?$/),
  fc.string({ maxLength: 20 }),
);
const intish = fc.oneof(fc.integer({ min: -10, max: 20_000 }).map(String), fc.stringMatching(/^[+-]?[0-9]{0,12}$/), fc.string({ maxLength: 8 }));
const usagesish = fc.array(fc.oneof(fc.constantFrom('server auth', 'client auth', 'digital signature', 'serverauth', 'Server Auth', ''), fc.string({ maxLength: 12 })), { maxLength: 4 }).map((l) => l.join(','));
const ipish = fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 20 }));
const jsonish = fc.oneof(fc.json({ maxDepth: 2 }), fc.string({ maxLength: 30 }));

const annotationValues: Record<string, fc.Arbitrary<string>> = {
  [DURATION_ANNOTATION]: durationish,
  [RENEW_BEFORE_ANNOTATION]: durationish,
  [RENEW_BEFORE_PERCENTAGE_ANNOTATION]: intish,
  [REVISION_HISTORY_LIMIT_ANNOTATION]: intish,
  [PRIVATE_KEY_SIZE_ANNOTATION]: intish,
  [PRIVATE_KEY_ALGORITHM_ANNOTATION]: fc.oneof(fc.constantFrom('RSA', 'ECDSA', 'Ed25519', 'rsa', 'DSA'), fc.string({ maxLength: 8 })),
  [USAGES_ANNOTATION]: usagesish,
  [IP_SANS_ANNOTATION]: ipish,
  [SECRET_TEMPLATE_ANNOTATION]: jsonish,
};

/** Any subset of the annotations above with fuzzed values. */
const annotations = fc.record(annotationValues, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;

/** Runs `parse`; anything thrown must be a BadConfigError whose message matches `message`. */
function onlyBadConfig<T>(parse: () => T, message: RegExp): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (err instanceof BadConfigError && message.test(err.message)) return undefined;
    throw err;
  }
}

test('annotation translation throws only BadConfigErrors, and what it accepts is a valid Certificate spec', () => {
  fc.assert(
    fc.property(annotations, (given) => {
      const spec = onlyBadConfig(() => translateAnnotations(BASE, given), /^invalid ingress annotation "cert-manager\.io\/[a-z-]+": ./);
      if (spec) assert.deepEqual(certificateSpecErrors(spec), [], JSON.stringify(given));
    }),
    { numRuns: runs },
  );
});

test('issuer annotations resolve to a named issuer or throw a BadConfigError', () => {
  const name = fc.oneof(fc.constant(''), fc.stringMatching(/^[a-z0-9-]{1,20}$/));
  const issuerAnnotations = fc.record({ [ISSUER_ANNOTATION]: name, [CLUSTER_ISSUER_ANNOTATION]: name, [ISSUER_KIND_ANNOTATION]: fc.string({ maxLength: 10 }) }, { requiredKeys: [] }) as fc.Arbitrary<Record<string, string>>;
  fc.assert(
    fc.property(issuerAnnotations, (given) => {
      const ref = onlyBadConfig(() => issuerForIngressLike(given), /^Could not determine issuer for ingress due to bad annotations: ./);
      if (ref) assert.ok(ref.name.length > 0, JSON.stringify(given));
    }),
    { numRuns: runs },
  );
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffUntil, DEFAULT_ISSUANCE_BACKOFF, specChangedSinceFailure } from '../../../controller/certificates/backoff.js';
import { certificate, HOUR_MS, issue, NOW, request } from './fixtures.js';

const failedAt = new Date(NOW).toISOString();

describe('backoffUntil', () => {
  test('no failure, no backoff', () => {
    assert.equal(backoffUntil(undefined), undefined);
    assert.equal(backoffUntil({ failedIssuanceAttempts: 3 }), undefined);
  });
  test('1h doubling to 32h by default', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 20].map((attempts) => (backoffUntil({ lastFailureTime: failedAt, failedIssuanceAttempts: attempts })! - NOW) / HOUR_MS);
    assert.deepEqual(delays, [1, 2, 4, 8, 16, 32, 32, 32]);
  });
  test('unset or non-positive attempts count as one', () => {
    assert.equal(backoffUntil({ lastFailureTime: failedAt }), NOW + HOUR_MS);
    assert.equal(backoffUntil({ lastFailureTime: failedAt, failedIssuanceAttempts: 0 }), NOW + HOUR_MS);
    assert.equal(backoffUntil({ lastFailureTime: failedAt, failedIssuanceAttempts: -2 }), NOW + HOUR_MS);
  });
  test('minimum and maximum are configurable', () => {
    const backoff = { minMs: 60_000, maxMs: 5 * 60_000 };
    assert.equal(backoffUntil({ lastFailureTime: failedAt, failedIssuanceAttempts: 2 }, backoff), NOW + 120_000);
    assert.equal(backoffUntil({ lastFailureTime: failedAt, failedIssuanceAttempts: 9 }, backoff), NOW + 300_000);
    assert.throws(() => backoffUntil({ lastFailureTime: failedAt }, { minMs: 0, maxMs: 1 }), RangeError);
    assert.throws(() => backoffUntil({ lastFailureTime: failedAt }, { minMs: 10, maxMs: 1 }), RangeError);
  });
  test('an unreadable failure time does not block issuance', () => {
    assert.equal(backoffUntil({ lastFailureTime: 'yesterday', failedIssuanceAttempts: 1 }, DEFAULT_ISSUANCE_BACKOFF), undefined);
  });
});

const crt = certificate();
const { csrPem } = await issue(crt);

describe('specChangedSinceFailure', () => {
  test('no next request, or one that still matches: the backoff stands', () => {
    assert.equal(specChangedSinceFailure(crt, undefined), false);
    assert.equal(specChangedSinceFailure(crt, request(crt, csrPem, 1)), false);
  });
  test('a spec change (or an unreadable request) lifts it', () => {
    const changed = certificate({ dnsNames: ['other.example.com'] });
    assert.equal(specChangedSinceFailure(changed, request(crt, csrPem, 1)), true);
    assert.equal(specChangedSinceFailure(crt, request(crt, 'garbage', 1)), true);
  });
});

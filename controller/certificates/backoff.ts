/**
 * How long a Certificate waits after a failed issuance before the trigger may try again (§2.6):
 * the minimum delay doubling with each consecutive failure, capped at the maximum.
 */
import type { Certificate, CertificateRequest, CertificateStatus } from '../../api/types.js';
import { backoffDelay } from '../runtime/backoff.js';
import { requestMatchesSpec } from './request-matches-spec.js';

export interface IssuanceBackoff {
  minMs: number;
  maxMs: number;
}

const HOUR_MS = 60 * 60 * 1000;

/** `--certificate-request-minimum-backoff-duration=1h`, `--certificate-request-maximum-backoff-duration=32h`. */
export const DEFAULT_ISSUANCE_BACKOFF: IssuanceBackoff = { minMs: HOUR_MS, maxMs: 32 * HOUR_MS };

/**
 * The instant (ms since the epoch) before which the trigger must not re-issue:
 * `lastFailureTime + min × 2^(failedIssuanceAttempts − 1)`, capped at max; unset or non-positive
 * attempts count as one. Undefined when there was no failure (or its time is unreadable).
 */
export function backoffUntil(status: CertificateStatus | undefined, backoff: IssuanceBackoff = DEFAULT_ISSUANCE_BACKOFF): number | undefined {
  if (!(backoff.minMs > 0 && backoff.maxMs >= backoff.minMs)) {
    throw new RangeError(`issuance backoff needs 0 < minMs ≤ maxMs, got minMs=${backoff.minMs} maxMs=${backoff.maxMs}`);
  }
  if (!status?.lastFailureTime) return undefined;
  const failedAt = Date.parse(status.lastFailureTime);
  if (Number.isNaN(failedAt)) return undefined;
  const attempts = status.failedIssuanceAttempts ?? 0;
  const delay = backoffDelay({ baseMs: backoff.minMs, maxMs: backoff.maxMs }, Math.max(attempts, 1) - 1);
  return failedAt + delay;
}

/**
 * Whether a spec change lifts the backoff: the CertificateRequest for the next revision no longer
 * matches the spec (or cannot be read), so the next attempt would ask for something different.
 * Without such a request the backoff stands.
 */
export function specChangedSinceFailure(certificate: Certificate, nextRequest: CertificateRequest | undefined): boolean {
  if (!nextRequest) return false;
  try {
    return requestMatchesSpec(nextRequest, certificate).length > 0;
  } catch {
    return true;
  }
}

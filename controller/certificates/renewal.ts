/**
 * When to renew an issued certificate (§2.5): `notAfter − renewBefore`, minus a deterministic
 * per-Certificate jitter so certificates issued together do not all renew in the same second,
 * then moved into the `spec.renewal.windows` (cron + IANA time zone) if any are set. An ACME
 * renewal-information (ARI) window replaces all of that with a random instant inside it.
 */
import { createHash, randomInt } from 'node:crypto';
import { cronExpressionParser, cronForParser } from '../../api/cron.js';
import type { Certificate, CertificateRenewalWindow } from '../../api/types.js';
import { DEFAULT_RENEWAL_WINDOW_TIMEZONE, renewBeforeFor } from '../../api/defaults.js';
import { parseDuration } from '../../api/duration.js';

/** Default largest jitter: a tenth of the renew-before window. */
export const DEFAULT_RENEWAL_JITTER = 0.1;

export interface RenewalTimeInput {
  /** Validity of the certificate actually issued (not the requested duration). */
  notBefore: Date;
  notAfter: Date;
  certificate: Certificate;
  /**
   * Largest share of the renew-before window subtracted as jitter, in [0, 1); each Certificate
   * gets a stable fraction of it. Default {@link DEFAULT_RENEWAL_JITTER}; 0 turns jitter off.
   */
  jitter?: number;
  /** ACME ARI suggested window: renew at a uniformly random instant of [start, end). */
  ariWindow?: { start: Date; end: Date };
  /** Uniform [0, 1) source for the ARI pick; cryptographically random by default. */
  random?: () => number;
}

export interface RenewalTime {
  time: Date;
  /** Set when the renewal windows could not be satisfied; `time` is then the unwindowed time. */
  windowError?: string;
}

const SECOND_MS = 1000;

function truncateToSecond(ms: number): Date {
  return new Date(Math.floor(ms / SECOND_MS) * SECOND_MS);
}

function cryptoRandom(): number {
  return randomInt(2 ** 48 - 1) / 2 ** 48;
}

/**
 * A stable number in [0, 1) for this Certificate: the first 48 bits of SHA-256 over its uid (or
 * namespace/name before it has one). Hash output is uniform, so fractions spread evenly.
 */
export function certificateHashFraction(certificate: Certificate): number {
  const { uid, namespace, name } = certificate.metadata;
  const identity = uid || `${namespace ?? ''}/${name ?? ''}`;
  return createHash('sha256').update(identity).digest().readUIntBE(0, 6) / 2 ** 48;
}

function checkJitter(jitter: number): void {
  if (!(Number.isFinite(jitter) && jitter >= 0 && jitter < 1)) {
    throw new RangeError(`renewal jitter must be a fraction in [0, 1) of the renew-before window, got ${jitter}`);
  }
}

/**
 * The renewal time of a certificate valid from `notBefore` to `notAfter`, or undefined when
 * `spec.renewal.policy` is `Disabled`. With windows that cannot be satisfied, the unwindowed time
 * is returned with `windowError` set (cert-manager's `WindowError`).
 */
export function renewalTime(input: RenewalTimeInput): RenewalTime | undefined {
  const { notBefore, notAfter, certificate } = input;
  const renewal = certificate.spec.renewal;
  if (renewal?.policy === 'Disabled') return undefined;
  if (input.ariWindow) return { time: ariRenewalTime(input.ariWindow, input.random ?? cryptoRandom) };

  const jitter = input.jitter ?? DEFAULT_RENEWAL_JITTER;
  checkJitter(jitter);
  const renewBefore = renewBeforeFor(notAfter.getTime() - notBefore.getTime(), certificate.spec);
  const jitterMs = certificateHashFraction(certificate) * jitter * renewBefore;
  const desired = truncateToSecond(notAfter.getTime() - renewBefore - jitterMs);
  if (!renewal?.windows?.length) return { time: desired };
  return applyRenewalWindows(desired, notBefore, notAfter, renewal.windows);
}

function ariRenewalTime(window: { start: Date; end: Date }, random: () => number): Date {
  const start = window.start.getTime();
  const span = window.end.getTime() - start;
  return truncateToSecond(span > 0 ? start + Math.floor(random() * span) : start);
}

/** Window starts of one `spec.renewal.windows` entry, evaluated in its time zone. */
interface WindowSchedule {
  durationMs: number;
  /** Latest start at or before `at`, or undefined. */
  startAtOrBefore(at: number): number | undefined;
  /** Earliest start at or after `at`, or undefined. */
  startAtOrAfter(at: number): number | undefined;
}

class WindowError extends Error {}

function parseWindow(window: CertificateRenewalWindow): WindowSchedule {
  const tz = window.timezone || DEFAULT_RENEWAL_WINDOW_TIMEZONE;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new WindowError(`error parsing timezone in window: unknown time zone ${tz}`);
  }
  const cron = window.cron.trim();
  if (!cron.startsWith('@') && cron.split(/\s+/).length !== 5) {
    throw new WindowError(`error parsing cron in window: expected exactly 5 fields, found ${cron.split(/\s+/).length}: ${JSON.stringify(cron)}`);
  }
  let durationMs: number;
  try {
    durationMs = parseDuration(window.windowDuration);
  } catch (e) {
    throw new WindowError(`error parsing windowDuration in window: ${(e as Error).message}`);
  }
  const expression = cronForParser(cron);
  const from = (at: number) => {
    try {
      return cronExpressionParser().parse(expression, { currentDate: new Date(at), tz });
    } catch (e) {
      throw new WindowError(`error parsing cron in window: ${(e as Error).message}`);
    }
  };
  // Parsing once up front reports a bad expression even when no search below runs.
  from(0);
  const firstStart = (search: () => Date): number | undefined => {
    try {
      return search().getTime();
    } catch {
      // An expression that never matches (e.g. 30 February) has no start in that direction.
      return undefined;
    }
  };
  // cron-parser searches strictly before/after its current date; window starts fall on whole seconds.
  return {
    durationMs,
    startAtOrBefore: (at) => {
      const expression = from(at + SECOND_MS);
      return firstStart(() => expression.prev().toDate());
    },
    startAtOrAfter: (at) => {
      const expression = from(at - SECOND_MS);
      return firstStart(() => expression.next().toDate());
    },
  };
}

/**
 * cert-manager's window search: each window's starts are searched within
 * [notBefore − windowDuration, notAfter + windowDuration]. If `desired` lies inside any window it
 * stands; otherwise the earliest window start after it, over all windows; otherwise an error.
 */
export function applyRenewalWindows(
  desired: Date,
  notBefore: Date,
  notAfter: Date,
  windows: readonly CertificateRenewalWindow[],
): RenewalTime {
  const at = desired.getTime();
  let earliestLaterStart: number | undefined;
  try {
    for (const window of windows) {
      const schedule = parseWindow(window);
      const searchMin = notBefore.getTime() - schedule.durationMs;
      const searchMax = notAfter.getTime() + schedule.durationMs;
      if (at >= searchMin) {
        const start = schedule.startAtOrBefore(Math.min(at, searchMax));
        if (start !== undefined && start >= searchMin && at < start + schedule.durationMs) return { time: desired };
      }
      const next = schedule.startAtOrAfter(Math.max(at, searchMin));
      if (next !== undefined && next <= searchMax && (earliestLaterStart === undefined || next < earliestLaterStart)) {
        earliestLaterStart = next;
      }
    }
  } catch (e) {
    if (e instanceof WindowError) return { time: desired, windowError: e.message };
    throw e;
  }
  if (earliestLaterStart !== undefined) return { time: new Date(earliestLaterStart) };
  return { time: desired, windowError: `cannot find a time with the given windows for: ${desired.toISOString()}` };
}

/**
 * P6's schedule and statistics, as pure functions. Every Certificate lives `duration` (1 h, the
 * shortest cert-manager allows) and renews `lead + offset` seconds after it was issued, offsets
 * spread evenly over the window; `renewBefore = duration − lead − offset`. Renewal re-arms the same
 * relative time, so each Certificate renews again `lead + offset` after its first renewal: with
 * `lead > spread` every second renewal falls after the last first one, and the measured window
 * holds exactly one renewal per Certificate.
 */
import { quantile } from '../lifecycle/report.js';

export const CERTIFICATE_DURATION_SECONDS = 3600;
/** How much later than the last first renewal the first second renewal comes, at least. */
export const SECOND_RENEWAL_MARGIN_SECONDS = 3;

export interface RenewalSchedule {
  count: number;
  /** Renewals are spread evenly over this many seconds. */
  spreadSeconds: number;
  /** Seconds from issuance to the earliest renewal: longer than the spread, and than issuing them all takes. */
  leadSeconds: number;
}

/** The shortest lead that keeps every second renewal out of the measured window. */
export function minimumLeadSeconds(spreadSeconds: number): number {
  return Math.ceil(spreadSeconds) + SECOND_RENEWAL_MARGIN_SECONDS;
}

/** Whole seconds after its issuance that Certificate `i` of the schedule renews. */
export function renewalOffsetSeconds(i: number, schedule: RenewalSchedule): number {
  return schedule.leadSeconds + Math.floor((i * schedule.spreadSeconds) / schedule.count);
}

/** `spec.renewBefore` for Certificate `i` (whole seconds, so the renewal time needs no rounding). */
export function renewBeforeFor(i: number, schedule: RenewalSchedule): string {
  const seconds = CERTIFICATE_DURATION_SECONDS - renewalOffsetSeconds(i, schedule);
  if (seconds < 300) throw new RangeError(`renewBefore of ${seconds} s is below cert-manager's 5 min minimum: lead + spread must stay under 55 min`);
  return `${seconds}s`;
}

export interface LagSummary {
  count: number;
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Nearest-rank quantiles of lags in ms. */
export function summarizeLags(lagsMs: readonly number[]): LagSummary {
  const sorted = [...lagsMs].sort((a, b) => a - b);
  const at = (q: number) => Math.round(quantile(sorted, q));
  return {
    count: sorted.length,
    minMs: Math.round(sorted[0] ?? NaN),
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p99Ms: at(0.99),
    maxMs: Math.round(sorted.at(-1) ?? NaN),
    meanMs: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

/** `later − earlier` for every key in both maps. */
export function lagsBetween(earlier: ReadonlyMap<string, number>, later: ReadonlyMap<string, number>): number[] {
  return [...later].flatMap(([key, at]) => {
    const from = earlier.get(key);
    return from === undefined ? [] : [at - from];
  });
}

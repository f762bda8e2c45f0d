/**
 * Go `time.Duration` text, as used by every duration field of the cert-manager API
 * (`spec.duration: 2160h`, `renewBefore: 1h30m`). Values are carried as milliseconds (fractions
 * allowed down to the nanosecond); the arithmetic runs on nanosecond BigInts so parsing and
 * printing round-trip exactly like Go.
 */

const NS_PER_MS = 1_000_000n;
const MAX_NS = (1n << 63n) - 1n;

const unitNs: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign
  ['\u03bcs', 1_000n], // Greek small letter mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

function quote(s: string): string {
  return JSON.stringify(s);
}

/** Nanoseconds of a Go duration string; throws with Go's own error text. */
export function parseDurationNs(text: string): bigint {
  const invalid = (): Error => new Error(`time: invalid duration ${quote(text)}`);
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();

  let total = 0n;
  while (s !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const whole = number[1] ?? '';
    const fraction = number[2] ?? '';
    if (whole === '' && fraction === '') throw invalid();
    s = s.slice(number[0].length);

    const unit = /^[^\d.]*/.exec(s)![0];
    if (unit === '') throw new Error(`time: missing unit in duration ${quote(text)}`);
    const scale = unitNs.get(unit);
    if (scale === undefined) throw new Error(`time: unknown unit ${quote(unit)} in duration ${quote(text)}`);
    s = s.slice(unit.length);

    // Go keeps the fraction's precision and truncates below one nanosecond.
    const fractionScale = 10n ** BigInt(fraction.length);
    const value = BigInt(whole || '0') * scale + (BigInt(fraction || '0') * scale) / fractionScale;
    total += value;
    if (total > MAX_NS + (negative ? 1n : 0n)) throw invalid();
  }
  return negative ? -total : total;
}

/** Milliseconds of a Go duration string (`2160h`, `1h30m`, `1.5h`, `300ms`, `-5m`, `0`). */
export function parseDuration(text: string): number {
  return nsToMs(parseDurationNs(text));
}

export function nsToMs(ns: bigint): number {
  const whole = ns / NS_PER_MS;
  const rest = ns % NS_PER_MS;
  return Number(whole) + Number(rest) / 1e6;
}

export function msToNs(ms: number): bigint {
  if (!Number.isFinite(ms)) throw new Error(`duration must be a finite number of milliseconds, got ${ms}`);
  const whole = Math.trunc(ms);
  return BigInt(whole) * NS_PER_MS + BigInt(Math.round((ms - whole) * 1e6));
}

/** `digits` of `value / 10^precision` with trailing zeros of the fraction dropped, like Go's fmtFrac. */
function withFraction(value: bigint, precision: number): string {
  const scale = 10n ** BigInt(precision);
  const whole = value / scale;
  const fraction = (value % scale).toString().padStart(precision, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}

/** Text of a nanosecond duration exactly as Go's `time.Duration.String()` prints it. */
export function formatDurationNs(ns: bigint): string {
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  const u = ns < 0n ? -ns : ns;

  if (u < 1_000_000_000n) {
    if (u < 1_000n) return `${sign}${u}ns`;
    if (u < 1_000_000n) return `${sign}${withFraction(u, 3)}\u00b5s`;
    return `${sign}${withFraction(u, 6)}ms`;
  }
  const seconds = withFraction(u % 60_000_000_000n, 9);
  const totalMinutes = u / 60_000_000_000n;
  if (totalMinutes === 0n) return `${sign}${seconds}s`;
  const minutes = totalMinutes % 60n;
  const hours = totalMinutes / 60n;
  if (hours === 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${hours}h${minutes}m${seconds}s`;
}

/** Text of a millisecond duration as Go prints it: `2160h0m0s`, `5m0s`, `1.5s`, `0s`. */
export function formatDuration(ms: number): string {
  return formatDurationNs(msToNs(ms));
}

export interface ExponentialBackoff {
  baseMs: number;
  maxMs: number;
}

/** Certificates retry fast (1s doubling to 30s); every other controller 5s doubling to 5min. */
export const CERTIFICATE_BACKOFF: ExponentialBackoff = { baseMs: 1_000, maxMs: 30_000 };
export const DEFAULT_BACKOFF: ExponentialBackoff = { baseMs: 5_000, maxMs: 300_000 };

export function checkBackoff(backoff: ExponentialBackoff): void {
  const { baseMs, maxMs } = backoff;
  if (!(Number.isFinite(baseMs) && baseMs > 0 && Number.isFinite(maxMs) && maxMs >= baseMs)) {
    throw new RangeError(`backoff needs 0 < baseMs ≤ maxMs (finite), got baseMs=${baseMs} maxMs=${maxMs}`);
  }
}

/** Delay before retry number `failures` (0 = first retry): base·2^failures, capped at max. */
export function backoffDelay(backoff: ExponentialBackoff, failures: number): number {
  // Past 2^52 the product is already far above any sane max; the cap keeps the exponent bounded.
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(failures, 52));
}

/** client-go's ItemExponentialFailureRateLimiter: each key backs off on its own until forgotten. */
export class ItemBackoff {
  readonly backoff: ExponentialBackoff;
  #failures = new Map<string, number>();

  constructor(backoff: ExponentialBackoff) {
    checkBackoff(backoff);
    this.backoff = backoff;
  }

  /** Records one more failure of `key` and returns how long to wait before retrying it. */
  when(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    return backoffDelay(this.backoff, failures);
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }

  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }
}

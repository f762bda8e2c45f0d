import type { Clock } from './clock.js';

export interface TokenBucketOptions {
  /** Sustained requests per second. */
  qps: number;
  /** Requests allowed at once after an idle period. */
  burst: number;
}

/**
 * High by default: the API server protects itself (priority & fairness); this only caps runaways.
 * An issuance costs ~9 requests besides Events, so 2,000/s leaves room for ~220 issuances a second
 * (the 10k-in-60-s goal needs 167), and no more than the two cores of a small node can serve.
 */
export const DEFAULT_CLIENT_RATE: TokenBucketOptions = { qps: 2000, burst: 4000 };

/**
 * A token bucket that hands out reservations (like Go's rate.Limiter): `reserve()` always takes a
 * token, going into debt if needed, and says how long the caller must wait, so waiters queue fairly
 * in arrival order without a wake-up loop.
 */
export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  #clock: Clock;
  #tokens: number;
  #updatedAt: number;

  constructor(clock: Clock, options: TokenBucketOptions = DEFAULT_CLIENT_RATE) {
    const { qps, burst } = options;
    if (!(Number.isFinite(qps) && qps > 0 && Number.isInteger(burst) && burst >= 1)) {
      throw new RangeError(`rate limit needs qps > 0 and an integer burst ≥ 1, got qps=${qps} burst=${burst}`);
    }
    this.qps = qps;
    this.burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#updatedAt = clock.now();
  }

  /** Takes one token; returns the ms to wait before using it (0 when one was available). */
  reserve(): number {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + (Math.max(0, now - this.#updatedAt) * this.qps) / 1000);
    this.#updatedAt = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens * 1000) / this.qps);
  }
}

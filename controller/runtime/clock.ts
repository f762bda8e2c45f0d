/**
 * The one source of time for the controller. Everything time-based (renewals, backoff, re-checks,
 * client rate limits) reads `now()` and waits through `setTimer`, so tests swap in a ManualClock
 * and move time instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Calls `fn` once, `delayMs` of this clock's time from now (0 ≤ delayMs ≤ MAX_TIMER_DELAY_MS).
   * Returns a function that cancels the call.
   */
  setTimer(delayMs: number, fn: () => void): () => void;
}

/** Node's setTimeout limit (2^31−1 ms, ~24.8 days); a longer delay fires after 1 ms instead. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

function checkDelay(delayMs: number): void {
  if (!(delayMs >= 0 && delayMs <= MAX_TIMER_DELAY_MS)) {
    throw new RangeError(`timer delay must be between 0 and ${MAX_TIMER_DELAY_MS} ms, got ${delayMs}`);
  }
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, fn) {
    checkDelay(delayMs);
    const timer = setTimeout(fn, delayMs);
    return () => clearTimeout(timer);
  },
};

interface ManualTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock that moves only when a test calls `advance` or `set`. */
export class ManualClock implements Clock {
  #now: number;
  #timers: ManualTimer[] = [];
  #seq = 0;

  constructor(startMs = Date.UTC(2025, 0, 1)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    checkDelay(delayMs);
    const timer: ManualTimer = { at: this.#now + delayMs, seq: this.#seq++, fn };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Timers armed and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way in due order, each
   * with `now()` equal to its due time (timers armed by a callback fire too if due in the window).
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot advance a clock by ${ms} ms`);
    this.set(this.#now + ms);
  }

  /** Moves time forward to `targetMs` (see `advance`). */
  set(targetMs: number): void {
    if (!(targetMs >= this.#now)) throw new RangeError(`cannot move a clock back from ${this.#now} to ${targetMs}`);
    for (;;) {
      const next = this.#earliestDue(targetMs);
      if (!next) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = next.at;
      next.fn();
    }
    this.#now = targetMs;
  }

  #earliestDue(limit: number): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.#timers) {
      if (t.at > limit) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/**
 * A per-account budget of new orders (a token bucket refilled continuously), modelled on Let's
 * Encrypt's 300 new orders per account per 3 hours. An Order that finds the budget empty waits for
 * its turn instead of failing at the CA.
 */
export interface OrderBudgetOptions {
  /** Orders the bucket holds (and starts with). */
  orders: number;
  /** Time to refill the whole bucket, ms. */
  periodMs: number;
}

export const LETS_ENCRYPT_ORDER_BUDGET: OrderBudgetOptions = { orders: 300, periodMs: 3 * 3600_000 };

export class OrderBudget {
  #options: OrderBudgetOptions;
  #now: () => number;
  #accounts = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(options: OrderBudgetOptions = LETS_ENCRYPT_ORDER_BUDGET, now: () => number = Date.now) {
    if (!(options.orders >= 1 && options.periodMs > 0)) throw new RangeError(`an order budget needs orders ≥ 1 and a positive period, got ${JSON.stringify(options)}`);
    this.#options = options;
    this.#now = now;
  }

  /** Takes one order from `account`'s budget and returns 0, or returns the ms until one is available (taking nothing). */
  tryTake(account: string): number {
    const { orders, periodMs } = this.#options;
    const now = this.#now();
    const perMs = orders / periodMs;
    const bucket = this.#accounts.get(account) ?? { tokens: orders, updatedAt: now };
    bucket.tokens = Math.min(orders, bucket.tokens + Math.max(0, now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
    this.#accounts.set(account, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / perMs);
  }
}

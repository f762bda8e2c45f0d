/**
 * How many Certificates may be in issuance at once (`--max-concurrent-issuances`).
 *
 * A Certificate in issuance holds a next private key (its Secret, the KeyObject, its PEM), a CSR and
 * a CertificateRequest until its certificate is stored. Without a limit, 10k Certificates applied
 * together all enter issuance at once and all of that is alive together: the work queue moves each
 * one a step per pass, so none finishes before every one has its key and request (10k: Ready stayed
 * under 400 for 30 s), and the controller's V8 heap and malloc arena grow to that high-water mark and
 * keep it. With a limit, a bounded number are in flight and each finishes in a few passes of a short
 * queue (docs/performance.md, lifecycle, session 5).
 *
 * A Certificate takes a slot when its issuance would start (or go on, after a restart) and keeps it
 * until it is no longer issuing (issued, failed into backoff, deleted). Those that find every slot
 * taken wait in the order they first asked, and are woken in that order as slots free up: none is
 * starved by later ones. One in line is left as it is until its turn (no status write, no event:
 * those would double the work of each Certificate in line); Certificates not due for issuance are
 * not limited.
 */

export const DEFAULT_MAX_CONCURRENT_ISSUANCES = 500;

export class IssuanceSlots {
  readonly limit: number;
  /** Certificate keys holding a slot. */
  #holders = new Set<string>();
  /** Certificate keys waiting for one, in the order they first asked (Set order is insertion order). */
  #waiting = new Set<string>();
  #wake: (key: string) => void;

  /** `wake` is called for a waiting Certificate once a slot is free for it (its reconcile should run again). */
  constructor(limit: number, wake: (key: string) => void) {
    if (!(Number.isInteger(limit) && limit >= 1)) throw new RangeError(`the issuance limit must be a whole number ≥ 1, got ${limit}`);
    this.limit = limit;
    this.#wake = wake;
  }

  get issuing(): number {
    return this.#holders.size;
  }

  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * Whether Certificate `key` may go on with issuance now: it holds a slot already, or one is free
   * and no Certificate that asked earlier is waiting for it. Otherwise it waits in line.
   */
  admit(key: string): boolean {
    if (this.#holders.has(key)) return true;
    this.#waiting.add(key);
    if (!this.#firstWaiting(this.#free()).includes(key)) return false;
    this.#waiting.delete(key);
    this.#holders.add(key);
    return true;
  }

  /** Certificate `key` no longer issues (or is gone): its slot, or its place in line, is given up. */
  release(key: string): void {
    // Every reconcile of a Certificate not issuing gets here; most hold nothing.
    if (!this.#holders.has(key) && !this.#waiting.has(key)) return;
    const wasFirst = this.#firstWaiting(this.#free()).includes(key);
    const freed = this.#holders.delete(key);
    this.#waiting.delete(key);
    // A freed slot, or a place at the head of the line given up, moves a waiter up to a slot.
    if (freed || wasFirst) for (const next of this.#firstWaiting(this.#free())) this.#wake(next);
  }

  /** Gives up the slots and places in line of every key `gone` picks (e.g. of a shard lost), then wakes who moves up. */
  releaseWhere(gone: (key: string) => boolean): void {
    let changed = false;
    for (const key of [...this.#holders, ...this.#waiting]) {
      if (gone(key) && (this.#holders.delete(key) || this.#waiting.delete(key))) changed = true;
    }
    if (changed) for (const next of this.#firstWaiting(this.#free())) this.#wake(next);
  }

  #free(): number {
    return this.limit - this.#holders.size;
  }

  /** The first `count` waiting keys: those a free slot goes to. */
  #firstWaiting(count: number): string[] {
    const first: string[] = [];
    for (const key of this.#waiting) {
      if (first.length >= count) break;
      first.push(key);
    }
    return first;
  }
}

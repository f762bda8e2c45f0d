import { ItemBackoff, type ExponentialBackoff } from './backoff.js';
import type { TimerQueue } from './timers.js';

export interface WorkQueueOptions {
  /** Names this queue's entries in the shared timer queue; unique per controller. */
  name: string;
  timers: TimerQueue;
  /** Per-key retry backoff for `addRateLimited`. */
  backoff: ExponentialBackoff;
}

/** A FIFO of keys that drops already-consumed slots in bulk instead of shifting on every take. */
class KeyFifo {
  #items: string[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(key: string): void {
    this.#items.push(key);
  }

  take(): string | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const key = this.#items[this.#head++]!;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return key;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}

/**
 * client-go's rate-limited work queue: a key waits at most once (dedup), a key being processed is
 * never handed to a second worker (an add while it runs queues it again after `done`), delayed adds
 * live in the shared TimerQueue, and failures back off per key until `forget`.
 */
export class WorkQueue {
  readonly name: string;
  #timers: TimerQueue;
  #backoff: ItemBackoff;
  #queue = new KeyFifo();
  /** Keys that need processing: waiting in #queue, or re-added while processing. */
  #dirty = new Set<string>();
  #processing = new Set<string>();
  /** Keys with a pending delayed add in the timer queue. */
  #delayed = new Set<string>();
  #waiters: Array<(key: string | undefined) => void> = [];
  #shuttingDown = false;
  #drained: Array<() => void> = [];

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.#timers = options.timers;
    this.#backoff = new ItemBackoff(options.backoff);
  }

  /** Keys waiting to be handed out (not counting those in flight or delayed). */
  get length(): number {
    return this.#queue.length;
  }

  get inFlight(): number {
    return this.#processing.size;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    const waiter = this.#waiters.shift();
    if (waiter) waiter(this.#start(key));
    else this.#queue.push(key);
  }

  /** Adds `key` after `delayMs`; an earlier pending delayed add for the key wins over a later one. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (!(delayMs > 0)) return this.add(key);
    const timerKey = this.#timerKey(key);
    const at = this.#timers.clock.now() + delayMs;
    const pending = this.#timers.dueAt(timerKey);
    if (pending !== undefined && pending <= at) return;
    this.#delayed.add(key);
    this.#timers.schedule(timerKey, at, () => {
      this.#delayed.delete(key);
      this.add(key);
    });
  }

  /** Adds `key` after its next backoff delay and counts one more failure for it. */
  addRateLimited(key: string): void {
    this.addAfter(key, this.#backoff.when(key));
  }

  /** Clears the failure count of `key` (it succeeded); a pending delayed add stays. */
  forget(key: string): void {
    this.#backoff.forget(key);
  }

  /** Failures counted for `key` since it was last forgotten. */
  numRequeues(key: string): number {
    return this.#backoff.failures(key);
  }

  /** The next key to process, or undefined once the queue is shutting down. Call `done` after. */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#queue.take();
    if (key !== undefined) return Promise.resolve(this.#start(key));
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks `key` processed; if it was added meanwhile, it goes back in the queue. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#shuttingDown) {
      if (this.#processing.size === 0) this.#drained.splice(0).forEach((resolve) => resolve());
      return;
    }
    if (!this.#dirty.has(key)) return;
    const waiter = this.#waiters.shift();
    if (waiter) waiter(this.#start(key));
    else this.#queue.push(key);
  }

  /**
   * Stops handing out keys, drops waiting and delayed ones (reconcilers are level-triggered: the
   * next start sees the same state), and resolves once every key in flight is `done`.
   */
  shutdown(): Promise<void> {
    if (!this.#shuttingDown) {
      this.#shuttingDown = true;
      for (const key of this.#delayed) this.#timers.cancel(this.#timerKey(key));
      this.#delayed.clear();
      this.#queue.clear();
      this.#dirty.clear();
      this.#waiters.splice(0).forEach((resolve) => resolve(undefined));
    }
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  #start(key: string): string {
    this.#dirty.delete(key);
    this.#processing.add(key);
    return key;
  }

  #timerKey(key: string): string {
    return `workqueue/${this.name}/${key}`;
  }
}

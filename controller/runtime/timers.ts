import { MAX_TIMER_DELAY_MS, type Clock } from './clock.js';
import { flatKey } from './keys.js';

interface TimerEntry {
  key: string;
  at: number;
  /** Tie-break so entries due at the same time fire in the order they were scheduled. */
  seq: number;
  /** Called with the entry's key, so one function can serve many entries (see TimerGroup). */
  fn: (key: string) => void;
  /** Position in the heap array, kept current so cancel/replace are O(log n). */
  index: number;
}

export interface TimerQueueOptions {
  /** Called when a timer callback throws; the queue keeps running. Default: a process warning. */
  onError?: (err: unknown, key: string) => void;
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * All time-based work of the controller in one place: a min-heap of keyed entries ordered by due
 * time, with a single clock timer armed for the earliest entry only. Scheduling, replacing and
 * cancelling are O(log n), so 100k renewals cost one Node timer and a few MB.
 */
export class TimerQueue {
  readonly clock: Clock;
  #heap: TimerEntry[] = [];
  #byKey = new Map<string, TimerEntry>();
  #seq = 0;
  #sleepSeq = 0;
  /** The armed clock timer and the due time it is aimed at (its wake-up may be an earlier chunk). */
  #armed: { target: number; cancel: () => void } | undefined;
  #onError: (err: unknown, key: string) => void;

  constructor(clock: Clock, options: TimerQueueOptions = {}) {
    this.clock = clock;
    this.#onError =
      options.onError ??
      ((err, key) => process.emitWarning(`timer ${key} callback failed: ${err instanceof Error ? err.message : String(err)}`));
  }

  get size(): number {
    return this.#heap.length;
  }

  /** Runs `fn` (given `key`) at time `at` (clock ms), replacing any entry already scheduled under `key`. */
  schedule(key: string, at: number, fn: (key: string) => void): void {
    if (!Number.isFinite(at)) throw new RangeError(`timer ${key}: due time must be a finite number of ms, got ${at}`);
    const existing = this.#byKey.get(key);
    if (existing) this.#remove(existing);
    // Callers build keys by concatenation; one flat copy serves the entry and the map.
    const entry: TimerEntry = { key: flatKey(key), at, seq: this.#seq++, fn, index: this.#heap.length };
    this.#byKey.set(entry.key, entry);
    this.#heap.push(entry);
    this.#siftUp(entry.index);
    this.#arm();
  }

  /** Removes the entry under `key`; returns whether there was one. */
  cancel(key: string): boolean {
    const entry = this.#byKey.get(key);
    if (!entry) return false;
    this.#remove(entry);
    // A disarm is not needed: if the earliest entry went away, the armed timer wakes early and re-arms.
    return true;
  }

  /** Due time of the entry under `key`, if any. */
  dueAt(key: string): number | undefined {
    return this.#byKey.get(key)?.at;
  }

  /** Resolves after `ms` of clock time (or at once when aborted: the entry is removed). */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const key = `\0sleep/${this.#sleepSeq++}`;
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = () => {
        this.cancel(key);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.schedule(key, this.clock.now() + Math.max(0, ms), () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** Keys of the entries whose key starts with `prefix` (a scan: for occasional use). */
  keysStartingWith(prefix: string): string[] {
    return [...this.#byKey.keys()].filter((key) => key.startsWith(prefix));
  }

  /** Drops every entry and the armed clock timer. */
  clear(): void {
    for (const entry of this.#heap) entry.index = -1;
    this.#heap = [];
    this.#byKey.clear();
    this.#armed?.cancel();
    this.#armed = undefined;
  }

  #arm(): void {
    const top = this.#heap[0];
    if (!top) return;
    if (this.#armed && this.#armed.target <= top.at) return;
    this.#armed?.cancel();
    const delay = Math.min(Math.max(0, top.at - this.clock.now()), MAX_TIMER_DELAY_MS);
    this.#armed = { target: top.at, cancel: this.clock.setTimer(delay, () => this.#wake()) };
  }

  #wake(): void {
    this.#armed = undefined;
    // Entries scheduled by callbacks during this wake wait for the next one (a 0 ms timer), so a
    // callback that reschedules itself for "now" cannot spin this loop forever.
    const now = this.clock.now();
    const firstNewSeq = this.#seq;
    for (let top = this.#heap[0]; top && top.at <= now && top.seq < firstNewSeq; top = this.#heap[0]) {
      this.#remove(top);
      try {
        top.fn(top.key);
      } catch (err) {
        this.#onError(err, top.key);
      }
    }
    this.#arm();
  }

  #remove(entry: TimerEntry): void {
    this.#byKey.delete(entry.key);
    const last = this.#heap.pop()!;
    const index = entry.index;
    entry.index = -1;
    if (last === entry) return;
    this.#heap[index] = last;
    last.index = index;
    this.#siftUp(index);
    this.#siftDown(last.index);
  }

  #siftUp(index: number): void {
    const heap = this.#heap;
    const entry = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!before(entry, parent)) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = entry;
    entry.index = index;
  }

  #siftDown(index: number): void {
    const heap = this.#heap;
    const entry = heap[index]!;
    const n = heap.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, entry)) break;
      heap[index] = heap[child]!;
      heap[index]!.index = index;
      index = child;
    }
    heap[index] = entry;
    entry.index = index;
  }
}

/**
 * The timers of one kind, one per key (e.g. a wake-up per Certificate), all firing one callback
 * with the key: no closure per timer, and no set of its own to know which are armed (the queue's
 * keys are). At 10k Certificates a closure, its context and a set entry per wake-up were ~1 MiB.
 */
export class TimerGroup {
  #queue: TimerQueue;
  #prefix: string;
  #onDue: (timerKey: string) => void;

  constructor(queue: TimerQueue, name: string, onDue: (key: string) => void) {
    this.#queue = queue;
    this.#prefix = `${name}/`;
    this.#onDue = (timerKey) => onDue(timerKey.slice(this.#prefix.length));
  }

  /** How many keys have a timer armed (a scan of the queue). */
  get size(): number {
    return this.#queue.keysStartingWith(this.#prefix).length;
  }

  /** Fires for `key` at `at`, replacing the timer `key` had. */
  schedule(key: string, at: number): void {
    this.#queue.schedule(this.#prefix + key, at, this.#onDue);
  }

  cancel(key: string): boolean {
    return this.#queue.cancel(this.#prefix + key);
  }

  dueAt(key: string): number | undefined {
    return this.#queue.dueAt(this.#prefix + key);
  }

  cancelAll(): void {
    for (const timerKey of this.#queue.keysStartingWith(this.#prefix)) this.#queue.cancel(timerKey);
  }
}

/**
 * Writes a reconcile made that the informer caches do not show yet (client-go's "expectations").
 *
 * The reconciler decides from caches. Right after it creates a next-private-key Secret or a
 * CertificateRequest, or updates a status, the caches lag by a watch event; a reconcile of the
 * same Certificate in that gap would decide from the old world and, say, create a second key
 * Secret. So each write leaves a check that turns true once the cache reflects it, and the
 * Certificate is not reconciled again until all its checks pass. The informer event that makes a
 * check pass also enqueues the Certificate, so nothing polls. A check that stays false longer than
 * the time limit (a write whose event was lost) is dropped rather than blocking forever.
 */
import type { Clock } from '../runtime/clock.js';

/** True once the caches show the write. Reads caches only. */
export type WriteSeen = () => boolean;

interface Pending {
  seen: WriteSeen;
  since: number;
}

/** How long an unseen write may hold its Certificate back. */
export const DEFAULT_PENDING_WRITE_LIMIT_MS = 30_000;

export class PendingWrites {
  #clock: Clock;
  #limitMs: number;
  #byKey = new Map<string, Pending[]>();

  constructor(clock: Clock, limitMs = DEFAULT_PENDING_WRITE_LIMIT_MS) {
    this.#clock = clock;
    this.#limitMs = limitMs;
  }

  /** Records a write for the Certificate `key`; `seen` says when the caches show it. */
  expect(key: string, seen: WriteSeen): void {
    const list = this.#byKey.get(key) ?? [];
    list.push({ seen, since: this.#clock.now() });
    this.#byKey.set(key, list);
  }

  /**
   * Undefined when every write for `key` is visible (or timed out): the caches can be trusted.
   * Otherwise the ms after which the oldest unseen write stops counting.
   */
  waitMs(key: string): number | undefined {
    const list = this.#byKey.get(key);
    if (!list) return undefined;
    const now = this.#clock.now();
    const unseen = list.filter((p) => now - p.since < this.#limitMs && !p.seen());
    if (unseen.length === 0) {
      this.#byKey.delete(key);
      return undefined;
    }
    this.#byKey.set(key, unseen);
    return Math.max(1, Math.min(...unseen.map((p) => p.since + this.#limitMs - now)));
  }

  forget(key: string): void {
    this.#byKey.delete(key);
  }

  /** Certificates with writes still unseen (diagnostics, tests). */
  get size(): number {
    return this.#byKey.size;
  }
}

import { isConflict } from './api-error.js';
import type { WorkQueue } from './workqueue.js';

/** What a reconcile asks for besides "done": look again after this long (renewals, re-checks). */
export interface Result {
  requeueAfterMs?: number;
}

/**
 * Brings the object named by `key` (`namespace/name`, or `name` when cluster-scoped) to its desired
 * state. Level-triggered and idempotent: it reads current state, never the event that woke it.
 * Throwing requeues the key with per-key backoff; a 409 Conflict requeues it at once.
 */
export type Reconcile = (key: string) => Promise<Result>;

/** Feeds `certmanager_controller_sync_call_count` / `sync_error_count` without importing prom-client. */
export interface SyncHooks {
  /** Every work item processed. */
  onSync?(controller: string, key: string): void;
  /** A failed work item; optimistic-lock conflicts are not errors and never reach this. */
  onSyncError?(controller: string, key: string, err: unknown): void;
  /** A conflict that was requeued at once (for debug logging). */
  onConflict?(controller: string, key: string, err: unknown): void;
}

export type SyncOutcome =
  | { kind: 'requeue-now'; conflict: unknown }
  | { kind: 'retry-with-backoff'; error: unknown }
  | { kind: 'requeue-after'; delayMs: number }
  | { kind: 'done' };

/** How a reconcile ended: its result, or what it threw. */
export type ReconcileEnding = { ok: true; result: Result } | { ok: false; error: unknown };

type OutcomeRule = (ending: ReconcileEnding) => SyncOutcome | undefined;

const conflictRequeuesNow: OutcomeRule = (e) => (!e.ok && isConflict(e.error) ? { kind: 'requeue-now', conflict: e.error } : undefined);
const failureRetriesWithBackoff: OutcomeRule = (e) => (!e.ok ? { kind: 'retry-with-backoff', error: e.error } : undefined);
const requestedRequeueAfter: OutcomeRule = (e) => {
  const delayMs = e.ok ? e.result?.requeueAfterMs : undefined;
  return delayMs !== undefined && Number.isFinite(delayMs) ? { kind: 'requeue-after', delayMs: Math.max(0, delayMs) } : undefined;
};

/** First matching rule decides; a plain success is done. */
const outcomeRules: OutcomeRule[] = [conflictRequeuesNow, failureRetriesWithBackoff, requestedRequeueAfter];

export function decideOutcome(ending: ReconcileEnding): SyncOutcome {
  for (const rule of outcomeRules) {
    const outcome = rule(ending);
    if (outcome) return outcome;
  }
  return { kind: 'done' };
}

export interface ControllerOptions {
  /** The `controller` label of the sync metrics, e.g. `certificates-trigger`. */
  name: string;
  queue: WorkQueue;
  reconcile: Reconcile;
  /** Keys reconciled in parallel (`--concurrent-workers`, default {@link DEFAULT_WORKERS}). */
  workers?: number;
  hooks?: SyncHooks;
  /**
   * Sharding: this replica stopped owning some keys (a shard was lost; `owned` says which it still
   * owns). State the reconciler keeps per key for keys it owns goes here, as their reconciles stop.
   */
  onKeysLeft?: (owned: (key: string) => boolean) => void;
}

/**
 * Workers per controller. cert-manager's 5 leave a reconcile pipeline that waits on the API most of
 * the time (each issuance is a chain of ~10 sequential API round trips); 10 kept both cores of the
 * 2-core benchmark machine busy (1k issuances: ~1.3× the throughput and less CPU per certificate
 * than 5; 25 gained nothing more), see docs/performance.md, lifecycle.
 */
export const DEFAULT_WORKERS = 10;

/** N workers draining one work queue into a reconciler. */
export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  #reconcile: Reconcile;
  #workers: number;
  #hooks: SyncHooks;
  #running: Promise<void>[] = [];
  #admit: ((key: string) => boolean) | undefined;
  #onKeysLeft: ControllerOptions['onKeysLeft'];

  constructor(options: ControllerOptions) {
    const workers = options.workers ?? DEFAULT_WORKERS;
    if (!(Number.isInteger(workers) && workers >= 1)) {
      throw new RangeError(`controller ${options.name}: workers must be a positive integer, got ${workers}`);
    }
    this.name = options.name;
    this.queue = options.queue;
    this.#reconcile = options.reconcile;
    this.#workers = workers;
    this.#hooks = options.hooks ?? {};
    this.#onKeysLeft = options.onKeysLeft;
  }

  start(): void {
    if (this.#running.length > 0) return;
    for (let i = 0; i < this.#workers; i++) this.#running.push(this.#work());
  }

  /**
   * Sharding: reconcile only the keys `admit` accepts; the others are dropped from the queue
   * without a reconcile (the filter keeps them, to queue again when this replica owns them).
   */
  admitOnly(admit: (key: string) => boolean): void {
    this.#admit = admit;
  }

  /** Sharding: keys this replica reconciled are someone else's now; `owned` says which are still its own. */
  keysLeft(owned: (key: string) => boolean): void {
    this.#onKeysLeft?.(owned);
  }

  /** Stops taking keys and resolves once every reconcile in flight has finished. */
  async stop(): Promise<void> {
    await this.queue.shutdown();
    await Promise.all(this.#running);
    this.#running = [];
  }

  async #work(): Promise<void> {
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      try {
        await this.#process(key);
      } catch {
        // Only a throwing hook gets here (reconcile errors are outcomes); it must not stop the worker.
      } finally {
        this.queue.done(key);
      }
    }
  }

  async #process(key: string): Promise<void> {
    if (this.#admit?.(key) === false) return this.queue.forget(key);
    this.#hooks.onSync?.(this.name, key);
    let ending: ReconcileEnding;
    try {
      ending = { ok: true, result: await this.#reconcile(key) };
    } catch (error) {
      ending = { ok: false, error };
    }
    const outcome = decideOutcome(ending);
    switch (outcome.kind) {
      case 'requeue-now':
        this.#hooks.onConflict?.(this.name, key, outcome.conflict);
        this.queue.add(key);
        return;
      case 'retry-with-backoff':
        this.#hooks.onSyncError?.(this.name, key, outcome.error);
        this.queue.addRateLimited(key);
        return;
      case 'requeue-after':
        this.queue.forget(key);
        this.queue.addAfter(key, outcome.delayMs);
        return;
      case 'done':
        this.queue.forget(key);
        return;
    }
  }
}

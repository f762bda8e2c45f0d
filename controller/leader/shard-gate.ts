/**
 * Between the work queues and the shard Leases: a controller's worker asks `admit` before it
 * reconciles a key. Keys of shards this replica does not own are parked, not reconciled; when the
 * replica gains a shard, that shard's parked keys go back to their queues, so it picks up exactly
 * the work the previous owner may have left.
 */
import type { WorkQueue } from '../runtime/workqueue.js';
import { shardOf } from './shards.js';

export interface ShardGateOptions {
  shardCount: number;
  owns(shard: number): boolean;
  /** The key whose shard decides for `key` of `controller` (a CertificateRequest's Certificate). */
  rootKeyOf(controller: string, key: string): string;
}

export class ShardGate {
  #options: ShardGateOptions;
  #queues = new Map<string, WorkQueue>();
  /** Shard → controller → keys seen while the shard was someone else's. */
  #parked = new Map<number, Map<string, Set<string>>>();

  constructor(options: ShardGateOptions) {
    this.#options = options;
  }

  /** Where `controller`'s parked keys go back to. */
  register(controller: string, queue: WorkQueue): void {
    this.#queues.set(controller, queue);
  }

  shardOf(controller: string, key: string): number {
    // Plain leader election (the default in a pod): one shard, nothing to look up per reconcile.
    if (this.#options.shardCount === 1) return 0;
    return shardOf(this.#options.rootKeyOf(controller, key), this.#options.shardCount);
  }

  /** Whether this replica owns `key` of `controller` now (nothing is parked). */
  owns(controller: string, key: string): boolean {
    return this.#options.owns(this.shardOf(controller, key));
  }

  /** Whether this replica reconciles `key` now; a key it does not is parked for later. */
  admit(controller: string, key: string): boolean {
    if (this.owns(controller, key)) return true;
    const shard = this.shardOf(controller, key);
    const byController = this.#parked.get(shard) ?? new Map<string, Set<string>>();
    this.#parked.set(shard, byController);
    const keys = byController.get(controller) ?? new Set<string>();
    byController.set(controller, keys);
    keys.add(key);
    return false;
  }

  /** Queues the parked keys of a shard just gained. */
  gained(shard: number): void {
    const byController = this.#parked.get(shard);
    this.#parked.delete(shard);
    for (const [controller, keys] of byController ?? []) {
      const queue = this.#queues.get(controller);
      for (const key of keys) queue?.add(key);
    }
  }

  /** Keys parked now, for tests and diagnostics. */
  get parkedCount(): number {
    let count = 0;
    for (const byController of this.#parked.values()) for (const keys of byController.values()) count += keys.size;
    return count;
  }
}

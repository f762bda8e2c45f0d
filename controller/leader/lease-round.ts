/**
 * One round of shard leader election, decided from what the Lease list shows: which shard Leases
 * this replica renews, which free ones it takes, and which it lets go so every live replica gets
 * its fair share. Pure: the caller reads the Leases and writes the plan.
 */
import { preferenceOrder } from './shards.js';

/** What a replica knows about one Lease. */
export interface LeaseRecord {
  /** `''` when released. */
  holder: string;
  leaseDurationMs: number;
  /**
   * When this replica first saw the Lease's current holder and renew time. As in client-go, expiry
   * is judged by the local clock from that moment, never by the writer's clock (no skew).
   */
  observedAtMs: number;
}

export function isExpired(record: LeaseRecord, now: number): boolean {
  return record.holder === '' || now >= record.observedAtMs + record.leaseDurationMs;
}

export interface RoundView {
  identity: string;
  now: number;
  shardCount: number;
  /** By shard number; undefined where the Lease does not exist yet. */
  shards: ReadonlyArray<LeaseRecord | undefined>;
  /** Shards this replica holds and still owns (renewed within its renew deadline). */
  held: ReadonlySet<number>;
  /** Live replicas, this one included. */
  members: number;
}

export interface RoundPlan {
  /** Held shards to renew (a missing Lease is created). */
  renew: number[];
  /** Free shards to take. */
  acquire: number[];
  /** Held shards to stop owning now and to stop renewing, so their Leases expire for others. */
  release: number[];
  /** Held shards another replica holds now (its Lease was taken over): no longer owned. */
  lost: number[];
}

/** Each live replica's share, rounded up so the shares cover every shard. */
export function fairShare(shardCount: number, members: number): number {
  return Math.ceil(shardCount / Math.max(1, members));
}

export function planRound(view: RoundView): RoundPlan {
  const { identity, now, shardCount, shards, held } = view;
  const all = Array.from({ length: shardCount }, (_, shard) => shard);
  const stillMine = (shard: number) => shards[shard] === undefined || shards[shard]!.holder === identity;
  const lost = all.filter((shard) => held.has(shard) && !stillMine(shard));
  const mine = preferenceOrder(identity, all.filter((shard) => held.has(shard) && stillMine(shard)));
  const share = fairShare(shardCount, view.members);
  const renew = mine.slice(0, share);
  const release = mine.slice(share);
  const free = all.filter((shard) => !held.has(shard) && (shards[shard] === undefined || isExpired(shards[shard]!, now)));
  const acquire = preferenceOrder(identity, free).slice(0, Math.max(0, share - renew.length));
  return { renew, acquire, release, lost };
}

/** Live replicas seen in member Leases (expired ones are gone), this one always counted. */
export function liveMembers(identity: string, members: ReadonlyArray<LeaseRecord>, now: number): number {
  return 1 + members.filter((m) => m.holder !== identity && !isExpired(m, now)).length;
}

/** Member Leases of replicas long gone, which any replica may delete. */
export function isAbandoned(record: LeaseRecord, now: number): boolean {
  return now >= record.observedAtMs + ABANDONED_AFTER_LEASE_DURATIONS * record.leaseDurationMs;
}

const ABANDONED_AFTER_LEASE_DURATIONS = 5;

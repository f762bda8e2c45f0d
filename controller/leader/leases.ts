/**
 * Leader election over coordination.k8s.io Leases, split into shards: `certwright-shard-<i>` Leases
 * in the leader election namespace, one holder each. With one shard this is plain leader election.
 * With more, every replica also renews a member Lease so the others can count live replicas and
 * hand over shards until each holds its fair share.
 *
 * Safety: a replica owns a shard only until `renewDeadline` after the start of its last successful
 * renewal, while others wait `leaseDuration` after they last saw the Lease change before taking it.
 * Work a replica started before losing a shard has the difference to finish.
 */
import type { KubeObject } from '../../apiserver/admission.js';
import { rfc3339Micro } from '../../apiserver/time.js';
import { isConflict, isAlreadyExists, isNotFound } from '../runtime/api-error.js';
import type { KubeClient } from '../runtime/client.js';
import type { ResourceType } from '../runtime/resources.js';
import type { TimerQueue } from '../runtime/timers.js';
import { isAbandoned, liveMembers, planRound, type LeaseRecord } from './lease-round.js';
import { memberLeaseName, shardLeaseName, shardOfLeaseName } from './shards.js';

export const LEASES: ResourceType = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', namespaced: true };

/** Label on certwright's Leases: `shard` or `member`; one list per round reads them all. */
export const LEASE_ROLE_LABEL = 'leases.certwright.io/role';

export interface LeaderElectionTimings {
  /** How long others wait after the last renewal they saw before taking a Lease. */
  leaseDurationMs: number;
  /** How long the holder keeps owning a shard after the start of its last successful renewal. */
  renewDeadlineMs: number;
  /** Time between rounds. */
  retryPeriodMs: number;
}

export interface LeaderElectionConfig extends LeaderElectionTimings {
  namespace: string;
  /** Unique per process: the pod name and a random suffix. */
  identity: string;
  /** 1: leader election; more: shards split between replicas. */
  shards: number;
}

/** cert-manager's defaults (reference §8): 60 s / 40 s / 15 s in kube-system, one shard. */
export const DEFAULT_LEADER_ELECTION: Omit<LeaderElectionConfig, 'identity'> = {
  namespace: 'kube-system',
  shards: 1,
  leaseDurationMs: 60_000,
  renewDeadlineMs: 40_000,
  retryPeriodMs: 15_000,
};

/** client-go's rule: leaseDuration > renewDeadline > retryPeriod × 1.2 (its jitter). */
export function checkLeaderElectionTimings(t: LeaderElectionTimings): void {
  if (!(t.retryPeriodMs > 0)) throw new Error(`leader election retry period must be positive, got ${t.retryPeriodMs} ms`);
  if (!(t.renewDeadlineMs > t.retryPeriodMs * RETRY_JITTER)) {
    throw new Error(`leader election renew deadline (${t.renewDeadlineMs} ms) must be longer than 1.2 × the retry period (${t.retryPeriodMs} ms)`);
  }
  if (!(t.leaseDurationMs > t.renewDeadlineMs)) {
    throw new Error(`leader election lease duration (${t.leaseDurationMs} ms) must be longer than the renew deadline (${t.renewDeadlineMs} ms)`);
  }
}

const RETRY_JITTER = 1.2;

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface ShardLeasesOptions {
  client: KubeClient;
  timers: TimerQueue;
  config: LeaderElectionConfig;
  /** This replica now owns `shard` (its keys should be queued again). */
  onGained?(shard: number): void;
  /** This replica no longer owns `shard`. */
  onLost?(shard: number): void;
  /** A round failed (API unreachable); the next one retries. */
  onError?(err: unknown): void;
}

export class ShardLeases {
  readonly config: LeaderElectionConfig;
  #client: KubeClient;
  #timers: TimerQueue;
  #options: ShardLeasesOptions;
  /** Held shard → clock time at the start of its last successful renewal. */
  #held = new Map<number, number>();
  /** Lease name → the holder/renewTime seen last and when it was first seen. */
  #observed = new Map<string, { version: string; at: number }>();
  #stop = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: ShardLeasesOptions) {
    checkLeaderElectionTimings(options.config);
    if (!(Number.isInteger(options.config.shards) && options.config.shards >= 1)) {
      throw new Error(`leader election shards must be a positive integer, got ${options.config.shards}`);
    }
    this.config = options.config;
    this.#client = options.client;
    this.#timers = options.timers;
    this.#options = options;
  }

  /** Whether this replica owns `shard` at this moment. */
  owns(shard: number): boolean {
    const renewedAt = this.#held.get(shard);
    return renewedAt !== undefined && this.#timers.clock.now() < renewedAt + this.config.renewDeadlineMs;
  }

  ownedShards(): number[] {
    return [...this.#held.keys()].filter((shard) => this.owns(shard)).sort((a, b) => a - b);
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Ends the rounds (the one running finishes); held shards stay owned until their deadline. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  /**
   * Gives every held shard up at once (holder cleared, as client-go's ReleaseOnCancel does) and
   * removes this replica's member Lease, so others take over without waiting for expiry. Call after
   * `stop` and after the work in flight has finished.
   */
  async release(): Promise<void> {
    const shards = [...this.#held.keys()];
    this.#held.clear();
    for (const shard of shards) this.#options.onLost?.(shard);
    const leases = await this.#list();
    const now = this.#timers.clock.now();
    await Promise.all([
      ...shards.map(async (shard) => {
        const lease = leases.get(shardLeaseName(shard));
        if (lease?.spec?.holderIdentity !== this.config.identity) return;
        const spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: rfc3339Micro(new Date(now)) };
        await this.#client.update(LEASES, { ...lease, spec }).catch(() => undefined);
      }),
      this.config.shards > 1 ? this.#deleteLease(leases.get(memberLeaseName(this.config.identity))) : undefined,
    ]);
  }

  /** One round: read the Leases, renew, take and let go. The loop runs it every retry period. */
  async runRound(): Promise<void> {
    const now = this.#timers.clock.now();
    try {
      const leases = await this.#list();
      const records = new Map([...leases].map(([name, lease]) => [name, this.#record(lease, now)]));
      let members = 1;
      if (this.config.shards > 1) {
        const memberRecords = [...leases.values()].filter((l) => l.metadata.labels?.[LEASE_ROLE_LABEL] === 'member');
        members = liveMembers(this.config.identity, memberRecords.map((l) => records.get(l.metadata.name!)!), now);
        await Promise.all([
          this.#write(memberLeaseName(this.config.identity), 'member', leases, now).catch((err) => this.#options.onError?.(err)),
          ...memberRecords
            .filter((l) => l.spec?.holderIdentity !== this.config.identity && isAbandoned(records.get(l.metadata.name!)!, now))
            .map((l) => this.#deleteLease(l)),
        ]);
      }
      const plan = planRound({
        identity: this.config.identity,
        now,
        shardCount: this.config.shards,
        shards: Array.from({ length: this.config.shards }, (_, shard) => records.get(shardLeaseName(shard))),
        held: new Set(this.ownedShards()),
        members,
      });
      for (const shard of [...plan.lost, ...plan.release]) this.#drop(shard);
      await Promise.all(
        [...plan.renew, ...plan.acquire].map(async (shard) => {
          try {
            await this.#write(shardLeaseName(shard), 'shard', leases, now);
          } catch (err) {
            if (!isConflict(err) && !isAlreadyExists(err)) this.#options.onError?.(err);
            return;
          }
          const gained = !this.owns(shard);
          this.#held.set(shard, now);
          if (gained) this.#options.onGained?.(shard);
        }),
      );
    } finally {
      // Shards whose renewals kept failing are given up at their deadline even when the API is gone.
      for (const shard of this.#held.keys()) if (!this.owns(shard)) this.#drop(shard);
    }
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        await this.runRound();
      } catch (err) {
        this.#options.onError?.(err);
      }
      // Up to 20 % longer, so replicas started together drift out of lockstep.
      await this.#timers.sleep(this.config.retryPeriodMs * (1 + Math.random() * (RETRY_JITTER - 1)), signal);
    }
  }

  #drop(shard: number): void {
    if (this.#held.delete(shard)) this.#options.onLost?.(shard);
  }

  async #list(): Promise<Map<string, Lease>> {
    const list = await this.#client.list<Lease>(LEASES, { namespace: this.config.namespace, labelSelector: LEASE_ROLE_LABEL });
    const relevant = list.items.filter((l) => shardOfLeaseName(l.metadata.name!) !== undefined || l.metadata.labels?.[LEASE_ROLE_LABEL] === 'member');
    return new Map(relevant.map((l) => [l.metadata.name!, l]));
  }

  #record(lease: Lease, now: number): LeaseRecord {
    const spec = lease.spec ?? {};
    const version = `${spec.holderIdentity ?? ''}|${spec.renewTime ?? ''}`;
    const name = lease.metadata.name!;
    const seen = this.#observed.get(name);
    const observedAtMs = seen?.version === version ? seen.at : now;
    if (seen?.version !== version) this.#observed.set(name, { version, at: now });
    return { holder: spec.holderIdentity ?? '', leaseDurationMs: (spec.leaseDurationSeconds ?? 0) * 1000, observedAtMs };
  }

  /** Renews or takes `name`: an update on the listed version (a conflict means someone was faster), or a create. */
  async #write(name: string, role: 'shard' | 'member', leases: ReadonlyMap<string, Lease>, now: number): Promise<void> {
    const existing = leases.get(name);
    const time = rfc3339Micro(new Date(now));
    const previous = existing?.spec ?? {};
    const takeover = previous.holderIdentity !== this.config.identity;
    const spec: LeaseSpec = {
      holderIdentity: this.config.identity,
      leaseDurationSeconds: Math.ceil(this.config.leaseDurationMs / 1000),
      acquireTime: takeover ? time : (previous.acquireTime ?? time),
      renewTime: time,
      leaseTransitions: (previous.leaseTransitions ?? 0) + (takeover && previous.holderIdentity ? 1 : 0),
    };
    const metadata = { ...existing?.metadata, name, namespace: this.config.namespace, labels: { ...existing?.metadata.labels, [LEASE_ROLE_LABEL]: role } };
    const lease: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec };
    if (existing) await this.#client.update(LEASES, lease);
    else await this.#client.create(LEASES, lease);
  }

  async #deleteLease(lease: Lease | undefined): Promise<void> {
    if (!lease) return;
    const { name, namespace, resourceVersion } = lease.metadata;
    await this.#client.delete(LEASES, { namespace, name: name! }, { preconditions: { resourceVersion: resourceVersion! } }).catch((err: unknown) => {
      if (!isNotFound(err) && !isConflict(err)) this.#options.onError?.(err);
    });
  }
}

/**
 * Leader election and sharding wired to a manager's controllers: every controller reconciles only
 * keys of the shards this replica's Leases hold, and gets back the keys it skipped when it gains a
 * shard. Leader election alone is the one-shard case.
 */
import { Gauge, type Registry } from 'prom-client';
import type { KubeObject } from '../../apiserver/admission.js';
import type { Controller } from '../runtime/controller.js';
import type { KubeClient } from '../runtime/client.js';
import { parseKey, type ObjectRef } from '../runtime/keys.js';
import type { TimerQueue } from '../runtime/timers.js';
import { ShardLeases, type LeaderElectionConfig } from './leases.js';
import { ShardGate } from './shard-gate.js';
import { chainRootKey, shardLeaseName, type ChainLookup } from './shards.js';

/** A cache of one kind (an Informer). */
export interface ObjectCache {
  get(ref: ObjectRef): KubeObject | undefined;
}

export interface ShardingOptions {
  client: KubeClient;
  timers: TimerQueue;
  config: LeaderElectionConfig;
  controllers: readonly Controller[];
  /**
   * Controllers whose keys name objects of an issuance chain (a CertificateRequest, an Order), with
   * the cache holding them: their keys go to the shard of the chain's Certificate. Other controllers'
   * keys are hashed as they are.
   */
  chainKeyed: ReadonlyMap<string, ObjectCache>;
  /** Caches of chain objects by kind, to follow owner references up to the Certificate. */
  chainCaches: Readonly<Record<string, ObjectCache | undefined>>;
  registry?: Registry;
  log: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
}

export interface Sharding {
  readonly leases: ShardLeases;
  readonly gate: ShardGate;
  start(): void;
  /** Ends the Lease rounds and releases every shard; call once the controllers have stopped. */
  stop(): Promise<void>;
}

export function createSharding(options: ShardingOptions): Sharding {
  const { config, log } = options;
  const lookup: ChainLookup = (kind, ref) => options.chainCaches[kind]?.get(ref);
  const rootKeyOf = (controller: string, key: string) => {
    const cache = options.chainKeyed.get(controller);
    const obj = cache?.get(parseKey(key));
    return obj ? chainRootKey(obj, lookup) : key;
  };
  // The gate asks the Leases only once controllers run, after both exist.
  const gate = new ShardGate({ shardCount: config.shards, owns: (shard) => leases.owns(shard), rootKeyOf });
  const leases = new ShardLeases({
    client: options.client,
    timers: options.timers,
    config,
    onGained: (shard) => {
      log.info({ lease: shardLeaseName(shard), identity: config.identity }, 'shard acquired');
      gate.gained(shard);
    },
    onLost: (shard) => {
      log.info({ lease: shardLeaseName(shard), identity: config.identity }, 'shard given up');
      for (const controller of options.controllers) controller.keysLeft((key) => gate.owns(controller.name, key));
    },
    onError: (err) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'leader election round failed; retrying'),
  });
  for (const controller of options.controllers) {
    gate.register(controller.name, controller.queue);
    controller.admitOnly((key) => gate.admit(controller.name, key));
  }
  if (options.registry) registerLeaderElectionMetric(options.registry, leases);
  return {
    leases,
    gate,
    start: () => leases.start(),
    stop: async () => {
      await leases.stop();
      await leases.release().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'shard Leases not released; they expire'));
    },
  };
}

/** client-go's `leader_election_master_status`: 1 for each shard Lease this replica holds, else 0. */
function registerLeaderElectionMetric(registry: Registry, leases: ShardLeases): void {
  new Gauge({
    name: 'leader_election_master_status',
    help: 'Whether this replica holds the Lease (1) or not (0), per shard Lease name.',
    labelNames: ['name'],
    registers: [registry],
    collect() {
      this.reset();
      for (let shard = 0; shard < leases.config.shards; shard++) this.set({ name: shardLeaseName(shard) }, leases.owns(shard) ? 1 : 0);
    },
  });
}

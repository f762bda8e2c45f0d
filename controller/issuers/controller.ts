/**
 * Issuer and ClusterIssuer readiness (reference §2.14): run the backend's `setup` and keep the
 * Ready condition (with observedGeneration) in step, writing only when it changes. A setup that
 * throws draws a Warning `ErrInitIssuer` and is retried with the queue's backoff; an issuer that is
 * not ready is re-checked on its own backoff timer and at once when a Secret it references changes.
 */
import type { GenericIssuer, IssuerContext, IssuerReadiness } from '../../issuers/backend.js';
import { describeError } from '../../issuers/backend.js';
import type { IssuerRegistry } from '../../issuers/registry.js';
import { conditionUpToDate, withCondition, type ConditionUpdate } from '../conditions.js';
import type { EventRecorder } from '../events.js';
import { DEFAULT_BACKOFF, ItemBackoff, type ExponentialBackoff } from '../runtime/backoff.js';
import type { KubeClient } from '../runtime/client.js';
import { Controller, type Result, type SyncHooks } from '../runtime/controller.js';
import type { Informer } from '../runtime/informer.js';
import { objectKey, parseKey } from '../runtime/keys.js';
import { CLUSTER_ISSUERS, ISSUERS, type ResourceType } from '../runtime/resources.js';
import type { TimerQueue } from '../runtime/timers.js';
import { WorkQueue } from '../runtime/workqueue.js';
import { SecretWatches } from './secret-watches.js';

export const ERROR_INIT_ISSUER_REASON = 'ErrInitIssuer';
export const ERROR_INIT_ISSUER_MESSAGE = 'Error initializing issuer: ';

export interface IssuerControllerOptions<T extends GenericIssuer> {
  kind: T['kind'];
  informer: Informer<T>;
  client: KubeClient;
  timers: TimerQueue;
  registry: IssuerRegistry;
  context: IssuerContext;
  events: EventRecorder;
  /** Retry schedule after a setup that threw; default 5 s doubling to 5 min. */
  errorBackoff?: ExponentialBackoff;
  /** Re-check schedule of issuers that are not ready; default 5 s doubling to 5 min. */
  notReadyBackoff?: ExponentialBackoff;
  /** Watch referenced Secrets (default true); without it only the backoff re-check notices them. */
  watchSecrets?: boolean;
  workers?: number;
  hooks?: SyncHooks;
  onError?: (err: unknown) => void;
}

/** The Ready condition a readiness result is written as. */
export function readyConditionFor(issuer: GenericIssuer, readiness: IssuerReadiness): ConditionUpdate {
  return {
    type: 'Ready',
    status: readiness.status,
    reason: readiness.reason,
    message: readiness.message,
    ...(issuer.metadata.generation !== undefined ? { observedGeneration: issuer.metadata.generation } : {}),
  };
}

export class IssuerController<T extends GenericIssuer> {
  readonly controller: Controller;
  #options: IssuerControllerOptions<T>;
  #resource: ResourceType;
  #notReady: ItemBackoff;
  #secretWatches: SecretWatches | undefined;

  constructor(options: IssuerControllerOptions<T>) {
    this.#options = options;
    this.#resource = options.kind === 'ClusterIssuer' ? CLUSTER_ISSUERS : ISSUERS;
    this.#notReady = new ItemBackoff(options.notReadyBackoff ?? DEFAULT_BACKOFF);
    const name = options.kind === 'ClusterIssuer' ? 'clusterissuers' : 'issuers';
    const queue = new WorkQueue({ name, timers: options.timers, backoff: options.errorBackoff ?? DEFAULT_BACKOFF });
    this.controller = new Controller({
      name,
      queue,
      reconcile: (key) => this.#reconcile(key),
      ...(options.workers ? { workers: options.workers } : {}),
      ...(options.hooks ? { hooks: options.hooks } : {}),
    });
    // Status-only updates are this controller's own writes; re-running setup for them is wasted work.
    options.informer.addEventHandler({
      onAdd: (issuer) => queue.add(objectKey(issuer)),
      onUpdate: (old, issuer) => {
        if (old.metadata.generation !== issuer.metadata.generation) queue.add(objectKey(issuer));
      },
      onDelete: (issuer) => queue.add(objectKey(issuer)),
    });
    if (options.watchSecrets ?? true) {
      this.#secretWatches = new SecretWatches({
        client: options.client,
        timers: options.timers,
        onChange: (keys) => keys.forEach((key) => queue.add(key)),
        ...(options.onError ? { onError: options.onError } : {}),
      });
    }
  }

  /** Secret keys watched for issuers of this kind. */
  get watchedSecrets(): string[] {
    return this.#secretWatches?.watchedSecrets ?? [];
  }

  start(): void {
    this.controller.start();
  }

  async stop(): Promise<void> {
    await this.controller.stop();
    await this.#secretWatches?.stop();
  }

  async #reconcile(key: string): Promise<Result> {
    const { informer, registry, context, events, client, timers } = this.#options;
    const issuer = informer.get(parseKey(key));
    const backend = issuer && (await registry.backendFor(issuer));
    if (!issuer || !backend) {
      this.#secretWatches?.release(key);
      this.#notReady.forget(key);
      return {};
    }
    this.#secretWatches?.track(key, backend.referencedSecrets?.(issuer, context) ?? []);

    let readiness: IssuerReadiness;
    try {
      readiness = await backend.setup(issuer, context);
    } catch (err) {
      events.event(issuer, 'Warning', ERROR_INIT_ISSUER_REASON, ERROR_INIT_ISSUER_MESSAGE + describeError(err));
      throw err;
    }

    const update = readyConditionFor(issuer, readiness);
    const acmeChanged = readiness.acme !== undefined && JSON.stringify(readiness.acme) !== JSON.stringify(issuer.status?.acme);
    if (!conditionUpToDate(issuer.status?.conditions, update) || acmeChanged) {
      const conditions = withCondition(issuer.status?.conditions, update, timers.clock.now());
      const acme = readiness.acme ?? issuer.status?.acme;
      // A stale cache gives a 409 here and the key is retried with the fresh object.
      const updated = await client.updateStatus<T>(this.#resource, { ...issuer, status: { ...issuer.status, conditions, ...(acme ? { acme } : {}) } } as T);
      if (readiness.message) events.event(updated, readiness.status === 'True' ? 'Normal' : 'Warning', readiness.reason, readiness.message);
    }

    if (readiness.status === 'True') {
      this.#notReady.forget(key);
      return {};
    }
    return { requeueAfterMs: this.#notReady.when(key) };
  }
}

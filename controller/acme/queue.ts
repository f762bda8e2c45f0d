/** What the ACME controllers (Orders, Challenges, renewal information) share: their queue and controller, and finding the issuer an object names. */
import type { CertificateRequest, ClusterIssuer, Issuer, IssuerReference } from '../../api/types.js';
import type { KubeObject } from '../../apiserver/admission.js';
import type { AcmeAccounts } from '../../issuers/acme/accounts.js';
import type { GenericIssuer, IssuerContext } from '../../issuers/backend.js';
import type { EventRecorder } from '../events.js';
import type { KubeClient } from '../runtime/client.js';
import { findIssuer, type IssuerCaches } from '../certificaterequests/indexes.js';
import { DEFAULT_BACKOFF } from '../runtime/backoff.js';
import { Controller, type Reconcile, type SyncHooks } from '../runtime/controller.js';
import type { Informer } from '../runtime/informer.js';
import type { TimerQueue } from '../runtime/timers.js';
import { WorkQueue } from '../runtime/workqueue.js';

export interface QueueControllerOptions {
  timers: TimerQueue;
  workers?: number;
  hooks?: SyncHooks;
}

/** The dependencies every ACME controller takes. */
export interface AcmeControllerOptions extends QueueControllerOptions {
  client: KubeClient;
  issuers: Informer<Issuer>;
  clusterIssuers?: Informer<ClusterIssuer>;
  accounts: AcmeAccounts;
  context: IssuerContext;
  events: EventRecorder;
}

/** A work queue (default backoff) drained by a Controller named `name`. */
export function queueController(name: string, options: QueueControllerOptions, reconcile: Reconcile): { queue: WorkQueue; controller: Controller } {
  const queue = new WorkQueue({ name, timers: options.timers, backoff: DEFAULT_BACKOFF });
  const controller = new Controller({
    name,
    queue,
    reconcile,
    ...(options.workers ? { workers: options.workers } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
  });
  return { queue, controller };
}

/** The issuer an Order, Challenge or Certificate names in `spec.issuerRef` (Issuers in its own namespace). */
export class IssuerLookup {
  #caches: IssuerCaches;

  constructor(issuers: Informer<Issuer>, clusterIssuers: Informer<ClusterIssuer> | undefined) {
    this.#caches = { issuers, ...(clusterIssuers ? { clusterIssuers } : {}) };
  }

  of(obj: KubeObject & { spec: { issuerRef: IssuerReference } }): GenericIssuer | undefined {
    // findIssuer reads only metadata.namespace and spec.issuerRef, which every such object has.
    return findIssuer(obj as unknown as CertificateRequest, this.#caches);
  }
}

/**
 * The reconciler the ingress-shim and gateway-shim share (reference §4): level-triggered, it reads
 * the parent (Ingress or Gateway) and the Certificates from the caches, computes the Certificates
 * the parent asks for, server-side applies those missing or out of date under its own field
 * manager, and deletes the ones the parent controls but no longer names. A parent is synced when
 * it changes and when a Certificate it controls changes or goes.
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../../apiserver/admission.js';
import type { Certificate } from '../../api/types.js';
import type { EventRecorder } from '../events.js';
import { isNotFound } from '../runtime/api-error.js';
import { DEFAULT_BACKOFF } from '../runtime/backoff.js';
import type { KubeClient } from '../runtime/client.js';
import { Controller, type SyncHooks } from '../runtime/controller.js';
import { controllerOwnerKeys, enqueueMapped, enqueueObject } from '../runtime/handlers.js';
import type { Informer } from '../runtime/informer.js';
import { parseKey } from '../runtime/keys.js';
import { CERTIFICATES } from '../runtime/resources.js';
import { byOwnerUid, type IndexFunc } from '../runtime/store.js';
import type { TimerQueue } from '../runtime/timers.js';
import { WorkQueue } from '../runtime/workqueue.js';
import { BadConfigError, DEFAULT_ISSUER_DEFAULTS, issuerForIngressLike, type IssuerDefaults } from './annotations.js';
import { desiredCertificate, isBeingDeleted, planShimSync, type TlsTarget } from './certificates.js';

export const REASON_BAD_CONFIG = 'BadConfig';
export const REASON_CREATE_CERTIFICATE = 'CreateCertificate';
export const REASON_UPDATE_CERTIFICATE = 'UpdateCertificate';
export const REASON_DELETE_CERTIFICATE = 'DeleteCertificate';

/** The Certificates informer index the shims find a parent's Certificates by. */
export const CERTIFICATES_BY_OWNER_UID = 'shim-owner-uid';
export const shimCertificateIndexers: Record<string, IndexFunc<Certificate>> = { [CERTIFICATES_BY_OWNER_UID]: byOwnerUid };

/** What differs between an Ingress and a Gateway. */
export interface ShimSource<T extends KubeObject> {
  /** `ingress-shim` or `gateway-shim`: the controller and metrics name. */
  controllerName: string;
  fieldManager: string;
  apiVersion: string;
  kind: string;
  /** Whether the object asks for Certificates at all (its trigger annotations). */
  wantsCertificates(obj: T): boolean;
  /** The Secrets it wants certificates in, and Warning messages for blocks skipped; throws `BadConfigError` when nothing may be synced. */
  tlsTargets(obj: T): { targets: TlsTarget[]; skipped: string[] };
  /** Annotations each of its Certificates carries (ACME solver overrides). */
  certificateAnnotations(obj: T): Record<string, string>;
}

export interface ShimControllerOptions<T extends KubeObject> {
  source: ShimSource<T>;
  parents: Informer<T>;
  /** Must carry `shimCertificateIndexers`. */
  certificates: Informer<Certificate>;
  client: KubeClient;
  timers: TimerQueue;
  events: EventRecorder;
  issuerDefaults?: IssuerDefaults;
  workers?: number;
  hooks?: SyncHooks;
  log?: Logger;
}

export class ShimController<T extends KubeObject> {
  readonly controller: Controller;
  #options: ShimControllerOptions<T>;

  constructor(options: ShimControllerOptions<T>) {
    this.#options = options;
    const { source, timers } = options;
    // Reference §2.15: 5 s doubling to 5 min.
    const queue = new WorkQueue({ name: source.controllerName, timers, backoff: DEFAULT_BACKOFF });
    this.controller = new Controller({
      name: source.controllerName,
      queue,
      reconcile: async (key) => {
        await this.sync(key);
        return {};
      },
      ...(options.workers ? { workers: options.workers } : {}),
      ...(options.hooks ? { hooks: options.hooks } : {}),
    });
    options.parents.addEventHandler(enqueueObject(queue));
    options.certificates.addEventHandler(enqueueMapped(queue, controllerOwnerKeys(source.apiVersion, source.kind)));
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  /** One level-triggered pass over the parent named `key`. */
  async sync(key: string): Promise<void> {
    const { source, parents, events } = this.#options;
    const parent = parents.get(parseKey(key));
    // A deleted parent's Certificates go with it through their ownerReferences.
    if (!parent || isBeingDeleted(parent) || !source.wantsCertificates(parent)) return;
    let desired: Certificate[];
    try {
      desired = this.#desired(parent);
    } catch (err) {
      if (!(err instanceof BadConfigError)) throw err;
      events.event(parent, 'Warning', REASON_BAD_CONFIG, err.message);
      return;
    }
    await this.#apply(parent, desired);
  }

  #desired(parent: T): Certificate[] {
    const { source, events, issuerDefaults } = this.#options;
    const issuerRef = issuerForIngressLike(parent.metadata.annotations ?? {}, issuerDefaults ?? DEFAULT_ISSUER_DEFAULTS);
    const { targets, skipped } = source.tlsTargets(parent);
    for (const message of skipped) events.event(parent, 'Warning', REASON_BAD_CONFIG, message);
    const annotations = source.certificateAnnotations(parent);
    return targets.map((target) => desiredCertificate(parent, target, { issuerRef, annotations }));
  }

  async #apply(parent: T, desired: Certificate[]): Promise<void> {
    const { source, certificates, client, events, log } = this.#options;
    const namespace = parent.metadata.namespace;
    const plan = planShimSync(
      parent,
      desired,
      (name) => certificates.get({ namespace, name }),
      certificates.byIndex(CERTIFICATES_BY_OWNER_UID, parent.metadata.uid ?? ''),
    );
    for (const certificate of plan.notOwned) {
      log?.info({ certificate: certificate.metadata.name }, `Certificate exists and is not controlled by this ${source.kind}; leaving it alone`);
    }
    // Creation does not force: a same-named Certificate someone made meanwhile is a conflict, not a takeover.
    for (const certificate of plan.create) {
      await client.apply(CERTIFICATES, certificate, { fieldManager: source.fieldManager });
      events.event(parent, 'Normal', REASON_CREATE_CERTIFICATE, `Successfully created Certificate ${JSON.stringify(certificate.metadata.name)}`);
    }
    for (const certificate of plan.update) {
      await client.apply(CERTIFICATES, certificate, { fieldManager: source.fieldManager, force: true });
      events.event(parent, 'Normal', REASON_UPDATE_CERTIFICATE, `Successfully updated Certificate ${JSON.stringify(certificate.metadata.name)}`);
    }
    for (const certificate of plan.delete) {
      const { name, uid } = certificate.metadata;
      try {
        await client.delete(CERTIFICATES, { namespace, name: name! }, uid ? { preconditions: { uid } } : {});
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      events.event(parent, 'Normal', REASON_DELETE_CERTIFICATE, `Successfully deleted unrequired Certificate ${JSON.stringify(name)}`);
    }
  }
}

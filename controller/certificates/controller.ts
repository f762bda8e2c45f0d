/**
 * Wires the Certificate reconciler to the caches, its work queue and the shared timer heap: which
 * events wake which Certificate, and one timer per Certificate for the next thing due (renewal,
 * backoff end, expiry, re-check). On the initial list every timer is armed from
 * `status.renewalTime` before any reconcile has run, so a restart loses no renewal.
 */
import type { Logger } from 'pino';
import type { Certificate, CertificateRequest } from '../../api/types.js';
import type { KubeSecret } from '../../issuers/backend.js';
import type { EventRecorder } from '../events.js';
import { CERTIFICATE_BACKOFF } from '../runtime/backoff.js';
import type { KubeClient } from '../runtime/client.js';
import { Controller, type Result, type SyncHooks } from '../runtime/controller.js';
import { controllerOwnerKeys, enqueueMapped } from '../runtime/handlers.js';
import type { Informer } from '../runtime/informer.js';
import { objectKey } from '../runtime/keys.js';
import { byOwnerUid, type IndexFunc } from '../runtime/store.js';
import { TimerGroup, type TimerQueue } from '../runtime/timers.js';
import { WorkQueue } from '../runtime/workqueue.js';
import type { IssuanceBackoff } from './backoff.js';
import { CERTIFICATE_API_VERSION } from '../../api/well-known.js';
import { DEFAULT_MAX_CONCURRENT_ISSUANCES, IssuanceSlots } from './issuance-slots.js';
import { PendingWrites } from './pending-writes.js';
import {
  BY_OWNER_UID,
  CERTIFICATES_BY_SECRET_NAME,
  CertificateReconciler,
  secretNameIndexValue,
  statusRenewalTime,
} from './reconciler.js';

/** The `controller` label of the sync metrics. */
export const CERTIFICATES_CONTROLLER_NAME = 'certificates';

/** Indexes the shared informers need for this controller; the manager merges them with others'. */
export const certificateIndexers: Record<string, IndexFunc<Certificate>> = { [CERTIFICATES_BY_SECRET_NAME]: secretNameIndexValue };
export const ownedObjectIndexers: Record<string, IndexFunc<KubeSecret | CertificateRequest>> = { [BY_OWNER_UID]: byOwnerUid };

export interface CertificateControllerOptions {
  client: KubeClient;
  timers: TimerQueue;
  certificates: Informer<Certificate>;
  requests: Informer<CertificateRequest>;
  ownedSecrets: Informer<KubeSecret>;
  events: EventRecorder;
  workers?: number;
  hooks?: SyncHooks;
  issuanceBackoff?: IssuanceBackoff;
  renewalJitter?: number;
  enableCertificateOwnerRef?: boolean;
  copiedAnnotationPrefixes?: readonly string[];
  /** `--max-concurrent-issuances`: Certificates in issuance at once (default {@link DEFAULT_MAX_CONCURRENT_ISSUANCES}). */
  maxConcurrentIssuances?: number;
  log?: (certificate: Certificate) => Logger;
}

export class CertificateController {
  readonly controller: Controller;
  readonly reconciler: CertificateReconciler;
  readonly pendingWrites: PendingWrites;
  readonly issuanceSlots: IssuanceSlots;
  #queue: WorkQueue;
  /** A wake-up per Certificate: renewal, backoff end, expiry or re-check. */
  #wakeUps: TimerGroup;

  constructor(options: CertificateControllerOptions) {
    const { timers, certificates, requests, ownedSecrets } = options;
    this.#queue = new WorkQueue({ name: CERTIFICATES_CONTROLLER_NAME, timers, backoff: CERTIFICATE_BACKOFF });
    this.#wakeUps = new TimerGroup(timers, 'certificates/wake', (key) => this.#queue.add(key));
    this.pendingWrites = new PendingWrites(timers.clock);
    this.issuanceSlots = new IssuanceSlots(options.maxConcurrentIssuances ?? DEFAULT_MAX_CONCURRENT_ISSUANCES, (key) => this.#queue.add(key));
    this.reconciler = new CertificateReconciler({
      client: options.client,
      clock: timers.clock,
      certificates,
      requests,
      ownedSecrets,
      events: options.events,
      pendingWrites: this.pendingWrites,
      issuanceSlots: this.issuanceSlots,
      ...(options.issuanceBackoff ? { issuanceBackoff: options.issuanceBackoff } : {}),
      ...(options.renewalJitter !== undefined ? { renewalJitter: options.renewalJitter } : {}),
      ...(options.enableCertificateOwnerRef ? { enableCertificateOwnerRef: true } : {}),
      ...(options.copiedAnnotationPrefixes ? { copiedAnnotationPrefixes: options.copiedAnnotationPrefixes } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    this.controller = new Controller({
      name: CERTIFICATES_CONTROLLER_NAME,
      queue: this.#queue,
      reconcile: (key) => this.#reconcile(key),
      ...(options.workers ? { workers: options.workers } : {}),
      ...(options.hooks ? { hooks: options.hooks } : {}),
      // Another replica issues for them now; their slots and places in line would never be given up.
      onKeysLeft: (owned) => this.issuanceSlots.releaseWhere((key) => !owned(key)),
    });

    certificates.addEventHandler({
      onAdd: (certificate) => {
        const renewAt = statusRenewalTime(certificate);
        if (renewAt !== undefined) this.#wakeUps.schedule(objectKey(certificate), renewAt);
      },
      onDelete: (certificate) => this.#wakeUps.cancel(objectKey(certificate)),
    });
    // A Certificate and, when it appears, goes or moves, the others naming the same Secret: one of
    // them may now own it.
    certificates.addEventHandler(
      enqueueMapped(this.#queue, (certificate: Certificate) => [
        objectKey(certificate),
        ...certificates.byIndex(CERTIFICATES_BY_SECRET_NAME, secretNameIndexValue(certificate)[0]!).map(objectKey),
      ]),
    );
    const ownerKeys = controllerOwnerKeys(CERTIFICATE_API_VERSION, 'Certificate');
    requests.addEventHandler(enqueueMapped(this.#queue, ownerKeys));
    ownedSecrets.addEventHandler(
      enqueueMapped(this.#queue, (secret: KubeSecret) => [
        ...ownerKeys(secret),
        ...certificates.byIndex(CERTIFICATES_BY_SECRET_NAME, objectKey(secret)).map(objectKey),
      ]),
    );
  }

  start(): void {
    this.controller.start();
  }

  /** Finishes reconciles in flight; pending wake-ups are dropped (the next start re-arms them). */
  async stop(): Promise<void> {
    await this.controller.stop();
    this.#wakeUps.cancelAll();
  }

  /** How many Certificates have a wake-up armed (renewal, backoff end, expiry or re-check). */
  get armedWakeUps(): number {
    return this.#wakeUps.size;
  }

  /** When the next wake-up of Certificate `key` is due, if one is armed. */
  wakeDueAt(key: string): number | undefined {
    return this.#wakeUps.dueAt(key);
  }

  async #reconcile(key: string): Promise<Result> {
    const outcome = await this.reconciler.reconcile(key);
    if (outcome.kind === 'deferred') {
      const due = this.wakeDueAt(key);
      if (due === undefined || outcome.retryAt < due) this.#wakeUps.schedule(key, outcome.retryAt);
    } else if (outcome.wakeAt !== undefined) {
      this.#wakeUps.schedule(key, outcome.wakeAt);
    } else {
      this.#wakeUps.cancel(key);
    }
    return {};
  }
}

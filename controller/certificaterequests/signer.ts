/**
 * The CertificateRequest signer (reference §2.10): one controller for every registered issuer type,
 * dispatching to the backend chosen by the referenced issuer's spec. Requests waiting on an issuer
 * are requeued when that issuer changes, and requests waiting on a Secret when it appears (owned
 * Secrets, through their informer) or on a backoff timer (Secrets certwright does not cache).
 */
import type { CertificateRequest, CertificateRequestStatus, ClusterIssuer, Issuer } from '../../api/types.js';
import { describeError, type GenericIssuer, type IssuerBackend, type IssuerContext, type KubeSecret, type SignWarning } from '../../issuers/backend.js';
import { issuerTypeOf, type IssuerRegistry } from '../../issuers/registry.js';
import { parseCertificateChain } from '../../pki/index.js';
import { rfc3339 } from '../../apiserver/time.js';
import { findCondition, withCondition } from '../conditions.js';
import type { EventRecorder } from '../events.js';
import { DEFAULT_BACKOFF, ItemBackoff, type ExponentialBackoff } from '../runtime/backoff.js';
import type { KubeClient } from '../runtime/client.js';
import { Controller, type Result, type SyncHooks } from '../runtime/controller.js';
import type { EventHandler, Informer } from '../runtime/informer.js';
import { objectKey, parseKey } from '../runtime/keys.js';
import { CERTIFICATE_REQUESTS } from '../runtime/resources.js';
import type { TimerQueue } from '../runtime/timers.js';
import { WorkQueue } from '../runtime/workqueue.js';
import { BY_ISSUER_INDEX, BY_PRIVATE_KEY_SECRET_INDEX, findIssuer, issuerIndexValueOf, type IssuerCaches } from './indexes.js';
import { decideSigning, WAITING_FOR_APPROVAL_MESSAGE } from './sign-decisions.js';
import { handOverIssuedCertificate } from './issued-certificates.js';
import { CONDITION_READY, readyReason, REASON_DENIED, REASON_FAILED, REASON_ISSUED, REASON_PENDING, signerHasWork } from './status.js';

/** The queue's name; sync metrics are labelled per issuer type like cert-manager's controllers. */
export const SIGNER_CONTROLLER_NAME = 'certificaterequests-issuer';
export const DENIED_MESSAGE = 'The CertificateRequest was denied by an approval controller';
export const ISSUED_MESSAGE = 'Certificate fetched from issuer successfully';

/** cert-manager's per-type controller name, e.g. `certificaterequests-issuer-selfsigned`. */
export function signerControllerName(issuerType: string | undefined): string {
  return issuerType ? `${SIGNER_CONTROLLER_NAME}-${issuerType.toLowerCase()}` : SIGNER_CONTROLLER_NAME;
}

export interface SignerOptions {
  client: KubeClient;
  timers: TimerQueue;
  registry: IssuerRegistry;
  context: IssuerContext;
  events: EventRecorder;
  /** Must carry `certificateRequestIndexers`. */
  requests: Informer<CertificateRequest>;
  issuers: Informer<Issuer>;
  clusterIssuers?: Informer<ClusterIssuer>;
  /** The informer over Secrets certwright owns: a next-private-key Secret appearing wakes its requests. */
  ownedSecrets?: Informer<KubeSecret>;
  /** Retry schedule of requests a backend left pending; default 5 s doubling to 5 min. */
  pendingBackoff?: ExponentialBackoff;
  workers?: number;
  hooks?: SyncHooks;
}

/** The status with Ready set as given; the request's other status fields are kept. */
function withReady(
  request: CertificateRequest,
  status: 'True' | 'False',
  reason: string,
  message: string,
  nowMs: number,
  extra: Partial<CertificateRequestStatus> = {},
): CertificateRequestStatus {
  const conditions = withCondition(request.status?.conditions, { type: CONDITION_READY, status, reason, message }, nowMs);
  return { ...request.status, ...extra, conditions };
}

/** failureTime is set once, at the first failure, and then kept. */
function failureTime(request: CertificateRequest, nowMs: number): string {
  return request.status?.failureTime ?? rfc3339(new Date(nowMs));
}

function statusChanged(request: CertificateRequest, status: CertificateRequestStatus): boolean {
  return JSON.stringify(request.status ?? {}) !== JSON.stringify(status);
}

export class CertificateRequestSigner {
  readonly controller: Controller;
  #options: SignerOptions;
  #caches: IssuerCaches;
  #queue: WorkQueue;
  /** Requests pending on something no informer reports (a CA Secret) are retried on this backoff. */
  #pendingBackoff: ItemBackoff;

  constructor(options: SignerOptions) {
    this.#options = options;
    this.#pendingBackoff = new ItemBackoff(options.pendingBackoff ?? DEFAULT_BACKOFF);
    this.#caches = { issuers: options.issuers, ...(options.clusterIssuers ? { clusterIssuers: options.clusterIssuers } : {}) };
    this.#queue = new WorkQueue({ name: SIGNER_CONTROLLER_NAME, timers: options.timers, backoff: DEFAULT_BACKOFF });
    this.controller = new Controller({
      name: SIGNER_CONTROLLER_NAME,
      queue: this.#queue,
      reconcile: (key) => this.#reconcile(key),
      ...(options.workers ? { workers: options.workers } : {}),
      ...(options.hooks ? { hooks: this.#labelledHooks(options.hooks) } : {}),
    });
    options.requests.addEventHandler({
      onAdd: (request) => this.#enqueueIfWorkLeft(request),
      onUpdate: (_old, request) => this.#enqueueIfWorkLeft(request),
      onDelete: (request) => this.#pendingBackoff.forget(objectKey(request)),
    });
    const issuerHandler = this.#issuerHandler();
    options.issuers.addEventHandler(issuerHandler);
    options.clusterIssuers?.addEventHandler(issuerHandler as EventHandler<ClusterIssuer>);
    options.ownedSecrets?.addEventHandler(this.#secretHandler());
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  #enqueueIfWorkLeft(request: CertificateRequest): void {
    if (signerHasWork(request)) this.#queue.add(objectKey(request));
  }

  #enqueueWaiting(requests: CertificateRequest[]): void {
    for (const request of requests) if (signerHasWork(request) && !request.status?.certificate) this.#queue.add(objectKey(request));
  }

  /** An issuer appearing, becoming ready or changing wakes the requests that reference it. */
  #issuerHandler(): EventHandler<Issuer> {
    const wake = (issuer: GenericIssuer) => this.#enqueueWaiting(this.#options.requests.byIndex(BY_ISSUER_INDEX, issuerIndexValueOf(issuer)));
    return {
      onAdd: wake,
      onUpdate: (old, issuer) => {
        const wasReady = findCondition(old.status?.conditions, 'Ready')?.status;
        const isReady = findCondition(issuer.status?.conditions, 'Ready')?.status;
        if (wasReady !== isReady || old.metadata.generation !== issuer.metadata.generation) wake(issuer);
      },
      onDelete: wake,
    };
  }

  #secretHandler(): EventHandler<KubeSecret> {
    const wake = (secret: KubeSecret) => this.#enqueueWaiting(this.#options.requests.byIndex(BY_PRIVATE_KEY_SECRET_INDEX, objectKey(secret)));
    return { onAdd: wake, onUpdate: (_old, secret) => wake(secret) };
  }

  #labelledHooks(hooks: SyncHooks): SyncHooks {
    const label = (key: string) => {
      const request = this.#options.requests.get(parseKey(key));
      const issuer = request && findIssuer(request, this.#caches);
      return signerControllerName(issuer && this.#options.registry.handles(issuer) ? issuerTypeOf(issuer.spec) : undefined);
    };
    return {
      onSync: (_name, key) => hooks.onSync?.(label(key), key),
      onSyncError: (_name, key, err) => hooks.onSyncError?.(label(key), key, err),
      onConflict: (_name, key, err) => hooks.onConflict?.(label(key), key, err),
    };
  }

  async #reconcile(key: string): Promise<Result> {
    const request = this.#options.requests.get(parseKey(key));
    if (!request) {
      this.#pendingBackoff.forget(key);
      return {};
    }
    const issuer = findIssuer(request, this.#caches);
    const decision = decideSigning({ request, issuer, backend: issuer && (await this.#options.registry.backendFor(issuer)) });
    const now = this.#options.timers.clock.now();
    switch (decision.kind) {
      case 'ignore':
      case 'done':
        this.#pendingBackoff.forget(key);
        return {};
      case 'mark-denied':
        await this.#writeStatus(request, withReady(request, 'False', REASON_DENIED, DENIED_MESSAGE, now, { failureTime: failureTime(request, now) }));
        return {};
      case 'wait-for-approval':
        this.#options.events.event(request, 'Normal', 'WaitingForApproval', WAITING_FOR_APPROVAL_MESSAGE);
        return {};
      case 'pending':
        // The issuer's informer wakes this request when the issuer appears or becomes ready.
        await this.#reportPending(request, decision.reason, decision.message, now);
        return {};
      case 'sign':
        return this.#sign(key, request, decision.issuer, decision.backend);
    }
  }

  async #sign(key: string, request: CertificateRequest, issuer: GenericIssuer, backend: IssuerBackend): Promise<Result> {
    const result = await backend.sign(request, issuer, this.#options.context);
    const now = this.#options.timers.clock.now();
    if (result.state === 'pending') {
      await this.#reportPending(request, result.reason, result.message, now);
      return { requeueAfterMs: this.#pendingBackoff.when(key) };
    }
    this.#pendingBackoff.forget(key);
    if (result.state === 'failed') {
      await this.#reportFailed(request, result.reason, result.message, now);
      return {};
    }
    try {
      parseCertificateChain(result.certificatePem);
    } catch (err) {
      await this.#reportFailed(request, 'DecodeError', `Failed to decode returned certificate: ${describeError(err)}`, now);
      return {};
    }
    const status = withReady(request, 'True', REASON_ISSUED, ISSUED_MESSAGE, now, {
      certificate: Buffer.from(result.certificatePem, 'utf8').toString('base64'),
      ...(result.caPem ? { ca: Buffer.from(result.caPem, 'utf8').toString('base64') } : {}),
    });
    const updated = await this.#writeStatus(request, status);
    handOverIssuedCertificate(updated);
    this.#recordWarnings(updated, result.warnings);
    this.#options.events.event(updated, 'Normal', 'CertificateIssued', ISSUED_MESSAGE);
    return {};
  }

  /** Ready=False Pending; the event only when the request was not already pending (spares the API). */
  async #reportPending(request: CertificateRequest, reason: string, message: string, now: number): Promise<void> {
    const wasPending = readyReason(request) === REASON_PENDING;
    const updated = await this.#writeStatus(request, withReady(request, 'False', REASON_PENDING, message, now));
    if (!wasPending) this.#options.events.event(updated, 'Normal', reason, message);
  }

  async #reportFailed(request: CertificateRequest, reason: string, message: string, now: number): Promise<void> {
    const status = withReady(request, 'False', REASON_FAILED, message, now, { failureTime: failureTime(request, now) });
    const updated = await this.#writeStatus(request, status);
    this.#options.events.event(updated, 'Warning', reason, message);
  }

  #recordWarnings(request: CertificateRequest, warnings: SignWarning[] | undefined): void {
    for (const warning of warnings ?? []) this.#options.events.event(request, 'Warning', warning.reason, warning.message);
  }

  /** Writes `status` when it differs from the cached one; a stale cache gives a 409 and a retry. */
  async #writeStatus(request: CertificateRequest, status: CertificateRequestStatus): Promise<CertificateRequest> {
    if (!statusChanged(request, status)) return request;
    return this.#options.client.updateStatus(CERTIFICATE_REQUESTS, { ...request, status });
  }
}

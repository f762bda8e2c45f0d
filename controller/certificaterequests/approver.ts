/**
 * cert-manager's built-in approver (reference §2.2 step 4, §10): approves every CertificateRequest
 * that is not yet approved, denied or finished — for any issuer group. Leave it out of the manager
 * to let an external policy approver decide.
 */
import type { CertificateRequest } from '../../api/types.js';
import { withCondition } from '../conditions.js';
import type { EventRecorder } from '../events.js';
import type { KubeClient } from '../runtime/client.js';
import { Controller, type SyncHooks } from '../runtime/controller.js';
import type { Informer } from '../runtime/informer.js';
import { enqueueMapped } from '../runtime/handlers.js';
import { objectKey, parseKey } from '../runtime/keys.js';
import { CERTIFICATE_REQUESTS } from '../runtime/resources.js';
import { DEFAULT_BACKOFF } from '../runtime/backoff.js';
import type { TimerQueue } from '../runtime/timers.js';
import { WorkQueue } from '../runtime/workqueue.js';
import { CONDITION_APPROVED, isApproved, isDenied, isFinished } from './status.js';

export const APPROVER_CONTROLLER_NAME = 'certificaterequests-approver';
export const APPROVED_REASON = 'cert-manager.io';
export const APPROVED_MESSAGE = 'Certificate request has been approved by cert-manager.io';

/** True when the built-in approver should approve `request`. */
export function needsApproval(request: CertificateRequest): boolean {
  return !isApproved(request) && !isDenied(request) && !isFinished(request);
}

export interface ApproverOptions {
  client: KubeClient;
  timers: TimerQueue;
  requests: Informer<CertificateRequest>;
  events: EventRecorder;
  workers?: number;
  hooks?: SyncHooks;
}

export class CertificateRequestApprover {
  readonly controller: Controller;
  #options: ApproverOptions;

  constructor(options: ApproverOptions) {
    this.#options = options;
    const queue = new WorkQueue({ name: APPROVER_CONTROLLER_NAME, timers: options.timers, backoff: DEFAULT_BACKOFF });
    this.controller = new Controller({
      name: APPROVER_CONTROLLER_NAME,
      queue,
      reconcile: (key) => this.#reconcile(key),
      ...(options.workers ? { workers: options.workers } : {}),
      ...(options.hooks ? { hooks: options.hooks } : {}),
    });
    options.requests.addEventHandler(enqueueMapped(queue, (request: CertificateRequest) => (needsApproval(request) ? [objectKey(request)] : [])));
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  async #reconcile(key: string): Promise<{}> {
    const { client, requests, events, timers } = this.#options;
    const request = requests.get(parseKey(key));
    if (!request || !needsApproval(request)) return {};
    const conditions = withCondition(
      request.status?.conditions,
      { type: CONDITION_APPROVED, status: 'True', reason: APPROVED_REASON, message: APPROVED_MESSAGE },
      timers.clock.now(),
    );
    // A stale cache gives a 409 here and the key is retried with the fresh object.
    const updated = await client.updateStatus(CERTIFICATE_REQUESTS, { ...request, status: { ...request.status, conditions } });
    events.event(updated, 'Normal', APPROVED_REASON, APPROVED_MESSAGE);
    return {};
  }
}

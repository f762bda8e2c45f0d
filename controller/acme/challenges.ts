/**
 * The Challenge controller (reference §2.12): a scheduler that marks waiting Challenges processing
 * (global limit, one live Challenge per name and type), and a per-Challenge sync that presents the
 * key, self-checks, accepts, and polls the authorization to a final state, then cleans up. A
 * restarted controller re-presents what a processing Challenge needs (the local HTTP-01 listener
 * keeps tokens in memory) and carries on from the recorded state.
 */
import type { Challenge, ChallengeStatus } from '../../api/types.js';
import { rfc3339 } from '../../apiserver/time.js';
import type { AcmeClient } from '../../issuers/acme/client.js';
import { isAcmeProblem, isPermanentProblem } from '../../issuers/acme/problem.js';
import { describeError, type GenericIssuer } from '../../issuers/backend.js';
import { isNotFound } from '../runtime/api-error.js';
import type { Controller, Result } from '../runtime/controller.js';
import type { Informer } from '../runtime/informer.js';
import { objectKey, parseKey } from '../runtime/keys.js';
import { CHALLENGES } from '../runtime/resources.js';
import type { WorkQueue } from '../runtime/workqueue.js';
import { IssuerLookup, queueController, type AcmeControllerOptions } from './queue.js';
import { CHALLENGE_FINALIZER, challengesToSchedule, DEFAULT_MAX_CONCURRENT_CHALLENGES, nextChallengeStep, stateForProblem } from './challenge-decisions.js';
import type { ChallengeSolver } from './challenge-solver.js';
import { waitInsteadOfSelfCheckRemainingMs } from '../../solvers/dns01/self-check.js';
import { DEFAULT_ACME_POLL_MS, pollDelay } from './orders.js';

export const CHALLENGES_CONTROLLER_NAME = 'challenges';
/** `--dns01-check-retry-period` default (cert-manager uses it for HTTP-01 too). */
export const DEFAULT_CHECK_RETRY_PERIOD_MS = 10_000;
/** The queue key of a scheduler pass (not a valid object key). */
const SCHEDULE_KEY = '\u0000schedule';
const ISSUER_NOT_READY_RETRY_MS = 5_000;

export interface ChallengeControllerOptions extends AcmeControllerOptions {
  challenges: Informer<Challenge>;
  /** By Challenge type (`HTTP-01`, `DNS-01`); a type without a solver fails its Challenges. */
  solvers: Partial<Record<Challenge['spec']['type'], ChallengeSolver>>;
  /** `--max-concurrent-challenges`. */
  maxConcurrent?: number;
  /** `--dns01-check-retry-period`: wait between self-checks. */
  checkRetryPeriodMs?: number;
  pollIntervalMs?: number;
}

export class ChallengeController {
  readonly controller: Controller;
  #o: ChallengeControllerOptions;
  #issuers: IssuerLookup;
  #queue: WorkQueue;
  /** Challenges whose ACME server asked to come back later (Retry-After), until when: their own writes must not retry them early. */
  #waitUntil = new Map<string, number>();

  constructor(options: ChallengeControllerOptions) {
    this.#o = options;
    this.#issuers = new IssuerLookup(options.issuers, options.clusterIssuers);
    ({ queue: this.#queue, controller: this.controller } = queueController(CHALLENGES_CONTROLLER_NAME, options, (key) => (key === SCHEDULE_KEY ? this.#schedule() : this.#reconcile(key))));
    const changed = (challenge: Challenge) => {
      this.#queue.add(objectKey(challenge));
      this.#queue.add(SCHEDULE_KEY);
    };
    options.challenges.addEventHandler({ onAdd: changed, onUpdate: (_old, challenge) => changed(challenge), onDelete: () => this.#queue.add(SCHEDULE_KEY) });
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  async #schedule(): Promise<Result> {
    const chosen = challengesToSchedule(this.#o.challenges.list(), this.#o.maxConcurrent ?? DEFAULT_MAX_CONCURRENT_CHALLENGES);
    for (const challenge of chosen) {
      await this.#writeStatus(challenge, { processing: true });
      this.#o.events.event(challenge, 'Normal', 'Started', 'Challenge scheduled for processing');
    }
    return {};
  }

  async #reconcile(key: string): Promise<Result> {
    const challenge = this.#o.challenges.get(parseKey(key));
    if (!challenge) {
      this.#waitUntil.delete(key);
      return {};
    }
    const waitMs = (this.#waitUntil.get(key) ?? 0) - this.#o.timers.clock.now();
    if (waitMs > 0) return { requeueAfterMs: waitMs };
    this.#waitUntil.delete(key);
    const step = nextChallengeStep(challenge);
    if (step === 'idle') return {};
    if (step === 'add-finalizer') {
      await this.#setFinalizers(challenge, [...(challenge.metadata.finalizers ?? []), CHALLENGE_FINALIZER]);
      return {};
    }
    const issuer = this.#issuers.of(challenge);
    const solver = this.#o.solvers[challenge.spec.type];
    if (step === 'finish') return this.#finish(challenge, issuer, solver);
    if (!solver) {
      await this.#writeStatus(challenge, { state: 'errored', reason: `no ${challenge.spec.type} solver is available in this controller` });
      return {};
    }
    if (!issuer?.status?.acme?.uri) return { requeueAfterMs: ISSUER_NOT_READY_RETRY_MS };
    const { client } = await this.#o.accounts.accountFor(issuer, this.#o.context, { generateKey: false });
    try {
      switch (step) {
        case 'read-state':
          return await this.#readState(challenge, client);
        case 'present':
          return await this.#present(challenge, issuer, solver);
        case 'check-and-accept':
          return await this.#checkAndAccept(challenge, issuer, solver, client);
        case 'poll':
          await solver.present(challenge, issuer);
          return await this.#poll(challenge, client);
      }
    } catch (err) {
      if (isAcmeProblem(err) && err.retryAt !== undefined) this.#waitUntil.set(key, err.retryAt);
      if (!isPermanentProblem(err)) throw err;
      await this.#writeStatus(challenge, { state: stateForProblem(err.shortType), reason: err.message });
      this.#o.events.event(challenge, 'Warning', 'Failed', err.message);
      return {};
    }
  }

  async #readState(challenge: Challenge, client: AcmeClient): Promise<Result> {
    const authz = await client.getAuthorization(challenge.spec.authorizationURL);
    const acmeChallenge = authz.challenges.find((c) => c.url === challenge.spec.url);
    const state = authz.status === 'valid' ? 'valid' : (acmeChallenge?.status ?? authz.status);
    const reason = acmeChallenge?.error ? `${acmeChallenge.error.type ?? ''}: ${acmeChallenge.error.detail ?? ''}` : '';
    await this.#writeStatus(challenge, { state: state as NonNullable<ChallengeStatus['state']>, reason });
    return {};
  }

  /** Presents; when that fails, the Challenge says why (reason and a PresentError event) before the error requeues it. */
  async #presentOrExplain(challenge: Challenge, issuer: GenericIssuer, solver: ChallengeSolver): Promise<void> {
    try {
      await solver.present(challenge, issuer);
    } catch (err) {
      const reason = `Error presenting challenge: ${describeError(err)}`;
      this.#o.events.event(challenge, 'Warning', 'PresentError', reason);
      await this.#writeStatus(challenge, { reason });
      throw err;
    }
  }

  async #present(challenge: Challenge, issuer: GenericIssuer, solver: ChallengeSolver): Promise<Result> {
    await this.#presentOrExplain(challenge, issuer, solver);
    const now = this.#o.timers.clock.now();
    await this.#writeStatus(challenge, { presented: true, presentedAt: rfc3339(new Date(now)), reason: '' });
    this.#o.events.event(challenge, 'Normal', 'Presented', `Presented challenge using ${challenge.spec.type} challenge mechanism`);
    return {};
  }

  async #checkAndAccept(challenge: Challenge, issuer: GenericIssuer, solver: ChallengeSolver, client: AcmeClient): Promise<Result> {
    await this.#presentOrExplain(challenge, issuer, solver);
    const now = this.#o.timers.clock.now();
    const presentedAt = Date.parse(challenge.status?.presentedAt ?? '');
    const waitMs = waitInsteadOfSelfCheckRemainingMs(challenge.spec.solver, Number.isNaN(presentedAt) ? now : presentedAt, now);
    if (waitMs !== undefined && waitMs > 0) return { requeueAfterMs: waitMs };
    if (waitMs === undefined) {
      // A failed lookup (SERVFAIL, timeout) is a check that did not pass yet, as in cert-manager: say so and retry.
      const check = await solver.check(challenge, issuer).catch((err: unknown) => ({ ok: false, detail: describeError(err) }));
      if (!check.ok) {
        await this.#writeStatus(challenge, { reason: `Waiting for ${challenge.spec.type} challenge propagation: ${check.detail}` });
        return { requeueAfterMs: this.#o.checkRetryPeriodMs ?? DEFAULT_CHECK_RETRY_PERIOD_MS };
      }
    }
    const accepted = await client.acceptChallenge(challenge.spec.url);
    const state = accepted.status === 'valid' || accepted.status === 'invalid' ? accepted.status : 'processing';
    // The state write wakes this Challenge at once; the server needs time to validate, so the first poll waits.
    this.#waitUntil.set(objectKey(challenge), this.#o.timers.clock.now() + this.#pollMs());
    await this.#writeStatus(challenge, { state, reason: '' });
    return { requeueAfterMs: this.#pollMs() };
  }

  async #poll(challenge: Challenge, client: AcmeClient): Promise<Result> {
    const authz = await client.getAuthorization(challenge.spec.authorizationURL);
    const acmeChallenge = authz.challenges.find((c) => c.url === challenge.spec.url);
    if (authz.status === 'valid') {
      await this.#writeStatus(challenge, { state: 'valid', reason: 'Successfully authorized domain' });
      this.#o.events.event(challenge, 'Normal', 'DomainVerified', 'Domain validated successfully');
      return {};
    }
    if (authz.status !== 'pending') {
      const error = acmeChallenge?.error;
      const reason = error ? `Error accepting authorization: acme: authorization error for ${challenge.spec.dnsName}: ${error.status ?? 400} ${error.type ?? ''}: ${error.detail ?? ''}` : `authorization is ${authz.status}`;
      await this.#writeStatus(challenge, { state: 'invalid', reason });
      this.#o.events.event(challenge, 'Warning', 'Failed', reason);
      return {};
    }
    return { requeueAfterMs: pollDelay(authz.retryAt, this.#o.timers.clock.now(), this.#pollMs()) };
  }

  async #finish(challenge: Challenge, issuer: GenericIssuer | undefined, solver: ChallengeSolver | undefined): Promise<Result> {
    const finalizers = challenge.metadata.finalizers ?? [];
    if (finalizers.includes(CHALLENGE_FINALIZER)) {
      if (issuer && solver) await solver.cleanUp(challenge, issuer);
      await this.#setFinalizers(challenge, finalizers.filter((f) => f !== CHALLENGE_FINALIZER));
      return {};
    }
    if (!challenge.metadata.deletionTimestamp && (challenge.status?.processing || challenge.status?.presented)) {
      await this.#writeStatus(challenge, { processing: false, presented: false });
    }
    return {};
  }

  async #setFinalizers(challenge: Challenge, finalizers: string[]): Promise<void> {
    try {
      await this.#o.client.patch(CHALLENGES, { namespace: challenge.metadata.namespace, name: challenge.metadata.name! }, { metadata: { finalizers, resourceVersion: challenge.metadata.resourceVersion } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async #writeStatus(challenge: Challenge, changes: Partial<ChallengeStatus>): Promise<void> {
    const status: ChallengeStatus = { ...challenge.status, ...changes };
    if (status.reason === '') delete status.reason;
    if (JSON.stringify(status) === JSON.stringify(challenge.status ?? {})) return;
    await this.#o.client.updateStatus<Challenge>(CHALLENGES, { ...challenge, status });
  }

  #pollMs(): number {
    return this.#o.pollIntervalMs ?? DEFAULT_ACME_POLL_MS;
  }
}


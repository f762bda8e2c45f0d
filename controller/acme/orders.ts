/**
 * The Order controller (reference §2.11): drives one ACME order from newOrder to the downloaded
 * certificate. Level-triggered: each sync reads the Order and its Challenges from the caches, takes
 * the one step `nextOrderAction` names, writes status when it changed, and requeues itself only
 * for polling (honouring Retry-After); Challenge changes wake it otherwise.
 */
import type { ACMEChallengeSolver, Challenge, ChallengeSpec, Order, OrderStatus } from '../../api/types.js';
import { parseDuration } from '../../api/duration.js';
import { rfc3339 } from '../../apiserver/time.js';
import { CERTIFICATE_NAME_ANNOTATION } from '../../api/well-known.js';
import type { OrderBudget } from '../../issuers/acme/budget.js';
import { choosePreferredChain } from '../../issuers/acme/chains.js';
import { dns01TxtValue, type AcmeClient, type AcmeOrder } from '../../issuers/acme/client.js';
import { computeName, ORDERS_BY_OWNER_UID, orderIdentifiers } from '../../issuers/acme/orders.js';
import { isAcmeProblem, isPermanentProblem, Problem } from '../../issuers/acme/problem.js';
import { describeError, type GenericIssuer } from '../../issuers/backend.js';
import { parseCsr } from '../../pki/index.js';
import { isAlreadyExists, isNotFound } from '../runtime/api-error.js';
import { DEFAULT_BACKOFF } from '../runtime/backoff.js';
import type { Controller, Result } from '../runtime/controller.js';
import { controllerOwnerKeys, enqueueObject } from '../runtime/handlers.js';
import type { EventHandler, Informer } from '../runtime/informer.js';
import { objectKey, parseKey } from '../runtime/keys.js';
import { CHALLENGES, ORDERS } from '../runtime/resources.js';
import type { WorkQueue } from '../runtime/workqueue.js';
import { IssuerLookup, queueController, type AcmeControllerOptions } from './queue.js';
import { isFailedState, nextOrderAction, type RefreshCause } from './order-decisions.js';
import { selectSolver } from './solver-selection.js';
import { solverForOrder } from './solver-overrides.js';

export const ORDERS_CONTROLLER_NAME = 'orders';
export const CHALLENGE_API_VERSION = 'acme.cert-manager.io/v1';
/** Default wait between polls of an order or authorization the server is still working on. */
export const DEFAULT_ACME_POLL_MS = 2_000;
/** Longest a Retry-After may hold a poll back; longer waits are the rate-limit path. */
const MAX_POLL_MS = 60_000;
/** When an issuer is not ready (not registered), its Orders look again after this long. */
const ISSUER_NOT_READY_RETRY_MS = 5_000;

export interface OrderControllerOptions extends AcmeControllerOptions {
  orders: Informer<Order>;
  /** Must carry `ownerIndexers` (Challenges by owning Order). */
  challenges: Informer<Challenge>;
  /** Per-account new-order budget; unlimited when omitted. */
  budget?: OrderBudget;
  pollIntervalMs?: number;
}

/** The poll delay: the server's Retry-After when it gave one (at least `minMs`, at most a minute), else `minMs`. */
export function pollDelay(retryAt: number | undefined, now: number, minMs: number): number {
  if (retryAt === undefined) return minMs;
  return Math.min(MAX_POLL_MS, Math.max(minMs, retryAt - now));
}

/** The certificate request DER of an Order (spec.request is base64 PEM; DER accepted for legacy Orders). */
export function orderCsrDer(order: Order): Buffer {
  return parseCsr(Buffer.from(order.spec.request, 'base64').toString('utf8')).der;
}

export class OrderController {
  readonly controller: Controller;
  #o: OrderControllerOptions;
  #issuers: IssuerLookup;
  #queue: WorkQueue;
  /** Orders told to wait (Retry-After of a rateLimited or unavailable server, the order budget), until when: their own status writes must not retry them early. */
  #waitUntil = new Map<string, number>();

  constructor(options: OrderControllerOptions) {
    this.#o = options;
    this.#issuers = new IssuerLookup(options.issuers, options.clusterIssuers);
    ({ queue: this.#queue, controller: this.controller } = queueController(ORDERS_CONTROLLER_NAME, options, (key) => this.#reconcile(key)));
    options.orders.addEventHandler(enqueueObject(this.#queue) as EventHandler<Order>);
    const ownerKeys = controllerOwnerKeys(CHALLENGE_API_VERSION, 'Order');
    const wake = (challenge: Challenge) => ownerKeys(challenge).forEach((key) => this.#queue.add(key));
    options.challenges.addEventHandler({ onAdd: wake, onUpdate: (_old, challenge) => wake(challenge), onDelete: wake });
  }

  start(): void {
    this.controller.start();
  }

  stop(): Promise<void> {
    return this.controller.stop();
  }

  async #reconcile(key: string): Promise<Result> {
    const order = this.#o.orders.get(parseKey(key));
    if (!order || order.metadata.deletionTimestamp) {
      this.#waitUntil.delete(key);
      return {};
    }
    const waitMs = (this.#waitUntil.get(key) ?? 0) - this.#o.timers.clock.now();
    if (waitMs > 0) return { requeueAfterMs: waitMs };
    this.#waitUntil.delete(key);
    const challenges = this.#o.challenges.byIndex(ORDERS_BY_OWNER_UID, order.metadata.uid ?? '');
    const action = nextOrderAction({ order, challenges });
    if (action.kind === 'done' || action.kind === 'wait-for-challenges') return {};
    if (action.kind === 'delete-challenges') {
      await Promise.all(challenges.map((c) => this.#deleteChallenge(c)));
      return {};
    }
    const issuer = this.#issuers.of(order);
    const ready = issuer?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (!issuer || !ready || !issuer.status?.acme?.uri) return { requeueAfterMs: ISSUER_NOT_READY_RETRY_MS };
    const { client } = await this.#o.accounts.accountFor(issuer, this.#o.context, { generateKey: false });
    const now = this.#o.timers.clock.now();
    try {
      switch (action.kind) {
        case 'create':
          return await this.#create(order, issuer, client);
        case 'fetch-authorizations':
          return await this.#fetchAuthorizations(order, client);
        case 'fetch-certificate':
          return await this.#fetchCertificate(order, issuer, client);
        case 'finalize':
          return await this.#finalize(order, issuer, client);
        case 'refresh':
          return await this.#refresh(order, challenges, issuer, client, action.because);
      }
    } catch (err) {
      if (isAcmeProblem(err, Problem.rateLimited)) return this.#rateLimited(key, order, err.message, err.retryAt, now);
      // A 503 with Retry-After: Challenge changes and the Order's own writes wake it before the backoff runs out.
      if (isAcmeProblem(err) && err.retryAt !== undefined) this.#waitUntil.set(key, err.retryAt);
      if (isPermanentProblem(err)) {
        await this.#writeStatus(order, { state: 'errored', reason: `Failed to ${action.kind.replace('-', ' ')}: ${err.message}` });
        this.#o.events.event(order, 'Warning', 'Errored', err.message);
        return {};
      }
      throw err;
    }
  }

  async #create(order: Order, issuer: GenericIssuer, client: AcmeClient): Promise<Result> {
    const now = this.#o.timers.clock.now();
    const spec = order.spec;
    if (spec.profile) {
      const offered = Object.keys((await client.directory()).meta?.profiles ?? {});
      if (!offered.includes(spec.profile)) {
        const reason = `The ACME server does not offer the profile "${spec.profile}" (offered: ${offered.length > 0 ? offered.join(', ') : 'none'})`;
        await this.#writeStatus(order, { state: 'errored', reason });
        this.#o.events.event(order, 'Warning', 'InvalidProfile', reason);
        return {};
      }
    }
    const wait = this.#o.budget?.tryTake(issuer.status!.acme!.uri!) ?? 0;
    if (wait > 0) {
      this.#waitUntil.set(objectKey(order), now + wait);
      const reason = `Waiting for the ACME account's order budget: next new order allowed at ${rfc3339(new Date(now + wait))}`;
      await this.#writeStatus(order, { reason });
      return { requeueAfterMs: wait };
    }
    const request = {
      identifiers: orderIdentifiers(spec),
      ...(spec.duration ? { notAfter: rfc3339(new Date(now + parseDuration(spec.duration))) } : {}),
      ...(spec.profile ? { profile: spec.profile } : {}),
    };
    let created: AcmeOrder;
    try {
      created = await client.newOrder(spec.replaces ? { ...request, replaces: spec.replaces } : request);
    } catch (err) {
      // ARI: a `replaces` the server will not take (already replaced, unknown) must not block renewal.
      if (!spec.replaces || !isPermanentProblem(err)) throw err;
      this.#o.events.event(order, 'Warning', 'ReplacesRejected', `The ACME server rejected replaces=${spec.replaces}; ordering without it: ${err.message}`);
      created = await client.newOrder(request);
    }
    this.#o.events.event(order, 'Normal', 'Created', `Created ACME order ${created.url}`);
    try {
      return await this.#fetchAuthorizations(order, client, created);
    } catch (err) {
      // Keep the order's URL: the next sync reads its authorizations instead of ordering again.
      await this.#writeStatus(order, this.#statusFrom(order, created));
      throw err;
    }
  }

  /** Reads the authorizations of the ACME order (`known` when just created: no GET of the order). */
  async #fetchAuthorizations(order: Order, client: AcmeClient, known?: AcmeOrder): Promise<Result> {
    const acmeOrder = known ?? (await client.getOrder(order.status!.url!));
    const authorizations = [];
    for (const authzUrl of acmeOrder.authorizations) {
      const authz = await client.getAuthorization(authzUrl);
      authorizations.push({
        url: authzUrl,
        identifier: authz.identifier.value,
        wildcard: authz.wildcard === true,
        initialState: authz.status as NonNullable<OrderStatus['state']>,
        challenges: authz.challenges.map((c) => ({ url: c.url, token: c.token, type: c.type })),
      });
    }
    await this.#writeStatus(order, { ...this.#statusFrom(order, acmeOrder), authorizations });
    return {};
  }

  async #finalize(order: Order, issuer: GenericIssuer, client: AcmeClient): Promise<Result> {
    const url = order.status!.url!;
    let finalized: AcmeOrder;
    try {
      finalized = await client.finalize({ url, finalize: order.status!.finalizeURL! }, orderCsrDer(order));
    } catch (err) {
      if (!isPermanentProblem(err)) throw err;
      const current = await client.getOrder(url);
      // Finalized straight after the Challenges: the server may not have made the order ready yet.
      if (isAcmeProblem(err, Problem.orderNotReady) && (current.status === 'pending' || current.status === 'ready')) return this.#pollLater(order, current);
      // A finalize that raced an earlier one (e.g. before a restart) finds the order already valid.
      if (current.status !== 'valid' && current.status !== 'processing') throw err;
      finalized = current;
    }
    return this.#downloadOrPoll(order, issuer, client, finalized);
  }

  async #fetchCertificate(order: Order, issuer: GenericIssuer, client: AcmeClient): Promise<Result> {
    return this.#downloadOrPoll(order, issuer, client, await client.getOrder(order.status!.url!));
  }

  async #downloadOrPoll(order: Order, issuer: GenericIssuer, client: AcmeClient, current: AcmeOrder): Promise<Result> {
    if (current.status === 'valid' && current.certificate) return this.#download(order, issuer, client, current);
    return this.#pollLater(order, current);
  }

  /**
   * Records the order's state and polls it again after its Retry-After; until then its own status
   * write and Challenge changes do not GET it early (nothing they bring changes the server's answer).
   */
  async #pollLater(order: Order, current: AcmeOrder): Promise<Result> {
    const now = this.#o.timers.clock.now();
    const delay = pollDelay(current.retryAt, now, this.#pollMs());
    this.#waitUntil.set(objectKey(order), now + delay);
    await this.#writeStatus(order, this.#statusFrom(order, current));
    return { requeueAfterMs: delay };
  }

  async #download(order: Order, issuer: GenericIssuer, client: AcmeClient, acmeOrder: AcmeOrder): Promise<Result> {
    const { chain, alternates } = await client.downloadCertificate(acmeOrder.certificate!);
    const pem = choosePreferredChain(chain, alternates, issuer.spec.acme?.preferredChain);
    await this.#writeStatus(order, { ...this.#statusFrom(order, acmeOrder), certificate: Buffer.from(pem, 'utf8').toString('base64') });
    this.#o.events.event(order, 'Normal', 'Complete', 'Order completed successfully');
    return {};
  }

  /** GET the order (unless `because` makes it needless); create the Challenges its pending authorizations need while it is pending. */
  async #refresh(order: Order, challenges: readonly Challenge[], issuer: GenericIssuer, client: AcmeClient, because: RefreshCause): Promise<Result> {
    if (because === 'challenges-valid') return this.#finalize(order, issuer, client);
    if (because === 'challenges-missing' && order.status?.state === 'pending') {
      await this.#ensureChallenges(order, challenges, issuer, client);
      return {};
    }
    const current = await client.getOrder(order.status!.url!);
    if (current.status === 'valid' || current.status === 'processing') return this.#downloadOrPoll(order, issuer, client, current);
    const status = this.#statusFrom(order, current);
    if (current.status === 'invalid') {
      const failed = challenges.find((c) => isFailedState(c.status?.state));
      status.reason = failed?.status?.reason ? `Failed to finalize Order: challenge for ${failed.spec.dnsName} failed: ${failed.status.reason}` : (status.reason ?? 'order is invalid');
    }
    await this.#writeStatus(order, status);
    if (current.status === 'pending') {
      const settled = await this.#ensureChallenges(order, challenges, issuer, client);
      if (settled) return { requeueAfterMs: pollDelay(current.retryAt, this.#o.timers.clock.now(), this.#pollMs()) };
    }
    return {};
  }

  /**
   * Creates the Challenges the Order's non-valid authorizations need and deletes any others.
   * Returns true when every wanted Challenge exists and is final (the ACME order should move on).
   */
  async #ensureChallenges(order: Order, existing: readonly Challenge[], issuer: GenericIssuer, client: AcmeClient): Promise<boolean> {
    const wanted = new Map<string, Challenge>();
    for (const authz of order.status?.authorizations ?? []) {
      if (authz.initialState === 'valid') continue;
      const domain = authz.wildcard ? `*.${authz.identifier}` : (authz.identifier ?? '');
      const offered = (authz.challenges ?? []).map((c) => c.type);
      const choice = selectSolver(issuer.spec.acme?.solvers ?? [], { domain, offered, labels: order.metadata.labels ?? {} });
      const acmeChallenge = choice && authz.challenges?.find((c) => c.type === choice.type);
      if (!choice || !acmeChallenge) {
        this.#o.events.event(order, 'Warning', 'Solver', `Failed to determine a valid solver configuration for the set of domains on the Order: no configured challenge solvers can be used for ${domain}`);
        continue;
      }
      let solver: ACMEChallengeSolver;
      try {
        solver = solverForOrder(choice.solver, order);
      } catch (err) {
        this.#o.events.event(order, 'Warning', 'Solver', `Failed to apply the solver overrides of the Order for ${domain}: ${describeError(err)}`);
        continue;
      }
      const keyAuth = client.keyAuthorization(acmeChallenge.token);
      const spec: ChallengeSpec = {
        url: acmeChallenge.url,
        authorizationURL: authz.url,
        dnsName: authz.identifier ?? '',
        ...(authz.wildcard ? { wildcard: true } : {}),
        type: choice.type === 'http-01' ? 'HTTP-01' : 'DNS-01',
        token: acmeChallenge.token,
        key: choice.type === 'http-01' ? keyAuth : dns01TxtValue(keyAuth),
        solver,
        issuerRef: order.spec.issuerRef,
      };
      const name = computeName(order.metadata.name ?? '', spec);
      wanted.set(name, challengeFor(order, name, spec));
    }
    const byName = new Map(existing.map((c) => [c.metadata.name ?? '', c]));
    for (const [name, challenge] of wanted) {
      if (byName.has(name)) continue;
      try {
        await this.#o.client.create<Challenge>(CHALLENGES, challenge);
        this.#o.events.event(order, 'Normal', 'Created', `Created Challenge resource "${name}" for domain "${challenge.spec.dnsName}"`);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
    for (const challenge of existing) if (!wanted.has(challenge.metadata.name ?? '')) await this.#deleteChallenge(challenge);
    const present = [...wanted.keys()].map((name) => byName.get(name));
    return present.every((c) => c !== undefined && (c.status?.state === 'valid' || isFailedState(c.status?.state)));
  }

  #rateLimited(key: string, order: Order, message: string, retryAt: number | undefined, now: number): Promise<Result> {
    const at = Math.max(retryAt ?? now + DEFAULT_BACKOFF.maxMs, now + 1_000);
    this.#waitUntil.set(key, at);
    const reason = `${message} (retry after ${rfc3339(new Date(at))})`;
    this.#o.events.event(order, 'Warning', 'RateLimited', reason);
    // Users look at the Certificate: the Order carries its name (annotations copied from the request).
    const certificate = order.metadata.annotations?.[CERTIFICATE_NAME_ANNOTATION];
    if (certificate) {
      const ref = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: certificate, namespace: order.metadata.namespace } };
      this.#o.events.event(ref, 'Warning', 'RateLimited', `ACME order ${order.metadata.name}: ${reason}`);
    }
    return this.#writeStatus(order, { reason }).then(() => ({ requeueAfterMs: at - now }));
  }

  #statusFrom(order: Order, acmeOrder: AcmeOrder): OrderStatus {
    return {
      url: acmeOrder.url || order.status?.url,
      finalizeURL: acmeOrder.finalize ?? order.status?.finalizeURL,
      state: acmeOrder.status as NonNullable<OrderStatus['state']>,
      ...(acmeOrder.error ? { reason: `${acmeOrder.error.type ?? ''}: ${acmeOrder.error.detail ?? ''}` } : {}),
    };
  }

  /** Merges `changes` into the status; failureTime is set once on entering a failed state; writes only a change. */
  async #writeStatus(order: Order, changes: Partial<OrderStatus>): Promise<void> {
    const status: OrderStatus = { ...order.status, ...changes };
    if (changes.state && !isFailedState(changes.state) && !changes.reason) delete status.reason;
    if (isFailedState(status.state) && !status.failureTime) status.failureTime = rfc3339(new Date(this.#o.timers.clock.now()));
    for (const key of Object.keys(status) as (keyof OrderStatus)[]) if (status[key] === undefined) delete status[key];
    if (JSON.stringify(status) === JSON.stringify(order.status ?? {})) return;
    await this.#o.client.updateStatus<Order>(ORDERS, { ...order, status });
  }

  async #deleteChallenge(challenge: Challenge): Promise<void> {
    if (challenge.metadata.deletionTimestamp) return;
    try {
      await this.#o.client.delete(CHALLENGES, { namespace: challenge.metadata.namespace, name: challenge.metadata.name! });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  #pollMs(): number {
    return this.#o.pollIntervalMs ?? DEFAULT_ACME_POLL_MS;
  }
}

/** A Challenge owned (controlled) by `order`, with the Order's labels. */
export function challengeFor(order: Order, name: string, spec: ChallengeSpec): Challenge {
  const { namespace, uid, labels } = order.metadata;
  return {
    apiVersion: CHALLENGE_API_VERSION,
    kind: 'Challenge',
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      ...(labels ? { labels } : {}),
      ownerReferences: [{ apiVersion: CHALLENGE_API_VERSION, kind: 'Order', name: order.metadata.name ?? '', uid: uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec,
  };
}

/**
 * What the Order controller does next (reference §2.11), from the Order and its Challenges as the
 * caches hold them: a chain of named checks, the first that decides wins.
 */
import type { Challenge, Order } from '../../api/types.js';
import { FAILED_STATES } from '../../issuers/acme/issuer.js';

export type OrderAction =
  /** Failed, or valid with the certificate and no Challenges left: nothing to do. */
  | { kind: 'done' }
  /** No ACME order yet: newOrder. */
  | { kind: 'create' }
  /** Authorizations not read yet: GET each one. */
  | { kind: 'fetch-authorizations' }
  | { kind: 'fetch-certificate' }
  /** Valid with its certificate: the Challenges have served their purpose. */
  | { kind: 'delete-challenges' }
  /** Every authorization is valid (`ready`): send the CSR. */
  | { kind: 'finalize' }
  /** The ACME order may have moved on, `because` says what changed (and what the sync may skip). */
  | { kind: 'refresh'; because: RefreshCause }
  /** Challenges are being worked on; their changes wake the Order. */
  | { kind: 'wait-for-challenges' };

/**
 * Why an Order is refreshed. `challenges-missing` needs no GET (the order is pending, its
 * authorizations are known); `challenges-valid` goes straight to finalize (RFC 8555 §7.1.6: every
 * authorization valid makes the order ready), as lego does, falling back to a GET when the server
 * says orderNotReady.
 */
export type RefreshCause = 'processing' | 'challenges-missing' | 'challenges-valid' | 'challenges-failed' | 'nothing-to-solve';

export interface OrderFacts {
  order: Order;
  /** The Challenges this Order owns. */
  challenges: readonly Challenge[];
}

type OrderCheck = (facts: OrderFacts) => OrderAction | undefined;

export const isFailedState = (state: string | undefined): boolean => state !== undefined && FAILED_STATES.includes(state);
export const isFinalState = (state: string | undefined): boolean => state === 'valid' || isFailedState(state);

const failed: OrderCheck = ({ order }) => (isFailedState(order.status?.state) ? { kind: 'done' } : undefined);
const notCreated: OrderCheck = ({ order }) => (order.status?.url ? undefined : { kind: 'create' });
const authorizationsUnread: OrderCheck = ({ order }) => {
  const authorizations = order.status?.authorizations ?? [];
  return !order.status?.finalizeURL || authorizations.length === 0 || authorizations.some((a) => !a.identifier) ? { kind: 'fetch-authorizations' } : undefined;
};
const validWithoutCertificate: OrderCheck = ({ order }) => (order.status?.state === 'valid' && !order.status.certificate ? { kind: 'fetch-certificate' } : undefined);
const complete: OrderCheck = ({ order, challenges }) => {
  if (order.status?.state !== 'valid') return undefined;
  return challenges.length > 0 ? { kind: 'delete-challenges' } : { kind: 'done' };
};
const ready: OrderCheck = ({ order }) => (order.status?.state === 'ready' ? { kind: 'finalize' } : undefined);
const processing: OrderCheck = ({ order }) => (order.status?.state === 'processing' ? { kind: 'refresh', because: 'processing' } : undefined);
/** Fewer Challenges than authorizations to solve: create them (a refresh of a pending order does). */
const challengesMissing: OrderCheck = ({ order, challenges }) =>
  challenges.length < (order.status?.authorizations ?? []).filter((a) => a.initialState !== 'valid').length ? { kind: 'refresh', because: 'challenges-missing' } : undefined;
const challengesSettled: OrderCheck = ({ challenges }) => {
  const states = challenges.map((c) => c.status?.state);
  if (states.some(isFailedState)) return { kind: 'refresh', because: 'challenges-failed' };
  return states.length > 0 && states.every(isFinalState) ? { kind: 'refresh', because: 'challenges-valid' } : undefined;
};
/** Every authorization was already valid (reused): no Challenges, but the order may be ready. */
const nothingToSolve: OrderCheck = ({ order, challenges }) =>
  challenges.length === 0 && (order.status?.authorizations ?? []).every((a) => a.initialState === 'valid') ? { kind: 'refresh', because: 'nothing-to-solve' } : undefined;

/** In §2.11's order. */
export const orderChecks: readonly OrderCheck[] = [failed, notCreated, authorizationsUnread, validWithoutCertificate, complete, ready, processing, challengesMissing, challengesSettled, nothingToSolve];

export function nextOrderAction(facts: OrderFacts, checks: readonly OrderCheck[] = orderChecks): OrderAction {
  for (const check of checks) {
    const action = check(facts);
    if (action) return action;
  }
  return { kind: 'wait-for-challenges' };
}

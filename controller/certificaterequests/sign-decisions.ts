/**
 * What the signer does with a CertificateRequest (reference §2.10, cert-manager's
 * `certificaterequests/sync.go`), as a chain of named checks over what the caches say: the first
 * check that decides wins, and a request that passes them all is signed.
 */
import { CERT_MANAGER_GROUP, issuerRefWithDefaults } from '../../api/defaults.js';
import type { CertificateRequest } from '../../api/types.js';
import type { GenericIssuer, IssuerBackend } from '../../issuers/backend.js';
import { issuerTypeOf } from '../../issuers/registry.js';
import { hasCondition } from '../conditions.js';
import { hasInvalidRequest, isApproved, isDenied, isFinished, readyReason, REASON_DENIED } from './status.js';

export interface SignerFacts {
  request: CertificateRequest;
  /** The referenced issuer, or undefined when the caches do not have it. */
  issuer: GenericIssuer | undefined;
  /** The backend registered for the issuer's type, if any. */
  backend: IssuerBackend | undefined;
}

export type SignerDecision =
  /** Not for this controller (another issuer group or an issuer type registered elsewhere). */
  | { kind: 'ignore'; check: string }
  /** Nothing (more) to do for the request. */
  | { kind: 'done'; check: string }
  | { kind: 'mark-denied' }
  | { kind: 'wait-for-approval' }
  | { kind: 'pending'; reason: string; message: string }
  | { kind: 'sign'; issuer: GenericIssuer; backend: IssuerBackend };

export type SignerCheck = (facts: SignerFacts) => SignerDecision | undefined;

export const WAITING_FOR_APPROVAL_MESSAGE = 'Not signing CertificateRequest until it is Approved';
export const ISSUER_NOT_READY_MESSAGE = 'Referenced issuer does not have a Ready status condition';

/** The plural a Kubernetes NotFound message names, e.g. `issuers.cert-manager.io`. */
function resourceName(kind: string): string {
  return `${kind.toLowerCase()}s.${CERT_MANAGER_GROUP}`;
}

export const otherIssuerGroup: SignerCheck = ({ request }) => {
  const group = request.spec.issuerRef.group ?? '';
  return group === '' || group === CERT_MANAGER_GROUP ? undefined : { kind: 'ignore', check: 'otherIssuerGroup' };
};

export const denied: SignerCheck = ({ request }) => {
  if (!isDenied(request)) return undefined;
  return readyReason(request) === REASON_DENIED && request.status?.failureTime ? { kind: 'done', check: 'denied' } : { kind: 'mark-denied' };
};

export const invalidRequest: SignerCheck = ({ request }) => (hasInvalidRequest(request) ? { kind: 'done', check: 'invalidRequest' } : undefined);

export const notApproved: SignerCheck = ({ request }) => (isApproved(request) ? undefined : { kind: 'wait-for-approval' });

export const finished: SignerCheck = ({ request }) => (isFinished(request) ? { kind: 'done', check: 'finished' } : undefined);

export const issuerNotFound: SignerCheck = ({ request, issuer }) => {
  if (issuer) return undefined;
  const { kind, name } = issuerRefWithDefaults(request.spec.issuerRef);
  return { kind: 'pending', reason: 'IssuerNotFound', message: `Referenced "${kind}" not found: ${resourceName(kind)} "${name}" not found` };
};

export const issuerTypeMissing: SignerCheck = ({ issuer }) =>
  issuer && issuerTypeOf(issuer.spec) === undefined ? { kind: 'pending', reason: 'IssuerTypeMissing', message: 'Missing issuer type' } : undefined;

export const issuerTypeNotRegistered: SignerCheck = ({ backend }) => (backend ? undefined : { kind: 'ignore', check: 'issuerTypeNotRegistered' });

export const issuerNotReady: SignerCheck = ({ issuer }) =>
  hasCondition(issuer?.status?.conditions, 'Ready') ? undefined : { kind: 'pending', reason: 'IssuerNotReady', message: ISSUER_NOT_READY_MESSAGE };

export const certificateAlreadySet: SignerCheck = ({ request }) =>
  request.status?.certificate ? { kind: 'done', check: 'certificateAlreadySet' } : undefined;

/** In cert-manager's order. */
export const signerChecks: readonly SignerCheck[] = [
  otherIssuerGroup,
  denied,
  invalidRequest,
  notApproved,
  finished,
  issuerNotFound,
  issuerTypeMissing,
  issuerTypeNotRegistered,
  issuerNotReady,
  certificateAlreadySet,
];

export function decideSigning(facts: SignerFacts, checks: readonly SignerCheck[] = signerChecks): SignerDecision {
  for (const check of checks) {
    const decision = check(facts);
    if (decision) return decision;
  }
  // Every check passed, so the issuer and its backend are there.
  return { kind: 'sign', issuer: facts.issuer!, backend: facts.backend! };
}

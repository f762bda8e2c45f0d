/** What a CertificateRequest's conditions say (cert-manager's `pkg/api/util` CertificateRequest helpers). */
import type { CertificateRequest } from '../../api/types.js';
import { findCondition, hasCondition } from '../conditions.js';

export const CONDITION_READY = 'Ready';
export const CONDITION_APPROVED = 'Approved';
export const CONDITION_DENIED = 'Denied';
export const CONDITION_INVALID_REQUEST = 'InvalidRequest';

export const REASON_PENDING = 'Pending';
export const REASON_FAILED = 'Failed';
export const REASON_ISSUED = 'Issued';
export const REASON_DENIED = 'Denied';

export function isApproved(request: CertificateRequest): boolean {
  return hasCondition(request.status?.conditions, CONDITION_APPROVED);
}

export function isDenied(request: CertificateRequest): boolean {
  return hasCondition(request.status?.conditions, CONDITION_DENIED);
}

export function hasInvalidRequest(request: CertificateRequest): boolean {
  return hasCondition(request.status?.conditions, CONDITION_INVALID_REQUEST);
}

/** The Ready condition's reason, or '' when there is none. */
export function readyReason(request: CertificateRequest): string {
  return findCondition(request.status?.conditions, CONDITION_READY)?.reason ?? '';
}

/** Issued or Failed: no controller acts on the request any more. */
export function isFinished(request: CertificateRequest): boolean {
  const reason = readyReason(request);
  return reason === REASON_ISSUED || reason === REASON_FAILED;
}

/** False once the signer has nothing left to do: finished, invalid, or denied and marked so. */
export function signerHasWork(request: CertificateRequest): boolean {
  if (isDenied(request)) return readyReason(request) !== REASON_DENIED;
  return !isFinished(request) && !hasInvalidRequest(request);
}

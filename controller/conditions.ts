/**
 * Status conditions as cert-manager keeps them (`SetCertificateRequestCondition`,
 * `SetIssuerCondition`): one entry per type, `lastTransitionTime` moves only when the status
 * changes, reason/message/observedGeneration always follow the latest write.
 */
import type { Condition, ConditionStatus } from '../api/types.js';
import { rfc3339 } from '../apiserver/time.js';

export interface ConditionUpdate {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  /** Issuers and Certificates record the generation the condition was computed from. */
  observedGeneration?: number;
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** True when a condition of `type` exists with `status`. */
export function hasCondition(conditions: readonly Condition[] | undefined, type: string, status: ConditionStatus = 'True'): boolean {
  return findCondition(conditions, type)?.status === status;
}

/** The conditions with `update` applied; the input list is not modified. */
export function withCondition(conditions: readonly Condition[] | undefined, update: ConditionUpdate, nowMs: number): Condition[] {
  const existing = findCondition(conditions, update.type);
  const next: Condition = {
    type: update.type,
    status: update.status,
    lastTransitionTime: existing?.status === update.status && existing.lastTransitionTime ? existing.lastTransitionTime : rfc3339(new Date(nowMs)),
    reason: update.reason,
    message: update.message,
  };
  if (update.observedGeneration !== undefined) next.observedGeneration = update.observedGeneration;
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === update.type);
  if (index === -1) list.push(next);
  else list[index] = next;
  return list;
}

/** True when the stored condition already says what `update` says, so no API write is needed. */
export function conditionUpToDate(conditions: readonly Condition[] | undefined, update: ConditionUpdate): boolean {
  const existing = findCondition(conditions, update.type);
  return (
    existing !== undefined &&
    existing.status === update.status &&
    (existing.reason ?? '') === update.reason &&
    (existing.message ?? '') === update.message &&
    (update.observedGeneration === undefined || existing.observedGeneration === update.observedGeneration)
  );
}

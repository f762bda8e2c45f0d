/**
 * Order and Challenge rules (reference §1.9–§1.10, `internal/apis/acme/validation`): both are
 * written by the controller; what the ACME server gave out must never be rewritten.
 */
import { isDeepStrictEqual } from 'node:util';
import { forbidden, type FieldError } from '../field-errors.js';
import type { Challenge, Order, OrderStatus } from '../types.js';

const immutable = (field: string) => forbidden(field, 'field is immutable once set');

function orderStatusUpdateErrors(old: OrderStatus, status: OrderStatus, path = 'status'): FieldError[] {
  const errors: FieldError[] = [];
  if (old.url && old.url !== status.url) errors.push(immutable(`${path}.url`));
  if (old.finalizeURL && old.finalizeURL !== status.finalizeURL) errors.push(immutable(`${path}.finalizeURL`));
  if (old.certificate && old.certificate !== status.certificate) errors.push(immutable(`${path}.certificate`));

  const oldAuthzs = old.authorizations ?? [];
  const authzs = status.authorizations ?? [];
  if (oldAuthzs.length === 0) return errors;
  // Once authorizations are recorded none may be added or removed, and set fields stay put.
  if (oldAuthzs.length !== authzs.length) errors.push(immutable(`${path}.authorizations`));
  oldAuthzs.forEach((before, i) => {
    const after = authzs[i];
    if (!after) return; // already reported as a change of the list's length
    const at = `${path}.authorizations[${i}]`;
    if (before.url && before.url !== after.url) errors.push(immutable(`${at}.url`));
    if (before.identifier && before.identifier !== after.identifier) errors.push(immutable(`${at}.identifier`));
    if (before.wildcard !== undefined && before.wildcard !== after.wildcard) errors.push(immutable(`${at}.wildcard`));
    if (before.initialState && before.initialState !== after.initialState) errors.push(immutable(`${at}.initialState`));
    const oldChallenges = before.challenges ?? [];
    const challenges = after.challenges ?? [];
    if (oldChallenges.length === 0) return;
    if (oldChallenges.length !== challenges.length) errors.push(immutable(`${at}.challenges`));
    oldChallenges.forEach((was, j) => {
      const now = challenges[j];
      if (!now) return;
      const ch = `${at}.challenges[${j}]`;
      if (was.url && was.url !== now.url) errors.push(immutable(`${ch}.url`));
      if (was.type && was.type !== now.type) errors.push(immutable(`${ch}.type`));
      if (was.token && was.token !== now.token) errors.push(immutable(`${ch}.token`));
    });
  });
  return errors;
}

/** Semantic rules of an Order write: nothing on create; on update the request and recorded ACME state stay. */
export function orderRules(order: Order, old?: Order): FieldError[] {
  if (!old) return [];
  const errors: FieldError[] = [];
  if (old.spec?.request && old.spec.request !== order.spec?.request) errors.push(immutable('spec.request'));
  errors.push(...orderStatusUpdateErrors(old.status ?? {}, order.status ?? {}));
  return errors;
}

export function orderStatusRules(order: Order, old?: Order): FieldError[] {
  return old ? orderStatusUpdateErrors(old.status ?? {}, order.status ?? {}) : [];
}

/** Semantic rules of a Challenge write: the spec never changes after creation. */
export function challengeRules(challenge: Challenge, old?: Challenge): FieldError[] {
  if (old && !isDeepStrictEqual(old.spec, challenge.spec)) {
    return [forbidden('spec', 'challenge spec is immutable after creation')];
  }
  return [];
}

/** A Challenge's status has no rules beyond its schema. */
export function challengeStatusRules(): FieldError[] {
  return [];
}

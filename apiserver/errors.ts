import { formatFieldErrors, fieldErrorBody, type FieldError } from '../api/field-errors.js';

/** `metav1.Status` as the API server writes it for failures. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
}

/** A request failure that the HTTP layer answers with a Kubernetes Status body. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** Identifies a resource in error messages the way Kubernetes does: `secrets`, `certificates.cert-manager.io`. */
export interface ResourceRef {
  group: string;
  plural: string;
}

const qualified = (r: ResourceRef): string => (r.group ? `${r.plural}.${r.group}` : r.plural);

export const notFound = (r: ResourceRef, name: string): ApiError =>
  new ApiError(404, 'NotFound', `${qualified(r)} "${name}" not found`, { name, group: r.group, kind: r.plural });

export const alreadyExists = (r: ResourceRef, name: string): ApiError =>
  new ApiError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, { name, group: r.group, kind: r.plural });

export const conflict = (r: ResourceRef, name: string, why: string): ApiError =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, { name, group: r.group, kind: r.plural });

export const modifiedConflict = (r: ResourceRef, name: string): ApiError =>
  conflict(r, name, 'the object has been modified; please apply your changes to the latest version and try again');

/** 422 with the exact message shape of `apierrors.NewInvalid`. */
export function invalid(group: string, kind: string, name: string, errors: readonly FieldError[]): ApiError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const message = errors.length ? `${qualifiedKind} "${name}" is invalid: ${formatFieldErrors(errors)}` : `${qualifiedKind} "${name}" is invalid`;
  return new ApiError(422, 'Invalid', message, {
    name,
    group,
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field })),
  });
}

export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);

export const forbidden = (r: ResourceRef, name: string, why: string): ApiError =>
  new ApiError(403, 'Forbidden', `${qualified(r)} "${name}" is forbidden: ${why}`, { name, group: r.group, kind: r.plural });

export const unauthorized = (): ApiError => new ApiError(401, 'Unauthorized', 'Unauthorized');

export const resourceNotServed = (): ApiError => new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

export const methodNotAllowed = (): ApiError => new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});

export const unsupportedMediaType = (accepted: readonly string[]): ApiError =>
  new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`, {});

export const expired = (message: string): ApiError => new ApiError(410, 'Expired', message);

export const internalError = (message: string): ApiError => new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });

export const tooManyRequests = (message: string): ApiError => new ApiError(429, 'TooManyRequests', message, { retryAfterSeconds: 1 });

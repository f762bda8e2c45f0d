import { STATUS_CODES } from 'node:http';

/** A `metav1.StatusCause` as the API server reports it for invalid objects. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** A failed API call, from the `Status` object the server returned (or the bare HTTP status). */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: number;
  /** metav1.StatusReason, e.g. `NotFound`, `Conflict`, `AlreadyExists`, `Invalid`, `Expired`. */
  readonly reason: string;
  readonly causes: StatusCause[];

  constructor(code: number, reason: string, message: string, causes: StatusCause[] = []) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.causes = causes;
  }
}

/** Kubernetes' reason for an HTTP status when the body is not a Status (k8s.io/apimachinery errors). */
const reasonByCode: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

const MAX_PLAIN_BODY_IN_MESSAGE = 512;

/** Builds the error for a non-2xx response from its status code and raw body. */
export function apiErrorFromResponse(code: number, body: string): ApiError {
  const status = parseStatus(body);
  const reason = status?.reason || reasonByCode[code] || 'Unknown';
  const message =
    status?.message ||
    `${code} ${STATUS_CODES[code] ?? ''}`.trim() + (body && !status ? `: ${body.slice(0, MAX_PLAIN_BODY_IN_MESSAGE)}` : '');
  return new ApiError(status?.code || code, reason, message, status?.details?.causes ?? []);
}

/** The error a watch reports in an ERROR event (its object is a Status). */
export function apiErrorFromStatus(status: unknown): ApiError {
  const s = (status ?? {}) as StatusBody;
  const code = typeof s.code === 'number' ? s.code : 500;
  return new ApiError(code, s.reason || reasonByCode[code] || 'Unknown', s.message || 'watch error', s.details?.causes ?? []);
}

interface StatusBody {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
  details?: { causes?: StatusCause[] };
}

function parseStatus(body: string): StatusBody | undefined {
  try {
    const parsed = JSON.parse(body) as StatusBody;
    return parsed && parsed.kind === 'Status' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function apiErrorWith(err: unknown, test: (e: ApiError) => boolean): boolean {
  return err instanceof ApiError && test(err);
}

/** Optimistic-lock failure: the object changed since it was read. Not AlreadyExists (also 409). */
export const isConflict = (err: unknown) => apiErrorWith(err, (e) => e.code === 409 && e.reason !== 'AlreadyExists');
export const isNotFound = (err: unknown) => apiErrorWith(err, (e) => e.code === 404);
export const isAlreadyExists = (err: unknown) => apiErrorWith(err, (e) => e.reason === 'AlreadyExists');
export const isInvalid = (err: unknown) => apiErrorWith(err, (e) => e.code === 422 || e.reason === 'Invalid');
/** The requested resourceVersion is too old (410, or `Expired` for a stale list continue token). */
export const isGone = (err: unknown) => apiErrorWith(err, (e) => e.code === 410 || e.reason === 'Expired' || e.reason === 'Gone');

/**
 * ACME problem documents (RFC 8555 §6.7, RFC 7807) as errors that keep what callers decide on: the
 * problem type, the HTTP status and the Retry-After time. acme-client throws bare messages, so the
 * client here turns every non-success response into one of these.
 */
export const ACME_ERROR_PREFIX = 'urn:ietf:params:acme:error:';

/** The short problem names certwright acts on. */
export const Problem = {
  badNonce: 'badNonce',
  rateLimited: 'rateLimited',
  alreadyReplaced: 'alreadyReplaced',
  invalidProfile: 'invalidProfile',
  malformed: 'malformed',
  orderNotReady: 'orderNotReady',
  accountDoesNotExist: 'accountDoesNotExist',
  externalAccountRequired: 'externalAccountRequired',
  unauthorized: 'unauthorized',
} as const;

export interface ProblemDocument {
  type?: string;
  detail?: string;
  status?: number;
  subproblems?: Array<{ type?: string; detail?: string; identifier?: { type?: string; value?: string } }>;
}

export class AcmeProblemError extends Error {
  override readonly name = 'AcmeProblemError';
  /** Full type URN, e.g. `urn:ietf:params:acme:error:rateLimited` ('' when the server sent none). */
  readonly type: string;
  readonly status: number;
  readonly detail: string;
  /** When the server said to come back (Retry-After), in ms since the epoch. */
  readonly retryAt: number | undefined;

  constructor(status: number, problem: ProblemDocument, retryAt?: number) {
    const type = problem.type ?? '';
    const detail = problem.detail ?? '';
    const sub = (problem.subproblems ?? []).map((s) => `${s.identifier?.value ?? ''}: ${s.detail ?? s.type ?? ''}`.trim());
    super(`${status} ${type || 'error'}: ${detail}${sub.length > 0 ? ` (${sub.join('; ')})` : ''}`);
    this.type = type;
    this.status = status;
    this.detail = detail;
    this.retryAt = retryAt;
  }

  /** The type without the ACME URN prefix, e.g. `rateLimited`. */
  get shortType(): string {
    return this.type.startsWith(ACME_ERROR_PREFIX) ? this.type.slice(ACME_ERROR_PREFIX.length) : this.type;
  }
}

export function isAcmeProblem(err: unknown, shortType?: string): err is AcmeProblemError {
  return err instanceof AcmeProblemError && (shortType === undefined || err.shortType === shortType);
}

/** A 4xx that is not rate limiting: the same request will fail again (cert-manager marks the Order errored). */
export function isPermanentProblem(err: unknown): err is AcmeProblemError {
  return isAcmeProblem(err) && err.status >= 400 && err.status < 500 && err.shortType !== Problem.rateLimited && err.shortType !== Problem.badNonce;
}

/**
 * Retry-After (RFC 9110 §10.2.3) as an absolute time: delta-seconds or an HTTP-date; undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(header: string | undefined, nowMs: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return nowMs + Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date;
}

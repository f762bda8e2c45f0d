/**
 * JSON over HTTP for the REST DNS providers (Cloudflare, acme-dns): throttling (429) and transient
 * server errors (502/503/504) are retried a bounded number of times, after `Retry-After` when the
 * server gives one; every other answer goes back to the provider to interpret.
 */
import { parseRetryAfter } from '../../issuers/acme/problem.js';

export interface HttpJsonOptions {
  fetch?: typeof fetch;
  /** Total attempts for one request, throttled ones included. */
  maxAttempts?: number;
  /** Per attempt. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface JsonResponse {
  status: number;
  /** The parsed body; undefined when it was empty or not JSON. */
  body: unknown;
}

const RETRIED_STATUSES = new Set([429, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 30_000;

/** The wait before the next attempt: `Retry-After` (seconds or an HTTP-date, capped), else exponential from 250 ms. */
export function retryDelayMs(retryAfter: string | null, attempt: number, nowMs = Date.now()): number {
  const retryAt = parseRetryAfter(retryAfter ?? undefined, nowMs);
  if (retryAt !== undefined) return Math.min(Math.max(0, retryAt - nowMs), MAX_RETRY_AFTER_MS);
  return Math.min(250 * 2 ** (attempt - 1), MAX_RETRY_AFTER_MS);
}

export async function requestJson(url: string, init: { method: string; headers?: Record<string, string>; body?: unknown }, options: HttpJsonOptions = {}): Promise<JsonResponse> {
  const doFetch = options.fetch ?? fetch;
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    const response = await doFetch(url, {
      method: init.method,
      headers: { accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const text = await response.text();
    if (RETRIED_STATUSES.has(response.status) && attempt < maxAttempts) {
      await sleep(retryDelayMs(response.headers.get('retry-after'), attempt));
      continue;
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  }
}

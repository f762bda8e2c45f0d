/**
 * What a CertificateRequest asks a signer for, read once for every backend that signs locally:
 * the CSR (PEM inside the base64 `spec.request`) and the template fields of reference §2.9.
 */
import { certificateDurationFor } from '../api/defaults.js';
import type { CertificateRequest } from '../api/types.js';
import { isPkiError, type CertificateTemplate } from '../pki/index.js';
import { describeError } from './backend.js';

/** `spec.request` as PEM text (the API carries it base64-encoded). */
export function requestPem(request: CertificateRequest): string {
  return Buffer.from(request.spec.request ?? '', 'base64').toString('utf8');
}

/** NotBefore = now, NotAfter = now + (requested duration or 90 days), isCA and usages from the request. */
export function templateFor(request: CertificateRequest, nowMs: number, extra: Partial<CertificateTemplate> = {}): CertificateTemplate {
  return {
    durationMs: certificateDurationFor(request.spec),
    isCA: request.spec.isCA ?? false,
    ...(request.spec.usages ? { usages: request.spec.usages } : {}),
    now: new Date(nowMs),
    ...extra,
  };
}

/** pki/ codes that mean the request itself cannot be turned into a certificate template. */
const TEMPLATE_ERROR_CODES = new Set(['PEM_MALFORMED', 'PEM_TOO_LARGE', 'PEM_UNEXPECTED_TYPE', 'CSR_MALFORMED', 'CSR_INVALID', 'CSR_SIGNATURE_INVALID', 'TEMPLATE_INVALID', 'SAN_INVALID', 'USAGE_INVALID']);

/** True when signing failed because of the request (its CSR or requested fields), not the signer. */
export function isTemplateError(err: unknown): boolean {
  return isPkiError(err) && TEMPLATE_ERROR_CODES.has(err.code);
}

/** `message: cause`, as cert-manager's reporter joins them. */
export function withCause(message: string, err: unknown): string {
  return `${message}: ${describeError(err)}`;
}

/**
 * What a CertificateRequest asks a signer for, read once for every backend that signs locally:
 * the CSR (PEM inside the base64 `spec.request`) and the template fields of reference §2.9.
 */
import { certificateDurationFor } from '../api/defaults.js';
import type { CertificateRequest } from '../api/types.js';
import { isPkiError, parseCsr, type CertificateTemplate, type CsrInfo, type SigningRequest, type VerifiedCsr } from '../pki/index.js';
import { LruCache } from '../controller/runtime/lru.js';
import { describeError } from './backend.js';

/** `spec.request` as PEM text (the API carries it base64-encoded). */
export function requestPem(request: CertificateRequest): string {
  return Buffer.from(request.spec.request ?? '', 'base64').toString('utf8');
}

/**
 * CSRs this process built and signed, by the `spec.request` text that carries them, while their
 * issuance is in flight: the signer then neither parses the CSR nor checks a signature this process
 * made, and the Certificate reconciler does not parse it either (~0.2 ms per issuance). Bytes equal
 * to what we signed verify as they did when we signed them. Bounded for requests never finished
 * here (another issuer signs them); the least recently used entry goes first.
 */
const builtRequests = new LruCache<string, VerifiedCsr>(4096);

/** Records that `spec.request` text `requestText` carries `csr`, built and signed in this process. */
export function rememberBuiltRequest(requestText: string, csr: VerifiedCsr): void {
  builtRequests.set(requestText, csr);
}

/** Drops what rememberBuiltRequest recorded, once the issuance it served is over. */
export function forgetBuiltRequest(requestText: string): void {
  builtRequests.delete(requestText);
}

/** The request's CSR as signCertificate takes it: already verified when this process built it, else its PEM. */
export function requestToSign(request: CertificateRequest): SigningRequest {
  return builtRequests.get(request.spec.request ?? '') ?? requestPem(request);
}

/** The request's CSR parsed (throws a PkiError naming what is wrong); not parsed again when this process built it. */
export function parsedRequestCsr(request: CertificateRequest): CsrInfo {
  return builtRequests.get(request.spec.request ?? '')?.csr ?? parseCsr(requestPem(request));
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

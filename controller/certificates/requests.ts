/**
 * Decisions about a Certificate's CertificateRequests (§2.2 steps 1, 3 and 8): their stable names,
 * the request for the next revision, which stale ones to delete, which old revisions to prune, and
 * which Certificate owns a Secret that several name.
 */
import { createHash, type KeyObject } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import type { Certificate, CertificateRequest } from '../../api/types.js';
import { publicKeysEqual, type CertificateRequestSpec as CsrSpec } from '../../pki/index.js';
import { certificateOwnerReference } from './metadata.js';
import { CERTIFICATE_API_VERSION, CERTIFICATE_NAME_ANNOTATION, PRIVATE_KEY_SECRET_NAME_ANNOTATION, REVISION_ANNOTATION } from '../../api/well-known.js';
import { parseRequestCsr, requestMatchesSpec } from './request-matches-spec.js';

/** `--copied-annotation-prefixes` default: everything but kubectl's, Flux's and Argo CD's bookkeeping. */
export const DEFAULT_COPIED_ANNOTATION_PREFIXES: readonly string[] = ['*', '-kubectl.kubernetes.io/', '-fluxcd.io/', '-argocd.argoproj.io/'];

/** How often a Certificate that shares its Secret with an older one looks again (cert-manager: 3 min). */
export const DUPLICATE_SECRET_NAME_RECHECK_MS = 3 * 60 * 1000;

/** Names up to this long are used as they are; `-<revision>` then fits in 253 characters. */
const MAX_UNHASHED_NAME_LENGTH = 233;
const SHA256_HEX_LENGTH = 64;

/** `in` cut to at most `maxLength` characters, ending on a letter or digit (cert-manager's DNSSafeShortenToNCharacters). */
function dnsSafeShorten(text: string, maxLength: number): string {
  if (text.length < maxLength) return text;
  if (maxLength <= 0) return '';
  const head = text.slice(0, maxLength);
  const lastAlphanumeric = head.search(/[a-zA-Z\d][^a-zA-Z\d]*$/);
  return lastAlphanumeric < 0 ? '' : head.slice(0, lastAlphanumeric + 1);
}

/**
 * cert-manager's ComputeSecureUniqueDeterministicNameFromData: `name` itself when short enough,
 * else a DNS-safe prefix and the SHA-256 of the whole name, together at most `maxLength` long.
 */
export function shortenedName(name: string, maxLength: number): string {
  if (maxLength < SHA256_HEX_LENGTH) throw new RangeError(`maxLength must be at least ${SHA256_HEX_LENGTH}, got ${maxLength}`);
  if (name.length <= maxLength) return name;
  const hash = createHash('sha256').update(name).digest('hex');
  const prefix = dnsSafeShorten(name, maxLength - SHA256_HEX_LENGTH - 1);
  return prefix === '' ? hash : `${prefix}-${hash}`;
}

/** The stable name of a Certificate's request for `revision`: `<certificate>-<revision>`. */
export function requestName(certificateName: string, revision: number): string {
  if (!Number.isSafeInteger(revision) || revision < 1) throw new RangeError(`revision must be a positive integer, got ${revision}`);
  return `${shortenedName(certificateName, MAX_UNHASHED_NAME_LENGTH)}-${revision}`;
}

/**
 * The annotations `--copied-annotation-prefixes` lets through: a key is copied when `*` or one of
 * the prefixes matches it and no `-`prefix excludes it.
 */
export function annotationsToCopy(annotations: Record<string, string> | undefined, prefixes: readonly string[]): Record<string, string> {
  const excluded = prefixes.filter((p) => p.startsWith('-')).map((p) => p.slice(1));
  const included = prefixes.filter((p) => !p.startsWith('-'));
  const copyAll = included.includes('*');
  return Object.fromEntries(
    Object.entries(annotations ?? {}).filter(
      ([key]) => !excluded.some((p) => key.startsWith(p)) && (copyAll || included.some((p) => key.startsWith(p))),
    ),
  );
}

/**
 * The Certificate spec in the shape pki's generateCsr takes. Validation requires every otherName
 * to have an OID and a value; one that lacks them is passed with empty strings so pki names it.
 */
export function csrSpecFor(certificate: Certificate): CsrSpec {
  const { otherNames, ...spec } = certificate.spec;
  return {
    ...spec,
    ...(otherNames ? { otherNames: otherNames.map((n) => ({ oid: n.oid ?? '', utf8Value: n.utf8Value ?? '' })) } : {}),
  };
}

export interface CertificateRequestInput {
  certificate: Certificate;
  csrPem: string;
  revision: number;
  nextKeySecretName: string;
  copiedAnnotationPrefixes?: readonly string[];
}

/** The CertificateRequest for `revision` of `certificate`, owned by it, carrying `csrPem`. */
export function buildCertificateRequest(input: CertificateRequestInput): CertificateRequest {
  const { certificate, csrPem, revision, nextKeySecretName } = input;
  const spec = certificate.spec;
  const name = certificate.metadata.name ?? '';
  return {
    apiVersion: CERTIFICATE_API_VERSION,
    kind: 'CertificateRequest',
    metadata: {
      name: requestName(name, revision),
      ...(certificate.metadata.namespace ? { namespace: certificate.metadata.namespace } : {}),
      labels: { ...certificate.metadata.labels },
      annotations: {
        ...annotationsToCopy(certificate.metadata.annotations, input.copiedAnnotationPrefixes ?? DEFAULT_COPIED_ANNOTATION_PREFIXES),
        [REVISION_ANNOTATION]: String(revision),
        [PRIVATE_KEY_SECRET_NAME_ANNOTATION]: nextKeySecretName,
        [CERTIFICATE_NAME_ANNOTATION]: name,
      },
      ownerReferences: [certificateOwnerReference(certificate)],
    },
    spec: {
      ...(spec.duration ? { duration: spec.duration } : {}),
      issuerRef: { ...spec.issuerRef },
      request: Buffer.from(csrPem, 'utf8').toString('base64'),
      ...(spec.isCA ? { isCA: true } : {}),
      ...(spec.usages?.length ? { usages: [...spec.usages] } : {}),
    },
  };
}

/** The request's `cert-manager.io/certificate-revision`, or undefined when absent or not an integer. */
export function revisionOf(request: CertificateRequest): number | undefined {
  const text = request.metadata.annotations?.[REVISION_ANNOTATION];
  if (!text || !/^[+-]?\d+$/.test(text)) return undefined;
  const revision = Number(text);
  return Number.isSafeInteger(revision) ? revision : undefined;
}

/** The revision the next issuance produces: `status.revision + 1` (1 for the first). */
export function nextRevision(certificate: Certificate): number {
  return (certificate.status?.revision ?? 0) + 1;
}

/** The request carrying `revision`, if there is exactly one. */
export function requestForRevision(requests: readonly CertificateRequest[], revision: number): CertificateRequest | undefined {
  const matching = requests.filter((r) => revisionOf(r) === revision);
  return matching.length === 1 ? matching[0] : undefined;
}

export interface StaleRequest {
  request: CertificateRequest;
  why: string;
}

export interface RequestsToDeleteInput {
  certificate: Certificate;
  /** CertificateRequests controlled by the Certificate. */
  requests: readonly CertificateRequest[];
  /** Public (or private) key of the next-private-key Secret. */
  nextKey: KeyObject;
}

function failedAt(request: CertificateRequest): number | undefined {
  const ready = request.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'False' || ready.reason !== 'Failed' || !request.status?.failureTime) return undefined;
  return Date.parse(request.status.failureTime);
}

/** Why a request for the next revision cannot be used for this issuance, if it cannot. */
function nextRevisionRequestProblem(request: CertificateRequest, certificate: Certificate, nextKey: KeyObject, issuingSince: number | undefined): string | undefined {
  let violations: string[];
  try {
    violations = requestMatchesSpec(request, certificate);
  } catch (e) {
    return `its CSR cannot be read: ${(e as Error).message}`;
  }
  if (violations.length > 0) return `it does not match the spec: ${violations.join(', ')}`;
  if (!publicKeysEqual(parseRequestCsr(request), nextKey)) return 'its CSR is not for the next private key';
  const failure = failedAt(request);
  if (failure !== undefined && issuingSince !== undefined && failure < issuingSince) return 'it failed during an earlier attempt at this revision';
  return undefined;
}

/**
 * The requests the request stage deletes before creating the one for the next revision: those
 * without a readable revision annotation, and those for the next revision that no longer match
 * the spec, were made for another key, or failed before the current Issuing condition began.
 */
export function requestsToDelete({ certificate, requests, nextKey }: RequestsToDeleteInput): StaleRequest[] {
  const next = nextRevision(certificate);
  const issuing = certificate.status?.conditions?.find((c) => c.type === 'Issuing');
  const issuingSince = issuing?.lastTransitionTime ? Date.parse(issuing.lastTransitionTime) : undefined;
  const stale: StaleRequest[] = [];
  for (const request of requests) {
    const revision = revisionOf(request);
    if (revision === undefined) {
      stale.push({ request, why: 'it has no valid cert-manager.io/certificate-revision annotation' });
      continue;
    }
    if (revision !== next) continue;
    const why = nextRevisionRequestProblem(request, certificate, nextKey, issuingSince);
    if (why) stale.push({ request, why });
  }
  return stale;
}

/**
 * Requests beyond the history limit, oldest revision first (revision-manager; run only while the
 * Certificate is Ready). Requests without a readable revision are left alone.
 */
export function revisionsToPrune(requests: readonly CertificateRequest[], limit: number): CertificateRequest[] {
  const withRevision = requests
    .map((request) => ({ request, revision: revisionOf(request) }))
    .filter((r): r is { request: CertificateRequest; revision: number } => r.revision !== undefined)
    .sort((a, b) => a.revision - b.revision);
  const excess = withRevision.length - Math.max(1, limit);
  return excess > 0 ? withRevision.slice(0, excess).map((r) => r.request) : [];
}

function creationTime(certificate: Certificate): number {
  const ms = certificate.metadata.creationTimestamp ? Date.parse(certificate.metadata.creationTimestamp) : NaN;
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

/**
 * When several Certificates of a namespace name the same Secret, the one allowed to issue into it:
 * the one the Secret's `cert-manager.io/certificate-name` names if it is among them, else the
 * oldest (ties broken by name). Undefined when `certificates` (all those naming the Secret) has
 * fewer than two members: there is no duplicate.
 */
export function duplicateSecretNameOwner(certificates: readonly Certificate[], secret: V1Secret | undefined): string | undefined {
  if (certificates.length < 2) return undefined;
  const names = certificates.map((c) => c.metadata.name ?? '');
  const annotated = secret?.metadata?.annotations?.[CERTIFICATE_NAME_ANNOTATION];
  if (annotated !== undefined && names.includes(annotated)) return annotated;
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const [oldest] = [...certificates].sort((a, b) => creationTime(a) - creationTime(b) || byName(a.metadata.name ?? '', b.metadata.name ?? ''));
  return oldest!.metadata.name;
}

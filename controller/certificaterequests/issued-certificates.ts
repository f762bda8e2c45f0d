/**
 * An issued CertificateRequest's `status.certificate` is read once: by the Certificate reconciler,
 * when it writes the Secret. Kept in the cache it was ~1 KiB of base64 per Certificate for good
 * (~9 MiB at 10k), so the cache keeps issued requests without it: the signer of this process hands
 * the text over in memory, and the reconciler otherwise reads the request from the API.
 */
import type { CertificateRequest } from '../../api/types.js';
import type { KubeClient } from '../runtime/client.js';
import { LruCache } from '../runtime/lru.js';
import { CERTIFICATE_REQUESTS } from '../runtime/resources.js';
import { readyReason, REASON_ISSUED } from './status.js';

/**
 * Certificates this process's signer wrote, by request uid and the version its write returned, until
 * the reconciler takes them. At 10k the reconcile after a signing comes up to a whole pass of the work
 * queue later; bounded for requests nobody takes (their Certificate deleted).
 */
const handedOver = new LruCache<string, string>(16_384);

function versionId(request: CertificateRequest): string | undefined {
  const { uid, resourceVersion } = request.metadata;
  return uid && resourceVersion ? `${uid}/${resourceVersion}` : undefined;
}

/** Informer transform: an issued request (Ready, reason Issued) without `status.certificate`; nobody acts on it but the reader below. */
export function withoutIssuedCertificate(request: CertificateRequest): CertificateRequest {
  if (!request.status?.certificate || readyReason(request) !== REASON_ISSUED) return request;
  const { certificate: _withheld, ...status } = request.status;
  return { ...request, status };
}

/** The signer records the request its status write returned (certificate set). */
export function handOverIssuedCertificate(written: CertificateRequest): void {
  const id = versionId(written);
  if (id !== undefined && written.status?.certificate) handedOver.set(id, written.status.certificate);
}

/**
 * `status.certificate` (base64) of this version of `request`: from the object itself when the cache
 * kept it, from the signer's hand-over, else read from the API. Undefined when the API holds another
 * version (the cache is behind: its next event brings the request back) or none any more.
 */
export async function issuedCertificateOf(request: CertificateRequest, client: KubeClient): Promise<string | undefined> {
  if (request.status?.certificate) return request.status.certificate;
  const id = versionId(request);
  const handed = id === undefined ? undefined : handedOver.get(id);
  if (handed !== undefined) {
    handedOver.delete(id!);
    return handed;
  }
  const current = await client.find<CertificateRequest>(CERTIFICATE_REQUESTS, { namespace: request.metadata.namespace, name: request.metadata.name! });
  return current && current.metadata.resourceVersion === request.metadata.resourceVersion ? current.status?.certificate : undefined;
}

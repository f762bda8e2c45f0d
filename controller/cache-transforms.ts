/**
 * What the shared caches keep of each kind they watch (informer transforms, built from
 * `runtime/transforms.ts`): the cache's size is the controller's. Each drops what no reader uses,
 * then shares what equal objects have in common: short strings, CA texts, and the parts listed here,
 * kept once and frozen (readers never change cached objects; the reconciler clones the status it edits),
 * and keeps each object's own PEM texts as DER (`runtime/pem-texts.ts`).
 */
import type { Certificate, CertificateRequest } from '../api/types.js';
import type { KubeSecret } from '../issuers/backend.js';
import { withoutIssuedCertificate } from './certificaterequests/issued-certificates.js';
import { isFinished } from './certificaterequests/status.js';
import { DEFAULT_FIELD_MANAGER } from './certificates/secret-layout.js';
import { TLS_CERTIFICATE_KEY, TLS_PRIVATE_KEY_KEY } from '../api/well-known.js';
import { withCompactTexts } from './runtime/pem-texts.js';
import { keepManagedFieldsOf, withoutManagedFields, withSharedCaData, withSharedCaStatus, sharingPartsAt, withSharedStrings } from './runtime/transforms.js';

/** Parts most Certificates share with others (one issuer, one key spec) or with those updated in the same second (conditions). */
const shareCertificateParts = sharingPartsAt(['metadata.labels', 'spec.issuerRef', 'spec.privateKey', 'spec.subject', 'spec.usages', 'status.conditions']);
const shareRequestParts = sharingPartsAt(['metadata.labels', 'spec.issuerRef', 'spec.groups', 'spec.usages', 'spec.extra', 'status.conditions']);
const shareSecretParts = sharingPartsAt(['metadata.labels']);

export function cachedCertificate(certificate: Certificate): Certificate {
  return shareCertificateParts(withSharedStrings(withoutManagedFields(certificate)));
}

export function cachedCertificateRequest(request: CertificateRequest): CertificateRequest {
  const cached = shareRequestParts(withSharedStrings(withSharedCaStatus(withoutIssuedCertificate(withoutManagedFields(request)))));
  // Once finished, a request's CSR is only read (by the Certificate's readiness checks); compacting it once is enough.
  return isFinished(cached) ? { ...cached, spec: withCompactTexts(cached.spec, ['request']) } : cached;
}

/** The Secret upkeep check reads which fields the Certificate controller's apply owns: that manager's entries stay. */
const keepOwnManagedFields = keepManagedFieldsOf(DEFAULT_FIELD_MANAGER);

export function cachedOwnedSecret(secret: KubeSecret): KubeSecret {
  const cached = shareSecretParts(withSharedStrings(withSharedCaData(keepOwnManagedFields(secret))));
  // An issued Secret stays; a next-key Secret (a key, no certificate) goes once its issuance is done.
  return cached.data?.[TLS_CERTIFICATE_KEY] ? { ...cached, data: withCompactTexts(cached.data, [TLS_CERTIFICATE_KEY, TLS_PRIVATE_KEY_KEY]) } : cached;
}

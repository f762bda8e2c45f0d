/**
 * What the shared caches keep of each kind they watch (informer transforms, built from
 * `runtime/transforms.ts`): the cache's size is the controller's. Each drops what no reader uses,
 * then shares what equal objects have in common: short strings, CA texts, and the parts listed here,
 * kept once and frozen (readers never change cached objects; the reconciler clones the status it edits).
 */
import type { Certificate, CertificateRequest } from '../api/types.js';
import type { KubeSecret } from '../issuers/backend.js';
import { withoutIssuedCertificate } from './certificaterequests/issued-certificates.js';
import { DEFAULT_FIELD_MANAGER } from './certificates/secret-layout.js';
import { keepManagedFieldsOf, withoutManagedFields, withSharedCaData, withSharedCaStatus, withSharedParts, withSharedStrings } from './runtime/transforms.js';

/** Parts most Certificates share with others (one issuer, one key spec) or with those updated in the same second (conditions). */
export const CERTIFICATE_SHARED_PARTS = ['metadata.labels', 'spec.issuerRef', 'spec.privateKey', 'spec.subject', 'spec.usages', 'status.conditions'];
export const CERTIFICATE_REQUEST_SHARED_PARTS = ['metadata.labels', 'spec.issuerRef', 'spec.groups', 'spec.usages', 'spec.extra', 'status.conditions'];
export const OWNED_SECRET_SHARED_PARTS = ['metadata.labels'];

export function cachedCertificate(certificate: Certificate): Certificate {
  return withSharedParts(withSharedStrings(withoutManagedFields(certificate)), CERTIFICATE_SHARED_PARTS);
}

export function cachedCertificateRequest(request: CertificateRequest): CertificateRequest {
  return withSharedParts(withSharedStrings(withSharedCaStatus(withoutIssuedCertificate(withoutManagedFields(request)))), CERTIFICATE_REQUEST_SHARED_PARTS);
}

/** The Secret upkeep check reads which fields the Certificate controller's apply owns: that manager's entries stay. */
const keepOwnManagedFields = keepManagedFieldsOf(DEFAULT_FIELD_MANAGER);

export function cachedOwnedSecret(secret: KubeSecret): KubeSecret {
  return withSharedParts(withSharedStrings(withSharedCaData(keepOwnManagedFields(secret))), OWNED_SECRET_SHARED_PARTS);
}

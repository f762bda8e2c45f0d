/**
 * Cache indexes over CertificateRequests that let an Issuer or a Secret event find the requests
 * waiting on it without scanning, and the lookup of a request's issuer in the issuer caches.
 */
import { CERT_MANAGER_GROUP, issuerRefWithDefaults } from '../../api/defaults.js';
import type { CertificateRequest, ClusterIssuer, Issuer } from '../../api/types.js';
import type { GenericIssuer } from '../../issuers/backend.js';
import type { Informer } from '../runtime/informer.js';
import { keyOf } from '../runtime/keys.js';
import type { IndexFunc } from '../runtime/store.js';
import { PRIVATE_KEY_SECRET_NAME_ANNOTATION } from '../../api/well-known.js';
import { signerHasWork } from './status.js';

/** CertificateRequests waiting to be signed, by the cert-manager.io issuer they reference (`Issuer/ns/name`, `ClusterIssuer/name`). */
export const BY_ISSUER_INDEX = 'certificaterequests-by-issuer';
/** CertificateRequests waiting to be signed, by `namespace/name` of their `cert-manager.io/private-key-secret-name` Secret. */
export const BY_PRIVATE_KEY_SECRET_INDEX = 'certificaterequests-by-private-key-secret';

export function issuerIndexValue(kind: string, namespace: string | undefined, name: string): string {
  return kind === 'ClusterIssuer' ? `${kind}/${name}` : `${kind}/${namespace ?? ''}/${name}`;
}

/** The index value an issuer object is found under. */
export function issuerIndexValueOf(issuer: GenericIssuer): string {
  return issuerIndexValue(issuer.kind, issuer.metadata.namespace, issuer.metadata.name ?? '');
}

/*
 * Both indexes file only requests the signer still has work for: they are read only to wake those
 * (and a new version of a request is filed again). At 10k Certificates, filing every issued request
 * too was ~1.5 MiB.
 */
const byIssuer: IndexFunc<CertificateRequest> = (request) => {
  if (!signerHasWork(request)) return [];
  const ref = issuerRefWithDefaults(request.spec.issuerRef);
  if (ref.group !== CERT_MANAGER_GROUP) return [];
  return [issuerIndexValue(ref.kind, request.metadata.namespace, ref.name)];
};

const byPrivateKeySecret: IndexFunc<CertificateRequest> = (request) => {
  if (!signerHasWork(request)) return [];
  const name = request.metadata.annotations?.[PRIVATE_KEY_SECRET_NAME_ANNOTATION];
  return name ? [keyOf({ namespace: request.metadata.namespace, name })] : [];
};

/** Indexers the CertificateRequest informer must have for the signer; merge them into the shared informer's. */
export const certificateRequestIndexers: Record<string, IndexFunc<CertificateRequest>> = {
  [BY_ISSUER_INDEX]: byIssuer,
  [BY_PRIVATE_KEY_SECRET_INDEX]: byPrivateKeySecret,
};

export interface IssuerCaches {
  issuers: Informer<Issuer>;
  /** Absent when certwright watches a single namespace (no cluster-scoped controllers). */
  clusterIssuers?: Informer<ClusterIssuer>;
}

/** The issuer a request references, from the caches; undefined when not there (or of another kind). */
export function findIssuer(request: CertificateRequest, caches: IssuerCaches): GenericIssuer | undefined {
  const { kind, name } = issuerRefWithDefaults(request.spec.issuerRef);
  if (kind === 'Issuer') return caches.issuers.get({ namespace: request.metadata.namespace, name });
  if (kind === 'ClusterIssuer') return caches.clusterIssuers?.get({ name });
  return undefined;
}

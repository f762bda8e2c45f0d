import type { ObjectRef } from './keys.js';

/** A group/version/resource with what the client needs to build its paths and fill list items. */
export interface ResourceType {
  /** `''` for the core group (`/api/v1`). */
  group: string;
  version: string;
  /** Plural lowercase name in the URL, e.g. `certificaterequests`. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** Scope checks first, so a namespaced call without a namespace fails clearly instead of hitting a wrong URL. */
function checkScope(type: ResourceType, namespace: string | undefined, needsNamespace: boolean): void {
  if (!type.namespaced && namespace) {
    throw new Error(`${type.kind} is cluster-scoped; got namespace ${JSON.stringify(namespace)}`);
  }
  if (type.namespaced && needsNamespace && !namespace) {
    throw new Error(`${type.kind} is namespaced; a namespace is required`);
  }
}

/** Collection URL path; without a namespace a namespaced resource is listed across all namespaces. */
export function collectionPath(type: ResourceType, namespace?: string): string {
  checkScope(type, namespace, false);
  const root = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  return namespace ? `${root}/namespaces/${encodeURIComponent(namespace)}/${type.resource}` : `${root}/${type.resource}`;
}

/** URL path of one object, or of its subresource (e.g. `status`). */
export function objectPath(type: ResourceType, ref: ObjectRef, subresource?: string): string {
  checkScope(type, ref.namespace, true);
  if (!ref.name) throw new Error(`${type.kind}: a name is required`);
  const path = `${collectionPath(type, ref.namespace)}/${encodeURIComponent(ref.name)}`;
  return subresource ? `${path}/${subresource}` : path;
}

const CERT_MANAGER = 'cert-manager.io';
const ACME = 'acme.cert-manager.io';

export const SECRETS: ResourceType = { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true };
export const EVENTS: ResourceType = { group: '', version: 'v1', resource: 'events', kind: 'Event', namespaced: true };
export const CERTIFICATES: ResourceType = { group: CERT_MANAGER, version: 'v1', resource: 'certificates', kind: 'Certificate', namespaced: true };
export const CERTIFICATE_REQUESTS: ResourceType = {
  group: CERT_MANAGER,
  version: 'v1',
  resource: 'certificaterequests',
  kind: 'CertificateRequest',
  namespaced: true,
};
export const ISSUERS: ResourceType = { group: CERT_MANAGER, version: 'v1', resource: 'issuers', kind: 'Issuer', namespaced: true };
export const CLUSTER_ISSUERS: ResourceType = {
  group: CERT_MANAGER,
  version: 'v1',
  resource: 'clusterissuers',
  kind: 'ClusterIssuer',
  namespaced: false,
};
export const ORDERS: ResourceType = { group: ACME, version: 'v1', resource: 'orders', kind: 'Order', namespaced: true };
export const CHALLENGES: ResourceType = { group: ACME, version: 'v1', resource: 'challenges', kind: 'Challenge', namespaced: true };
/* What the HTTP-01 solver creates in a cluster (solvers/http01/cluster-solver.ts). */
export const SERVICES: ResourceType = { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true };
export const HTTP_ROUTES: ResourceType = { group: 'gateway.networking.k8s.io', version: 'v1', resource: 'httproutes', kind: 'HTTPRoute', namespaced: true };
export const PODS: ResourceType = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true };

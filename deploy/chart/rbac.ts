/**
 * Every permission the controller needs, with the reason. The chart's ClusterRole (or, with
 * watchNamespace, Role) grants exactly these; test/deploy/rbac.test.ts checks them against the API
 * calls in the code.
 *
 * Secrets: Kubernetes RBAC cannot limit list/watch by label selector, so the informer that caches
 * only `controller.cert-manager.io/fao=true` Secrets still needs list/watch on all Secrets in its
 * scope, and Issuers in any namespace reference Secrets that must be read. Cluster-wide, that is
 * read access to Secrets everywhere; set watchNamespace to confine it to one namespace.
 */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

export interface Permission {
  group: string;
  /** `resource` or `resource/subresource`. */
  resource: string;
  verbs: Verb[];
  why: string;
  /** Cluster-scoped resources: granted only in cluster-wide mode. */
  clusterScoped?: true;
}

export const CONTROLLER_PERMISSIONS: readonly Permission[] = [
  { group: 'cert-manager.io', resource: 'certificates', verbs: ['list', 'watch'], why: 'Certificate informer (the controllers read Certificates from its cache)' },
  {
    group: 'cert-manager.io',
    resource: 'certificates',
    verbs: ['create', 'patch', 'delete'],
    why: 'ingress-shim and gateway-shim server-side apply (create or patch) the Certificates of Ingresses and Gateways and delete those no longer wanted',
  },
  { group: 'cert-manager.io', resource: 'certificates/status', verbs: ['update'], why: 'conditions, revision, notBefore/notAfter/renewalTime' },
  { group: 'cert-manager.io', resource: 'certificaterequests', verbs: ['list', 'watch'], why: 'CertificateRequest informer' },
  {
    group: 'cert-manager.io',
    resource: 'certificaterequests',
    verbs: ['create', 'delete', 'get'],
    why: 'a CertificateRequest per issuance; old ones deleted beyond revisionHistoryLimit; an issued one read for its certificate, which the cache does not keep',
  },
  { group: 'cert-manager.io', resource: 'certificaterequests/status', verbs: ['update'], why: 'approval, signing result (certificate, ca, Ready)' },
  { group: 'cert-manager.io', resource: 'issuers', verbs: ['list', 'watch'], why: 'Issuer informer' },
  { group: 'cert-manager.io', resource: 'issuers/status', verbs: ['update'], why: 'Issuer Ready condition' },
  { group: 'cert-manager.io', resource: 'clusterissuers', verbs: ['list', 'watch'], why: 'ClusterIssuer informer', clusterScoped: true },
  { group: 'cert-manager.io', resource: 'clusterissuers/status', verbs: ['update'], why: 'ClusterIssuer Ready condition', clusterScoped: true },
  {
    group: '',
    resource: 'secrets',
    verbs: ['list', 'watch'],
    why: 'informer of Secrets labelled controller.cert-manager.io/fao=true, and watches of the Secrets Issuers reference (RBAC cannot restrict by label)',
  },
  { group: '', resource: 'secrets', verbs: ['get'], why: 'reads of target Secrets not yet labelled and of issuer CA / credential Secrets' },
  {
    group: '',
    resource: 'secrets',
    verbs: ['create', 'patch', 'delete'],
    why: 'target Secrets written by server-side apply (create or patch); next-private-key Secrets created and deleted',
  },
  { group: '', resource: 'secrets', verbs: ['update'], why: 'ACME account key Secrets rewritten when the registration changes' },
  { group: 'acme.cert-manager.io', resource: 'orders', verbs: ['list', 'watch'], why: 'Order informer' },
  { group: 'acme.cert-manager.io', resource: 'orders', verbs: ['create', 'delete'], why: 'an ACME Order per CertificateRequest; a failed one replaced' },
  { group: 'acme.cert-manager.io', resource: 'orders/status', verbs: ['update'], why: 'Order state, authorizations, certificate' },
  { group: 'acme.cert-manager.io', resource: 'challenges', verbs: ['list', 'watch'], why: 'Challenge informer' },
  {
    group: 'acme.cert-manager.io',
    resource: 'challenges',
    verbs: ['create', 'patch', 'delete'],
    why: 'a Challenge per authorization; its finalizer added and removed (patch); deleted with its Order',
  },
  { group: 'acme.cert-manager.io', resource: 'challenges/status', verbs: ['update'], why: 'Challenge state, presented, reason' },
  { group: '', resource: 'events', verbs: ['create', 'patch'], why: 'Events on Certificates, CertificateRequests and Issuers (repeats patch the count)' },
  { group: 'networking.k8s.io', resource: 'ingresses', verbs: ['list', 'watch'], why: 'ingress-shim informer' },
  { group: 'gateway.networking.k8s.io', resource: 'gateways', verbs: ['list', 'watch'], why: 'gateway-shim informer, and the start-up check that the Gateway API is served' },
  { group: 'networking.k8s.io', resource: 'ingresses', verbs: ['create', 'delete'], why: 'HTTP-01 service mode: a solver Ingress per Challenge' },
  { group: 'networking.k8s.io', resource: 'ingresses', verbs: ['get', 'update'], why: 'HTTP-01 edit in place: the challenge path added to and removed from the named Ingress' },
  { group: 'gateway.networking.k8s.io', resource: 'httproutes', verbs: ['create', 'delete'], why: 'HTTP-01 service mode: a solver HTTPRoute per Challenge' },
  { group: '', resource: 'services', verbs: ['create', 'delete'], why: 'HTTP-01: an ExternalName Service to the token Service for a Challenge in another namespace (service mode), the solver Pod Service (pod mode)' },
  { group: '', resource: 'pods', verbs: ['create', 'delete'], why: 'HTTP-01 pod mode: a solver Pod per Challenge' },
];

/** Granted only with cainjector.enabled (cluster-wide mode): CA bundles written into these. */
export const CAINJECTOR_PERMISSIONS: readonly Permission[] = [
  { group: 'admissionregistration.k8s.io', resource: 'validatingwebhookconfigurations', verbs: ['list', 'watch', 'patch'], why: 'cainjector', clusterScoped: true },
  { group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', verbs: ['list', 'watch', 'patch'], why: 'cainjector', clusterScoped: true },
  { group: 'apiregistration.k8s.io', resource: 'apiservices', verbs: ['list', 'watch', 'patch'], why: 'cainjector', clusterScoped: true },
  { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', verbs: ['list', 'watch', 'patch'], why: 'cainjector (conversion webhooks)', clusterScoped: true },
];

/** Granted in the release namespace only: leader election and shard Leases. */
export const LEASE_PERMISSIONS: readonly Permission[] = [
  {
    group: 'coordination.k8s.io',
    resource: 'leases',
    verbs: ['list', 'create', 'update', 'delete'],
    why: 'one list per round; shard and member Leases created and renewed; member Leases of gone replicas deleted',
  },
];

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: Verb[];
}

/** Kubernetes PolicyRules: permissions with the same group and verbs share a rule. */
export function policyRules(permissions: readonly Permission[]): PolicyRule[] {
  const rules = new Map<string, PolicyRule>();
  for (const p of permissions) {
    const verbs = [...p.verbs].sort();
    const key = `${p.group}|${verbs.join(',')}`;
    const rule = rules.get(key) ?? { apiGroups: [p.group], resources: [], verbs };
    if (!rule.resources.includes(p.resource)) rule.resources.push(p.resource);
    rules.set(key, rule);
  }
  return [...rules.values()];
}

/** Whether `rules` allow `verb` on `group`/`resource`. */
export function allows(rules: readonly PolicyRule[], group: string, resource: string, verb: string): boolean {
  return rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && (r.verbs as string[]).includes(verb));
}

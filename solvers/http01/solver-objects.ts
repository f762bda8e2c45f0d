/**
 * The objects HTTP-01 in a cluster routes the ACME server's request with (reference §2.12,
 * cert-manager's `pkg/issuer/acme/http`): a solver Ingress (class annotation, `ingressClassName`,
 * or a path rule edited into a named Ingress) or a Gateway API HTTPRoute, for the challenge's
 * domain and `/.well-known/acme-challenge/<token>`, labelled as cert-manager labels them and
 * controlled by the Challenge. Their backend is the controller's own token Service; an Ingress or
 * HTTPRoute can only name a Service of its own namespace, so for a Challenge elsewhere an
 * ExternalName Service in the Challenge's namespace forwards to it. In pod mode the backend is
 * cert-manager's per-challenge solver Pod (`certwright acme-http01-solver`) and its Service.
 * Pure builders; the solver (cluster-solver.ts) writes them.
 */
import type { Challenge, HTTP01Ingress, ParentReference, PodTemplate } from '../../api/types.js';
import type { KubeObject } from '../../apiserver/admission.js';
import { computeName } from '../../issuers/acme/orders.js';
import { CHALLENGE_PATH_PREFIX, SOLVER_POD_PORT } from './listener.js';

export { SOLVER_POD_PORT };

export const HTTP01_SOLVER_LABEL = 'acme.cert-manager.io/http01-solver';
export const HTTP_DOMAIN_LABEL = 'acme.cert-manager.io/http-domain';
export const HTTP_TOKEN_LABEL = 'acme.cert-manager.io/http-token';
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** cert-manager opens nginx's allow-list for the ACME server unless the template sets one. */
export const NGINX_WHITELIST_ANNOTATION = 'nginx.ingress.kubernetes.io/whitelist-source-range';
const WHITELIST_SUFFIX = '/whitelist-source-range';
const SOLVER_NAME_PREFIX = 'cm-acme-http-solver';
const CLUSTER_DOMAIN = 'cluster.local';

/** Where the controller's token listener is reachable in the cluster (`--acme-http01-solver-service-*`). */
export interface TokenService {
  name: string;
  namespace: string;
  port: number;
}

export interface IngressPath {
  path: string;
  pathType: 'Exact' | 'ImplementationSpecific';
  backend: { service: { name: string; port: { number: number } } };
}

export interface IngressRule {
  host?: string;
  http?: { paths: IngressPath[] };
}

export interface SolverIngress extends KubeObject {
  spec?: { ingressClassName?: string; rules?: IngressRule[]; [field: string]: unknown };
}

export interface SolverHttpRoute extends KubeObject {
  spec: {
    parentRefs: ParentReference[];
    hostnames: string[];
    rules: Array<{
      matches: Array<{ path: { type: 'Exact'; value: string } }>;
      backendRefs: Array<{ group: ''; kind: 'Service'; name: string; port: number; weight: number }>;
    }>;
  };
}

export interface ServicePort {
  name: string;
  port: number;
  targetPort: number;
  protocol: 'TCP';
}

export interface ProxyService extends KubeObject {
  spec: { type: 'ExternalName'; externalName: string; ports: ServicePort[] };
}

/** The Service an Ingress or HTTPRoute of `challenge` names, and the ExternalName Service to create when it is not the token Service itself. */
export interface ChallengeBackend {
  serviceName: string;
  port: number;
  proxy?: ProxyService;
}

/** `--acme-http01-solver-image`, `-resource-{request,limits}-{cpu,memory}`, `-run-as-non-root`. */
export interface SolverPodOptions {
  image: string;
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  runAsNonRoot: boolean;
}

type PodSpecTemplate = NonNullable<PodTemplate['spec']>;

export interface SolverPod extends KubeObject {
  spec: Omit<PodSpecTemplate, 'resources'> & {
    restartPolicy: 'OnFailure';
    enableServiceLinks: false;
    automountServiceAccountToken: false;
    nodeSelector: Record<string, string>;
    containers: Array<{
      name: string;
      image: string;
      imagePullPolicy: 'IfNotPresent';
      args: string[];
      resources: NonNullable<PodSpecTemplate['resources']>;
      ports: Array<{ name: string; containerPort: number; protocol: 'TCP' }>;
      securityContext: { allowPrivilegeEscalation: false; capabilities: { drop: ['ALL'] } };
    }>;
  };
}

export interface SolverPodService extends KubeObject {
  spec: { type: 'ClusterIP' | 'NodePort'; ports: ServicePort[]; selector: Record<string, string> };
}

/** zlib's Adler-32, as cert-manager's http-domain and http-token labels use it (decimal). */
export function adler32(text: string): number {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return (b * 65536 + a) >>> 0;
}

export const challengePath = (challenge: Challenge): string => `${CHALLENGE_PATH_PREFIX}${challenge.spec.token}`;

/** The name of every object made for `challenge` (a DNS-1035 label, stable across restarts). */
export const solverObjectName = (challenge: Challenge): string => computeName(SOLVER_NAME_PREFIX, challenge.metadata.name ?? '');

/** cert-manager's solver labels: the domain and token (Adler-32) and the solver marker. */
export function solverLabels(challenge: Challenge): Record<string, string> {
  return {
    [HTTP_DOMAIN_LABEL]: String(adler32(challenge.spec.dnsName)),
    [HTTP_TOKEN_LABEL]: String(adler32(challenge.spec.token)),
    [HTTP01_SOLVER_LABEL]: 'true',
  };
}

function solverMetadata(challenge: Challenge, labels: Record<string, string>, annotations?: Record<string, string>): KubeObject['metadata'] {
  const { name, namespace, uid } = challenge.metadata;
  return {
    name: solverObjectName(challenge),
    ...(namespace ? { namespace } : {}),
    labels,
    ...(annotations ? { annotations } : {}),
    ownerReferences: [{ apiVersion: challenge.apiVersion, kind: 'Challenge', name: name ?? '', uid: uid ?? '', controller: true, blockOwnerDeletion: true }],
  };
}

export function challengeBackend(challenge: Challenge, service: TokenService): ChallengeBackend {
  if (challenge.metadata.namespace === service.namespace) return { serviceName: service.name, port: service.port };
  const proxy: ProxyService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: solverMetadata(challenge, solverLabels(challenge)),
    spec: {
      type: 'ExternalName',
      externalName: `${service.name}.${service.namespace}.svc.${CLUSTER_DOMAIN}`,
      ports: [{ name: 'http', port: service.port, targetPort: service.port, protocol: 'TCP' }],
    },
  };
  return { serviceName: proxy.metadata.name!, port: service.port, proxy };
}

export function ingressPath(challenge: Challenge, backend: ChallengeBackend, pathTypeExact: boolean): IngressPath {
  return {
    path: challengePath(challenge),
    pathType: pathTypeExact ? 'Exact' : 'ImplementationSpecific',
    backend: { service: { name: backend.serviceName, port: { number: backend.port } } },
  };
}

/** The solver Ingress of a `class` / `ingressClassName` (or neither) solver, template labels and annotations merged over the defaults. */
export function solverIngress(challenge: Challenge, config: HTTP01Ingress, backend: ChallengeBackend, pathTypeExact: boolean): SolverIngress {
  const template = config.ingressTemplate?.metadata;
  const templateAnnotations = template?.annotations ?? {};
  const keepWhitelist = !Object.keys(templateAnnotations).some((key) => key.endsWith(WHITELIST_SUFFIX));
  const annotations = {
    ...(keepWhitelist ? { [NGINX_WHITELIST_ANNOTATION]: '0.0.0.0/0,::/0' } : {}),
    ...(config.class !== undefined ? { [INGRESS_CLASS_ANNOTATION]: config.class } : {}),
    ...templateAnnotations,
  };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: solverMetadata(challenge, { ...solverLabels(challenge), ...template?.labels }, annotations),
    spec: {
      ...(config.ingressClassName !== undefined ? { ingressClassName: config.ingressClassName } : {}),
      rules: [{ host: challenge.spec.dnsName, http: { paths: [ingressPath(challenge, backend, pathTypeExact)] } }],
    },
  };
}

/**
 * The rules of an edited-in-place Ingress with the challenge path on the domain's rule (replacing
 * a path with the same value, appending a rule when there is none), or undefined when it is
 * already there unchanged.
 */
export function rulesWithChallengePath(rules: readonly IngressRule[], challenge: Challenge, path: IngressPath): IngressRule[] | undefined {
  const index = rules.findIndex((rule) => rule.host === challenge.spec.dnsName);
  if (index === -1) return [...rules, { host: challenge.spec.dnsName, http: { paths: [path] } }];
  const rule = rules[index]!;
  const paths = rule.http?.paths ?? [];
  const existing = paths.findIndex((p) => p.path === path.path);
  if (existing !== -1 && JSON.stringify(paths[existing]!.backend) === JSON.stringify(path.backend)) return undefined;
  const nextPaths = existing === -1 ? [...paths, path] : paths.map((p, i) => (i === existing ? path : p));
  return rules.map((r, i) => (i === index ? { ...rule, http: { ...rule.http, paths: nextPaths } } : r));
}

/** The rules without the challenge path on the domain's rule (dropping the rule if it empties), or undefined when there is nothing to remove. */
export function rulesWithoutChallengePath(rules: readonly IngressRule[], challenge: Challenge): IngressRule[] | undefined {
  const path = challengePath(challenge);
  const has = (rule: IngressRule) => rule.host === challenge.spec.dnsName && (rule.http?.paths ?? []).some((p) => p.path === path);
  if (!rules.some(has)) return undefined;
  return rules.flatMap((rule) => {
    if (!has(rule)) return [rule];
    const paths = rule.http!.paths.filter((p) => p.path !== path);
    return paths.length === 0 ? [] : [{ ...rule, http: { ...rule.http, paths } }];
  });
}

/** The solver HTTPRoute: the solver's parentRefs and labels, the domain as hostname, an exact match on the challenge path. */
export function solverHttpRoute(challenge: Challenge, backend: ChallengeBackend): SolverHttpRoute {
  const config = challenge.spec.solver.http01?.gatewayHTTPRoute ?? {};
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: solverMetadata(challenge, { ...solverLabels(challenge), ...config.labels }),
    spec: {
      parentRefs: config.parentRefs ?? [],
      hostnames: [challenge.spec.dnsName],
      rules: [
        {
          matches: [{ path: { type: 'Exact', value: challengePath(challenge) } }],
          backendRefs: [{ group: '', kind: 'Service', name: backend.serviceName, port: backend.port, weight: 1 }],
        },
      ],
    },
  };
}

const podTemplateOf = (challenge: Challenge): PodTemplate | undefined => {
  const http01 = challenge.spec.solver.http01;
  return http01?.ingress?.podTemplate ?? http01?.gatewayHTTPRoute?.podTemplate;
};

/**
 * cert-manager's solver Pod (`buildDefaultPod` and `mergePodObjectMetaWithPodTemplate`): the solver
 * command serving the one token, locked down, with the `podTemplate` merged in — labels,
 * annotations and node selector merged, tolerations and pull secrets appended, the other fields
 * replacing the defaults.
 */
export function solverPod(challenge: Challenge, options: SolverPodOptions): SolverPod {
  const template = podTemplateOf(challenge);
  const spec = template?.spec ?? {};
  const securityContext = { runAsNonRoot: options.runAsNonRoot, seccompProfile: { type: 'RuntimeDefault' }, ...spec.securityContext };
  const annotations = { 'sidecar.istio.io/inject': 'false', 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true', ...template?.metadata?.annotations };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: solverMetadata(challenge, { ...solverLabels(challenge), ...template?.metadata?.labels }, annotations),
    spec: {
      nodeSelector: { 'kubernetes.io/os': 'linux', ...spec.nodeSelector },
      ...(spec.tolerations ? { tolerations: spec.tolerations } : {}),
      ...(spec.affinity ? { affinity: spec.affinity } : {}),
      ...(spec.priorityClassName ? { priorityClassName: spec.priorityClassName } : {}),
      ...(spec.serviceAccountName ? { serviceAccountName: spec.serviceAccountName } : {}),
      ...(spec.imagePullSecrets ? { imagePullSecrets: spec.imagePullSecrets } : {}),
      restartPolicy: 'OnFailure',
      securityContext: securityContext as SolverPod['spec']['securityContext'],
      enableServiceLinks: false,
      automountServiceAccountToken: false,
      containers: [
        {
          name: 'acmesolver',
          image: options.image,
          imagePullPolicy: 'IfNotPresent',
          args: solverCommandArgs(challenge),
          resources: spec.resources ?? { requests: { ...options.requests }, limits: { ...options.limits } },
          ports: [{ name: 'http', containerPort: SOLVER_POD_PORT, protocol: 'TCP' }],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
}

/** The solver command line in the Pod (certwright's image runs `certwright`): cert-manager's acmesolver flags. */
export function solverCommandArgs(challenge: Challenge): string[] {
  const { dnsName, token, key } = challenge.spec;
  return ['acme-http01-solver', `--listen-port=${SOLVER_POD_PORT}`, `--domain=${dnsName}`, `--token=${token}`, `--key=${key}`];
}

/** The solver Pod's Service (the solver's `serviceType`, NodePort by default), selecting it by the solver labels. */
export function solverPodService(challenge: Challenge): SolverPodService {
  const http01 = challenge.spec.solver.http01;
  const labels = solverLabels(challenge);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: solverMetadata(challenge, labels, { [`auth.istio.io/${SOLVER_POD_PORT}`]: 'NONE' }),
    spec: {
      type: http01?.ingress?.serviceType ?? http01?.gatewayHTTPRoute?.serviceType ?? 'NodePort',
      ports: [{ name: 'http', port: SOLVER_POD_PORT, targetPort: SOLVER_POD_PORT, protocol: 'TCP' }],
      selector: labels,
    },
  };
}

/**
 * The chart's values: every one documented, with its default. `values.yaml` and the values table
 * in the chart's README are written from this list.
 */
import { DEFAULT_LEADER_ELECTION } from '../../controller/leader/leases.js';
import { DEFAULT_WORKERS } from '../../controller/runtime/controller.js';
import { DEFAULT_CLIENT_RATE } from '../../controller/runtime/token-bucket.js';
import { DEFAULT_MAX_CONCURRENT_ISSUANCES } from '../../controller/certificates/issuance-slots.js';

/** The chart's version and appVersion, the package's version (a test keeps them equal). */
export const CHART_VERSION = '0.1.0';

export interface ValueDoc {
  path: string;
  default: unknown;
  doc: string;
}

const seconds = (ms: number) => `${ms / 1000}s`;

export const APP_LABELS = { 'app.kubernetes.io/name': 'certwright', 'app.kubernetes.io/component': 'controller' };

export const VALUES: readonly ValueDoc[] = [
  { path: 'image.repository', default: 'ghcr.io/certwright/certwright', doc: 'Controller image (built from the repository Dockerfile).' },
  { path: 'image.tag', default: CHART_VERSION, doc: "Image tag (the chart's appVersion)." },
  { path: 'image.pullPolicy', default: 'IfNotPresent', doc: 'Image pull policy.' },
  { path: 'imagePullSecrets', default: [], doc: 'Secrets for pulling the image from a private registry.' },
  { path: 'replicaCount', default: 2, doc: 'Controller replicas. With leaderElection.shards > 1 they split the Certificates; otherwise one leads and the others stand by.' },
  {
    path: 'leaderElection.shards',
    default: 2,
    doc: 'Shard Leases (certwright-shard-<i>) the Certificates are split over by a stable hash of namespace/name; 1 is plain leader election. Best equal to replicaCount.',
  },
  { path: 'leaderElection.leaseDuration', default: seconds(DEFAULT_LEADER_ELECTION.leaseDurationMs), doc: 'How long other replicas wait after the last renewal before taking a shard over.' },
  { path: 'leaderElection.renewDeadline', default: seconds(DEFAULT_LEADER_ELECTION.renewDeadlineMs), doc: 'How long a replica keeps working on a shard it could not renew; shorter than leaseDuration.' },
  { path: 'leaderElection.retryPeriod', default: seconds(DEFAULT_LEADER_ELECTION.retryPeriodMs), doc: 'Time between Lease rounds.' },
  {
    path: 'watchNamespace',
    default: '',
    doc: 'Watch only this namespace (--namespace): RBAC becomes a Role in that namespace and ClusterIssuers are not served. Empty: the whole cluster.',
  },
  { path: 'controllers', default: '*', doc: "Controllers to run (--controllers), e.g. '*,-ingress-shim'." },
  { path: 'workers', default: DEFAULT_WORKERS, doc: 'Reconciles in parallel per controller (--concurrent-workers).' },
  {
    path: 'maxConcurrentIssuances',
    default: DEFAULT_MAX_CONCURRENT_ISSUANCES,
    doc: 'Certificates in issuance at once (--max-concurrent-issuances); more wait in line, in order. Bounds the memory a burst of new Certificates takes.',
  },
  { path: 'kubeApiQps', default: DEFAULT_CLIENT_RATE.qps, doc: 'Client-side API rate limit, requests per second.' },
  { path: 'kubeApiBurst', default: DEFAULT_CLIENT_RATE.burst, doc: 'Client-side API rate limit burst.' },
  { path: 'featureGates', default: '', doc: "cert-manager feature gates, e.g. 'ExperimentalGatewayAPISupport=false'." },
  { path: 'ingressShim.defaultIssuerName', default: '', doc: 'Issuer of Ingresses that only set kubernetes.io/tls-acme: "true".' },
  { path: 'ingressShim.defaultIssuerKind', default: 'Issuer', doc: 'Kind of that issuer (Issuer or ClusterIssuer).' },
  { path: 'ingressShim.defaultIssuerGroup', default: 'cert-manager.io', doc: 'API group of that issuer.' },
  { path: 'gatewayApi.enabled', default: false, doc: 'Run the gateway-shim (--enable-gateway-api); the Gateway API CRDs must be installed.' },
  { path: 'backoff.minimum', default: '1h', doc: 'First retry delay after a failed issuance.' },
  { path: 'backoff.maximum', default: '32h', doc: 'Longest retry delay after failed issuances.' },
  { path: 'logLevel', default: 'info', doc: 'fatal, error, warn, info, debug or trace.' },
  { path: 'extraArgs', default: [], doc: 'More `certwright run` flags; a flag given here overrides the one the chart sets.' },
  { path: 'extraEnv', default: [], doc: 'Environment variables for the controller container (CERTWRIGHT_<FLAG> sets any flag).' },
  { path: 'cainjector.enabled', default: false, doc: 'Run CA injection in-process (add cainjector to controllers too); grants patch on webhook configurations, APIServices and CRDs.' },
  {
    path: 'http01.enabled',
    default: false,
    doc: 'Create the certwright-http01 Service (port 80) in front of the HTTP-01 token listener every replica runs, which the solver Ingresses and HTTPRoutes of HTTP-01 challenges route to (--acme-http01-solver-mode=service, the default in a cluster): turn on for HTTP-01.',
  },
  { path: 'http01.port', default: 8089, doc: 'Container port of the HTTP-01 token listener (--acme-http01-solver-address; unprivileged, the Service listens on 80).' },
  { path: 'crds.enabled', default: true, doc: 'Install the cert-manager.io CRDs with the chart (kept on uninstall: helm.sh/resource-policy: keep).' },
  { path: 'serviceAccount.create', default: true, doc: 'Create the ServiceAccount.' },
  { path: 'serviceAccount.name', default: 'certwright', doc: 'ServiceAccount name (created or existing).' },
  { path: 'serviceAccount.annotations', default: {}, doc: 'Annotations on the ServiceAccount (e.g. a cloud IAM role for DNS-01).' },
  { path: 'podAnnotations', default: {}, doc: 'Annotations on the controller pods.' },
  { path: 'podLabels', default: {}, doc: 'Extra labels on the controller pods.' },
  { path: 'resources', default: { requests: { cpu: '50m', memory: '192Mi' }, limits: { memory: '1Gi' } }, doc: 'Container resources. Memory grows with the number of Certificates and Secrets cached.' },
  { path: 'nodeSelector', default: {}, doc: 'Node selector for the controller pods.' },
  { path: 'tolerations', default: [], doc: 'Tolerations for the controller pods.' },
  { path: 'affinity', default: {}, doc: 'Affinity for the controller pods.' },
  {
    path: 'topologySpreadConstraints',
    default: [
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: APP_LABELS } },
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: APP_LABELS } },
    ],
    doc: 'Spread replicas over nodes and zones, so one node or zone failure takes at most one shard holder.',
  },
  { path: 'priorityClassName', default: '', doc: 'Priority class of the controller pods.' },
  { path: 'podDisruptionBudget.enabled', default: true, doc: 'Create a PodDisruptionBudget.' },
  { path: 'podDisruptionBudget.maxUnavailable', default: 1, doc: 'Replicas a voluntary disruption may take down at once.' },
  { path: 'metrics.port', default: 9402, doc: 'Port of /metrics (Service port http-metrics).' },
  { path: 'monitoring.serviceMonitor.enabled', default: false, doc: 'Create a Prometheus Operator ServiceMonitor.' },
  { path: 'monitoring.podMonitor.enabled', default: false, doc: 'Create a Prometheus Operator PodMonitor (instead of the ServiceMonitor).' },
  { path: 'monitoring.interval', default: '60s', doc: 'Scrape interval.' },
  { path: 'monitoring.labels', default: {}, doc: "Labels the Prometheus Operator's selectors look for on monitors and rules." },
  {
    path: 'monitoring.prometheusRule.enabled',
    default: false,
    doc: 'Create a PrometheusRule with the tested alerts of deploy/prometheus/ (expiry as a fraction of lifetime, not ready, ACME 429s, controller absent, shard unowned).',
  },
  { path: 'monitoring.dashboard.enabled', default: false, doc: 'Create a ConfigMap holding the Grafana dashboard (for the Grafana sidecar).' },
  { path: 'monitoring.dashboard.labels', default: { grafana_dashboard: '1' }, doc: "Labels the Grafana sidecar's selector looks for." },
];

/** The values as the nested object Helm sees. */
export function defaultValues(): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const { path, default: value } of VALUES) {
    const keys = path.split('.');
    let node = root;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys.at(-1)!] = structuredClone(value);
  }
  return root;
}

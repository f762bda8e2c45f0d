/**
 * The chart's templates, file by file, as manifest trees with template expressions (see
 * template.ts). Names are fixed (`certwright`): one installation per cluster, or per namespace with
 * watchNamespace.
 */
import { defaultListenAddresses } from '../../controller/observability/http.js';
import { grafanaDashboard } from './dashboard.js';
import { CAINJECTOR_PERMISSIONS, CONTROLLER_PERMISSIONS, LEASE_PERMISSIONS, policyRules, type Permission } from './rbac.js';
import { concat, mergeYaml, releaseName, releaseNamespace, toYaml, value, type Expression, type TemplateDocument } from './template.js';
import { APP_LABELS, CHART_VERSION } from './values.js';

export const NAME = 'certwright';
const HEALTH_PORT = Number(defaultListenAddresses.cluster.health.split(':')[1]);

const labels = { ...APP_LABELS, 'app.kubernetes.io/instance': releaseName, 'app.kubernetes.io/version': CHART_VERSION, 'app.kubernetes.io/managed-by': 'certwright-chart' };
const meta = (name: string | Expression, extra: object = {}) => ({ name, namespace: releaseNamespace, labels, ...extra });

export interface ChartInputs {
  /** The rule groups of deploy/prometheus/*-alerts.yaml. */
  alertRules: { groups: unknown[] };
  /** Parsed crds/all.yaml documents. */
  crds: object[];
}

function deployment(): TemplateDocument {
  const args = [
    'run',
    concat`--cluster-resource-namespace=${releaseNamespace}`,
    concat`--namespace=${value('watchNamespace')}`,
    '--leader-elect=true',
    concat`--leader-election-namespace=${releaseNamespace}`,
    concat`--leader-election-shards=${value('leaderElection.shards')}`,
    concat`--leader-election-lease-duration=${value('leaderElection.leaseDuration')}`,
    concat`--leader-election-renew-deadline=${value('leaderElection.renewDeadline')}`,
    concat`--leader-election-retry-period=${value('leaderElection.retryPeriod')}`,
    concat`--controllers=${value('controllers')}`,
    concat`--workers=${value('workers')}`,
    concat`--max-concurrent-issuances=${value('maxConcurrentIssuances')}`,
    concat`--kube-api-qps=${value('kubeApiQps')}`,
    concat`--kube-api-burst=${value('kubeApiBurst')}`,
    concat`--feature-gates=${value('featureGates')}`,
    concat`--default-issuer-name=${value('ingressShim.defaultIssuerName')}`,
    concat`--default-issuer-kind=${value('ingressShim.defaultIssuerKind')}`,
    concat`--default-issuer-group=${value('ingressShim.defaultIssuerGroup')}`,
    concat`--enable-gateway-api=${value('gatewayApi.enabled')}`,
    concat`--certificate-request-minimum-backoff-duration=${value('backoff.minimum')}`,
    concat`--certificate-request-maximum-backoff-duration=${value('backoff.maximum')}`,
    concat`--log-level=${value('logLevel')}`,
    concat`--metrics-address=0.0.0.0:${value('metrics.port')}`,
    `--health-address=0.0.0.0:${HEALTH_PORT}`,
    // Always an unprivileged port: the flag's default (:80) cannot be bound without capabilities.
    concat`--acme-http01-solver-address=0.0.0.0:${value('http01.port')}`,
    // Solver Ingresses and HTTPRoutes route to the token Service below (services.yaml).
    `--acme-http01-solver-service-name=${NAME}-http01`,
    concat`--acme-http01-solver-service-namespace=${releaseNamespace}`,
    // --acme-http01-solver-mode=pod runs this very image as `certwright acme-http01-solver`.
    concat`--acme-http01-solver-image=${value('image.repository')}:${value('image.tag')}`,
    toYaml('extraArgs'),
  ];
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'http-healthz' },
    periodSeconds,
    timeoutSeconds: 5,
    failureThreshold,
  });
  return {
    manifest: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(NAME),
      spec: {
        replicas: value('replicaCount'),
        selector: { matchLabels: APP_LABELS },
        template: {
          metadata: { labels: { ...labels, extraLabels: mergeYaml('podLabels') }, annotations: toYaml('podAnnotations') },
          spec: {
            serviceAccountName: value('serviceAccount.name'),
            automountServiceAccountToken: true,
            enableServiceLinks: false,
            priorityClassName: value('priorityClassName'),
            imagePullSecrets: toYaml('imagePullSecrets'),
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            // Stopping finishes reconciles in flight, writes pending Events and releases the Leases.
            terminationGracePeriodSeconds: 60,
            containers: [
              {
                name: 'controller',
                image: concat`${value('image.repository')}:${value('image.tag')}`,
                imagePullPolicy: value('image.pullPolicy'),
                args,
                env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, toYaml('extraEnv')],
                ports: [
                  { name: 'http-metrics', containerPort: value('metrics.port'), protocol: 'TCP' },
                  { name: 'http-healthz', containerPort: HEALTH_PORT, protocol: 'TCP' },
                  { name: 'http-acme', containerPort: value('http01.port'), protocol: 'TCP' },
                ],
                livenessProbe: { ...probe('/livez', 10, 8), initialDelaySeconds: 10 },
                readinessProbe: probe('/readyz', 5, 3),
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                resources: toYaml('resources'),
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
            nodeSelector: toYaml('nodeSelector'),
            tolerations: toYaml('tolerations'),
            affinity: toYaml('affinity'),
            topologySpreadConstraints: toYaml('topologySpreadConstraints'),
          },
        },
      },
    },
  };
}

/** A ClusterRole (no namespace) or Role granting `permissions`, and its binding to the ServiceAccount, both under `when`. */
function roleWithBinding(kind: 'ClusterRole' | 'Role', name: string, permissions: readonly Permission[], options: { namespace?: Expression; when?: TemplateDocument['when'] } = {}): TemplateDocument[] {
  const metadata = options.namespace === undefined ? { name, labels } : { name, namespace: options.namespace, labels };
  const subjects = [{ kind: 'ServiceAccount', name: value('serviceAccount.name'), namespace: releaseNamespace }];
  const when = options.when ? { when: options.when } : {};
  return [
    { ...when, manifest: { apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata, rules: policyRules(permissions) } },
    {
      ...when,
      manifest: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: `${kind}Binding`, metadata, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name }, subjects },
    },
  ];
}

function rbac(): TemplateDocument[] {
  return [
    ...roleWithBinding('ClusterRole', NAME, CONTROLLER_PERMISSIONS, { when: { path: 'watchNamespace', negate: true } }),
    ...roleWithBinding('ClusterRole', `${NAME}-cainjector`, CAINJECTOR_PERMISSIONS, { when: { path: 'cainjector.enabled' } }),
    ...roleWithBinding('Role', NAME, CONTROLLER_PERMISSIONS.filter((p) => !p.clusterScoped), { namespace: value('watchNamespace'), when: { path: 'watchNamespace' } }),
    ...roleWithBinding('Role', `${NAME}-leases`, LEASE_PERMISSIONS, { namespace: releaseNamespace }),
  ];
}

const service = (name: string, port: object): object => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: meta(name),
  spec: { type: 'ClusterIP', selector: APP_LABELS, ports: [port] },
});

const monitorMeta = () => ({ ...meta(NAME), labels: { ...labels, extraLabels: mergeYaml('monitoring.labels') } });

/** A Prometheus Operator ServiceMonitor or PodMonitor scraping port http-metrics. */
function monitor(kind: 'ServiceMonitor' | 'PodMonitor', endpointsField: 'endpoints' | 'podMetricsEndpoints', enabled: string): TemplateDocument {
  return {
    when: { path: enabled },
    manifest: {
      apiVersion: 'monitoring.coreos.com/v1',
      kind,
      metadata: monitorMeta(),
      spec: {
        jobLabel: 'app.kubernetes.io/name',
        selector: { matchLabels: APP_LABELS },
        namespaceSelector: { matchNames: [releaseNamespace] },
        [endpointsField]: [{ port: 'http-metrics', path: '/metrics', interval: value('monitoring.interval') }],
      },
    },
  };
}

/** Template file → its documents. */
export function chartTemplates(inputs: ChartInputs): Record<string, TemplateDocument[]> {
  return {
    'crds.yaml': inputs.crds.map((crd) => {
      const metadata = (crd as { metadata: object }).metadata;
      return { when: { path: 'crds.enabled' }, manifest: { ...crd, metadata: { ...metadata, annotations: { 'helm.sh/resource-policy': 'keep' } } } };
    }),
    'serviceaccount.yaml': [
      {
        when: { path: 'serviceAccount.create' },
        manifest: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { ...meta(value('serviceAccount.name')), annotations: toYaml('serviceAccount.annotations') } },
      },
    ],
    'rbac.yaml': rbac(),
    'deployment.yaml': [deployment()],
    'services.yaml': [
      { manifest: service(NAME, { name: 'http-metrics', port: value('metrics.port'), targetPort: 'http-metrics', protocol: 'TCP' }) },
      { when: { path: 'http01.enabled' }, manifest: service(`${NAME}-http01`, { name: 'http', port: 80, targetPort: 'http-acme', protocol: 'TCP' }) },
    ],
    'poddisruptionbudget.yaml': [
      {
        when: { path: 'podDisruptionBudget.enabled' },
        manifest: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(NAME), spec: { maxUnavailable: value('podDisruptionBudget.maxUnavailable'), selector: { matchLabels: APP_LABELS } } },
      },
    ],
    'monitoring.yaml': [
      monitor('ServiceMonitor', 'endpoints', 'monitoring.serviceMonitor.enabled'),
      monitor('PodMonitor', 'podMetricsEndpoints', 'monitoring.podMonitor.enabled'),
      {
        when: { path: 'monitoring.prometheusRule.enabled' },
        manifest: { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: monitorMeta(), spec: { groups: inputs.alertRules.groups } },
      },
      {
        when: { path: 'monitoring.dashboard.enabled' },
        manifest: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { ...meta(`${NAME}-dashboard`), labels: { ...labels, extraLabels: mergeYaml('monitoring.dashboard.labels') } },
          data: { 'certwright.json': JSON.stringify(grafanaDashboard(), null, 2) },
        },
      },
    ],
  };
}

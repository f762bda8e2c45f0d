/**
 * `certwright run`: the controller, against a cluster (kubeconfig or in-cluster config) or, in
 * local mode, against the embedded API server in a data directory. Flag names follow
 * cert-manager's controller where one exists; its spellings are accepted as aliases.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { parseDuration } from '../api/duration.js';
import { DEFAULT_ISSUANCE_BACKOFF, type IssuanceBackoff } from '../controller/certificates/backoff.js';
import { DEFAULT_RENEWAL_JITTER } from '../controller/certificates/renewal.js';
import { DEFAULT_COPIED_ANNOTATION_PREFIXES } from '../controller/certificates/requests.js';
import { enabledControllers } from '../controller/enabled-controllers.js';
import { startManager, type Manager } from '../controller/manager.js';
import { DEFAULT_AUTO_CERTIFICATE_ANNOTATIONS } from '../controller/ingress-shim/ingress.js';
import { DEFAULT_ISSUER_DEFAULTS, type IssuerDefaults } from '../controller/shim/annotations.js';
import { defaultListenAddresses } from '../controller/observability/http.js';
import { createLogger, parseLogLevel, type LogLevel } from '../controller/observability/log.js';
import { HeapCompactor, limitHeapGrowth, unpoolSmallBuffers } from '../controller/runtime/heap.js';
import { DEFAULT_WORKERS } from '../controller/runtime/controller.js';
import { DEFAULT_MAX_CONCURRENT_ISSUANCES } from '../controller/certificates/issuance-slots.js';
import { DEFAULT_CLIENT_RATE } from '../controller/runtime/token-bucket.js';
import { DEFAULT_CLUSTER_RESOURCE_NAMESPACE } from '../issuers/context.js';
import { DEFAULT_HTTP01_SOLVER_ADDRESS, DEFAULT_HTTP01_SOLVER_POD, DEFAULT_HTTP01_SOLVER_SERVICE, HTTP01_SOLVER_MODES, type AcmeOptions, type Http01SolverMode } from '../controller/acme/components.js';
import { packageVersion } from './package-version.js';
import { DEFAULT_CHECK_RETRY_PERIOD_MS } from '../controller/acme/challenges.js';
import { DEFAULT_MAX_CONCURRENT_CHALLENGES } from '../controller/acme/challenge-decisions.js';
import { DEFAULT_LEADER_ELECTION, checkLeaderElectionTimings, type LeaderElectionConfig } from '../controller/leader/leases.js';
import { registerCommand, type Io } from './commands.js';
import { configuredClusterSource, DEFAULT_LOCAL_DATA_DIR, kubeConfigFrom } from './kube.js';
import { envFlagValues, layerFlagValues, parseFeatureGates, readConfigFile, type FlagType, type FlagValues } from './config.js';
import type { LocalCluster } from './local-cluster.js';
import { applyManifests, readManifests } from './manifests.js';
import { UsageError } from './usage.js';

export interface RunFlags {
  kubeconfig?: string;
  local: boolean;
  dataDir: string;
  /** Embedded API server address in local mode (default a free loopback port). */
  apiServerAddress?: string;
  /** Undefined: the mode's default; '' turns the listener off. */
  metricsAddress?: string;
  healthAddress?: string;
  clusterResourceNamespace: string;
  controllers: string[];
  workers: number;
  /** `--max-concurrent-issuances`: Certificates in issuance at once. */
  maxConcurrentIssuances: number;
  kubeApiQps: number;
  kubeApiBurst: number;
  enableCertificateOwnerRef: boolean;
  issuanceBackoff: IssuanceBackoff;
  renewalJitter: number;
  disableApprover: boolean;
  logLevel: LogLevel;
  /** Logs go here (appended) instead of standard output. */
  logFile?: string;
  /** Manifests (files or directories) to server-side apply once running. */
  apply: string[];
  enableGatewayApi: boolean;
  gatewayApiExtraProtocols: string[];
  defaultIssuer: IssuerDefaults;
  autoCertificateAnnotations: string[];
  /** Certificate annotation prefixes copied to its CertificateRequests (`-` excludes). */
  copiedAnnotationPrefixes: string[];
  /** `--namespace`: watch one namespace only. */
  namespace?: string;
  /** `enabled` undefined: on when running in a cluster (in-cluster config), off otherwise. */
  leaderElection: Omit<LeaderElectionConfig, 'identity'> & { enabled: boolean | undefined };
  /** `--feature-gates` over cert-manager's defaults. */
  featureGates: Record<string, boolean>;
  /** `--config` fields read but not acted on (logged at start). */
  configIgnored: string[];
  /** The ACME flags (cert-manager's names). */
  acme: AcmeOptions;
}

export { UsageError };

export const runUsage = `Usage: certwright run [flags]

Runs the certificate controller. With --kubeconfig, $KUBECONFIG, ~/.kube/config or in-cluster
config it manages that cluster; otherwise (or with --local) it starts the embedded API server in
--data-dir, writes DIR/kubeconfig for kubectl, and manages that.

Flags (cert-manager's names in parentheses are accepted too):
  --kubeconfig FILE                       cluster to manage
  --local                                 local mode even if a cluster is configured
  --data-dir DIR                          local mode data directory (default ${DEFAULT_LOCAL_DATA_DIR})
  --api-server-address HOST:PORT          local mode API server address (default 127.0.0.1:<free>)
  --metrics-address HOST:PORT             /metrics (--metrics-listen-address); default
                                          ${defaultListenAddresses.local.metrics} locally, ${defaultListenAddresses.cluster.metrics} in a cluster; '' turns it off
  --health-address HOST:PORT              /livez, /readyz (--internal-healthz-listen-address);
                                          default ${defaultListenAddresses.local.health} locally, ${defaultListenAddresses.cluster.health} in a cluster
  --cluster-resource-namespace NS         where ClusterIssuer Secrets live (default ${DEFAULT_CLUSTER_RESOURCE_NAMESPACE})
  --controllers LIST                      e.g. '*,-certificaterequests-approver' (default *)
  --workers N                             workers per controller (--concurrent-workers, default ${DEFAULT_WORKERS})
  --max-concurrent-issuances N            Certificates in issuance at once; more wait in line, in order
                                          (default ${DEFAULT_MAX_CONCURRENT_ISSUANCES})
  --kube-api-qps N / --kube-api-burst N   client-side rate limit (default ${DEFAULT_CLIENT_RATE.qps} / ${DEFAULT_CLIENT_RATE.burst})
  --enable-certificate-owner-ref[=BOOL]   Secrets are deleted with their Certificate
  --certificate-request-minimum-backoff-duration D   first retry delay after a failure (default 1h)
  --certificate-request-maximum-backoff-duration D   longest retry delay (default 32h)
  --renewal-jitter F                      largest share of the renew-before window taken off, per
                                          Certificate, so renewals spread out (default ${DEFAULT_RENEWAL_JITTER})
  --disable-approver                      leave approval of CertificateRequests to another approver
  --log-level LEVEL                       fatal, error, warn, info (default), debug, trace, silent
  --log-file FILE                         append JSON logs to FILE instead of standard output
  --apply PATH                            server-side apply these manifests once running (repeatable)
  --enable-gateway-api[=BOOL]             run the gateway-shim (needs the Gateway API CRDs)
  --gateway-api-extra-protocols LIST      listener protocols besides HTTPS and TLS that get Certificates
  --default-issuer-name NAME              issuer of Ingresses that set only an auto-certificate annotation
  --default-issuer-kind KIND              (default ${DEFAULT_ISSUER_DEFAULTS.kind})
  --default-issuer-group GROUP            (default ${DEFAULT_ISSUER_DEFAULTS.group})
  --auto-certificate-annotations LIST     Ingress annotations that, set to true, ask for Certificates
                                          (default ${DEFAULT_AUTO_CERTIFICATE_ANNOTATIONS.join(',')})
  --copied-annotation-prefixes LIST       Certificate annotations copied to CertificateRequests: '*' or
                                          prefixes, '-prefix' excludes (default ${DEFAULT_COPIED_ANNOTATION_PREFIXES.join(',')})
  --namespace NS                          watch only this namespace (no ClusterIssuers)
  --leader-elect[=BOOL]                   reconcile only while holding a Lease (default: true in a
                                          cluster's pod, false otherwise)
  --leader-election-namespace NS          where the Leases live (default ${DEFAULT_LEADER_ELECTION.namespace})
  --leader-election-lease-duration D      (default 60s) / --leader-election-renew-deadline D (40s) /
  --leader-election-retry-period D        (15s): how long a Lease lasts, is kept, is retried
  --leader-election-shards N              split Certificates over N shard Leases held by different
                                          replicas (default 1: plain leader election)
  --acme-http01-solver-address ADDR       built-in HTTP-01 responder serving every http01 solver (default ${DEFAULT_HTTP01_SOLVER_ADDRESS})
  --acme-http01-solver-nameservers LIST   host:port resolvers for the HTTP-01 self-check
  --acme-http01-solver-mode MODE          local: the responder alone answers; service: per Challenge a
                                          solver Ingress or HTTPRoute routes to the responder's Service
                                          (default local in local mode, service against a cluster);
                                          pod: it routes to a solver Pod per Challenge (as cert-manager)
  --acme-http01-solver-service-name NAME  that Service (default ${DEFAULT_HTTP01_SOLVER_SERVICE.name}) /
  --acme-http01-solver-service-namespace NS  its namespace (default --cluster-resource-namespace) /
  --acme-http01-solver-service-port N     its port (default ${DEFAULT_HTTP01_SOLVER_SERVICE.port})
  --acme-http01-solver-image IMAGE        pod mode: image running \`certwright acme-http01-solver\`
                                          (default ${DEFAULT_HTTP01_SOLVER_POD.imageRepository}:<version>)
  --acme-http01-solver-resource-request-cpu/-memory Q, --acme-http01-solver-resource-limits-cpu/-memory Q
                                          its resources (default ${DEFAULT_HTTP01_SOLVER_POD.requests.cpu}/${DEFAULT_HTTP01_SOLVER_POD.requests.memory} requested, ${DEFAULT_HTTP01_SOLVER_POD.limits.cpu}/${DEFAULT_HTTP01_SOLVER_POD.limits.memory} limits)
  --acme-http01-solver-run-as-non-root[=BOOL]  its runAsNonRoot (default true)
  --max-concurrent-challenges N           ACME challenges processed at once (default ${DEFAULT_MAX_CONCURRENT_CHALLENGES})
  --dns01-recursive-nameservers LIST      host:port or https:// DoH resolvers for the DNS-01 self-check
  --dns01-recursive-nameservers-only[=BOOL]  never ask the zone's authoritative nameservers
  --dns01-check-retry-period D            between self-checks (default 10s)
  --issuer-ambient-credentials[=BOOL]     Issuers' DNS-01 providers may use ambient credentials (default false)
  --cluster-issuer-ambient-credentials[=BOOL]  ClusterIssuers' may (default true)
  --feature-gates LIST                    cert-manager's gates, e.g. ExperimentalGatewayAPISupport=false
  --config FILE                           cert-manager ControllerConfiguration (YAML or JSON); flags win
  Every flag can also be set as CERTWRIGHT_<FLAG> in the environment (e.g. CERTWRIGHT_LEADER_ELECT=true);
  flags win over the environment, which wins over --config.
  Add cainjector to --controllers (e.g. '*,cainjector') to run CA injection in-process; cert-manager
  runs it as a separate binary.
`;

const options = {
  kubeconfig: { type: 'string' },
  local: { type: 'boolean' },
  'data-dir': { type: 'string' },
  'api-server-address': { type: 'string' },
  'metrics-address': { type: 'string' },
  'metrics-listen-address': { type: 'string' },
  'health-address': { type: 'string' },
  'internal-healthz-listen-address': { type: 'string' },
  'cluster-resource-namespace': { type: 'string' },
  controllers: { type: 'string' },
  workers: { type: 'string' },
  'concurrent-workers': { type: 'string' },
  'max-concurrent-issuances': { type: 'string' },
  'kube-api-qps': { type: 'string' },
  'kube-api-burst': { type: 'string' },
  'enable-certificate-owner-ref': { type: 'boolean' },
  'certificate-request-minimum-backoff-duration': { type: 'string' },
  'certificate-request-maximum-backoff-duration': { type: 'string' },
  'renewal-jitter': { type: 'string' },
  'disable-approver': { type: 'boolean' },
  'log-level': { type: 'string' },
  'log-file': { type: 'string' },
  apply: { type: 'string', multiple: true },
  'enable-gateway-api': { type: 'boolean' },
  'gateway-api-extra-protocols': { type: 'string' },
  'default-issuer-name': { type: 'string' },
  'default-issuer-kind': { type: 'string' },
  'default-issuer-group': { type: 'string' },
  'auto-certificate-annotations': { type: 'string' },
  'copied-annotation-prefixes': { type: 'string' },
  namespace: { type: 'string' },
  'leader-elect': { type: 'boolean' },
  'leader-election-namespace': { type: 'string' },
  'leader-election-lease-duration': { type: 'string' },
  'leader-election-renew-deadline': { type: 'string' },
  'leader-election-retry-period': { type: 'string' },
  'leader-election-shards': { type: 'string' },
  'feature-gates': { type: 'string' },
  'acme-http01-solver-address': { type: 'string' },
  'acme-http01-solver-nameservers': { type: 'string' },
  'acme-http01-solver-mode': { type: 'string' },
  'acme-http01-solver-service-name': { type: 'string' },
  'acme-http01-solver-service-namespace': { type: 'string' },
  'acme-http01-solver-service-port': { type: 'string' },
  'acme-http01-solver-image': { type: 'string' },
  'acme-http01-solver-resource-request-cpu': { type: 'string' },
  'acme-http01-solver-resource-request-memory': { type: 'string' },
  'acme-http01-solver-resource-limits-cpu': { type: 'string' },
  'acme-http01-solver-resource-limits-memory': { type: 'string' },
  'acme-http01-solver-run-as-non-root': { type: 'boolean' },
  'max-concurrent-challenges': { type: 'string' },
  'dns01-recursive-nameservers': { type: 'string' },
  'dns01-recursive-nameservers-only': { type: 'boolean' },
  'dns01-check-retry-period': { type: 'string' },
  'issuer-ambient-credentials': { type: 'boolean' },
  'cluster-issuer-ambient-credentials': { type: 'boolean' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** cert-manager's spellings, renamed to certwright's before the config layers are merged. */
const FLAG_ALIASES: Readonly<Record<string, string>> = {
  'metrics-listen-address': 'metrics-address',
  'internal-healthz-listen-address': 'health-address',
  'concurrent-workers': 'workers',
};

/** Flags the environment and the config file may set (one value each). */
const layeredFlags = new Map<string, FlagType>(
  Object.entries(options).flatMap(([name, o]): Array<[string, FlagType]> => (name === 'help' || 'multiple' in o ? [] : [[name, o.type]])),
);

const booleanFlags = new Set(Object.entries(options).filter(([, o]) => o.type === 'boolean').map(([name]) => name));

/**
 * Go's flag package takes `--flag=true|false` for booleans; node's parseArgs does not. The explicit
 * falses are returned apart, so they still beat the environment and the config file.
 */
function normaliseBooleans(args: readonly string[]): { args: string[]; falses: FlagValues } {
  const falses: FlagValues = {};
  const normalised = args.flatMap((arg) => {
    const m = /^--([^=]+)=(true|false)$/.exec(arg);
    if (!m || !booleanFlags.has(m[1]!)) return [arg];
    if (m[2] === 'true') return [`--${m[1]}`];
    falses[m[1]!] = false;
    return [];
  });
  return { args: normalised, falses };
}

function positiveInteger(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

function positiveNumber(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a positive number, got ${JSON.stringify(text)}`);
  return n;
}

function duration(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  try {
    const ms = parseDuration(text);
    if (ms > 0) return ms;
  } catch {
    // reported below
  }
  throw new UsageError(`--${flag} must be a positive Go duration such as 30m or 1h, got ${JSON.stringify(text)}`);
}

/** A Kubernetes resource quantity such as `100m`, `64Mi` or `0.5`. */
function quantity(flag: string, text: string | undefined, fallback: string): string {
  if (text === undefined) return fallback;
  if (/^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?$/.test(text)) return text;
  throw new UsageError(`--${flag} must be a resource quantity such as 100m or 64Mi, got ${JSON.stringify(text)}`);
}

function http01SolverMode(text: string): Http01SolverMode {
  const mode = HTTP01_SOLVER_MODES.find((m) => m === text);
  if (!mode) throw new UsageError(`--acme-http01-solver-mode must be one of ${HTTP01_SOLVER_MODES.join(', ')}, got ${JSON.stringify(text)}`);
  return mode;
}

const commaList = (text: string) => text.split(',').map((item) => item.trim()).filter(Boolean);

/** The flags of `certwright run` (help handled by the caller); throws UsageError with a specific message. */
export function parseRunFlags(args: readonly string[], env: NodeJS.ProcessEnv = process.env): RunFlags & { help: boolean } {
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof options; strict: true }>>['values'];
  let configIgnored: string[] = [];
  try {
    const { args: normalised, falses } = normaliseBooleans(args);
    ({ values } = parseArgs({ args: normalised, options, strict: true, allowPositionals: false }));
    values = { ...falses, ...values };
    const fromEnv = envFlagValues(env, layeredFlags);
    const configPath = values.config ?? (fromEnv.config as string | undefined);
    const fromFile = configPath ? readConfigFile(configPath, layeredFlags) : { values: {}, ignored: [] };
    configIgnored = fromFile.ignored;
    values = layerFlagValues(FLAG_ALIASES, fromFile.values, fromEnv, values as FlagValues) as typeof values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const issuanceBackoff = {
    minMs: duration('certificate-request-minimum-backoff-duration', values['certificate-request-minimum-backoff-duration'], DEFAULT_ISSUANCE_BACKOFF.minMs),
    maxMs: duration('certificate-request-maximum-backoff-duration', values['certificate-request-maximum-backoff-duration'], DEFAULT_ISSUANCE_BACKOFF.maxMs),
  };
  if (issuanceBackoff.maxMs < issuanceBackoff.minMs) {
    throw new UsageError('--certificate-request-maximum-backoff-duration must not be shorter than the minimum');
  }
  const renewalJitter = values['renewal-jitter'] === undefined ? DEFAULT_RENEWAL_JITTER : Number(values['renewal-jitter']);
  if (!(renewalJitter >= 0 && renewalJitter < 1)) {
    throw new UsageError(`--renewal-jitter must be a fraction in [0, 1), got ${JSON.stringify(values['renewal-jitter'])}`);
  }
  let logLevel: LogLevel;
  try {
    logLevel = parseLogLevel(values['log-level'] ?? 'info');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const controllers = (values.controllers ?? '*').split(',');
  try {
    enabledControllers(controllers);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const metricsAddress = values['metrics-address'] ?? values['metrics-listen-address'];
  const healthAddress = values['health-address'] ?? values['internal-healthz-listen-address'];
  const apiServerAddress = values['api-server-address'];
  let featureGates: Record<string, boolean>;
  try {
    featureGates = parseFeatureGates(values['feature-gates'] ?? '');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const leaderElection = {
    enabled: values['leader-elect'],
    namespace: values['leader-election-namespace'] ?? DEFAULT_LEADER_ELECTION.namespace,
    shards: positiveInteger('leader-election-shards', values['leader-election-shards'], DEFAULT_LEADER_ELECTION.shards),
    leaseDurationMs: duration('leader-election-lease-duration', values['leader-election-lease-duration'], DEFAULT_LEADER_ELECTION.leaseDurationMs),
    renewDeadlineMs: duration('leader-election-renew-deadline', values['leader-election-renew-deadline'], DEFAULT_LEADER_ELECTION.renewDeadlineMs),
    retryPeriodMs: duration('leader-election-retry-period', values['leader-election-retry-period'], DEFAULT_LEADER_ELECTION.retryPeriodMs),
  };
  try {
    checkLeaderElectionTimings(leaderElection);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    help: values.help ?? false,
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    local: values.local ?? false,
    dataDir: values['data-dir'] ?? DEFAULT_LOCAL_DATA_DIR,
    ...(apiServerAddress ? { apiServerAddress } : {}),
    ...(metricsAddress !== undefined ? { metricsAddress } : {}),
    ...(healthAddress !== undefined ? { healthAddress } : {}),
    clusterResourceNamespace: values['cluster-resource-namespace'] ?? DEFAULT_CLUSTER_RESOURCE_NAMESPACE,
    controllers,
    workers: positiveInteger('workers', values.workers ?? values['concurrent-workers'], DEFAULT_WORKERS),
    maxConcurrentIssuances: positiveInteger('max-concurrent-issuances', values['max-concurrent-issuances'], DEFAULT_MAX_CONCURRENT_ISSUANCES),
    kubeApiQps: positiveNumber('kube-api-qps', values['kube-api-qps'], DEFAULT_CLIENT_RATE.qps),
    kubeApiBurst: positiveInteger('kube-api-burst', values['kube-api-burst'], DEFAULT_CLIENT_RATE.burst),
    enableCertificateOwnerRef: values['enable-certificate-owner-ref'] ?? false,
    issuanceBackoff,
    renewalJitter,
    disableApprover: values['disable-approver'] ?? false,
    logLevel,
    ...(values['log-file'] ? { logFile: values['log-file'] } : {}),
    apply: values.apply ?? [],
    enableGatewayApi: (values['enable-gateway-api'] ?? false) && featureGates.ExperimentalGatewayAPISupport === true,
    gatewayApiExtraProtocols: commaList(values['gateway-api-extra-protocols'] ?? ''),
    defaultIssuer: {
      name: values['default-issuer-name'] ?? DEFAULT_ISSUER_DEFAULTS.name,
      kind: values['default-issuer-kind'] ?? DEFAULT_ISSUER_DEFAULTS.kind,
      group: values['default-issuer-group'] ?? DEFAULT_ISSUER_DEFAULTS.group,
    },
    autoCertificateAnnotations: values['auto-certificate-annotations'] === undefined ? [...DEFAULT_AUTO_CERTIFICATE_ANNOTATIONS] : commaList(values['auto-certificate-annotations']),
    copiedAnnotationPrefixes: values['copied-annotation-prefixes'] === undefined ? [...DEFAULT_COPIED_ANNOTATION_PREFIXES] : commaList(values['copied-annotation-prefixes']),
    ...(values.namespace ? { namespace: values.namespace } : {}),
    leaderElection,
    featureGates,
    configIgnored,
    acme: {
      http01SolverAddress: values['acme-http01-solver-address'] ?? DEFAULT_HTTP01_SOLVER_ADDRESS,
      ...(values['acme-http01-solver-nameservers'] ? { http01SolverNameservers: commaList(values['acme-http01-solver-nameservers']) } : {}),
      ...(values['acme-http01-solver-mode'] !== undefined ? { http01SolverMode: http01SolverMode(values['acme-http01-solver-mode']) } : {}),
      http01SolverService: {
        name: values['acme-http01-solver-service-name'] ?? DEFAULT_HTTP01_SOLVER_SERVICE.name,
        namespace: values['acme-http01-solver-service-namespace'] ?? values['cluster-resource-namespace'] ?? DEFAULT_CLUSTER_RESOURCE_NAMESPACE,
        port: positiveInteger('acme-http01-solver-service-port', values['acme-http01-solver-service-port'], DEFAULT_HTTP01_SOLVER_SERVICE.port),
      },
      http01SolverPod: {
        image: values['acme-http01-solver-image'] ?? `${DEFAULT_HTTP01_SOLVER_POD.imageRepository}:${packageVersion()}`,
        requests: {
          cpu: quantity('acme-http01-solver-resource-request-cpu', values['acme-http01-solver-resource-request-cpu'], DEFAULT_HTTP01_SOLVER_POD.requests.cpu),
          memory: quantity('acme-http01-solver-resource-request-memory', values['acme-http01-solver-resource-request-memory'], DEFAULT_HTTP01_SOLVER_POD.requests.memory),
        },
        limits: {
          cpu: quantity('acme-http01-solver-resource-limits-cpu', values['acme-http01-solver-resource-limits-cpu'], DEFAULT_HTTP01_SOLVER_POD.limits.cpu),
          memory: quantity('acme-http01-solver-resource-limits-memory', values['acme-http01-solver-resource-limits-memory'], DEFAULT_HTTP01_SOLVER_POD.limits.memory),
        },
        runAsNonRoot: values['acme-http01-solver-run-as-non-root'] ?? true,
      },
      http01IngressPathTypeExact: featureGates.ACMEHTTP01IngressPathTypeExact !== false,
      maxConcurrentChallenges: positiveInteger('max-concurrent-challenges', values['max-concurrent-challenges'], DEFAULT_MAX_CONCURRENT_CHALLENGES),
      ...(values['dns01-recursive-nameservers'] ? { dns01RecursiveNameservers: commaList(values['dns01-recursive-nameservers']) } : {}),
      dns01RecursiveNameserversOnly: values['dns01-recursive-nameservers-only'] ?? false,
      checkRetryPeriodMs: duration('dns01-check-retry-period', values['dns01-check-retry-period'], DEFAULT_CHECK_RETRY_PERIOD_MS),
      issuerAmbientCredentials: values['issuer-ambient-credentials'] ?? false,
      clusterIssuerAmbientCredentials: values['cluster-issuer-ambient-credentials'] ?? true,
    },
  };
}

/** Leader election is on by default only in a pod, where several replicas may run. */
export function leaderElectionFor(flags: Pick<RunFlags, 'leaderElection'>, kubeConfig: KubeConfig | undefined, env: NodeJS.ProcessEnv = process.env): LeaderElectionConfig | undefined {
  const { enabled, ...config } = flags.leaderElection;
  const inCluster = kubeConfig?.getCurrentCluster()?.name === 'inCluster';
  if (!(enabled ?? inCluster)) return undefined;
  // Unique per process, as client-go's: a restarted pod must not inherit its old Leases' deadlines.
  return { ...config, identity: `${env.POD_NAME || hostname()}_${randomUUID()}` };
}

/** The cluster configuration in effect, or undefined when there is none (→ local mode). */
export async function clusterKubeConfig(flags: Pick<RunFlags, 'kubeconfig' | 'local'>, env: NodeJS.ProcessEnv = process.env): Promise<KubeConfig | undefined> {
  if (flags.local) return undefined;
  const source = configuredClusterSource(flags.kubeconfig, env, existsSync);
  return source && kubeConfigFrom(source);
}

export interface RunningController {
  manager: Manager;
  /** Set in local mode. */
  cluster: LocalCluster | undefined;
  /** Where kubectl finds the cluster (local mode: DIR/kubeconfig). */
  kubeconfigPath: string | undefined;
  stop(): Promise<void>;
}

/** Starts local mode or connects to the cluster, then starts the manager and applies `--apply`. */
export async function startController(flags: RunFlags): Promise<RunningController> {
  limitHeapGrowth();
  unpoolSmallBuffers();
  const logger = createLogger({
    level: flags.logLevel,
    ...(flags.logFile ? { destination: pino.destination({ dest: flags.logFile, append: true, mkdir: true }) } : {}),
  });
  const log = logger.for('run');
  const MiB = 1024 * 1024;
  const compactor = new HeapCompactor({
    onCompacted: ({ heapTotalBefore, heapTotalAfter, ms }) =>
      log.debug({ heapTotalMiB: Math.round(heapTotalBefore / MiB), afterMiB: Math.round(heapTotalAfter / MiB), ms: Math.round(ms) }, 'heap compacted after a burst'),
  }).start();
  const clusterConfig = await clusterKubeConfig(flags);
  // The embedded API server's modules are loaded only in local mode.
  const cluster = clusterConfig
    ? undefined
    : await (await import('./local-cluster.js')).startLocalCluster({
        dataDir: resolve(flags.dataDir),
        ...(flags.apiServerAddress ? { listen: flags.apiServerAddress } : {}),
        onBackgroundError: (error) => log.error({ err: error.message }, 'embedded API server error'),
      });
  const defaults = cluster ? defaultListenAddresses.local : defaultListenAddresses.cluster;
  const address = (given: string | undefined, fallback: string) => (given === '' ? undefined : (given ?? fallback));
  const metricsAddress = address(flags.metricsAddress, defaults.metrics);
  const healthAddress = address(flags.healthAddress, defaults.health);
  if (flags.configIgnored.length > 0) log.warn({ fields: flags.configIgnored }, 'config file fields certwright does not act on');
  const leaderElection = leaderElectionFor(flags, clusterConfig);
  let manager: Manager;
  try {
    manager = await startManager({
      kubeConfig: clusterConfig ?? cluster!.kubeConfig,
      controllers: flags.disableApprover ? [...flags.controllers, '-certificaterequests-approver'] : flags.controllers,
      workers: flags.workers,
      maxConcurrentIssuances: flags.maxConcurrentIssuances,
      rateLimit: { qps: flags.kubeApiQps, burst: flags.kubeApiBurst },
      clusterResourceNamespace: flags.clusterResourceNamespace,
      enableCertificateOwnerRef: flags.enableCertificateOwnerRef,
      issuanceBackoff: flags.issuanceBackoff,
      renewalJitter: flags.renewalJitter,
      enableGatewayApi: flags.enableGatewayApi,
      gatewayApiExtraProtocols: flags.gatewayApiExtraProtocols,
      defaultIssuer: flags.defaultIssuer,
      autoCertificateAnnotations: flags.autoCertificateAnnotations,
      copiedAnnotationPrefixes: flags.copiedAnnotationPrefixes,
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
      // Against a cluster, HTTP-01 tokens are routed to the responder's Service unless told otherwise.
      acme: { ...flags.acme, http01SolverMode: flags.acme.http01SolverMode ?? (cluster ? 'local' : 'service') },
      ...(leaderElection ? { leaderElection } : {}),
      ...(metricsAddress ? { metricsAddress } : {}),
      ...(healthAddress ? { healthAddress } : {}),
      logger,
    });
  } catch (err) {
    compactor.stop();
    await cluster?.close();
    throw err;
  }
  const stop = async () => {
    compactor.stop();
    await manager.stop();
    await cluster?.close();
  };
  try {
    for (const path of flags.apply) await applyManifests(manager.client, await readManifests(path));
  } catch (err) {
    await stop();
    throw err;
  }
  log.info(
    { mode: cluster ? 'local' : 'cluster', ...(cluster ? { kubeconfig: cluster.server.kubeconfigPath, apiServer: cluster.server.url } : {}), metrics: manager.metricsUrl, health: manager.healthUrl },
    'certwright is running',
  );
  return { manager, cluster, kubeconfigPath: cluster?.server.kubeconfigPath ?? flags.kubeconfig, stop };
}

/**
 * Resolves with the first SIGINT/SIGTERM. A second signal while shutting down exits at once, so a
 * stuck shutdown can always be interrupted.
 */
export function waitForStopSignal(io: Io): Promise<string> {
  return new Promise((resolvePromise) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      const force = (again: string) => {
        io.stderr.write(`${again} again: exiting without a clean shutdown\n`);
        process.exit(130);
      };
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolvePromise(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Runs `body` on a started controller until a stop signal; shared by `run` and `quickstart`. */
export async function runUntilStopped(
  args: readonly string[],
  io: Io,
  usage: string,
  adjust: (flags: RunFlags) => RunFlags,
  body: (running: RunningController, flags: RunFlags) => Promise<void> = async () => {},
): Promise<number> {
  let flags: RunFlags & { help: boolean };
  try {
    flags = parseRunFlags(args);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  if (flags.help) {
    io.stdout.write(usage);
    return 0;
  }
  const effective = adjust(flags);
  const stopped = waitForStopSignal(io);
  let running: RunningController;
  try {
    running = await startController(effective);
  } catch (err) {
    const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    const hint = inUse ? ' (another certwright running? pick other ports with --metrics-address/--health-address, e.g. 127.0.0.1:0)' : '';
    io.stderr.write(`certwright: ${(err as Error).message}${hint}\n`);
    return 1;
  }
  try {
    await Promise.race([body(running, effective), stopped]);
    await stopped;
  } catch (err) {
    io.stderr.write(`certwright: ${(err as Error).message}\n`);
    await running.stop();
    return 1;
  }
  await running.stop();
  return 0;
}

registerCommand('run', (args, io) => runUntilStopped(args, io, runUsage, (flags) => flags));

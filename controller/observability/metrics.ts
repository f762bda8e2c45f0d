/**
 * The controller's Prometheus registry with cert-manager's metric names, types, labels and
 * semantics (pkg/metrics, internal/collectors), so existing alerts and dashboards keep working.
 *
 * Object metrics are collectors computed at scrape time from the informer caches, as cert-manager
 * does: nothing is kept or updated between scrapes, and a deleted object simply stops appearing.
 */
import { Counter, Gauge, Registry, Summary, collectDefaultMetrics } from 'prom-client';
import type { LabelValues, MetricValue } from 'prom-client';
import type { Certificate, Challenge, Condition, ConditionStatus, IssuerReference, ObjectMeta } from '../../api/types.js';
import type { SyncHooks } from '../runtime/controller.js';

type Identity = Pick<ObjectMeta, 'name' | 'namespace'>;
/** Conditions as the collectors read them: only `type` and `status`. */
export type ConditionForMetrics = Pick<Condition, 'type' | 'status'>;

/** The parts of a Certificate the collectors read; any `Certificate` fits. */
export interface CertificateForMetrics {
  metadata: Identity;
  spec: Pick<Certificate['spec'], 'issuerRef'>;
  status?: Pick<NonNullable<Certificate['status']>, 'notAfter' | 'notBefore' | 'renewalTime'> & { conditions?: ConditionForMetrics[] };
}

/** The parts of an Issuer or ClusterIssuer the collectors read; any `Issuer`/`ClusterIssuer` fits. */
export interface IssuerForMetrics {
  metadata: Identity;
  status?: { conditions?: ConditionForMetrics[] };
}

/** The parts of an ACME Challenge the collectors read; any `Challenge` fits. */
export interface ChallengeForMetrics {
  metadata: Identity;
  spec: Pick<Challenge['spec'], 'dnsName' | 'type'>;
  status?: Pick<NonNullable<Challenge['status']>, 'state' | 'reason' | 'processing'>;
}

/**
 * Where the collectors read objects from at scrape time (normally informer cache listers).
 * Objects are treated as immutable, as informer caches require: an update replaces the object.
 */
export interface MetricsSources {
  certificates: () => Iterable<CertificateForMetrics>;
  issuers: () => Iterable<IssuerForMetrics>;
  challenges: () => Iterable<ChallengeForMetrics>;
  /** Omit when the clusterissuers controller is disabled: the metric is then not registered. */
  clusterIssuers?: () => Iterable<IssuerForMetrics>;
  /** Wall clock in milliseconds (the runtime's injectable clock). */
  now?: () => number;
}

/** cert-manager's ACME client actions (pkg/acme/client/middleware); `unnamed_action` is its fallback. */
export const acmeClientActions = [
  'authorize_order',
  'get_order',
  'fetch_cert',
  'list_cert_alternates',
  'wait_order',
  'create_order_cert',
  'accept_challenge',
  'get_challenge',
  'get_authorization',
  'wait_authorization',
  'register_account',
  'get_registration',
  'discover',
  'update_registration',
  'get_renewal_info',
  'unnamed_action',
] as const;
export type AcmeClientAction = (typeof acmeClientActions)[number];

export interface AcmeRequestObservation {
  url: string | URL;
  method: string;
  action?: AcmeClientAction;
  /** HTTP status; omitted when the request failed before a response (transport error). */
  status?: number;
  durationSeconds: number;
}

export interface ControllerMetrics {
  readonly registry: Registry;
  /** Count one work item processed by `controller`. */
  syncCall(controller: string): void;
  /** Count a failed work item; as in cert-manager, callers do not report optimistic-lock conflicts. */
  syncError(controller: string): void;
  /** The two counters as the runtime's `Controller` hooks (it keeps conflicts out of `onSyncError`). */
  readonly syncHooks: SyncHooks;
  observeAcmeRequest(request: AcmeRequestObservation): void;
}

const conditionStatuses: readonly ConditionStatus[] = ['True', 'False', 'Unknown'];

/** acme.cert-manager.io State values, in cert-manager's collector order; "" (no state) matches none. */
const challengeStates = ['ready', 'valid', 'errored', 'expired', 'invalid', 'processing', 'unknown', 'pending'] as const;

/** The status of the `Ready` condition; Unknown when there is none (or, from an unchecked source, it is malformed). */
export function readyConditionStatus(conditions: ConditionForMetrics[] | undefined): ConditionStatus {
  const ready = conditions?.find((c) => c.type === 'Ready');
  return conditionStatuses.find((s) => s === ready?.status) ?? 'Unknown';
}

/** RFC 3339 time → Unix seconds (truncated, like Go's `Time.Unix()`); absent or unparsable → 0. */
export function unixSeconds(time: string | undefined): number {
  if (!time) return 0;
  const ms = Date.parse(time);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

/**
 * The issuer labels exactly as written in `spec.issuerRef`. cert-manager's collector reports kind
 * and group verbatim (an omitted kind/group is the empty string, not the Issuer/cert-manager.io
 * default), and the CRD has no schema default; dashboards built on it see the same values here.
 */
export function issuerRefLabels(ref: IssuerReference) {
  return { issuer_name: ref.name, issuer_kind: ref.kind ?? '', issuer_group: ref.group ?? '' };
}

/** One series of a scrape-time gauge. `sharedLabels` is prom-client's cached label formatting. */
interface ScrapeTimeValue<T extends string> extends MetricValue<T> {
  sharedLabels?: LabelValues<T>;
}

/**
 * A gauge whose series are produced at scrape time. Unlike `Gauge.collect()` + `set()`, it skips
 * prom-client's per-series label hashing, and label sets cached per object are passed as
 * `sharedLabels`, whose formatted text prom-client caches by object identity — together about
 * half the scrape cost at 10k Certificates.
 */
class ScrapeTimeGauge<T extends string> extends Gauge<T> {
  constructor(
    config: { name: string; help: string; labelNames: readonly T[]; registers: Registry[] },
    private readonly produce: () => ScrapeTimeValue<string>[],
  ) {
    super(config);
  }

  override async get() {
    // The base gauge holds no series; it supplies the family's name, help and type.
    return { ...(await super.get()), values: this.produce() };
  }
}

const certificateLabelNames = ['name', 'namespace', 'issuer_name', 'issuer_kind', 'issuer_group'] as const;
type CertificateLabel = (typeof certificateLabelNames)[number];

/** Everything the certificate collector emits for one Certificate object. */
interface CertificateSample {
  labels: Record<CertificateLabel, string>;
  ready: ConditionStatus;
  notAfter: number;
  notBefore: number;
  renewalTime: number;
}

function certificateSample(cert: CertificateForMetrics): CertificateSample {
  return {
    labels: { name: cert.metadata.name ?? '', namespace: cert.metadata.namespace ?? '', ...issuerRefLabels(cert.spec.issuerRef) },
    ready: readyConditionStatus(cert.status?.conditions),
    notAfter: unixSeconds(cert.status?.notAfter),
    notBefore: unixSeconds(cert.status?.notBefore),
    renewalTime: unixSeconds(cert.status?.renewalTime),
  };
}

/** Memoises a pure per-object derivation for as long as the cache holds that object. */
function perObject<O extends object, R>(derive: (o: O) => R): (o: O) => R {
  const memo = new WeakMap<O, R>();
  return (o) => {
    let r = memo.get(o);
    if (r === undefined) {
      r = derive(o);
      memo.set(o, r);
    }
    return r;
  };
}

const readyStatusLabels = Object.fromEntries(conditionStatuses.map((c) => [c, { condition: c }])) as Record<
  ConditionStatus,
  { condition: ConditionStatus }
>;
const noLabels = {};

function readySeries(shared: LabelValues<string>, current: ConditionStatus, out: ScrapeTimeValue<string>[]) {
  for (const condition of conditionStatuses) {
    out.push({ labels: readyStatusLabels[condition], sharedLabels: shared, value: condition === current ? 1 : 0 });
  }
}

/** The Unix-time families: each reports one timestamp of every Certificate, 0 when unset. */
const certificateTimestampFamilies: { name: string; help: string; value: (s: CertificateSample) => number }[] = [
  {
    name: 'certmanager_certificate_expiration_timestamp_seconds',
    help: 'The timestamp after which the certificate expires, expressed in Unix Epoch Time.',
    value: (s) => s.notAfter,
  },
  {
    name: 'certmanager_certificate_not_after_timestamp_seconds',
    help: 'The timestamp after which the certificate is invalid, expressed as a Unix Epoch Time.',
    value: (s) => s.notAfter,
  },
  {
    name: 'certmanager_certificate_not_before_timestamp_seconds',
    help: 'The timestamp before which the certificate is invalid, expressed as a Unix Epoch Time.',
    value: (s) => s.notBefore,
  },
  {
    name: 'certmanager_certificate_renewal_timestamp_seconds',
    help: 'The timestamp after which the certificate should be renewed, expressed in Unix Epoch Time.',
    value: (s) => s.renewalTime,
  },
];

function registerCertificateCollector(registry: Registry, certificates: MetricsSources['certificates']) {
  const sampleOf = perObject(certificateSample);
  new ScrapeTimeGauge(
    {
      name: 'certmanager_certificate_ready_status',
      help: 'The ready status of the certificate.',
      labelNames: ['name', 'namespace', 'condition', 'issuer_name', 'issuer_kind', 'issuer_group'],
      registers: [registry],
    },
    () => {
      const out: ScrapeTimeValue<string>[] = [];
      for (const cert of certificates()) {
        const s = sampleOf(cert);
        readySeries(s.labels, s.ready, out);
      }
      return out;
    },
  );
  for (const family of certificateTimestampFamilies) {
    new ScrapeTimeGauge({ name: family.name, help: family.help, labelNames: certificateLabelNames, registers: [registry] }, () => {
      const out: ScrapeTimeValue<string>[] = [];
      for (const cert of certificates()) {
        const s = sampleOf(cert);
        out.push({ labels: noLabels, sharedLabels: s.labels, value: family.value(s) });
      }
      return out;
    });
  }
}

function registerIssuerCollector<L extends string>(
  registry: Registry,
  family: { name: string; help: string; identityLabels: readonly L[] },
  issuers: () => Iterable<IssuerForMetrics>,
  identity: (issuer: IssuerForMetrics) => Record<L, string>,
) {
  const identityOf = perObject(identity);
  const labelNames = [...family.identityLabels, 'condition'];
  new ScrapeTimeGauge({ name: family.name, help: family.help, labelNames, registers: [registry] }, () => {
    const out: ScrapeTimeValue<string>[] = [];
    for (const issuer of issuers()) readySeries(identityOf(issuer), readyConditionStatus(issuer.status?.conditions), out);
    return out;
  });
}

const acmeLabelNames = ['scheme', 'host', 'action', 'method', 'status'] as const;
type AcmeLabel = (typeof acmeLabelNames)[number];

const challengeLabelNames = ['status', 'domain', 'reason', 'processing', 'name', 'namespace', 'type'] as const;

function registerChallengeCollector(registry: Registry, challenges: MetricsSources['challenges']) {
  const stateLabels = challengeStates.map((status) => ({ status }));
  const identityOf = perObject((ch: ChallengeForMetrics) => ({
    domain: ch.spec.dnsName,
    reason: ch.status?.reason ?? '',
    processing: String(ch.status?.processing ?? false),
    name: ch.metadata.name ?? '',
    namespace: ch.metadata.namespace ?? '',
    type: ch.spec.type,
  }));
  new ScrapeTimeGauge(
    { name: 'certmanager_certificate_challenge_status', help: 'The status of certificate challenges', labelNames: challengeLabelNames, registers: [registry] },
    () => {
      const out: ScrapeTimeValue<string>[] = [];
      for (const ch of challenges()) {
        const shared = identityOf(ch);
        const state = ch.status?.state ?? '';
        challengeStates.forEach((status, i) => out.push({ labels: stateLabels[i]!, sharedLabels: shared, value: status === state ? 1 : 0 }));
      }
      return out;
    },
  );
}

/** Builds the registry and the hooks the runtime and ACME client call. */
export function createControllerMetrics(sources: MetricsSources): ControllerMetrics {
  const registry = new Registry();
  const now = sources.now ?? Date.now;
  const nowSeconds = () => Math.floor(now() / 1000);

  new Counter({
    name: 'certmanager_clock_time_seconds',
    help: 'DEPRECATED: use clock_time_seconds_gauge instead. The clock time given in seconds (from 1970/01/01 UTC).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(nowSeconds());
    },
  });
  new Gauge({
    name: 'certmanager_clock_time_seconds_gauge',
    help: 'The clock time given in seconds (from 1970/01/01 UTC).',
    registers: [registry],
    collect() {
      this.set(nowSeconds());
    },
  });

  const syncCalls = new Counter({
    name: 'certmanager_controller_sync_call_count',
    help: 'The number of sync() calls made by a controller.',
    labelNames: ['controller'],
    registers: [registry],
  });
  const syncErrors = new Counter({
    name: 'certmanager_controller_sync_error_count',
    help: 'The number of errors encountered during controller sync().',
    labelNames: ['controller'],
    registers: [registry],
  });

  const acmeRequests = new Counter({
    name: 'certmanager_http_acme_client_request_count',
    help: 'The number of requests made by the ACME client.',
    labelNames: acmeLabelNames,
    registers: [registry],
  });
  // Go client_golang summary defaults: quantiles over a 10-minute window in 5 age buckets.
  const acmeDurations = new Summary({
    name: 'certmanager_http_acme_client_request_duration_seconds',
    help: 'The HTTP request latencies in seconds for the ACME client.',
    labelNames: acmeLabelNames,
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers: [registry],
  });

  registerCertificateCollector(registry, sources.certificates);
  registerChallengeCollector(registry, sources.challenges);
  registerIssuerCollector(
    registry,
    { name: 'certmanager_issuer_ready_status', help: 'The ready status of the Issuer.', identityLabels: ['name', 'namespace'] },
    sources.issuers,
    (i) => ({ name: i.metadata.name ?? '', namespace: i.metadata.namespace ?? '' }),
  );
  if (sources.clusterIssuers) {
    registerIssuerCollector(
      registry,
      { name: 'certmanager_clusterissuer_ready_status', help: 'The ready status of the ClusterIssuer.', identityLabels: ['name'] },
      sources.clusterIssuers,
      (i) => ({ name: i.metadata.name ?? '' }),
    );
  }

  // prom-client samples event-loop delay with a libuv timer at this resolution; its 10 ms default
  // alone keeps an idle controller at ~0.4 % CPU. 100 ms still shows the stalls worth seeing.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_MONITORING_PRECISION_MS });

  const syncCall = (controller: string) => syncCalls.inc({ controller });
  const syncError = (controller: string) => syncErrors.inc({ controller });
  return {
    registry,
    syncCall,
    syncError,
    syncHooks: { onSync: syncCall, onSyncError: syncError },
    observeAcmeRequest: (request) => {
      const labels = acmeRequestLabels(request);
      acmeRequests.inc(labels);
      acmeDurations.observe(labels, request.durationSeconds);
    },
  };
}

/** Resolution (ms) of the event-loop-delay histogram behind `nodejs_eventloop_lag_*`. */
export const EVENT_LOOP_MONITORING_PRECISION_MS = 100;

/** Labels as cert-manager's ACME HTTP middleware sets them; status 999 marks a transport error. */
export function acmeRequestLabels(request: AcmeRequestObservation): Record<AcmeLabel, string> {
  let scheme = '';
  let host = '';
  try {
    const url = new URL(request.url);
    scheme = url.protocol.replace(/:$/, '');
    host = url.host;
  } catch {
    // An unparsable URL still counts as a request; it just has no scheme/host.
  }
  return {
    scheme,
    host,
    action: request.action ?? 'unnamed_action',
    method: request.method.toUpperCase(),
    status: String(request.status ?? 999),
  };
}

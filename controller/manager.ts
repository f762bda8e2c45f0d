/**
 * Starts everything `certwright run` runs against one API server: the shared informers, the
 * controllers the `--controllers` flag selects, the one timer heap, events, metrics and health
 * servers; and stops them in order, letting reconciles in flight finish.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Certificate, CertificateRequest, ClusterIssuer, Issuer } from '../api/types.js';
import type { KubeSecret } from '../issuers/backend.js';
import { createIssuerContext, DEFAULT_CLUSTER_RESOURCE_NAMESPACE } from '../issuers/context.js';
import { caIssuer } from '../issuers/ca.js';
import { IssuerRegistry, lazyIssuerBackend, type LazyIssuerBackend } from '../issuers/registry.js';
import { selfSignedIssuer } from '../issuers/selfsigned.js';
import type { VaultIssuerBackend } from '../issuers/vault/index.js';
import { kubeServiceAccountTokens } from '../issuers/vault/service-account-tokens.js';
import { AcmeComponents, type AcmeOptions } from './acme/components.js';
import { CertificateController, certificateIndexers, ownedObjectIndexers } from './certificates/controller.js';
import type { IssuanceBackoff } from './certificates/backoff.js';
import { PART_OF_CONTROLLER_LABEL } from '../api/well-known.js';
import { APPROVER_CONTROLLER_NAME, CertificateRequestApprover } from './certificaterequests/approver.js';
import { certificateRequestIndexers } from './certificaterequests/indexes.js';
import { CertificateRequestSigner, SIGNER_CONTROLLER_NAME } from './certificaterequests/signer.js';
import { enabledControllers, type ControllerName } from './enabled-controllers.js';
import { KubeEventRecorder } from './events.js';
import { IssuerController } from './issuers/controller.js';
import { apiServerCaPem, CaInjector, injectionTargetInformers } from './cainjector/controller.js';
import { checkGatewayApiServed, GATEWAYS, gatewayShimSource, type Gateway } from './gateway-shim/gateway.js';
import { INGRESSES, ingressShimSource, type Ingress } from './ingress-shim/ingress.js';
import type { IssuerDefaults } from './shim/annotations.js';
import { ShimController, shimCertificateIndexers } from './shim/controller.js';
import { HealthChecks, startHealthServer, startMetricsServer, type RunningServer } from './observability/http.js';
import { createLogger, type ControllerLogger } from './observability/log.js';
import { createControllerMetrics, type ControllerMetrics } from './observability/metrics.js';
import { KubeClient } from './runtime/client.js';
import { realClock, type Clock } from './runtime/clock.js';
import type { SyncHooks } from './runtime/controller.js';
import { Informer } from './runtime/informer.js';
import { CERTIFICATE_REQUESTS, CERTIFICATES, CLUSTER_ISSUERS, ISSUERS, SECRETS } from './runtime/resources.js';
import { TimerQueue } from './runtime/timers.js';
import { withoutManagedFields } from './runtime/transforms.js';
import { cachedCertificate, cachedCertificateRequest, cachedOwnedSecret } from './cache-transforms.js';
import type { TokenBucketOptions } from './runtime/token-bucket.js';
import type { LeaderElectionConfig } from './leader/leases.js';
import { createSharding, type ObjectCache, type Sharding } from './leader/sharding.js';
import { ORDERS_CONTROLLER_NAME } from './acme/orders.js';
import { CHALLENGES_CONTROLLER_NAME } from './acme/challenges.js';
import type { Controller } from './runtime/controller.js';

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  /** Default the wall clock; tests pass a ManualClock and move time. */
  clock?: Clock;
  /** `--controllers`, already split on commas; default `*`. */
  controllers?: readonly string[];
  /** Workers per controller (`--concurrent-workers`, default 5). */
  workers?: number;
  /** `--kube-api-qps` / `--kube-api-burst`; high by default (the API server protects itself). */
  rateLimit?: TokenBucketOptions;
  /** Where ClusterIssuers' Secrets live (`--cluster-resource-namespace`, default kube-system). */
  clusterResourceNamespace?: string;
  enableCertificateOwnerRef?: boolean;
  /** `--copied-annotation-prefixes`: Certificate annotations copied to its CertificateRequests. */
  copiedAnnotationPrefixes?: readonly string[];
  /** `--max-concurrent-issuances`: Certificates in issuance at once (default 500). */
  maxConcurrentIssuances?: number;
  issuanceBackoff?: IssuanceBackoff;
  renewalJitter?: number;
  /** `host:port` for /metrics; omit for none. */
  metricsAddress?: string;
  /** `host:port` for /livez and /readyz; omit for none. */
  healthAddress?: string;
  logger?: ControllerLogger;
  /** `--default-issuer-name/kind/group`: the issuer of Ingresses that only say `kubernetes.io/tls-acme: "true"`. */
  defaultIssuer?: IssuerDefaults;
  /** `--auto-certificate-annotations` (default `kubernetes.io/tls-acme`). */
  autoCertificateAnnotations?: readonly string[];
  /** `--enable-gateway-api`: run the gateway-shim (the Gateway API CRDs must be installed). */
  enableGatewayApi?: boolean;
  /** `--gateway-api-extra-protocols`: listener protocols besides HTTPS and TLS that get Certificates. */
  gatewayApiExtraProtocols?: readonly string[];
  /** `--namespace`: watch only this namespace; cluster-scoped controllers (clusterissuers) are off. */
  namespace?: string;
  /** `--leader-elect`: reconcile only keys of the shard Leases this replica holds. */
  leaderElection?: LeaderElectionConfig;
  /** The ACME flags (HTTP-01 listener, DNS-01 self-check, challenge concurrency, order budget). */
  acme?: AcmeOptions;
}

export interface ManagerInformers {
  certificates: Informer<Certificate>;
  certificateRequests: Informer<CertificateRequest>;
  /** Only Secrets labelled `controller.cert-manager.io/fao=true`. */
  ownedSecrets: Informer<KubeSecret>;
  issuers: Informer<Issuer>;
  clusterIssuers?: Informer<ClusterIssuer>;
  /** With the ingress-shim. */
  ingresses?: Informer<Ingress>;
  /** With the gateway-shim and `--enable-gateway-api`. */
  gateways?: Informer<Gateway>;
}

export interface Manager {
  readonly client: KubeClient;
  readonly timers: TimerQueue;
  readonly informers: ManagerInformers;
  readonly enabled: ReadonlySet<ControllerName>;
  /** The Certificate controller, when enabled. */
  readonly certificates: CertificateController | undefined;
  /** CA injection, when `cainjector` is named in `--controllers`. */
  readonly caInjector: CaInjector | undefined;
  /** Shard Leases and the key gate, with leader election. */
  readonly sharding: Sharding | undefined;
  /** Orders, Challenges, accounts and the HTTP-01 listener, when an ACME controller is enabled. */
  readonly acme: AcmeComponents | undefined;
  readonly metrics: ControllerMetrics;
  readonly events: KubeEventRecorder;
  readonly logger: ControllerLogger;
  /** `http://host:port` of the servers, when started. */
  readonly metricsUrl: string | undefined;
  readonly healthUrl: string | undefined;
  /** Stops taking work, finishes reconciles in flight, writes pending events, closes everything. */
  stop(): Promise<void>;
}

interface Runnable {
  start(): void;
  stop(): Promise<void>;
  readonly controller?: Controller;
}

function logHooks(metrics: ControllerMetrics, logger: ControllerLogger): SyncHooks {
  return {
    onSync: (controller, key) => metrics.syncHooks.onSync?.(controller, key),
    onSyncError: (controller, key, err) => {
      metrics.syncHooks.onSyncError?.(controller, key, err);
      logger.for(controller).warn({ key, err: err instanceof Error ? err.message : String(err) }, 'sync failed; retrying with backoff');
    },
    onConflict: (controller, key) => logger.for(controller).debug({ key }, 'conflict; requeued'),
  };
}

function signingRegistry(enabled: ReadonlySet<ControllerName>, vault: LazyIssuerBackend<VaultIssuerBackend>, acme: AcmeComponents | undefined): IssuerRegistry {
  const registry = new IssuerRegistry();
  if (acme && enabled.has('certificaterequests-issuer-acme')) registry.register(acme.backend);
  if (enabled.has('certificaterequests-issuer-selfsigned')) registry.register(selfSignedIssuer);
  if (enabled.has('certificaterequests-issuer-ca')) registry.register(caIssuer);
  if (enabled.has('certificaterequests-issuer-vault')) registry.register(vault);
  return registry;
}

export async function startManager(options: ManagerOptions): Promise<Manager> {
  const enabled = enabledControllers(options.controllers ?? ['*']);
  // As cert-manager: a namespace-scoped controller cannot serve cluster-scoped resources.
  if (options.namespace) enabled.delete('clusterissuers');
  const namespace = options.namespace ? { namespace: options.namespace } : {};
  const clock = options.clock ?? realClock;
  const logger = options.logger ?? createLogger();
  const log = logger.for('manager');
  const timers = new TimerQueue(clock, { onError: (err, key) => log.error({ timer: key, err: String(err) }, 'timer callback failed') });
  const client = new KubeClient({ kubeConfig: options.kubeConfig, timers, ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}) });
  const informerError = (what: string) => (err: unknown) => log.warn({ informer: what, err: err instanceof Error ? err.message : String(err) }, 'list/watch failed; retrying');

  const withClusterIssuers = !options.namespace && (enabled.has('clusterissuers') || enabled.has('certificates') || enabled.has('certificaterequests-issuer-ca') || enabled.has('certificaterequests-issuer-vault'));
  const withGateways = enabled.has('gateway-shim') && options.enableGatewayApi === true;
  if (withGateways) {
    await checkGatewayApiServed(client).catch(async (err: unknown) => {
      await client.close();
      timers.clear();
      throw err;
    });
  }
  const informers: ManagerInformers = {
    certificates: new Informer<Certificate>({
      source: client.listerWatcher<Certificate>(CERTIFICATES, namespace),
      timers,
      indexers: { ...certificateIndexers, ...shimCertificateIndexers },
      transform: cachedCertificate,
      onError: informerError('certificates'),
    }),
    certificateRequests: new Informer<CertificateRequest>({
      source: client.listerWatcher<CertificateRequest>(CERTIFICATE_REQUESTS, namespace),
      timers,
      indexers: { ...ownedObjectIndexers, ...certificateRequestIndexers },
      transform: cachedCertificateRequest,
      onError: informerError('certificaterequests'),
    }),
    ownedSecrets: new Informer<KubeSecret>({
      source: client.listerWatcher<KubeSecret>(SECRETS, { ...namespace, labelSelector: `${PART_OF_CONTROLLER_LABEL}=true` }),
      timers,
      indexers: ownedObjectIndexers,
      transform: cachedOwnedSecret,
      onError: informerError('secrets'),
    }),
    issuers: new Informer<Issuer>({ source: client.listerWatcher<Issuer>(ISSUERS, namespace), timers, transform: withoutManagedFields, onError: informerError('issuers') }),
    ...(withClusterIssuers
      ? {
          clusterIssuers: new Informer<ClusterIssuer>({
            source: client.listerWatcher<ClusterIssuer>(CLUSTER_ISSUERS),
            timers,
            transform: withoutManagedFields,
            onError: informerError('clusterissuers'),
          }),
        }
      : {}),
    ...(enabled.has('ingress-shim')
      ? { ingresses: new Informer<Ingress>({ source: client.listerWatcher<Ingress>(INGRESSES, namespace), timers, onError: informerError('ingresses') }) }
      : {}),
    ...(withGateways ? { gateways: new Informer<Gateway>({ source: client.listerWatcher<Gateway>(GATEWAYS, namespace), timers, onError: informerError('gateways') }) } : {}),
  };

  const events = new KubeEventRecorder({
    client,
    clock,
    waitForTurn: () => client.whenQuiet(),
    onError: (err, event) => log.warn({ event: event.reason, object: event.object, err: err instanceof Error ? err.message : String(err) }, 'event not recorded'),
    onDropped: ({ first, dropped }) =>
      first
        ? log.warn({ event: first.reason, object: first.object }, 'too many events waiting to be written; dropping events until the queue drains')
        : log.warn({ dropped }, 'event queue drained; events were dropped'),
  });
  const metrics = createControllerMetrics({
    certificates: () => informers.certificates.list(),
    issuers: () => informers.issuers.list(),
    challenges: () => acme?.challenges.list() ?? [],
    ...(enabled.has('clusterissuers') && informers.clusterIssuers ? { clusterIssuers: () => informers.clusterIssuers!.list() } : {}),
    now: () => clock.now(),
  });
  const hooks = logHooks(metrics, logger);
  const workers = options.workers;
  const context = createIssuerContext({
    client,
    clock,
    clusterResourceNamespace: options.clusterResourceNamespace ?? DEFAULT_CLUSTER_RESOURCE_NAMESPACE,
    ownedSecrets: informers.ownedSecrets,
  });
  // One Vault backend for readiness and signing, so an issuer's login serves both; its modules load with the first Vault issuer.
  const vault = lazyIssuerBackend('vault', async () => (await import('../issuers/vault/index.js')).createVaultIssuer({ serviceAccountTokens: kubeServiceAccountTokens(client) }));
  const withAcme = enabled.has('orders') || enabled.has('challenges') || enabled.has('certificaterequests-issuer-acme');
  const acme = withAcme
    ? new AcmeComponents(
        {
          client,
          timers,
          issuers: informers.issuers,
          ...(informers.clusterIssuers ? { clusterIssuers: informers.clusterIssuers } : {}),
          certificates: informers.certificates,
          context,
          events,
          hooks,
          ...(workers ? { workers } : {}),
          ...namespace,
          onRequest: (observation) => metrics.observeAcmeRequest(observation),
          onInformerError: informerError,
          runOrders: enabled.has('orders'),
          runChallenges: enabled.has('challenges'),
        },
        options.acme,
      )
    : undefined;
  const readinessRegistry = new IssuerRegistry([selfSignedIssuer, caIssuer, vault, ...(acme ? [acme.backend] : [])]);

  const controllers: Runnable[] = [];
  let certificates: CertificateController | undefined;
  if (enabled.has('certificates')) {
    certificates = new CertificateController({
      client,
      timers,
      certificates: informers.certificates,
      requests: informers.certificateRequests,
      ownedSecrets: informers.ownedSecrets,
      events,
      hooks,
      ...(workers ? { workers } : {}),
      ...(options.issuanceBackoff ? { issuanceBackoff: options.issuanceBackoff } : {}),
      ...(options.renewalJitter !== undefined ? { renewalJitter: options.renewalJitter } : {}),
      ...(options.enableCertificateOwnerRef ? { enableCertificateOwnerRef: true } : {}),
      ...(options.copiedAnnotationPrefixes ? { copiedAnnotationPrefixes: options.copiedAnnotationPrefixes } : {}),
      ...(options.maxConcurrentIssuances ? { maxConcurrentIssuances: options.maxConcurrentIssuances } : {}),
      log: (certificate) => logger.for('certificates', certificate.metadata),
    });
    controllers.push(certificates);
  }
  if (enabled.has('certificaterequests-approver')) {
    controllers.push(new CertificateRequestApprover({ client, timers, requests: informers.certificateRequests, events, hooks, ...(workers ? { workers } : {}) }));
  }
  controllers.push(...(acme?.controllers ?? []));
  const signers = signingRegistry(enabled, vault, acme);
  if (signers.types.length > 0) {
    const signer = new CertificateRequestSigner({
        client,
        timers,
        registry: signers,
        context,
        events,
        requests: informers.certificateRequests,
        issuers: informers.issuers,
        ...(informers.clusterIssuers ? { clusterIssuers: informers.clusterIssuers } : {}),
        ownedSecrets: informers.ownedSecrets,
        hooks,
        ...(workers ? { workers } : {}),
      });
    controllers.push(signer);
    if (signers.types.includes('acme')) acme?.wakeRequestsOn(signer.controller.queue);
  }
  const issuerControllerOptions = { client, timers, registry: readinessRegistry, context, events, hooks, onError: informerError('issuer secrets'), ...(workers ? { workers } : {}) };
  if (enabled.has('issuers')) controllers.push(new IssuerController<Issuer>({ kind: 'Issuer', informer: informers.issuers, ...issuerControllerOptions }));
  if (enabled.has('clusterissuers') && informers.clusterIssuers) {
    controllers.push(new IssuerController<ClusterIssuer>({ kind: 'ClusterIssuer', informer: informers.clusterIssuers, ...issuerControllerOptions }));
  }

  const shimOptions = {
    certificates: informers.certificates,
    client,
    timers,
    events,
    hooks,
    ...(options.defaultIssuer ? { issuerDefaults: options.defaultIssuer } : {}),
    ...(workers ? { workers } : {}),
  };
  if (informers.ingresses) {
    const source = ingressShimSource(options.autoCertificateAnnotations);
    controllers.push(new ShimController({ source, parents: informers.ingresses, log: logger.for(source.controllerName), ...shimOptions }));
  }
  if (informers.gateways) {
    const source = gatewayShimSource(options.gatewayApiExtraProtocols);
    controllers.push(new ShimController({ source, parents: informers.gateways, log: logger.for(source.controllerName), ...shimOptions }));
  }

  let caInjector: CaInjector | undefined;
  if (enabled.has('cainjector')) {
    const apiServerCa = await apiServerCaPem(options.kubeConfig);
    caInjector = new CaInjector({
      client,
      timers,
      targets: injectionTargetInformers(client, timers, informerError('cainjector targets')),
      certificates: informers.certificates,
      ...(apiServerCa ? { apiServerCa } : {}),
      hooks,
      log: logger.for('cainjector'),
      onError: informerError('cainjector sources'),
      ...(workers ? { workers } : {}),
    });
    controllers.push(caInjector);
  }

  const sharding = options.leaderElection
    ? createSharding({
        client,
        timers,
        config: options.leaderElection,
        controllers: controllers.flatMap((c) => (c.controller ? [c.controller] : [])),
        chainKeyed: new Map<string, ObjectCache>([
          [APPROVER_CONTROLLER_NAME, informers.certificateRequests],
          [SIGNER_CONTROLLER_NAME, informers.certificateRequests],
          ...(acme ? ([[ORDERS_CONTROLLER_NAME, acme.orders], [CHALLENGES_CONTROLLER_NAME, acme.challenges]] as const) : []),
        ]),
        chainCaches: { CertificateRequest: informers.certificateRequests, Order: acme?.orders, Challenge: acme?.challenges },
        registry: metrics.registry,
        log: logger.for('leader-election'),
      })
    : undefined;

  const allInformers = [...Object.values(informers), ...(caInjector?.targets.map((t) => t.informer) ?? []), ...(acme?.informers ?? [])] as Informer<never>[];
  const servers: RunningServer[] = [];
  const stopAll = async () => {
    await Promise.all(controllers.map((c) => c.stop()));
    // Only now that the work in flight is done may other replicas take the shards.
    await sharding?.stop();
    await Promise.all(allInformers.map((i) => i.stop()));
    await events.flush();
    await Promise.all(servers.map((s) => s.close()));
    await acme?.close();
    vault.loaded?.close();
    await client.close();
    timers.clear();
  };

  try {
    // Leases first: the first round runs while the caches fill.
    sharding?.start();
    for (const informer of allInformers) informer.start();
    const readiness = new HealthChecks();
    readiness.add('informers-synced', () => allInformers.every((i) => i.hasSynced()));
    if (options.metricsAddress !== undefined) servers.push(await startMetricsServer({ registry: metrics.registry, address: options.metricsAddress }));
    const metricsServer = options.metricsAddress !== undefined ? servers[0] : undefined;
    const healthServer = options.healthAddress !== undefined ? await startHealthServer({ address: options.healthAddress, readiness }) : undefined;
    if (healthServer) servers.push(healthServer);
    await Promise.all(allInformers.map((i) => i.waitForSync()));
    // HTTP-01 Challenges fail with this error when the listener cannot bind; everything else runs.
    await acme?.listen((err) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'HTTP-01 solver listener not started'));
    for (const controller of controllers) controller.start();
    // Every renewal timer is armed by now (the Certificate informer's add handlers have run).
    log.info({ controllers: [...enabled], timersArmed: certificates?.armedWakeUps ?? 0 }, 'controllers started');

    let stopping: Promise<void> | undefined;
    return {
      client,
      timers,
      informers,
      enabled,
      certificates,
      caInjector,
      sharding,
      acme,
      metrics,
      events,
      logger,
      metricsUrl: metricsServer?.url,
      healthUrl: healthServer?.url,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

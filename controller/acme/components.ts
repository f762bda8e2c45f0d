/**
 * Everything the ACME issuer needs in one manager, built from the enabled controllers and flags:
 * the Order and Challenge informers, the accounts, the issuer backend (readiness and signing), the
 * Order and Challenge controllers, the HTTP-01 listener of local mode and the DNS-01 solver.
 */
import type { Certificate, Challenge, ClusterIssuer, Issuer, Order } from '../../api/types.js';
import { AcmeAccounts } from '../../issuers/acme/accounts.js';
import { OrderBudget, type OrderBudgetOptions } from '../../issuers/acme/budget.js';
import { createAcmeIssuer } from '../../issuers/acme/issuer.js';
import { orderIndexers, ownerIndexers } from '../../issuers/acme/orders.js';
import type { IssuerBackend, IssuerContext } from '../../issuers/backend.js';
import { kubeServiceAccountTokens } from '../../issuers/vault/service-account-tokens.js';
import { Http01Listener } from '../../solvers/http01/listener.js';
import { createLocalHttp01Solver } from '../../solvers/http01/local-solver.js';
import { createClusterHttp01Solver } from '../../solvers/http01/cluster-solver.js';
import type { SolverPodOptions, TokenService } from '../../solvers/http01/solver-objects.js';
import type { EventRecorder } from '../events.js';
import type { AcmeRequestObservation } from '../observability/metrics.js';
import type { KubeClient } from '../runtime/client.js';
import type { Controller, SyncHooks } from '../runtime/controller.js';
import { controllerOwnerKeys, enqueueMapped } from '../runtime/handlers.js';
import { Informer } from '../runtime/informer.js';
import { CHALLENGES, ORDERS } from '../runtime/resources.js';
import type { TimerQueue } from '../runtime/timers.js';
import { withoutManagedFields } from '../runtime/transforms.js';
import { ChallengeController } from './challenges.js';
import { lazySolver, type ChallengeSolver } from './challenge-solver.js';
import { OrderController } from './orders.js';
import { AriController, replacesFor, type DEFAULT_ARI_POLL_BOUNDS } from './ari.js';

/** cert-manager's `--acme-http01-solver-address` default. */
export const DEFAULT_HTTP01_SOLVER_ADDRESS = ':80';
/** cert-manager's solver Pod defaults (`--acme-http01-solver-resource-*`); the image is certwright's own, tagged with its version. */
export const DEFAULT_HTTP01_SOLVER_POD = {
  imageRepository: 'ghcr.io/certwright/certwright',
  requests: { cpu: '10m', memory: '64Mi' },
  limits: { cpu: '100m', memory: '64Mi' },
} as const;
/** The chart's Service in front of the token listener (`--acme-http01-solver-service-name`, `-port`). */
export const DEFAULT_HTTP01_SOLVER_SERVICE = { name: 'certwright-http01', port: 80 } as const;
/**
 * How HTTP-01 tokens reach the ACME server: `local` (the listener alone), `service` (solver
 * Ingresses / HTTPRoutes routed to the listener's Service) or `pod` (routed to a solver Pod per
 * Challenge, as cert-manager does).
 */
export const HTTP01_SOLVER_MODES = ['local', 'service', 'pod'] as const;
export type Http01SolverMode = (typeof HTTP01_SOLVER_MODES)[number];
/** HTTP-01 Challenges by token, for a replica answering a token another replica presented. */
const CHALLENGES_BY_TOKEN = 'http01-token';

/** The ACME flags (cert-manager's names in comments). */
export interface AcmeOptions {
  /** `--acme-http01-solver-address`: the built-in HTTP-01 listener of local mode (`certwright run` defaults it to `:80`); none when omitted. */
  http01SolverAddress?: string;
  /** `--acme-http01-solver-nameservers`: resolvers of the HTTP-01 self-check. */
  http01SolverNameservers?: string[];
  /** `--acme-http01-solver-mode` (`local` unless told; `certwright run` picks `service` against a cluster). */
  http01SolverMode?: Http01SolverMode;
  /** `--acme-http01-solver-service-{name,namespace,port}`: the listener's Service, the backend of service mode. */
  http01SolverService?: TokenService;
  /** `--acme-http01-solver-image`, `-resource-*`, `-run-as-non-root`: the solver Pods of pod mode. */
  http01SolverPod?: SolverPodOptions;
  /** The `ACMEHTTP01IngressPathTypeExact` feature gate (on). */
  http01IngressPathTypeExact?: boolean;
  /** Port the service-mode self-check connects to (80; tests point it at the listener). */
  http01SelfCheckPort?: number;
  /** `--max-concurrent-challenges` (60). */
  maxConcurrentChallenges?: number;
  /** `--dns01-check-retry-period` (10 s), also between HTTP-01 self-checks. */
  checkRetryPeriodMs?: number;
  /** `--dns01-recursive-nameservers`. */
  dns01RecursiveNameservers?: string[];
  /** `--dns01-recursive-nameservers-only`. */
  dns01RecursiveNameserversOnly?: boolean;
  /** Port of authoritative nameservers for the DNS-01 self-check (53; tests run bind9 elsewhere). */
  dns01AuthoritativePort?: number;
  /** `--issuer-ambient-credentials` (false) / `--cluster-issuer-ambient-credentials` (true). */
  issuerAmbientCredentials?: boolean;
  clusterIssuerAmbientCredentials?: boolean;
  /** Wait between polls of orders and authorizations the server is working on (2 s). */
  pollIntervalMs?: number;
  /** Per-account new-order budget (Let's Encrypt's 300 / 3 h by default); `false` for none. */
  orderBudget?: OrderBudgetOptions | false;
  /** Bounds of the ARI renewalInfo poll interval (Retry-After clamped to [1 h, 7 d], 24 h by default). */
  ariPollBounds?: typeof DEFAULT_ARI_POLL_BOUNDS;
}

export interface AcmeDependencies {
  client: KubeClient;
  timers: TimerQueue;
  issuers: Informer<Issuer>;
  clusterIssuers?: Informer<ClusterIssuer>;
  certificates: Informer<Certificate>;
  context: IssuerContext;
  events: EventRecorder;
  hooks: SyncHooks;
  workers?: number;
  /** Scope of the Order and Challenge informers. */
  namespace?: string;
  onRequest: (observation: AcmeRequestObservation) => void;
  onInformerError: (what: string) => (err: unknown) => void;
  /** Which of `orders` / `challenges` to run. */
  runOrders: boolean;
  runChallenges: boolean;
}

export class AcmeComponents {
  readonly orders: Informer<Order>;
  readonly challenges: Informer<Challenge>;
  readonly accounts: AcmeAccounts;
  readonly backend: IssuerBackend;
  readonly controllers: Array<{ start(): void; stop(): Promise<void>; readonly controller: Controller }> = [];
  readonly http01: Http01Listener | undefined;
  #options: AcmeOptions;
  #http01Port: number | undefined;
  #listenError: Error | undefined;

  constructor(deps: AcmeDependencies, options: AcmeOptions = {}) {
    this.#options = options;
    const scope = deps.namespace ? { namespace: deps.namespace } : {};
    this.orders = new Informer<Order>({ source: deps.client.listerWatcher<Order>(ORDERS, scope), timers: deps.timers, indexers: orderIndexers, transform: withoutManagedFields, onError: deps.onInformerError('orders') });
    this.challenges = new Informer<Challenge>({
      source: deps.client.listerWatcher<Challenge>(CHALLENGES, scope),
      timers: deps.timers,
      indexers: { ...ownerIndexers, [CHALLENGES_BY_TOKEN]: (c: Challenge) => (c.spec.type === 'HTTP-01' ? [c.spec.token] : []) } as never,
      transform: withoutManagedFields,
      onError: deps.onInformerError('challenges'),
    });
    this.accounts = new AcmeAccounts({ client: deps.client, onRequest: deps.onRequest, now: () => deps.timers.clock.now() });
    this.backend = createAcmeIssuer({
      accounts: this.accounts,
      client: deps.client,
      orders: this.orders,
      replacesFor: (request, issuer, accountUri) => replacesFor(request, issuer, accountUri, { certificates: deps.certificates, orders: this.orders, context: deps.context }),
    });
    const common = {
      client: deps.client,
      timers: deps.timers,
      issuers: deps.issuers,
      ...(deps.clusterIssuers ? { clusterIssuers: deps.clusterIssuers } : {}),
      accounts: this.accounts,
      context: deps.context,
      events: deps.events,
      hooks: deps.hooks,
      ...(deps.workers ? { workers: deps.workers } : {}),
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    };
    if (deps.runOrders) {
      const budget = options.orderBudget === false ? undefined : new OrderBudget(options.orderBudget, () => deps.timers.clock.now());
      this.controllers.push(new OrderController({ ...common, orders: this.orders, challenges: this.challenges, ...(budget ? { budget } : {}) }));
      const { pollIntervalMs: _poll, ...ariCommon } = common;
      this.controllers.push(new AriController({ ...ariCommon, certificates: deps.certificates, ...(options.ariPollBounds ? { pollBounds: options.ariPollBounds } : {}) }));
    }
    const mode = options.http01SolverMode ?? 'local';
    // Without an address (embedding callers, tests of other features) nothing binds :80 and HTTP-01 Challenges fail clearly; solver Pods need no listener.
    const listening = deps.runChallenges && mode !== 'pod' && options.http01SolverAddress !== undefined;
    this.http01 = listening ? new Http01Listener(mode === 'service' ? (token) => this.#liveKey(token) : undefined) : undefined;
    if (deps.runChallenges) {
      const http01 = this.#http01Solver(deps.client, mode, options);
      const solvers: Partial<Record<Challenge['spec']['type'], ChallengeSolver>> = {
        ...(http01 ? { 'HTTP-01': http01 } : {}),
        'DNS-01': lazySolver(async () => {
          const [{ createDns01Solver }, { createDns01Providers }] = await Promise.all([import('./dns01-solver.js'), import('../../solvers/dns01/registry.js')]);
          return createDns01Solver({
            // Route53 auth.kubernetes mints tokens and webhook solvers are reached through the API server, as in cert-manager.
            providers: createDns01Providers({
              route53: { serviceAccountToken: kubeServiceAccountTokens(deps.client) },
              webhook: (path, payload) => deps.client.post(path, payload),
            }),
            context: deps.context,
            selfCheck: {
              ...(options.dns01RecursiveNameservers ? { recursiveNameservers: options.dns01RecursiveNameservers } : {}),
              ...(options.dns01RecursiveNameserversOnly ? { recursiveOnly: true } : {}),
              ...(options.dns01AuthoritativePort ? { authoritativePort: options.dns01AuthoritativePort } : {}),
            },
            ambientCredentials: { issuer: options.issuerAmbientCredentials ?? false, clusterIssuer: options.clusterIssuerAmbientCredentials ?? true },
          });
        }),
      };
      this.controllers.push(
        new ChallengeController({
          ...common,
          challenges: this.challenges,
          solvers,
          ...(options.maxConcurrentChallenges ? { maxConcurrent: options.maxConcurrentChallenges } : {}),
          ...(options.checkRetryPeriodMs !== undefined ? { checkRetryPeriodMs: options.checkRetryPeriodMs } : {}),
        }),
      );
    }
  }

  get informers(): Informer<never>[] {
    return [this.orders, this.challenges] as unknown as Informer<never>[];
  }

  /** The port the HTTP-01 listener bound, once listening. */
  get http01Port(): number | undefined {
    return this.#http01Port;
  }

  /** Wakes a CertificateRequest when its Order changes (the signer's queue). */
  wakeRequestsOn(queue: Parameters<typeof enqueueMapped>[0]): void {
    this.orders.addEventHandler(enqueueMapped<Order>(queue, controllerOwnerKeys('cert-manager.io/v1', 'CertificateRequest')));
  }

  /** Binds the HTTP-01 listener (`--acme-http01-solver-address`); call before starting the controllers. */
  async listen(onError?: (err: unknown) => void): Promise<void> {
    if (!this.http01 || this.#http01Port !== undefined) return;
    try {
      this.#http01Port = await this.http01.listen(this.#options.http01SolverAddress!);
    } catch (err) {
      this.#listenError = new Error(`the HTTP-01 solver listener could not listen on ${this.#options.http01SolverAddress}: ${err instanceof Error ? err.message : String(err)}`);
      onError?.(this.#listenError);
    }
  }

  #http01Solver(client: KubeClient, mode: Http01SolverMode, options: AcmeOptions): ChallengeSolver | undefined {
    const nameservers = options.http01SolverNameservers ? { nameservers: options.http01SolverNameservers } : {};
    const local = this.http01 && { listener: this.http01, port: () => this.#boundPort(), ...nameservers };
    if (mode === 'local') return local && createLocalHttp01Solver(local);
    const cluster = {
      client,
      ...nameservers,
      ...(options.http01IngressPathTypeExact !== undefined ? { ingressPathTypeExact: options.http01IngressPathTypeExact } : {}),
      ...(options.http01SelfCheckPort !== undefined ? { selfCheckPort: options.http01SelfCheckPort } : {}),
    };
    if (mode === 'pod') {
      if (!options.http01SolverPod) throw new Error('HTTP-01 pod mode needs the solver Pod options (image, resources)');
      return createClusterHttp01Solver({ ...cluster, backend: { mode: 'pod', pod: options.http01SolverPod } });
    }
    if (!options.http01SolverService) throw new Error('HTTP-01 service mode needs the token Service (name, namespace, port)');
    return local && createClusterHttp01Solver({ ...cluster, backend: { mode: 'service', service: options.http01SolverService, local } });
  }

  /** The key of a live HTTP-01 Challenge with `token` (presented by any replica). */
  #liveKey(token: string): string | undefined {
    return this.challenges.byIndex(CHALLENGES_BY_TOKEN, token).find((c) => !c.metadata.deletionTimestamp && c.status?.processing === true)?.spec.key;
  }

  #boundPort(): number {
    if (this.#http01Port === undefined) throw this.#listenError ?? new Error('the HTTP-01 solver listener is not listening yet');
    return this.#http01Port;
  }

  async close(): Promise<void> {
    await this.http01?.close();
  }
}


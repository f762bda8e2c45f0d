/**
 * HTTP-01 in a cluster: per Challenge this solver writes what routes the ACME server's request to
 * a backend — a solver Ingress, a path rule in a named Ingress (edit in place) or an HTTPRoute —
 * and removes it on clean-up. The backend is, by `--acme-http01-solver-mode`:
 * - `service`: the controller's token listener behind its Service (plus an ExternalName Service
 *   when the Challenge lives in another namespace);
 * - `pod`: cert-manager's per-challenge solver Pod and Service, for clusters whose ingress cannot
 *   reach the controller.
 * The self-check fetches the token as the ACME server will, on port 80 of the domain.
 */
import type { Challenge, HTTP01Ingress } from '../../api/types.js';
import type { ChallengeSolver } from '../../controller/acme/challenge-solver.js';
import { INGRESSES } from '../../controller/ingress-shim/ingress.js';
import { isAlreadyExists, isNotFound } from '../../controller/runtime/api-error.js';
import type { KubeClient } from '../../controller/runtime/client.js';
import { HTTP_ROUTES, PODS, SERVICES } from '../../controller/runtime/resources.js';
import type { GenericIssuer } from '../../issuers/backend.js';
import { createLocalHttp01Solver, selfCheckChallenge, type LocalHttp01SolverOptions } from './local-solver.js';
import {
  challengeBackend,
  ingressPath,
  rulesWithChallengePath,
  rulesWithoutChallengePath,
  solverHttpRoute,
  solverIngress,
  solverObjectName,
  solverPod,
  solverPodService,
  SOLVER_POD_PORT,
  type ChallengeBackend,
  type SolverIngress,
  type SolverPodOptions,
  type TokenService,
} from './solver-objects.js';

export type ClusterBackend =
  /** The controller's listener (`local`) behind `service`. */
  | { mode: 'service'; service: TokenService; local: LocalHttp01SolverOptions }
  | { mode: 'pod'; pod: SolverPodOptions };

export interface ClusterHttp01SolverOptions {
  client: KubeClient;
  backend: ClusterBackend;
  /** `--acme-http01-solver-nameservers`. */
  nameservers?: string[];
  /** The `ACMEHTTP01IngressPathTypeExact` feature gate (on by default): `Exact`, else `ImplementationSpecific`. */
  ingressPathTypeExact?: boolean;
  /** Port of the self-check (80, where the ACME server connects; tests point it elsewhere). */
  selfCheckPort?: number;
}

/** How a Challenge's `http01` solver is routed. */
type Route = { kind: 'httproute' } | { kind: 'edit-in-place'; ingressName: string } | { kind: 'ingress'; config: HTTP01Ingress };

function routeOf(challenge: Challenge): Route {
  const http01 = challenge.spec.solver.http01;
  if (http01?.gatewayHTTPRoute) return { kind: 'httproute' };
  const config = http01?.ingress ?? {};
  return config.name ? { kind: 'edit-in-place', ingressName: config.name } : { kind: 'ingress', config };
}

/** Runs a write whose `accepted` failure means it was already done (the object exists, or is gone). */
async function idempotent(accepted: (err: unknown) => boolean, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!accepted(err)) throw err;
  }
}

const solverRef = (challenge: Challenge) => ({ namespace: challenge.metadata.namespace, name: solverObjectName(challenge) });

/** What serves the token for a route: made before the route, removed after it. */
interface Backend {
  of(challenge: Challenge): ChallengeBackend;
  present(challenge: Challenge, issuer: GenericIssuer): Promise<void>;
  cleanUp(challenge: Challenge, issuer: GenericIssuer): Promise<void>;
}

function tokenServiceBackend(client: KubeClient, service: TokenService, local: LocalHttp01SolverOptions): Backend {
  const listener = createLocalHttp01Solver(local);
  return {
    of: (challenge) => challengeBackend(challenge, service),
    present: async (challenge, issuer) => {
      await listener.present(challenge, issuer);
      const proxy = challengeBackend(challenge, service).proxy;
      if (proxy) await idempotent(isAlreadyExists, () => client.create(SERVICES, proxy));
    },
    cleanUp: async (challenge, issuer) => {
      if (challengeBackend(challenge, service).proxy) await idempotent(isNotFound, () => client.delete(SERVICES, solverRef(challenge)));
      await listener.cleanUp(challenge, issuer);
    },
  };
}

function solverPodBackend(client: KubeClient, options: SolverPodOptions): Backend {
  return {
    of: (challenge) => ({ serviceName: solverObjectName(challenge), port: SOLVER_POD_PORT }),
    present: async (challenge) => {
      await idempotent(isAlreadyExists, () => client.create(PODS, solverPod(challenge, options)));
      await idempotent(isAlreadyExists, () => client.create(SERVICES, solverPodService(challenge)));
    },
    cleanUp: async (challenge) => {
      await idempotent(isNotFound, () => client.delete(SERVICES, solverRef(challenge)));
      await idempotent(isNotFound, () => client.delete(PODS, solverRef(challenge)));
    },
  };
}

export function createClusterHttp01Solver(options: ClusterHttp01SolverOptions): ChallengeSolver {
  const { client } = options;
  const backend = options.backend.mode === 'service' ? tokenServiceBackend(client, options.backend.service, options.backend.local) : solverPodBackend(client, options.backend.pod);
  const pathTypeExact = options.ingressPathTypeExact ?? true;

  /** Rewrites the named Ingress's rules when `edit` changes them; a conflicting write fails and is retried by the queue. */
  const editIngress = async (challenge: Challenge, name: string, edit: (ingress: SolverIngress) => SolverIngress['spec'] | undefined, missingIsError: boolean) => {
    const ingress = await client.find<SolverIngress>(INGRESSES, { namespace: challenge.metadata.namespace, name });
    if (!ingress) {
      if (missingIsError) throw new Error(`the Ingress ${name} to edit in place does not exist in namespace ${challenge.metadata.namespace}`);
      return;
    }
    const spec = edit(ingress);
    if (spec) await client.update<SolverIngress>(INGRESSES, { ...ingress, spec });
  };

  const presentRoute = async (challenge: Challenge, target: ChallengeBackend) => {
    const route = routeOf(challenge);
    if (route.kind === 'httproute') return idempotent(isAlreadyExists, () => client.create(HTTP_ROUTES, solverHttpRoute(challenge, target)));
    if (route.kind === 'ingress') return idempotent(isAlreadyExists, () => client.create(INGRESSES, solverIngress(challenge, route.config, target, pathTypeExact)));
    const path = ingressPath(challenge, target, pathTypeExact);
    return editIngress(challenge, route.ingressName, (ingress) => {
      const rules = rulesWithChallengePath(ingress.spec?.rules ?? [], challenge, path);
      return rules && { ...ingress.spec, rules };
    }, true);
  };

  const cleanUpRoute = async (challenge: Challenge) => {
    const route = routeOf(challenge);
    if (route.kind === 'httproute') return idempotent(isNotFound, () => client.delete(HTTP_ROUTES, solverRef(challenge)));
    if (route.kind === 'ingress') return idempotent(isNotFound, () => client.delete(INGRESSES, solverRef(challenge)));
    return editIngress(challenge, route.ingressName, (ingress) => {
      const rules = rulesWithoutChallengePath(ingress.spec?.rules ?? [], challenge);
      return rules && { ...ingress.spec, rules };
    }, false);
  };

  return {
    present: async (challenge, issuer) => {
      await backend.present(challenge, issuer);
      await presentRoute(challenge, backend.of(challenge));
    },
    check: (challenge) => selfCheckChallenge(challenge, options.selfCheckPort ?? 80, options.nameservers),
    cleanUp: async (challenge, issuer) => {
      await cleanUpRoute(challenge);
      await backend.cleanUp(challenge, issuer);
    },
  };
}

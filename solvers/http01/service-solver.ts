/**
 * HTTP-01 in a cluster (`--acme-http01-solver-mode=service`): the controller's token listener,
 * behind its Service, answers; per Challenge this solver writes what routes the ACME server's
 * request there — a solver Ingress, a path rule in a named Ingress (edit in place) or an HTTPRoute,
 * plus the ExternalName Service when the Challenge lives in another namespace — and removes it on
 * clean-up. The self-check fetches the token as the ACME server will, on port 80 of the domain.
 */
import type { Challenge, HTTP01Ingress } from '../../api/types.js';
import type { ChallengeSolver } from '../../controller/acme/challenge-solver.js';
import { INGRESSES } from '../../controller/ingress-shim/ingress.js';
import { isAlreadyExists, isNotFound } from '../../controller/runtime/api-error.js';
import type { KubeClient } from '../../controller/runtime/client.js';
import { HTTP_ROUTES, SERVICES } from '../../controller/runtime/resources.js';
import { createLocalHttp01Solver, selfCheckChallenge, type LocalHttp01SolverOptions } from './local-solver.js';
import {
  challengeBackend,
  ingressPath,
  rulesWithChallengePath,
  rulesWithoutChallengePath,
  solverHttpRoute,
  solverIngress,
  solverObjectName,
  type ChallengeBackend,
  type SolverIngress,
  type TokenService,
} from './solver-objects.js';

export interface ServiceHttp01SolverOptions extends LocalHttp01SolverOptions {
  client: KubeClient;
  /** `--acme-http01-solver-service-{name,namespace,port}`. */
  service: TokenService;
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

export function createServiceHttp01Solver(options: ServiceHttp01SolverOptions): ChallengeSolver {
  const { client } = options;
  const listener = createLocalHttp01Solver(options);
  const pathTypeExact = options.ingressPathTypeExact ?? true;

  /** Runs a write whose `accepted` failure means it was already done (the object exists, or is gone). */
  const idempotent = async (accepted: (err: unknown) => boolean, write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (err) {
      if (!accepted(err)) throw err;
    }
  };
  const solverRef = (challenge: Challenge) => ({ namespace: challenge.metadata.namespace, name: solverObjectName(challenge) });
  /** Rewrites the named Ingress's rules when `edit` changes them; a conflicting write fails and is retried by the queue. */
  const editIngress = async (challenge: Challenge, name: string, edit: (ingress: SolverIngress) => SolverIngress['spec'] | undefined, missingIsError: boolean) => {
    const ref = { namespace: challenge.metadata.namespace, name };
    const ingress = await client.find<SolverIngress>(INGRESSES, ref);
    if (!ingress) {
      if (missingIsError) throw new Error(`the Ingress ${name} to edit in place does not exist in namespace ${challenge.metadata.namespace}`);
      return;
    }
    const spec = edit(ingress);
    if (spec) await client.update<SolverIngress>(INGRESSES, { ...ingress, spec });
  };

  const present = async (challenge: Challenge, backend: ChallengeBackend) => {
    const route = routeOf(challenge);
    const proxy = backend.proxy;
    if (proxy) await idempotent(isAlreadyExists, () => client.create(SERVICES, proxy));
    if (route.kind === 'httproute') return idempotent(isAlreadyExists, () => client.create(HTTP_ROUTES, solverHttpRoute(challenge, backend)));
    if (route.kind === 'ingress') return idempotent(isAlreadyExists, () => client.create(INGRESSES, solverIngress(challenge, route.config, backend, pathTypeExact)));
    const path = ingressPath(challenge, backend, pathTypeExact);
    return editIngress(challenge, route.ingressName, (ingress) => {
      const rules = rulesWithChallengePath(ingress.spec?.rules ?? [], challenge, path);
      return rules && { ...ingress.spec, rules };
    }, true);
  };

  return {
    present: async (challenge, issuer) => {
      await listener.present(challenge, issuer);
      await present(challenge, challengeBackend(challenge, options.service));
    },
    check: (challenge) => selfCheckChallenge(challenge, options.selfCheckPort ?? 80, options.nameservers),
    cleanUp: async (challenge, issuer) => {
      const route = routeOf(challenge);
      if (route.kind === 'httproute') await idempotent(isNotFound, () => client.delete(HTTP_ROUTES, solverRef(challenge)));
      if (route.kind === 'ingress') await idempotent(isNotFound, () => client.delete(INGRESSES, solverRef(challenge)));
      if (route.kind === 'edit-in-place') {
        await editIngress(challenge, route.ingressName, (ingress) => {
          const rules = rulesWithoutChallengePath(ingress.spec?.rules ?? [], challenge);
          return rules && { ...ingress.spec, rules };
        }, false);
      }
      if (challengeBackend(challenge, options.service).proxy) await idempotent(isNotFound, () => client.delete(SERVICES, solverRef(challenge)));
      await listener.cleanUp(challenge, issuer);
    },
  };
}

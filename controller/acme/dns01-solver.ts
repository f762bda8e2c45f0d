/**
 * DNS-01 through the dns01 helper's providers: the record name and zone are resolved on the
 * recursive nameservers, the provider writes or removes the TXT value, and the propagation check
 * is the dns01 self-check with the solver's own nameservers or the global flags.
 */
import type { Challenge } from '../../api/types.js';
import type { GenericIssuer, IssuerContext } from '../../issuers/backend.js';
import { firstAnswering } from '../../solvers/dns01/lookup.js';
import { resolveDns01Request } from '../../solvers/dns01/record.js';
import type { Dns01Request } from '../../solvers/dns01/provider.js';
import { cleanUpDns01, presentDns01, type Dns01Providers } from '../../solvers/dns01/registry.js';
import { checkTxtPropagated, recursiveNameservers, selfCheckOptionsFor, type SelfCheckOptions } from '../../solvers/dns01/self-check.js';
import type { ChallengeSolver } from './challenge-solver.js';
import { LruCache } from '../runtime/lru.js';

export interface Dns01SolverOptions {
  providers: Dns01Providers;
  context: IssuerContext;
  /** `--dns01-recursive-nameservers` and `--dns01-recursive-nameservers-only`, plus the authoritative port. */
  selfCheck: SelfCheckOptions;
  /** `--issuer-ambient-credentials` / `--cluster-issuer-ambient-credentials`. */
  ambientCredentials: { issuer: boolean; clusterIssuer: boolean };
}

/** Challenges whose record and zone are kept between calls (those in flight at once, with room). */
const RESOLVED_CHALLENGES = 4096;

export function createDns01Solver(options: Dns01SolverOptions): ChallengeSolver {
  /**
   * The request each Challenge resolved to, by uid: present (every reconcile re-presents), every
   * self-check and the clean-up need the record and its zone, and finding the zone walks the name's
   * labels (an SOA and a CNAME query each). A Challenge's name and solver never change; a failed
   * lookup is not kept, and the clean-up forgets it.
   */
  const resolved = new LruCache<string, Dns01Request>(RESOLVED_CHALLENGES);
  const requestFor = async (challenge: Challenge, issuer: GenericIssuer) => {
    const config = challenge.spec.solver.dns01!;
    const uid = challenge.metadata.uid;
    const known = uid ? resolved.get(uid) : undefined;
    if (known) return { request: known, config };
    const lookup = firstAnswering(recursiveNameservers(config.nameservers ?? options.selfCheck.recursiveNameservers));
    const request = await resolveDns01Request(
      {
        uid: challenge.metadata.uid ?? '',
        dnsName: challenge.spec.dnsName,
        key: challenge.spec.key,
        resourceNamespace: options.context.resourceNamespace(issuer),
        allowAmbientCredentials: issuer.kind === 'ClusterIssuer' ? options.ambientCredentials.clusterIssuer : options.ambientCredentials.issuer,
      },
      config,
      lookup,
    );
    if (uid) resolved.set(uid, request);
    return { request, config };
  };
  const ctx = { getSecret: (namespace: string, name: string) => options.context.getSecret(namespace, name) };
  return {
    present: async (challenge, issuer) => {
      const { request, config } = await requestFor(challenge, issuer);
      await presentDns01(request, config, ctx, options.providers);
    },
    cleanUp: async (challenge, issuer) => {
      const { request, config } = await requestFor(challenge, issuer);
      await cleanUpDns01(request, config, ctx, options.providers);
      if (challenge.metadata.uid) resolved.delete(challenge.metadata.uid);
    },
    check: async (challenge, issuer) => {
      const { request } = await requestFor(challenge, issuer);
      const result = await checkTxtPropagated(request.resolvedFQDN, challenge.spec.key, { ...selfCheckOptionsFor(challenge.spec.solver, options.selfCheck), zone: request.resolvedZone });
      return { ok: result.propagated, detail: result.detail };
    },
  };
}

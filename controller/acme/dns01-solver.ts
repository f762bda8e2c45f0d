/**
 * DNS-01 through the dns01 helper's providers: the record name and zone are resolved on the
 * recursive nameservers, the provider writes or removes the TXT value, and the propagation check
 * is the dns01 self-check with the solver's own nameservers or the global flags.
 */
import type { Challenge } from '../../api/types.js';
import type { GenericIssuer, IssuerContext } from '../../issuers/backend.js';
import { firstAnswering } from '../../solvers/dns01/lookup.js';
import { resolveDns01Request } from '../../solvers/dns01/record.js';
import { cleanUpDns01, presentDns01, type Dns01Providers } from '../../solvers/dns01/registry.js';
import { checkTxtPropagated, recursiveNameservers, selfCheckOptionsFor, type SelfCheckOptions } from '../../solvers/dns01/self-check.js';
import type { ChallengeSolver } from './challenge-solver.js';

export interface Dns01SolverOptions {
  providers: Dns01Providers;
  context: IssuerContext;
  /** `--dns01-recursive-nameservers` and `--dns01-recursive-nameservers-only`, plus the authoritative port. */
  selfCheck: SelfCheckOptions;
  /** `--issuer-ambient-credentials` / `--cluster-issuer-ambient-credentials`. */
  ambientCredentials: { issuer: boolean; clusterIssuer: boolean };
}

export function createDns01Solver(options: Dns01SolverOptions): ChallengeSolver {
  const requestFor = async (challenge: Challenge, issuer: GenericIssuer) => {
    const config = challenge.spec.solver.dns01!;
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
    },
    check: async (challenge, issuer) => {
      const { request } = await requestFor(challenge, issuer);
      const result = await checkTxtPropagated(request.resolvedFQDN, challenge.spec.key, { ...selfCheckOptionsFor(challenge.spec.solver, options.selfCheck), zone: request.resolvedZone });
      return { ok: result.propagated, detail: result.detail };
    },
  };
}

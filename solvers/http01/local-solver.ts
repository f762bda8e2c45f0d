/**
 * HTTP-01 in local mode: every `http01` solver (ingress or gatewayHTTPRoute) is answered by the
 * built-in listener, and the self-check fetches the token from the listener's port through the
 * configured nameservers, as the ACME server would (on port 80 in production).
 */
import type { Challenge } from '../../api/types.js';
import type { ChallengeSolver, SelfCheckResult } from '../../controller/acme/challenge-solver.js';
import type { Http01Listener } from './listener.js';
import { checkHttp01 } from './self-check.js';

export interface LocalHttp01SolverOptions {
  listener: Http01Listener;
  /** The port the listener is bound to (what the self-check connects to); throws when it is not listening. */
  port: () => number;
  /** `--acme-http01-solver-nameservers`. */
  nameservers?: string[];
}

/** One self-check of `challenge` on `port`, resolving its domain through `nameservers`. */
export function selfCheckChallenge(challenge: Challenge, port: number, nameservers: string[] | undefined): Promise<SelfCheckResult> {
  return checkHttp01(challenge.spec.dnsName, challenge.spec.token, challenge.spec.key, { port, ...(nameservers ? { nameservers } : {}) });
}

export function createLocalHttp01Solver(options: LocalHttp01SolverOptions): ChallengeSolver {
  return {
    present: async (challenge: Challenge) => {
      options.port(); // throws when the listener could not bind: presenting would serve nothing
      options.listener.present(challenge.spec.token, challenge.spec.key);
    },
    check: (challenge: Challenge) => selfCheckChallenge(challenge, options.port(), options.nameservers),
    cleanUp: async (challenge: Challenge) => options.listener.cleanUp(challenge.spec.token),
  };
}

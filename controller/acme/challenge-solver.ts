/** What the Challenge controller needs from a challenge type's solver (HTTP-01 or DNS-01). */
import type { Challenge } from '../../api/types.js';
import type { GenericIssuer } from '../../issuers/backend.js';

export interface SelfCheckResult {
  ok: boolean;
  /** Why not (shown in the Challenge's reason), or what passed. */
  detail: string;
}

export interface ChallengeSolver {
  /** Makes the key visible where the ACME server will look; idempotent. */
  present(challenge: Challenge, issuer: GenericIssuer): Promise<void>;
  /** One look at whether the ACME server would see the key now; never sleeps. */
  check(challenge: Challenge, issuer: GenericIssuer): Promise<SelfCheckResult>;
  /** Removes what `present` made; idempotent. */
  cleanUp(challenge: Challenge, issuer: GenericIssuer): Promise<void>;
}

/**
 * A solver made by `create` when a Challenge of its type first needs it, so its modules (DNS-01's
 * providers and DNS wire format) are imported only by a controller that meets such a Challenge.
 */
export function lazySolver(create: () => Promise<ChallengeSolver>): ChallengeSolver {
  let solver: Promise<ChallengeSolver> | undefined;
  const load = () => (solver ??= create());
  return {
    present: async (challenge, issuer) => (await load()).present(challenge, issuer),
    check: async (challenge, issuer) => (await load()).check(challenge, issuer),
    cleanUp: async (challenge, issuer) => (await load()).cleanUp(challenge, issuer),
  };
}

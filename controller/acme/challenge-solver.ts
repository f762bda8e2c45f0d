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

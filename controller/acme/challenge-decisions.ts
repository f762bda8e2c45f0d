/**
 * The Challenge controller's decisions (reference §2.12) as pure functions: which waiting
 * Challenges the scheduler starts, and the next step for one Challenge.
 */
import type { Challenge } from '../../api/types.js';
import { isFinalState } from './order-decisions.js';

export const CHALLENGE_FINALIZER = 'acme.cert-manager.io/finalizer';
/** cert-manager's scheduler starts at most this many Challenges per pass. */
export const MAX_SCHEDULED_PER_PASS = 20;
/** `--max-concurrent-challenges` default. */
export const DEFAULT_MAX_CONCURRENT_CHALLENGES = 60;

/** Two Challenges for the same name and type must never be live at once (they would overwrite each other's record). */
export const challengeSlot = (challenge: Challenge): string => `${challenge.spec.type}/${challenge.spec.wildcard ? '*.' : ''}${challenge.spec.dnsName}`;

const isLive = (challenge: Challenge) => !challenge.metadata.deletionTimestamp && !isFinalState(challenge.status?.state);

/**
 * The Challenges to mark processing now: oldest first, keeping the total processing at or below
 * `maxConcurrent`, at most `maxPerPass`, and never a second one for a (name, type) already processing.
 */
export function challengesToSchedule(all: readonly Challenge[], maxConcurrent: number, maxPerPass = MAX_SCHEDULED_PER_PASS): Challenge[] {
  const live = all.filter(isLive);
  const processing = live.filter((c) => c.status?.processing === true);
  const busy = new Set(processing.map(challengeSlot));
  const waiting = live
    .filter((c) => c.status?.processing !== true)
    .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const room = Math.min(maxPerPass, maxConcurrent - processing.length);
  const chosen: Challenge[] = [];
  for (const challenge of waiting) {
    if (chosen.length >= room) break;
    const slot = challengeSlot(challenge);
    if (busy.has(slot)) continue;
    busy.add(slot);
    chosen.push(challenge);
  }
  return chosen;
}

export type ChallengeStep =
  /** Deleted or final: clean up the solver, drop the finalizer, stop processing. */
  | 'finish'
  /** Not scheduled yet. */
  | 'idle'
  | 'add-finalizer'
  /** No state yet: read it from the authorization (it may already be valid). */
  | 'read-state'
  | 'present'
  /** Presented and pending at the server: self-check, then accept. */
  | 'check-and-accept'
  /** Accepted: poll the authorization until it is final. */
  | 'poll';

export function nextChallengeStep(challenge: Challenge): ChallengeStep {
  const status = challenge.status ?? {};
  if (challenge.metadata.deletionTimestamp || isFinalState(status.state)) return 'finish';
  if (status.processing !== true) return 'idle';
  if (!(challenge.metadata.finalizers ?? []).includes(CHALLENGE_FINALIZER)) return 'add-finalizer';
  if (!status.state) return 'read-state';
  if (!status.presented) return 'present';
  return status.state === 'pending' ? 'check-and-accept' : 'poll';
}

/** cert-manager's mapping of an ACME error on a Challenge to its state: `malformed` → expired, other 4xx → errored. */
export function stateForProblem(shortType: string): 'expired' | 'errored' {
  return shortType === 'malformed' ? 'expired' : 'errored';
}

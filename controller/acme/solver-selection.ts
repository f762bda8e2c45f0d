/**
 * Which solver answers an authorization (reference §2.13, cert-manager's solverpicker): among the
 * solvers whose challenge type the server offers, a selector matching by exact DNS name beats one
 * matching by zone, which beats labels alone, which beats no selector; ties go to the earlier solver.
 */
import type { ACMEChallengeSolver } from '../../api/types.js';

export type ChallengeType = 'http-01' | 'dns-01';

export interface SolverCandidateInput {
  /** The identifier, `*.`-prefixed for a wildcard authorization. */
  domain: string;
  /** Challenge types the authorization offers. */
  offered: readonly string[];
  /** The Order's labels (from the Certificate). */
  labels: Record<string, string>;
}

export interface SolverChoice {
  solver: ACMEChallengeSolver;
  type: ChallengeType;
}

export function solverType(solver: ACMEChallengeSolver): ChallengeType | undefined {
  if (solver.http01) return 'http-01';
  if (solver.dns01) return 'dns-01';
  return undefined;
}

/** How well a selector matches; undefined when it does not match at all. */
interface Score {
  dnsName: boolean;
  zoneLabels: number;
  labels: number;
}

function scoreOf(solver: ACMEChallengeSolver, input: SolverCandidateInput): Score | undefined {
  const selector = solver.selector;
  if (!selector) return { dnsName: false, zoneLabels: 0, labels: 0 };
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  if (matchLabels.some(([k, v]) => input.labels[k] !== v)) return undefined;
  const dnsName = (selector.dnsNames ?? []).includes(input.domain);
  if ((selector.dnsNames?.length ?? 0) > 0 && !dnsName) return undefined;
  const bare = input.domain.replace(/^\*\./, '');
  const zones = (selector.dnsZones ?? []).filter((zone) => bare === zone || bare.endsWith(`.${zone}`));
  if ((selector.dnsZones?.length ?? 0) > 0 && zones.length === 0) return undefined;
  const zoneLabels = Math.max(0, ...zones.map((zone) => zone.split('.').length));
  return { dnsName, zoneLabels, labels: matchLabels.length };
}

const hasSelector = (solver: ACMEChallengeSolver) => solver.selector !== undefined && Object.keys(solver.selector).length > 0;

/** a beats b (strictly), by §2.13's precedence. */
function beats(a: Score, b: Score): boolean {
  if (a.dnsName !== b.dnsName) return a.dnsName;
  if (a.dnsName) return a.zoneLabels !== b.zoneLabels ? a.zoneLabels > b.zoneLabels : a.labels > b.labels;
  if ((a.zoneLabels > 0) !== (b.zoneLabels > 0)) return a.zoneLabels > 0;
  if (a.zoneLabels !== b.zoneLabels) return a.zoneLabels > b.zoneLabels;
  return a.labels > b.labels;
}

export function selectSolver(solvers: readonly ACMEChallengeSolver[], input: SolverCandidateInput): SolverChoice | undefined {
  let best: { choice: SolverChoice; score: Score; selected: boolean } | undefined;
  for (const solver of solvers) {
    const type = solverType(solver);
    if (!type || !input.offered.includes(type)) continue;
    const score = scoreOf(solver, input);
    if (!score) continue;
    const selected = hasSelector(solver);
    const better = !best || (selected && !best.selected) || (selected === best.selected && beats(score, best.score));
    if (better) best = { choice: { solver, type }, score, selected };
  }
  return best?.choice;
}

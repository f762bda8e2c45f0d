/** Flags of `npm run bench`. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, positiveNumber, UsageError } from '../harness/cli.js';
import { GOAL_IDS, type GoalId } from './metrics.js';
import type { Mode } from './steps.js';

const RESULTS_DIR = fileURLToPath(new URL('../../../bench/results', import.meta.url));

export const suiteUsage = `Usage: npm run bench -- [flags]

  --quick             small counts (minutes) instead of the issue's (an hour or more)
  --smoke             tiny counts (seconds; what CI runs)
  --only LIST         only the benchmarks answering these goals, e.g. P2,P6
  --runs N            run each benchmark N times; the summary reports each figure's median (default 1)
  --output-dir DIR    summary.json here, each benchmark's JSON under DIR/<mode>/ (default
                      bench/results; smoke: a temporary directory)
`;

export interface SuiteOptions {
  help: boolean;
  mode: Mode;
  only?: GoalId[];
  runs: number;
  outputDir: string;
}

export function parseSuiteOptions(args: readonly string[]): SuiteOptions {
  const v = parseFlags(args, {
    quick: { type: 'boolean' },
    smoke: { type: 'boolean' },
    only: { type: 'string' },
    runs: { type: 'string' },
    'output-dir': { type: 'string' },
  });
  if (v.quick && v.smoke) throw new UsageError('--quick and --smoke exclude each other');
  const mode: Mode = v.smoke ? 'smoke' : v.quick ? 'quick' : 'full';
  let only: GoalId[] | undefined;
  if (v.only !== undefined) {
    only = v.only.split(',').map((s) => s.trim().toUpperCase()) as GoalId[];
    const unknown = only.filter((id) => !GOAL_IDS.includes(id));
    if (unknown.length || only.length === 0) throw new UsageError(`--only takes goal ids ${GOAL_IDS.join(', ')}, got ${JSON.stringify(v.only)}`);
  }
  return {
    help: v.help ?? false,
    mode,
    ...(only ? { only } : {}),
    runs: positiveNumber('runs', v.runs, 1),
    outputDir: v['output-dir'] ?? (mode === 'smoke' ? join(tmpdir(), 'certwright-bench-smoke') : RESULTS_DIR),
  };
}

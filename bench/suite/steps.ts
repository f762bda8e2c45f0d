/**
 * The benchmarks `npm run bench` runs, in goal order, with their flags per mode: `smoke` (tiny
 * counts, seconds; CI), `quick` (small counts, minutes) and `full` (the counts). Each is
 * its own command (`node dist/bench/<name>/main.js`) writing JSON that `metrics` reads.
 */
import type { LifecycleResult } from '../lifecycle/report.js';
import { acmeMetrics, apiServerMetrics, lifecycleMetrics, punctualityMetrics, rsaMetrics, type GoalId, type Metric } from './metrics.js';

export type Mode = 'smoke' | 'quick' | 'full';
export const MODES: readonly Mode[] = ['smoke', 'quick', 'full'];

export interface Step {
  name: string;
  /** The goals its JSON answers. */
  covers: readonly GoalId[];
  /** Path of its command under the build's `bench/`. */
  script: string;
  /** Its flags in each mode it runs in (`--output` is added). */
  args: Partial<Record<Mode, readonly string[]>>;
  metrics: (result: never, mode: Mode) => Metric[];
}

const step = <R>(s: Omit<Step, 'metrics'> & { metrics: (result: R, mode: Mode) => Metric[] }): Step => s as Step;

export const STEPS: readonly Step[] = [
  step({
    name: 'lifecycle-1k',
    covers: ['P1', 'P3', 'P4'],
    script: 'lifecycle/main.js',
    args: { smoke: ['--smoke', '--count-p1-requests'], quick: ['--count', '1000', '--steady-seconds', '20'], full: ['--count', '1000'] },
    // The goals are stated at 10k: 1k is judged only when it is the mode's one lifecycle run.
    metrics: (r: LifecycleResult, mode) => lifecycleMetrics(r, mode !== 'full'),
  }),
  step({
    name: 'lifecycle-10k',
    covers: ['P1', 'P3', 'P4'],
    script: 'lifecycle/main.js',
    // P4 is stated over 10 minutes of steady state.
    args: { full: ['--count', '10000', '--steady-seconds', '600'] },
    metrics: (r: LifecycleResult) => lifecycleMetrics(r, true),
  }),
  step({
    name: 'rsa',
    covers: ['P2'],
    script: 'rsa/main.js',
    args: { smoke: ['--smoke'], quick: ['--count', '100', '--keygen-seconds', '5'], full: ['--count', '1000'] },
    metrics: rsaMetrics,
  }),
  step({
    name: 'lifecycle-50k',
    covers: ['P3'],
    script: 'lifecycle/main.js',
    args: { full: ['--count', '50000', '--skip-restart', '--timeout-seconds', '3600'] },
    metrics: (r: LifecycleResult) => lifecycleMetrics(r, false),
  }),
  step({
    name: 'acme',
    covers: ['P5'],
    script: 'acme/main.js',
    args: { smoke: ['--smoke'], quick: ['--count', '10'], full: ['--count', '100'] },
    metrics: acmeMetrics,
  }),
  step({
    name: 'punctuality',
    covers: ['P6'],
    script: 'punctuality/main.js',
    args: { smoke: ['--smoke'], quick: ['--count', '300', '--spread-seconds', '30'], full: ['--count', '1000', '--spread-seconds', '120'] },
    metrics: punctualityMetrics,
  }),
  step({
    name: 'apiserver',
    covers: ['P7'],
    script: 'apiserver/main.js',
    args: { smoke: ['--smoke'], quick: ['--only', 'http', '--seconds', '1', '--objects', '10000'], full: ['--only', 'http'] },
    metrics: apiServerMetrics,
  }),
];

/** The steps of `mode` that answer at least one of `only` (every goal when absent). */
export function selectSteps(mode: Mode, only?: readonly GoalId[]): Step[] {
  return STEPS.filter((s) => s.args[mode] !== undefined && (!only || s.covers.some((id) => only.includes(id))));
}

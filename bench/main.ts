/**
 * `npm run bench` (issue 11): every benchmark, P1..P7, one after another, each as its own command
 * writing its JSON; then one summary table (goal, median measured, met?) and `summary.json`.
 *
 *   npm run bench                      full counts (an hour or more on 2 cores)
 *   npm run bench -- --quick           small counts (minutes)
 *   npm run bench -- --only P2,P6 --runs 3
 *   npm run bench:smoke                tiny counts (CI, well under a minute)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from './harness/cli.js';
import { commandLine, machineInfo, machineLine, oneMinuteLoad, underCwd, writeJson, type MachineInfo } from './harness/machine.js';
import type { GoalId, Metric } from './suite/metrics.js';
import { parseSuiteOptions, suiteUsage } from './suite/options.js';
import { selectSteps, type Mode, type Step } from './suite/steps.js';
import { failedLine, renderSummary, summarize, type SummaryLine } from './suite/summary.js';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));

export interface StepRun {
  run: number;
  command: string;
  exitCode: number | null;
  seconds: number;
  loadAverage: { start: number; end: number };
  output: string;
}

export interface SuiteSummary {
  benchmark: 'suite';
  generatedAt: string;
  command: string;
  mode: Mode;
  runs: number;
  only?: GoalId[];
  machine: MachineInfo;
  wallSeconds: number;
  steps: Array<{ step: string; covers: readonly GoalId[]; runs: StepRun[] }>;
  goals: SummaryLine[];
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Runs one benchmark command with the terminal as its output (its tables and progress lines). */
function runCommand(args: readonly string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

async function runStep(step: Step, mode: Mode, run: number, runs: number, outputDir: string): Promise<{ stepRun: StepRun; metrics?: Metric[]; failure?: string }> {
  const output = join(outputDir, mode, `${step.name}${runs > 1 ? `.run${run}` : ''}.json`);
  const args = [join(BENCH_DIR, step.script), ...step.args[mode]!, '--output', output];
  const loadStart = oneMinuteLoad();
  const start = performance.now();
  const exitCode = await runCommand(args);
  const stepRun: StepRun = {
    run,
    command: `node ${args.map(underCwd).join(' ')}`,
    exitCode,
    seconds: Math.round(performance.now() - start) / 1000,
    loadAverage: { start: loadStart, end: oneMinuteLoad() },
    output,
  };
  if (exitCode !== 0 || !existsSync(output)) return { stepRun, failure: `exit code ${exitCode}` };
  try {
    return { stepRun, metrics: step.metrics(JSON.parse(await readFile(output, 'utf8')) as never, mode) };
  } catch (err) {
    return { stepRun, failure: `unreadable result ${output}: ${(err as Error).message}` };
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const o = parseCommandLine(suiteUsage, parseSuiteOptions, args);
  if (typeof o === 'number') return o;
  const steps = selectSteps(o.mode, o.only);
  const loadAtStart = oneMinuteLoad();
  const start = performance.now();
  const record = steps.map((step) => ({ step: step.name, covers: step.covers, runs: [] as StepRun[], metrics: [] as Metric[][], failures: [] as string[] }));
  // Runs in rounds (every benchmark once, then again), so a change in the machine's load spreads
  // over all of them instead of landing on one.
  for (let run = 1; run <= o.runs; run++) {
    for (const [i, step] of steps.entries()) {
      const elapsed = ((performance.now() - start) / 1000).toFixed(0);
      log(`\n== bench ${o.mode}: ${step.name} (${step.covers.join(', ')}), step ${i + 1}/${steps.length}, run ${run}/${o.runs}, ${elapsed} s in, load ${oneMinuteLoad()}`);
      const outcome = await runStep(step, o.mode, run, o.runs, o.outputDir);
      record[i]!.runs.push(outcome.stepRun);
      if (outcome.metrics) record[i]!.metrics.push(outcome.metrics);
      if (outcome.failure) {
        record[i]!.failures.push(outcome.failure);
        log(`== ${step.name} run ${run} failed: ${outcome.failure}`);
      }
    }
  }
  const goals = record.flatMap((r) => [...summarize(r.step, r.metrics), ...r.failures.map((why) => failedLine(r.step, r.covers[0]!, why))]);
  const summary: SuiteSummary = {
    benchmark: 'suite',
    generatedAt: new Date().toISOString(),
    command: commandLine(args),
    mode: o.mode,
    runs: o.runs,
    ...(o.only ? { only: o.only } : {}),
    machine: machineInfo(loadAtStart),
    wallSeconds: Math.round(performance.now() - start) / 1000,
    steps: record.map(({ step, covers, runs }) => ({ step, covers, runs })),
    goals,
  };
  const summaryPath = join(o.outputDir, 'summary.json');
  await writeJson(summaryPath, summary);
  process.stdout.write(
    `\ncertwright benchmarks (${o.mode}${o.runs > 1 ? `, median of ${o.runs} runs` : ''}) — ${machineLine(summary.machine)}, ${summary.wallSeconds} s\n\n${renderSummary(goals)}\n\nwrote ${summaryPath}\n`,
  );
  return record.some((r) => r.failures.length) ? 1 : 0;
}

process.exitCode = await main();

/**
 * Command line of the lifecycle benchmark (`run.ts`): prints a table, writes JSON
 * (bench/results/lifecycle.json by default).
 *
 *   npm run bench:lifecycle -- --count 10000
 *   npm run bench:lifecycle -- --count 1000 --key-algorithm RSA --skip-restart
 *   npm run bench:smoke
 */
import { fileURLToPath } from 'node:url';
import { runBench } from '../harness/cli.js';
import { benchUsage, parseBenchOptions } from './options.js';
import { renderReport } from './report.js';
import { runLifecycleBenchmark } from './run.js';

const RESULTS_DIR = fileURLToPath(new URL('../../../bench/results', import.meta.url));

process.exitCode = await runBench(
  benchUsage,
  (args) => parseBenchOptions(args, RESULTS_DIR),
  async (options, command) => {
    const result = await runLifecycleBenchmark(options, command, (line) => process.stderr.write(`${line}\n`));
    return { output: options.output, result, report: renderReport(result) };
  },
);

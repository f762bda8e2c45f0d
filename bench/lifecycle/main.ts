/**
 * Command line of the lifecycle benchmark (`run.ts`): prints a table, writes JSON
 * (bench/results/lifecycle.json by default).
 *
 *   npm run bench:lifecycle -- --count 10000
 *   npm run bench:lifecycle -- --count 1000 --key-algorithm RSA --skip-restart
 *   npm run bench:smoke
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchUsage, BenchUsageError, parseBenchOptions } from './options.js';
import { renderReport } from './report.js';
import { runLifecycleBenchmark } from './run.js';

const RESULTS_DIR = fileURLToPath(new URL('../../../bench/results', import.meta.url));

async function main(args: string[]): Promise<number> {
  let options: ReturnType<typeof parseBenchOptions>;
  try {
    options = parseBenchOptions(args, RESULTS_DIR);
  } catch (err) {
    if (!(err instanceof BenchUsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${benchUsage}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(benchUsage);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const command = ['node', relative(process.cwd(), process.argv[1] ?? ''), ...args].join(' ');
  let result;
  try {
    result = await runLifecycleBenchmark(options, command, log);
  } catch (err) {
    log(`benchmark failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  await mkdir(dirname(options.output), { recursive: true });
  await writeFile(options.output, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${renderReport(result)}\n\nwrote ${options.output}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));

/**
 * The shell every benchmark of bench/rsa, bench/punctuality and bench/acme runs in: flags parsed
 * with specific errors, `--help`, the result written as JSON and printed as a table, and a
 * failure reported as one line and exit code 1 instead of a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { commandLine, writeJson } from './machine.js';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs` (strict) whose errors are UsageErrors. */
export function parseFlags<T extends Options>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], strict: true, allowPositionals: false, options: { ...options, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A flag's value as a positive number (an integer unless `fraction`), or `fallback` when absent. */
export function positiveNumber(flag: string, text: string | undefined, fallback: number, fraction = false): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!(Number.isFinite(n) && n > 0 && (fraction || Number.isInteger(n)))) {
    throw new UsageError(`--${flag} must be a positive ${fraction ? 'number' : 'integer'}, got ${JSON.stringify(text)}`);
  }
  return n;
}

export interface BenchOutcome {
  /** Where the JSON goes. */
  output: string;
  result: unknown;
  /** The human table. */
  report: string;
}

/**
 * Parses the command line: the options, or the exit code when there is nothing to run (`--help`
 * printed: 0; bad flags reported with the usage: 2).
 */
export function parseCommandLine<O extends { help: boolean }>(usage: string, parse: (args: readonly string[]) => O, args: readonly string[]): O | number {
  let options: O;
  try {
    options = parse(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${usage}`);
    return 2;
  }
  if (!options.help) return options;
  process.stdout.write(usage);
  return 0;
}

/**
 * Runs a benchmark's `main`: exit code 0 when it measured (goals missed or not), 1 when it could
 * not measure, 2 on bad flags.
 */
export async function runBench<O extends { help: boolean }>(
  usage: string,
  parse: (args: readonly string[]) => O,
  run: (options: O, command: string) => Promise<BenchOutcome>,
): Promise<number> {
  const args = process.argv.slice(2);
  const options = parseCommandLine(usage, parse, args);
  if (typeof options === 'number') return options;
  let outcome: BenchOutcome;
  try {
    outcome = await run(options, commandLine(args));
  } catch (err) {
    process.stderr.write(`benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  await writeJson(outcome.output, outcome.result);
  process.stdout.write(`${outcome.report}\n\nwrote ${outcome.output}\n`);
  return 0;
}

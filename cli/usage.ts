/**
 * Exit codes and the argument handling every command shares: a usage error exits 2 with the
 * command's usage, any other failure exits 1 with one line on standard error.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '../api/duration.js';
import type { Io } from './commands.js';

/** Bad flags or arguments: the command prints its usage and exits with EXIT_USAGE. */
export class UsageError extends Error {}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
/** `status`: the Certificate exists but is not Ready (the first line says why). */
export const EXIT_NOT_READY = 3;

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs<O extends Options> {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];
  positionals: string[];
}

/** node's parseArgs in strict mode; its errors become UsageErrors. */
export function parseCommandArgs<O extends Options>(args: readonly string[], options: O): ParsedArgs<O> {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values, positionals } as ParsedArgs<O>;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * Runs a command body: `--help` prints `usage`, a UsageError prints the message and usage (exit
 * 2), any other error prints `error: message` (exit 1).
 */
export async function runCommand(args: readonly string[], io: Io, usage: string, body: () => Promise<number>): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(usage);
    return EXIT_OK;
  }
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${err.message}\n\n${usage}`);
      return EXIT_USAGE;
    }
    io.stderr.write(`error: ${(err as Error).message}\n`);
    return EXIT_ERROR;
  }
}

/** One positional argument per entry of `names`, or a UsageError naming what is missing or extra. */
export function expectPositionals(positionals: readonly string[], names: readonly string[]): string[] {
  if (positionals.length < names.length) throw new UsageError(`missing ${names.slice(positionals.length).join(' and ')}`);
  if (positionals.length > names.length) throw new UsageError(`unexpected argument${positionals.length - names.length > 1 ? 's' : ''}: ${positionals.slice(names.length).join(' ')}`);
  return [...positionals];
}

/** A Go duration flag (`30s`, `2m`, `1h30m`) in ms, `fallback` when not given; a UsageError otherwise. */
export function durationFlag(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  try {
    return parseDuration(text);
  } catch {
    throw new UsageError(`--${flag} must be a Go duration such as 30s or 5m, got ${JSON.stringify(text)}`);
  }
}

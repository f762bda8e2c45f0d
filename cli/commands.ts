import { basename } from 'node:path';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Path of the executable; decides whether we present ourselves as a kubectl plugin. */
  argv0: string;
}

interface Command {
  name: string;
  summary: string;
  /** Words shell completion offers after the command name (e.g. `certificate` after `status`). */
  completions?: readonly string[];
  run(args: string[], io: Io): Promise<number>;
}

const commands: Command[] = [];

export function registerCommand(command: Command): void {
  commands.push(command);
}

/** Whether we run as a kubectl plugin: kubectl finds plugins as `kubectl-NAME` (or `kubectl_NAME`) executables. */
export function isKubectlPlugin(argv0: string): boolean {
  return /^kubectl[-_]/.test(basename(argv0));
}

/** How the user spells us: `kubectl certwright` as a plugin, `certwright` otherwise. */
export function programName(argv0: string): string {
  return isKubectlPlugin(argv0) ? 'kubectl certwright' : 'certwright';
}

/** The registered commands, in registration order (what help and shell completion list). */
export function registeredCommands(): ReadonlyArray<Pick<Command, 'name' | 'summary' | 'completions'>> {
  return commands;
}

export function helpText(argv0: string): string {
  const name = programName(argv0);
  const width = Math.max(0, ...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    `${name}: cert-manager.io/v1-compatible certificate manager for Kubernetes`,
    '',
    `Usage: ${name} <command> [flags]`,
    '',
    'Commands:',
    ...(lines.length ? lines : ['  (none yet)']),
    '',
  ].join('\n');
}

export async function run(args: string[], io: Io): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(helpText(io.argv0));
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`unknown command "${name}"\n\n${helpText(io.argv0)}`);
    return 2;
  }
  return command.run(rest, io);
}

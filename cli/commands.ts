import { basename } from 'node:path';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Path of the executable; decides whether we present ourselves as a kubectl plugin. */
  argv0: string;
}

type CommandRun = (args: string[], io: Io) => Promise<number>;

interface CommandEntry {
  name: string;
  summary: string;
  /** Words shell completion offers after the command name (e.g. `certificate` after `status`). */
  completions?: readonly string[];
  /** The module that registers the command's `run` (relative to this one). */
  module: string;
}

/** The shells `certwright completion` writes scripts for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;

/**
 * Every command, in the order help lists them. A command's module is imported only to run it: help
 * and completion need none, and `run` never loads the embedded API server's or the client
 * commands' modules (tens of MiB a controller would keep resident).
 */
const COMMANDS: readonly CommandEntry[] = [
  { name: 'apiserver', summary: 'run the embedded Kubernetes-compatible API server (local mode)', module: './apiserver.js' },
  { name: 'run', summary: 'run the certificate controller (against a cluster, or locally with the embedded API server)', module: './run.js' },
  { name: 'quickstart', summary: 'local mode with a CA, a server and an mTLS client certificate (what `npm start` runs)', module: './quickstart.js' },
  { name: 'status', completions: ['certificate'], summary: 'explain a Certificate: why it is (not) Ready and what to do next', module: './status.js' },
  { name: 'renew', summary: 'mark Certificates for immediate re-issuance', module: './renew.js' },
  { name: 'approve', summary: 'approve a CertificateRequest', module: './approval.js' },
  { name: 'deny', summary: 'deny a CertificateRequest', module: './approval.js' },
  { name: 'inspect', completions: ['secret'], summary: 'decode a certificate Secret (chain, validity, SANs, key match, fingerprints, ca.crt)', module: './inspect.js' },
  { name: 'check', completions: ['api'], summary: 'check that the cert-manager.io API is ready (--wait to wait for it)', module: './check.js' },
  { name: 'create', completions: ['certificaterequest'], summary: 'create a CertificateRequest from a Certificate manifest (generates the key and CSR)', module: './create.js' },
  { name: 'version', summary: "print certwright's version", module: './version.js' },
  { name: 'completion', completions: COMPLETION_SHELLS, summary: 'print a shell completion script (bash, zsh, fish)', module: './completion.js' },
  { name: 'acme-http01-solver', summary: 'serve one ACME HTTP-01 challenge (what HTTP-01 solver Pods run)', module: './acme-http01-solver.js' },
];

const runners = new Map<string, CommandRun>();

/** Called by a command's module when imported: how to run the command named `name` in COMMANDS. */
export function registerCommand(name: string, run: CommandRun): void {
  if (!COMMANDS.some((c) => c.name === name)) throw new Error(`command "${name}" is not in the command list`);
  runners.set(name, run);
}

/** Whether we run as a kubectl plugin: kubectl finds plugins as `kubectl-NAME` (or `kubectl_NAME`) executables. */
export function isKubectlPlugin(argv0: string): boolean {
  return /^kubectl[-_]/.test(basename(argv0));
}

/** How the user spells us: `kubectl certwright` as a plugin, `certwright` otherwise. */
export function programName(argv0: string): string {
  return isKubectlPlugin(argv0) ? 'kubectl certwright' : 'certwright';
}

/** Every command, in help's order (what help and shell completion list). */
export function registeredCommands(): ReadonlyArray<Pick<CommandEntry, 'name' | 'summary' | 'completions'>> {
  return COMMANDS;
}

export function helpText(argv0: string): string {
  const name = programName(argv0);
  const width = Math.max(0, ...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
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
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`unknown command "${name}"\n\n${helpText(io.argv0)}`);
    return 2;
  }
  if (!runners.has(name)) await import(command.module);
  const runner = runners.get(name);
  if (!runner) throw new Error(`${command.module} did not register the "${name}" command`);
  return runner(rest, io);
}

/**
 * `certwright acme-http01-solver`: what a solver Pod of `--acme-http01-solver-mode=pod` runs, with
 * cert-manager's acmesolver flags — serves one key authorization at
 * `/.well-known/acme-challenge/<token>` until SIGTERM. Imports only the listener, so the Pod fits
 * cert-manager's 64Mi default memory limit.
 */
import { once } from 'node:events';
import { Http01Listener, SOLVER_POD_PORT } from '../solvers/http01/listener.js';
import { registerCommand, type Io } from './commands.js';
import { EXIT_OK, expectPositionals, parseCommandArgs, runCommand, UsageError } from './usage.js';

const usage = `Usage: certwright acme-http01-solver --domain NAME --token TOKEN --key KEY [--listen-port ${SOLVER_POD_PORT}] [--listen-host HOST]

Serves KEY at http://NAME/.well-known/acme-challenge/TOKEN (cert-manager's acmesolver, run in
HTTP-01 solver Pods) until SIGINT/SIGTERM. Listens on every address unless --listen-host is given.
`;

function required(values: Record<string, string | undefined>, flag: string): string {
  const value = values[flag];
  if (!value) throw new UsageError(`--${flag} is required`);
  return value;
}

async function runSolver(args: string[], io: Io): Promise<number> {
  return runCommand(args, io, usage, async () => {
    const { values, positionals } = parseCommandArgs(args, {
      'listen-port': { type: 'string' },
      'listen-host': { type: 'string' },
      domain: { type: 'string' },
      token: { type: 'string' },
      key: { type: 'string' },
    });
    expectPositionals(positionals, []);
    const domain = required(values, 'domain');
    const token = required(values, 'token');
    const key = required(values, 'key');
    const port = Number(values['listen-port'] ?? SOLVER_POD_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--listen-port must be a port number, got ${JSON.stringify(values['listen-port'])}`);
    const listener = new Http01Listener();
    listener.present(token, key);
    const bound = await listener.listen(`${values['listen-host'] ?? ''}:${port}`);
    io.stdout.write(`serving the HTTP-01 challenge for ${domain} on port ${bound}\n`);
    await Promise.race([once(process, 'SIGTERM'), once(process, 'SIGINT')]);
    await listener.close();
    return EXIT_OK;
  });
}

registerCommand('acme-http01-solver', runSolver);

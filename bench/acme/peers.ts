/**
 * The peer ACME clients of P5, as a user runs them: one `lego run` / `certbot certonly` per
 * certificate, one after another, with the flags /work/shared/notes/real-components.md records
 * (standalone HTTP-01 on the port Pebble validates against; DNS-01 through RFC 2136 to the same
 * bind9, without waiting for propagation). Each tool keeps one account directory across its runs,
 * as a user's would.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Bind9Key } from '../../e2e/dns/bind9.js';
import { BIND_TSIG_ALGORITHMS } from '../../e2e/dns/bind9.js';
import type { RequestCounts } from '../lifecycle/counting-proxy.js';

export type Solver = 'http01' | 'dns01';
export type PeerTool = 'lego' | 'certbot';

export const PEER_PATHS: Record<PeerTool, string> = { lego: '/usr/bin/lego', certbot: '/usr/bin/certbot' };
const PEER_TIMEOUT_MS = 120_000;
const EMAIL = 'bench@example.test';

/** Where and how every client reaches the ACME server and the DNS server. */
export interface AcmeTarget {
  directoryUrl: string;
  /** PEM file of the CA the ACME server's (proxy's) certificate chains to. */
  caFile: string;
  /** Port Pebble connects to for HTTP-01. */
  httpPort: number;
  dns: { address: string; port: number; nameserver: string; key: Bind9Key };
}

export interface PeerCommand {
  program: string;
  args: string[];
  env: Record<string, string>;
}

export function legoCommand(name: string, solver: Solver, target: AcmeTarget, dir: string): PeerCommand {
  const solverArgs = solver === 'http01' ? ['--http', '--http.port', `127.0.0.1:${target.httpPort}`] : ['--dns', 'rfc2136', '--dns.resolvers', target.dns.nameserver, '--dns.disable-cp'];
  return {
    program: PEER_PATHS.lego,
    args: ['--server', target.directoryUrl, '--accept-tos', '--email', EMAIL, '--path', dir, '--key-type', 'ec256', '--domains', name, ...solverArgs, 'run'],
    env: {
      LEGO_CA_CERTIFICATES: target.caFile,
      ...(solver === 'dns01'
        ? {
            RFC2136_NAMESERVER: target.dns.nameserver,
            RFC2136_TSIG_KEY: target.dns.key.name,
            RFC2136_TSIG_SECRET: target.dns.key.secret,
            // lego wants the DNS name of the algorithm, with its trailing dot.
            RFC2136_TSIG_ALGORITHM: `${BIND_TSIG_ALGORITHMS[target.dns.key.algorithm]}.`,
          }
        : {}),
    },
  };
}

/** certbot's dns-rfc2136 credentials file (it refuses to read one others can). */
export function certbotRfc2136Credentials(target: AcmeTarget): string {
  return [
    `dns_rfc2136_server = ${target.dns.address}`,
    `dns_rfc2136_port = ${target.dns.port}`,
    `dns_rfc2136_name = ${target.dns.key.name}`,
    `dns_rfc2136_secret = ${target.dns.key.secret}`,
    `dns_rfc2136_algorithm = ${BIND_TSIG_ALGORITHMS[target.dns.key.algorithm].toUpperCase()}`,
    '',
  ].join('\n');
}

export function certbotCommand(name: string, solver: Solver, target: AcmeTarget, dir: string): PeerCommand {
  const solverArgs =
    solver === 'http01'
      ? ['--standalone', '--preferred-challenges', 'http', '--http-01-address', '127.0.0.1', '--http-01-port', String(target.httpPort)]
      : ['--dns-rfc2136', '--dns-rfc2136-credentials', join(dir, 'rfc2136.ini'), '--dns-rfc2136-propagation-seconds', '0'];
  return {
    program: PEER_PATHS.certbot,
    args: [
      'certonly', '--non-interactive', '--agree-tos', '--no-eff-email', '--email', EMAIL, '--server', target.directoryUrl,
      '--config-dir', join(dir, 'config'), '--work-dir', join(dir, 'work'), '--logs-dir', join(dir, 'logs'),
      '--key-type', 'ecdsa', '--elliptic-curve', 'secp256r1', '-d', name, ...solverArgs,
    ],
    env: { REQUESTS_CA_BUNDLE: target.caFile },
  };
}

const COMMANDS: Record<PeerTool, typeof legoCommand> = { lego: legoCommand, certbot: certbotCommand };

/** One tool's (or certwright's) run of one solver over every name. */
export interface ToolRun {
  tool: 'certwright' | PeerTool;
  solver: Solver;
  status: 'ok' | 'missing' | 'failed';
  certificates: number;
  issued: number;
  /** First request → last certificate issued. */
  wallSeconds: number;
  secondsPerCertificate: number;
  requests: RequestCounts;
  requestsPerCertificate: number;
  /** The command for the first name (peers) or the flags of `certwright run`. */
  command: string;
  /** Why it stopped (failed), or what is missing. */
  detail?: string;
}

export function toolRun(base: Pick<ToolRun, 'tool' | 'solver' | 'status' | 'certificates' | 'issued' | 'command'> & { wallMs: number; requests: RequestCounts; detail?: string }): ToolRun {
  const { wallMs, ...rest } = base;
  const per = (n: number) => (base.issued ? Math.round((n / base.issued) * 100) / 100 : NaN);
  return {
    ...rest,
    wallSeconds: Math.round(wallMs) / 1000,
    secondsPerCertificate: per(wallMs / 1000),
    requestsPerCertificate: per(base.requests.reads + base.requests.writes),
  };
}

function execute(command: PeerCommand): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command.program, command.args, { env: { ...process.env, ...command.env }, timeout: PEER_TIMEOUT_MS }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${err.message.split('\n')[0]}; stderr: ${String(stderr).trim().split('\n').slice(-5).join(' | ')}`));
      else resolve();
    });
  });
}

/**
 * Runs `tool` for each name, one after another, in `dir` (its account and state); stops at the
 * first failure. A tool that is not installed is reported as missing, never as a failure.
 */
export async function runPeer(tool: PeerTool, names: readonly string[], solver: Solver, target: AcmeTarget, dir: string, counter: { resetCounts(): void; counts(): RequestCounts }): Promise<ToolRun> {
  const commandFor = (name: string) => COMMANDS[tool](name, solver, target, dir);
  const shown = (c: PeerCommand) => [...Object.entries(c.env).map(([k, v]) => `${k}=${/SECRET/.test(k) ? '…' : v}`), c.program, ...c.args].join(' ');
  const base = { tool, solver, certificates: names.length, command: shown(commandFor(names[0] ?? 'NAME')) };
  if (!existsSync(PEER_PATHS[tool])) return toolRun({ ...base, status: 'missing', issued: 0, wallMs: 0, requests: counter.counts(), detail: `${PEER_PATHS[tool]} is not installed` });
  if (tool === 'certbot' && solver === 'dns01') await writeFile(join(dir, 'rfc2136.ini'), certbotRfc2136Credentials(target), { mode: 0o600 });
  counter.resetCounts();
  const start = performance.now();
  let issued = 0;
  for (const name of names) {
    try {
      await execute(commandFor(name));
    } catch (err) {
      return toolRun({ ...base, status: 'failed', issued, wallMs: performance.now() - start, requests: counter.counts(), detail: `${name}: ${(err as Error).message}` });
    }
    issued++;
  }
  return toolRun({ ...base, status: 'ok', issued, wallMs: performance.now() - start, requests: counter.counts() });
}

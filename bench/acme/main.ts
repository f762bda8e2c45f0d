/**
 * P5 (issue 11): N certificates via HTTP-01 and via DNS-01 (RFC 2136 to bind9) from one Pebble:
 * certwright (`certwright run --local`, all N applied at once) against `lego` and `certbot` (one
 * run per certificate, one after another), each tool after the other against the same Pebble in
 * the same run. Every ACME request goes through one counting proxy. Pebble runs without its
 * validation sleep, without nonce rejection and without authorization reuse, so every tool does
 * the same work. Goals: wall time ≥ 5× shorter than lego's; ACME requests per certificate ≤ lego's.
 * A peer that is not installed is reported missing, never a failure. Prints a table, writes JSON.
 *
 *   npm run bench:acme -- --count 100
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeTcpPort, pebbleMissing, startPebble, TEST_ZONE } from '../../e2e/acme/pebble.js';
import { namedMissing } from '../../e2e/dns/bind9.js';
import { parseFlags, positiveNumber, runBench, UsageError, type BenchOutcome } from '../harness/cli.js';
import { P5_MINIMUM_SPEEDUP } from '../harness/goals.js';
import { machineInfo, machineLine, oneMinuteLoad, round, type MachineInfo } from '../harness/machine.js';
import { renderGoals, renderTable } from '../lifecycle/report.js';
import { runCertwright, type CertwrightRun } from './certwright.js';
import { startAcmeCountingProxy } from './counting-proxy.js';
import { runPeer, type AcmeTarget, type PeerTool, type Solver, type ToolRun } from './peers.js';

const RESULTS_DIR = fileURLToPath(new URL('../../../bench/results', import.meta.url));
const SOLVERS: readonly Solver[] = ['http01', 'dns01'];
const PEERS: readonly PeerTool[] = ['lego', 'certbot'];

const usage = `Usage: npm run bench:acme -- [flags]

  --count N              certificates per tool and solver (default 100)
  --solvers LIST         http01,dns01 (default both)
  --peers LIST           lego,certbot (default both; none: certwright alone)
  --timeout-seconds S    certwright's limit per solver (default 600)
  --output FILE          JSON result (default bench/results/acme.json; smoke: acme-smoke.json)
  --smoke                1 certificate, peers on HTTP-01 only
`;

interface AcmeOptions {
  help: boolean;
  count: number;
  solvers: Solver[];
  peers: PeerTool[];
  /** Solvers the peers run (smoke: HTTP-01 only, to stay quick). */
  peerSolvers: Solver[];
  timeoutSeconds: number;
  output: string;
}

function listFlag<T extends string>(flag: string, text: string | undefined, allowed: readonly T[], fallback: readonly T[]): T[] {
  if (text === undefined) return [...fallback];
  if (text === 'none') return [];
  const items = text.split(',').map((s) => s.trim());
  const unknown = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (unknown.length) throw new UsageError(`--${flag}: unknown ${unknown.join(', ')} (allowed: ${allowed.join(', ')})`);
  return items as T[];
}

function parseAcmeOptions(args: readonly string[]): AcmeOptions {
  const v = parseFlags(args, {
    count: { type: 'string' },
    solvers: { type: 'string' },
    peers: { type: 'string' },
    'timeout-seconds': { type: 'string' },
    output: { type: 'string' },
    smoke: { type: 'boolean' },
  });
  const smoke = v.smoke ?? false;
  const solvers = listFlag('solvers', v.solvers, SOLVERS, SOLVERS);
  return {
    help: v.help ?? false,
    count: positiveNumber('count', v.count, smoke ? 1 : 100),
    solvers,
    peers: listFlag('peers', v.peers, PEERS, PEERS),
    peerSolvers: smoke ? solvers.filter((s) => s === 'http01') : solvers,
    timeoutSeconds: positiveNumber('timeout-seconds', v['timeout-seconds'], smoke ? 60 : 600),
    output: v.output ?? `${RESULTS_DIR}/${smoke ? 'acme-smoke.json' : 'acme.json'}`,
  };
}

/** A goal that can also be "not judged" (a peer that is missing or failed). */
export interface AcmeGoal {
  id: 'P5';
  what: string;
  goal: string;
  value: string;
  met: boolean | null;
}

export interface SolverRuns {
  certwright: CertwrightRun;
  peers: Partial<Record<PeerTool, ToolRun>>;
  /** Peer wall time ÷ certwright's, for peers that issued everything. */
  speedup: Partial<Record<PeerTool, number>>;
}

export interface AcmeResult {
  benchmark: 'acme';
  generatedAt: string;
  command: string;
  machine: MachineInfo;
  /** Skipped (Pebble or bind9 missing): why. */
  skipped?: string;
  pebble: { version: string; env: Record<string, string> };
  count: number;
  solvers: Partial<Record<Solver, SolverRuns>>;
  goals: AcmeGoal[];
}

/** Goals of one solver's runs: pure, from the measured runs. */
function judgeAcme(solver: Solver, runs: SolverRuns): AcmeGoal[] {
  const lego = runs.peers.lego;
  const compared = lego?.status === 'ok';
  const speedup = runs.speedup.lego;
  return [
    {
      id: 'P5',
      what: `${solver}: wall time, lego ÷ certwright`,
      goal: `≥ ${P5_MINIMUM_SPEEDUP}×`,
      value: compared && speedup !== undefined ? `${speedup}× (${runs.certwright.wallSeconds} s vs ${lego.wallSeconds} s)` : `lego ${lego?.status ?? 'not run'}`,
      met: compared && speedup !== undefined ? speedup >= P5_MINIMUM_SPEEDUP : null,
    },
    {
      id: 'P5',
      what: `${solver}: ACME requests per certificate, certwright vs lego`,
      goal: "≤ lego's",
      value: compared ? `${runs.certwright.requestsPerCertificate} vs ${lego.requestsPerCertificate}` : `${runs.certwright.requestsPerCertificate} (lego ${lego?.status ?? 'not run'})`,
      met: compared ? runs.certwright.requestsPerCertificate <= lego.requestsPerCertificate : null,
    },
  ];
}

function report(r: AcmeResult): string {
  const header = `certwright ACME benchmark (P5) — ${machineLine(r.machine)}`;
  if (r.skipped) return `${header}\n\nskipped: ${r.skipped}`;
  const rows = Object.entries(r.solvers).flatMap(([solver, runs]) =>
    [runs.certwright, ...Object.values(runs.peers)].map((t) => [
      solver,
      t.tool,
      t.status === 'ok' ? `${t.issued}/${t.certificates}` : `${t.status}${t.detail ? `: ${t.detail.slice(0, 80)}` : ''}`,
      t.status === 'missing' ? '' : `${t.wallSeconds} s`,
      t.status === 'missing' ? '' : `${t.secondsPerCertificate} s`,
      t.status === 'missing' ? '' : `${t.requestsPerCertificate}`,
      t.tool === 'certwright' ? '' : `${runs.speedup[t.tool] ?? '—'}×`,
    ]),
  );
  return [
    header,
    renderTable(['solver', 'tool', 'issued', 'wall', 'per cert', 'ACME requests/cert', 'certwright faster'], rows),
    renderGoals(r.goals),
    `Pebble env: ${Object.entries(r.pebble.env).map(([k, v]) => `${k}=${v}`).join(' ')}; certwright: all at once; peers: one run per certificate, one after another`,
  ].join('\n\n');
}

const PEBBLE_ENV = { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' };

async function run(o: AcmeOptions, command: string): Promise<BenchOutcome> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const loadAtStart = oneMinuteLoad();
  const base = { benchmark: 'acme' as const, generatedAt: new Date().toISOString(), command, pebble: { version: '2.4.0', env: PEBBLE_ENV }, count: o.count };
  const skipped = pebbleMissing() || namedMissing();
  if (skipped) {
    const result: AcmeResult = { ...base, machine: machineInfo(loadAtStart), skipped, solvers: {}, goals: [] };
    return { output: o.output, result, report: report(result) };
  }
  const pebble = await startPebble({ httpPort: await freeTcpPort(), nonceRejectPercent: 0, authzReusePercent: 0 });
  const proxy = await startAcmeCountingProxy(pebble);
  const workDir = await mkdtemp(join(tmpdir(), 'certwright-bench-acme-peers-'));
  try {
    const caFile = join(workDir, 'pebble-listener-ca.pem');
    await writeFile(caFile, pebble.listenerCaPem);
    const { dns } = pebble;
    const target: AcmeTarget = { directoryUrl: proxy.directoryUrl, caFile, httpPort: pebble.httpPort, dns: { address: dns.address, port: dns.port, nameserver: dns.nameserver, key: dns.keys[0]! } };
    const names = (tool: string, solver: Solver) => Array.from({ length: o.count }, (_, i) => `${tool}-${solver === 'http01' ? 'h' : 'd'}${i}.${TEST_ZONE}`);
    const solvers: Partial<Record<Solver, SolverRuns>> = {};
    for (const solver of o.solvers) {
      log(`P5 ${solver}: certwright, ${o.count} certificates at once`);
      const certwright = await runCertwright(names('cw', solver), solver, target, pebble.listenerCaPem, proxy, { timeoutSeconds: o.timeoutSeconds, log });
      const runs: SolverRuns = { certwright, peers: {}, speedup: {} };
      for (const tool of o.peerSolvers.includes(solver) ? o.peers : []) {
        log(`P5 ${solver}: ${tool}, ${o.count} certificates one after another`);
        const dir = await mkdtemp(join(workDir, `${tool}-${solver}-`));
        const peer = await runPeer(tool, names(tool, solver), solver, target, dir, proxy);
        runs.peers[tool] = peer;
        if (peer.status === 'ok') runs.speedup[tool] = round(peer.wallSeconds / certwright.wallSeconds);
        log(`P5 ${solver}: ${tool} ${peer.status}${peer.detail ? ` (${peer.detail})` : ''}, ${peer.wallSeconds} s`);
      }
      solvers[solver] = runs;
    }
    const result: AcmeResult = {
      ...base,
      machine: machineInfo(loadAtStart),
      solvers,
      goals: Object.entries(solvers).flatMap(([solver, runs]) => judgeAcme(solver as Solver, runs)),
    };
    return { output: o.output, result, report: report(result) };
  } finally {
    await proxy.close();
    await pebble.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

process.exitCode = await runBench(usage, parseAcmeOptions, run);

/**
 * P2 (issue 11): the lifecycle benchmark (`runLifecycleBenchmark`: API server and controller in
 * their own processes, N Certificates from one CA ClusterIssuer created at once) with RSA-2048
 * keys and P4 skipped, against raw asynchronous RSA-2048 key generation (`crypto.generateKeyPair`,
 * two in flight, in this process while no controller runs) measured right before and right after
 * it, in the same run. Goal: issuance ≥ 0.8 × raw keygen throughput. Prints a table, writes JSON.
 *
 *   npm run bench:rsa -- --count 1000
 */
import { fileURLToPath } from 'node:url';
import { parseFlags, positiveNumber, runBench, type BenchOutcome } from '../harness/cli.js';
import { P2_MINIMUM_RATIO } from '../harness/goals.js';
import { machineInfo, machineLine, oneMinuteLoad, round, type MachineInfo } from '../harness/machine.js';
import { parseBenchOptions } from '../lifecycle/options.js';
import { renderGoals, renderTable, type GoalResult, type LifecycleResult } from '../lifecycle/report.js';
import { runLifecycleBenchmark } from '../lifecycle/run.js';
import { measureRsaKeygen, pooledKeygen, type KeygenThroughput } from './keygen.js';

const RESULTS_DIR = fileURLToPath(new URL('../../../bench/results', import.meta.url));

const usage = `Usage: npm run bench:rsa -- [flags]

  --count N                 RSA-2048 Certificates created at once (default 1000)
  --keygen-seconds S        raw keygen measurement before and after issuance, each (default 10)
  --keygen-concurrency C    raw keygen generations in flight (default 2)
  --crypto-samples N        RSA certificates in the lifecycle benchmark's crypto baseline (default 20)
  --controller-arg FLAG     pass FLAG to \`certwright run\` (repeatable)
  --output FILE             JSON result (default bench/results/rsa.json; smoke: rsa-smoke.json)
  --smoke                   4 Certificates, 1 s of keygen: finishes in seconds
`;

interface RsaOptions {
  help: boolean;
  smoke: boolean;
  count: number;
  keygenSeconds: number;
  keygenConcurrency: number;
  cryptoSamples: number;
  controllerArgs: string[];
  output: string;
}

function parseRsaOptions(args: readonly string[]): RsaOptions {
  const v = parseFlags(args, {
    count: { type: 'string' },
    'keygen-seconds': { type: 'string' },
    'keygen-concurrency': { type: 'string' },
    'crypto-samples': { type: 'string' },
    'controller-arg': { type: 'string', multiple: true },
    output: { type: 'string' },
    smoke: { type: 'boolean' },
  });
  const smoke = v.smoke ?? false;
  return {
    help: v.help ?? false,
    smoke,
    count: positiveNumber('count', v.count, smoke ? 4 : 1000),
    keygenSeconds: positiveNumber('keygen-seconds', v['keygen-seconds'], smoke ? 1 : 10, true),
    keygenConcurrency: positiveNumber('keygen-concurrency', v['keygen-concurrency'], 2),
    cryptoSamples: positiveNumber('crypto-samples', v['crypto-samples'], smoke ? 2 : 20),
    controllerArgs: v['controller-arg'] ?? [],
    output: v.output ?? `${RESULTS_DIR}/${smoke ? 'rsa-smoke.json' : 'rsa.json'}`,
  };
}

export interface RsaResult {
  benchmark: 'rsa';
  generatedAt: string;
  command: string;
  machine: MachineInfo;
  keygen: { before: KeygenThroughput; after: KeygenThroughput; pooled: KeygenThroughput };
  /** The lifecycle benchmark's result (P1 and P3 with RSA-2048; its ECDSA-sized goals left out). */
  lifecycle: Omit<LifecycleResult, 'goals'>;
  /** Issuance certificates/s ÷ pooled raw keygen keys/s: the goal. */
  throughputRatio: number;
  /** Controller CPU per Certificate ÷ raw keygen CPU per key: steadier than rates on a shared machine. */
  cpuRatio: number;
  goals: GoalResult[];
}

function judgeRsa(throughputRatio: number): GoalResult[] {
  return [
    {
      id: 'P2',
      what: 'RSA-2048 issuance ÷ raw async keygen throughput',
      goal: `≥ ${P2_MINIMUM_RATIO}×`,
      value: `${throughputRatio}×`,
      met: throughputRatio >= P2_MINIMUM_RATIO,
    },
  ];
}

function report(r: RsaResult): string {
  const keygenLine = (k: KeygenThroughput) => `${k.keysPerSecond} keys/s (${k.keys} keys in ${k.seconds} s, ${k.concurrency} in flight), ${k.cpuMsPerKey} ms CPU/key`;
  const { p1, p3, crypto } = r.lifecycle;
  return [
    `certwright RSA-2048 issuance benchmark (P2) — ${machineLine(r.machine)}`,
    renderTable(
      ['measurement', 'value'],
      [
        ['raw keygen before', keygenLine(r.keygen.before)],
        ['raw keygen after', keygenLine(r.keygen.after)],
        ['raw keygen (both)', keygenLine(r.keygen.pooled)],
        ['crypto baseline (keygen+CSR+sign+parse, one at a time)', `${round(crypto.cpuMsPerCertificate)} ms CPU/cert, ${round(crypto.wallMsPerCertificate)} ms wall/cert`],
        ['issuance', `${p1.certificates} Ready in ${p1.wallSeconds} s = ${p1.certificatesPerSecond} certs/s`],
        ['controller CPU', `${p1.controllerCpuSeconds} s = ${round(p1.controllerCpuMsPerCertificate)} ms/cert = ${r.cpuRatio}× raw keygen CPU/key`],
        ['API server CPU', `${p1.apiServerCpuSeconds} s`],
        ['controller RSS after issuance', `${round(p3.controllerRssBytes / 2 ** 20, 1)} MiB`],
      ],
    ),
    renderGoals(r.goals),
  ].join('\n\n');
}

async function run(o: RsaOptions, command: string): Promise<BenchOutcome> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const loadAtStart = oneMinuteLoad();
  const lifecycleArgs = ['--count', String(o.count), '--key-algorithm', 'RSA', '--key-size', '2048', '--skip-restart', '--crypto-samples', String(o.cryptoSamples)];
  const lifecycleOptions = parseBenchOptions([...lifecycleArgs, ...o.controllerArgs.map((a) => `--controller-arg=${a}`)], RESULTS_DIR);
  log(`raw RSA-2048 keygen, ${o.keygenConcurrency} in flight, ${o.keygenSeconds} s`);
  const before = await measureRsaKeygen(o.keygenSeconds, o.keygenConcurrency);
  log(`P2: the lifecycle benchmark with ${o.count} RSA-2048 Certificates (${lifecycleArgs.join(' ')})`);
  const { goals: _ecdsaSizedGoals, ...lifecycle } = await runLifecycleBenchmark(lifecycleOptions, command, log);
  log(`raw RSA-2048 keygen again, ${o.keygenSeconds} s`);
  const after = await measureRsaKeygen(o.keygenSeconds, o.keygenConcurrency);
  const pooled = pooledKeygen([before, after]);
  const throughputRatio = round(lifecycle.p1.certificatesPerSecond / pooled.keysPerSecond);
  const result: RsaResult = {
    benchmark: 'rsa',
    generatedAt: new Date().toISOString(),
    command,
    machine: machineInfo(loadAtStart),
    keygen: { before, after, pooled },
    lifecycle,
    throughputRatio,
    cpuRatio: round(lifecycle.p1.controllerCpuMsPerCertificate / pooled.cpuMsPerKey),
    goals: judgeRsa(throughputRatio),
  };
  return { output: o.output, result, report: report(result) };
}

process.exitCode = await runBench(usage, parseRsaOptions, run);

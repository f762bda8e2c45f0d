/**
 * P6 (issue 11), renewal punctuality: the API server and the controller (`--renewal-jitter 0`) in
 * their own processes; N ECDSA P-256 Certificates from one CA ClusterIssuer whose renewal times
 * are spread evenly over a window (see schedule.ts); for each, the lag from its
 * `status.renewalTime` to the new CertificateRequest (revision 2). Both API timestamps have 1 s
 * resolution, so the request's arrival is this process's own watch receipt time (ms; it includes
 * the watch delivery) and renewalTime is exact to the ms because it is computed from whole-second
 * validity bounds. Goal: p99 ≤ 1 s. Prints a table, writes JSON.
 *
 *   npm run bench:punctuality -- --count 1000 --spread-seconds 120
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Certificate, CertificateRequest } from '../../api/types.js';
import { CERTIFICATE_NAME_ANNOTATION, REVISION_ANNOTATION } from '../../api/well-known.js';
import { hasCondition } from '../../controller/conditions.js';
import { realClock } from '../../controller/runtime/clock.js';
import { Informer } from '../../controller/runtime/informer.js';
import { objectKey } from '../../controller/runtime/keys.js';
import { CERTIFICATE_REQUESTS } from '../../controller/runtime/resources.js';
import { TimerQueue } from '../../controller/runtime/timers.js';
import { parseFlags, positiveNumber, runBench, UsageError, type BenchOutcome } from '../harness/cli.js';
import { P6_MAXIMUM_P99_MS } from '../harness/goals.js';
import { issueAll, startControllerCluster, type Issuance } from '../harness/controller-cluster.js';
import { machineInfo, machineLine, oneMinuteLoad, round, type MachineInfo } from '../harness/machine.js';
import { readProcessUsage } from '../lifecycle/process-usage.js';
import { startProgress } from '../lifecycle/progress.js';
import { renderGoals, renderTable, type GoalResult } from '../lifecycle/report.js';
import { BENCH_NAMESPACE, benchCertificate } from '../lifecycle/workload.js';
import { CERTIFICATE_DURATION_SECONDS, lagsBetween, minimumLeadSeconds, SECOND_RENEWAL_MARGIN_SECONDS, renewBeforeFor, summarizeLags, type LagSummary, type RenewalSchedule } from './schedule.js';

const RESULTS_DIR = fileURLToPath(new URL('../../../bench/results', import.meta.url));
const P256 = { algorithm: 'ECDSA', size: 256 } as const;
/** Issuance and the controller's own re-checks are over well before the first renewal. */
const DEFAULT_MINIMUM_LEAD_SECONDS = 15;

const usage = `Usage: npm run bench:punctuality -- [flags]

  --count N                 Certificates (default 1000)
  --spread-seconds S        their renewal times spread evenly over S seconds (default 120)
  --lead-seconds L          issuance → earliest renewal (default spread + 10, at least 15; minimum spread + 3)
  --wait-seconds S          how long after the last renewal time to wait for its request (default 60)
  --controller-arg FLAG     pass FLAG to \`certwright run\` (repeatable; --renewal-jitter=0 is always passed)
  --keep-data               keep the data directory (store, process logs)
  --output FILE             JSON result (default bench/results/punctuality.json; smoke: punctuality-smoke.json)
  --smoke                   10 Certificates over 2 s, 5 s after issuance
`;

interface PunctualityOptions {
  help: boolean;
  schedule: RenewalSchedule;
  waitSeconds: number;
  controllerArgs: string[];
  keepData: boolean;
  output: string;
}

function parsePunctualityOptions(args: readonly string[]): PunctualityOptions {
  const v = parseFlags(args, {
    count: { type: 'string' },
    'spread-seconds': { type: 'string' },
    'lead-seconds': { type: 'string' },
    'wait-seconds': { type: 'string' },
    'controller-arg': { type: 'string', multiple: true },
    'keep-data': { type: 'boolean' },
    output: { type: 'string' },
    smoke: { type: 'boolean' },
  });
  const smoke = v.smoke ?? false;
  const spreadSeconds = positiveNumber('spread-seconds', v['spread-seconds'], smoke ? 2 : 120);
  const defaultLead = smoke ? 5 : Math.max(DEFAULT_MINIMUM_LEAD_SECONDS, spreadSeconds + 10);
  const leadSeconds = positiveNumber('lead-seconds', v['lead-seconds'], defaultLead);
  if (leadSeconds < minimumLeadSeconds(spreadSeconds)) {
    throw new UsageError(`--lead-seconds must be at least the spread + ${SECOND_RENEWAL_MARGIN_SECONDS} s (${minimumLeadSeconds(spreadSeconds)}), or second renewals fall inside the measured window`);
  }
  if (leadSeconds + spreadSeconds > CERTIFICATE_DURATION_SECONDS - 300) throw new UsageError('--lead-seconds + --spread-seconds must stay under 55 minutes');
  return {
    help: v.help ?? false,
    schedule: { count: positiveNumber('count', v.count, smoke ? 10 : 1000), spreadSeconds, leadSeconds },
    waitSeconds: positiveNumber('wait-seconds', v['wait-seconds'], smoke ? 30 : 60),
    controllerArgs: v['controller-arg'] ?? [],
    keepData: v['keep-data'] ?? false,
    output: v.output ?? `${RESULTS_DIR}/${smoke ? 'punctuality-smoke.json' : 'punctuality.json'}`,
  };
}

export interface PunctualityResult {
  benchmark: 'punctuality';
  generatedAt: string;
  command: string;
  machine: MachineInfo;
  schedule: RenewalSchedule & { durationSeconds: number };
  measuredBy: string;
  issuance: Issuance;
  /** status.renewalTime → the revision-2 CertificateRequest seen by this process's watch. */
  lag: LagSummary;
  /** status.renewalTime → the Certificate seen with Issuing=True, where seen (a fast renewal can reach revision 2 in the same status write). */
  lagToIssuing: LagSummary;
  /** Certificates whose renewal was not seen before the wait ended. */
  missing: number;
  /** Renewal times that came before every Certificate was Ready (the controller still issuing). */
  renewalsDuringIssuance: number;
  /** Controller CPU from all Ready until the last request was seen. */
  renewalWindow: { seconds: number; controllerCpuSeconds: number; controllerCpuMsPerRenewal: number };
  goals: GoalResult[];
}

function judgePunctuality(lag: LagSummary, missing: number): GoalResult[] {
  return [
    {
      id: 'P6',
      what: 'renewalTime → new CertificateRequest, p99',
      goal: '≤ 1 s',
      value: `${lag.p99Ms} ms${missing ? ` (${missing} never renewed)` : ''}`,
      met: missing === 0 && lag.p99Ms <= P6_MAXIMUM_P99_MS,
    },
  ];
}

/** What the benchmark watches: each Certificate's first renewal time, when it went Issuing, and its revision-2 request. */
class RenewalWatch {
  readonly renewalAt = new Map<string, number>();
  readonly issuingSeenAt = new Map<string, number>();
  readonly requestSeenAt = new Map<string, number>();
  readonly requests: Informer<CertificateRequest>;
  #timers = new TimerQueue(realClock);

  constructor(certificates: Informer<Certificate>, client: ConstructorParameters<typeof Informer<CertificateRequest>>[0]['source']) {
    const seen = (certificate: Certificate) => {
      const key = objectKey(certificate);
      const status = certificate.status;
      if (status?.revision === 1 && status.renewalTime && !this.renewalAt.has(key)) this.renewalAt.set(key, Date.parse(status.renewalTime));
      if (status?.revision === 1 && this.renewalAt.has(key) && !this.issuingSeenAt.has(key) && hasCondition(status.conditions, 'Issuing')) this.issuingSeenAt.set(key, Date.now());
    };
    certificates.addEventHandler({ onAdd: seen, onUpdate: (_, certificate) => seen(certificate) });
    this.requests = new Informer<CertificateRequest>({ source: client, timers: this.#timers });
    this.requests.addEventHandler({
      onAdd: (request) => {
        const annotations = request.metadata.annotations ?? {};
        const certificate = annotations[CERTIFICATE_NAME_ANNOTATION];
        const key = `${request.metadata.namespace}/${certificate}`;
        if (certificate && annotations[REVISION_ANNOTATION] === '2' && !this.requestSeenAt.has(key)) this.requestSeenAt.set(key, Date.now());
      },
    });
  }

  async start(): Promise<void> {
    this.requests.start();
    await this.requests.waitForSync();
  }

  async stop(): Promise<void> {
    await this.requests.stop();
    this.#timers.clear();
  }
}

function report(r: PunctualityResult): string {
  const lagLine = (l: LagSummary) => `p50 ${l.p50Ms} / p90 ${l.p90Ms} / p99 ${l.p99Ms} / max ${l.maxMs} ms (min ${l.minMs}, mean ${l.meanMs}; ${l.count} renewals)`;
  return [
    `certwright renewal punctuality benchmark (P6) — ${machineLine(r.machine)}`,
    renderTable(
      ['measurement', 'value'],
      [
        ['schedule', `${r.schedule.count} Certificates of ${r.schedule.durationSeconds} s, renewing ${r.schedule.leadSeconds}–${r.schedule.leadSeconds + r.schedule.spreadSeconds} s after issuance`],
        ['issuance', `${r.issuance.certificates} Ready in ${r.issuance.wallSeconds} s`],
        ['renewalTime → Issuing seen', lagLine(r.lagToIssuing)],
        ['renewalTime → new CertificateRequest seen', lagLine(r.lag)],
        ['renewals not seen / during issuance', `${r.missing} / ${r.renewalsDuringIssuance}`],
        ['controller CPU over the renewals', `${r.renewalWindow.controllerCpuSeconds} s in ${r.renewalWindow.seconds} s = ${r.renewalWindow.controllerCpuMsPerRenewal} ms/renewal`],
      ],
    ),
    renderGoals(r.goals),
    `measured by: ${r.measuredBy}`,
  ].join('\n\n');
}

async function run(o: PunctualityOptions, command: string): Promise<BenchOutcome> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const loadAtStart = oneMinuteLoad();
  const { schedule } = o;
  const env = await startControllerCluster({ key: P256, controllerArgs: ['--renewal-jitter=0', ...o.controllerArgs], keepData: o.keepData, log });
  const watch = new RenewalWatch(env.cluster.certificates, env.cluster.client.listerWatcher<CertificateRequest>(CERTIFICATE_REQUESTS, { namespace: BENCH_NAMESPACE }));
  try {
    await watch.start();
    const certificates = Array.from({ length: schedule.count }, (_, i) => {
      const certificate = benchCertificate(i, P256);
      certificate.spec.duration = `${CERTIFICATE_DURATION_SECONDS}s`;
      certificate.spec.renewBefore = renewBeforeFor(i, schedule);
      return certificate;
    });
    log(`P6: issuing ${schedule.count} Certificates that renew ${schedule.leadSeconds}–${schedule.leadSeconds + schedule.spreadSeconds} s after issuance`);
    const issuance = await issueAll(env, certificates, { label: 'P6 issuance', concurrency: 64, timeoutSeconds: schedule.leadSeconds });
    const allReadyAt = Date.now();
    const cpuBefore = await readProcessUsage(env.controller.process.pid);
    const windowStart = performance.now();
    const lastRenewal = Math.max(...watch.renewalAt.values());
    log(`P6: all Ready; the last renewal time is ${round((lastRenewal - Date.now()) / 1000, 1)} s away`);
    const progress = startProgress(() => {
      const now = Date.now();
      const due = [...watch.renewalAt.values()].filter((at) => at <= now).length;
      return `P6 renewals: due ${due}/${schedule.count}, Issuing seen ${watch.issuingSeenAt.size}, new requests seen ${watch.requestSeenAt.size}/${schedule.count}`;
    });
    try {
      const giveUpAt = lastRenewal + o.waitSeconds * 1000;
      while (watch.requestSeenAt.size < schedule.count && Date.now() < giveUpAt) await Promise.race([sleep(200), env.failed]);
    } finally {
      progress.stop();
    }
    const cpuAfter = await readProcessUsage(env.controller.process.pid);
    const windowSeconds = round((performance.now() - windowStart) / 1000, 3);
    const lag = summarizeLags(lagsBetween(watch.renewalAt, watch.requestSeenAt));
    const missing = schedule.count - lag.count;
    const controllerCpuSeconds = round(cpuAfter.cpuSeconds - cpuBefore.cpuSeconds);
    const result: PunctualityResult = {
      benchmark: 'punctuality',
      generatedAt: new Date().toISOString(),
      command,
      machine: machineInfo(loadAtStart),
      schedule: { ...schedule, durationSeconds: CERTIFICATE_DURATION_SECONDS },
      measuredBy:
        "status.renewalTime (exact: whole-second validity, --renewal-jitter 0) to the benchmark's own watch receipt (Date.now(), ms) of the revision-2 CertificateRequest; creationTimestamp has 1 s resolution",
      issuance,
      lag,
      lagToIssuing: summarizeLags(lagsBetween(watch.renewalAt, watch.issuingSeenAt)),
      missing,
      renewalsDuringIssuance: [...watch.renewalAt.values()].filter((at) => at < allReadyAt).length,
      renewalWindow: { seconds: windowSeconds, controllerCpuSeconds, controllerCpuMsPerRenewal: round((controllerCpuSeconds * 1000) / Math.max(1, lag.count)) },
      goals: judgePunctuality(lag, missing),
    };
    return { output: o.output, result, report: report(result) };
  } finally {
    await watch.stop();
    await env.close();
  }
}

process.exitCode = await runBench(usage, parsePunctualityOptions, run);

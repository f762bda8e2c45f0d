/**
 * What `npm run bench` reads out of each benchmark's JSON: one number per goal (or per figure worth
 * tracking next to one), with the pure check that judges it. Numbers, not texts, so several runs
 * can be reduced to their median before judging.
 */
import type { AcmeResult, SolverRuns } from '../acme/main.js';
import { P2_MINIMUM_RATIO, P5_MINIMUM_SPEEDUP, P6_MAXIMUM_P99_MS } from '../harness/goals.js';
import type { ApiServerBenchResult } from '../apiserver/main.js';
import { settledRssBytes, type LifecycleResult } from '../lifecycle/report.js';
import type { PunctualityResult } from '../punctuality/main.js';
import type { RsaResult } from '../rsa/main.js';

export const GOAL_IDS = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7'] as const;
export type GoalId = (typeof GOAL_IDS)[number];

export interface Metric {
  id: GoalId;
  /** What was measured, with its scale ("at 10k"); the key runs are matched by, so nothing that varies from run to run. */
  what: string;
  /** The goal as people read it. */
  target: string;
  unit: string;
  /** NaN when the run could not measure it (then `note` says why). */
  value: number;
  /** The goal's check; absent for figures shown next to a goal but not judged (another scale, a second peer). */
  met?: (value: number) => boolean;
  note?: string;
}

const MiB = 1024 * 1024;
const P1_CERTS_PER_SECOND = 10_000 / 60;

const metric = (m: Metric): Metric => m;

/** 20, 1k, 50k. */
export function countLabel(count: number): string {
  return count >= 1000 && count % 1000 === 0 ? `${count / 1000}k` : String(count);
}

/**
 * P1, P3 and P4 from one lifecycle run; `judged` when its scale is the one the goals are stated at
 * (10k) or it is the only lifecycle run of the mode.
 */
export function lifecycleMetrics(r: LifecycleResult, judged: boolean): Metric[] {
  const label = countLabel(r.p1.certificates);
  const check = (met: (v: number) => boolean) => (judged ? { met } : {});
  const metrics = [
    metric({ id: 'P1', what: `throughput, ${label} Certificates`, target: '≥ 166.7 certs/s (10k in ≤ 60 s)', unit: 'certs/s', value: r.p1.certificatesPerSecond, ...check((v) => v >= P1_CERTS_PER_SECOND) }),
    metric({ id: 'P1', what: `controller CPU ÷ crypto CPU per cert, ${label}`, target: '≤ 3×', unit: '×', value: r.p1.overheadRatio, ...check((v) => v <= 3) }),
    metric({ id: 'P3', what: `controller RSS holding ${label} Certificates, settled`, target: '≤ 150 MiB at 10k', unit: 'MiB', value: Math.round((settledRssBytes(r) / MiB) * 10) / 10, ...check((v) => v <= 150) }),
    metric({ id: 'P3', what: `controller RSS when issuing ${label} went quiet`, target: '(figure)', unit: 'MiB', value: Math.round((r.p3.controllerRssBytes / MiB) * 10) / 10 }),
    metric({ id: 'P3', what: `controller V8 heap used after issuing ${label}`, target: '(figure)', unit: 'MiB', value: Math.round((r.p3.heapUsedBytes / MiB) * 10) / 10 }),
  ];
  const restart = r.p4?.restart;
  if (restart) {
    metrics.push(
      metric({ id: 'P4', what: `restart → all renewal timers armed, ${label}`, target: '≤ 10 s', unit: 's', value: restart.timersArmedSeconds, ...check((v) => v <= 10) }),
      metric({ id: 'P4', what: `Certificates without a timer after restart, ${label}`, target: '0', unit: '', value: restart.certificates - restart.timersArmed, ...check((v) => v === 0) }),
      metric({ id: 'P4', what: `reissued or not Ready after restart, ${label}`, target: '0', unit: '', value: restart.reissues + restart.notReady, ...check((v) => v === 0) }),
    );
  }
  const steady = r.p4?.steady;
  if (steady) {
    metrics.push(
      metric({ id: 'P4', what: `API writes in steady state (${Math.round(steady.seconds)} s), ${label}`, target: '0', unit: '', value: steady.requests.writes, ...check((v) => v === 0) }),
      metric({ id: 'P4', what: `controller CPU in steady state, ${label}`, target: '< 1%', unit: '%', value: steady.controllerCpuPercent, ...check((v) => v < 1) }),
    );
  }
  return metrics;
}

export function rsaMetrics(r: RsaResult): Metric[] {
  return [
    metric({ id: 'P2', what: `RSA-2048 issuance ÷ raw async keygen throughput, ${r.lifecycle.p1.certificates} Certificates`, target: '≥ 0.8×', unit: '×', value: r.throughputRatio, met: (v) => v >= P2_MINIMUM_RATIO }),
    metric({ id: 'P2', what: 'controller CPU per RSA cert ÷ raw keygen CPU per key', target: '(figure)', unit: '×', value: r.cpuRatio }),
  ];
}

function acmeSolverMetrics(solver: string, runs: SolverRuns, count: number): Metric[] {
  const lego = runs.peers.lego;
  const legoOk = lego?.status === 'ok';
  const legoNote = legoOk ? {} : { note: `lego ${lego?.status ?? 'not run'}` };
  const certbot = runs.peers.certbot;
  return [
    metric({ id: 'P5', what: `${solver}: lego wall time ÷ certwright's, ${count} cert(s) each`, target: '≥ 5×', unit: '×', value: legoOk ? (runs.speedup.lego ?? NaN) : NaN, met: (v) => v >= P5_MINIMUM_SPEEDUP, ...legoNote }),
    metric({
      id: 'P5',
      what: `${solver}: ACME requests per cert, certwright ÷ lego`,
      target: '≤ 1× (≤ lego’s)',
      unit: '×',
      value: legoOk ? Math.round((runs.certwright.requestsPerCertificate / lego.requestsPerCertificate) * 100) / 100 : NaN,
      met: (v) => v <= 1,
      ...legoNote,
    }),
    metric({ id: 'P5', what: `${solver}: certwright ACME requests per cert`, target: '(figure)', unit: '', value: runs.certwright.requestsPerCertificate }),
    metric({ id: 'P5', what: `${solver}: certbot wall time ÷ certwright's`, target: '(figure)', unit: '×', value: certbot?.status === 'ok' ? (runs.speedup.certbot ?? NaN) : NaN, note: certbot?.status === 'ok' ? undefined : `certbot ${certbot?.status ?? 'not run'}` }),
  ];
}

export function acmeMetrics(r: AcmeResult): Metric[] {
  if (r.skipped) return [metric({ id: 'P5', what: 'ACME against Pebble', target: '', unit: '', value: NaN, note: `skipped: ${r.skipped}` })];
  return Object.entries(r.solvers).flatMap(([solver, runs]) => acmeSolverMetrics(solver, runs, r.count));
}

export function punctualityMetrics(r: PunctualityResult): Metric[] {
  const label = `${r.schedule.count} renewals over ${r.schedule.spreadSeconds} s`;
  return [
    metric({ id: 'P6', what: `renewalTime → new CertificateRequest p99, ${label}`, target: '≤ 1000 ms', unit: 'ms', value: r.lag.p99Ms, met: (v) => v <= P6_MAXIMUM_P99_MS }),
    metric({ id: 'P6', what: 'renewals never seen', target: '0', unit: '', value: r.missing, met: (v) => v === 0 }),
    metric({ id: 'P6', what: 'renewal lag p50', target: '(figure)', unit: 'ms', value: r.lag.p50Ms }),
    metric({ id: 'P6', what: 'renewal lag max', target: '(figure)', unit: 'ms', value: r.lag.maxMs }),
  ];
}

export function apiServerMetrics(r: ApiServerBenchResult): Metric[] {
  const writes = Object.entries(r.writes);
  const slowest = writes.reduce((a, b) => (b[1].writesPerSecond < a[1].writesPerSecond ? b : a));
  const memory = Math.max(r.memory.afterWrites.rssOverheadPerObject, r.memory.afterRestart.rssOverheadPerObject);
  return [
    metric({ id: 'P7', what: 'durable writes/s, slowest kind', target: '≥ 5,000/s', unit: '/s', value: slowest[1].writesPerSecond, met: (v) => v >= 5000, note: `slowest: ${slowest[0]}` }),
    metric({ id: 'P7', what: `watch events/s, ${r.liveWatch.watchers} watchers, live`, target: '≥ 50,000/s', unit: '/s', value: r.liveWatch.deliveredPerSecond, met: (v) => v >= 50_000 }),
    metric({ id: 'P7', what: `RSS per object beyond its JSON, ${r.options.objects} objects (worse of after writes / after restart)`, target: '≤ 2,048 B', unit: 'B', value: memory, met: (v) => v <= 2048 }),
  ];
}

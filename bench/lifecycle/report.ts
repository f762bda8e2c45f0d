/** The lifecycle benchmark's result, the goals it is judged against, and how it is printed. */
import type { RequestCounts } from './counting-proxy.js';
import type { CostLine, ProfileSummary } from './profiles.js';
import type { CryptoBaseline } from './crypto-baseline.js';
import { machineLine } from '../harness/machine.js';
import { renderHeapSnapshotSummary, type HeapSnapshotSummary } from './heap-snapshot.js';

const MiB = 1024 * 1024;

export interface LifecycleResult {
  benchmark: 'lifecycle';
  generatedAt: string;
  command: string;
  machine: {
    nproc: number;
    cpuModel: string;
    node: string;
    memoryBytes: number;
    /** 1-minute load average at the start and at the end: other work on the machine only ever adds time. */
    loadAverage: { start: number; end: number };
  };
  crypto: CryptoBaseline;
  p1: {
    certificates: number;
    wallSeconds: number;
    certificatesPerSecond: number;
    /** Seconds from the first create until the first / median / 99th / last Certificate was Ready. */
    readySeconds: { first: number; p50: number; p99: number; last: number };
    controllerCpuSeconds: number;
    controllerCpuMsPerCertificate: number;
    /** Controller CPU per Certificate ÷ crypto CPU per Certificate. */
    overheadRatio: number;
    apiServerCpuSeconds: number;
    benchCpuSeconds: number;
    controllerWarnings: number;
    /** With --count-p1-requests: the controller's API requests from its start to the end of P1. */
    requests?: RequestCounts;
  };
  p3: {
    /** Before P1: the controller running with only the CA chain. */
    baselineRssBytes: number;
    baselineHeapUsedBytes: number;
    controllerRssBytes: number;
    controllerPeakRssBytes: number;
    /** From the controller's /metrics (prom-client's Node process metrics). */
    heapUsedBytes: number;
    heapTotalBytes: number;
    apiServerRssBytes: number;
    /** With --idle-seconds: the controller left alone that long after P1 (RSS sampled every second). */
    idle?: { seconds: number; rssBytes: number; rssBytesPerSecond: number[]; heapUsedBytes: number; heapTotalBytes: number };
  };
  /** Absent with --skip-restart. */
  p4?: {
    /** How API requests were counted. */
    countedBy: string;
    restart: {
      /** Spawn of the new controller process → its "controllers started" line (informers synced, every renewal timer armed). */
      timersArmedSeconds: number;
      /** Certificates with a wake-up armed at that line (the controller logs it); every one must have one. */
      timersArmed: number;
      /** Certificates in the store (the workload's and the CA's). */
      certificates: number;
      /** Spawn → every Certificate reconciled and the controller's CPU quiet. */
      idleSeconds: number;
      reissues: number;
      notReady: number;
      requests: RequestCounts;
    };
    /** Absent with --skip-steady. */
    steady?: {
      seconds: number;
      requests: RequestCounts;
      controllerCpuPercent: number;
      /** The same, per 5-second slice of the window. */
      controllerCpuPercentPer5s: number[];
      controllerRssBytes: number;
    };
  };
  profiles?: Record<string, ProfileSummary>;
  /** With --heap-snapshot: the P1 controller's heap at the end of P1. */
  heapSnapshot?: HeapSnapshotSummary;
  goals: GoalResult[];
}

export interface GoalResult {
  id: string;
  what: string;
  goal: string;
  value: string;
  met: boolean;
}

type Measured = Omit<LifecycleResult, 'goals'>;

/** One goal of issues 5 and 11, as a named pure check of the measured result. */
interface Goal<M = Measured> {
  id: string;
  what: string;
  goal: string;
  value: (r: M) => string;
  met: (r: M) => boolean;
}

type WithRestart = Measured & { p4: NonNullable<Measured['p4']> };
type WithSteady = Measured & { p4: WithRestart['p4'] & { steady: NonNullable<WithRestart['p4']['steady']> } };

const NOT_MEASURED = 'not measured';

/** A goal judged only when the phase it needs was measured (--skip-restart, --skip-steady). */
function when<M extends Measured>(measured: (r: Measured) => r is M, goal: Goal<M>): Goal {
  return { ...goal, value: (r) => (measured(r) ? goal.value(r) : NOT_MEASURED), met: (r) => measured(r) && goal.met(r) };
}
const restartMeasured = (r: Measured): r is WithRestart => r.p4 !== undefined;
const steadyMeasured = (r: Measured): r is WithSteady => r.p4?.steady !== undefined;

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * The controller's RSS holding the Certificates once it has settled: the higher of RSS after the
 * idle window that follows P1 (--idle-seconds) and in steady state after the restart, whichever
 * were measured. Measured neither, RSS when P1 went quiet stands in (with the burst's garbage
 * still held, an upper bound). The burst's own peak is reported beside it, not judged.
 */
export function settledRssBytes(r: Pick<Measured, 'p3' | 'p4'>): number {
  const settled = [r.p3.idle?.rssBytes, r.p4?.steady?.controllerRssBytes].filter((bytes): bytes is number => bytes !== undefined);
  return settled.length > 0 ? Math.max(...settled) : r.p3.controllerRssBytes;
}

export const goals: readonly Goal[] = [
  {
    id: 'P1',
    what: 'throughput (10k Ready in ≤ 60 s)',
    goal: '≥ 166.7 certs/s',
    value: (r) => `${round(r.p1.certificatesPerSecond, 1)} certs/s`,
    met: (r) => r.p1.certificatesPerSecond >= 10_000 / 60,
  },
  {
    id: 'P1',
    what: 'controller CPU per cert ÷ crypto CPU per cert',
    goal: '≤ 3×',
    value: (r) => `${round(r.p1.overheadRatio)}×`,
    met: (r) => r.p1.overheadRatio <= 3,
  },
  {
    id: 'P3',
    what: 'controller RSS holding them, settled',
    goal: '≤ 150 MiB at 10k',
    value: (r) => `${round(settledRssBytes(r) / MiB, 1)} MiB`,
    met: (r) => settledRssBytes(r) <= 150 * MiB,
  },
  when(steadyMeasured, {
    id: 'P4',
    what: 'API writes in steady state',
    goal: '0',
    value: (r) => String(r.p4.steady.requests.writes),
    met: (r) => r.p4.steady.requests.writes === 0,
  }),
  when(steadyMeasured, {
    id: 'P4',
    what: 'controller CPU in steady state',
    goal: '< 1%',
    value: (r) => `${round(r.p4.steady.controllerCpuPercent)}%`,
    met: (r) => r.p4.steady.controllerCpuPercent < 1,
  }),
  when(restartMeasured, {
    id: 'P4',
    what: 'restart → all renewal timers armed',
    goal: '≤ 10 s',
    value: (r) => `${round(r.p4.restart.timersArmedSeconds)} s, ${r.p4.restart.timersArmed}/${r.p4.restart.certificates} armed`,
    met: (r) => r.p4.restart.timersArmedSeconds <= 10 && r.p4.restart.timersArmed === r.p4.restart.certificates,
  }),
  when(restartMeasured, {
    id: 'P4',
    what: 'reissues after restart',
    goal: '0',
    value: (r) => String(r.p4.restart.reissues),
    met: (r) => r.p4.restart.reissues === 0 && r.p4.restart.notReady === 0,
  }),
];

export function judge(measured: Measured): GoalResult[] {
  return goals.map((g) => ({ id: g.id, what: g.what, goal: g.goal, value: g.value(measured), met: g.met(measured) }));
}

/** The goals table every benchmark prints; a goal not judged (`met` null, or not measured) is marked —. */
export function renderGoals(goals: ReadonlyArray<{ id: string; what: string; goal: string; value: string; met: boolean | null }>): string {
  const mark = (g: (typeof goals)[number]) => (g.met ? 'met' : g.met === null || g.value === NOT_MEASURED ? '—' : 'MISSED');
  return renderTable(['id', 'goal', 'target', 'measured', ''], goals.map((g) => [g.id, g.what, g.goal, g.value, mark(g)]));
}

export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function writesLine(counts: RequestCounts): string {
  const writes = Object.entries(counts.byRequest).filter(([what]) => !/^(GET|WATCH) /.test(what));
  return `${counts.writes} writes${writes.length ? ` (${writes.map(([what, n]) => `${what} ×${n}`).join(', ')})` : ''}, ${counts.reads} reads`;
}

/** Median and largest 5 s slice: one late GC shows as a high maximum over a low median. */
function sliceSummary(slices: readonly number[]): string {
  const sorted = [...slices].sort((a, b) => a - b);
  return `median ${quantile(sorted, 0.5)}%, max ${sorted.at(-1) ?? NaN}% (${slices.length} slices)`;
}

type Restart = NonNullable<LifecycleResult['p4']>['restart'];
type Steady = NonNullable<NonNullable<LifecycleResult['p4']>['steady']>;

const restartRows = (restart: Restart): string[][] => [
  ['P4 restart → timers armed', `${round(restart.timersArmedSeconds)} s (${restart.timersArmed} of ${restart.certificates} Certificates)`],
  ['P4 restart → idle', `${round(restart.idleSeconds)} s`],
  ['P4 restart reissues / not Ready', `${restart.reissues} / ${restart.notReady}`],
  ['P4 restart API requests', writesLine(restart.requests)],
];

const steadyRows = (steady: Steady): string[][] => [
  [`P4 steady state (${steady.seconds} s) API requests`, writesLine(steady.requests)],
  ['P4 steady state controller CPU / RSS', `${round(steady.controllerCpuPercent)}% / ${round(steady.controllerRssBytes / MiB, 1)} MiB`],
  ['P4 steady state controller CPU per 5 s', sliceSummary(steady.controllerCpuPercentPer5s)],
];

/** The human summary: measurements, then the goals. */
export function renderReport(r: LifecycleResult): string {
  const measurements: string[][] = [
    [`crypto baseline (keygen+CSR+sign+parse, ${r.crypto.key.algorithm}-${r.crypto.key.size})`, `${round(r.crypto.cpuMsPerCertificate, 3)} ms CPU/cert, ${round(r.crypto.wallMsPerCertificate, 3)} ms wall/cert`],
    ['P1 certificates', String(r.p1.certificates)],
    ['P1 wall time to all Ready', `${round(r.p1.wallSeconds)} s`],
    ['P1 throughput', `${round(r.p1.certificatesPerSecond, 1)} certs/s`],
    ['P1 Ready after (first/p50/p99/last)', `${r.p1.readySeconds.first} / ${r.p1.readySeconds.p50} / ${r.p1.readySeconds.p99} / ${r.p1.readySeconds.last} s`],
    ['P1 controller CPU', `${round(r.p1.controllerCpuSeconds)} s = ${round(r.p1.controllerCpuMsPerCertificate, 3)} ms/cert = ${round(r.p1.overheadRatio)}× crypto`],
    ['P1 API server / bench CPU', `${round(r.p1.apiServerCpuSeconds)} s / ${round(r.p1.benchCpuSeconds)} s`],
    ['P1 controller warnings logged', String(r.p1.controllerWarnings)],
    ...(r.p1.requests
      ? [
          ['P1 API requests per Certificate', `${round(r.p1.requests.writes / r.p1.certificates, 1)} writes, ${round(r.p1.requests.reads / r.p1.certificates, 1)} reads`],
          ['P1 API requests', writesLine(r.p1.requests)],
        ]
      : []),
    ['P3 controller RSS when P1 went quiet (peak)', `${round(r.p3.controllerRssBytes / MiB, 1)} MiB (${round(r.p3.controllerPeakRssBytes / MiB, 1)} MiB)`],
    ['P3 controller V8 heap used / total', `${round(r.p3.heapUsedBytes / MiB, 1)} / ${round(r.p3.heapTotalBytes / MiB, 1)} MiB`],
    [
      'P3 before P1: RSS / heap used',
      `${round(r.p3.baselineRssBytes / MiB, 1)} / ${round(r.p3.baselineHeapUsedBytes / MiB, 1)} MiB; growth ${round((r.p3.controllerRssBytes - r.p3.baselineRssBytes) / r.p1.certificates / 1024, 1)} KiB RSS, ${round((r.p3.heapUsedBytes - r.p3.baselineHeapUsedBytes) / r.p1.certificates / 1024, 1)} KiB heap per cert`,
    ],
    ...(r.p3.idle
      ? [
          [
            `P3 after ${r.p3.idle.seconds} s idle: RSS (min) / heap used / total`,
            `${round(r.p3.idle.rssBytes / MiB, 1)} MiB (${round(Math.min(...r.p3.idle.rssBytesPerSecond) / MiB, 1)} MiB) / ${round(r.p3.idle.heapUsedBytes / MiB, 1)} / ${round(r.p3.idle.heapTotalBytes / MiB, 1)} MiB`,
          ],
        ]
      : []),
    ['P3 API server RSS', `${round(r.p3.apiServerRssBytes / MiB, 1)} MiB`],
    ...(r.p4 ? restartRows(r.p4.restart) : [['P4', 'skipped (--skip-restart)']]),
    ...(r.p4?.steady ? steadyRows(r.p4.steady) : r.p4 ? [['P4 steady state', 'skipped (--skip-steady)']] : []),
  ];
  const sections = [
    `certwright lifecycle benchmark — ${machineLine(r.machine)}`,
    renderTable(['measurement', 'value'], measurements),
    renderGoals(r.goals),
    ...(r.p4 ? [`API requests counted by: ${r.p4.countedBy}`] : []),
  ];
  if (r.heapSnapshot) sections.push(`heap snapshot of the controller at the end of P1: ${renderHeapSnapshotSummary(r.heapSnapshot)}`);
  for (const [name, summary] of Object.entries(r.profiles ?? {})) {
    const rows = (costs: CostLine[]) => costs.map((c) => [c.what, String(c.amount), String(c.percent)]);
    const heading = summary.unit === 'ms' ? `CPU profile ${name}: ${summary.total} ms sampled, by self time` : `heap profile ${name}: ${summary.total} MiB live, by allocating frame`;
    sections.push(
      `${heading}\n${renderTable(['function', summary.unit, '%'], rows(summary.topFunctions))}\n${renderTable(['file', summary.unit, '%'], rows(summary.topFiles))}`,
    );
  }
  return sections.join('\n\n');
}

/** Quantile of sorted values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * `npm run bench:apiserver`: the embedded API server through HTTPS with bearer auth, as clients use
 * it. Three child processes — the server (the local cluster as `certwright apiserver` runs it), a
 * writer and a watcher — so load generation never runs on the server's event loop. Measures
 * (a) durable writes/s of ~1–2 KiB Secrets and Certificates (creates, PUT updates, server-side
 * applies, status merge patches) with C requests in flight over keep-alive connections, (b) watch
 * events/s parsed by W HTTP watchers while writing, and their initial events, and (c) the server's
 * RSS per stored object beyond its JSON at N objects, and after a restart. Server CPU is read
 * from /proc per phase: the machine is shared, so CPU per write is the steadier figure. Then the
 * store-level benchmark (`store.ts`), unless `--only http`. Prints a table and writes
 * `bench/results/apiserver.json`.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readProcessUsage } from '../lifecycle/process-usage.js';
import { monotonicMicroseconds, summarizeProfilesIn, type ProfileSummary, type TimeWindow } from '../lifecycle/profiles.js';
import { machineLine } from '../harness/machine.js';
import { renderTable } from '../lifecycle/report.js';
import { BenchChild } from './ipc.js';
import type { WatchCount, WriteJob, WriteKind, WriteResult } from './load-process.js';
import type { MemoryReading, ServerInfo } from './server-process.js';

const RESULTS_DIR = fileURLToPath(new URL('../../../bench/results/', import.meta.url));
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

const usage = `Usage: npm run bench:apiserver -- [flags]

  --seconds S        length of each write phase (default 3)
  --objects N        objects stored for the memory figure (default 50000)
  --concurrency C    writes in flight (default 64)
  --watchers W       HTTP watchers (default 10)
  --cpu-prof         profile the server and print its top costs per phase
  --cpu-prof-dir D   the same, keeping the .cpuprofile files in D (open them in Chrome DevTools)
  --only http|store  one section: through HTTPS, or the store alone (default both)
  --output FILE      JSON result (default bench/results/apiserver.json; smoke: apiserver-smoke.json)
  --smoke            tiny counts, HTTP section only, so it finishes in seconds
`;

export interface HttpBenchOptions {
  seconds: number;
  objects: number;
  concurrency: number;
  watchers: number;
  cpuProfile: boolean;
  /** Where the server's profiles go (kept); default a temporary directory. */
  cpuProfileDir: string | undefined;
  only: 'http' | 'store' | undefined;
  output: string;
  smoke: boolean;
}

function parseOptions(args: string[]): HttpBenchOptions & { help: boolean } {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      seconds: { type: 'string' },
      objects: { type: 'string' },
      concurrency: { type: 'string' },
      watchers: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'cpu-prof-dir': { type: 'string' },
      only: { type: 'string' },
      output: { type: 'string' },
      smoke: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const number = (flag: string, text: string | undefined, fallback: number): number => {
    const n = text === undefined ? fallback : Number(text);
    if (!(n > 0) || !Number.isFinite(n)) throw new Error(`--${flag} must be a positive number, got ${JSON.stringify(text)}`);
    return n;
  };
  if (values.only !== undefined && values.only !== 'http' && values.only !== 'store') throw new Error(`--only must be http or store, got ${JSON.stringify(values.only)}`);
  const smoke = values.smoke ?? false;
  return {
    help: values.help ?? false,
    smoke,
    seconds: number('seconds', values.seconds, smoke ? 0.3 : 3),
    objects: Math.round(number('objects', values.objects, smoke ? 600 : 50_000)),
    concurrency: Math.round(number('concurrency', values.concurrency, smoke ? 8 : 64)),
    watchers: Math.round(number('watchers', values.watchers, smoke ? 3 : 10)),
    cpuProfile: (values['cpu-prof'] ?? false) || values['cpu-prof-dir'] !== undefined,
    cpuProfileDir: values['cpu-prof-dir'],
    only: smoke ? 'http' : values.only,
    output: values.output ?? join(RESULTS_DIR, smoke ? 'apiserver-smoke.json' : 'apiserver.json'),
  };
}

export interface WritePhase extends WriteResult {
  writesPerSecond: number;
  /** Server CPU (all threads) per acknowledged write. */
  serverCpuMsPerWrite: number;
  /** The load generator's CPU per write: on 2 cores, server + client CPU per write bounds the rate. */
  clientCpuMsPerWrite: number;
  /** Server CPU seconds per wall second: how much of the machine it got. */
  serverCores: number;
}

export interface WatchPhase {
  watchers: number;
  /** Events each watcher should get. */
  events: number;
  /** Events parsed, all watchers together. */
  delivered: number;
  deliveredPerSecond: number;
  serverCpuUsPerDelivery: number;
  /** The watchers' (and, live, the writer's) CPU per event parsed. */
  clientCpuUsPerDelivery: number;
  serverCores: number;
}

export interface MemoryFigure {
  objects: number;
  jsonBytesPerObject: number;
  rssBytes: number;
  /** (RSS − RSS of the freshly started server) / objects − JSON bytes per object. */
  rssOverheadPerObject: number;
}

export interface ApiServerBenchResult {
  machine: { nproc: number; cpuModel: string; node: string; loadAverage: { start: number; end: number } };
  options: Omit<HttpBenchOptions, 'output' | 'only' | 'cpuProfileDir'>;
  writes: Record<WriteKind, WritePhase>;
  /** Creates while W watchers parse every event. */
  liveWatch: WatchPhase & { writes: WritePhase };
  /** W watches opened without a resourceVersion: every stored Secret as ADDED. */
  initialWatch: WatchPhase;
  memory: { baselineRssBytes: number; afterWrites: MemoryFigure; afterRestart: MemoryFigure };
  serverProfile?: Record<string, ProfileSummary>;
  /** Each phase's window on the monotonic clock the profiles are stamped with. */
  serverProfilePhases?: Record<string, TimeWindow>;
}

const round = (n: number, digits = 0): number => Math.round(n * 10 ** digits) / 10 ** digits;

interface Measured<T> {
  result: T;
  seconds: number;
  /** The server's. */
  cpuSeconds: number;
  /** The load processes' together. */
  clientCpuSeconds: number;
  fromUs: number;
}

/** The server process and what each measured phase cost it. */
class MeasuredServer {
  child!: BenchChild;
  info!: ServerInfo;
  readonly phases: Record<string, TimeWindow> = {};

  constructor(
    private readonly dataDir: string,
    private readonly profileDir: string | undefined,
  ) {}

  async start(): Promise<void> {
    const nodeArgs = ['--expose-gc', ...(this.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${this.profileDir}`] : [])];
    this.child = new BenchChild('apiserver', here('./server-process.js'), nodeArgs);
    this.info = await this.child.call<ServerInfo>('start', { dataDir: this.dataDir });
  }

  /** Runs `work` as phase `name`: its result, wall seconds and the server CPU seconds it took. */
  /** Runs `work` as phase `name`: its result, wall seconds, and the CPU seconds it took the server and each client. */
  async measure<T>(name: string, clients: BenchChild[], work: () => Promise<T>): Promise<Measured<T>> {
    const cpuNow = () => Promise.all([this.child, ...clients].map(async (c) => (await readProcessUsage(c.pid)).cpuSeconds));
    const before = await cpuNow();
    const fromUs = monotonicMicroseconds();
    const result = await work();
    const toUs = monotonicMicroseconds();
    const after = await cpuNow();
    this.phases[name] = { fromUs, toUs };
    const used = after.map((cpu, i) => cpu - before[i]!);
    return { result, seconds: (toUs - fromUs) / 1e6, cpuSeconds: used[0]!, clientCpuSeconds: used.slice(1).reduce((a, b) => a + b, 0), fromUs };
  }

  settle(): Promise<MemoryReading> {
    return this.child.call<MemoryReading>('settle');
  }
}

async function waitFor(what: string, done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`${what}: not done within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function writePhase(result: WriteResult, cpuSeconds: number, clientCpuSeconds: number): WritePhase {
  const acknowledged = result.writes - result.failures;
  if (result.failures) throw new Error(`${result.failures} of ${result.writes} writes failed; first: ${result.firstFailure}`);
  return {
    ...result,
    seconds: round(result.seconds, 3),
    writesPerSecond: round(acknowledged / result.seconds),
    serverCpuMsPerWrite: round((cpuSeconds * 1000) / acknowledged, 3),
    clientCpuMsPerWrite: round((clientCpuSeconds * 1000) / acknowledged, 3),
    serverCores: round(cpuSeconds / result.seconds, 2),
  };
}

async function runHttpBench(o: HttpBenchOptions, workDir: string): Promise<ApiServerBenchResult> {
  const loadAtStart = loadavg()[0]!;
  const profileDir = o.cpuProfile ? (o.cpuProfileDir ?? join(workDir, 'profiles')) : undefined;
  const server = new MeasuredServer(join(workDir, 'data'), profileDir);
  const writer = new BenchChild('writer', here('./load-process.js'));
  const watcher = new BenchChild('watcher', here('./load-process.js'));
  try {
    await server.start();
    const connect = async () => {
      await writer.call('connect', { info: server.info, concurrency: o.concurrency });
      await watcher.call('connect', { info: server.info, concurrency: o.watchers });
    };
    await connect();
    await writer.call('createNamespaces');
    const baseline = await server.settle();

    const created = { secrets: 0, certificates: 0 };
    const write = (kind: WriteKind, job: Partial<WriteJob>) => writer.call<WriteResult>('write', { kind, concurrency: o.concurrency, first: 0, ...job } satisfies WriteJob);
    const timedWrites = async (kind: WriteKind, first: number): Promise<WritePhase> => {
      const m = await server.measure(kind, [writer], () => write(kind, { seconds: o.seconds, first }));
      return writePhase(m.result, m.cpuSeconds, m.clientCpuSeconds);
    };

    /** Each kind once, so its measured run starts with the server's code compiled. */
    const runEachKind = async (run: (kind: WriteKind, first: number) => Promise<WriteResult>): Promise<Record<WriteKind, WriteResult>> => {
      const results = {} as Record<WriteKind, WriteResult>;
      results['create-secret'] = await run('create-secret', created.secrets);
      created.secrets += results['create-secret'].writes;
      results['create-certificate'] = await run('create-certificate', created.certificates);
      created.certificates += results['create-certificate'].writes;
      results['update-secret'] = await run('update-secret', created.secrets);
      results['apply-secret'] = await run('apply-secret', created.secrets);
      results['patch-certificate-status'] = await run('patch-certificate-status', created.certificates);
      return results;
    };
    await runEachKind((kind, first) => write(kind, { seconds: o.seconds / 3, first }));
    const writes = {} as Record<WriteKind, WritePhase>;
    await runEachKind(async (kind, first) => (writes[kind] = await timedWrites(kind, first)));

    // (b) live: every create reaches every watcher.
    await watcher.call('watch', { watchers: o.watchers, resourceVersion: await writer.call<string>('secretsResourceVersion') });
    const live = await server.measure('watch (live)', [writer, watcher], async () => {
      const result = await write('create-secret', { seconds: o.seconds, first: created.secrets });
      await waitFor('live watch events', async () => (await watcher.call<WatchCount>('watchCount')).events >= o.watchers * result.writes, 60_000);
      return result;
    });
    const liveCount = await watcher.call<WatchCount>('watchCount');
    await watcher.call('unwatch');
    created.secrets += live.result.writes;
    const liveSeconds = (liveCount.lastEventUs - live.fromUs) / 1e6;
    const liveWatch = {
      ...watchPhase(o.watchers, live.result.writes, liveCount, liveSeconds, live),
      writes: writePhase(live.result, live.cpuSeconds, live.clientCpuSeconds),
    };

    // (c) fill up to N objects, then memory.
    const missing = o.objects - created.secrets - created.certificates;
    if (missing > 0) {
      const fill = await write('create-secret', { total: missing, first: created.secrets });
      writePhase(fill, 0, 0);
      created.secrets += fill.writes;
    }
    const stored = await writer.call<{ objects: number; jsonBytes: number }>('measureObjects', ['/api/v1/secrets', '/apis/cert-manager.io/v1/certificates']);
    const memoryFigure = (reading: MemoryReading): MemoryFigure => ({
      objects: stored.objects,
      jsonBytesPerObject: round(stored.jsonBytes / stored.objects),
      rssBytes: reading.rssBytes,
      rssOverheadPerObject: round((reading.rssBytes - baseline.rssBytes - stored.jsonBytes) / stored.objects),
    });
    const afterWrites = memoryFigure(await server.settle());

    // (b) initial events: every stored Secret, to every watcher.
    const initial = await server.measure('watch (initial events)', [watcher], async () => {
      await watcher.call('watch', { watchers: o.watchers });
      await waitFor('initial watch events', async () => (await watcher.call<WatchCount>('watchCount')).events >= o.watchers * created.secrets, 120_000);
    });
    const initialCount = await watcher.call<WatchCount>('watchCount');
    await watcher.call('unwatch');
    const initialWatch = watchPhase(o.watchers, created.secrets, initialCount, (initialCount.lastEventUs - initial.fromUs) / 1e6, initial);

    await server.child.stop();
    await server.start();
    const afterRestart = memoryFigure(await server.settle());
    await server.child.stop();

    return {
      machine: { nproc: cpus().length, cpuModel: cpus()[0]?.model ?? '', node: process.version, loadAverage: { start: round(loadAtStart, 2), end: round(loadavg()[0]!, 2) } },
      options: { seconds: o.seconds, objects: o.objects, concurrency: o.concurrency, watchers: o.watchers, cpuProfile: o.cpuProfile, smoke: o.smoke },
      writes,
      liveWatch,
      initialWatch,
      memory: { baselineRssBytes: baseline.rssBytes, afterWrites, afterRestart },
      ...(profileDir ? { serverProfile: await summarizeServerProfiles(profileDir, server.phases), serverProfilePhases: server.phases } : {}),
    };
  } finally {
    await Promise.all([writer.stop(), watcher.stop(), server.child?.stop()]);
  }
}

function watchPhase(watchers: number, events: number, count: WatchCount, seconds: number, { cpuSeconds, clientCpuSeconds }: Measured<unknown>): WatchPhase {
  return {
    watchers,
    events,
    delivered: count.events,
    deliveredPerSecond: round(count.events / seconds),
    serverCpuUsPerDelivery: round((cpuSeconds * 1e6) / count.events, 2),
    clientCpuUsPerDelivery: round((clientCpuSeconds * 1e6) / count.events, 2),
    serverCores: round(cpuSeconds / seconds, 2),
  };
}

/** Every server profile (one per server run) cut into the phases it covers. */
async function summarizeServerProfiles(dir: string, phases: Record<string, TimeWindow>): Promise<Record<string, ProfileSummary>> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const summaries = await summarizeProfilesIn(dir, Object.fromEntries(files.map((f) => [f, phases])), 12);
  return Object.fromEntries(Object.entries(summaries).filter(([, s]) => s.total > 0));
}

function report(r: ApiServerBenchResult): string {
  const goal = (met: boolean, text: string) => `${text} ${met ? 'met' : 'MISSED'}`;
  const rows: string[][] = Object.entries(r.writes).map(([kind, w]) => [
    `${kind} (${r.options.concurrency} in flight)`,
    `${w.writesPerSecond} writes/s`,
    `${w.serverCpuMsPerWrite} ms`,
    `${w.clientCpuMsPerWrite} ms`,
    `${w.serverCores}`,
    goal(w.writesPerSecond >= 5000, '≥ 5,000/s'),
  ]);
  const watchRow = (name: string, w: WatchPhase) => [name, `${w.deliveredPerSecond} events/s`, `${w.serverCpuUsPerDelivery} µs/event`, `${w.clientCpuUsPerDelivery} µs/event`, `${w.serverCores}`, goal(w.deliveredPerSecond >= 50_000, '≥ 50,000/s')];
  rows.push(watchRow(`watch, ${r.liveWatch.watchers} watchers, live (${r.liveWatch.writes.writesPerSecond} creates/s)`, r.liveWatch));
  rows.push(watchRow(`watch, ${r.initialWatch.watchers} watchers, initial events (${r.initialWatch.events} Secrets)`, r.initialWatch));
  for (const [name, m] of [['after writes', r.memory.afterWrites], ['after restart', r.memory.afterRestart]] as const) {
    rows.push([`RSS/object beyond JSON (${m.jsonBytesPerObject} B), ${m.objects} objects, ${name}`, `${m.rssOverheadPerObject} B`, '', '', '', goal(m.rssOverheadPerObject <= 2048, '≤ 2,048 B')]);
  }
  const header = `certwright API server through HTTPS — ${machineLine(r.machine)}`;
  const lines = [header, '', renderTable(['measure', 'rate', 'server CPU', 'client CPU', 'server cores', 'goal'], rows)];
  for (const [what, summary] of Object.entries(r.serverProfile ?? {})) {
    lines.push('', `server profile ${what}: ${summary.total} ms`, ...summary.topFunctions.map((c) => `  ${String(c.percent).padStart(5)}%  ${c.what}`));
  }
  return lines.join('\n');
}

async function runStoreBench(): Promise<void> {
  const child = spawn(process.execPath, [here('./store.js')], { stdio: 'inherit' });
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the store benchmark exited with ${code}`);
}

async function main(): Promise<number> {
  let o;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${usage}`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (o.only !== 'store') {
    const workDir = await mkdtemp(join(tmpdir(), 'certwright-bench-apiserver-'));
    try {
      const result = await runHttpBench(o, workDir);
      console.log(report(result));
      await mkdir(dirname(o.output), { recursive: true });
      await writeFile(o.output, `${JSON.stringify(result, null, 2)}\n`);
      console.log(`\nwrote ${o.output}`);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }
  if (o.only !== 'http') {
    console.log('\nstore alone (no HTTP):');
    await runStoreBench();
  }
  return 0;
}

process.exitCode = await main();

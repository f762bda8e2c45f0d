/**
 * Store benchmark: durable writes/s at 1, 16 and 64 concurrent writers; watch events/s delivered
 * to 10 watchers (live while writing, the fan-out path alone, and catching up from the retained
 * window); RSS per stored object beyond
 * its JSON size at 10k and 50k Secret-sized (~3 KiB) objects. Prints a table and writes
 * bench/results/apiserver-store.json.
 *
 *   npm run bench:apiserver
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../apiserver/admission.js';
import type { CommittedEvent } from '../../apiserver/store/history.js';
import { openStore, type Store, type StoreEvent } from '../../apiserver/store/index.js';
import { Watcher, WatcherRegistry } from '../../apiserver/store/watchers.js';
import { tlsSecret as tlsSecretFor } from './fixtures.js';

const RESULTS_FILE = fileURLToPath(new URL('../../../bench/results/apiserver-store.json', import.meta.url));
const WRITE_SECONDS = 2;
const WATCHERS = 10;
const LIVE_WATCH_EVENTS = 20_000;
const MEMORY_SIZES = [10_000, 50_000];

function base64(bytes: number): string {
  return randomBytes(bytes).toString('base64');
}

/** A kubernetes.io/tls Secret as cert-manager writes it: ~3 KiB of JSON. */
function tlsSecret(namespace: string, name: string): KubeObject {
  return tlsSecretFor(namespace, name, name, { 'tls.crt': base64(900), 'tls.key': base64(900), 'ca.crt': base64(450) });
}

function secretKey(namespace: string, name: string): string {
  return `/core/secrets/${namespace}/${name}`;
}

async function withStore<T>(use: (store: Store, dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), 'certwright-bench-store-'));
  const store = await openStore({ dataDir });
  try {
    return await use(store, dataDir);
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

let nextSecretNumber = 0;

/** `writers` loops each creating Secrets back to back until `seconds` pass (or `total` writes are done). */
async function runWriters(store: Store, writers: number, limits: { seconds?: number; total?: number }): Promise<{ writes: number; seconds: number }> {
  const started = performance.now();
  const deadline = started + (limits.seconds ?? Infinity) * 1000;
  let issued = 0;
  const loop = async (writer: number): Promise<void> => {
    while (performance.now() < deadline && issued < (limits.total ?? Infinity)) {
      issued++;
      const namespace = `ns-${writer % 8}`;
      const name = `secret-${nextSecretNumber++}`;
      await store.create(secretKey(namespace, name), tlsSecret(namespace, name));
    }
  };
  await Promise.all(Array.from({ length: writers }, (_, writer) => loop(writer)));
  return { writes: issued, seconds: (performance.now() - started) / 1000 };
}

async function benchWrites(writers: number): Promise<number> {
  return withStore(async (store) => {
    const { writes, seconds } = await runWriters(store, writers, { seconds: WRITE_SECONDS });
    return writes / seconds;
  });
}

/** Watchers on overlapping prefixes, as informers for all Secrets, one namespace, and everything would be. */
function watchPrefix(index: number): string {
  return ['/', '/core/', '/core/secrets/', `/core/secrets/ns-${index % 8}/`][index % 4] as string;
}

/** What a watch stream does with an event: read the object's identity and take its JSON. */
function consumeEvent(event: StoreEvent): boolean {
  return event.object.metadata.name !== undefined && event.json.length > 0;
}

/** Live events to 10 watchers while 64 clients write: bounded by the durable commit rate. */
async function benchLiveWatch(): Promise<{ eventsPerSecond: number; deliveriesPerSecond: number }> {
  return withStore(async (store) => {
    let deliveries = 0;
    for (let i = 0; i < WATCHERS; i++) store.watch(watchPrefix(i), store.resourceVersion, (event) => consumeEvent(event) && deliveries++);
    const { writes, seconds } = await runWriters(store, 64, { total: LIVE_WATCH_EVENTS });
    return { eventsPerSecond: Math.round(writes / seconds), deliveriesPerSecond: Math.round(deliveries / seconds) };
  });
}

/** The delivery path alone, without the WAL: committed events published to 10 watchers on overlapping prefixes. */
function benchFanOut(): { eventsPerSecond: number; deliveriesPerSecond: number } {
  const registry = new WatcherRegistry();
  let deliveries = 0;
  for (let i = 0; i < WATCHERS; i++) {
    const watcher = new Watcher(watchPrefix(i), (event) => consumeEvent(event) && deliveries++, 0, (_, error) => {
      throw error;
    });
    registry.add(watcher);
  }
  const events: CommittedEvent[] = Array.from({ length: LIVE_WATCH_EVENTS }, (_, i) => {
    const namespace = `ns-${i % 8}`;
    const name = `secret-${i}`;
    return { type: 'ADDED', key: secretKey(namespace, name), stored: { json: JSON.stringify(tlsSecret(namespace, name)), resourceVersion: i + 1 } };
  });
  const started = performance.now();
  for (const event of events) registry.publish(event);
  const seconds = (performance.now() - started) / 1000;
  return { eventsPerSecond: Math.round(events.length / seconds), deliveriesPerSecond: Math.round(deliveries / seconds) };
}

/** 10 watches started from an old resourceVersion, each replaying the retained window. */
async function benchCatchUpWatch(): Promise<{ deliveriesPerSecond: number }> {
  return withStore(async (store) => {
    await runWriters(store, 64, { total: 10_000 });
    let deliveries = 0;
    const started = performance.now();
    for (let i = 0; i < WATCHERS; i++) {
      store.watch('/core/secrets/', 0, (event) => {
        if (event.json.length > 0) deliveries++;
      }).stop();
    }
    return { deliveriesPerSecond: Math.round(deliveries / ((performance.now() - started) / 1000)) };
  });
}

interface MemoryPoint {
  objects: number;
  /** (RSS − RSS of an empty store) / objects − JSON bytes per object; includes fixed costs such as V8's young generation growing under write load (~32 MiB). */
  rssOverheadPerObject: number;
}

interface MemoryResult {
  jsonBytesPerObject: number;
  afterWrites: MemoryPoint[];
  /** RSS added per object between the first and the last point, minus its JSON: the cost of one more object, fixed costs cancelled out. */
  marginalOverheadPerObject: number;
  /** A new process opening the data dir written above (snapshot + WAL replay). */
  afterRestart: MemoryPoint & { openSeconds: number };
}

function forceGc(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('memory measurement needs node --expose-gc');
  return gc;
}

async function settledRss(): Promise<number> {
  const gc = forceGc();
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().rss;
}

/** RSS of this process with an empty store opened and closed, so code and buffers every store has are not counted per object. */
async function baselineRss(): Promise<number> {
  const emptyDir = await mkdtemp(join(tmpdir(), 'certwright-bench-memory-empty-'));
  await (await openStore({ dataDir: emptyDir })).close();
  await rm(emptyDir, { recursive: true, force: true });
  return settledRss();
}

/** Child process: writes MEMORY_SIZES objects into `dataDir`, measuring at each size. */
async function measureFill(dataDir: string): Promise<{ jsonBytesPerObject: number; rss: number[]; baseline: number }> {
  const baseline = await baselineRss();
  const store = await openStore({ dataDir });
  const rss: number[] = [];
  for (const objects of MEMORY_SIZES) {
    await runWriters(store, 64, { total: objects - store.list('/', { limit: 1 }).resourceVersion });
    rss.push(await settledRss());
  }
  const sample = store.list('/', { limit: 1000 }).items;
  const jsonBytesPerObject = sample.reduce((sum, item) => sum + Buffer.byteLength(JSON.stringify(item)), 0) / sample.length;
  await store.close();
  return { jsonBytesPerObject, rss, baseline };
}

/** Child process: reopens `dataDir`. */
async function measureReopen(dataDir: string): Promise<{ rss: number; baseline: number; openSeconds: number }> {
  const baseline = await baselineRss();
  const started = performance.now();
  const store = await openStore({ dataDir });
  const openSeconds = (performance.now() - started) / 1000;
  const rss = await settledRss();
  await store.close();
  return { rss, baseline, openSeconds };
}

async function inChild<T>(mode: string, dataDir: string): Promise<T> {
  const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), mode, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`memory measurement (${mode}) exited with ${code}`);
  return JSON.parse(output) as T;
}

async function benchMemory(): Promise<MemoryResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'certwright-bench-memory-'));
  try {
    const fill = await inChild<Awaited<ReturnType<typeof measureFill>>>('fill', dataDir);
    const reopen = await inChild<Awaited<ReturnType<typeof measureReopen>>>('reopen', dataDir);
    const json = fill.jsonBytesPerObject;
    const perObject = (rss: number, baseline: number, objects: number) => Math.round((rss - baseline) / objects - json);
    const first = MEMORY_SIZES[0] as number;
    const last = MEMORY_SIZES.at(-1) as number;
    return {
      jsonBytesPerObject: Math.round(json),
      afterWrites: MEMORY_SIZES.map((objects, i) => ({ objects, rssOverheadPerObject: perObject(fill.rss[i] as number, fill.baseline, objects) })),
      marginalOverheadPerObject: Math.round(((fill.rss.at(-1) as number) - (fill.rss[0] as number)) / (last - first) - json),
      afterRestart: { objects: last, rssOverheadPerObject: perObject(reopen.rss, reopen.baseline, last), openSeconds: Number(reopen.openSeconds.toFixed(2)) },
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const writes: Record<string, number> = {};
  for (const writers of [1, 16, 64]) writes[`${writers}`] = Math.round(await benchWrites(writers));
  const live = await benchLiveWatch();
  const fanOut = benchFanOut();
  const catchUp = await benchCatchUpWatch();
  const memory = await benchMemory();

  const rows: [string, string, string][] = [
    ...Object.entries(writes).map(([writers, perSecond]): [string, string, string] => [`durable writes/s, ${writers} writer(s)`, `${perSecond}`, '≥ 5,000 (concurrent)']),
    [`watch: events/s, each to ${WATCHERS} watchers, 64 writers`, `${live.eventsPerSecond}`, ''],
    [`  deliveries/s`, `${live.deliveriesPerSecond}`, ''],
    [`watch fan-out alone: events/s, each to ${WATCHERS} watchers`, `${fanOut.eventsPerSecond}`, '≥ 50,000'],
    [`  deliveries/s`, `${fanOut.deliveriesPerSecond}`, ''],
    [`watch: deliveries/s to ${WATCHERS} watchers (catch-up)`, `${catchUp.deliveriesPerSecond}`, '≥ 50,000'],
    ...memory.afterWrites.map((point): [string, string, string] => [
      `RSS bytes/object beyond JSON (${memory.jsonBytesPerObject} B), ${point.objects} objects`,
      `${point.rssOverheadPerObject}`,
      point.objects === 50_000 ? '≤ 2,048' : '',
    ]),
    [`RSS bytes/object beyond JSON, marginal ${MEMORY_SIZES.join('→')}`, `${memory.marginalOverheadPerObject}`, ''],
    [`RSS bytes/object beyond JSON, ${memory.afterRestart.objects} objects, after restart`, `${memory.afterRestart.rssOverheadPerObject}`, '≤ 2,048'],
    [`restart (open) with ${memory.afterRestart.objects} objects, seconds`, `${memory.afterRestart.openSeconds}`, ''],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value, target] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(9)}  ${target}`);

  const results = {
    node: process.version,
    cpus: (await import('node:os')).cpus().length,
    durableWritesPerSecond: writes,
    watch: { watchers: WATCHERS, live, fanOut, catchUp },
    memory,
  };
  await mkdir(join(RESULTS_FILE, '..'), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${RESULTS_FILE}`);
}

const [mode, dataDir] = process.argv.slice(2);
if (mode === 'fill' && dataDir) process.stdout.write(JSON.stringify(await measureFill(dataDir)));
else if (mode === 'reopen' && dataDir) process.stdout.write(JSON.stringify(await measureReopen(dataDir)));
else await main();

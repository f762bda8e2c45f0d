/**
 * Where the controller's time and memory went, from `node --cpu-prof` (self time per sampled
 * frame) and `node --heap-prof` (bytes still live when the profile was written, by the frame that
 * allocated them): totals per function and per source file, heaviest first — the "top costs" to
 * report when a goal is missed.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

/** The parts of V8's `.cpuprofile` this reads. */
export interface CpuProfile {
  /** µs on the system's monotonic clock (the one `process.hrtime` reads in every process). */
  startTime: number;
  nodes: Array<{ id: number; callFrame: CallFrame }>;
  samples: number[];
  /** µs since the previous sample, one per sample. */
  timeDeltas: number[];
}

/** The parts of V8's `.heapprofile` (sampling heap profiler) this reads. */
export interface HeapProfileNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapProfileNode[];
}
export interface HeapProfile {
  head: HeapProfileNode;
}

export interface CostLine {
  /** `function (file:line)` or a file path. */
  what: string;
  /** In the summary's unit. */
  amount: number;
  /** Share of the total, in percent. */
  percent: number;
}

export interface ProfileSummary {
  unit: 'ms' | 'MiB';
  total: number;
  topFunctions: CostLine[];
  topFiles: CostLine[];
}

/** `file:///…/dist-x/controller/a.js` → `controller/a.js`; dependencies keep `node_modules/…`, node internals their `node:` name. */
function shortUrl(url: string): string {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const dependency = path.lastIndexOf('/node_modules/');
  if (dependency >= 0) return path.slice(dependency + 1);
  return /\/dist[^/]*\/(.+)$/.exec(path)?.[1] ?? path;
}

/** Sums amounts per function and per file. */
class CostTable {
  #byFunction = new Map<string, number>();
  #byFile = new Map<string, number>();
  #total = 0;

  add(frame: CallFrame, amount: number): void {
    if (amount <= 0) return;
    this.#total += amount;
    const file = shortUrl(frame.url);
    const fn = frame.url ? `${frame.functionName || '(anonymous)'} (${file}:${frame.lineNumber + 1})` : frame.functionName;
    this.#byFunction.set(fn, (this.#byFunction.get(fn) ?? 0) + amount);
    this.#byFile.set(file, (this.#byFile.get(file) ?? 0) + amount);
  }

  summary(unit: ProfileSummary['unit'], perUnit: number, count: number): ProfileSummary {
    const top = (costs: Map<string, number>) =>
      [...costs]
        .sort((a, b) => b[1] - a[1])
        .slice(0, count)
        .map(([what, amount]) => ({ what, amount: Math.round((amount / perUnit) * 10) / 10, percent: Math.round((amount / (this.#total || 1)) * 1000) / 10 }));
    return { unit, total: Math.round((this.#total / perUnit) * 10) / 10, topFunctions: top(this.#byFunction), topFiles: top(this.#byFile) };
  }
}

/** A stretch of time on the monotonic clock, in µs (see `monotonicMicroseconds`). */
export interface TimeWindow {
  fromUs: number;
  toUs: number;
}

/** Now on the clock V8 stamps profiles with, so a profile of another process can be cut to a phase. */
export function monotonicMicroseconds(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Self time per frame, of the samples inside `window` when given. */
export function summarizeCpuProfile(profile: CpuProfile, count = 15, window?: TimeWindow): ProfileSummary {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const table = new CostTable();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    const frame = frames.get(id);
    if (frame && (!window || (at >= window.fromUs && at < window.toUs))) table.add(frame, delta);
  });
  return table.summary('ms', 1000, count);
}

export function summarizeHeapProfile(profile: HeapProfile, count = 15): ProfileSummary {
  const table = new CostTable();
  const pending = [profile.head];
  for (let node = pending.pop(); node; node = pending.pop()) {
    table.add(node.callFrame, node.selfSize);
    pending.push(...node.children);
  }
  return table.summary('MiB', 1024 * 1024, count);
}

/**
 * Summaries of every `.cpuprofile` and `.heapprofile` in `dir`, by file name; a CPU profile with
 * `phases` (file name → phase name → window) is summarised per phase, as `file (phase)`.
 */
export async function summarizeProfilesIn(
  dir: string,
  phases: Record<string, Record<string, TimeWindow>> = {},
  count?: number,
): Promise<Record<string, ProfileSummary>> {
  const files = (await readdir(dir).catch(() => [] as string[])).sort();
  const summaries: Record<string, ProfileSummary> = {};
  for (const file of files) {
    const read = async () => JSON.parse(await readFile(join(dir, file), 'utf8')) as unknown;
    if (file.endsWith('.heapprofile')) summaries[file] = summarizeHeapProfile((await read()) as HeapProfile, count);
    if (!file.endsWith('.cpuprofile')) continue;
    const profile = (await read()) as CpuProfile;
    const windows = Object.entries(phases[file] ?? {});
    if (windows.length === 0) summaries[file] = summarizeCpuProfile(profile, count);
    for (const [phase, window] of windows) summaries[`${file} (${phase})`] = summarizeCpuProfile(profile, count, window);
  }
  return summaries;
}

/**
 * Where a `node --cpu-prof` profile of the controller spent its time: self time per function and
 * per source file, heaviest first — the "top costs" to report when a goal is missed.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The parts of V8's `.cpuprofile` (Chrome DevTools Profile) this reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  /** µs since the previous sample, one per sample. */
  timeDeltas: number[];
}

export interface CostLine {
  /** `function (file:line)` or a file path. */
  what: string;
  selfMs: number;
  /** Share of all sampled time, in percent. */
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
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

function top(costs: Map<string, number>, totalUs: number, count: number): CostLine[] {
  return [...costs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([what, us]) => ({ what, selfMs: Math.round(us / 100) / 10, percent: Math.round((us / totalUs) * 1000) / 10 }));
}

export function summarizeCpuProfile(profile: CpuProfile, count = 15): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!frame || us <= 0) return;
    totalUs += us;
    const file = shortUrl(frame.url);
    const fn = frame.url ? `${frame.functionName || '(anonymous)'} (${file}:${frame.lineNumber + 1})` : frame.functionName;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  });
  return { totalMs: Math.round(totalUs / 1000), topFunctions: top(byFunction, totalUs || 1, count), topFiles: top(byFile, totalUs || 1, count) };
}

/** Summaries of every `.cpuprofile` in `dir`, by file name. */
export async function summarizeProfilesIn(dir: string, count?: number): Promise<Record<string, ProfileSummary>> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.cpuprofile')).sort();
  const summaries: Record<string, ProfileSummary> = {};
  for (const file of files) summaries[file] = summarizeCpuProfile(JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile, count);
  return summaries;
}

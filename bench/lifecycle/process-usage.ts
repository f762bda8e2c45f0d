/**
 * CPU time and memory of another process, read from /proc as `top` does, so the controller is
 * measured alone and without asking it anything (a /metrics scrape at 10k Certificates costs the
 * controller ~100 ms of CPU itself).
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export interface ProcessUsage {
  /** user + system CPU seconds since the process started, all threads (libuv's crypto pool too). */
  cpuSeconds: number;
  /** Resident set size now (VmRSS). */
  rssBytes: number;
  /** Largest resident set size so far (VmHWM). */
  peakRssBytes: number;
}

/** utime + stime (fields 14 and 15 of /proc/<pid>/stat) in seconds; the command name may hold spaces and parentheses. */
export function parseProcStatCpuSeconds(stat: string, clockTicksPerSecond: number): number {
  const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // afterName[0] is field 3 (state), so field n is afterName[n - 3].
  const utime = Number(afterName[11]);
  const stime = Number(afterName[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unexpected /proc/<pid>/stat format: ${JSON.stringify(stat.slice(0, 120))}`);
  return (utime + stime) / clockTicksPerSecond;
}

/** A `Name:   1234 kB` line of /proc/<pid>/status, in bytes. */
export function parseProcStatusBytes(status: string, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!m) throw new Error(`/proc/<pid>/status has no ${field} line`);
  return Number(m[1]) * 1024;
}

let clockTicks: number | undefined;

/** USER_HZ, the unit of /proc/<pid>/stat times (100 on every Linux we run on, but asked, not assumed). */
function clockTicksPerSecond(): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return clockTicks;
}

export async function readProcessUsage(pid: number): Promise<ProcessUsage> {
  const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
  return {
    cpuSeconds: parseProcStatCpuSeconds(stat, clockTicksPerSecond()),
    rssBytes: parseProcStatusBytes(status, 'VmRSS'),
    peakRssBytes: parseProcStatusBytes(status, 'VmHWM'),
  };
}

/** What every benchmark result records about the machine it ran on, and how results are written. */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname } from 'node:path';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  node: string;
  memoryBytes: number;
  /** 1-minute load average at the start and at the end: other work on the machine only ever adds time. */
  loadAverage: { start: number; end: number };
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** The 1-minute load average now. */
export function oneMinuteLoad(): number {
  return round(loadavg()[0]!);
}

export function machineInfo(loadAtStart: number): MachineInfo {
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? '',
    node: process.version,
    memoryBytes: totalmem(),
    loadAverage: { start: loadAtStart, end: oneMinuteLoad() },
  };
}

/** How a report's first line names the machine: `2 × AMD EPYC, node v20.20.2, load average 0.5 → 1.2`. */
export function machineLine(m: Pick<MachineInfo, 'nproc' | 'cpuModel' | 'node' | 'loadAverage'>): string {
  return `${m.nproc} × ${m.cpuModel}, node ${m.node}, load average ${m.loadAverage.start} → ${m.loadAverage.end}`;
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** `path` relative to the working directory when it lies under it, else as it is. */
export function underCwd(path: string): string {
  return path.startsWith(`${process.cwd()}/`) ? path.slice(process.cwd().length + 1) : path;
}

/** `node <script> <args>` relative to the working directory, as the result's `command`. */
export function commandLine(args: readonly string[]): string {
  return ['node', underCwd(process.argv[1] ?? ''), ...args].join(' ');
}

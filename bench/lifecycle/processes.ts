/**
 * The API server and the controller as separate processes of the `certwright` CLI (as a user runs
 * them), so each one's CPU and memory can be read alone. Their output goes to log files in the data
 * directory; the lines that mark progress are picked out as they arrive.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The `certwright` CLI of this build (this file is `<outDir>/bench/lifecycle/processes.js`). */
export const CLI_PATH = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

const STDERR_TAIL_BYTES = 4096;
const STOP_GRACE_MS = 60_000;

type LineListener = (line: string) => void;

export class CliProcess {
  readonly pid: number;
  /** performance.now() at spawn. */
  readonly spawnedAt: number;
  readonly exited: Promise<number | null>;
  #child: ChildProcessByStdio<null, Readable, Readable>;
  #log: WriteStream;
  #listeners = new Set<LineListener>();
  #stderrTail = '';
  #exitCode: number | null | undefined;

  constructor(nodeArgs: readonly string[], cliArgs: readonly string[], logPath: string) {
    this.#log = createWriteStream(logPath, { flags: 'a' });
    this.spawnedAt = performance.now();
    this.#child = spawn(process.execPath, [...nodeArgs, CLI_PATH, ...cliArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    if (this.#child.pid === undefined) throw new Error(`could not start certwright ${cliArgs[0]}`);
    this.pid = this.#child.pid;
    createInterface({ input: this.#child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      this.#log.write(`${line}\n`);
      for (const listener of this.#listeners) listener(line);
    });
    this.#child.stderr.on('data', (chunk: Buffer) => {
      this.#log.write(chunk);
      this.#stderrTail = (this.#stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    this.exited = new Promise((resolve) =>
      this.#child.once('exit', (code) => {
        this.#exitCode = code;
        resolve(code);
      }),
    );
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  onLine(listener: LineListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The first line from now on for which `match` returns a value; fails if the process exits first or `timeoutMs` passes. */
  waitForLine<T>(what: string, match: (line: string) => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = (settle: () => void) => {
        clearTimeout(timer);
        unsubscribe();
        settle();
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${what}: not seen within ${timeoutMs / 1000} s${this.#stderrHint()}`))), timeoutMs);
      const unsubscribe = this.onLine((line) => {
        const value = match(line);
        if (value !== undefined) done(() => resolve(value));
      });
      void this.exited.then((code) => done(() => reject(new Error(`${what}: process exited with code ${code} first${this.#stderrHint()}`))));
    });
  }

  /** SIGTERM (a clean shutdown, which also writes a --cpu-prof profile), SIGKILL if that hangs. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
    await new Promise<void>((resolve) => this.#log.end(resolve));
  }

  #stderrHint(): string {
    const tail = this.#stderrTail.trim();
    return tail ? `; stderr: ${tail}` : '';
  }
}

export interface ApiServerProcess {
  process: CliProcess;
  url: string;
  kubeconfigPath: string;
}

export async function startApiServerProcess(dataDir: string, logPath: string): Promise<ApiServerProcess> {
  const child = new CliProcess([], ['apiserver', '--data-dir', dataDir], logPath);
  const url = await child.waitForLine('API server start', (line) => /listening on (https:\/\/\S+)/.exec(line)?.[1], 60_000);
  return { process: child, url, kubeconfigPath: `${dataDir}/kubeconfig` };
}

interface LogLine {
  /** pino's label (`warn`) as certwright logs it, or its number (40). */
  level?: string | number;
  msg?: string;
  metrics?: string;
  /** On "controllers started": Certificates with a wake-up armed. */
  timersArmed?: number;
}

function parseLogLine(line: string): LogLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return undefined;
  }
}

const WARNING_LEVELS = new Set<string | number>(['warn', 'error', 'fatal', 40, 50, 60]);

export interface ControllerProcess {
  process: CliProcess;
  /**
   * ms from spawn to the manager's "controllers started" line: every informer has listed and its
   * add handlers have run, and the Certificate controller arms each renewal timer from
   * status.renewalTime in its add handler — so this is "all timers armed". It is the process's
   * first line, so pino's asynchronous stdout cannot hold it back behind an earlier write.
   */
  timersArmedMs: Promise<number>;
  /** How many Certificates had a wake-up armed, as that line says. */
  timersArmed: Promise<number>;
  /**
   * From the "certwright is running" line, which can arrive seconds late: it is written right
   * after the first one, while a busy event loop (10k Certificates to reconcile) delays the
   * completion of that first write.
   */
  metricsUrl: Promise<string>;
  /** Log lines at warn or above so far (sync failures, conflicts that failed, …). */
  warnings(): number;
}

export interface ControllerProcessOptions {
  kubeconfigPath: string;
  logPath: string;
  /** e.g. `--cpu-prof --cpu-prof-dir DIR`. */
  nodeArgs?: readonly string[];
  /** More `certwright run` flags, e.g. `--kube-api-qps 5000`. */
  runArgs?: readonly string[];
}

/** Spawns `certwright run`; what it reports arrives through the promises (which reject if it exits first). */
export function startControllerProcess(options: ControllerProcessOptions): ControllerProcess {
  const child = new CliProcess(
    options.nodeArgs ?? [],
    ['run', '--kubeconfig', options.kubeconfigPath, '--metrics-address', '127.0.0.1:0', '--health-address', '', ...(options.runArgs ?? [])],
    options.logPath,
  );
  let warnings = 0;
  child.onLine((line) => {
    if (WARNING_LEVELS.has(parseLogLine(line)?.level ?? '')) warnings++;
  });
  const started = child.waitForLine('controller start', (line) => {
    const log = parseLogLine(line);
    return log?.msg === 'controllers started' ? { atMs: performance.now() - child.spawnedAt, timersArmed: log.timersArmed ?? 0 } : undefined;
  }, 300_000);
  const timersArmedMs = started.then((s) => s.atMs);
  const timersArmed = started.then((s) => s.timersArmed);
  const metricsUrl = child
    .waitForLine('controller metrics address', (line) => {
      const log = parseLogLine(line);
      return log?.msg === 'certwright is running' ? (log.metrics ?? '') : undefined;
    }, 300_000)
    .then((url) => {
      if (!url) throw new Error('the controller runs without a metrics server; the benchmark needs one');
      return url;
    });
  // Callers await these when they need them; a process that dies early must not also crash the
  // benchmark with an unhandled rejection of the one not awaited yet.
  timersArmedMs.catch(() => {});
  timersArmed.catch(() => {});
  metricsUrl.catch(() => {});
  return { process: child, timersArmedMs, timersArmed, metricsUrl, warnings: () => warnings };
}

/**
 * An external server the tests run as a child process (pebble, named): the tail of its output for
 * failure messages, a wait until it serves, and a stop by pid that also removes its work directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';

const OUTPUT_TAIL_CHARS = 8000;

export interface Daemon {
  child: ChildProcess;
  /** stdout+stderr tail. */
  output(): string;
  /**
   * Polls `probe` every 50 ms until it resolves to something other than false; fails, with the
   * output, if the daemon exits first or `timeoutMs` passes (the last probe error as the cause).
   */
  waitUntilServing(probe: () => Promise<unknown>, timeoutMs: number): Promise<void>;
  /** SIGTERM (unless it already exited), then removes `dir`. */
  stop(): Promise<void>;
}

export function startDaemon(name: string, path: string, args: string[], options: { dir: string; env?: NodeJS.ProcessEnv }): Daemon {
  const child = spawn(path, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    async waitUntilServing(probe, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${output}`);
        let cause: unknown;
        try {
          if ((await probe()) !== false) return;
        } catch (err) {
          cause = err;
        }
        if (Date.now() > deadline) throw new Error(`${name} did not serve within ${timeoutMs / 1000} s: ${output}`, { cause });
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(options.dir, { recursive: true, force: true });
    },
  };
}

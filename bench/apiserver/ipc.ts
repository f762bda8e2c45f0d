/**
 * The benchmark's processes (the API server, the writers, the watchers) are children driven over
 * Node's IPC channel: the parent calls a named command and awaits its result, so each one's CPU
 * can be read alone and the load never runs on the server's event loop.
 */
import { fork, type ChildProcess } from 'node:child_process';

type Handler = (args: never) => unknown;

interface Call {
  id: number;
  command: string;
  args: unknown;
}

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

/** In a child: answers the parent's calls; after `stop` answers, the IPC channel closes so the process can exit. */
export function serveCommands(handlers: Record<string, Handler>): void {
  process.on('message', (message: Call) => {
    void (async () => {
      const handler = handlers[message.command];
      let reply: Reply;
      try {
        if (!handler) throw new Error(`unknown command ${message.command}`);
        reply = { id: message.id, result: (await handler(message.args as never)) ?? null };
      } catch (e) {
        reply = { id: message.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
      }
      process.send!(reply, undefined, {}, () => {
        if (message.command === 'stop') process.disconnect();
      });
    })();
  });
}

export class BenchChild {
  readonly exited: Promise<number | null>;
  #child: ChildProcess;
  #nextId = 0;
  #pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  constructor(
    readonly name: string,
    modulePath: string,
    nodeArgs: readonly string[] = [],
  ) {
    this.#child = fork(modulePath, [], { execArgv: [...nodeArgs], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (reply: Reply) => {
      const call = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (reply.error !== undefined) call?.reject(new Error(`${name}: ${reply.error}`));
      else call?.resolve(reply.result);
    });
    this.exited = new Promise((resolve) =>
      this.#child.once('exit', (code) => {
        for (const call of this.#pending.values()) call.reject(new Error(`${name} exited with code ${code}`));
        this.#pending.clear();
        resolve(code);
      }),
    );
  }

  get pid(): number {
    return this.#child.pid!;
  }

  call<T>(command: string, args: unknown = null): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.send({ id, command, args } satisfies Call);
    });
  }

  /** Asks the child to stop (it closes what it opened and exits by itself), killing it if it lingers. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    await this.call('stop').catch(() => undefined);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 60_000);
    await this.exited;
    clearTimeout(timer);
  }
}

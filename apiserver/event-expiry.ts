import { ApiError } from './errors.js';
import { storagePrefix } from './metadata.js';
import { internalContext, type ObjectService } from './objects.js';
import type { KubeObject, UserInfo } from './admission.js';
import type { ResourceType } from './resources.js';

const apiserverUser: UserInfo = { username: 'system:apiserver', uid: 'system:apiserver', groups: ['system:masters'] };

/** kube-apiserver's `--event-ttl` default. */
export const defaultEventTtlSeconds = 3600;

function lastSeen(o: KubeObject): number {
  const series = o.series as { lastObservedTime?: string } | undefined;
  const times = [series?.lastObservedTime, o.lastTimestamp, o.eventTime, o.metadata.creationTimestamp].map((t) => (typeof t === 'string' ? Date.parse(t) : NaN));
  return Math.max(0, ...times.filter((t) => !Number.isNaN(t)));
}

/**
 * Events expire a TTL after their last write, as kube's do (an etcd lease per write), so a
 * long-running local server's store does not grow with every event a controller records.
 */
export class EventExpiry {
  private readonly expiresAt = new Map<string, number>();
  private watch: { stop(): void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private readonly events: ResourceType;
  private readonly prefix: string;

  constructor(
    private readonly objects: ObjectService,
    private readonly ttlMs: number,
    private readonly onError: (error: Error) => void,
  ) {
    this.events = objects.registry.lookup('', 'v1', 'events')!;
    this.prefix = storagePrefix(this.events.storage, undefined);
  }

  start(): void {
    const snapshot = this.objects.store.list(this.prefix);
    for (const o of snapshot.items) this.expiresAt.set(`${this.prefix}${o.metadata.namespace}/${o.metadata.name}`, lastSeen(o) + this.ttlMs);
    this.watch = this.objects.store.watch(this.prefix, snapshot.resourceVersion, (e) => {
      if (e.type === 'DELETED') this.expiresAt.delete(e.key);
      else this.expiresAt.set(e.key, Date.now() + this.ttlMs);
    });
    this.timer = setInterval(() => (this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined))), Math.min(60_000, Math.max(100, this.ttlMs / 10)));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.watch?.stop();
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const [key, expiry] of this.expiresAt) {
      if (expiry > now) continue;
      const [namespace, name] = key.slice(this.prefix.length).split('/') as [string, string];
      try {
        await this.objects.delete(this.events, namespace, name, {}, internalContext(apiserverUser));
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) this.onError(e instanceof Error ? e : new Error(String(e)));
      }
      this.expiresAt.delete(key);
    }
  }
}

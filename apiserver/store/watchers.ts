import type { KubeObject } from '../admission.js';
import type { CommittedEvent } from './history.js';
import { deepFreeze } from './stored-object.js';
import type { StoreEvent } from './types.js';

/** One event as handed to watchers: parsed at most once, then shared (frozen) by all of them. */
class SharedStoreEvent implements StoreEvent {
  private parsed: KubeObject | undefined;

  constructor(private readonly event: CommittedEvent) {}

  get type() {
    return this.event.type;
  }
  get key() {
    return this.event.key;
  }
  get resourceVersion() {
    return this.event.stored.resourceVersion;
  }
  get json() {
    return this.event.stored.json;
  }
  get object(): KubeObject {
    this.parsed ??= deepFreeze(JSON.parse(this.event.stored.json) as KubeObject);
    return this.parsed;
  }
  toJSON() {
    return { type: this.type, key: this.key, resourceVersion: this.resourceVersion, object: this.object };
  }
}

export class Watcher {
  /** Guards against a second delivery when a watch starts while its first events are being published. */
  private lastDelivered: number;
  stopped = false;

  constructor(
    readonly prefix: string,
    private readonly onEvent: (event: StoreEvent) => void,
    deliveredThrough: number,
    private readonly onError: (watcher: Watcher, error: unknown) => void,
  ) {
    this.lastDelivered = deliveredThrough;
  }

  wants(event: CommittedEvent): boolean {
    return !this.stopped && event.stored.resourceVersion > this.lastDelivered;
  }

  deliver(event: CommittedEvent, shared: StoreEvent = new SharedStoreEvent(event)): void {
    this.lastDelivered = event.stored.resourceVersion;
    try {
      this.onEvent(shared);
    } catch (error) {
      this.onError(this, error);
    }
  }
}

/**
 * Watchers grouped by prefix: a commit tests each distinct prefix once (there are few: one per
 * resource type or namespace being watched), however many watchers share it.
 */
export class WatcherRegistry {
  private readonly byPrefix = new Map<string, Set<Watcher>>();

  add(watcher: Watcher): void {
    let group = this.byPrefix.get(watcher.prefix);
    if (!group) this.byPrefix.set(watcher.prefix, (group = new Set()));
    group.add(watcher);
  }

  remove(watcher: Watcher): void {
    watcher.stopped = true;
    const group = this.byPrefix.get(watcher.prefix);
    if (group?.delete(watcher) && group.size === 0) this.byPrefix.delete(watcher.prefix);
  }

  publish(event: CommittedEvent): void {
    let shared: StoreEvent | undefined;
    for (const [prefix, group] of this.byPrefix) {
      if (!event.key.startsWith(prefix)) continue;
      for (const watcher of group) {
        if (!watcher.wants(event)) continue;
        shared ??= new SharedStoreEvent(event);
        watcher.deliver(event, shared);
      }
    }
  }

  clear(): void {
    for (const group of this.byPrefix.values()) for (const watcher of group) watcher.stopped = true;
    this.byPrefix.clear();
  }
}

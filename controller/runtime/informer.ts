/**
 * List+watch informers with an indexed cache.
 *
 * Why not client-node's `makeInformer`/`ListWatch` (1.4, dist/cache.js): after any watch error other
 * than 410 it emits `error` and stops for good (the caller has to restart it, with no backoff of its
 * own); it never asks for bookmarks, so a quiet resource's resourceVersion ages until every
 * reconnect is a 410 and a full relist; its cache is namespace/name only (no owner or label
 * indexes); and update handlers get no old object. This is the thin loop over our client's list
 * and watch that does those things.
 */
import type { KubeObject } from '../../apiserver/admission.js';
import { isGone } from './api-error.js';
import { backoffDelay, checkBackoff, type ExponentialBackoff } from './backoff.js';
import type { KubeClient, ListerWatcher, WatchEvent, WatchStream } from './client.js';
import { keyOf, objectKey, type ObjectRef } from './keys.js';
import type { ResourceType } from './resources.js';
import { IndexedStore, type IndexFunc } from './store.js';
import type { TimerQueue } from './timers.js';

export interface EventHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(old: T, obj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions<T extends KubeObject> {
  source: ListerWatcher<T>;
  /** Reconnect backoff goes through the shared timer queue (and its clock). */
  timers: TimerQueue;
  indexers?: Record<string, IndexFunc<T>>;
  /** Reconnect backoff after list/watch failures; reset once a watch is healthy again. */
  backoff?: ExponentialBackoff;
  /** List/watch failures (the informer keeps retrying) and throwing handlers. */
  onError?: (err: unknown) => void;
  /** Server-side watch lifetime; default a random 5–10 min like client-go, so watches don't expire together. */
  watchTimeoutSeconds?: () => number;
  /**
   * client-go's SetTransform: applied to every listed or watched object before it is cached or
   * handed to handlers, to keep only what readers need (the cache's size is the controller's).
   * It must return a new object or the one given, never change another version.
   */
  transform?: (obj: T) => T;
}

export const INFORMER_BACKOFF: ExponentialBackoff = { baseMs: 800, maxMs: 30_000 };

/** A watch that ends with no events sooner than this counts as a failure (and backs off). */
const MIN_HEALTHY_WATCH_MS = 1_000;

const randomWatchTimeout = () => 300 + Math.floor(Math.random() * 300);

export class Informer<T extends KubeObject> {
  readonly store: IndexedStore<T>;
  #source: ListerWatcher<T>;
  #timers: TimerQueue;
  #backoff: ExponentialBackoff;
  #onError: (err: unknown) => void;
  #watchTimeoutSeconds: () => number;
  #transform: (obj: T) => T;
  #handlers: EventHandler<T>[] = [];
  #resourceVersion = '';
  #synced = false;
  #syncWaiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  #stopped = false;
  #running: Promise<void> | undefined;
  #watch: WatchStream | undefined;
  /** Aborts backoff sleeps and a list in flight when the informer stops. */
  #stopping = new AbortController();

  constructor(options: InformerOptions<T>) {
    this.#source = options.source;
    this.#timers = options.timers;
    this.#backoff = options.backoff ?? INFORMER_BACKOFF;
    checkBackoff(this.#backoff);
    this.#onError = options.onError ?? (() => {});
    this.#watchTimeoutSeconds = options.watchTimeoutSeconds ?? randomWatchTimeout;
    this.#transform = options.transform ?? ((obj) => obj);
    this.store = new IndexedStore<T>(options.indexers);
  }

  /** The resourceVersion the cache is current to. */
  get resourceVersion(): string {
    return this.#resourceVersion;
  }

  /** Handlers added after the first sync get an `onAdd` for everything already cached. */
  addEventHandler(handler: EventHandler<T>): void {
    this.#handlers.push(handler);
    if (this.#synced) for (const obj of this.store.list()) this.#call(handler, 'onAdd', obj);
  }

  start(): void {
    if (this.#stopped) throw new Error(`informer for ${this.#source.description} was stopped; make a new one`);
    this.#running ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watch?.stop();
    this.#stopping.abort();
    this.#syncWaiters.splice(0).forEach((w) => w.reject(new Error(`informer for ${this.#source.description} stopped before it synced`)));
    await this.#running;
  }

  /** True once the first list has been cached and its handlers called. */
  hasSynced(): boolean {
    return this.#synced;
  }

  waitForSync(): Promise<void> {
    if (this.#synced) return Promise.resolve();
    if (this.#stopped) return Promise.reject(new Error(`informer for ${this.#source.description} is stopped`));
    return new Promise((resolve, reject) => this.#syncWaiters.push({ resolve, reject }));
  }

  get(ref: ObjectRef): T | undefined {
    return this.store.get(keyOf(ref));
  }

  list(namespace?: string): T[] {
    const all = this.store.list();
    return namespace === undefined ? all : all.filter((obj) => (obj.metadata.namespace ?? '') === namespace);
  }

  byIndex(indexName: string, value: string): T[] {
    return this.store.byIndex(indexName, value);
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      let healthyWatch = false;
      try {
        if (!this.#resourceVersion) await this.#relist();
        if (this.#stopped) return;
        const outcome = await this.#watchOnce();
        // A failed watch counts as healthy only if it delivered events: one that was slow to fail is no proof of a working stream.
        healthyWatch = outcome.error === undefined ? outcome.events > 0 || outcome.livedMs >= MIN_HEALTHY_WATCH_MS : outcome.events > 0;
        if (outcome.error !== undefined) throw outcome.error;
        if (healthyWatch) failures = 0;
        else throw new Error(`watch of ${this.#source.description} closed at once without events`);
      } catch (err) {
        if (this.#stopped) return;
        // 410: our resourceVersion is older than the server's history; start over from a list.
        if (isGone(err)) this.#resourceVersion = '';
        else this.#onError(err);
        // A watch cut off (or expired) after it delivered events was healthy: resume at once, as
        // client-go does. Counting those cuts as failures left the cache 30 s (the
        // backoff's cap) behind under a flaky connection, and the events of those 30 s unhandled.
        if (healthyWatch) failures = 0;
        const delayMs = healthyWatch || (isGone(err) && failures === 0) ? 0 : backoffDelay(this.#backoff, failures);
        if (!healthyWatch) failures++;
        if (delayMs > 0) await this.#timers.sleep(delayMs, this.#stopping.signal);
      }
    }
  }

  async #relist(): Promise<void> {
    const list = await this.#source.list(this.#stopping.signal);
    if (this.#stopped) return;
    const resourceVersion = list.metadata?.resourceVersion;
    if (!resourceVersion) throw new Error(`list of ${this.#source.description} returned no resourceVersion`);
    const diff = this.store.replace(list.items.map(this.#transform));
    this.#resourceVersion = resourceVersion;
    for (const obj of diff.added) this.#emit('onAdd', obj);
    for (const { old, obj } of diff.updated) this.#emit('onUpdate', old, obj);
    for (const obj of diff.deleted) this.#emit('onDelete', obj);
    if (!this.#synced) {
      this.#synced = true;
      this.#syncWaiters.splice(0).forEach((w) => w.resolve());
    }
  }

  /** Watches from the cached resourceVersion until the stream ends: how many events it delivered, how long it lived, and how it ended if it failed. */
  async #watchOnce(): Promise<{ events: number; livedMs: number; error?: unknown }> {
    const startedAt = this.#timers.clock.now();
    let events = 0;
    this.#watch = this.#source.watch(
      { resourceVersion: this.#resourceVersion, timeoutSeconds: this.#watchTimeoutSeconds() },
      (event) => {
        events++;
        this.#apply(event);
      },
    );
    let error: unknown;
    try {
      await this.#watch.done;
    } catch (err) {
      error = err ?? new Error(`watch of ${this.#source.description} failed`);
    } finally {
      this.#watch = undefined;
    }
    return { events, livedMs: this.#timers.clock.now() - startedAt, error };
  }

  #apply(event: WatchEvent<T>): void {
    if (this.#stopped) return;
    const obj = event.type === 'BOOKMARK' ? event.object : this.#transform(event.object);
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const old = this.store.upsert(obj);
        if (!old) this.#emit('onAdd', obj);
        else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.#emit('onUpdate', old, obj);
        break;
      }
      case 'DELETED':
        if (this.store.remove(objectKey(obj))) this.#emit('onDelete', obj);
        break;
      case 'BOOKMARK':
        break;
    }
    if (obj.metadata?.resourceVersion) this.#resourceVersion = obj.metadata.resourceVersion;
  }

  #emit(kind: 'onAdd' | 'onDelete', obj: T): void;
  #emit(kind: 'onUpdate', old: T, obj: T): void;
  #emit(kind: keyof EventHandler<T>, a: T, b?: T): void {
    for (const handler of this.#handlers) this.#call(handler, kind, a, b);
  }

  #call(handler: EventHandler<T>, kind: keyof EventHandler<T>, a: T, b?: T): void {
    try {
      if (kind === 'onUpdate') handler.onUpdate?.(a, b!);
      else handler[kind]?.(a);
    } catch (err) {
      this.#onError(err);
    }
  }
}

/**
 * Reads one object from an informer that caches only part of a kind (certwright caches just the
 * Secrets it owns), fetching anything the cache does not hold from the API.
 */
export async function getCachedOrFetch<T extends KubeObject>(
  informer: Informer<T>,
  client: KubeClient,
  type: ResourceType,
  ref: ObjectRef,
): Promise<T | undefined> {
  return informer.get(ref) ?? client.find<T>(type, ref);
}

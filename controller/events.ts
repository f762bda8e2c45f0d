/**
 * core/v1 Events, written the way client-go's recorder writes them: one Event per distinct
 * (object, type, reason, message), repeats counted on that Event (`count`, `lastTimestamp`) instead
 * of new objects, cluster-scoped objects' Events in `default`. Recording never blocks or fails a
 * reconcile: writes run in the background, after reconciles' own requests when `waitForTurn` says
 * so, from a bounded queue whose overflow is dropped and reported (client-go drops too: Events are
 * best effort, and a burst of issuances must not wait on them); errors go to `onError`.
 */
import { hostname } from 'node:os';
import type { KubeObject } from '../apiserver/admission.js';
import { rfc3339 } from '../apiserver/time.js';
import { redactSecrets } from './observability/log.js';
import { isNotFound } from './runtime/api-error.js';
import type { KubeClient } from './runtime/client.js';
import type { Clock } from './runtime/clock.js';
import { EVENTS } from './runtime/resources.js';

export type EventType = 'Normal' | 'Warning';

/** What controllers call; a reason is one of cert-manager's (`Issuing`, `ErrInitIssuer`, …). */
export interface EventRecorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface CoreEvent extends KubeObject {
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  type: EventType;
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  reportingComponent: string;
  reportingInstance: string;
}

export interface KubeEventRecorderOptions {
  client: KubeClient;
  clock: Clock;
  /** `source.component` and `reportingComponent`. */
  component?: string;
  /** Distinct events remembered for counting repeats (client-go keeps 4096). */
  maxTracked?: number;
  /** Event writes sent to the API at once; the rest wait their turn. */
  maxConcurrentWrites?: number;
  /** Events waiting beyond this are dropped, as client-go drops them when its queue is full. */
  maxQueued?: number;
  /** Resolves when a write may go; the manager passes the client's `whenQuiet`, so Events yield to reconciles. */
  waitForTurn?: () => Promise<void>;
  onError?: (err: unknown, event: { reason: string; object: string }) => void;
  /**
   * Called with the first event dropped once the queue is full, and again with the number dropped
   * (`dropped` > 0) when the queue has drained: one line per flood, not one per event.
   */
  onDropped?: (report: { first?: { reason: string; object: string }; dropped?: number }) => void;
}

/** Longer messages are cut (events.k8s.io caps `note` at 1 kB; core/v1 consumers expect short text). */
export const MAX_EVENT_MESSAGE_LENGTH = 1024;
const DEFAULT_MAX_TRACKED = 4096;
const DEFAULT_MAX_CONCURRENT_WRITES = 8;
const DEFAULT_MAX_QUEUED = 1000;

interface TrackedEvent {
  name: string;
  namespace: string;
  count: number;
}

/** Event text with any private key material removed and the length capped. */
export function safeEventMessage(message: string): string {
  const redacted = redactSecrets(message);
  return redacted.length <= MAX_EVENT_MESSAGE_LENGTH ? redacted : `${redacted.slice(0, MAX_EVENT_MESSAGE_LENGTH - 3)}...`;
}

/** Events of cluster-scoped objects live in `default`, as client-go puts them. */
export function eventNamespaceFor(obj: KubeObject): string {
  return obj.metadata.namespace || 'default';
}

export function involvedObjectOf(obj: KubeObject): ObjectReference {
  const { name, namespace, uid, resourceVersion } = obj.metadata;
  return { apiVersion: obj.apiVersion, kind: obj.kind, name, namespace, uid, resourceVersion };
}

export class KubeEventRecorder implements EventRecorder {
  readonly component: string;
  #client: KubeClient;
  #clock: Clock;
  #host = hostname();
  #maxTracked: number;
  #onError: NonNullable<KubeEventRecorderOptions['onError']>;
  /** Aggregation key → the Event that counts its repeats; oldest first (Map order) for eviction. */
  #tracked = new Map<string, TrackedEvent>();
  /** Writes for one key run in order, so count patches never race each other. */
  #pending = new Map<string, Promise<void>>();
  #seq = 0;
  #maxConcurrentWrites: number;
  #maxQueued: number;
  #writing = 0;
  #queued = 0;
  #writeSlots: Array<() => void> = [];
  #dropped = 0;
  /** Dropped since the queue last drained. */
  #droppedInFlood = 0;
  #waitForTurn: () => Promise<void>;
  #onDropped: NonNullable<KubeEventRecorderOptions['onDropped']>;

  constructor(options: KubeEventRecorderOptions) {
    this.#client = options.client;
    this.#clock = options.clock;
    this.component = options.component ?? 'certwright';
    this.#maxTracked = options.maxTracked ?? DEFAULT_MAX_TRACKED;
    this.#onError = options.onError ?? (() => {});
    this.#maxConcurrentWrites = options.maxConcurrentWrites ?? DEFAULT_MAX_CONCURRENT_WRITES;
    this.#maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
    this.#waitForTurn = options.waitForTurn ?? (() => Promise.resolve());
    this.#onDropped = options.onDropped ?? (() => {});
  }

  /** Events dropped because too many were waiting to be written. */
  get dropped(): number {
    return this.#dropped;
  }

  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const involvedObject = involvedObjectOf(obj);
    const text = safeEventMessage(message);
    const key = JSON.stringify([involvedObject.kind, involvedObject.namespace, involvedObject.name, involvedObject.uid, type, reason, text]);
    const at = rfc3339(new Date(this.#clock.now()));
    if (this.#queued >= this.#maxQueued) {
      // Events are best effort: under a flood, protecting the API server wins over completeness.
      this.#dropped++;
      if (this.#droppedInFlood++ === 0) this.#onDropped({ first: { reason, object: `${involvedObject.kind}/${involvedObject.name}` } });
      return;
    }
    this.#queued++;
    const previous = this.#pending.get(key) ?? Promise.resolve();
    const write = previous
      .then(() => this.#inWriteSlot(() => this.#write(key, { obj, involvedObject, type, reason, message: text, at })))
      .catch((err) => this.#onError(err, { reason, object: `${involvedObject.kind}/${involvedObject.name}` }))
      .finally(() => {
        this.#queued--;
        if (this.#pending.get(key) === write) this.#pending.delete(key);
        if (this.#queued === 0 && this.#droppedInFlood > 0) {
          this.#onDropped({ dropped: this.#droppedInFlood });
          this.#droppedInFlood = 0;
        }
      });
    this.#pending.set(key, write);
  }

  async #inWriteSlot(write: () => Promise<void>): Promise<void> {
    if (this.#writing >= this.#maxConcurrentWrites) await new Promise<void>((resolve) => this.#writeSlots.push(resolve));
    else this.#writing++;
    try {
      await this.#waitForTurn();
      await write();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.#writeSlots.shift();
      if (next) next();
      else this.#writing--;
    }
  }

  /** Resolves once every event recorded so far has been written (or failed). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending.values());
  }

  async #write(
    key: string,
    e: { obj: KubeObject; involvedObject: ObjectReference; type: EventType; reason: string; message: string; at: string },
  ): Promise<void> {
    const tracked = this.#tracked.get(key);
    if (tracked) {
      try {
        await this.#client.patch(EVENTS, { namespace: tracked.namespace, name: tracked.name }, { count: tracked.count + 1, lastTimestamp: e.at });
        tracked.count++;
        this.#touch(key, tracked);
        return;
      } catch (err) {
        // The Event expired (Kubernetes keeps them an hour) or was deleted: start a new one.
        if (!isNotFound(err)) throw err;
        this.#tracked.delete(key);
      }
    }
    const namespace = eventNamespaceFor(e.obj);
    const event: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: this.#eventName(e.involvedObject.name ?? 'object'), namespace },
      involvedObject: e.involvedObject,
      reason: e.reason,
      message: e.message,
      type: e.type,
      source: { component: this.component, host: this.#host },
      firstTimestamp: e.at,
      lastTimestamp: e.at,
      count: 1,
      reportingComponent: this.component,
      reportingInstance: this.#host,
    };
    await this.#client.create(EVENTS, event);
    this.#touch(key, { name: event.metadata.name!, namespace, count: 1 });
  }

  /** client-go's `<object>.<hex unix nanos>`; the sequence keeps names unique within one millisecond. */
  #eventName(objectName: string): string {
    const nanos = BigInt(this.#clock.now()) * 1_000_000n + BigInt(this.#seq++ % 1_000_000);
    return `${objectName}.${nanos.toString(16)}`;
  }

  #touch(key: string, tracked: TrackedEvent): void {
    this.#tracked.delete(key);
    this.#tracked.set(key, tracked);
    while (this.#tracked.size > this.#maxTracked) this.#tracked.delete(this.#tracked.keys().next().value!);
  }
}

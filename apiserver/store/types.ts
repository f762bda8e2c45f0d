import type { KubeObject } from '../admission.js';

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: StoreEventType;
  key: string;
  /**
   * The object as stored, metadata.resourceVersion set to String(resourceVersion). For DELETED:
   * the last state, with the deletion's resourceVersion. Deep-frozen and shared by every watcher
   * that receives the event (parsed once, on first access): clone it before changing it.
   */
  readonly object: KubeObject;
  resourceVersion: number;
  /** `object` as JSON text, for writing a watch stream without re-serializing. */
  readonly json: string;
}

export interface ListOptions {
  /** At most this many items (a positive integer). */
  limit?: number;
  /** Start after this key (the previous page's `nextKey`). */
  continueAfterKey?: string;
}

export interface ListResult<Item = KubeObject> {
  items: Item[];
  resourceVersion: number;
  /** Set when more items match: pass it as `continueAfterKey` for the next page. */
  nextKey?: string;
}

/**
 * A durable key-value store of Kubernetes objects with etcd-like revisions. Reads are synchronous
 * from memory and return fresh copies the caller may change; writes resolve once fsync'd.
 */
export interface Store {
  /** Highest committed resourceVersion (a cluster-wide monotonically increasing counter, like etcd's revision). */
  readonly resourceVersion: number;
  get(key: string): KubeObject | undefined;
  /**
   * Objects whose key starts with prefix, ascending key order (UTF-16 code unit order: byte order
   * for ASCII keys), all at one consistent resourceVersion. Each page is consistent at its own
   * resourceVersion; pages of one listing may come from different resourceVersions.
   */
  list(prefix: string, options?: ListOptions): ListResult;
  /** `get` as the stored JSON text (metadata.resourceVersion included), shared rather than copied: nothing is parsed. */
  getJson(key: string): string | undefined;
  /** `list` as stored JSON texts. */
  listJson(prefix: string, options?: ListOptions): ListResult<string>;
  /** Resolves once durable (fsync'd). Assigns the next resourceVersion into object.metadata.resourceVersion. AlreadyExists (a Conflict) if key exists. */
  create(key: string, object: KubeObject): Promise<KubeObject>;
  /** Replaces the object (its own metadata.resourceVersion is ignored). Conflict if expectedResourceVersion given and != current; NotFound if absent. */
  update(key: string, object: KubeObject, expectedResourceVersion?: number): Promise<KubeObject>;
  /** Resolves to the last state, stamped with the deletion's resourceVersion. */
  delete(key: string, expectedResourceVersion?: number): Promise<KubeObject>;
  /**
   * Events for keys under prefix with resourceVersion > fromResourceVersion, then live ones, in
   * order. Retained events are delivered synchronously before watch returns; live ones
   * synchronously in commit order once fsync'd. Throws ResourceVersionTooOld if events after
   * fromResourceVersion were compacted out of the retained window. A callback that throws is
   * stopped and its error reported through `onBackgroundError`.
   */
  watch(prefix: string, fromResourceVersion: number, onEvent: (e: StoreEvent) => void): { stop(): void };
  /** Commits writes already accepted, finishes a running snapshot, stops watches and releases the data dir. */
  close(): Promise<void>;
}

export interface StoreOptions {
  dataDir: string;
  /** How many recent events are kept for watches from an older resourceVersion (default 10,000). */
  historyEvents?: number;
  /** Bound on the memory of that window, counting each event's JSON and key (default 64 MiB). */
  historyBytes?: number;
  /**
   * How long an idle store waits after a write before flushing, to gather more writes per fsync
   * (default 0: flush on the next event-loop turn). Writes arriving during an fsync always
   * form the next batch.
   */
  groupCommitDelayMs?: number;
  /**
   * A snapshot is taken (and older WAL dropped) once the WAL written since the last one exceeds
   * max(this, size of the live data), bounding both restart replay and write amplification
   * (default 32 MiB).
   */
  snapshotMinWalBytes?: number;
  /** Failures no request sees: a background snapshot failing, a watch callback throwing (default: process.emitWarning). */
  onBackgroundError?: (error: Error) => void;
}

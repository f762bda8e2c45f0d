import { mkdir, rm } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import type { KubeObject } from '../admission.js';
import { fsyncDirectory } from './durable-fs.js';
import { AlreadyExists, Conflict, NotFound, StoreUnavailable } from './errors.js';
import { EventHistory, type CommittedEvent } from './history.js';
import { lockDataDir, type DataDirLock } from './lock.js';
import { readSnapshot, removeSnapshotLeftovers, writeSnapshot } from './snapshot.js';
import { SortedKeys } from './sorted-keys.js';
import { parseStored, parseWritten, restamp, storeObject, type StoredObject } from './stored-object.js';
import type { ListOptions, ListResult, Store, StoreEvent, StoreEventType, StoreOptions } from './types.js';
import { listSegments, replaySegments, segmentsCoveredBySnapshot, WalWriter } from './wal.js';
import { encodeOpsRecord, type WalOp } from './wal-ops.js';
import { Watcher, WatcherRegistry } from './watchers.js';

const DEFAULTS = {
  historyEvents: 10_000,
  historyBytes: 64 * 1024 * 1024,
  groupCommitDelayMs: 0,
  snapshotMinWalBytes: 32 * 1024 * 1024,
};

// ---- write preconditions: each returns the error that rejects the write, or undefined ----

type Precondition = (key: string, current: StoredObject | undefined, expectedResourceVersion: number | undefined) => Error | undefined;

const mustBeAbsent: Precondition = (key, current) =>
  current ? new AlreadyExists(`${key} already exists (resourceVersion ${current.resourceVersion})`) : undefined;

const mustExist: Precondition = (key, current) => (current ? undefined : new NotFound(`${key} not found`));

const mustMatchExpectedVersion: Precondition = (key, current, expected) =>
  expected === undefined || current?.resourceVersion === expected
    ? undefined
    : new Conflict(`${key}: expected resourceVersion ${expected}, but it is ${current?.resourceVersion}`);

const PRECONDITIONS: Record<StoreEventType, readonly Precondition[]> = {
  ADDED: [mustBeAbsent],
  MODIFIED: [mustExist, mustMatchExpectedVersion],
  DELETED: [mustExist, mustMatchExpectedVersion],
};

/** Snapshot once the WAL since the last snapshot outgrows both a floor and the live data (bounds replay and write amplification to ~2x). */
function shouldSnapshot(walBytesSinceSnapshot: number, liveBytes: number, minWalBytes: number): boolean {
  return walBytesSinceSnapshot >= Math.max(minWalBytes, liveBytes);
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('store: a key must be a non-empty string');
}

function checkExpectedResourceVersion(expected: number | undefined): void {
  if (expected !== undefined && !(Number.isSafeInteger(expected) && expected >= 0)) {
    throw new TypeError(`store: expectedResourceVersion must be a non-negative integer, got ${String(expected)}`);
  }
}

function checkListOptions(options: ListOptions): void {
  const { limit, continueAfterKey } = options;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
    throw new TypeError(`store: list limit must be a positive integer, got ${String(limit)}`);
  }
  if (continueAfterKey !== undefined && typeof continueAfterKey !== 'string') throw new TypeError('store: continueAfterKey must be a string');
}

function settingsFrom(options: Partial<typeof DEFAULTS>): typeof DEFAULTS {
  const settings = { ...DEFAULTS };
  for (const name of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const value = options[name];
    if (value === undefined) continue;
    const minimum = name === 'groupCommitDelayMs' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < minimum) throw new TypeError(`store: option ${name} must be an integer >= ${minimum}, got ${String(value)}`);
    settings[name] = value;
  }
  return settings;
}

function entryBytes(key: string, stored: StoredObject): number {
  return key.length + stored.json.length;
}

interface QueuedWrite {
  readonly event: CommittedEvent;
  readonly op: WalOp;
  resolve(object: KubeObject): void;
  reject(error: Error): void;
}

class FileStore implements Store {
  private readonly objects = new Map<string, StoredObject>();
  private keys = new SortedKeys();
  private liveBytes = 0;
  private committed = 0;
  private lastAssigned = 0;
  /** Latest accepted-but-uncommitted state per key (undefined: deleted), so preconditions see queued writes. */
  private readonly pending = new Map<string, { stored: StoredObject | undefined; resourceVersion: number }>();
  private queue: QueuedWrite[] = [];
  /** Set while a commit is scheduled or running; cleared in the same turn the queue is found empty. */
  private draining: Promise<void> | undefined;
  private snapshotting: Promise<void> | undefined;
  private walBytesSinceSnapshot = 0;
  /** Set once a WAL write or fsync failed: from then on every write is refused. */
  private failure: StoreUnavailable | undefined;
  private closing: Promise<void> | undefined;
  private readonly watchers = new WatcherRegistry();
  private history!: EventHistory;
  private wal!: WalWriter;

  constructor(
    private readonly dataDir: string,
    private readonly settings: typeof DEFAULTS,
    private readonly reportBackgroundError: (error: Error) => void,
    private readonly lock: DataDirLock,
  ) {}

  /** Loads the snapshot, replays the WAL after it, and opens the WAL for appending. */
  async recover(): Promise<void> {
    await removeSnapshotLeftovers(this.dataDir);
    const snapshotResourceVersion =
      (await readSnapshot(this.dataDir, (key, stored) => {
        this.objects.set(key, stored);
        this.liveBytes += entryBytes(key, stored);
      })) ?? 0;
    this.committed = snapshotResourceVersion;
    this.history = new EventHistory(this.settings.historyEvents, this.settings.historyBytes, snapshotResourceVersion);

    const covered = segmentsCoveredBySnapshot(await listSegments(this.dataDir), snapshotResourceVersion);
    for (const segment of covered) await rm(segment.file, { force: true });
    const segments = await listSegments(this.dataDir);
    const replay = await replaySegments(segments, (op) => {
      if (op.resourceVersion <= snapshotResourceVersion) return;
      if (op.resourceVersion <= this.committed) {
        throw new Error(`resourceVersion ${op.resourceVersion} follows ${this.committed}: the log is out of order`);
      }
      this.applyToState(this.replayedEvent(op));
    });
    this.keys = new SortedKeys(this.objects.keys());
    this.lastAssigned = this.committed;

    const finalSegment = segments.at(-1);
    this.wal = finalSegment
      ? await WalWriter.resume(this.dataDir, finalSegment, replay.finalSegmentBytes)
      : await WalWriter.start(this.dataDir, this.committed + 1);
    this.walBytesSinceSnapshot = replay.replayedBytes;
    await this.snapshotIfDue();
  }

  private replayedEvent(op: WalOp): CommittedEvent {
    const current = this.objects.get(op.key);
    if (op.kind === 'put') {
      return { type: current ? 'MODIFIED' : 'ADDED', key: op.key, stored: { json: op.json, resourceVersion: op.resourceVersion } };
    }
    if (!current) throw new Error(`the log deletes ${op.key}, which does not exist`);
    return { type: 'DELETED', key: op.key, stored: restamp(current, op.resourceVersion) };
  }

  /** Applies a committed event to memory and the history window. Keys are kept sorted only once recovery is over. */
  private applyToState(event: CommittedEvent): void {
    const { key, stored } = event;
    const previous = this.objects.get(key);
    if (previous) this.liveBytes -= entryBytes(key, previous);
    if (event.type === 'DELETED') {
      this.objects.delete(key);
    } else {
      this.objects.set(key, stored);
      this.liveBytes += entryBytes(key, stored);
    }
    this.committed = stored.resourceVersion;
    this.history.append(event);
  }

  get resourceVersion(): number {
    return this.committed;
  }

  get(key: string): KubeObject | undefined {
    const stored = this.objects.get(key);
    return stored && parseStored(stored);
  }

  getJson(key: string): string | undefined {
    return this.objects.get(key)?.json;
  }

  list(prefix: string, options: ListOptions = {}): ListResult {
    return this.collect(prefix, options, parseStored);
  }

  listJson(prefix: string, options: ListOptions = {}): ListResult<string> {
    return this.collect(prefix, options, (stored) => stored.json);
  }

  private collect<T>(prefix: string, options: ListOptions, take: (stored: StoredObject) => T): ListResult<T> {
    checkListOptions(options);
    const { limit = Infinity, continueAfterKey } = options;
    const resumes = continueAfterKey !== undefined && continueAfterKey >= prefix;
    const items: T[] = [];
    let lastKey: string | undefined;
    for (const key of this.keys.from(resumes ? continueAfterKey : prefix)) {
      if (key === continueAfterKey) continue;
      if (!key.startsWith(prefix)) break;
      if (items.length === limit) return { items, resourceVersion: this.committed, nextKey: lastKey as string };
      items.push(take(this.objects.get(key) as StoredObject));
      lastKey = key;
    }
    return { items, resourceVersion: this.committed };
  }

  async create(key: string, object: KubeObject): Promise<KubeObject> {
    return this.write('ADDED', key, undefined, (resourceVersion) => storeObject(key, object, resourceVersion));
  }

  async update(key: string, object: KubeObject, expectedResourceVersion?: number): Promise<KubeObject> {
    return this.write('MODIFIED', key, expectedResourceVersion, (resourceVersion) => storeObject(key, object, resourceVersion));
  }

  async delete(key: string, expectedResourceVersion?: number): Promise<KubeObject> {
    return this.write('DELETED', key, expectedResourceVersion, (resourceVersion, current) => restamp(current as StoredObject, resourceVersion));
  }

  /** Checks preconditions against committed plus queued state and queues the write, all in one synchronous step. */
  private write(
    type: StoreEventType,
    key: string,
    expectedResourceVersion: number | undefined,
    makeStored: (resourceVersion: number, current: StoredObject | undefined) => StoredObject,
  ): Promise<KubeObject> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new StoreUnavailable(`store ${this.dataDir} is closed`));
    checkKey(key);
    checkExpectedResourceVersion(expectedResourceVersion);
    const queued = this.pending.get(key);
    const current = queued ? queued.stored : this.objects.get(key);
    for (const precondition of PRECONDITIONS[type]) {
      const failure = precondition(key, current, expectedResourceVersion);
      if (failure) return Promise.reject(failure);
    }
    const resourceVersion = this.lastAssigned + 1;
    const stored = makeStored(resourceVersion, current);
    this.lastAssigned = resourceVersion;
    const op: WalOp = type === 'DELETED' ? { kind: 'delete', resourceVersion, key } : { kind: 'put', resourceVersion, key, json: stored.json };
    this.pending.set(key, { stored: type === 'DELETED' ? undefined : stored, resourceVersion });
    return new Promise((resolve, reject) => {
      this.queue.push({ event: { type, key, stored }, op, resolve, reject });
      this.scheduleCommit();
    });
  }

  private scheduleCommit(): void {
    if (this.draining) return;
    const delay = this.settings.groupCommitDelayMs;
    this.draining = new Promise<void>((resolve) => (delay > 0 ? setTimeout(resolve, delay) : setImmediate(resolve))).then(() => this.drainQueue());
  }

  /** Group commit: everything queued since the last fsync goes out as one WAL record and one fsync. */
  private async drainQueue(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      await this.commit(batch);
    }
    this.draining = undefined;
  }

  private async commit(batch: QueuedWrite[]): Promise<void> {
    if (this.failure) return this.rejectAll(batch, this.failure);
    let record: Buffer;
    try {
      record = encodeOpsRecord(batch.map((write) => write.op));
      await this.wal.append(record);
    } catch (error) {
      // After a failed write or fsync the kernel may have dropped the dirty pages, so nothing later can be promised durable.
      this.failure = new StoreUnavailable(`store ${this.dataDir} stopped accepting writes: writing its WAL failed (${(error as Error).message})`, {
        cause: error,
      });
      this.pending.clear();
      this.rejectAll(batch, this.failure);
      return;
    }
    this.walBytesSinceSnapshot += record.length;
    for (const write of batch) {
      const { event } = write;
      if (this.pending.get(event.key)?.resourceVersion === event.stored.resourceVersion) this.pending.delete(event.key);
      const existed = this.objects.has(event.key);
      this.applyToState(event);
      if (event.type === 'DELETED') this.keys.remove(event.key);
      else if (!existed) this.keys.insert(event.key);
      this.watchers.publish(event);
      write.resolve(parseWritten(event.stored));
    }
    await this.snapshotIfDue();
  }

  private rejectAll(batch: readonly QueuedWrite[], error: Error): void {
    for (const write of batch) write.reject(error);
  }

  /**
   * Starts a snapshot of the state as of now in the background, after moving the WAL to a new
   * segment so every older segment is covered by the snapshot and can be deleted once it is durable.
   */
  private async snapshotIfDue(): Promise<void> {
    if (this.snapshotting || !shouldSnapshot(this.walBytesSinceSnapshot, this.liveBytes, this.settings.snapshotMinWalBytes)) return;
    const resourceVersion = this.committed;
    const entries = Array.from(this.objects);
    try {
      if (this.wal.segmentStartResourceVersion <= resourceVersion) await this.wal.rotate(resourceVersion + 1);
    } catch (error) {
      // Appends continue in the current segment; the next commit tries again.
      this.reportBackgroundError(new Error(`store ${this.dataDir}: starting a new WAL segment failed`, { cause: error }));
      return;
    }
    this.walBytesSinceSnapshot = 0;
    this.snapshotting = this.snapshotAndPrune(resourceVersion, entries)
      .catch((error: unknown) => this.reportBackgroundError(new Error(`store ${this.dataDir}: snapshot failed`, { cause: error })))
      .finally(() => (this.snapshotting = undefined));
  }

  private async snapshotAndPrune(resourceVersion: number, entries: readonly (readonly [string, StoredObject])[]): Promise<void> {
    await writeSnapshot(this.dataDir, resourceVersion, entries);
    for (const segment of await listSegments(this.dataDir)) {
      if (segment.startResourceVersion <= resourceVersion) await rm(segment.file, { force: true });
    }
  }

  watch(prefix: string, fromResourceVersion: number, onEvent: (e: StoreEvent) => void): { stop(): void } {
    if (this.closing) throw new StoreUnavailable(`store ${this.dataDir} is closed`);
    if (typeof prefix !== 'string') throw new TypeError('store: a watch prefix must be a string');
    if (!Number.isSafeInteger(fromResourceVersion) || fromResourceVersion < 0) {
      throw new TypeError(`store: fromResourceVersion must be a non-negative integer, got ${String(fromResourceVersion)}`);
    }
    const backlog = this.history.since(fromResourceVersion);
    const watcher = new Watcher(prefix, onEvent, fromResourceVersion, (failed, error) => {
      this.watchers.remove(failed);
      this.reportBackgroundError(new Error(`store: a watch on ${JSON.stringify(prefix)} threw and was stopped`, { cause: error }));
    });
    this.watchers.add(watcher);
    for (const event of backlog) {
      if (event.key.startsWith(prefix) && watcher.wants(event)) watcher.deliver(event);
    }
    return { stop: () => this.watchers.remove(watcher) };
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    while (this.draining) await this.draining;
    while (this.snapshotting) await this.snapshotting;
    this.watchers.clear();
    await this.wal.close();
    await this.lock.release();
  }
}

/** Creates `dir` if needed and makes its new directory entries durable, so acknowledged writes are not lost with their directory. */
async function createDirectoryDurably(dir: string): Promise<void> {
  const firstCreated = await mkdir(dir, { recursive: true });
  if (firstCreated === undefined) return;
  for (let created = resolvePath(dir); ; created = dirname(created)) {
    await fsyncDirectory(dirname(created));
    if (created === resolvePath(firstCreated)) return;
  }
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const { dataDir, onBackgroundError = (error) => process.emitWarning(error), ...tuning } = options;
  const settings = settingsFrom(tuning);
  await createDirectoryDurably(dataDir);
  const lock = await lockDataDir(dataDir);
  const store = new FileStore(dataDir, settings, onBackgroundError, lock);
  try {
    await store.recover();
  } catch (error) {
    await lock.release();
    throw error;
  }
  return store;
}

/**
 * How the controller's V8 heap is sized.
 *
 * Growth: by default the old generation grows to 2–4× what survived the last full collection,
 * sized for throughput; a controller's work leaves mostly short-lived garbage (watch events and API
 * answers decoded, then replaced), so under a burst (10k Certificates at once) its RSS was ~2.5×
 * its live objects. At 1.5× the lifecycle benchmark measured ~100 MiB less RSS at 10k for about 5 %
 * more CPU (docs/performance.md, lifecycle). V8 reads this flag at every limit it computes, so
 * setting it at run time takes effect.
 *
 * Shrinking after a burst: V8 keeps the heap it grew to until its memory reducer notices that
 * allocation has slowed, ~30 s after a 2k burst, and a plain full collection frees objects but
 * keeps most pages (they are fragmented: a few survivors each). A burst of issuance (or a restart's
 * relist and re-check) is followed by long quiet periods, so once the main thread has gone idle
 * after one, the controller runs one compacting full collection itself: its pages are packed and
 * returned at once, for ~0.1–0.3 s of CPU per burst (docs/performance.md, lifecycle, session 4).
 */
import { createRequire } from 'node:module';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

export const HEAP_GROWING_PERCENT = 50;

/** Limits old-generation growth for this process (`certwright run`). */
export function limitHeapGrowth(percent: number = HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/**
 * Small Buffers (under 4 KiB: decoded base64, DER slices, HTTP chunks) are by default slices of a
 * shared 8 KiB slab, and one kept slice keeps its whole slab: parsed keys, CSRs and certificates
 * held in caches pinned ~18 MiB of slabs at 2k Certificates, in malloc's arena, which never
 * shrinks. Unpooled, each Buffer has a backing store of its own size (2k: the arena's bytes in use
 * 38 → 20 MiB, CPU per Certificate unchanged). Node reads `Buffer.poolSize` at every allocation.
 */
export function unpoolSmallBuffers(): void {
  Buffer.poolSize = 0;
}

/** What the compaction decision looks at, once per check interval. */
export interface HeapActivity {
  /** Share of the last interval the event loop was busy (`performance.eventLoopUtilization`). */
  loopUtilization: number;
  /** Some interval since the last compaction was busy (a burst happened). */
  burstSinceCompaction: boolean;
  msSinceCompaction: number;
  /** V8's committed heap beyond what survived the last compaction: what compacting could return. */
  slackBytes: number;
}

export interface CompactionLimits {
  /** An interval at least this busy is a burst. */
  burstUtilization: number;
  /** An interval at most this busy is idle. */
  idleUtilization: number;
  minIntervalMs: number;
  minSlackBytes: number;
}

const MiB = 1024 * 1024;

export const COMPACTION_LIMITS: CompactionLimits = { burstUtilization: 0.5, idleUtilization: 0.05, minIntervalMs: 60_000, minSlackBytes: 32 * MiB };

type CompactionRule = (activity: HeapActivity, limits: CompactionLimits) => boolean;

const afterABurst: CompactionRule = (a) => a.burstSinceCompaction;
const nowIdle: CompactionRule = (a, l) => a.loopUtilization <= l.idleUtilization;
const notTooSoon: CompactionRule = (a, l) => a.msSinceCompaction >= l.minIntervalMs;
const worthIt: CompactionRule = (a, l) => a.slackBytes >= l.minSlackBytes;

const compactionRules: CompactionRule[] = [afterABurst, nowIdle, notTooSoon, worthIt];

/** Compact only when every rule agrees: after a burst, once idle, rarely, and when there is memory to return. */
export function shouldCompact(activity: HeapActivity, limits: CompactionLimits = COMPACTION_LIMITS): boolean {
  return compactionRules.every((rule) => rule(activity, limits));
}

let exposedGc: (() => void) | undefined;

/**
 * One full collection that evacuates every fragmented page (`--compact-on-every-full-gc` for this
 * collection only; V8 reads its flags at each collection). `gc` is exposed in a context of its own,
 * so this process's global scope never gets one.
 */
export function compactHeap(): void {
  if (!exposedGc) {
    setFlagsFromString('--expose-gc');
    exposedGc = runInNewContext('gc') as () => void;
  }
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    exposedGc();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
  releaseFreeMallocMemory();
}

let mallocTrim: (() => void) | null | undefined;

/**
 * Gives malloc's free memory back to the system. glibc returns only the free top of its main arena
 * by itself; a burst leaves the arena's middle free but fragmented (native keys, Buffers and socket
 * data freed by the collection just run), and RSS keeps it for good: at 10k Certificates in steady
 * state after a restart, `malloc_trim(0)` took the arena from 49 to 19 MiB and RSS from 164 to
 * 131 MiB (docs/performance.md, lifecycle, session 5). Called through koffi (an FFI with prebuilt
 * binaries), loaded at the first compaction; where there is no glibc (musl, macOS) or no FFI it does
 * nothing and returns false.
 */
export function releaseFreeMallocMemory(): boolean {
  mallocTrim ??= loadMallocTrim();
  mallocTrim?.();
  return mallocTrim !== null;
}

function loadMallocTrim(): (() => void) | null {
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const trim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)');
    return () => void trim(0);
  } catch {
    return null;
  }
}

/**
 * Two seconds: a shorter idle interval can find a lull inside a burst, and a compaction there takes
 * the once-a-minute turn of the one after it (a 10k benchmark run with 1 s checks was left
 * uncompacted after its burst).
 */
export const COMPACTION_CHECK_EVERY_MS = 2000;

export interface HeapCompactorOptions {
  checkEveryMs?: number;
  limits?: CompactionLimits;
  /** Told after each compaction (for a log line). */
  onCompacted?: (compaction: { heapTotalBefore: number; heapTotalAfter: number; ms: number }) => void;
  /* Seams for tests. */
  now?: () => number;
  heapStatistics?: () => { total_heap_size: number; used_heap_size: number };
  /** Cumulative idle and active time of the event loop, as `performance.eventLoopUtilization()`. */
  loopUtilization?: () => Pick<EventLoopUtilization, 'idle' | 'active'>;
  compact?: () => void;
}

/** Watches event-loop utilization and compacts the heap once the loop goes idle after a burst (see above). */
export class HeapCompactor {
  #limits: CompactionLimits;
  #checkEveryMs: number;
  #onCompacted: NonNullable<HeapCompactorOptions['onCompacted']>;
  #now: () => number;
  #heapStatistics: NonNullable<HeapCompactorOptions['heapStatistics']>;
  #loopUtilization: NonNullable<HeapCompactorOptions['loopUtilization']>;
  #compact: () => void;
  #lastUtilization: Pick<EventLoopUtilization, 'idle' | 'active'>;
  #burstSinceCompaction = false;
  #compactedAt: number;
  #liveAfterCompaction = 0;
  #interval: NodeJS.Timeout | undefined;

  constructor(options: HeapCompactorOptions = {}) {
    this.#limits = options.limits ?? COMPACTION_LIMITS;
    this.#checkEveryMs = options.checkEveryMs ?? COMPACTION_CHECK_EVERY_MS;
    this.#onCompacted = options.onCompacted ?? (() => {});
    this.#now = options.now ?? (() => performance.now());
    this.#heapStatistics = options.heapStatistics ?? getHeapStatistics;
    this.#loopUtilization = options.loopUtilization ?? (() => performance.eventLoopUtilization());
    this.#compact = options.compact ?? compactHeap;
    this.#lastUtilization = this.#loopUtilization();
    this.#compactedAt = this.#now() - this.#limits.minIntervalMs;
  }

  /** Checks every interval; the timer never keeps the process alive. */
  start(): this {
    this.#interval ??= setInterval(() => this.check(), this.#checkEveryMs).unref();
    return this;
  }

  stop(): void {
    clearInterval(this.#interval);
    this.#interval = undefined;
  }

  /** One check: the interval since the last one, then compaction if `shouldCompact` says so. Returns whether it compacted. */
  check(): boolean {
    const utilization = this.#loopUtilization();
    const active = utilization.active - this.#lastUtilization.active;
    const loopUtilization = active / (active + utilization.idle - this.#lastUtilization.idle || 1);
    this.#lastUtilization = utilization;
    if (loopUtilization >= this.#limits.burstUtilization) this.#burstSinceCompaction = true;
    const before = this.#heapStatistics();
    const activity: HeapActivity = {
      loopUtilization,
      burstSinceCompaction: this.#burstSinceCompaction,
      msSinceCompaction: this.#now() - this.#compactedAt,
      slackBytes: before.total_heap_size - this.#liveAfterCompaction,
    };
    if (!shouldCompact(activity, this.#limits)) return false;
    const startedAt = this.#now();
    this.#compact();
    const after = this.#heapStatistics();
    this.#compactedAt = this.#now();
    this.#burstSinceCompaction = false;
    this.#liveAfterCompaction = after.used_heap_size;
    this.#onCompacted({ heapTotalBefore: before.total_heap_size, heapTotalAfter: after.total_heap_size, ms: this.#compactedAt - startedAt });
    // The collection itself kept the loop busy: that is not the next burst.
    this.#lastUtilization = this.#loopUtilization();
    return true;
  }
}

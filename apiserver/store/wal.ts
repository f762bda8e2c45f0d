import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory, writeFully } from './durable-fs.js';
import { scanRecords, type TailPolicy } from './record.js';
import { decodeOps, type WalOp } from './wal-ops.js';

/**
 * The write-ahead log is a sequence of segment files `wal-<first resourceVersion>.log`. A new
 * segment starts when a snapshot is taken, so every older segment holds only changes the snapshot
 * already contains and can be deleted once the snapshot is durable.
 */
export interface WalSegment {
  startResourceVersion: number;
  file: string;
}

const SEGMENT_NAME = /^wal-(\d{16})\.log$/;

function segmentFile(dataDir: string, startResourceVersion: number): string {
  return join(dataDir, `wal-${String(startResourceVersion).padStart(16, '0')}.log`);
}

export async function listSegments(dataDir: string): Promise<WalSegment[]> {
  const segments: WalSegment[] = [];
  for (const name of await readdir(dataDir)) {
    const match = SEGMENT_NAME.exec(name);
    if (match) segments.push({ startResourceVersion: Number(match[1]), file: join(dataDir, name) });
  }
  return segments.sort((a, b) => a.startResourceVersion - b.startResourceVersion);
}

/**
 * Sealed segments whose every change is in the snapshot at `snapshotResourceVersion`: left behind
 * when a crash came between a snapshot and the deletion of the segments it covers. A segment ends
 * where the next one starts, so it is covered when its successor starts at or before the first
 * change after the snapshot. The final segment is never covered: appends continue there.
 */
export function segmentsCoveredBySnapshot(segments: readonly WalSegment[], snapshotResourceVersion: number): WalSegment[] {
  return segments.filter((_, index) => {
    const next = segments[index + 1];
    return next !== undefined && next.startResourceVersion <= snapshotResourceVersion + 1;
  });
}

export interface ReplayResult {
  /** Bytes of intact log in the final segment (where appending resumes). */
  finalSegmentBytes: number;
  /** Bytes of log replayed across all segments: the work a restart would redo without a snapshot. */
  replayedBytes: number;
}

/**
 * Calls `onOp` for every logged op in order. Only the final segment may end in a torn record
 * (the batch in flight at a crash, never acknowledged); it is cut off so appends continue from
 * intact data. Sealed segments must be intact.
 */
export async function replaySegments(segments: readonly WalSegment[], onOp: (op: WalOp) => void): Promise<ReplayResult> {
  let replayedBytes = 0;
  let finalSegmentBytes = 0;
  for (const [index, segment] of segments.entries()) {
    const isFinal = index === segments.length - 1;
    const policy: TailPolicy = isFinal ? 'drop-torn-tail' : 'strict';
    const scan = await scanRecords(segment.file, policy, (payload) => decodeOps(payload, onOp));
    if (scan.validEnd < scan.fileSize) await truncateDurably(segment.file, scan.validEnd);
    replayedBytes += scan.validEnd;
    finalSegmentBytes = scan.validEnd;
  }
  return { finalSegmentBytes, replayedBytes };
}

async function truncateDurably(file: string, length: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.truncate(length);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Appends records to the current segment; each `append` resolves once the bytes are on stable storage. */
export class WalWriter {
  private constructor(
    private handle: FileHandle,
    private segmentStart: number,
    private bytes: number,
    private readonly dataDir: string,
  ) {}

  static async resume(dataDir: string, segment: WalSegment, bytes: number): Promise<WalWriter> {
    return new WalWriter(await open(segment.file, 'r+'), segment.startResourceVersion, bytes, dataDir);
  }

  static async start(dataDir: string, startResourceVersion: number): Promise<WalWriter> {
    return new WalWriter(await createSegment(dataDir, startResourceVersion), startResourceVersion, 0, dataDir);
  }

  get segmentStartResourceVersion(): number {
    return this.segmentStart;
  }

  get segmentBytes(): number {
    return this.bytes;
  }

  async append(record: Buffer): Promise<void> {
    await writeFully(this.handle, record, this.bytes);
    await this.handle.datasync();
    this.bytes += record.length;
  }

  /** Seals the current segment and continues in a new one whose first change will be `startResourceVersion`. */
  async rotate(startResourceVersion: number): Promise<void> {
    const next = await createSegment(this.dataDir, startResourceVersion);
    await this.handle.close();
    this.handle = next;
    this.segmentStart = startResourceVersion;
    this.bytes = 0;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

async function createSegment(dataDir: string, startResourceVersion: number): Promise<FileHandle> {
  const handle = await open(segmentFile(dataDir, startResourceVersion), 'wx');
  try {
    await handle.sync();
    await fsyncDirectory(dataDir);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

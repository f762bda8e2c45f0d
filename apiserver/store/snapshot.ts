import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory, writeFully } from './durable-fs.js';
import { frameRecord, scanRecords } from './record.js';
import type { StoredObject } from './stored-object.js';
import { decodeOps, encodeOpsRecord, type WalOp } from './wal-ops.js';

/**
 * A snapshot is the whole state at one resourceVersion, in the WAL's record framing: a JSON header
 * record, then `put` op records. It is written to a temp file, fsync'd, renamed over the previous
 * one and the directory fsync'd, so a crash leaves either the old or the new snapshot, whole.
 */
const SNAPSHOT_FILE = 'snapshot.bin';
const TEMP_FILE = 'snapshot.bin.tmp';
const FORMAT = 1;
const CHUNK_BYTES = 1 << 20;

interface SnapshotHeader {
  format: number;
  resourceVersion: number;
  objects: number;
}

export async function writeSnapshot(
  dataDir: string,
  resourceVersion: number,
  entries: readonly (readonly [string, StoredObject])[],
): Promise<void> {
  const tempFile = join(dataDir, TEMP_FILE);
  const handle = await open(tempFile, 'w');
  try {
    const header: SnapshotHeader = { format: FORMAT, resourceVersion, objects: entries.length };
    let position = 0;
    const append = async (record: Buffer): Promise<void> => {
      await writeFully(handle, record, position);
      position += record.length;
    };
    await append(frameRecord(Buffer.from(JSON.stringify(header))));
    let chunk: WalOp[] = [];
    let chunkBytes = 0;
    for (const [key, stored] of entries) {
      chunk.push({ kind: 'put', resourceVersion: stored.resourceVersion, key, json: stored.json });
      chunkBytes += key.length + stored.json.length;
      if (chunkBytes >= CHUNK_BYTES) {
        await append(encodeOpsRecord(chunk));
        chunk = [];
        chunkBytes = 0;
      }
    }
    if (chunk.length > 0) await append(encodeOpsRecord(chunk));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tempFile, join(dataDir, SNAPSHOT_FILE));
  await fsyncDirectory(dataDir);
}

/** Loads the snapshot into `onEntry`; returns its resourceVersion, or undefined when there is none. */
export async function readSnapshot(
  dataDir: string,
  onEntry: (key: string, stored: StoredObject) => void,
): Promise<number | undefined> {
  const file = join(dataDir, SNAPSHOT_FILE);
  let header: SnapshotHeader | undefined;
  let objects = 0;
  try {
    await scanRecords(file, 'strict', (payload) => {
      if (header === undefined) {
        header = parseHeader(payload.toString('utf8'));
        return;
      }
      const snapshotResourceVersion = header.resourceVersion;
      decodeOps(payload, (op) => {
        if (op.kind !== 'put') throw new Error(`snapshot holds a ${op.kind} op`);
        if (op.resourceVersion > snapshotResourceVersion) {
          throw new Error(`object ${op.key} has resourceVersion ${op.resourceVersion}, newer than the snapshot's ${snapshotResourceVersion}`);
        }
        objects++;
        onEntry(op.key, { json: op.json, resourceVersion: op.resourceVersion });
      });
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (header === undefined || objects !== header.objects) {
    throw new Error(`${file} is incomplete: its header promises ${header?.objects ?? '?'} objects, it holds ${objects}`);
  }
  return header.resourceVersion;
}

function parseHeader(text: string): SnapshotHeader {
  const header = JSON.parse(text) as Partial<SnapshotHeader>;
  if (header.format !== FORMAT) throw new Error(`unsupported snapshot format ${String(header.format)}`);
  if (!Number.isSafeInteger(header.resourceVersion) || !Number.isSafeInteger(header.objects)) {
    throw new Error('snapshot header lacks resourceVersion or objects');
  }
  return header as SnapshotHeader;
}

/** Removes a temp file left by a crash mid-snapshot. */
export async function removeSnapshotLeftovers(dataDir: string): Promise<void> {
  await rm(join(dataDir, TEMP_FILE), { force: true });
}

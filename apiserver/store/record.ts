import { open } from 'node:fs/promises';
import CRC32 from 'crc-32';
import { StoreCorruption } from './errors.js';

/**
 * On-disk framing shared by WAL segments and snapshots: every record is
 * `u32 payloadLength | u32 crc32(payload) | u32 crc32(first 8 header bytes) | payload` (little endian).
 * The header has its own checksum so a damaged length can never pass for a record that merely
 * runs past the end of the file (which would be mistaken for a torn final write).
 */
export const RECORD_HEADER_BYTES = 12;

const READ_CHUNK_BYTES = 1 << 20;

function checksum(bytes: Uint8Array): number {
  return CRC32.buf(bytes) >>> 0;
}

/** A buffer with `RECORD_HEADER_BYTES` reserved in front of `payloadBytes` of payload, for the caller to fill and `sealRecord`. */
export function allocateRecord(payloadBytes: number): Buffer {
  return Buffer.allocUnsafe(RECORD_HEADER_BYTES + payloadBytes);
}

/** Fills the header of a record whose payload is already written after the reserved header bytes. */
export function sealRecord(record: Buffer): Buffer {
  const payloadLength = record.length - RECORD_HEADER_BYTES;
  if (payloadLength <= 0) throw new RangeError('a record needs a non-empty payload');
  record.writeUInt32LE(payloadLength, 0);
  record.writeUInt32LE(checksum(record.subarray(RECORD_HEADER_BYTES)), 4);
  record.writeUInt32LE(checksum(record.subarray(0, 8)), 8);
  return record;
}

export function frameRecord(payload: Uint8Array): Buffer {
  const record = allocateRecord(payload.length);
  record.set(payload, RECORD_HEADER_BYTES);
  return sealRecord(record);
}

type Decoded =
  | { status: 'record'; payload: Buffer; length: number }
  /** `bytes` ends before the record does; it needs `needed` bytes from its start. */
  | { status: 'truncated'; needed: number }
  | { status: 'corrupt'; reason: string };

function decodeRecordAt(bytes: Buffer, at: number): Decoded {
  if (bytes.length - at < RECORD_HEADER_BYTES) return { status: 'truncated', needed: RECORD_HEADER_BYTES };
  const payloadLength = bytes.readUInt32LE(at);
  if (checksum(bytes.subarray(at, at + 8)) !== bytes.readUInt32LE(at + 8)) {
    return { status: 'corrupt', reason: 'record header checksum mismatch' };
  }
  if (payloadLength === 0) return { status: 'corrupt', reason: 'empty record' };
  const length = RECORD_HEADER_BYTES + payloadLength;
  if (bytes.length - at < length) return { status: 'truncated', needed: length };
  const payload = bytes.subarray(at + RECORD_HEADER_BYTES, at + length);
  if (checksum(payload) !== bytes.readUInt32LE(at + 4)) return { status: 'corrupt', reason: 'record payload checksum mismatch' };
  return { status: 'record', payload, length };
}

/** Whether any intact record starts inside `bytes` after its first byte. */
function intactRecordFollows(bytes: Buffer): boolean {
  for (let at = 1; at + RECORD_HEADER_BYTES < bytes.length; at++) {
    if (decodeRecordAt(bytes, at).status === 'record') return true;
  }
  return false;
}

/**
 * `strict`: any damaged record is corruption (snapshots, sealed WAL segments).
 * `drop-torn-tail`: a damaged record with no intact record after it is the unacknowledged write
 * that was in flight at a crash, and is dropped; anything else is corruption.
 */
export type TailPolicy = 'strict' | 'drop-torn-tail';

export interface ScanResult {
  /** Where the intact records end; less than `fileSize` when a torn tail was dropped. */
  validEnd: number;
  fileSize: number;
}

/**
 * Calls `onRecord` for every intact record of `file` in order. The payload is a view into a reused
 * read buffer, valid only during the call. An error thrown by `onRecord` becomes a StoreCorruption
 * naming the record's offset.
 */
export async function scanRecords(
  file: string,
  policy: TailPolicy,
  onRecord: (payload: Buffer, offset: number) => void,
): Promise<ScanResult> {
  const handle = await open(file, 'r');
  try {
    const fileSize = (await handle.stat()).size;
    let window = Buffer.alloc(0);
    let windowStart = 0;
    const load = async (offset: number, minimumBytes: number): Promise<void> => {
      const length = Math.min(fileSize - offset, Math.max(minimumBytes, READ_CHUNK_BYTES));
      window = Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(window, filled, length - filled, offset + filled);
        if (bytesRead === 0) throw new Error(`${file} shrank while being read`);
        filled += bytesRead;
      }
      windowStart = offset;
    };
    const damaged = async (offset: number, reason: string): Promise<ScanResult> => {
      if (policy === 'strict') throw new StoreCorruption(file, offset, reason);
      await load(offset, fileSize - offset);
      if (intactRecordFollows(window)) {
        throw new StoreCorruption(file, offset, `${reason}, and intact records follow it, so it is not a torn final write`);
      }
      return { validEnd: offset, fileSize };
    };

    let offset = 0;
    while (offset < fileSize) {
      const inWindow = offset >= windowStart && offset < windowStart + window.length;
      if (!inWindow || windowStart + window.length - offset < RECORD_HEADER_BYTES) await load(offset, RECORD_HEADER_BYTES);
      let decoded = decodeRecordAt(window, offset - windowStart);
      if (decoded.status === 'truncated') {
        if (offset + decoded.needed > fileSize) return await damaged(offset, 'record runs past the end of the file');
        await load(offset, decoded.needed);
        decoded = decodeRecordAt(window, 0);
      }
      if (decoded.status === 'corrupt') return await damaged(offset, decoded.reason);
      if (decoded.status === 'truncated') throw new Error(`${file}: could not read ${decoded.needed} bytes at offset ${offset}`);
      try {
        onRecord(decoded.payload, offset);
      } catch (error) {
        throw new StoreCorruption(file, offset, error instanceof Error ? error.message : String(error));
      }
      offset += decoded.length;
    }
    return { validEnd: fileSize, fileSize };
  } finally {
    await handle.close();
  }
}

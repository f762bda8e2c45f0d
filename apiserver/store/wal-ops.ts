import { RECORD_HEADER_BYTES, allocateRecord, sealRecord } from './record.js';

/** One committed change, as logged. `put` carries the full stored JSON (metadata.resourceVersion included). */
export type WalOp =
  | { kind: 'put'; resourceVersion: number; key: string; json: string }
  | { kind: 'delete'; resourceVersion: number; key: string };

const PUT = 1;
const DELETE = 2;
/** kind byte + f64 resourceVersion + u32 key length */
const OP_FIXED_BYTES = 1 + 8 + 4;

/**
 * Encodes ops as one framed record, so a batch is logged (and torn) as a unit:
 * per op `u8 kind | f64 resourceVersion | u32 keyBytes | key | (put only) u32 jsonBytes | json`.
 */
export function encodeOpsRecord(ops: readonly WalOp[]): Buffer {
  let payloadBytes = 0;
  for (const op of ops) {
    payloadBytes += OP_FIXED_BYTES + Buffer.byteLength(op.key);
    if (op.kind === 'put') payloadBytes += 4 + Buffer.byteLength(op.json);
  }
  const record = allocateRecord(payloadBytes);
  let at = RECORD_HEADER_BYTES;
  const writeString = (value: string): void => {
    const length = record.write(value, at + 4, 'utf8');
    record.writeUInt32LE(length, at);
    at += 4 + length;
  };
  for (const op of ops) {
    at = record.writeUInt8(op.kind === 'put' ? PUT : DELETE, at);
    at = record.writeDoubleLE(op.resourceVersion, at);
    writeString(op.key);
    if (op.kind === 'put') writeString(op.json);
  }
  return sealRecord(record);
}

/** Decodes a payload written by `encodeOpsRecord`; throws a descriptive Error on anything malformed. */
export function decodeOps(payload: Buffer, onOp: (op: WalOp) => void): void {
  let at = 0;
  const readString = (what: string): string => {
    if (at + 4 > payload.length) throw new Error(`op ${what} length runs past the record`);
    const length = payload.readUInt32LE(at);
    const end = at + 4 + length;
    if (end > payload.length) throw new Error(`op ${what} runs past the record`);
    const value = payload.toString('utf8', at + 4, end);
    at = end;
    return value;
  };
  while (at < payload.length) {
    if (at + OP_FIXED_BYTES > payload.length) throw new Error('op header runs past the record');
    const kind = payload.readUInt8(at);
    const resourceVersion = payload.readDoubleLE(at + 1);
    at += 9;
    if (!Number.isSafeInteger(resourceVersion) || resourceVersion <= 0) throw new Error(`op has invalid resourceVersion ${resourceVersion}`);
    const key = readString('key');
    if (kind === PUT) onOp({ kind: 'put', resourceVersion, key, json: readString('json') });
    else if (kind === DELETE) onOp({ kind: 'delete', resourceVersion, key });
    else throw new Error(`unknown op kind ${kind}`);
  }
}

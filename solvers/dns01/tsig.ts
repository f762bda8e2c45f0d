/**
 * TSIG (RFC 8945): HMAC-signs a DNS message with a shared key and verifies the signed response.
 * dns-packet has no TSIG support, so the record and the MAC input are built here with node:crypto.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendRecords, canonicalName, CLASS_ANY, lastRecord, readName, TYPE_TSIG } from './dns-wire.js';

/** cert-manager's DNS01RFC2136.tsigAlgorithm names → the TSIG algorithm name and node:crypto digest. */
export const TSIG_ALGORITHMS = {
  HMACMD5: { name: 'hmac-md5.sig-alg.reg.int', digest: 'md5' },
  HMACSHA1: { name: 'hmac-sha1', digest: 'sha1' },
  HMACSHA256: { name: 'hmac-sha256', digest: 'sha256' },
  HMACSHA512: { name: 'hmac-sha512', digest: 'sha512' },
} as const;

export type TsigAlgorithm = keyof typeof TSIG_ALGORITHMS;

export interface TsigKey {
  name: string;
  algorithm: TsigAlgorithm;
  secret: Buffer;
}

/** RFC 8945 §5.2 error codes carried in the TSIG record (and extended rcodes a server may put there). */
const TSIG_ERRORS: Record<number, string> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

/** The seconds a signature stays valid either side of its time (RFC 8945 recommends 300). */
const FUDGE_SECONDS = 300;

/** `tsigAlgorithm` as cert-manager accepts it: case-insensitive, HMACMD5 when empty. */
export function parseTsigAlgorithm(value: string | undefined): TsigAlgorithm {
  const name = (value ?? '').trim().toUpperCase() || 'HMACMD5';
  if (name in TSIG_ALGORITHMS) return name as TsigAlgorithm;
  throw new Error(`unsupported TSIG algorithm "${value}" (supported: ${Object.keys(TSIG_ALGORITHMS).join(', ')})`);
}

function uint16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

function uint48(value: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(value, 0, 6);
  return b;
}

interface TsigFields {
  algorithmName: string;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  otherData: Buffer;
}

/** RFC 8945 §4.3.3: the TSIG variables that follow the message in the MAC input. */
function tsigVariables(keyName: string, fields: TsigFields): Buffer {
  return Buffer.concat([
    canonicalName(keyName),
    uint16(CLASS_ANY),
    Buffer.alloc(4), // TTL 0
    canonicalName(fields.algorithmName),
    uint48(fields.timeSigned),
    uint16(fields.fudge),
    uint16(fields.error),
    uint16(fields.otherData.length),
    fields.otherData,
  ]);
}

function computeMac(key: TsigKey, parts: Buffer[]): Buffer {
  const hmac = createHmac(TSIG_ALGORITHMS[key.algorithm].digest, key.secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

function encodeTsigRecord(keyName: string, fields: TsigFields): Buffer {
  const rdata = Buffer.concat([
    canonicalName(fields.algorithmName),
    uint48(fields.timeSigned),
    uint16(fields.fudge),
    uint16(fields.mac.length),
    fields.mac,
    uint16(fields.originalId),
    uint16(fields.error),
    uint16(fields.otherData.length),
    fields.otherData,
  ]);
  return Buffer.concat([canonicalName(keyName), uint16(TYPE_TSIG), uint16(CLASS_ANY), Buffer.alloc(4), uint16(rdata.length), rdata]);
}

function decodeTsigRdata(rdata: Buffer): TsigFields {
  const { name: algorithmName, bytes } = readName(rdata, 0);
  let o = bytes;
  const timeSigned = rdata.readUIntBE(o, 6);
  const fudge = rdata.readUInt16BE(o + 6);
  const macSize = rdata.readUInt16BE(o + 8);
  o += 10;
  const mac = rdata.subarray(o, o + macSize);
  o += macSize;
  const originalId = rdata.readUInt16BE(o);
  const error = rdata.readUInt16BE(o + 2);
  const otherLength = rdata.readUInt16BE(o + 4);
  return { algorithmName, timeSigned, fudge, mac, originalId, error, otherData: rdata.subarray(o + 6, o + 6 + otherLength) };
}

export interface SignedMessage {
  message: Buffer;
  /** The request MAC; the response's MAC covers it. */
  mac: Buffer;
}

/** Appends a TSIG record to `message` (which must not have one), signed at `nowSeconds`. */
export function signMessage(message: Buffer, key: TsigKey, nowSeconds: number): SignedMessage {
  const fields: TsigFields = {
    algorithmName: TSIG_ALGORITHMS[key.algorithm].name,
    timeSigned: nowSeconds,
    fudge: FUDGE_SECONDS,
    mac: Buffer.alloc(0),
    originalId: message.readUInt16BE(0),
    error: 0,
    otherData: Buffer.alloc(0),
  };
  const mac = computeMac(key, [message, tsigVariables(key.name, fields)]);
  return { message: appendRecords(message, 3, [encodeTsigRecord(key.name, { ...fields, mac })]), mac };
}

export type TsigVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Checks the TSIG record of a response to a request signed with `key` whose MAC was `requestMac`:
 * a TSIG error the server reports (BADSIG, BADKEY, BADTIME), a missing record, or a MAC that does
 * not match (someone else answered).
 */
export function verifyResponse(response: Buffer, key: TsigKey, requestMac: Buffer): TsigVerdict {
  const record = lastRecord(response);
  if (!record || record.type !== TYPE_TSIG) return { ok: false, reason: 'the response is not TSIG-signed' };
  const fields = decodeTsigRdata(record.rdata);
  if (fields.error !== 0) return { ok: false, reason: `TSIG error ${TSIG_ERRORS[fields.error] ?? fields.error}` };
  // The MAC covers the response as it was before the TSIG record was added: original ID, one fewer additional.
  const unsigned = Buffer.from(response.subarray(0, record.offset));
  unsigned.writeUInt16BE(fields.originalId, 0);
  unsigned.writeUInt16BE(unsigned.readUInt16BE(10) - 1, 10);
  const expected = computeMac(key, [uint16(requestMac.length), requestMac, unsigned, tsigVariables(record.ownerName, fields)]);
  if (fields.mac.length !== expected.length || !timingSafeEqual(fields.mac, expected)) {
    return { ok: false, reason: 'TSIG signature of the response does not verify' };
  }
  return { ok: true };
}

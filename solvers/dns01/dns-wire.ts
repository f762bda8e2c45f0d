/**
 * DNS message pieces dns-packet encodes but does not type publicly (record and name codecs), and
 * walking a message to the offset of its last record (where a TSIG record sits).
 */
import packet, { type Answer, type Question } from 'dns-packet';

interface Codec<T> {
  encode(value: T, buf?: Buffer, offset?: number): Buffer;
  decode(buf: Buffer, offset?: number): T;
  encodingLength(value: T): number;
}

const codecs = packet as unknown as {
  name: Codec<string> & { encode: { bytes: number }; decode: { bytes: number } };
  answer: Codec<Answer> & { decode: { bytes: number } };
  question: Codec<Question> & { decode: { bytes: number } };
};

/** RFC 2136 §2.4 / RFC 1035 classes dns-packet has no name for. */
export const CLASS_NONE = 254;
export const CLASS_ANY = 255;
export const TYPE_TSIG = 250;
export const OPCODE_UPDATE = 5;

/** A domain name in uncompressed, lower-case wire form (RFC 4034 §6.2 canonical form). */
export function canonicalName(name: string): Buffer {
  return codecs.name.encode(name.toLowerCase());
}

/** One resource record in wire form; `klass` overrides the class for the values dns-packet cannot name. */
export function encodeRecord(record: Answer, klass?: number): Buffer {
  const buf = codecs.answer.encode(record);
  if (klass !== undefined) buf.writeUInt16BE(klass, codecs.name.encodingLength(record.name) + 2);
  return buf;
}

/** A message header plus one question: the start every message we build shares (RFC 2136 puts the zone here). */
export function encodeHeaderAndQuestion(id: number, opcode: number, question: Question, flags = 0): Buffer {
  return packet.encode({ type: 'query', id, flags: (opcode << 11) | flags, questions: [question] });
}

/** Appends records to one section (1 answer/prerequisite, 2 authority/update, 3 additional), updating its count. */
export function appendRecords(message: Buffer, section: 1 | 2 | 3, records: Buffer[]): Buffer {
  const out = Buffer.concat([message, ...records]);
  const countOffset = 4 + section * 2;
  out.writeUInt16BE(out.readUInt16BE(countOffset) + records.length, countOffset);
  return out;
}

export interface LastRecord {
  /** Offset where the last record of the message starts. */
  offset: number;
  ownerName: string;
  type: number;
  klass: number;
  ttl: number;
  rdata: Buffer;
}

/** The last record of a message (a TSIG record, when there is one), located by walking every section. */
export function lastRecord(message: Buffer): LastRecord | undefined {
  const counts = [4, 6, 8, 10].map((o) => message.readUInt16BE(o));
  const records = counts[1]! + counts[2]! + counts[3]!;
  if (records === 0) return undefined;
  let offset = 12;
  for (let i = 0; i < counts[0]!; i++) {
    codecs.question.decode(message, offset);
    offset += codecs.question.decode.bytes;
  }
  for (let i = 0; i < records - 1; i++) {
    codecs.answer.decode(message, offset);
    offset += codecs.answer.decode.bytes;
  }
  const start = offset;
  const ownerName = codecs.name.decode(message, offset);
  offset += codecs.name.decode.bytes;
  const rdlength = message.readUInt16BE(offset + 8);
  return {
    offset: start,
    ownerName,
    type: message.readUInt16BE(offset),
    klass: message.readUInt16BE(offset + 2),
    ttl: message.readUInt32BE(offset + 4),
    rdata: message.subarray(offset + 10, offset + 10 + rdlength),
  };
}

/** Reads a (possibly compressed) name inside `message` at `offset`; returns it and the bytes it used there. */
export function readName(message: Buffer, offset: number): { name: string; bytes: number } {
  const name = codecs.name.decode(message, offset);
  return { name, bytes: codecs.name.decode.bytes };
}

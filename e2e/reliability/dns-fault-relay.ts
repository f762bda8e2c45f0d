/**
 * A DNS relay for fault tests: listens on 127.0.0.1 (UDP and TCP on one port), forwards every
 * message to an upstream server (bind9) unchanged — TSIG-signed updates included — or, while the
 * test asks for it, answers SERVFAIL itself (to every message, or to TXT questions only) or drops
 * the message unanswered (a timeout for the client). Every message received is recorded, for request-rate ceilings.
 */
import { createSocket, type RemoteInfo, type Socket as Socket4 } from 'node:dgram';
import { createServer, connect, type Socket } from 'node:net';
import packet from 'dns-packet';

/** What the relay does with one message. */
export type RelayAction = 'pass' | 'servfail' | 'drop';
/** What the relay does from now on: one action for every message, or SERVFAIL for TXT questions only (the self-check's) and pass for the rest. */
export type DnsFault = RelayAction | 'servfail-txt';

export interface RelayedQuery {
  at: number;
  transport: 'udp' | 'tcp';
  /** `name TYPE` of the first question, or `?` when undecodable. */
  question: string;
  action: RelayAction;
}

export interface DnsFaultRelay {
  port: number;
  /** `127.0.0.1:port`, as nameserver flags and fields take it. */
  nameserver: string;
  /** What to do with the messages from now on. */
  setFault(fault: DnsFault): void;
  readonly queries: RelayedQuery[];
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const UPSTREAM_TIMEOUT_MS = 5_000;
const RCODE_SERVFAIL = 2;

/** The query turned into a SERVFAIL reply: same id, opcode and question, QR set, no records. */
export function servfailReply(query: Buffer): Buffer {
  const reply = Buffer.from(query.subarray(0, 12));
  reply[2] = (reply[2]! | 0x80) & ~0x04; // QR=1, AA=0, keep opcode and RD
  reply[3] = (reply[3]! & 0xf0 & ~0x80) | RCODE_SERVFAIL; // RA=0
  reply.writeUInt16BE(0, 6); // ANCOUNT
  reply.writeUInt16BE(0, 8); // NSCOUNT
  reply.writeUInt16BE(0, 10); // ARCOUNT
  return Buffer.concat([reply, questionSection(query)]);
}

/** The raw question section (QDCOUNT questions after the header), so the reply echoes it. */
function questionSection(message: Buffer): Buffer {
  let offset = 12;
  for (let i = 0; i < message.readUInt16BE(4); i++) {
    while (offset < message.length && message[offset]! !== 0) offset += message[offset]! + 1;
    offset += 5; // root label + QTYPE + QCLASS
  }
  return message.subarray(12, Math.min(offset, message.length));
}

function describeQuestion(message: Buffer): string {
  try {
    const q = packet.decode(message).questions?.[0];
    return q ? `${q.name} ${q.type}` : '?';
  } catch {
    return '?';
  }
}

function framed(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

export async function startDnsFaultRelay(upstream: { address: string; port: number }): Promise<DnsFaultRelay> {
  let fault: DnsFault = 'pass';
  const queries: RelayedQuery[] = [];
  const record = (message: Buffer, transport: 'udp' | 'tcp'): RelayAction => {
    const question = describeQuestion(message);
    const action = fault !== 'servfail-txt' ? fault : question.endsWith(' TXT') ? 'servfail' : 'pass';
    queries.push({ at: Date.now(), transport, question, action });
    return action;
  };

  const relayUdp = (udp: Socket4) => (message: Buffer, client: RemoteInfo) => {
    if (message.length < 12) return;
    const action = record(message, 'udp');
    if (action === 'servfail') udp.send(servfailReply(message), client.port, client.address);
    if (action !== 'pass') return;
    const forwarder = createSocket('udp4');
    const timer = setTimeout(() => forwarder.close(), UPSTREAM_TIMEOUT_MS);
    forwarder.on('error', () => forwarder.close());
    forwarder.on('message', (reply) => {
      clearTimeout(timer);
      forwarder.close();
      udp.send(reply, client.port, client.address);
    });
    forwarder.send(message, upstream.port, upstream.address);
  };

  const sockets = new Set<Socket>();
  const tcp = createServer((client) => {
    sockets.add(client);
    let upstreamSocket: Socket | undefined;
    let buffered = Buffer.alloc(0);
    const closeBoth = () => {
      client.destroy();
      upstreamSocket?.destroy();
      sockets.delete(client);
    };
    client.on('error', closeBoth);
    client.on('close', closeBoth);
    client.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + message.length);
        const action = record(message, 'tcp');
        if (action === 'servfail') client.write(framed(servfailReply(message)));
        if (action !== 'pass') continue;
        if (!upstreamSocket) {
          upstreamSocket = connect({ host: upstream.address, port: upstream.port });
          upstreamSocket.on('data', (reply) => client.write(reply));
          upstreamSocket.on('error', closeBoth);
          upstreamSocket.on('close', closeBoth);
        }
        upstreamSocket.write(framed(message));
      }
    });
  });

  // One port for both transports: take a free TCP port, then bind UDP to it (retry on a clash).
  let udp: Socket4;
  for (;;) {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, HOST, () => resolve());
    });
    const port = (tcp.address() as { port: number }).port;
    const candidate = createSocket('udp4');
    const bound = await new Promise<boolean>((resolve) => {
      candidate.once('error', () => resolve(false));
      candidate.bind(port, HOST, () => resolve(true));
    });
    if (bound) {
      udp = candidate;
      udp.on('message', relayUdp(udp));
      break;
    }
    candidate.close();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }
  const port = (tcp.address() as { port: number }).port;
  return {
    port,
    nameserver: `${HOST}:${port}`,
    setFault: (next) => {
      fault = next;
    },
    queries,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    },
  };
}

/**
 * Sends one DNS message to one server and returns its reply: UDP (retried on timeout), TCP with the
 * two-byte length prefix, or UDP falling back to TCP when the reply is truncated (RFC 1035 §4.2).
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { connect } from 'node:net';

export interface DnsServer {
  host: string;
  port: number;
}

export type DnsProtocol = 'UDP' | 'TCP';

export interface ExchangeOptions {
  protocol: DnsProtocol;
  /** Per attempt. */
  timeoutMs?: number;
  /** UDP attempts before giving up. */
  udpAttempts?: number;
}

const TRUNCATED = 1 << 9;
const DEFAULT_TIMEOUT_MS = 3_000;

/**
 * `host[:port]` as DNS01RFC2136.nameserver takes it: IPv6 in brackets when a port follows, bare
 * IPv6 allowed without one, port 53 by default.
 */
export function parseNameserver(value: string): DnsServer {
  const text = value.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const [host, port] = bracketed
    ? [bracketed[1]!, bracketed[2]]
    : isIPv6(text)
      ? [text, undefined]
      : ((): [string, string | undefined] => {
          const i = text.lastIndexOf(':');
          return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
        })();
  const portNumber = port === undefined ? 53 : Number(port);
  if (!host || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535 || (port !== undefined && !/^\d+$/.test(port))) {
    throw new Error(`invalid nameserver "${value}": want host[:port] (IPv6 in brackets when a port is given)`);
  }
  return { host, port: portNumber };
}

function describe(server: DnsServer): string {
  return isIPv6(server.host) ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

function exchangeUdpOnce(server: DnsServer, message: Buffer, timeoutMs: number): Promise<Buffer> {
  const id = message.readUInt16BE(0);
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
    const done = (err: Error | undefined, reply?: Buffer): void => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => done(new Error(`no UDP reply from ${describe(server)} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (err) => done(new Error(`UDP to ${describe(server)}: ${err.message}`)));
    socket.on('message', (reply) => {
      // A reply to some other (earlier, timed-out) query is not ours: keep waiting.
      if (reply.length >= 12 && reply.readUInt16BE(0) === id) done(undefined, reply);
    });
    socket.send(message, server.port, server.host);
  });
}

function exchangeTcp(server: DnsServer, message: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    let received = Buffer.alloc(0);
    const done = (err: Error | undefined, reply?: Buffer): void => {
      socket.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no TCP reply from ${describe(server)} within ${timeoutMs} ms`)));
    socket.on('error', (err) => done(new Error(`TCP to ${describe(server)}: ${err.message}`)));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      socket.write(Buffer.concat([length, message]));
    });
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        done(undefined, received.subarray(2, 2 + received.readUInt16BE(0)));
      }
    });
    socket.on('end', () => done(new Error(`TCP connection to ${describe(server)} closed before a full reply`)));
  });
}

async function exchangeUdp(server: DnsServer, message: Buffer, timeoutMs: number, attempts: number): Promise<Buffer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await exchangeUdpOnce(server, message, timeoutMs);
    } catch (err) {
      if (attempt >= attempts) throw err;
    }
  }
}

/** One query/reply exchange; a truncated UDP reply is asked again over TCP. */
export async function exchange(server: DnsServer, message: Buffer, options: ExchangeOptions): Promise<Buffer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (options.protocol === 'TCP') return exchangeTcp(server, message, timeoutMs);
  const reply = await exchangeUdp(server, message, timeoutMs, options.udpAttempts ?? 2);
  return reply.readUInt16BE(2) & TRUNCATED ? exchangeTcp(server, message, timeoutMs) : reply;
}

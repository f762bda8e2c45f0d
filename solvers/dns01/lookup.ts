/**
 * DNS lookups against chosen servers: `host:port` entries through node:dns `Resolver` (c-ares) and
 * `https://` entries through DNS-over-HTTPS (RFC 8484, dns-packet wire format), behind one shape.
 * "No such record" comes back as node:dns does it (ENODATA, ENOTFOUND); anything else means the
 * server could not say.
 */
import { Resolver } from 'node:dns/promises';
import type { Answer } from 'dns-packet';

export interface SoaAnswer {
  nsname: string;
  hostmaster: string;
}

/** The node:dns/promises `Resolver` methods the DNS-01 code needs. */
export interface DnsLookup {
  resolveTxt(name: string): Promise<string[][]>;
  resolveCname(name: string): Promise<string[]>;
  resolveSoa(name: string): Promise<SoaAnswer>;
  resolveNs(name: string): Promise<string[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

export interface LookupOptions {
  /** Per query attempt. */
  timeoutMs?: number;
  /** For DoH; the global fetch by default. */
  fetch?: typeof fetch;
}

/** cert-manager caps DoH response bodies at 128 KB (v1.21): a resolver cannot make us buffer more. */
export const DOH_MAX_RESPONSE_BYTES = 128 * 1024;

const DEFAULT_TIMEOUT_MS = 3_000;

/** An error shaped like node:dns's, so callers tell "no record" from "no answer" one way. */
export function dnsError(code: string, name: string, server: string): Error {
  return Object.assign(new Error(`${code} looking up ${name} at ${server}`), { code, hostname: name });
}

/** True when the server answered that the name or the record type does not exist. */
export function isNoRecord(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENODATA' || code === 'ENOTFOUND';
}

const RCODE_ERRORS: Record<string, string> = { NXDOMAIN: 'ENOTFOUND', SERVFAIL: 'ESERVFAIL', REFUSED: 'EREFUSED', FORMERR: 'EFORMERR', NOTIMP: 'ENOTIMP' };

async function readCapped(response: Response, limit: number, url: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.length;
    if (size > limit) throw new Error(`DoH response from ${url} exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

let dnsPacket: Promise<typeof import('dns-packet')> | undefined;

/** dns-packet, imported by the first DoH query: the Challenge controller loads this module in every controller. */
function loadDnsPacket(): Promise<typeof import('dns-packet')> {
  dnsPacket ??= import('dns-packet').then((module) => module.default);
  return dnsPacket;
}

function dohLookup(url: string, options: LookupOptions): DnsLookup {
  const doFetch = options.fetch ?? fetch;
  const query = async (name: string, type: Answer['type']): Promise<Answer[]> => {
    const packet = await loadDnsPacket();
    const body = packet.encode({ type: 'query', id: 0, flags: packet.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] });
    let reply: Buffer;
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/dns-message', accept: 'application/dns-message' },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      reply = await readCapped(response, DOH_MAX_RESPONSE_BYTES, url);
    } catch (err) {
      throw Object.assign(new Error(`DoH query for ${name} ${type} at ${url}: ${(err as Error).message}`), { code: 'EDOHFAILED' });
    }
    const decoded = packet.decode(reply) as ReturnType<typeof packet.decode> & { rcode?: string };
    if (decoded.rcode !== 'NOERROR') throw dnsError(RCODE_ERRORS[decoded.rcode ?? ''] ?? 'EBADRESP', name, url);
    const answers = (decoded.answers ?? []).filter((a) => a.type === type);
    if (answers.length === 0) throw dnsError('ENODATA', name, url);
    return answers;
  };
  const strings = async (name: string, type: 'CNAME' | 'NS' | 'A' | 'AAAA'): Promise<string[]> =>
    (await query(name, type)).map((a) => String((a as { data: unknown }).data));
  return {
    resolveTxt: async (name) =>
      (await query(name, 'TXT')).map((a) => {
        const data = (a as { data: Buffer | string | Array<Buffer | string> }).data;
        return (Array.isArray(data) ? data : [data]).map((chunk) => chunk.toString());
      }),
    resolveCname: (name) => strings(name, 'CNAME'),
    resolveNs: (name) => strings(name, 'NS'),
    resolve4: (name) => strings(name, 'A'),
    resolve6: (name) => strings(name, 'AAAA'),
    resolveSoa: async (name) => {
      const [soa] = await query(name, 'SOA');
      const data = (soa as { data: { mname: string; rname: string } }).data;
      return { nsname: data.mname, hostmaster: data.rname };
    },
  };
}

/** Lookups against one server: `host:port` (or `[v6]:port`, port 53 by default) or an `https://` DoH URL. */
export function lookupVia(server: string, options: LookupOptions = {}): DnsLookup {
  if (server.startsWith('https://')) return dohLookup(server, options);
  const resolver = new Resolver({ timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, tries: 2 });
  resolver.setServers([server]);
  return resolver;
}

/**
 * Lookups against several servers in order: the first that answers (a record, or that there is
 * none) decides; a server that cannot answer (timeout, SERVFAIL, REFUSED) passes to the next.
 */
export function firstAnswering(servers: string[], options: LookupOptions = {}): DnsLookup {
  if (servers.length === 0) throw new Error('no DNS servers to ask');
  const lookups = servers.map((s) => lookupVia(s, options));
  const ask = async <T>(call: (l: DnsLookup) => Promise<T>): Promise<T> => {
    let lastError: unknown;
    for (const lookup of lookups) {
      try {
        return await call(lookup);
      } catch (err) {
        if (isNoRecord(err)) throw err;
        lastError = err;
      }
    }
    throw lastError;
  };
  return {
    resolveTxt: (name) => ask((l) => l.resolveTxt(name)),
    resolveCname: (name) => ask((l) => l.resolveCname(name)),
    resolveSoa: (name) => ask((l) => l.resolveSoa(name)),
    resolveNs: (name) => ask((l) => l.resolveNs(name)),
    resolve4: (name) => ask((l) => l.resolve4(name)),
    resolve6: (name) => ask((l) => l.resolve6(name)),
  };
}

/**
 * RFC 2136 dynamic update: adds or deletes the one TXT value in the zone on the configured
 * nameserver, TSIG-signed (RFC 8945) when a key is configured. Adding an existing value and
 * deleting an absent one are no-ops on the server, which makes present/cleanUp idempotent.
 */
import { randomInt } from 'node:crypto';
import packet from 'dns-packet';
import type { DNS01RFC2136 } from '../../api/types.js';
import { CLASS_NONE, encodeHeaderAndQuestion, encodeRecord, appendRecords, OPCODE_UPDATE } from './dns-wire.js';
import { exchange, parseNameserver, type DnsServer } from './dns-transport.js';
import type { Dns01Context, Dns01Provider, Dns01Request } from './provider.js';
import { readSecretKey } from './secrets.js';
import { parseTsigAlgorithm, signMessage, verifyResponse, type TsigKey } from './tsig.js';

/** cert-manager writes its challenge records with a 60 s TTL. */
const RECORD_TTL_SECONDS = 60;

export interface Rfc2136Options {
  /** Per exchange; cert-manager's client waits a few seconds per attempt too. */
  timeoutMs?: number;
  /** Seconds since the epoch, for TSIG's time signed (tests pin it to provoke BADTIME). */
  nowSeconds?: () => number;
}

type UpdateAction = 'add' | 'delete';

async function tsigKeyFor(config: DNS01RFC2136, request: Dns01Request, ctx: Dns01Context): Promise<TsigKey | undefined> {
  const algorithm = parseTsigAlgorithm(config.tsigAlgorithm);
  if (!config.tsigKeyName && !config.tsigSecretSecretRef) return undefined;
  if (!config.tsigKeyName || !config.tsigSecretSecretRef) {
    throw new Error('rfc2136: tsigKeyName and tsigSecretSecretRef must be set together');
  }
  const encoded = await readSecretKey(ctx, request.resourceNamespace, config.tsigSecretSecretRef, 'rfc2136 TSIG secret');
  const secret = Buffer.from(encoded, 'base64');
  if (secret.length === 0) throw new Error('rfc2136: the TSIG secret is not base64');
  return { name: config.tsigKeyName, algorithm, secret };
}

/** The update message: zone in the question, one TXT add (class IN) or delete-this-value (class NONE). */
function updateMessage(id: number, request: Dns01Request, action: UpdateAction): Buffer {
  const header = encodeHeaderAndQuestion(id, OPCODE_UPDATE, { name: request.resolvedZone, type: 'SOA', class: 'IN' });
  const record = { name: request.resolvedFQDN, type: 'TXT' as const, ttl: action === 'add' ? RECORD_TTL_SECONDS : 0, data: [request.key] };
  return appendRecords(header, 2, [action === 'add' ? encodeRecord(record) : encodeRecord(record, CLASS_NONE)]);
}

function describeFailure(action: UpdateAction, request: Dns01Request, server: DnsServer, reason: string): Error {
  return new Error(
    `rfc2136: ${action} of TXT ${request.resolvedFQDN} in zone ${request.resolvedZone} at ${server.host}:${server.port} failed: ${reason}`,
  );
}

async function sendUpdate(config: DNS01RFC2136, request: Dns01Request, ctx: Dns01Context, action: UpdateAction, options: Rfc2136Options): Promise<void> {
  const server = parseNameserver(config.nameserver);
  const key = await tsigKeyFor(config, request, ctx);
  const id = randomInt(0, 0x10000);
  const unsigned = updateMessage(id, request, action);
  const nowSeconds = options.nowSeconds?.() ?? Math.floor(Date.now() / 1000);
  const signed = key ? signMessage(unsigned, key, nowSeconds) : undefined;
  const reply = await exchange(server, signed?.message ?? unsigned, { protocol: config.protocol ?? 'UDP', timeoutMs: options.timeoutMs }).catch(
    (err: Error) => {
      throw describeFailure(action, request, server, err.message);
    },
  );
  // dns-packet decodes the rcode name but its types omit it.
  const { rcode } = packet.decode(reply) as { rcode?: string };
  const verdict = key && signed ? verifyResponse(reply, key, signed.mac) : { ok: true as const };
  if (rcode !== 'NOERROR') {
    throw describeFailure(action, request, server, verdict.ok ? String(rcode) : `${rcode} (${verdict.reason})`);
  }
  if (!verdict.ok) throw describeFailure(action, request, server, verdict.reason);
}

export function createRfc2136Provider(options: Rfc2136Options = {}): Dns01Provider {
  const configOf = (config: { rfc2136?: DNS01RFC2136 }): DNS01RFC2136 => {
    if (!config.rfc2136) throw new Error('rfc2136: solver has no rfc2136 configuration');
    return config.rfc2136;
  };
  return {
    name: 'rfc2136',
    present: (request, config, ctx) => sendUpdate(configOf(config), request, ctx, 'add', options),
    cleanUp: (request, config, ctx) => sendUpdate(configOf(config), request, ctx, 'delete', options),
  };
}

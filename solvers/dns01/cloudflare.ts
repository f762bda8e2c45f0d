/**
 * Cloudflare DNS through the v4 REST API: the zone by name, then create (if absent) or delete the
 * TXT record holding the challenge value. Auth is an API token, or the account email with the
 * global API key, both from Secrets.
 */
import type { DNS01Cloudflare } from '../../api/types.js';
import { requestJson, type HttpJsonOptions } from './http-json.js';
import type { Dns01Context, Dns01Provider, Dns01Request } from './provider.js';
import { readSecretKey } from './secrets.js';

export const CLOUDFLARE_API_URL = 'https://api.cloudflare.com/client/v4';

/** Cloudflare's minimum TTL outside Enterprise plans, as cert-manager uses. */
const RECORD_TTL_SECONDS = 120;
const PAGE_SIZE = 100;

export interface CloudflareOptions extends HttpJsonOptions {
  /** The v4 API base URL (tests point it at a double). */
  apiUrl?: string;
}

interface Envelope<T> {
  success: boolean;
  errors?: Array<{ code: number; message: string }>;
  result: T;
  result_info?: { page: number; total_pages: number };
}

interface DnsRecord {
  id: string;
  type: string;
  name: string;
  content: string;
}

async function authHeaders(config: DNS01Cloudflare, request: Dns01Request, ctx: Dns01Context): Promise<Record<string, string>> {
  if (config.apiTokenSecretRef && config.apiKeySecretRef) throw new Error('cloudflare: set apiTokenSecretRef or apiKeySecretRef, not both');
  if (config.apiTokenSecretRef) {
    return { authorization: `Bearer ${await readSecretKey(ctx, request.resourceNamespace, config.apiTokenSecretRef, 'cloudflare API token')}` };
  }
  if (config.apiKeySecretRef) {
    if (!config.email) throw new Error('cloudflare: email is required with apiKeySecretRef');
    return { 'x-auth-email': config.email, 'x-auth-key': await readSecretKey(ctx, request.resourceNamespace, config.apiKeySecretRef, 'cloudflare API key') };
  }
  throw new Error('cloudflare: one of apiTokenSecretRef or apiKeySecretRef is required');
}

/** Cloudflare may return TXT content quoted (`"value"`); the value is what is inside. */
function txtContent(content: string): string {
  return content.length >= 2 && content.startsWith('"') && content.endsWith('"') ? content.slice(1, -1) : content;
}

const withoutDot = (name: string): string => name.replace(/\.$/, '');

class CloudflareClient {
  constructor(
    private readonly headers: Record<string, string>,
    private readonly options: CloudflareOptions,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<Envelope<T>> {
    const url = `${this.options.apiUrl ?? CLOUDFLARE_API_URL}${path}`;
    const { status, body: parsed } = await requestJson(url, { method, headers: this.headers, body }, this.options);
    const envelope = parsed as Envelope<T> | undefined;
    if (status >= 300 || !envelope || envelope.success !== true) {
      const errors = envelope?.errors?.map((e) => `${e.code}: ${e.message}`).join('; ');
      throw new Error(`cloudflare: ${method} ${path} failed with HTTP ${status}${errors ? ` (${errors})` : ''}`);
    }
    return envelope;
  }

  /** Every item of a paginated list (`page`/`per_page`, stopping at `result_info.total_pages`). */
  private async all<T>(path: string, query: Record<string, string>): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const params = new URLSearchParams({ ...query, page: String(page), per_page: String(PAGE_SIZE) });
      const envelope = await this.call<T[]>('GET', `${path}?${params}`);
      items.push(...envelope.result);
      if (!envelope.result_info || page >= envelope.result_info.total_pages || envelope.result.length === 0) return items;
    }
  }

  async zoneId(zone: string): Promise<string> {
    const zones = await this.all<{ id: string; name: string }>('/zones', { name: withoutDot(zone) });
    const found = zones.find((z) => z.name.toLowerCase() === withoutDot(zone).toLowerCase());
    if (!found) throw new Error(`cloudflare: zone ${withoutDot(zone)} not found for these credentials`);
    return found.id;
  }

  async challengeRecords(zoneId: string, request: Dns01Request): Promise<DnsRecord[]> {
    const records = await this.all<DnsRecord>(`/zones/${zoneId}/dns_records`, { type: 'TXT', name: withoutDot(request.resolvedFQDN) });
    return records.filter((r) => txtContent(r.content) === request.key);
  }

  async create(zoneId: string, request: Dns01Request): Promise<void> {
    await this.call('POST', `/zones/${zoneId}/dns_records`, { type: 'TXT', name: withoutDot(request.resolvedFQDN), content: request.key, ttl: RECORD_TTL_SECONDS });
  }

  async delete(zoneId: string, recordId: string): Promise<void> {
    await this.call('DELETE', `/zones/${zoneId}/dns_records/${recordId}`);
  }
}

async function clientFor(config: { cloudflare?: DNS01Cloudflare }, request: Dns01Request, ctx: Dns01Context, options: CloudflareOptions) {
  if (!config.cloudflare) throw new Error('cloudflare: solver has no cloudflare configuration');
  const client = new CloudflareClient(await authHeaders(config.cloudflare, request, ctx), options);
  return { client, zoneId: await client.zoneId(request.resolvedZone) };
}

export function createCloudflareProvider(options: CloudflareOptions = {}): Dns01Provider {
  return {
    name: 'cloudflare',
    async present(request, config, ctx) {
      const { client, zoneId } = await clientFor(config, request, ctx, options);
      if ((await client.challengeRecords(zoneId, request)).length > 0) return;
      await client.create(zoneId, request);
    },
    async cleanUp(request, config, ctx) {
      const { client, zoneId } = await clientFor(config, request, ctx, options);
      for (const record of await client.challengeRecords(zoneId, request)) await client.delete(zoneId, record.id);
    },
  };
}

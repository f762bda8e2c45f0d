/**
 * An HTTP-level double of the Route53 REST/XML API (2013-04-01) and of STS's query API, enough for
 * the real AWS SDK to sign requests to it and parse its answers: hosted zones by name (paged),
 * TXT record sets, change batches (CREATE/UPSERT/DELETE with Route53's exact-match rule for
 * DELETE), change status, Throttling errors, AssumeRole and AssumeRoleWithWebIdentity.
 */
import type { DoubleReply, RecordedRequest } from './helpers.js';

interface Zone {
  id: string;
  name: string;
  private?: boolean;
}

interface RecordSet {
  ttl: number;
  values: string[];
}

const R53_NS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

const unescapeXml = (s: string): string =>
  s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x22;/g, '"').replace(/&amp;/g, '&');
const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const tag = (xml: string, name: string): string | undefined => {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? unescapeXml(m[1]!) : undefined;
};
const tags = (xml: string, name: string): string[] => [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1]!);

function xmlReply(body: string, status = 200): DoubleReply {
  return { status, headers: { 'content-type': 'text/xml' }, body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}` };
}

function route53Error(status: number, code: string, message: string): DoubleReply {
  return xmlReply(`<ErrorResponse xmlns="${R53_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>req-${code}</RequestId></ErrorResponse>`, status);
}

export interface AssumedRole {
  action: string;
  roleArn: string;
  webIdentityToken?: string;
  /** The access key that signed the STS call (none for web identity). */
  signedBy?: string;
}

export class Route53Double {
  zones: Zone[] = [];
  /** zone id → `name|TYPE` → record set. */
  readonly sets = new Map<string, Map<string, RecordSet>>();
  /** GetChange polls a change answers PENDING before INSYNC. */
  pendingPolls = 0;
  throttleNext = 0;
  readonly changeBatches: Array<{ zone: string; changes: Array<{ action: string; name: string; values: string[]; ttl: number }> }> = [];
  readonly assumed: AssumedRole[] = [];
  /** Access key ID and session token of every Route53 request, as signed. */
  readonly signers: Array<{ accessKeyId?: string; sessionToken?: string }> = [];
  private readonly changes = new Map<string, number>();
  private nextChange = 1;

  setTxt(zone: string, name: string, values: string[], ttl = 300): void {
    if (!this.sets.has(zone)) this.sets.set(zone, new Map());
    this.sets.get(zone)!.set(`${name}|TXT`, { ttl, values: values.map((v) => `"${v}"`) });
  }

  txt(zone: string, name: string): string[] | undefined {
    return this.sets.get(zone)?.get(`${name}|TXT`)?.values;
  }

  handle(req: RecordedRequest): DoubleReply {
    const url = new URL(req.url, 'http://x');
    const credential = /Credential=([^/]+)\//.exec(String(req.headers.authorization ?? ''))?.[1];
    if (url.pathname === '/' && req.method === 'POST') return this.sts(new URLSearchParams(req.body), credential);
    this.signers.push({ accessKeyId: credential, sessionToken: req.headers['x-amz-security-token'] as string | undefined });
    if (!credential) return route53Error(403, 'MissingAuthenticationToken', 'Missing Authentication Token');
    if (this.throttleNext > 0) {
      this.throttleNext--;
      return route53Error(400, 'Throttling', 'Rate exceeded');
    }
    const path = url.pathname.replace(/\/$/, '');
    if (req.method === 'GET' && path === '/2013-04-01/hostedzonesbyname') return this.listZones(url.searchParams);
    const rrset = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset$/.exec(path);
    if (rrset && req.method === 'GET') return this.listSets(rrset[1]!, url.searchParams);
    if (rrset && req.method === 'POST') return this.change(rrset[1]!, req.body);
    const change = /^\/2013-04-01\/change\/([^/]+)$/.exec(path);
    if (change && req.method === 'GET') return this.getChange(change[1]!);
    return route53Error(404, 'UnknownOperation', `${req.method} ${path}`);
  }

  private sts(form: URLSearchParams, signedBy: string | undefined): DoubleReply {
    const action = form.get('Action') ?? '';
    const roleArn = form.get('RoleArn') ?? '';
    this.assumed.push({ action, roleArn, webIdentityToken: form.get('WebIdentityToken') ?? undefined, signedBy });
    const accessKeyId = action === 'AssumeRoleWithWebIdentity' ? 'ASIAWEBIDENTITY' : 'ASIAASSUMEDROLE';
    return xmlReply(
      `<${action}Response xmlns="${STS_NS}"><${action}Result><Credentials><AccessKeyId>${accessKeyId}</AccessKeyId>` +
        `<SecretAccessKey>session-secret</SecretAccessKey><SessionToken>session-token-${accessKeyId}</SessionToken>` +
        `<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:certwright</AssumedRoleId>` +
        `<Arn>${escapeXml(roleArn)}</Arn></AssumedRoleUser></${action}Result><ResponseMetadata><RequestId>sts-1</RequestId></ResponseMetadata></${action}Response>`,
    );
  }

  private listZones(params: URLSearchParams): DoubleReply {
    const sorted = [...this.zones].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    const fromName = params.get('dnsname');
    const fromId = params.get('hostedzoneid');
    const start = fromName ? sorted.findIndex((z) => z.name >= fromName && (!fromId || z.name > fromName || z.id >= fromId)) : 0;
    const max = Number(params.get('maxitems') ?? 100);
    const page = start < 0 ? [] : sorted.slice(start, start + max);
    const next = start < 0 ? undefined : sorted[start + max];
    const zones = page
      .map((z) => `<HostedZone><Id>/hostedzone/${z.id}</Id><Name>${z.name}</Name><CallerReference>ref-${z.id}</CallerReference><Config><PrivateZone>${!!z.private}</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone>`)
      .join('');
    const truncated = next ? `<IsTruncated>true</IsTruncated><NextDNSName>${next.name}</NextDNSName><NextHostedZoneId>${next.id}</NextHostedZoneId>` : '<IsTruncated>false</IsTruncated>';
    return xmlReply(`<ListHostedZonesByNameResponse xmlns="${R53_NS}"><HostedZones>${zones}</HostedZones>${truncated}<MaxItems>${max}</MaxItems></ListHostedZonesByNameResponse>`);
  }

  private listSets(zone: string, params: URLSearchParams): DoubleReply {
    if (!this.zones.some((z) => z.id === zone)) return route53Error(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${zone}`);
    const name = params.get('name') ?? '';
    const type = params.get('type') ?? '';
    // Record sets in Route53's order: the first at or after (name, type). Only TXT sets exist here.
    const entries = [...(this.sets.get(zone) ?? new Map<string, RecordSet>()).entries()]
      .map(([key, set]) => ({ name: key.split('|')[0]!, type: key.split('|')[1]!, set }))
      .sort((a, b) => a.name.localeCompare(b.name))
      .filter((e) => e.name > name || (e.name === name && e.type >= type));
    const first = entries[0];
    const sets = first
      ? `<ResourceRecordSet><Name>${first.name}</Name><Type>${first.type}</Type><TTL>${first.set.ttl}</TTL><ResourceRecords>${first.set.values.map((v) => `<ResourceRecord><Value>${escapeXml(v)}</Value></ResourceRecord>`).join('')}</ResourceRecords></ResourceRecordSet>`
      : '';
    return xmlReply(`<ListResourceRecordSetsResponse xmlns="${R53_NS}"><ResourceRecordSets>${sets}</ResourceRecordSets><IsTruncated>${entries.length > 1}</IsTruncated><MaxItems>1</MaxItems></ListResourceRecordSetsResponse>`);
  }

  private change(zone: string, body: string): DoubleReply {
    if (!this.zones.some((z) => z.id === zone)) return route53Error(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${zone}`);
    const changes = tags(body, 'Change').map((xml) => ({
      action: tag(xml, 'Action')!,
      name: tag(xml, 'Name')!,
      type: tag(xml, 'Type')!,
      ttl: Number(tag(xml, 'TTL')),
      values: tags(xml, 'Value').map(unescapeXml),
    }));
    const sets = this.sets.get(zone) ?? new Map<string, RecordSet>();
    for (const c of changes) {
      const key = `${c.name}|${c.type}`;
      const current = sets.get(key);
      if (c.action === 'DELETE' && (!current || current.ttl !== c.ttl || current.values.join() !== c.values.join())) {
        return route53Error(400, 'InvalidChangeBatch', `[Tried to delete resource record set [name='${c.name}', type='${c.type}'] but the values provided do not match the current values]`);
      }
      if (c.action === 'CREATE' && current) return route53Error(400, 'InvalidChangeBatch', 'record set already exists');
    }
    for (const c of changes) {
      const key = `${c.name}|${c.type}`;
      if (c.action === 'DELETE') sets.delete(key);
      else sets.set(key, { ttl: c.ttl, values: c.values });
    }
    this.sets.set(zone, sets);
    this.changeBatches.push({ zone, changes: changes.map(({ action, name, values, ttl }) => ({ action, name, values, ttl })) });
    const id = `C${this.nextChange++}`;
    this.changes.set(id, this.pendingPolls);
    return xmlReply(`<ChangeResourceRecordSetsResponse xmlns="${R53_NS}"><ChangeInfo><Id>/change/${id}</Id><Status>PENDING</Status><SubmittedAt>2024-01-01T00:00:00.000Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>`);
  }

  private getChange(id: string): DoubleReply {
    const left = this.changes.get(id);
    if (left === undefined) return route53Error(404, 'NoSuchChange', `A change with the specified change ID does not exist: ${id}`);
    this.changes.set(id, left - 1);
    const status = left > 0 ? 'PENDING' : 'INSYNC';
    return xmlReply(`<GetChangeResponse xmlns="${R53_NS}"><ChangeInfo><Id>/change/${id}</Id><Status>${status}</Status><SubmittedAt>2024-01-01T00:00:00.000Z</SubmittedAt></ChangeInfo></GetChangeResponse>`);
  }
}

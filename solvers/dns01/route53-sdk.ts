/**
 * AWS Route53 through the AWS SDK (which signs, retries throttling and parses the XML API):
 * credentials from Secrets, ambient ones only where allowed, an assumed role (STS AssumeRole), or a
 * ServiceAccount token exchanged for a role (AssumeRoleWithWebIdentity). The TXT record set is
 * UPSERTed with the other values it holds kept, and the change is followed until INSYNC.
 */
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient, type Credentials } from '@aws-sdk/client-sts';
import type { DNS01Route53 } from '../../api/types.js';
import { SERVICE_ACCOUNT_TOKEN_SECONDS } from '../../issuers/vault/service-account-tokens.js';
import type { Dns01Context, Dns01Request } from './provider.js';
import type { Route53Options } from './route53.js';
import { readSecretKey } from './secrets.js';

/** cert-manager's TTL for Route53 challenge records. */
const RECORD_TTL_SECONDS = 10;
const DEFAULT_REGION = 'us-east-1';
const DEFAULT_AUDIENCE = 'sts.amazonaws.com';

/** The SDK's static credential identity (its type lives in a package we do not depend on directly). */
interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

type Credential = AwsCredentialIdentity | undefined;

function sessionCredentials(credentials: Credentials | undefined, how: string): AwsCredentialIdentity {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) throw new Error(`route53: ${how} returned no credentials`);
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration,
  };
}

function sessionName(): string {
  return `certwright-${Math.floor(Date.now() / 1000)}`;
}

/** The static key pair, when one is configured; throws on half a pair. */
async function staticCredentials(config: DNS01Route53, request: Dns01Request, ctx: Dns01Context): Promise<Credential> {
  if (config.accessKeyID && config.accessKeyIDSecretRef) throw new Error('route53: set accessKeyID or accessKeyIDSecretRef, not both');
  const accessKeyId = config.accessKeyIDSecretRef
    ? await readSecretKey(ctx, request.resourceNamespace, config.accessKeyIDSecretRef, 'route53 access key ID')
    : config.accessKeyID?.trim();
  const secretAccessKey = config.secretAccessKeySecretRef
    ? await readSecretKey(ctx, request.resourceNamespace, config.secretAccessKeySecretRef, 'route53 secret access key')
    : undefined;
  if (!accessKeyId && !secretAccessKey) return undefined;
  if (!accessKeyId || !secretAccessKey) throw new Error('route53: an access key ID and secretAccessKeySecretRef must be set together');
  return { accessKeyId, secretAccessKey };
}

/**
 * The credentials to call Route53 with; undefined means the SDK's ambient chain (environment,
 * shared config, instance metadata), which only an issuer allowed ambient credentials may use.
 */
async function resolveCredentials(config: DNS01Route53, request: Dns01Request, ctx: Dns01Context, options: Route53Options): Promise<Credential> {
  const region = config.region || DEFAULT_REGION;
  const serviceAccount = config.auth?.kubernetes.serviceAccountRef;
  if (serviceAccount) {
    if (!config.role) throw new Error('route53: auth.kubernetes needs role (the role to assume with the ServiceAccount token)');
    if (!options.serviceAccountToken) throw new Error('route53: no ServiceAccount token source to use auth.kubernetes with');
    const token = await options.serviceAccountToken({
      namespace: request.resourceNamespace,
      name: serviceAccount.name,
      audiences: serviceAccount.audiences ?? [DEFAULT_AUDIENCE],
      expirationSeconds: SERVICE_ACCOUNT_TOKEN_SECONDS,
    });
    const sts = new STSClient({ region, endpoint: options.stsEndpoint, maxAttempts: options.maxAttempts });
    const assumed = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: config.role, RoleSessionName: sessionName(), WebIdentityToken: token }));
    return sessionCredentials(assumed.Credentials, 'AssumeRoleWithWebIdentity');
  }
  const base = await staticCredentials(config, request, ctx);
  if (!base && !request.allowAmbientCredentials) {
    throw new Error('route53: no credentials configured and ambient credentials are not allowed for this issuer');
  }
  if (!config.role) return base;
  const sts = new STSClient({ region, endpoint: options.stsEndpoint, credentials: base, maxAttempts: options.maxAttempts });
  const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: config.role, RoleSessionName: sessionName() }));
  return sessionCredentials(assumed.Credentials, 'AssumeRole');
}

const sameName = (a: string, b: string): boolean => a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
const quoted = (value: string): string => `"${value}"`;

/** The public hosted zone whose name is the longest suffix of `fqdn`, across every page of zones. */
async function findHostedZone(client: Route53Client, fqdn: string): Promise<string> {
  let best: { id: string; name: string } | undefined;
  let next: { DNSName?: string; HostedZoneId?: string } = {};
  for (;;) {
    const page = await client.send(new ListHostedZonesByNameCommand({ ...next, MaxItems: 100 }));
    for (const zone of page.HostedZones ?? []) {
      const name = zone.Name ?? '';
      const isSuffix = sameName(name, fqdn) || `.${fqdn.replace(/\.$/, '').toLowerCase()}`.endsWith(`.${name.replace(/\.$/, '').toLowerCase()}`);
      if (!zone.Config?.PrivateZone && isSuffix && (!best || name.length > best.name.length)) best = { id: zone.Id!, name };
    }
    if (!page.IsTruncated) break;
    next = { DNSName: page.NextDNSName, HostedZoneId: page.NextHostedZoneId };
  }
  if (!best) throw new Error(`route53: no public hosted zone found for ${fqdn}`);
  return best.id.replace(/^\/hostedzone\//, '');
}

async function currentTxtSet(client: Route53Client, zoneId: string, fqdn: string): Promise<ResourceRecordSet | undefined> {
  const page = await client.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: fqdn, StartRecordType: 'TXT', MaxItems: 1 }),
  );
  const set = page.ResourceRecordSets?.[0];
  return set && set.Type === 'TXT' && sameName(set.Name ?? '', fqdn) ? set : undefined;
}

async function waitInSync(client: Route53Client, changeId: string | undefined, options: Route53Options): Promise<void> {
  if (!changeId) throw new Error('route53: ChangeResourceRecordSets returned no change ID');
  const polls = options.maxChangePolls ?? 60;
  for (let poll = 1; poll <= polls; poll++) {
    const { ChangeInfo } = await client.send(new GetChangeCommand({ Id: changeId }));
    if (ChangeInfo?.Status === 'INSYNC') return;
    await new Promise((r) => setTimeout(r, options.changePollIntervalMs ?? 2_000));
  }
  throw new Error(`route53: change ${changeId} not INSYNC after ${polls} polls`);
}

type Action = 'present' | 'cleanUp';

/** The change to the TXT set that adds or removes `value`, keeping the rest; undefined when there is nothing to do. */
function txtSetChange(current: ResourceRecordSet | undefined, fqdn: string, value: string, action: Action) {
  const values = (current?.ResourceRecords ?? []).map((r) => r.Value ?? '');
  const has = values.includes(quoted(value));
  if (action === 'present') {
    if (has) return undefined;
    const records = [...values, quoted(value)].map((Value) => ({ Value }));
    return { Action: 'UPSERT' as const, ResourceRecordSet: { Name: fqdn, Type: 'TXT' as const, TTL: current?.TTL ?? RECORD_TTL_SECONDS, ResourceRecords: records } };
  }
  if (!has || !current) return undefined;
  const rest = values.filter((v) => v !== quoted(value));
  // DELETE must name the set exactly as it is; an UPSERT with the remaining values keeps them.
  return rest.length === 0
    ? { Action: 'DELETE' as const, ResourceRecordSet: current }
    : { Action: 'UPSERT' as const, ResourceRecordSet: { ...current, ResourceRecords: rest.map((Value) => ({ Value })) } };
}

/** Presents or cleans up one TXT value (the provider in route53.ts loads this module on first use). */
export async function applyRoute53Change(config: { route53?: DNS01Route53 }, request: Dns01Request, ctx: Dns01Context, action: Action, options: Route53Options): Promise<void> {
  const route53 = config.route53;
  if (!route53) throw new Error('route53: solver has no route53 configuration');
  try {
    const credentials = await resolveCredentials(route53, request, ctx, options);
    const client = new Route53Client({ region: route53.region || DEFAULT_REGION, endpoint: options.endpoint, credentials, maxAttempts: options.maxAttempts ?? 5 });
    const zoneId = route53.hostedZoneID ? route53.hostedZoneID.replace(/^\/hostedzone\//, '') : await findHostedZone(client, request.resolvedFQDN);
    const change = txtSetChange(await currentTxtSet(client, zoneId, request.resolvedFQDN), request.resolvedFQDN, request.key, action);
    if (!change) return;
    const result = await client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [change] } }));
    await waitInSync(client, result.ChangeInfo?.Id, options);
  } catch (err) {
    if ((err as Error).message.startsWith('route53:')) throw err;
    // SDK errors: their name is the AWS error code; request IDs stay out of the message (as cert-manager redacts them).
    throw new Error(`route53: ${action} of TXT ${request.resolvedFQDN} failed: ${(err as Error).name}: ${(err as Error).message}`);
  }
}

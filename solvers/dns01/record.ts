/**
 * Which TXT record a DNS-01 challenge writes, and which zone it lives in: `_acme-challenge.<name>.`,
 * CNAME-followed under `cnameStrategy: Follow` (delegating the challenge to another zone), and the
 * zone apex found by walking up the labels until one has an SOA record (as cert-manager's
 * `FindZoneByFqdn`).
 */
import type { ACMEChallengeSolverDNS01 } from '../../api/types.js';
import { isNoRecord, type DnsLookup } from './lookup.js';
import type { Dns01Request } from './provider.js';

export type CnameStrategy = 'None' | 'Follow';

/** CNAME chains longer than this are treated as a misconfiguration (cert-manager's limit too). */
const MAX_CNAME_HOPS = 10;

/** A fully qualified name with exactly one trailing dot, lower-cased. */
export function fqdn(name: string): string {
  return `${name.toLowerCase().replace(/\.+$/, '')}.`;
}

/** `_acme-challenge.<dnsName>.`; a wildcard's record is its base name's. */
export function challengeRecordName(dnsName: string): string {
  return fqdn(`_acme-challenge.${dnsName.replace(/^\*\./, '')}`);
}

/** `name` after following its CNAME chain on `lookup`; `name` itself when it is no alias. */
export async function followCnames(name: string, lookup: DnsLookup): Promise<string> {
  const seen = new Set<string>();
  let current = fqdn(name);
  for (;;) {
    if (seen.has(current)) throw new Error(`CNAME loop at ${current} while following ${fqdn(name)}`);
    if (seen.size >= MAX_CNAME_HOPS) throw new Error(`more than ${MAX_CNAME_HOPS} CNAMEs following ${fqdn(name)}`);
    seen.add(current);
    let targets: string[];
    try {
      targets = await lookup.resolveCname(current);
    } catch (err) {
      if (isNoRecord(err)) return current;
      throw err;
    }
    if (targets.length === 0) return current;
    current = fqdn(targets[0]!);
  }
}

/** The record a challenge for `dnsName` is presented at, per `cnameStrategy` (None by default). */
export async function resolveChallengeRecord(dnsName: string, strategy: CnameStrategy | undefined, lookup: DnsLookup): Promise<string> {
  const name = challengeRecordName(dnsName);
  return strategy === 'Follow' ? followCnames(name, lookup) : name;
}

/** `a.b.c.` → [`a.b.c.`, `b.c.`, `c.`]: the candidates for a zone apex, most specific first. */
function suffixes(name: string): string[] {
  const labels = fqdn(name).slice(0, -1).split('.');
  return labels.map((_, i) => `${labels.slice(i).join('.')}.`);
}

async function isAlias(name: string, lookup: DnsLookup): Promise<boolean> {
  try {
    return (await lookup.resolveCname(name)).length > 0;
  } catch (err) {
    if (isNoRecord(err)) return false;
    throw err;
  }
}

/** Whether `candidate` is a zone apex: it has an SOA record of its own. */
async function isApex(candidate: string, lookup: DnsLookup): Promise<boolean> {
  let soaError: unknown;
  try {
    await lookup.resolveSoa(candidate);
  } catch (err) {
    if (isNoRecord(err)) return false;
    soaError = err;
  }
  // An alias is never an apex: a recursive resolver answers it with the target's SOA, and c-ares
  // rejects the answer to an SOA query that starts with a CNAME (EBADRESP).
  if (await isAlias(candidate, lookup)) return false;
  if (soaError) throw soaError;
  return true;
}

/** The apex of the zone `name` is in: the closest enclosing name with an SOA record of its own. */
export async function findZoneApex(name: string, lookup: DnsLookup): Promise<string> {
  for (const candidate of suffixes(name)) {
    try {
      if (await isApex(candidate, lookup)) return candidate;
    } catch (err) {
      throw new Error(`finding the zone of ${fqdn(name)}: lookup at ${candidate} failed: ${(err as Error).message}`);
    }
  }
  throw new Error(`no zone found for ${fqdn(name)}: no enclosing name has an SOA record`);
}

/** What the Challenge controller knows about a DNS-01 challenge before its record is resolved. */
export type Dns01ChallengeInput = Omit<Dns01Request, 'resolvedFQDN' | 'resolvedZone'>;

/**
 * The provider request for a challenge: the record per the solver's `cnameStrategy` and the zone
 * it lives in, both looked up on `lookup` (the recursive nameservers).
 */
export async function resolveDns01Request(challenge: Dns01ChallengeInput, config: ACMEChallengeSolverDNS01, lookup: DnsLookup): Promise<Dns01Request> {
  const dnsName = challenge.dnsName.replace(/^\*\./, '');
  const resolvedFQDN = await resolveChallengeRecord(dnsName, config.cnameStrategy, lookup);
  return { ...challenge, dnsName, resolvedFQDN, resolvedZone: await findZoneApex(resolvedFQDN, lookup) };
}

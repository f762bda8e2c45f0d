/**
 * The DNS-01 self-check: one non-blocking look at whether the TXT value is visible where the ACME
 * server will look. By default every authoritative nameserver of the zone is asked directly (not at
 * the mercy of a recursive resolver's cache); with recursive-only (the flag, or per-solver
 * nameservers) every configured recursive server, `host:port` or DoH, must return it. The Challenge
 * controller calls this again after `--dns01-check-retry-period`; nothing here sleeps.
 */
import { getServers } from 'node:dns';
import type { ACMEChallengeSolver } from '../../api/types.js';
import { parseDuration } from '../../api/duration.js';
import { firstAnswering, isNoRecord, lookupVia, type DnsLookup, type LookupOptions } from './lookup.js';
import { findZoneApex, fqdn } from './record.js';

export interface SelfCheckOptions extends LookupOptions {
  /** `--dns01-recursive-nameservers` or the solver's `nameservers`; the system's (/etc/resolv.conf) when empty. */
  recursiveNameservers?: string[];
  /** `--dns01-recursive-nameservers-only`: never ask the authoritative servers. */
  recursiveOnly?: boolean;
  /** The port authoritative nameservers listen on: 53 (tests run bind9 elsewhere). */
  authoritativePort?: number;
  /** The record's zone apex when already known (the request's `resolvedZone`): not looked up again. */
  zone?: string;
}

export interface PropagationResult {
  propagated: boolean;
  /** Which server lacks the value and what it returned, or which servers all have it. */
  detail: string;
}

/** cert-manager's fallback when no resolver is configured at all. */
const FALLBACK_RECURSIVE = ['8.8.8.8:53', '8.8.4.4:53'];

/** The recursive servers to use: configured ones, else the system's, else public ones. */
export function recursiveNameservers(configured: string[] | undefined): string[] {
  if (configured && configured.length > 0) return configured;
  const system = getServers();
  return system.length > 0 ? system : FALLBACK_RECURSIVE;
}

/**
 * The self-check options for a solver: its own `nameservers` replace the global recursive ones
 * and disable the authoritative check (cert-manager's semantics for the per-solver field).
 */
export function selfCheckOptionsFor(solver: ACMEChallengeSolver, flags: SelfCheckOptions): SelfCheckOptions {
  const own = solver.dns01?.nameservers;
  return own && own.length > 0 ? { ...flags, recursiveNameservers: own, recursiveOnly: true } : flags;
}

/**
 * How long is left of the solver's `waitInsteadOfSelfCheck` after presenting at `presentedAtMs`;
 * undefined when the solver wants the self-check (the default: there is no fixed wait).
 */
export function waitInsteadOfSelfCheckRemainingMs(solver: ACMEChallengeSolver, presentedAtMs: number, nowMs: number): number | undefined {
  if (solver.waitInsteadOfSelfCheck === undefined) return undefined;
  return Math.max(0, presentedAtMs + parseDuration(solver.waitInsteadOfSelfCheck) - nowMs);
}

interface Server {
  label: string;
  lookup: DnsLookup;
}

async function txtValues(lookup: DnsLookup, name: string): Promise<string[]> {
  try {
    // A long TXT value is split into 255-byte strings; the record's value is their concatenation.
    return (await lookup.resolveTxt(name)).map((chunks) => chunks.join(''));
  } catch (err) {
    if (isNoRecord(err)) return [];
    throw err;
  }
}

/** The zone's authoritative servers, each addressed by the first address its name resolves to. */
async function authoritativeServers(name: string, recursive: DnsLookup, options: SelfCheckOptions): Promise<Server[]> {
  const zone = options.zone ? fqdn(options.zone) : await findZoneApex(name, recursive);
  const nsNames = await recursive.resolveNs(zone).catch((err: Error) => {
    throw new Error(`no NS records for zone ${zone}: ${err.message}`);
  });
  const port = options.authoritativePort ?? 53;
  return Promise.all(
    nsNames.map(async (nsName) => {
      const v4 = await recursive.resolve4(nsName).catch(() => [] as string[]);
      const addresses = v4.length > 0 ? v4.map((a) => `${a}:${port}`) : (await recursive.resolve6(nsName).catch(() => [] as string[])).map((a) => `[${a}]:${port}`);
      if (addresses.length === 0) throw new Error(`nameserver ${nsName} of zone ${zone} has no address`);
      return { label: `${nsName} (${addresses[0]})`, lookup: lookupVia(addresses[0]!, options) };
    }),
  );
}

/** Why `server` does not (yet) show `value` at `record`; undefined when it does. */
async function serverVerdict(server: Server, record: string, value: string): Promise<string | undefined> {
  let values: string[];
  try {
    values = await txtValues(server.lookup, record);
  } catch (err) {
    return `TXT ${record} at ${server.label}: ${(err as Error).message}`;
  }
  if (values.includes(value)) return undefined;
  const found = values.length === 0 ? 'no TXT record' : `other values ${JSON.stringify(values)}`;
  return `TXT ${record} at ${server.label} does not have the challenge value yet (${found})`;
}

/** Whether every server the check trusts returns `value` among the TXT values of `name`. */
export async function checkTxtPropagated(name: string, value: string, options: SelfCheckOptions = {}): Promise<PropagationResult> {
  const record = fqdn(name);
  const recursive = recursiveNameservers(options.recursiveNameservers);
  let servers: Server[];
  try {
    servers = options.recursiveOnly
      ? recursive.map((server) => ({ label: server, lookup: lookupVia(server, options) }))
      : await authoritativeServers(record, firstAnswering(recursive, options), options);
  } catch (err) {
    return { propagated: false, detail: `TXT ${record}: ${(err as Error).message}` };
  }
  // Asked together; the first server in order that lacks the value is the one reported.
  const verdicts = await Promise.all(servers.map((server) => serverVerdict(server, record, value)));
  const missing = verdicts.find((v) => v !== undefined);
  if (missing) return { propagated: false, detail: missing };
  return { propagated: true, detail: `TXT ${record} has the challenge value at ${servers.map((s) => s.label).join(', ')}` };
}

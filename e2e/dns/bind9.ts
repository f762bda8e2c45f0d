/**
 * A real bind9 (`named`) on 127.0.0.1 for tests: authoritative for the zones asked for, RFC 2136
 * updates allowed only when signed with one of the generated TSIG keys, stopped by pid. Every name
 * in a zone resolves to 127.0.0.1 (`* A`), so Pebble's HTTP-01 validation reaches a local solver
 * and its DNS-01 validation reads the TXT records written here.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ACMEChallengeSolverDNS01 } from '../../api/types.js';
import { freeTcpPort } from '../../test/doubles/loopback.js';
import { startDaemon } from '../daemon.js';

export const NAMED_PATH = '/usr/sbin/named';

/** cert-manager's algorithm names (DNS01RFC2136.tsigAlgorithm) → bind's. */
export const BIND_TSIG_ALGORITHMS = {
  HMACMD5: 'hmac-md5',
  HMACSHA1: 'hmac-sha1',
  HMACSHA256: 'hmac-sha256',
  HMACSHA512: 'hmac-sha512',
} as const;

export type TsigAlgorithmName = keyof typeof BIND_TSIG_ALGORITHMS;

export interface Bind9Key {
  name: string;
  algorithm: TsigAlgorithmName;
  /** base64, as stored in the Secret `tsigSecretSecretRef` points at. */
  secret: string;
}

export interface Bind9Options {
  /** Zone apexes without trailing dot, e.g. `example.test`. */
  zones: string[];
  /** TSIG keys to create, each allowed to update every zone; named `<algorithm>-key` by default. */
  keys?: Array<{ name?: string; algorithm: TsigAlgorithmName }>;
  /** Extra zone-file lines (relative names), the same for every zone, e.g. `alias CNAME target.example.test.`. */
  records?: string[];
  /** Address to listen on; 127.0.0.1 unless a second server is wanted (127.0.0.2 is loopback too). */
  address?: string;
  /** Port to listen on (UDP and TCP); a free one by default. */
  port?: number;
}

export interface Bind9 {
  address: string;
  port: number;
  /** `address:port`, as DNS01RFC2136.nameserver and `setServers` take it. */
  nameserver: string;
  keys: Bind9Key[];
  stop(): Promise<void>;
}

/** Skips outside CI when named is absent; under `CI=true` a missing named fails the tests instead. */
export function namedMissing(): string | false {
  if (process.env.CI) return false;
  try {
    execFileSync(NAMED_PATH, ['-v'], { stdio: 'ignore' });
    return false;
  } catch {
    return `bind9 is not installed (${NAMED_PATH}); .ci/run installs it`;
  }
}

/** A port free for both TCP and UDP on `address` right now. */
async function freePort(address: string): Promise<number> {
  for (;;) {
    const port = await freeTcpPort(address);
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, address, () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
}

function zoneFile(zone: string, address: string, records: string[]): string {
  return [
    '$TTL 60',
    `@ IN SOA ns.${zone}. hostmaster.${zone}. 1 3600 600 86400 60`,
    `@ IN NS ns.${zone}.`,
    `ns IN A ${address}`,
    `@ IN A 127.0.0.1`,
    `* IN A 127.0.0.1`,
    ...records,
    '',
  ].join('\n');
}

function namedConf(dir: string, address: string, port: number, zones: string[], keys: Bind9Key[]): string {
  const keyBlocks = keys.map((k) => `key "${k.name}" { algorithm ${BIND_TSIG_ALGORITHMS[k.algorithm]}; secret "${k.secret}"; };`);
  const grants = keys.map((k) => `grant "${k.name}" zonesub ANY;`).join(' ');
  const zoneBlocks = zones.map(
    (zone) => `zone "${zone}" { type primary; file "${join(dir, `${zone}.zone`)}"; ${keys.length > 0 ? `update-policy { ${grants} };` : ''} };`,
  );
  return [
    'options {',
    `  directory "${dir}";`,
    `  pid-file none;`,
    `  session-keyfile "${join(dir, 'session.key')}";`,
    `  listen-on port ${port} { ${address}; };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    '  notify no;',
    '};',
    'controls {};',
    ...keyBlocks,
    ...zoneBlocks,
    '',
  ].join('\n');
}

export async function startBind9(options: Bind9Options): Promise<Bind9> {
  const address = options.address ?? '127.0.0.1';
  const port = options.port ?? (await freePort(address));
  const dir = await mkdtemp(join(tmpdir(), 'certwright-bind9-'));
  const keys: Bind9Key[] = (options.keys ?? []).map((k) => ({
    name: k.name ?? `${BIND_TSIG_ALGORITHMS[k.algorithm]}-key`,
    algorithm: k.algorithm,
    secret: randomBytes(32).toString('base64'),
  }));
  for (const zone of options.zones) await writeFile(join(dir, `${zone}.zone`), zoneFile(zone, address, options.records ?? []));
  const confPath = join(dir, 'named.conf');
  await writeFile(confPath, namedConf(dir, address, port, options.zones, keys));

  const named = startDaemon('named', NAMED_PATH, ['-g', '-4', '-n', '1', '-c', confPath], { dir });
  const nameserver = `${address}:${port}`;
  // named loads zones after it binds: serving means answering an SOA query for the first one.
  const resolver = new Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([nameserver]);
  try {
    await named.waitUntilServing(() => resolver.resolveSoa(options.zones[0]!), 15_000);
  } catch (err) {
    await named.stop();
    throw err;
  }
  return { address, port, nameserver, keys, stop: named.stop };
}

/**
 * An rfc2136 DNS-01 solver for `bind` signing with `key`, and the Secret `data` (base64, as the API
 * stores it) its `tsigSecretSecretRef` points at.
 */
export function rfc2136SolverFor(bind: Bind9, key: Bind9Key = bind.keys[0]!, secretName = 'tsig-secret'): { solver: ACMEChallengeSolverDNS01; secretData: Record<string, string> } {
  return {
    solver: {
      rfc2136: {
        nameserver: bind.nameserver,
        tsigKeyName: key.name,
        tsigAlgorithm: key.algorithm,
        tsigSecretSecretRef: { name: secretName, key: 'secret' },
      },
    },
    secretData: { secret: Buffer.from(key.secret).toString('base64') },
  };
}

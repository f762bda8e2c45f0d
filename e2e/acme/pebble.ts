/**
 * A real Pebble 2.4.0 (`/usr/bin/pebble`, RFC 8555 test CA) on 127.0.0.1 for tests: its own
 * listener CA and `localhost`/`127.0.0.1` certificate made with our `pki/`, free ports, no
 * validation sleep, and a real bind9 as its DNS (every name in the test zones resolves to
 * 127.0.0.1, so HTTP-01 validation reaches the local solver listener on `httpPort`, and DNS-01 reads
 * the TXT records written there by RFC 2136). Stopped by pid.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodePrivateKeyPem, generateCsr, generatePrivateKey, selfSignCertificate, signCertificate } from '../../pki/index.js';
import { freeTcpPort } from '../../test/doubles/loopback.js';
import { startDaemon } from '../daemon.js';
import { startBind9, type Bind9 } from '../dns/bind9.js';

/** Re-exported for bench/acme. */
export { freeTcpPort };

export const PEBBLE_PATH = '/usr/bin/pebble';
/** The zone every test name lives in; `*.acme.test` resolves to 127.0.0.1. */
export const TEST_ZONE = 'acme.test';

/** Skips outside CI when pebble is absent; under `CI=true` a missing pebble fails the tests instead. */
export function pebbleMissing(): string | false {
  if (process.env.CI) return false;
  return existsSync(PEBBLE_PATH) ? false : `pebble is not installed (${PEBBLE_PATH}); .ci/run installs it`;
}

export interface PebbleOptions {
  /** Port the VA connects to for HTTP-01 (where certwright's solver listener must be); a free one by default. */
  httpPort?: number;
  /** EAB key id → base64url HMAC key; when given, EAB is required. */
  externalAccountMacKeys?: Record<string, string>;
  /** Lifetime of issued certificates in seconds (Pebble's default is 5 years). */
  certificateValidityPeriod?: number;
  /** PEBBLE_WFE_NONCEREJECT: percentage of valid nonces rejected with badNonce (Pebble's default 5). */
  nonceRejectPercent?: number;
  /** PEBBLE_AUTHZREUSE: percentage of valid authorizations reused (Pebble's default 50). */
  authzReusePercent?: number;
  /** PEBBLE_ALTERNATE_ROOTS: number of alternate chains offered. */
  alternateRoots?: number;
  /** An already running bind9 to use as Pebble's DNS (serving {@link TEST_ZONE}); one is started otherwise. */
  dns?: Bind9;
}

export interface Pebble {
  /** `https://127.0.0.1:<port>/dir`. */
  directoryUrl: string;
  /** The management API (`/roots/0`, `/intermediates/0`). */
  managementUrl: string;
  /** PEM of the CA that signed Pebble's listener certificate (for caBundle). */
  listenerCaPem: string;
  /** Pebble's listener certificate and key (`localhost`, `127.0.0.1`), for a front that should be trusted the same way. */
  listenerCertificatePem: string;
  listenerKeyPem: string;
  httpPort: number;
  dns: Bind9;
  /** The current issuing root (index 0 = default chain). */
  rootPem(index?: number): Promise<string>;
  /** stderr+stdout tail, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** A CA and a `localhost`/`127.0.0.1` server certificate it signed, for Pebble's HTTPS listener. */
export async function listenerCertificate(): Promise<{ caPem: string; certificatePem: string; keyPem: string }> {
  const now = new Date();
  const caKey = await generatePrivateKey({ algorithm: 'ECDSA', size: 256 });
  const ca = await selfSignCertificate(await generateCsr({ commonName: `certwright test pebble listener CA ${randomBytes(3).toString('hex')}`, isCA: true }, caKey), { isCA: true, now, durationMs: 86_400_000 }, caKey);
  const key = await generatePrivateKey({ algorithm: 'ECDSA', size: 256 });
  const server = await signCertificate(
    await generateCsr({ commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }, key),
    { now, durationMs: 86_400_000 },
    { certificate: ca.certificatePem, privateKey: caKey },
  );
  return { caPem: ca.certificatePem, certificatePem: server.certificatePem, keyPem: encodePrivateKeyPem(key) };
}

function httpsGet(url: string, caPem: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca: caPem }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

export async function startPebble(options: PebbleOptions = {}): Promise<Pebble> {
  if (options.dns) return startPebbleWith(options, options.dns, async () => {});
  const dns = await startBind9({ zones: [TEST_ZONE], keys: [{ algorithm: 'HMACSHA256' }] });
  try {
    return await startPebbleWith(options, dns, () => dns.stop());
  } catch (err) {
    await dns.stop();
    throw err;
  }
}

async function startPebbleWith(options: PebbleOptions, dns: Bind9, stopDns: () => Promise<void>): Promise<Pebble> {
  const dir = await mkdtemp(join(tmpdir(), 'certwright-pebble-'));
  const listener = await listenerCertificate();
  const [port, managementPort, tlsPort] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
  const httpPort = options.httpPort ?? (await freeTcpPort());
  await writeFile(join(dir, 'cert.pem'), listener.certificatePem);
  await writeFile(join(dir, 'key.pem'), listener.keyPem);
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${port}`,
      managementListenAddress: `127.0.0.1:${managementPort}`,
      certificate: join(dir, 'cert.pem'),
      privateKey: join(dir, 'key.pem'),
      httpPort,
      tlsPort,
      ocspResponderURL: '',
      externalAccountBindingRequired: options.externalAccountMacKeys !== undefined,
      ...(options.externalAccountMacKeys ? { externalAccountMACKeys: options.externalAccountMacKeys } : {}),
      ...(options.certificateValidityPeriod !== undefined ? { certificateValidityPeriod: options.certificateValidityPeriod } : {}),
    },
  };
  await writeFile(join(dir, 'pebble.json'), JSON.stringify(config));
  const env = {
    ...process.env,
    PEBBLE_VA_NOSLEEP: '1',
    PEBBLE_WFE_NONCEREJECT: String(options.nonceRejectPercent ?? 5),
    PEBBLE_AUTHZREUSE: String(options.authzReusePercent ?? 50),
    ...(options.alternateRoots !== undefined ? { PEBBLE_ALTERNATE_ROOTS: String(options.alternateRoots) } : {}),
  };
  const pebble = startDaemon('pebble', PEBBLE_PATH, ['-config', join(dir, 'pebble.json'), '-dnsserver', dns.nameserver, '-strict=false'], { dir, env });
  const stop = async (): Promise<void> => {
    await pebble.stop();
    await stopDns();
  };

  const directoryUrl = `https://127.0.0.1:${port}/dir`;
  const managementUrl = `https://127.0.0.1:${managementPort}`;
  try {
    await pebble.waitUntilServing(async () => (await httpsGet(directoryUrl, listener.caPem)).status === 200, 15_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    directoryUrl,
    managementUrl,
    listenerCaPem: listener.caPem,
    listenerCertificatePem: listener.certificatePem,
    listenerKeyPem: listener.keyPem,
    httpPort,
    dns,
    rootPem: async (index = 0) => (await httpsGet(`${managementUrl}/roots/${index}`, listener.caPem)).body,
    output: pebble.output,
    stop,
  };
}

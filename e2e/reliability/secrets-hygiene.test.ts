/**
 * R5 secrets hygiene: run issuance of every key type and encoding, keystores, renewals and
 * failures with trace-level logs, then scan everything a user or an operator can read — every log
 * line, every Event, the status of every cert-manager object, the /metrics page — for any private
 * key the run produced (every version of every Secret, watched from the start, including the
 * short-lived next-private-key Secrets), as a PEM block, base64 of its DER, or hex of its DER.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createPrivateKey } from 'node:crypto';
import type { Certificate } from '../../api/types.js';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { applyManifests } from '../../cli/manifests.js';
import { startManager, type Manager } from '../../controller/manager.js';
import { createLogger } from '../../controller/observability/log.js';
import {
  CERTIFICATE_REQUESTS,
  CERTIFICATES,
  CLUSTER_ISSUERS,
  EVENTS,
  ISSUERS,
  SECRETS,
} from '../../controller/runtime/resources.js';
import type { WatchStream } from '../../controller/runtime/client.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { encodePrivateKeyPem, generatePrivateKey } from '../../pki/index.js';
import { eventually, tempDataDir } from '../../test/controller/certificates/reconciler-harness.js';

const NAMESPACE = 'r5-hygiene';
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

const logLines: string[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});

/** DER of every private key seen in any Secret version, by hex (deduplicated). */
const privateKeys = new Map<string, Buffer>();

function collectKeys(secret: KubeSecret): void {
  for (const [name, value] of Object.entries(secret.data ?? {})) {
    const text = Buffer.from(value, 'base64').toString('utf8');
    if (!/PRIVATE KEY-----/.test(text) && name !== 'key.der') continue;
    try {
      const key = name === 'key.der' ? createPrivateKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'pkcs8' }) : createPrivateKey(text);
      for (const der of [key.export({ format: 'der', type: 'pkcs8' })]) privateKeys.set(der.toString('hex'), der);
      if (key.asymmetricKeyType === 'rsa') {
        const pkcs1 = key.export({ format: 'der', type: 'pkcs1' });
        privateKeys.set(pkcs1.toString('hex'), pkcs1);
      }
      if (key.asymmetricKeyType === 'ec') {
        const sec1 = key.export({ format: 'der', type: 'sec1' });
        privateKeys.set(sec1.toString('hex'), sec1);
      }
    } catch {
      // Not parseable (a deliberately corrupt Secret): nothing to look for.
    }
  }
}

const certificate = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { namespace: NAMESPACE, name },
  spec: { secretName: `${name}-tls`, dnsNames: [`${name}.r5.example.com`], issuerRef: { name: 'r5-ca', kind: 'Issuer' }, ...spec },
});

let cluster: LocalCluster;
let manager: Manager;
let secretWatch: WatchStream;
const dataDir = tempDataDir('certwright-r5-');
const NAMES = ['ecdsa', 'rsa-pkcs1', 'ed25519', 'keystores', 'combined', 'renewed'];

before(async () => {
  cluster = await startLocalCluster({ dataDir: dataDir.path });
  manager = await startManager({
    kubeConfig: cluster.kubeConfig,
    logger: createLogger({ level: 'trace', destination: logSink }),
    metricsAddress: '127.0.0.1:0',
  });
  secretWatch = manager.client.watch<KubeSecret>(SECRETS, { resourceVersion: '0' }, (event) => {
    if (event.type !== 'BOOKMARK') collectKeys(event.object as KubeSecret);
  });
  // A CA Secret whose key does not match the certificate: its key must not leak through the error path.
  const strayKey = await generatePrivateKey({ algorithm: 'ECDSA', size: 256 });
  await applyManifests(manager.client, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: NAMESPACE, name: 'keystore-password' }, data: { password: b64('changeit') } },
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace: NAMESPACE, name: 'r5-selfsigned' }, spec: { selfSigned: {} } },
    certificate('r5-root', { isCA: true, commonName: 'r5 root', secretName: 'r5-root-tls', issuerRef: { name: 'r5-selfsigned', kind: 'Issuer' }, dnsNames: undefined }),
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace: NAMESPACE, name: 'r5-ca' }, spec: { ca: { secretName: 'r5-root-tls' } } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: NAMESPACE, name: 'stray-ca' },
      data: { 'tls.crt': b64('not a certificate'), 'tls.key': b64(encodePrivateKeyPem(strayKey, 'PKCS8')) },
    },
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace: NAMESPACE, name: 'r5-broken' }, spec: { ca: { secretName: 'stray-ca' } } },
    certificate('ecdsa', { privateKey: { algorithm: 'ECDSA', size: 384 } }),
    certificate('rsa-pkcs1', { privateKey: { algorithm: 'RSA', size: 2048, encoding: 'PKCS1' } }),
    certificate('ed25519', { privateKey: { algorithm: 'Ed25519', encoding: 'PKCS8' } }),
    certificate('keystores', {
      keystores: {
        pkcs12: { create: true, passwordSecretRef: { name: 'keystore-password', key: 'password' } },
        jks: { create: true, passwordSecretRef: { name: 'keystore-password', key: 'password' } },
      },
    }),
    certificate('combined', { additionalOutputFormats: [{ type: 'DER' }, { type: 'CombinedPEM' }] }),
    certificate('renewed', {}),
    certificate('unissuable', { issuerRef: { name: 'r5-broken', kind: 'Issuer' } }),
  ]);
  const ready = (name: string) => async () => {
    const c = await manager.client.get<Certificate>(CERTIFICATES, { namespace: NAMESPACE, name });
    return c?.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ? c : undefined;
  };
  for (const name of NAMES) await eventually(ready(name), `${name} Ready`, 60_000);
  // A renewal with a new key (rotationPolicy Always), the way `cmctl renew` asks for one.
  const renewed = (await ready('renewed')())!;
  const issuing = { type: 'Issuing', status: 'True', reason: 'ManuallyTriggered', message: 'Certificate re-issuance manually triggered', lastTransitionTime: new Date().toISOString() } as const;
  await manager.client.updateStatus(CERTIFICATES, { ...renewed, status: { ...renewed.status, conditions: [...(renewed.status?.conditions ?? []), issuing] } });
  await eventually(async () => {
    const c = await manager.client.get<Certificate>(CERTIFICATES, { namespace: NAMESPACE, name: 'renewed' });
    return (c?.status?.revision ?? 0) >= 2 || undefined;
  }, 'renewed reissued', 60_000);
});

after(async () => {
  secretWatch?.stop();
  await manager?.stop();
  await cluster?.close();
  dataDir.remove();
});

/** Every spelling of every key a reader could spot. */
function needles(): { what: string; text: string }[] {
  const found: { what: string; text: string }[] = [];
  for (const der of privateKeys.values()) {
    found.push({ what: 'key DER as base64', text: der.toString('base64').slice(0, 48) });
    found.push({ what: 'key DER as hex', text: der.toString('hex').slice(0, 64) });
    // The tail holds the secret scalar for EC/Ed25519 keys; look for it on its own too.
    found.push({ what: 'key DER tail as base64', text: der.subarray(der.length - 32).toString('base64').slice(0, 40) });
    found.push({ what: 'key DER tail as hex', text: der.subarray(der.length - 32).toString('hex') });
  }
  return found;
}

function assertClean(where: string, text: string): void {
  assert.doesNotMatch(text, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, `${where} holds a PEM private key`);
  for (const needle of needles()) assert.ok(!text.includes(needle.text), `${where} holds a private key (${needle.what})`);
}

test('the run produced private keys to look for', () => {
  // 7 issued + the root + next keys + the stray CA key.
  assert.ok(privateKeys.size >= 10, `${privateKeys.size} keys seen`);
});

test('no log line carries a private key', () => {
  assert.ok(logLines.length >= NAMES.length, `${logLines.length} log lines at trace level`);
  for (const [i, line] of logLines.entries()) assertClean(`log line ${i}`, line);
});

test('no Event carries a private key', async () => {
  const events = await manager.client.list(EVENTS, {});
  assert.ok(events.items.length > 10);
  assertClean('events', JSON.stringify(events.items));
});

test('no status of any cert-manager object carries a private key', async () => {
  for (const type of [CERTIFICATES, CERTIFICATE_REQUESTS, ISSUERS, CLUSTER_ISSUERS]) {
    const list = await manager.client.list(type, {});
    assertClean(type.resource, JSON.stringify(list.items.map((o) => (o as { status?: unknown }).status)));
  }
});

test('the metrics page carries no private key', async () => {
  const page = await (await fetch(`${manager.metricsUrl}/metrics`)).text();
  assert.match(page, /certmanager_certificate_expiration_timestamp_seconds/);
  assertClean('/metrics', page);
});

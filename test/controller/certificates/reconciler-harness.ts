/**
 * The reconciler tests' world: the embedded API server (CRDs, admission) in a temporary data
 * directory, a manager driven by a ManualClock, and helpers that wait on the manager's caches.
 */
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Certificate, CertificateRequest, CertificateSpec, Condition } from '../../../api/types.js';
import type { KubeObject } from '../../../apiserver/admission.js';
import { startLocalCluster, type LocalCluster } from '../../../cli/local-cluster.js';
import { NAMESPACES } from '../../../cli/manifests.js';
import type { KubeSecret } from '../../../issuers/backend.js';
import { startManager, type Manager, type ManagerOptions } from '../../../controller/manager.js';
import { createLogger } from '../../../controller/observability/log.js';
import { ManualClock } from '../../../controller/runtime/clock.js';
import { CERTIFICATES, CERTIFICATE_REQUESTS, CLUSTER_ISSUERS, EVENTS, SECRETS } from '../../../controller/runtime/resources.js';
import { parseCertificate, parsePrivateKey } from '../../../pki/index.js';
import type { CoreEvent } from '../../../controller/events.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function tempDataDir(prefix = 'certwright-reconciler-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Polls `check` (real time) every `intervalMs` until it returns a value other than undefined/false. */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 15_000, intervalMs = 15): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface World {
  cluster: LocalCluster;
  manager: Manager;
  clock: ManualClock;
  namespace: string;
  /** Stops the manager (the cluster stays up). */
  stopManager(): Promise<void>;
}

export async function startWorld(options: {
  dataDir: string;
  namespace: string;
  clock?: ManualClock;
  cluster?: LocalCluster;
  manager?: Partial<ManagerOptions>;
}): Promise<World> {
  const cluster = options.cluster ?? (await startLocalCluster({ dataDir: options.dataDir }));
  const clock = options.clock ?? new ManualClock(Date.now());
  const manager = await startManager({
    kubeConfig: cluster.kubeConfig,
    clock,
    // Rate-limit waits would sleep on the manual clock: make the bucket never run dry.
    rateLimit: { qps: 1e9, burst: 1_000_000 },
    logger: createLogger({ level: (process.env.CERTWRIGHT_TEST_LOG_LEVEL as 'info') ?? 'silent' }),
    ...options.manager,
  });
  await manager.client.apply(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: options.namespace } }, { fieldManager: 'test', force: true });
  return { cluster, manager, clock, namespace: options.namespace, stopManager: () => manager.stop() };
}

export function certificateObject(namespace: string, name: string, spec: Partial<CertificateSpec>): Certificate {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { namespace, name },
    spec: { secretName: `${name}-tls`, dnsNames: [`${name}.example.test`], issuerRef: { name: 'selfsigned', kind: 'ClusterIssuer' }, privateKey: { algorithm: 'ECDSA' }, ...spec },
  };
}

export function condition(certificate: Certificate | undefined, type: string): Condition | undefined {
  return certificate?.status?.conditions?.find((c) => c.type === type);
}

export function cached(world: World, name: string): Certificate | undefined {
  return world.manager.informers.certificates.get({ namespace: world.namespace, name });
}

/** Waits until the Certificate is Ready, not issuing, at `revision` (or any, when omitted). */
export function ready(world: World, name: string, revision?: number): Promise<Certificate> {
  return eventually(() => {
    const c = cached(world, name);
    const isReady = condition(c, 'Ready')?.status === 'True' && condition(c, 'Issuing')?.status !== 'True';
    return isReady && (revision === undefined || c!.status?.revision === revision) ? c : undefined;
  }, `${name} Ready${revision ? ` at revision ${revision}` : ''}`);
}

export async function getSecret(world: World, name: string): Promise<KubeSecret> {
  return world.manager.client.get<KubeSecret>(SECRETS, { namespace: world.namespace, name });
}

export function dataOf(secret: KubeSecret, key: string): string | undefined {
  const value = secret.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/** The public key (SPKI, base64) of a PEM private key. */
export function publicKeyOf(privateKeyPem: string): string {
  return createPublicKey(parsePrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' }).toString('base64');
}

/** The public key (SPKI, base64) of the leaf in a PEM certificate chain. */
export function certificatePublicKeyOf(certificatePem: string): string {
  return createPublicKey(parseCertificate(certificatePem).pem).export({ type: 'spki', format: 'der' }).toString('base64');
}

export async function ensureSelfSignedClusterIssuer(world: World, name = 'selfsigned'): Promise<void> {
  await world.manager.client.apply(
    CLUSTER_ISSUERS,
    { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name }, spec: { selfSigned: {} } },
    { fieldManager: 'test', force: true },
  );
}

/**
 * A CA Issuer `<prefix>-ca` in `namespace`, signing with the ECDSA root `<prefix>-root` that the
 * SelfSigned Issuer `<prefix>-selfsigned` issues (Secret `<prefix>-root-tls`): objects to apply.
 */
export function caIssuerChain(namespace: string, prefix: string): KubeObject[] {
  return [
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace, name: `${prefix}-selfsigned` }, spec: { selfSigned: {} } },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { namespace, name: `${prefix}-root` },
      spec: { isCA: true, commonName: `${prefix} root`, secretName: `${prefix}-root-tls`, privateKey: { algorithm: 'ECDSA' }, issuerRef: { name: `${prefix}-selfsigned`, kind: 'Issuer' } },
    },
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { namespace, name: `${prefix}-ca` }, spec: { ca: { secretName: `${prefix}-root-tls` } } },
  ];
}

export async function requests(world: World): Promise<CertificateRequest[]> {
  return (await world.manager.client.list<CertificateRequest>(CERTIFICATE_REQUESTS, { namespace: world.namespace })).items;
}

export async function eventsFor(world: World, name: string): Promise<CoreEvent[]> {
  await world.manager.events.flush();
  const all = (await world.manager.client.list<CoreEvent>(EVENTS, { namespace: world.namespace })).items;
  return all.filter((e) => e.involvedObject.kind === 'Certificate' && e.involvedObject.name === name);
}

/**
 * Resolves once the Certificate controller has had nothing to do for a while (real time): the
 * only way to assert that something does *not* happen.
 */
export async function settled(world: World, quietMs = 250): Promise<void> {
  const controller = world.manager.certificates!.controller;
  let quietSince = Date.now();
  await eventually(() => {
    const busy = controller.queue.length > 0 || controller.queue.inFlight > 0 || world.manager.certificates!.pendingWrites.size > 0;
    if (busy) quietSince = Date.now();
    return Date.now() - quietSince >= quietMs;
  }, 'the certificate controller to settle');
}

export async function createCertificate(world: World, name: string, spec: Partial<CertificateSpec> = {}): Promise<Certificate> {
  return world.manager.client.create<Certificate>(CERTIFICATES, certificateObject(world.namespace, name, spec));
}

/** Moves the manual clock to `at` and lets the controllers react. */
export function moveClockTo(world: World, at: number): void {
  assert.ok(at >= world.clock.now(), 'the clock only moves forward');
  world.clock.set(at);
}

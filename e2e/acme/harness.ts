/**
 * What the ACME e2e files share: a Pebble (with bind9 as its DNS), the embedded API server and a
 * manager (serving /metrics) whose HTTP-01 listener sits on the port Pebble validates against, plus
 * small helpers to create Issuers and Certificates and wait for them.
 */
import { randomBytes } from 'node:crypto';
import type { ACMEIssuer, Certificate, CertificateSpec, Issuer } from '../../api/types.js';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { applyManifests } from '../../cli/manifests.js';
import type { AcmeOptions } from '../../controller/acme/components.js';
import { startManager, type Manager } from '../../controller/manager.js';
import { createLogger, type ControllerLogger } from '../../controller/observability/log.js';
import { CERTIFICATES, ISSUERS, SECRETS, type ResourceType } from '../../controller/runtime/resources.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { parseCertificateChain, type CertificateInfo } from '../../pki/index.js';
import { eventually, tempDataDir } from '../../test/controller/certificates/reconciler-harness.js';
import { freeTcpPort } from '../../test/doubles/loopback.js';
import { startPebble, TEST_ZONE, type Pebble, type PebbleOptions } from './pebble.js';

export const NAMESPACE = 'acme-e2e';
export const rand = (): string => randomBytes(4).toString('hex');
export const testName = (label = 'www'): string => `${label}-${rand()}.${TEST_ZONE}`;
const b64 = (text: string) => Buffer.from(text).toString('base64');

export interface AcmeEnv {
  pebble: Pebble;
  cluster: LocalCluster;
  manager: Manager;
  /** Stops the manager only (the API server keeps its data), for kill/resume tests. */
  restartManager(): Promise<Manager>;
  close(): Promise<void>;
}

/** `logger` replaces the silent one (ACME_E2E_LOG sets its level), for tests that read the controller's logs. */
export async function startAcmeEnv(pebbleOptions: PebbleOptions = {}, acmeOptions: AcmeOptions = {}, logger?: ControllerLogger): Promise<AcmeEnv> {
  const httpPort = await freeTcpPort();
  const pebble = await startPebble({ ...pebbleOptions, httpPort });
  const dataDir = tempDataDir('certwright-acme-');
  let cluster: LocalCluster | undefined;
  let manager: Manager | undefined;
  const start = () =>
    startManager({
      kubeConfig: cluster!.kubeConfig,
      logger: logger ?? createLogger({ level: (process.env.ACME_E2E_LOG ?? 'silent') as 'silent' }),
      metricsAddress: '127.0.0.1:0',
      acme: {
        http01SolverAddress: `127.0.0.1:${httpPort}`,
        // In service mode the self-check goes where Pebble validates (port 80 in production).
        http01SelfCheckPort: httpPort,
        http01SolverNameservers: [pebble.dns.nameserver],
        dns01RecursiveNameservers: [pebble.dns.nameserver],
        dns01AuthoritativePort: pebble.dns.port,
        checkRetryPeriodMs: 200,
        pollIntervalMs: 200,
        ...acmeOptions,
      },
    });
  try {
    cluster = await startLocalCluster({ dataDir: dataDir.path });
    manager = await start();
    await applyManifests(manager.client, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }]);
  } catch (err) {
    await manager?.stop();
    await cluster?.close();
    await pebble.stop();
    dataDir.remove();
    throw err;
  }
  const env: AcmeEnv = {
    pebble,
    cluster,
    manager,
    restartManager: async () => {
      await env.manager.stop();
      env.manager = await start();
      return env.manager;
    },
    close: async () => {
      await env.manager.stop();
      await cluster!.close();
      await pebble.stop();
      dataDir.remove();
    },
  };
  return env;
}

/** An ACME Issuer for `pebble` trusting its listener CA, solving HTTP-01 with the local listener. */
export function acmeIssuerSpec(pebble: Pebble, extra: Partial<ACMEIssuer> = {}): ACMEIssuer {
  return {
    server: pebble.directoryUrl,
    email: 'e2e@example.test',
    privateKeySecretRef: { name: `acme-account-${rand()}` },
    caBundle: b64(pebble.listenerCaPem),
    solvers: [{ http01: { ingress: {} } }],
    ...extra,
  };
}

export async function createIssuer(env: AcmeEnv, name: string, acme: ACMEIssuer): Promise<Issuer> {
  return env.manager.client.create<Issuer>(ISSUERS, { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: { name, namespace: NAMESPACE }, spec: { acme } });
}

export async function createSecret(env: AcmeEnv, name: string, data: Record<string, string>): Promise<void> {
  await env.manager.client.create<KubeSecret>(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: NAMESPACE }, data });
}

export async function createCertificate(env: AcmeEnv, name: string, issuer: string, spec: Partial<CertificateSpec>): Promise<void> {
  await env.manager.client.create<Certificate>(CERTIFICATES, {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name, namespace: NAMESPACE },
    spec: { secretName: `${name}-tls`, issuerRef: { name: issuer }, ...spec },
  });
}

/** `eventually` with the ACME tests' defaults: up to 40 s, polling every 100 ms. */
export function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 40_000): Promise<T> {
  return eventually(probe, what, timeoutMs, 100);
}

/** Waits until the API server no longer has `type` `name` in {@link NAMESPACE}. */
export async function waitForDeleted(env: AcmeEnv, type: ResourceType, name: string): Promise<void> {
  await waitFor(async () => ((await env.manager.client.find(type, { namespace: NAMESPACE, name })) ? undefined : true), `${type.kind} ${name} deleted`);
}

export function condition(obj: { status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> } } | undefined, type: string) {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

export async function waitForIssuerReady(env: AcmeEnv, name: string): Promise<Issuer> {
  return waitFor(() => {
    const issuer = env.manager.informers.issuers.get({ namespace: NAMESPACE, name });
    return condition(issuer, 'Ready')?.status === 'True' ? issuer : undefined;
  }, `issuer ${name} Ready: ${JSON.stringify(condition(env.manager.informers.issuers.get({ namespace: NAMESPACE, name }), 'Ready'))}`);
}

export async function waitForCertificateReady(env: AcmeEnv, name: string, timeoutMs?: number): Promise<Certificate> {
  return waitFor(
    () => {
      const certificate = env.manager.informers.certificates.get({ namespace: NAMESPACE, name });
      return condition(certificate, 'Ready')?.status === 'True' ? certificate : undefined;
    },
    `certificate ${name} Ready`,
    timeoutMs,
  );
}

/** The issued chain in the Certificate's Secret. */
export async function issuedChain(env: AcmeEnv, certificate: Certificate): Promise<CertificateInfo[]> {
  const secret = await env.manager.client.get<KubeSecret>(SECRETS, { namespace: NAMESPACE, name: certificate.spec.secretName });
  return parseCertificateChain(Buffer.from(secret.data?.['tls.crt'] ?? '', 'base64').toString('utf8'));
}

/**
 * Test harness: the embedded API server with certwright's CRDs and admission, the real client,
 * started informers over CertificateRequests (with the signer's indexes), Issuers, ClusterIssuers
 * and owned Secrets, and an events recorder — what the controller tests run against.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../apiserver/admission.js';
import { startApiServer, type ApiServer } from '../../apiserver/index.js';
import { certwrightAdmission } from '../../api/admission.js';
import type { CertificateRequest, ClusterIssuer, Condition, Issuer } from '../../api/types.js';
import { certificateRequestIndexers } from '../../controller/certificaterequests/indexes.js';
import { KubeEventRecorder, type CoreEvent } from '../../controller/events.js';
import { KubeClient } from '../../controller/runtime/client.js';
import { realClock } from '../../controller/runtime/clock.js';
import { Informer } from '../../controller/runtime/informer.js';
import { CERTIFICATE_REQUESTS, CLUSTER_ISSUERS, EVENTS, ISSUERS, SECRETS, type ResourceType } from '../../controller/runtime/resources.js';
import { TimerQueue } from '../../controller/runtime/timers.js';
import type { KubeSecret } from '../../issuers/backend.js';

const CRDS: ResourceType = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false };
const NAMESPACES: ResourceType = { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false };

/** Label of the Secrets certwright owns and caches in full. */
export const OWNED_SECRET_LABEL = 'controller.cert-manager.io/fao';

export interface TestCluster {
  server: ApiServer;
  client: KubeClient;
  timers: TimerQueue;
  requests: Informer<CertificateRequest>;
  issuers: Informer<Issuer>;
  clusterIssuers: Informer<ClusterIssuer>;
  ownedSecrets: Informer<KubeSecret>;
  events: KubeEventRecorder;
  createNamespace(name: string): Promise<void>;
  /** Events about the object named `name`, newest last. */
  eventsFor(name: string, namespace?: string): Promise<CoreEvent[]>;
  close(): Promise<void>;
}

/** Polls `probe` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function condition(obj: { status?: { conditions?: Condition[] } } | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

async function applyCrds(client: KubeClient): Promise<void> {
  const text = await readFile(new URL('../../../crds/all.yaml', import.meta.url), 'utf8');
  const crds = parseAllDocuments(text)
    .map((doc) => doc.toJSON() as KubeObject | null)
    .filter((crd): crd is KubeObject => crd?.kind === 'CustomResourceDefinition');
  for (const crd of crds) await client.create(CRDS, crd);
  for (const crd of crds) {
    await waitFor(`CRD ${crd.metadata.name} established`, async () => {
      const current = await client.get<KubeObject & { status?: { conditions?: Condition[] } }>(CRDS, { name: crd.metadata.name! });
      return condition(current, 'Established')?.status === 'True';
    });
  }
}

export async function startTestCluster(): Promise<TestCluster> {
  const dataDir = await mkdtemp(join(tmpdir(), 'certwright-issuers-'));
  const server = await startApiServer({ dataDir, admission: [certwrightAdmission] });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(server.kubeconfigPath);
  const timers = new TimerQueue(realClock);
  const client = new KubeClient({ kubeConfig, timers });
  await applyCrds(client);

  const onError = (err: unknown) => process.emitWarning(`test informer: ${err instanceof Error ? err.message : String(err)}`);
  const requests = new Informer<CertificateRequest>({ source: client.listerWatcher(CERTIFICATE_REQUESTS), timers, indexers: certificateRequestIndexers, onError });
  const issuers = new Informer<Issuer>({ source: client.listerWatcher(ISSUERS), timers, onError });
  const clusterIssuers = new Informer<ClusterIssuer>({ source: client.listerWatcher(CLUSTER_ISSUERS), timers, onError });
  const ownedSecrets = new Informer<KubeSecret>({ source: client.listerWatcher(SECRETS, { labelSelector: `${OWNED_SECRET_LABEL}=true` }), timers, onError });
  const informers = [requests, issuers, clusterIssuers, ownedSecrets];
  for (const informer of informers) informer.start();
  await Promise.all(informers.map((informer) => informer.waitForSync()));

  const events = new KubeEventRecorder({ client, clock: realClock, onError });
  return {
    server,
    client,
    timers,
    requests,
    issuers,
    clusterIssuers,
    ownedSecrets,
    events,
    createNamespace: async (name) => {
      await client.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    },
    eventsFor: async (name, namespace = 'default') => {
      await events.flush();
      const list = await client.list<CoreEvent>(EVENTS, { namespace, fieldSelector: `involvedObject.name=${name}` });
      return list.items.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
    },
    close: async () => {
      await events.flush();
      await Promise.all(informers.map((informer) => informer.stop()));
      timers.clear();
      await client.close();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

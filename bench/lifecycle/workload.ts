/**
 * What the benchmark asks of the cluster: a CA (SelfSigned ClusterIssuer → CA Certificate → CA
 * ClusterIssuer), then N Certificates (ECDSA P-256 unless asked otherwise) created at once; and what it watches: every
 * Certificate's Ready condition and revision, through an informer (a watch, not a polling loop).
 */
import { performance } from 'node:perf_hooks';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../apiserver/admission.js';
import type { Certificate, ClusterIssuer } from '../../api/types.js';
import { applyManifests } from '../../cli/manifests.js';
import { hasCondition } from '../../controller/conditions.js';
import { KubeClient } from '../../controller/runtime/client.js';
import { realClock } from '../../controller/runtime/clock.js';
import { Informer } from '../../controller/runtime/informer.js';
import { objectKey } from '../../controller/runtime/keys.js';
import { CERTIFICATES, CLUSTER_ISSUERS } from '../../controller/runtime/resources.js';
import { TimerQueue } from '../../controller/runtime/timers.js';
import { DEFAULT_CLUSTER_RESOURCE_NAMESPACE } from '../../issuers/context.js';
import type { BenchKey } from './options.js';

export const BENCH_NAMESPACE = 'bench';
export const CA_ISSUER_NAME = 'bench-ca';

/** The issuing chain every benchmark Certificate is signed by; its key is of the Certificates' type. */
export function caManifests(key: BenchKey): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: BENCH_NAMESPACE } },
    { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'bench-selfsigned' }, spec: { selfSigned: {} } },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'bench-root-ca', namespace: DEFAULT_CLUSTER_RESOURCE_NAMESPACE },
      spec: {
        isCA: true,
        commonName: 'certwright bench root CA',
        secretName: 'bench-root-ca',
        privateKey: { ...key },
        issuerRef: { name: 'bench-selfsigned', kind: 'ClusterIssuer' },
      },
    },
    { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: CA_ISSUER_NAME }, spec: { ca: { secretName: 'bench-root-ca' } } },
  ];
}

/** The i-th benchmark Certificate: a `key` key from the CA ClusterIssuer, one DNS name. */
export function benchCertificate(i: number, key: BenchKey): Certificate {
  const name = `cert-${String(i).padStart(5, '0')}`;
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name, namespace: BENCH_NAMESPACE },
    spec: {
      secretName: `${name}-tls`,
      commonName: `${name}.bench.example`,
      dnsNames: [`${name}.bench.example`],
      privateKey: { ...key },
      issuerRef: { name: CA_ISSUER_NAME, kind: 'ClusterIssuer', group: 'cert-manager.io' },
    },
  } as Certificate;
}

/** Runs `work` over `items` with at most `concurrency` in flight, in order of start. */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

const isReady = (obj: Certificate | ClusterIssuer | undefined): boolean => hasCondition(obj?.status?.conditions, 'Ready');

/**
 * The benchmark's own client and caches: its requests and watches go straight to the API server
 * (never through the counting proxy), so they are not counted as the controller's.
 */
export class BenchCluster {
  readonly client: KubeClient;
  readonly certificates: Informer<Certificate>;
  readonly clusterIssuers: Informer<ClusterIssuer>;
  /** performance.now() when each Certificate (by key) was first seen Ready. */
  readonly readyAt = new Map<string, number>();
  #timers = new TimerQueue(realClock);
  #waiters: Array<() => void> = [];

  constructor(kubeconfigPath: string) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    // The benchmark is the load generator: its own client-side limit must not be what is measured.
    this.client = new KubeClient({ kubeConfig, timers: this.#timers, rateLimit: { qps: 1e6, burst: 1e6 }, userAgent: 'certwright-bench' });
    this.certificates = new Informer<Certificate>({ source: this.client.listerWatcher<Certificate>(CERTIFICATES, { namespace: BENCH_NAMESPACE }), timers: this.#timers });
    this.clusterIssuers = new Informer<ClusterIssuer>({ source: this.client.listerWatcher<ClusterIssuer>(CLUSTER_ISSUERS), timers: this.#timers });
    const seen = (certificate: Certificate) => {
      const key = objectKey(certificate);
      if (!this.readyAt.has(key) && isReady(certificate)) this.readyAt.set(key, performance.now());
      this.#wake();
    };
    this.certificates.addEventHandler({ onAdd: seen, onUpdate: (_, certificate) => seen(certificate) });
    this.clusterIssuers.addEventHandler({ onAdd: () => this.#wake(), onUpdate: () => this.#wake() });
  }

  async start(): Promise<void> {
    this.certificates.start();
    this.clusterIssuers.start();
    await Promise.all([this.certificates.waitForSync(), this.clusterIssuers.waitForSync()]);
  }

  async createCa(key: BenchKey): Promise<void> {
    await applyManifests(this.client, caManifests(key), 'certwright-bench');
    await this.until(() => isReady(this.clusterIssuers.get({ name: CA_ISSUER_NAME })));
  }

  /** Resolves once `condition` holds, checked on every watch event; fails if `abort` fires first. */
  until(condition: () => boolean, abort?: Promise<never>): Promise<void> {
    const reached = new Promise<void>((resolve) => {
      const check = () => {
        if (!condition()) return false;
        resolve();
        return true;
      };
      if (check()) return;
      const waiter = () => {
        if (check()) this.#waiters = this.#waiters.filter((w) => w !== waiter);
      };
      this.#waiters.push(waiter);
    });
    return abort ? Promise.race([reached, abort]) : reached;
  }

  /** status.revision of every benchmark Certificate, by key. */
  revisions(): Map<string, number | undefined> {
    return new Map(this.certificates.list().map((c) => [objectKey(c), c.status?.revision]));
  }

  readyCount(): number {
    return this.certificates.list().filter(isReady).length;
  }

  async close(): Promise<void> {
    await Promise.all([this.certificates.stop(), this.clusterIssuers.stop()]);
    await this.client.close();
    this.#timers.clear();
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

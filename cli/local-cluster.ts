/**
 * Local mode: the embedded API server in a data directory, with certwright's admission and CRDs,
 * and a client-node KubeConfig for it (the same `DIR/kubeconfig` kubectl uses).
 */
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { certwrightAdmission } from '../api/admission.js';
import { startApiServer, type ApiServer } from '../apiserver/index.js';
import { KubeClient } from '../controller/runtime/client.js';
import { realClock } from '../controller/runtime/clock.js';
import { TimerQueue } from '../controller/runtime/timers.js';
import { applyManifests, readManifests } from './manifests.js';

/** The package root (this file is `dist/cli/local-cluster.js`). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CRDS_DIR = fileURLToPath(new URL('../../crds/all.yaml', import.meta.url));

export interface LocalCluster {
  server: ApiServer;
  kubeConfig: KubeConfig;
  close(): Promise<void>;
}

export interface LocalClusterOptions {
  dataDir: string;
  /** `host:port` of the API server; default a free loopback port. */
  listen?: string;
  onBackgroundError?: (error: Error) => void;
}

/** Starts the embedded API server in `dataDir` and applies the CRDs (a no-op when they are current). */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const server = await startApiServer({
    dataDir: options.dataDir,
    admission: [certwrightAdmission],
    ...(options.listen ? { listen: options.listen } : {}),
    ...(options.onBackgroundError ? { onBackgroundError: options.onBackgroundError } : {}),
  });
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(server.kubeconfigPath);
    const timers = new TimerQueue(realClock);
    const client = new KubeClient({ kubeConfig, timers });
    try {
      await applyManifests(client, await readManifests(CRDS_DIR), 'certwright');
    } finally {
      await client.close();
      timers.clear();
    }
    return { server, kubeConfig, close: () => server.close() };
  } catch (err) {
    await server.close();
    throw err;
  }
}

/**
 * Local mode: the embedded API server in a data directory, serving certwright's CRDs with its
 * admission, and a client-node KubeConfig for it (the same `DIR/kubeconfig` kubectl uses).
 */
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { certwrightAdmission } from '../api/admission.js';
import { startApiServer, type ApiServer } from '../apiserver/index.js';
import { kubeConfigFrom } from './kube.js';
import { readManifests } from './manifests.js';

/** The package root (this file is `dist/cli/local-cluster.js`). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** certwright's CRDs, shipped with the package. */
export const CRDS_FILE = fileURLToPath(new URL('../../crds/all.yaml', import.meta.url));

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

/** Starts the embedded API server in `dataDir`; it applies the CRDs itself (a no-op when current). */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const server = await startApiServer({
    dataDir: options.dataDir,
    admission: [certwrightAdmission],
    customResourceDefinitions: await readManifests(CRDS_FILE),
    ...(options.listen ? { listen: options.listen } : {}),
    ...(options.onBackgroundError ? { onBackgroundError: options.onBackgroundError } : {}),
  });
  const kubeConfig = await kubeConfigFrom({ kind: 'file', path: server.kubeconfigPath });
  return { server, kubeConfig, close: () => server.close() };
}

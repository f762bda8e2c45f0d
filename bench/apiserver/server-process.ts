/**
 * The API server under test, in its own process (run with --expose-gc): the local cluster exactly
 * as `certwright apiserver` starts it (certwright's CRDs and admission), plus `settle`, which
 * collects garbage so resident memory can be compared across sizes.
 */
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { serveCommands } from './ipc.js';

export interface ServerInfo {
  url: string;
  token: string;
  caCertificate: string;
}

export interface MemoryReading {
  rssBytes: number;
  heapUsedBytes: number;
}

let cluster: LocalCluster | undefined;

async function settle(): Promise<MemoryReading> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the server process needs node --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const usage = process.memoryUsage();
  return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed };
}

serveCommands({
  start: async ({ dataDir }: { dataDir: string }): Promise<ServerInfo> => {
    cluster = await startLocalCluster({ dataDir, onBackgroundError: (e) => process.stderr.write(`apiserver: ${e.message}\n`) });
    const { url, token, caCertificate } = cluster.server;
    return { url, token, caCertificate };
  },
  settle,
  stop: async () => {
    await cluster?.close();
  },
});

/**
 * How client commands reach an API server: `--kubeconfig` (else $KUBECONFIG, ~/.kube/config, or
 * in-cluster config) with `--context`; with none of those, the embedded API server's
 * `DIR/kubeconfig` from `certwright run` in local mode (`--data-dir`, default `.data`). The
 * namespace is `-n`, else the context's, else `default`, as kubectl picks it.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../controller/runtime/client.js';
import { realClock } from '../controller/runtime/clock.js';
import { loadKubeConfigClass } from '../controller/runtime/kubeconfig.js';
import { TimerQueue } from '../controller/runtime/timers.js';
import { UsageError } from './usage.js';

/** Local mode's data directory when none is given (the default of `certwright run --data-dir`). */
export const DEFAULT_LOCAL_DATA_DIR = '.data';
const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
/** A CLI call should fail rather than hang on an unresponsive server. */
const REQUEST_TIMEOUT_MS = 20_000;

/** parseArgs options every client command accepts. */
export const CONNECTION_OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  'data-dir': { type: 'string' },
} as const;

export const CONNECTION_HELP = `Connection flags:
  --kubeconfig FILE      kubeconfig to use (default $KUBECONFIG, ~/.kube/config, in-cluster config,
                         else local mode's DIR/kubeconfig)
  --context NAME         kubeconfig context (default the current one)
  -n, --namespace NS     namespace (default the context's, else "default")
  --data-dir DIR         local mode data directory whose kubeconfig to use (default ${DEFAULT_LOCAL_DATA_DIR})
`;

export interface ConnectionFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
  'data-dir'?: string | undefined;
}

export interface Connection {
  client: KubeClient;
  kubeConfig: KubeConfig;
  /** The namespace commands act in. */
  namespace: string;
  close(): Promise<void>;
}

/** Which kubeconfig source the flags and environment select; pure, so the order is tested. */
export type KubeConfigSource = { kind: 'file'; path: string } | { kind: 'default' } | { kind: 'in-cluster' };

/**
 * A configured cluster, looked for as `certwright run` does: `kubeconfig` (the flag), else
 * $KUBECONFIG or ~/.kube/config, else in-cluster config; undefined when there is none.
 */
export function configuredClusterSource(kubeconfig: string | undefined, env: NodeJS.ProcessEnv, exists: (path: string) => boolean): KubeConfigSource | undefined {
  if (kubeconfig) return { kind: 'file', path: kubeconfig };
  if (env.KUBECONFIG || exists(join(homedir(), '.kube', 'config'))) return { kind: 'default' };
  if (env.KUBERNETES_SERVICE_HOST && exists(IN_CLUSTER_TOKEN)) return { kind: 'in-cluster' };
  return undefined;
}

export function kubeConfigSource(flags: ConnectionFlags, env: NodeJS.ProcessEnv, exists: (path: string) => boolean): KubeConfigSource {
  if (flags.kubeconfig) return { kind: 'file', path: flags.kubeconfig };
  const localKubeconfig = resolve(flags['data-dir'] ?? DEFAULT_LOCAL_DATA_DIR, 'kubeconfig');
  if (flags['data-dir']) return { kind: 'file', path: localKubeconfig };
  const configured = configuredClusterSource(undefined, env, exists);
  if (configured) return configured;
  if (exists(localKubeconfig)) return { kind: 'file', path: localKubeconfig };
  throw new Error(
    `no cluster configured: pass --kubeconfig, set $KUBECONFIG, or start local mode (certwright run) so ${localKubeconfig} exists`,
  );
}

/** A KubeConfig loaded from `source`, its current context as the source sets it. */
export async function kubeConfigFrom(source: KubeConfigSource): Promise<KubeConfig> {
  const kubeConfig = new (await loadKubeConfigClass())();
  if (source.kind === 'file') kubeConfig.loadFromFile(source.path);
  else if (source.kind === 'in-cluster') kubeConfig.loadFromCluster();
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}

export async function loadKubeConfig(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Promise<KubeConfig> {
  const source = kubeConfigSource(flags, env, existsSync);
  if (source.kind === 'file' && !existsSync(source.path)) throw new Error(`kubeconfig ${source.path} does not exist`);
  const kubeConfig = await kubeConfigFrom(source);
  if (flags.context) {
    if (!kubeConfig.getContextObject(flags.context)) {
      throw new UsageError(`context ${JSON.stringify(flags.context)} not found in kubeconfig (have: ${kubeConfig.contexts.map((c) => c.name).join(', ') || 'none'})`);
    }
    kubeConfig.setCurrentContext(flags.context);
  }
  return kubeConfig;
}

export async function connect(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Promise<Connection> {
  const kubeConfig = await loadKubeConfig(flags, env);
  const client = new KubeClient({ kubeConfig, timers: new TimerQueue(realClock), requestTimeoutMs: REQUEST_TIMEOUT_MS, userAgent: 'certwright-cli' });
  const namespace = flags.namespace || kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace || 'default';
  return { client, kubeConfig, namespace, close: () => client.close() };
}

/** Runs `body` with a connection that is closed afterwards, so the process can exit. */
export async function withConnection<T>(flags: ConnectionFlags, body: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await connect(flags);
  try {
    return await body(connection);
  } finally {
    await connection.close();
  }
}

import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import type { AdmissionPlugin, KubeObject } from './admission.js';
import { adminUser, Authenticator, loadOrCreateToken } from './auth.js';
import { builtinResourceTypes } from './builtins.js';
import { LifecycleControllers } from './controllers.js';
import { ApiError } from './errors.js';
import { defaultEventTtlSeconds, EventExpiry } from './event-expiry.js';
import { createRequestHandler } from './http.js';
import { writeKubeconfig } from './kubeconfig.js';
import { internalContext, ObjectService } from './objects.js';
import { OpenApiDocuments } from './openapi.js';
import { Registry } from './resources.js';
import { openStore, type StoreOptions } from './store/index.js';
import { loadOrCreateServingMaterial } from './tls.js';

export interface ApiServerOptions {
  /** Where the store, the CA, the serving certificate, the token and `kubeconfig` live. */
  dataDir: string;
  /** `host:port` to listen on; default `127.0.0.1:0` (a free port). */
  listen?: string;
  /** In-process admission webhooks (certwright's own validation for its kinds). */
  admission?: AdmissionPlugin[];
  /** CRDs to serve from the start: server-side applied (manager `certwright`) on every start. */
  customResourceDefinitions?: KubeObject[];
  /** How often watches that allow bookmarks get one (default 30 s). */
  bookmarkIntervalMs?: number;
  /** How long an Event lives after its last write (default 1 h, kube's `--event-ttl`). */
  eventTtlSeconds?: number;
  /** Longest a watch without `timeoutSeconds` stays open, randomised down to half (default 60 min). */
  maxWatchSeconds?: number;
  /** Tuning passed to the store (history window, group commit). */
  store?: Omit<StoreOptions, 'dataDir'>;
  /** Failures no request sees (a controller step failing); default `process.emitWarning`. */
  onBackgroundError?: (error: Error) => void;
}

export interface ApiServer {
  /** `https://127.0.0.1:<port>` */
  url: string;
  kubeconfigPath: string;
  token: string;
  /** PEM of the CA that signed the serving certificate. */
  caCertificate: string;
  close(): Promise<void>;
}

/** Namespaces a fresh cluster has. */
const initialNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen);
  if (!m) throw new Error(`--listen must be host:port, got ${JSON.stringify(listen)}`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`--listen port out of range: ${port}`);
  return { host: m[1] ?? m[2]!, port };
}

async function createInitialNamespaces(objects: ObjectService): Promise<void> {
  const namespaces = objects.registry.lookup('', 'v1', 'namespaces')!;
  for (const name of initialNamespaces) {
    try {
      await objects.create(namespaces, undefined, { metadata: { name } }, internalContext(adminUser));
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
    }
  }
}

async function applyCustomResourceDefinitions(objects: ObjectService, crds: KubeObject[]): Promise<void> {
  const crdType = objects.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  for (const crd of crds) {
    if (crd.kind !== 'CustomResourceDefinition' || !crd.metadata?.name) throw new Error(`not a CustomResourceDefinition: ${JSON.stringify(crd).slice(0, 120)}`);
    await objects.patch(crdType, undefined, crd.metadata.name, 'apply', structuredClone(crd), internalContext(adminUser, 'certwright'), 'main', true);
  }
}

/**
 * Starts certwright's embedded Kubernetes-compatible API server: HTTPS on loopback with a local
 * CA, bearer-token auth, a durable store in `dataDir`, and a kubeconfig at `dataDir/kubeconfig`.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { host, port } = parseListen(options.listen ?? '127.0.0.1:0');
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const onError = options.onBackgroundError ?? ((e: Error) => process.emitWarning(e));
  const [material, token] = await Promise.all([loadOrCreateServingMaterial(dataDir), loadOrCreateToken(dataDir)]);
  const store = await openStore({ ...options.store, dataDir: join(dataDir, 'store'), onBackgroundError: onError });
  let server: Server | undefined;
  let controllers: LifecycleControllers | undefined;
  let eventExpiry: EventExpiry | undefined;
  try {
    const registry = new Registry(builtinResourceTypes());
    const objects = new ObjectService(store, registry, options.admission ?? []);
    objects.loadCustomResourceDefinitions();
    await createInitialNamespaces(objects);
    await applyCustomResourceDefinitions(objects, options.customResourceDefinitions ?? []);
    controllers = new LifecycleControllers(objects, onError);
    controllers.start();
    eventExpiry = new EventExpiry(objects, (options.eventTtlSeconds ?? defaultEventTtlSeconds) * 1000, onError);
    eventExpiry.start();

    let address = '';
    const handler = createRequestHandler({
      objects,
      authenticator: new Authenticator(token),
      openapi: new OpenApiDocuments(registry),
      serverAddress: () => address,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 30_000,
      maxWatchMs: (options.maxWatchSeconds ?? 3600) * 1000,
    });
    server = createServer({ key: material.privateKey, cert: material.certificate, keepAlive: true }, handler);
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 70_000;
    server.requestTimeout = 0;
    const sockets = new Set<Socket>();
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((ok, fail) => {
      server!.once('error', fail);
      server!.listen(port, host, () => ok());
    });
    const bound = server.address() as AddressInfo;
    address = `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
    const url = `https://${address}`;
    const kubeconfigPath = join(dataDir, 'kubeconfig');
    await writeKubeconfig(kubeconfigPath, url, material.caCertificate, token);

    let closing: Promise<void> | undefined;
    const running = server;
    const runningControllers = controllers;
    const runningExpiry = eventExpiry;
    return {
      url,
      kubeconfigPath,
      token,
      caCertificate: material.caCertificate,
      close: () =>
        (closing ??= (async () => {
          const closed = new Promise<void>((ok) => running.close(() => ok()));
          for (const s of sockets) s.destroy();
          await closed;
          await runningControllers.stop();
          await runningExpiry.stop();
          await store.close();
        })()),
    };
  } catch (e) {
    server?.close();
    await controllers?.stop();
    await eventExpiry?.stop();
    await store.close();
    throw e;
  }
}

export type { AdmissionPlugin } from './admission.js';

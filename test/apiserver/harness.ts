import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../apiserver/index.js';

export interface TestServer {
  server: ApiServer;
  dataDir: string;
  kc: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  /** A raw HTTPS request with the admin token (or `token: null` for none). */
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  /** Stops the server; the data dir stays for a restart unless `remove`. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export interface CallOptions {
  body?: unknown;
  contentType?: string;
  accept?: string;
  token?: string | null;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export function callServer(server: ApiServer, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const url = new URL(path, server.url);
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
  if (options.token !== null) headers.Authorization = `Bearer ${options.token ?? server.token}`;
  if (body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, headers, ca: server.caCertificate }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Starts an API server in a fresh temporary data dir. */
export async function startTestServer(options: Partial<ApiServerOptions> = {}, dataDir?: string): Promise<TestServer> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'certwright-apiserver-')));
  let server: ApiServer;
  try {
    server = await startApiServer({ dataDir: dir, onBackgroundError: (e) => console.error('background error:', e), ...options });
  } catch (e) {
    if (!dataDir) await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const kc = new KubeConfig();
  kc.loadFromFile(server.kubeconfigPath);
  return {
    server,
    dataDir: dir,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    call: (method, path, o) => callServer(server, method, path, o),
    stop: () => server.close(),
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The Kubernetes Status a client-node call failed with. */
export async function statusOf(promise: Promise<unknown>): Promise<{ code: number; reason?: string; message?: string; details?: any }> {
  try {
    await promise;
  } catch (e) {
    const err = e as { code?: number; body?: unknown };
    if (typeof err.code !== 'number') throw e;
    const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
    return { code: err.code, ...(body as object) };
  }
  throw new Error('expected the call to fail');
}

/** Waits until `check` returns a truthy value, polling briefly. */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** client-node sends JSON Patch unless told otherwise. */
export const asMergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const asStrategicMergePatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

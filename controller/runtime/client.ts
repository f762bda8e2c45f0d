/**
 * The typed API client reconcilers and informers use.
 *
 * Why not client-node's KubernetesObjectApi / CustomObjectsApi: in 1.4 every call goes through
 * `KubeConfig.applySecurityAuthentication`, which builds a fresh https.Agent per request (no
 * connection reuse: one TCP+TLS handshake per call, and the CA file re-read each time; measured
 * against the embedded API server, a GET costs ~7 ms that way and ~0.7 ms over a kept-alive one), and responses
 * are turned into generated classes (timestamps become Date objects that then differ from what the
 * server stores). Neither serves subresources for core kinds, and CustomObjectsApi cannot reach the
 * core group at all. So this client takes the credentials and TLS material from client-node's
 * KubeConfig (kubeconfig, in-cluster, exec and token-file auth all keep working) and sends plain JSON
 * over one keep-alive agent.
 */
import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import { urlToHttpOptions } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../apiserver/admission.js';
import { apiErrorFromResponse, apiErrorFromStatus, isNotFound } from './api-error.js';
import type { ObjectRef } from './keys.js';
import { apiVersionOf, collectionPath, objectPath, type ResourceType } from './resources.js';
import type { TimerQueue } from './timers.js';
import { DEFAULT_CLIENT_RATE, TokenBucket, type TokenBucketOptions } from './token-bucket.js';

export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T> {
  type: WatchEventType;
  object: T;
}

export interface WatchStream {
  /** Ends the watch; `done` then resolves. */
  stop(): void;
  /** Resolves when the server or `stop` ends the stream; rejects on a failed request, a broken
   * connection or an ERROR event (an ApiError; 410 Gone means the resourceVersion is too old). */
  done: Promise<void>;
}

export interface Selectors {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListOptions extends Selectors {
  /** Omit to list across all namespaces (or for cluster-scoped kinds). */
  namespace?: string;
  /** Page size; the client follows continue tokens until the list is complete. */
  limit?: number;
  /** Abandons the list (an informer being stopped). */
  signal?: AbortSignal;
}

export interface WatchOptions extends Selectors {
  namespace?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** Server-side end of the watch; informers pick 5–10 min like client-go. */
  timeoutSeconds?: number;
}

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
}

export interface PatchOptions extends WriteOptions {
  /** e.g. `status`. */
  subresource?: string;
}

export interface ApplyOptions {
  fieldManager: string;
  /** Take ownership of fields other managers hold instead of failing with a conflict. */
  force?: boolean;
  subresource?: string;
  dryRun?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  /** Delete only this exact object (uid) / version (resourceVersion). */
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** The list+watch pair an informer runs on, bound to one resource, scope and selector. */
export interface ListerWatcher<T> {
  /** Label of the source for error messages, e.g. `secrets in all namespaces`. */
  readonly description: string;
  list(signal?: AbortSignal): Promise<ObjectList<T>>;
  watch(options: { resourceVersion: string; timeoutSeconds: number }, onEvent: (event: WatchEvent<T>) => void): WatchStream;
}

export interface KubeClientOptions {
  kubeConfig: KubeConfig;
  /** Rate-limit waits go through the shared timer queue (and its clock). */
  timers: TimerQueue;
  rateLimit?: TokenBucketOptions;
  /** Per-request inactivity limit for non-watch calls. */
  requestTimeoutMs?: number;
  /**
   * Longest a watch that asked for bookmarks may deliver nothing before it counts as stalled and is
   * ended (its informer watches again from the last resourceVersion).
   */
  watchSilenceLimitMs?: number;
  userAgent?: string;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/**
 * A server asked for bookmarks sends one at least every minute (kube's watch cache; certwright's API
 * server every 30 s), so three minutes of nothing is a watch held open by something in between that
 * delivers no more, not a quiet resource.
 */
const DEFAULT_WATCH_SILENCE_LIMIT_MS = 180_000;
/** Tokens from exec plugins and projected token files rotate; re-read them this often. */
const CREDENTIAL_REFRESH_MS = 30_000;
const DEFAULT_LIST_PAGE_SIZE = 500;

interface Credentials {
  headers: Record<string, string>;
  readAt: number;
}

interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

interface Connection {
  /** Where requests go (host, port, protocol), with no path: each request sets its own. */
  target: http.RequestOptions;
  /** The server URL's path, which every API path is appended to (`/k8s/clusters/x`, or empty). */
  pathPrefix: string;
  agent: http.Agent;
  transport: typeof http | typeof https;
}

export class KubeClient {
  #kubeConfig: KubeConfig;
  #timers: TimerQueue;
  #bucket: TokenBucket;
  #requestTimeoutMs: number;
  #watchSilenceLimitMs: number;
  #userAgent: string;
  #connection: Promise<Connection> | undefined;
  #credentials: Credentials | undefined;
  /** Requests sent or waiting to be (watches aside), and who waits for there to be none. */
  #inFlight = 0;
  #quietWaiters: Array<() => void> = [];

  constructor(options: KubeClientOptions) {
    this.#kubeConfig = options.kubeConfig;
    this.#timers = options.timers;
    this.#bucket = new TokenBucket(options.timers.clock, options.rateLimit ?? DEFAULT_CLIENT_RATE);
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#watchSilenceLimitMs = options.watchSilenceLimitMs ?? DEFAULT_WATCH_SILENCE_LIMIT_MS;
    this.#userAgent = options.userAgent ?? 'certwright';
  }

  async get<T extends KubeObject>(type: ResourceType, ref: ObjectRef): Promise<T> {
    return this.#json<T>({ method: 'GET', path: objectPath(type, ref) });
  }

  /** Like `get`, but a missing object is `undefined` instead of an error (on-demand reads of Secrets). */
  async find<T extends KubeObject>(type: ResourceType, ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.get<T>(type, ref);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Lists every matching object, page by page; items get apiVersion/kind (the server omits them). */
  async list<T extends KubeObject>(type: ResourceType, options: ListOptions = {}): Promise<ObjectList<T>> {
    const { namespace, labelSelector, fieldSelector, limit = DEFAULT_LIST_PAGE_SIZE, signal } = options;
    const items: T[] = [];
    let page: ObjectList<T>;
    let continueToken: string | undefined;
    do {
      page = await this.#json<ObjectList<T>>({
        method: 'GET',
        path: collectionPath(type, namespace),
        query: { labelSelector, fieldSelector, limit, continue: continueToken },
        signal,
      });
      for (const item of page.items ?? []) items.push(withTypeMeta(type, item));
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken);
    return { apiVersion: page.apiVersion, kind: page.kind, metadata: { resourceVersion: page.metadata?.resourceVersion }, items };
  }

  async create<T extends KubeObject>(type: ResourceType, obj: T, options: WriteOptions = {}): Promise<T> {
    return this.#json<T>({
      method: 'POST',
      path: collectionPath(type, obj.metadata.namespace),
      query: writeQuery(options),
      body: withTypeMeta(type, obj),
    });
  }

  /** POST to an API path that is no resource collection: an aggregated API's action (DNS-01 webhook solvers). */
  async post<T>(path: string, body: unknown): Promise<T> {
    return this.#json<T>({ method: 'POST', path, body });
  }

  /** PUT: fails with 409 Conflict if `metadata.resourceVersion` is no longer current. */
  async update<T extends KubeObject>(type: ResourceType, obj: T, options: WriteOptions = {}): Promise<T> {
    return this.#json<T>({ method: 'PUT', path: objectPath(type, refOf(obj)), query: writeQuery(options), body: withTypeMeta(type, obj) });
  }

  /** PUT on the status subresource (only `status` changes), with the same optimistic concurrency. */
  async updateStatus<T extends KubeObject>(type: ResourceType, obj: T, options: WriteOptions = {}): Promise<T> {
    return this.#json<T>({
      method: 'PUT',
      path: objectPath(type, refOf(obj), 'status'),
      query: writeQuery(options),
      body: withTypeMeta(type, obj),
    });
  }

  /** JSON merge patch (RFC 7386): `null` deletes a key. */
  async patch<T extends KubeObject>(type: ResourceType, ref: ObjectRef, patch: object, options: PatchOptions = {}): Promise<T> {
    return this.#json<T>({
      method: 'PATCH',
      path: objectPath(type, ref, options.subresource),
      query: writeQuery(options),
      body: patch,
      contentType: 'application/merge-patch+json',
    });
  }

  /** Server-side apply of `obj` (the fields this manager owns) under `fieldManager`. */
  async apply<T extends KubeObject>(type: ResourceType, obj: T, options: ApplyOptions): Promise<T> {
    if (!options.fieldManager) throw new Error('server-side apply needs a fieldManager');
    return this.#json<T>({
      method: 'PATCH',
      path: objectPath(type, refOf(obj), options.subresource),
      query: { ...writeQuery(options), force: options.force || undefined },
      // JSON is YAML, which is what the apply content type is defined over.
      body: withTypeMeta(type, obj),
      contentType: 'application/apply-patch+yaml',
    });
  }

  async delete(type: ResourceType, ref: ObjectRef, options: DeleteOptions = {}): Promise<void> {
    await this.#json<unknown>({
      method: 'DELETE',
      path: objectPath(type, ref),
      body: { apiVersion: 'v1', kind: 'DeleteOptions', ...options },
    });
  }

  /** Opens a watch; events arrive in order through `onEvent`. */
  watch<T extends KubeObject>(type: ResourceType, options: WatchOptions, onEvent: (event: WatchEvent<T>) => void): WatchStream {
    const abort = new AbortController();
    const done = this.#streamWatch(type, options, onEvent, abort.signal);
    return { stop: () => abort.abort(), done };
  }

  /** The list+watch source for an informer over `type` in `namespace` (all when omitted). */
  listerWatcher<T extends KubeObject>(type: ResourceType, options: { namespace?: string } & Selectors = {}): ListerWatcher<T> {
    const { namespace, labelSelector, fieldSelector } = options;
    const scope = namespace ? `namespace ${namespace}` : type.namespaced ? 'all namespaces' : 'the cluster';
    return {
      description: `${type.resource} in ${scope}${labelSelector ? ` with labels ${labelSelector}` : ''}`,
      list: (signal) => this.list<T>(type, { namespace, labelSelector, fieldSelector, signal }),
      watch: (watchOptions, onEvent) =>
        this.watch<T>(type, { namespace, labelSelector, fieldSelector, allowWatchBookmarks: true, ...watchOptions }, onEvent),
    };
  }

  /**
   * Resolves at the next moment no request (watches aside) is in flight or waiting for its rate
   * limit slot: background writers (Events) wait for it, so reconciles' requests go first.
   */
  whenQuiet(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#quietWaiters.push(resolve));
  }

  /** Closes idle keep-alive connections (open watches end when their informers stop). */
  async close(): Promise<void> {
    const connection = await this.#connection?.catch(() => undefined);
    connection?.agent.destroy();
    this.#connection = undefined;
  }

  async #streamWatch<T extends KubeObject>(
    type: ResourceType,
    options: WatchOptions,
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const { namespace, resourceVersion, allowWatchBookmarks, timeoutSeconds, labelSelector, fieldSelector } = options;
    const spec: RequestSpec = {
      method: 'GET',
      path: collectionPath(type, namespace),
      query: { watch: 1, resourceVersion, allowWatchBookmarks, timeoutSeconds, labelSelector, fieldSelector },
    };
    let response: http.IncomingMessage;
    try {
      response = await this.#send(spec, { signal, idleTimeoutMs: watchIdleTimeoutMs(timeoutSeconds, allowWatchBookmarks ? this.#watchSilenceLimitMs : 0) });
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    if (response.statusCode !== 200) throw apiErrorFromResponse(response.statusCode ?? 0, await readBody(response));
    const lines = createInterface({ input: response, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (!line.trim()) continue;
        const event = JSON.parse(line) as { type: string; object: unknown };
        if (event.type === 'ERROR') throw apiErrorFromStatus(event.object);
        onEvent({ type: event.type as WatchEventType, object: withTypeMeta(type, event.object as T) });
      }
      // A stream cut mid-way (server gone) ends like a normal close; `complete` tells them apart.
      if (!response.complete && !signal.aborted) throw new Error(`watch of ${type.resource} was cut off`);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    } finally {
      lines.close();
      response.destroy();
    }
  }

  async #json<T>(spec: RequestSpec): Promise<T> {
    this.#inFlight++;
    try {
      const response = await this.#send(spec, { signal: spec.signal, idleTimeoutMs: this.#requestTimeoutMs });
      const body = await readBody(response);
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) throw apiErrorFromResponse(status, body);
      return (body ? JSON.parse(body) : undefined) as T;
    } finally {
      if (--this.#inFlight === 0) this.#quietWaiters.splice(0).forEach((resolve) => resolve());
    }
  }

  /**
   * Sends one request after its rate-limit slot; retries once with fresh credentials on 401, and
   * like client-go, waits out a 429 or 5xx that carries Retry-After (up to MAX_RETRY_AFTER_RETRIES).
   */
  async #send(spec: RequestSpec, options: { signal?: AbortSignal; idleTimeoutMs: number }): Promise<http.IncomingMessage> {
    for (let attempt = 0; ; attempt++) {
      const wait = this.#bucket.reserve();
      if (wait > 0) await this.#timers.sleep(wait, options.signal);
      const connection = await this.#connect();
      let response = await this.#sendOnce(connection, spec, await this.#headers(false), options);
      if (response.statusCode === 401) {
        response.resume();
        response = await this.#sendOnce(connection, spec, await this.#headers(true), options);
      }
      const delay = attempt < MAX_RETRY_AFTER_RETRIES ? retryAfterDelayMs(response.statusCode ?? 0, response.headers['retry-after']) : undefined;
      if (delay === undefined) return response;
      response.resume();
      await this.#timers.sleep(delay, options.signal);
    }
  }

  #sendOnce(
    connection: Connection,
    spec: RequestSpec,
    credentialHeaders: Record<string, string>,
    options: { signal?: AbortSignal; idleTimeoutMs: number },
  ): Promise<http.IncomingMessage> {
    // The path is built as text and the body sent as a string: parsing a URL per request and
    // writing headers and body as two buffers (two TLS records) cost ~15 µs of CPU per request.
    const path = connection.pathPrefix + spec.path + queryString(spec.query);
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const headers: Record<string, string> = {
      ...credentialHeaders,
      Accept: 'application/json',
      'User-Agent': this.#userAgent,
    };
    if (payload !== undefined) {
      headers['Content-Type'] = spec.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const request = connection.transport.request({
        ...connection.target,
        path,
        method: spec.method,
        headers,
        agent: connection.agent,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (options.idleTimeoutMs > 0) {
        request.setTimeout(options.idleTimeoutMs, () =>
          request.destroy(new Error(`${spec.method} ${spec.path}: no response within ${options.idleTimeoutMs} ms`)),
        );
      }
      request.once('response', resolve);
      request.once('error', reject);
      request.end(payload);
    });
  }

  #connect(): Promise<Connection> {
    this.#connection ??= this.#buildConnection().catch((err) => {
      this.#connection = undefined;
      throw err;
    });
    return this.#connection;
  }

  async #buildConnection(): Promise<Connection> {
    const cluster = this.#kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const server = new URL(cluster.server);
    const { protocol, hostname, port, auth } = urlToHttpOptions(server);
    const target = { protocol, hostname, ...(port ? { port } : {}), ...(auth ? { auth } : {}) };
    const pathPrefix = server.pathname.replace(/\/$/, '');
    const tls: https.RequestOptions = {};
    await this.#kubeConfig.applyToHTTPSOptions(tls);
    if (server.protocol === 'http:') {
      return { target, pathPrefix, transport: http, agent: new http.Agent({ keepAlive: true }) };
    }
    const agent = new https.Agent({
      keepAlive: true,
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      rejectUnauthorized: tls.rejectUnauthorized,
      servername: tls.servername,
    });
    return { target, pathPrefix, transport: https, agent };
  }

  async #headers(refresh: boolean): Promise<Record<string, string>> {
    const now = this.#timers.clock.now();
    if (!refresh && this.#credentials && now - this.#credentials.readAt < CREDENTIAL_REFRESH_MS) return this.#credentials.headers;
    const opts: https.RequestOptions = {};
    await this.#kubeConfig.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(opts.headers ?? {})) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    this.#credentials = { headers, readAt: now };
    return headers;
  }
}

const MAX_RETRY_AFTER_RETRIES = 10;
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * How long to wait before sending a request again, when the server said so: 429 Too Many
 * Requests or a 5xx with `Retry-After: <seconds>` (client-go's rule). Anything else is not
 * retried here; reconcilers requeue with their own backoff.
 */
export function retryAfterDelayMs(status: number, retryAfter: string | undefined): number | undefined {
  if (status !== 429 && status < 500) return undefined;
  if (retryAfter === undefined || !/^\d+$/.test(retryAfter.trim())) return undefined;
  return Math.min(Number(retryAfter.trim()) * 1000, MAX_RETRY_AFTER_MS);
}

/**
 * A watch whose server vanished without closing the connection would hang forever; the server ends
 * it after `timeoutSeconds` anyway, so silence well past that means the connection is dead. With
 * bookmarks asked for, silence longer than `silenceLimitMs` (0: none) means the same, sooner.
 */
export function watchIdleTimeoutMs(timeoutSeconds: number | undefined, silenceLimitMs: number): number {
  const serverEndMs = timeoutSeconds ? (timeoutSeconds + 30) * 1000 : 0;
  if (silenceLimitMs <= 0) return serverEndMs;
  return serverEndMs > 0 ? Math.min(serverEndMs, silenceLimitMs) : silenceLimitMs;
}

function readBody(response: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.once('error', reject);
  });
}

/** `?name=value&…` for the set parameters (none: empty), encoded as URLSearchParams encodes them. */
export function queryString(query: RequestSpec['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function refOf(obj: KubeObject): ObjectRef {
  const { namespace, name } = obj.metadata;
  if (!name) throw new Error(`${obj.kind ?? 'object'} has no metadata.name`);
  return { namespace, name };
}

function writeQuery(options: WriteOptions): Record<string, string | undefined> {
  return { fieldManager: options.fieldManager, dryRun: options.dryRun ? 'All' : undefined };
}

/** Objects in lists and watch events may lack apiVersion/kind; handlers and caches expect them. */
function withTypeMeta<T extends KubeObject>(type: ResourceType, obj: T): T {
  if (obj.apiVersion && obj.kind) return obj;
  return { ...obj, apiVersion: obj.apiVersion || apiVersionOf(type), kind: obj.kind || type.kind };
}

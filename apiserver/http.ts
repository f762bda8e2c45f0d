import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { KubeObject, UserInfo } from './admission.js';
import type { Authenticator } from './auth.js';
import {
  aggregatedDiscovery,
  aggregatedDiscoveryV2,
  aggregatedDiscoveryV2Beta1,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  serverVersion,
} from './discovery.js';
import { ApiError, badRequest, internalError, invalid, methodNotAllowed, resourceNotServed, unauthorized, unsupportedMediaType } from './errors.js';
import { patchContentTypes, type DeleteOptions, type FieldValidation, type ObjectService, type WriteContext } from './objects.js';
import type { OpenApiDocuments } from './openapi.js';
import { decodeProtobufObject, protobufContentType } from './protobuf.js';
import type { ResourceType } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { StoreUnavailable, storedJsonOf } from './store/index.js';
import { tableContentType, toTable, type IncludeObject } from './table-output.js';
import { rfc3339 } from './time.js';
import { serveWatch } from './watch.js';

export interface HttpOptions {
  objects: ObjectService;
  authenticator: Authenticator;
  openapi: OpenApiDocuments;
  /** `host:port` the server is reachable at, for `/api`'s serverAddressByClientCIDRs. */
  serverAddress: () => string;
  bookmarkIntervalMs: number;
  /** Longest a watch without `timeoutSeconds` stays open (kube: 30–60 minutes). */
  maxWatchMs: number;
}

const maxBodyBytes = 3 * 1024 * 1024;
const unauthenticatedPaths = new Set(['/healthz', '/livez', '/readyz', '/version']);

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(accept: string | undefined): MediaRange[] {
  return (accept ?? '')
    .split(',')
    .map((part) => {
      const [type, ...params] = part.split(';').map((s) => s.trim());
      return { type: (type ?? '').toLowerCase(), params: Object.fromEntries(params.map((p) => p.split('=').map((s) => s.trim()) as [string, string])) };
    })
    .filter((m) => m.type !== '');
}

function wantsTable(accept: MediaRange[]): boolean {
  return accept.some((m) => m.params.as === 'Table' && m.params.g === 'meta.k8s.io');
}

function aggregatedVersion(accept: MediaRange[]): 'v2' | 'v2beta1' | undefined {
  for (const m of accept) {
    if (m.params.as === 'APIGroupDiscoveryList' && m.params.g === 'apidiscovery.k8s.io' && (m.params.v === 'v2' || m.params.v === 'v2beta1')) return m.params.v;
  }
  return undefined;
}

function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', warnings: string[] = []): void {
  // A write's result goes out as the text the store just wrote, not serialized a second time.
  const text = typeof body === 'string' ? body : ((body !== null && typeof body === 'object' && storedJsonOf(body)) || JSON.stringify(body));
  const headers: Record<string, string | string[] | number> = { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

function sendError(res: ServerResponse, error: ApiError): void {
  if (!res.headersSent) sendJson(res, error.code, error.toStatus());
  else res.end();
}

/** The request body, refused past the size limit. Listeners rather than `for await`: an async iterator per request costs more than the read. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: Error): void => {
      req.off('data', onData);
      req.resume();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBodyBytes) return fail(new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', fail);
  });
}

/** YAML bodies are usually JSON (clients send JSON as YAML): JSON.parse reads that several times faster than the YAML parser. */
function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseBody(raw: Buffer, contentType: string): unknown {
  if (contentType === protobufContentType) return raw.length ? decodeProtobufObject(raw) : undefined;
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    if (!contentType.includes('yaml')) return JSON.parse(text);
    return (text.trimStart().startsWith('{') && parseJsonOrUndefined(text)) || parseYaml(text);
  } catch (e) {
    throw badRequest(`${contentType.includes('yaml') ? 'error decoding YAML' : "couldn't get version/kind; json parse error"}: ${(e as Error).message}`);
  }
}

function booleanParam(value: string | null): boolean | undefined {
  if (value === null) return undefined;
  return value === 'true' || value === '1' || value === '';
}

function integerParam(name: string, value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw badRequest(`invalid value for ${name}: ${value}`);
  return Number(value);
}

/** kube's default field manager: the user agent up to its first `/`, at most 128 characters. */
function managerFromUserAgent(userAgent: string | undefined): string {
  return (userAgent ?? 'unknown').split('/')[0]!.slice(0, 128) || 'unknown';
}

interface ResourcePath {
  group: string;
  version: string;
  namespace: string | undefined;
  plural: string;
  name: string | undefined;
  subresource: string | undefined;
}

/** `/api/v1/...` or `/apis/<group>/<version>/...` → the resource addressed. */
function parseResourcePath(segments: string[]): ResourcePath | undefined {
  let group: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    group = '';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1]!;
    rest = segments.slice(3);
  } else return undefined;
  const version = segments[0] === 'api' ? segments[1]! : segments[2]!;
  let namespace: string | undefined;
  const namespaceSubresource = rest.length === 3 && rest[2] === 'status';
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresource) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  return { group, version, namespace, plural: rest[0]!, name: rest[1], subresource: rest[2] };
}

/** The HTTP layer: authentication, discovery, OpenAPI and the resource verbs. */
export function createRequestHandler(o: HttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { objects } = o;
  const registry = objects.registry;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    const user = o.authenticator.authenticate(req.headers.authorization);
    if (!user && !unauthenticatedPaths.has(path)) throw unauthorized();
    const accept = parseAccept(req.headers.accept);
    const method = req.method ?? 'GET';
    if (method === 'GET' && serveNonResource(path, accept, res)) return;
    let segments: string[];
    try {
      segments = path.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw badRequest(`malformed URL path ${JSON.stringify(path)}`);
    }
    const target = parseResourcePath(segments);
    if (!target) throw resourceNotServed();
    await handleResource(req, res, url, target, user!, accept);
  }

  function serveNonResource(path: string, accept: MediaRange[], res: ServerResponse): boolean {
    if (path === '/version') sendJson(res, 200, serverVersion);
    else if (path === '/api' || path === '/apis') {
      const v = aggregatedVersion(accept);
      if (v) sendJson(res, 200, aggregatedDiscovery(registry, path === '/api', v), v === 'v2' ? aggregatedDiscoveryV2 : aggregatedDiscoveryV2Beta1);
      else sendJson(res, 200, path === '/api' ? apiVersions(o.serverAddress()) : apiGroupList(registry));
    } else if (path === '/openapi/v3') sendJson(res, 200, o.openapi.index());
    else if (path.startsWith('/openapi/v3/')) {
      const doc = o.openapi.document(path.slice('/openapi/v3/'.length));
      if (!doc) throw resourceNotServed();
      sendJson(res, 200, doc);
    } else if (path === '/api/v1') sendJson(res, 200, apiResourceList(registry, '', 'v1'));
    else {
      const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
      if (!m) return false;
      const body = m[2] ? apiResourceList(registry, m[1]!, m[2]) : apiGroup(registry, m[1]!);
      if (!body) throw resourceNotServed();
      sendJson(res, 200, body);
    }
    return true;
  }

  function writeContext(req: IncomingMessage, url: URL, user: UserInfo): WriteContext {
    const dryRun = url.searchParams.getAll('dryRun');
    for (const d of dryRun) if (d !== 'All') throw badRequest(`Invalid dry run value: ${d}: supported values: "All"`);
    const fieldValidation = url.searchParams.get('fieldValidation') ?? 'Warn';
    if (!['Strict', 'Warn', 'Ignore'].includes(fieldValidation))
      throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${fieldValidation}"`);
    const fieldManager = url.searchParams.get('fieldManager');
    if (fieldManager !== null && (fieldManager.length > 128 || /[^\x20-\x7e]/.test(fieldManager)))
      throw invalid('meta.k8s.io', 'PatchOptions', '', [{ type: 'FieldValueInvalid', field: 'fieldManager', badValue: fieldManager, detail: 'must be at most 128 printable characters' }]);
    return {
      user,
      dryRun: dryRun.length > 0,
      fieldManager: fieldManager ?? managerFromUserAgent(req.headers['user-agent']),
      fieldValidation: fieldValidation as FieldValidation,
      warnings: [],
    };
  }

  async function handleResource(req: IncomingMessage, res: ServerResponse, url: URL, p: ResourcePath, user: UserInfo, accept: MediaRange[]): Promise<void> {
    const r = registry.lookup(p.group, p.version, p.plural);
    if (!r) throw resourceNotServed();
    if (!r.namespaced && p.namespace !== undefined) throw resourceNotServed();
    if (r.namespaced && p.namespace === undefined && p.name !== undefined) throw resourceNotServed();
    if (p.subresource !== undefined && !r.subresources.includes(p.subresource)) throw resourceNotServed();
    const method = req.method ?? 'GET';
    const q = url.searchParams;
    const table = wantsTable(accept);
    const include = (q.get('includeObject') ?? 'Metadata') as IncludeObject;

    if (method === 'GET') {
      if (p.name === undefined && booleanParam(q.get('watch'))) return watch(req, res, r, p.namespace, q, table ? include : undefined);
      if (p.name === undefined) {
        if (!table) return sendJson(res, 200, objects.listJson(r, p.namespace, listQuery(q)));
        const list = objects.list(r, p.namespace, listQuery(q)) as unknown as { metadata: Record<string, unknown>; items: KubeObject[] };
        return sendJson(res, 200, toTable(r, list.items, include, list.metadata), tableContentType);
      }
      if (p.subresource === 'token') throw methodNotAllowed();
      if (!table) return sendJson(res, 200, objects.getJson(r, p.namespace, p.name));
      const object = objects.get(r, p.namespace, p.name);
      return sendJson(res, 200, toTable(r, [object], include, { resourceVersion: object.metadata.resourceVersion }), tableContentType);
    }

    // Writes to a namespaced resource always name the namespace, as in kube.
    if (r.namespaced && p.namespace === undefined) throw methodNotAllowed();
    const ctx = writeContext(req, url, user);
    const contentType = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
    const raw = await readBody(req);
    const respond = (code: number, object: unknown): void => {
      if (table && object && typeof object === 'object' && 'metadata' in object) {
        const o = object as KubeObject;
        return sendJson(res, code, toTable(r, [o], include, { resourceVersion: o.metadata.resourceVersion }), tableContentType, ctx.warnings);
      }
      sendJson(res, code, object, 'application/json', ctx.warnings);
    };
    const scope = p.subresource === 'status' ? 'status' : 'main';

    switch (method) {
      case 'POST': {
        if (p.subresource === 'token' && p.name) return respond(201, tokenRequest(r, p.namespace!, p.name, parseBody(raw, contentType)));
        if (p.name !== undefined) throw methodNotAllowed();
        if (!r.verbs.includes('create')) throw methodNotAllowed();
        return respond(201, await objects.create(r, p.namespace, parseBody(raw, contentType), ctx));
      }
      case 'PUT': {
        if (p.name === undefined || p.subresource === 'token') throw methodNotAllowed();
        return respond(200, await objects.update(r, p.namespace, p.name, parseBody(raw, contentType), ctx, scope));
      }
      case 'PATCH': {
        if (p.name === undefined || p.subresource === 'token') throw methodNotAllowed();
        const type = patchContentTypes[contentType];
        if (!type) throw unsupportedMediaType(Object.keys(patchContentTypes).filter((t) => !t.endsWith('cbor')));
        if (type === 'apply' && url.searchParams.get('fieldManager') === null)
          throw invalid('meta.k8s.io', 'PatchOptions', '', [{ type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' }]);
        const force = booleanParam(q.get('force')) ?? false;
        if (force && type !== 'apply') throw invalid('meta.k8s.io', 'PatchOptions', '', [{ type: 'FieldValueForbidden', field: 'force', detail: 'may not be specified for non-apply patch' }]);
        const body = parseBody(raw, type === 'apply' ? 'yaml' : 'json');
        const result = await objects.patch(r, p.namespace, p.name, type, body, ctx, scope, force);
        return respond(result.created ? 201 : 200, result.object);
      }
      case 'DELETE': {
        if (p.subresource !== undefined) throw methodNotAllowed();
        const options = deleteOptions(q, parseBody(raw, contentType));
        if (p.name === undefined) {
          if (!r.verbs.includes('deletecollection')) throw methodNotAllowed();
          return respond(200, await objects.deleteCollection(r, p.namespace, listQuery(q), options, ctx));
        }
        return respond(200, await objects.delete(r, p.namespace, p.name, options, ctx));
      }
      default:
        throw methodNotAllowed();
    }
  }

  function listQuery(q: URLSearchParams): { labelSelector?: string; fieldSelector?: string; limit?: number; continue?: string } {
    const query: { labelSelector?: string; fieldSelector?: string; limit?: number; continue?: string } = {};
    const labelSelector = q.get('labelSelector');
    const fieldSelector = q.get('fieldSelector');
    const limit = integerParam('limit', q.get('limit'));
    const cont = q.get('continue');
    if (labelSelector) query.labelSelector = labelSelector;
    if (fieldSelector) query.fieldSelector = fieldSelector;
    if (limit !== undefined) query.limit = limit;
    if (cont) query.continue = cont;
    return query;
  }

  function deleteOptions(q: URLSearchParams, body: unknown): DeleteOptions {
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const options: DeleteOptions = {};
    const policy = q.get('propagationPolicy') ?? (typeof b.propagationPolicy === 'string' ? b.propagationPolicy : undefined);
    const orphan = booleanParam(q.get('orphanDependents')) ?? (typeof b.orphanDependents === 'boolean' ? b.orphanDependents : undefined);
    if (policy !== undefined) {
      if (!['Orphan', 'Background', 'Foreground'].includes(policy))
        throw invalid('meta.k8s.io', 'DeleteOptions', '', [{ type: 'FieldValueNotSupported', field: 'propagationPolicy', badValue: policy, detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' }]);
      options.propagationPolicy = policy as DeleteOptions['propagationPolicy'] & string;
    } else if (orphan !== undefined) options.propagationPolicy = orphan ? 'Orphan' : 'Background';
    const pre = b.preconditions && typeof b.preconditions === 'object' ? (b.preconditions as Record<string, unknown>) : undefined;
    if (pre) {
      options.preconditions = {};
      if (typeof pre.uid === 'string') options.preconditions.uid = pre.uid;
      if (typeof pre.resourceVersion === 'string') options.preconditions.resourceVersion = pre.resourceVersion;
    }
    if (Array.isArray(b.dryRun) && b.dryRun.includes('All')) options.dryRun = true;
    return options;
  }

  function watch(req: IncomingMessage, res: ServerResponse, r: ResourceType, namespace: string | undefined, q: URLSearchParams, table: IncludeObject | undefined): void {
    const timeoutSeconds = integerParam('timeoutSeconds', q.get('timeoutSeconds'));
    const sendInitialEvents = booleanParam(q.get('sendInitialEvents'));
    const resourceVersion = q.get('resourceVersion') ?? undefined;
    serveWatch(
      req,
      res,
      objects.store,
      {
        resource: r,
        namespace,
        labels: parseLabelSelector(q.get('labelSelector') ?? undefined),
        fields: parseFieldSelector(q.get('fieldSelector') ?? undefined, r),
        resourceVersion,
        sendInitialEvents,
        allowBookmarks: booleanParam(q.get('allowWatchBookmarks')) ?? false,
        timeoutMs: timeoutSeconds !== undefined && timeoutSeconds > 0 ? timeoutSeconds * 1000 : o.maxWatchMs * (0.5 + Math.random() / 2),
        table,
      },
      o.bookmarkIntervalMs,
    );
  }

  function tokenRequest(r: ResourceType, namespace: string, name: string, body: unknown): Record<string, unknown> {
    const account = objects.get(r, namespace, name);
    const spec = (body && typeof body === 'object' ? ((body as Record<string, unknown>).spec ?? {}) : {}) as Record<string, unknown>;
    const expirationSeconds = typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : 3600;
    if (expirationSeconds < 600) throw invalid('authentication.k8s.io', 'TokenRequest', name, [{ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', badValue: expirationSeconds, detail: 'may not specify a duration less than 10 minutes' }]);
    const audiences = Array.isArray(spec.audiences) ? spec.audiences.filter((a): a is string => typeof a === 'string') : [];
    const issued = o.authenticator.issueServiceAccountToken(namespace, name, account.metadata.uid ?? '', expirationSeconds, audiences);
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: rfc3339() },
      spec: { audiences, expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
      status: { token: issued.token, expirationTimestamp: rfc3339(issued.expiresAt) },
    };
  }

  return (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof ApiError) return sendError(res, e);
      if (e instanceof StoreUnavailable) return sendError(res, new ApiError(503, 'ServiceUnavailable', e.message));
      sendError(res, internalError(e instanceof Error ? e.message : String(e)));
    });
  };
}

import { randomUUID } from 'node:crypto';
import type { FieldError } from '../api/field-errors.js';
import type { AdmissionOperation, AdmissionPlugin, AdmissionRequest, KubeObject, UserInfo } from './admission.js';
import { applyConflictError, serverSideApply } from './apply/apply.js';
import { decodeManagedFields, managedView, trackUpdate, type ManagedFieldsEntry, type WriteScope } from './apply/managed-fields.js';
import { customResourceTypes } from './crd.js';
import { ApiError, alreadyExists, badRequest, conflict, forbidden, invalid, modifiedConflict, notFound, unsupportedMediaType } from './errors.js';
import { generatedSuffix, storageKey, storagePrefix, validateObjectMeta } from './metadata.js';
import { clone, deepEqual, isObject } from './json.js';
import { applyJsonPatch, JsonPatchError } from './patch/json-patch.js';
import { applyMergePatch } from './patch/merge-patch.js';
import { applyStrategicMergePatch, StrategicMergeError } from './patch/strategic-merge.js';
import { groupVersion, type Registry, type ResourceType } from './resources.js';
import { objectMetaSchema, withObjectMeta } from './schema/shapes.js';
import { ratchet } from './schema/ratcheting.js';
import { validateRules } from './schema/rules.js';
import { applyDefaults, prune, validateValue } from './schema/structural.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, selectedName } from './selectors.js';
import { AlreadyExists, Conflict, NotFound, type Store } from './store/index.js';
import { rfc3339 } from './time.js';

export const orphanFinalizer = 'orphan';
export const foregroundFinalizer = 'foregroundDeletion';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Who is writing and how, for one request. */
export interface WriteContext {
  user: UserInfo;
  dryRun: boolean;
  /** The field manager: the `fieldManager` parameter, else derived from the user agent. */
  fieldManager: string;
  fieldValidation: FieldValidation;
  /** Admission and validation warnings, returned in `Warning` headers. */
  warnings: string[];
}

/** A write the server makes itself (bootstrap, built-in controllers) as `user`. */
export function internalContext(user: UserInfo, fieldManager = 'certwright-apiserver'): WriteContext {
  return { user, dryRun: false, fieldManager, fieldValidation: 'Strict', warnings: [] };
}

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const patchContentTypes: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export const namespaceKey = (name: string): string => storageKey({ group: '', plural: 'namespaces' }, '', name);

/** The object as this resource version serves it; shares the input when no conversion is needed. */
export function toServed(r: ResourceType, stored: KubeObject): KubeObject {
  if (r.strategy.fromStorage) return r.strategy.fromStorage(stored);
  const apiVersion = groupVersion(r);
  return stored.apiVersion === apiVersion ? stored : { ...stored, apiVersion };
}

/** Whether stored objects are served byte for byte (no version conversion can apply). */
export function servedAsStored(r: ResourceType): boolean {
  return !r.strategy.fromStorage && r.servedVersions === 1;
}

function toStored(r: ResourceType, served: KubeObject): KubeObject {
  return r.strategy.toStorage ? r.strategy.toStorage(served) : served;
}

const resourceVersionOf = (o: KubeObject): number => Number(o.metadata.resourceVersion ?? 0);

/** Everything but metadata (and status when it is a subresource): what bumps metadata.generation. */
function specChanged(before: KubeObject, after: KubeObject, statusSubresource: boolean): boolean {
  const strip = (o: KubeObject): Record<string, unknown> => {
    const { metadata: _m, status, ...rest } = o;
    return statusSubresource ? rest : { ...rest, status };
  };
  return !deepEqual(strip(before), strip(after));
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ContinueToken;
    if (typeof token.rv === 'number' && typeof token.start === 'string') return token;
  } catch {
    // reported below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

const statusScoped = (r: ResourceType): boolean => r.subresources.includes('status');

/**
 * The registry-and-strategy layer of the API server: every read and write of objects, with
 * Kubernetes' semantics (system metadata, optimistic concurrency, generation, status subresource,
 * finalizers, managed fields, admission). HTTP handlers and the built-in controllers both use it.
 */
export class ObjectService {
  private readonly terminatingCrds = new Set<string>();

  constructor(
    readonly store: Store,
    readonly registry: Registry,
    private readonly plugins: AdmissionPlugin[],
  ) {}

  /** Serves the CRDs already stored (at startup). */
  loadCustomResourceDefinitions(): void {
    const crd = this.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
    for (const o of this.store.list(storagePrefix(crd.storage, '')).items) this.syncCustomResourceDefinition(o.metadata.name!, o);
  }

  private syncCustomResourceDefinition(name: string, crd: KubeObject | undefined): void {
    this.registry.setCustom(name, crd ? customResourceTypes(crd) : []);
    if (crd?.metadata.deletionTimestamp) this.terminatingCrds.add(name);
    else this.terminatingCrds.delete(name);
  }

  keyOf(r: ResourceType, namespace: string | undefined, name: string): string {
    return storageKey(r.storage, r.namespaced ? namespace : '', name);
  }

  get(r: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const stored = this.store.get(this.keyOf(r, namespace, name));
    if (!stored) throw notFound(r, name);
    return toServed(r, stored);
  }

  /** `get` as JSON text: the stored text itself when no conversion applies, so nothing is parsed or serialized. */
  getJson(r: ResourceType, namespace: string | undefined, name: string): string {
    if (!servedAsStored(r)) return JSON.stringify(this.get(r, namespace, name));
    const json = this.store.getJson(this.keyOf(r, namespace, name));
    if (json === undefined) throw notFound(r, name);
    return json;
  }

  /** `list` as JSON text; without selectors, the stored texts joined, so nothing is parsed or serialized. */
  listJson(r: ResourceType, namespace: string | undefined, q: ListQuery): string {
    if (q.labelSelector || q.fieldSelector || !servedAsStored(r)) return JSON.stringify(this.list(r, namespace, q));
    const token = q.continue ? decodeContinue(q.continue) : undefined;
    const resourceVersion = token?.rv ?? this.store.resourceVersion;
    const page = this.store.listJson(storagePrefix(r.storage, r.namespaced ? namespace : ''), {
      ...(q.limit && q.limit > 0 ? { limit: q.limit } : {}),
      ...(token ? { continueAfterKey: token.start } : {}),
    });
    const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion) };
    if (page.nextKey !== undefined) metadata.continue = encodeContinue({ rv: resourceVersion, start: page.nextKey });
    return `{"apiVersion":${JSON.stringify(groupVersion(r))},"kind":${JSON.stringify(r.listKind)},"metadata":${JSON.stringify(metadata)},"items":[${page.items.join(',')}]}`;
  }

  list(r: ResourceType, namespace: string | undefined, q: ListQuery): KubeObject {
    const labels = parseLabelSelector(q.labelSelector);
    const fields = parseFieldSelector(q.fieldSelector, r);
    const limit = q.limit && q.limit > 0 ? q.limit : undefined;
    const token = q.continue ? decodeContinue(q.continue) : undefined;
    const matches = (o: KubeObject): boolean => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o, r);
    const items: KubeObject[] = [];
    const resourceVersion = token?.rv ?? this.store.resourceVersion;
    let next: string | undefined;
    const pinned = selectedName(fields);
    if (pinned !== undefined && (namespace !== undefined || !r.namespaced) && !token) {
      const stored = this.store.get(this.keyOf(r, namespace, pinned));
      if (stored) {
        const served = toServed(r, stored);
        if (matches(served)) items.push(served);
      }
    } else {
      const prefix = storagePrefix(r.storage, r.namespaced ? namespace : '');
      let after = token?.start;
      for (;;) {
        const page = this.store.list(prefix, { limit: limit ? Math.max(limit - items.length, 100) : 1000, ...(after !== undefined ? { continueAfterKey: after } : {}) });
        let consumedAll = true;
        for (let i = 0; i < page.items.length; i++) {
          const served = toServed(r, page.items[i]!);
          if (!matches(served)) continue;
          items.push(served);
          if (limit && items.length === limit) {
            const key = this.keyOf(r, served.metadata.namespace, served.metadata.name!);
            const more = i < page.items.length - 1 || page.nextKey !== undefined;
            if (more) next = key;
            consumedAll = false;
            break;
          }
        }
        if (!consumedAll || page.nextKey === undefined) break;
        after = page.nextKey;
      }
    }
    const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion) };
    if (next !== undefined) metadata.continue = encodeContinue({ rv: resourceVersion, start: next });
    return { apiVersion: groupVersion(r), kind: r.listKind, metadata, items } as unknown as KubeObject;
  }

  // ---- create ----

  async create(r: ResourceType, namespace: string | undefined, body: unknown, ctx: WriteContext): Promise<KubeObject> {
    const object = this.decodeBody(r, body, namespace);
    if (!object.metadata.name && object.metadata.generateName) object.metadata.name = `${object.metadata.generateName}${generatedSuffix()}`;
    this.normalize(r, object, ctx);
    this.prepareCreate(r, object);
    this.mutate(r, 'CREATE', object, undefined, ctx, '');
    const entries = trackUpdate({
      entries: [],
      before: {},
      after: managedView(object, 'main', statusScoped(r)),
      manager: ctx.fieldManager,
      apiVersion: groupVersion(r),
      subresource: '',
      schema: withObjectMeta(r.schema),
      now: rfc3339(),
    });
    return this.commitCreate(r, object, entries, ctx);
  }

  private prepareCreate(r: ResourceType, object: KubeObject): void {
    const meta = object.metadata;
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink', 'managedFields']) delete meta[k];
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339();
    if (r.tracksGeneration) meta.generation = 1;
    if (statusScoped(r)) delete object.status;
    r.strategy.prepareForCreate?.(object);
  }

  private async commitCreate(r: ResourceType, object: KubeObject, entries: ManagedFieldsEntry[], ctx: WriteContext): Promise<KubeObject> {
    const name = object.metadata.name;
    if (!name) throw invalid(r.group, r.kind, '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }]);
    if (r.namespaced) this.checkNamespaceWritable(r, object.metadata.namespace!, name);
    if (r.crd && this.terminatingCrds.has(r.crd)) throw new ApiError(405, 'MethodNotAllowed', `create not allowed while custom resource definition is terminating`);
    if (entries.length) object.metadata.managedFields = entries;
    this.validate(r, 'CREATE', object, undefined, ctx, '');
    const key = this.keyOf(r, object.metadata.namespace, name);
    if (ctx.dryRun) {
      if (this.store.get(key)) throw alreadyExists(r, name);
      return object;
    }
    try {
      const stored = await this.store.create(key, toStored(r, object));
      this.afterWrite(r, stored);
      return toServed(r, stored);
    } catch (e) {
      if (e instanceof AlreadyExists) throw alreadyExists(r, name);
      throw e;
    }
  }

  private checkNamespaceWritable(r: ResourceType, namespace: string, name: string): void {
    const ns = this.store.getJson(namespaceKey(namespace));
    if (ns === undefined) throw notFound({ group: '', plural: 'namespaces' }, namespace);
    // Only a namespace whose text names deletionTimestamp can be terminating: the rest need no parse.
    if (ns.includes('"deletionTimestamp"') && (JSON.parse(ns) as KubeObject).metadata.deletionTimestamp)
      throw forbidden(r, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
  }

  /** Body → object for this endpoint: kind and apiVersion checked, namespace from the URL. */
  private decodeBody(r: ResourceType, body: unknown, namespace: string | undefined): KubeObject {
    if (!isObject(body)) throw badRequest(`the object provided is unrecognized (must be of type ${r.kind})`);
    const object = body as unknown as KubeObject;
    const apiVersion = groupVersion(r);
    if (object.apiVersion !== undefined && object.apiVersion !== apiVersion)
      throw badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersion})`);
    if (object.kind !== undefined && object.kind !== r.kind) throw badRequest(`the kind in the data (${String(object.kind)}) does not match the expected kind (${r.kind})`);
    object.apiVersion = apiVersion;
    object.kind = r.kind;
    if (!isObject(object.metadata)) object.metadata = {};
    if (r.namespaced) {
      if (object.metadata.namespace && namespace && object.metadata.namespace !== namespace)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      object.metadata.namespace = namespace ?? object.metadata.namespace;
    } else {
      delete object.metadata.namespace;
    }
    return object;
  }

  // ---- update / patch / apply ----

  async update(r: ResourceType, namespace: string | undefined, name: string, body: unknown, ctx: WriteContext, scope: WriteScope): Promise<KubeObject> {
    const incoming = this.decodeBody(r, body, namespace);
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== name)
      throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    incoming.metadata.name = name;
    const precondition = incoming.metadata.resourceVersion;
    return this.modify(r, namespace, name, ctx, scope, precondition === undefined || precondition === '', (current) => {
      if (precondition && precondition !== current.metadata.resourceVersion) throw modifiedConflict(r, name);
      return { object: clone(incoming) };
    });
  }

  async patch(r: ResourceType, namespace: string | undefined, name: string, type: PatchType, patch: unknown, ctx: WriteContext, scope: WriteScope, force: boolean): Promise<{ object: KubeObject; created: boolean }> {
    if (type === 'strategic' && r.crd) throw unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
    if (type === 'apply') return this.apply(r, namespace, name, patch, ctx, scope, force);
    const object = await this.modify(r, namespace, name, ctx, scope, true, (current) => {
      let patched: unknown;
      try {
        if (type === 'json') patched = applyJsonPatch(current, patch);
        else if (type === 'merge') patched = applyMergePatch(current, patch);
        else patched = applyStrategicMergePatch(current, patch, withObjectMeta(r.schema));
      } catch (e) {
        if (e instanceof JsonPatchError || e instanceof StrategicMergeError) throw new ApiError(422, 'Invalid', e.message);
        throw e;
      }
      if (!isObject(patched)) throw badRequest('the patch produced something other than an object');
      const result = this.decodeBody(r, patched, namespace);
      if (result.metadata.name !== name) throw invalid(r.group, r.kind, name, [{ type: 'FieldValueInvalid', field: 'metadata.name', badValue: result.metadata.name, detail: 'field is immutable' }]);
      if (result.metadata.resourceVersion !== current.metadata.resourceVersion) throw modifiedConflict(r, name);
      return { object: result };
    });
    return { object, created: false };
  }

  private async apply(r: ResourceType, namespace: string | undefined, name: string, patch: unknown, ctx: WriteContext, scope: WriteScope, force: boolean): Promise<{ object: KubeObject; created: boolean }> {
    if (!isObject(patch)) throw badRequest('error decoding YAML: the apply configuration must be an object');
    const config = patch as unknown as KubeObject;
    const apiVersion = groupVersion(r);
    if (config.apiVersion !== apiVersion || config.kind !== r.kind)
      throw badRequest(`the API version or kind in the applied configuration (${String(config.apiVersion)}, ${String(config.kind)}) does not match the endpoint (${apiVersion}, ${r.kind})`);
    const meta: KubeObject['metadata'] = isObject(config.metadata) ? config.metadata : {};
    if (meta.name !== undefined && meta.name !== name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    if (r.namespaced && meta.namespace && meta.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    meta.name = name;
    if (r.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    config.metadata = meta;
    const schema = withObjectMeta(r.schema);
    const run = (live: KubeObject | undefined): { object: KubeObject; managedFields: ManagedFieldsEntry[] } => {
      const result = serverSideApply({ live, config, manager: ctx.fieldManager, force, apiVersion, scope, statusSubresource: statusScoped(r), schema, now: rfc3339() });
      if ('conflicts' in result) throw applyConflictError(result.conflicts, r.group, r.plural, name);
      return result;
    };
    const key = this.keyOf(r, namespace, name);
    for (;;) {
      if (this.store.get(key)) {
        const object = await this.modify(r, namespace, name, ctx, scope, true, (current) => {
          const result = run(current);
          return { object: result.object, managedFields: result.managedFields };
        });
        return { object, created: false };
      }
      if (scope === 'status') throw notFound(r, name);
      const applied = run(undefined);
      const object = applied.object;
      this.normalize(r, object, ctx);
      this.prepareCreate(r, object);
      this.mutate(r, 'CREATE', object, undefined, ctx, '');
      try {
        return { object: await this.commitCreate(r, object, applied.managedFields, ctx), created: true };
      } catch (e) {
        // Someone created it meanwhile: apply onto theirs.
        if (e instanceof ApiError && e.reason === 'AlreadyExists') continue;
        throw e;
      }
    }
  }

  /**
   * Read-modify-write with kube's update semantics. `change` gets the current served object and
   * returns the desired one (and, for apply, its managed fields). Retries on a concurrent write
   * when the caller did not pin a resourceVersion.
   */
  private async modify(
    r: ResourceType,
    namespace: string | undefined,
    name: string,
    ctx: WriteContext,
    scope: WriteScope,
    retryOnConflict: boolean,
    change: (current: KubeObject) => { object: KubeObject; managedFields?: ManagedFieldsEntry[] },
  ): Promise<KubeObject> {
    const key = this.keyOf(r, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const json = this.store.getJson(key);
      if (json === undefined) throw notFound(r, name);
      // Parsing the stored text again is cheaper than cloning a parsed copy.
      const fresh = (): KubeObject => toServed(r, JSON.parse(json) as KubeObject);
      const current = fresh();
      const desired = change(fresh());
      const subresource = scope === 'status' ? 'status' : '';
      this.normalize(r, desired.object, ctx);
      const object = this.prepareUpdate(r, current, desired.object, scope, fresh);
      this.mutate(r, 'UPDATE', object, current, ctx, subresource);
      object.metadata.managedFields = desired.managedFields ?? this.trackedFields(r, current, object, ctx, scope);
      if (!object.metadata.managedFields.length) delete object.metadata.managedFields;
      if (deepEqual(object, current)) return current;
      this.validate(r, 'UPDATE', object, current, ctx, subresource);
      if (ctx.dryRun) return object;
      try {
        return await this.commitUpdate(r, key, object, resourceVersionOf(current));
      } catch (e) {
        if (e instanceof Conflict && retryOnConflict && attempt < 16) { await yieldToPendingCommit(attempt); continue; }
        if (e instanceof Conflict) throw modifiedConflict(r, name);
        if (e instanceof NotFound) throw notFound(r, name);
        throw e;
      }
    }
  }

  private trackedFields(r: ResourceType, current: KubeObject, object: KubeObject, ctx: WriteContext, scope: WriteScope): ManagedFieldsEntry[] {
    const supplied = scope === 'main' ? decodeManagedFields(object.metadata.managedFields) : undefined;
    const base = supplied && supplied.length ? supplied : ((current.metadata.managedFields ?? []) as ManagedFieldsEntry[]);
    return trackUpdate({
      entries: base,
      before: managedView(current, scope, statusScoped(r)),
      after: managedView(object, scope, statusScoped(r)),
      manager: ctx.fieldManager,
      apiVersion: groupVersion(r),
      subresource: scope === 'status' ? 'status' : '',
      schema: withObjectMeta(r.schema),
      now: rfc3339(),
    });
  }

  /** System metadata from the current object, the scope's reset, the strategy, generation. */
  private prepareUpdate(r: ResourceType, current: KubeObject, desired: KubeObject, scope: WriteScope, copyOfCurrent: () => KubeObject): KubeObject {
    let object: KubeObject;
    if (scope === 'status') {
      object = copyOfCurrent();
      if (desired.status === undefined) delete object.status;
      else object.status = desired.status;
    } else {
      object = desired;
      if (statusScoped(r)) {
        if (current.status === undefined) delete object.status;
        else object.status = clone(current.status);
      }
    }
    const meta = object.metadata;
    for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const) {
      if (current.metadata[k] === undefined) delete meta[k];
      else meta[k] = current.metadata[k] as never;
    }
    meta.resourceVersion = current.metadata.resourceVersion;
    delete meta.selfLink;
    r.strategy.prepareForUpdate?.(object, current);
    if (r.tracksGeneration && specChanged(current, object, statusScoped(r))) meta.generation = (current.metadata.generation ?? 0) + 1;
    return object;
  }

  private async commitUpdate(r: ResourceType, key: string, object: KubeObject, expected: number): Promise<KubeObject> {
    const deleting = object.metadata.deletionTimestamp !== undefined && !(object.metadata.finalizers ?? []).length && !this.hasSystemFinalizers(r, object);
    const stored = await this.store.update(key, toStored(r, object), expected);
    if (deleting) {
      try {
        const deleted = await this.store.delete(key, resourceVersionOf(stored));
        this.afterDelete(r, deleted);
        return toServed(r, deleted);
      } catch (e) {
        if (!(e instanceof Conflict || e instanceof NotFound)) throw e;
      }
    }
    this.afterWrite(r, stored);
    return toServed(r, stored);
  }

  /** Namespaces keep their own `spec.finalizers`, emptied by the namespace controller. */
  private hasSystemFinalizers(r: ResourceType, o: KubeObject): boolean {
    return r.group === '' && r.kind === 'Namespace' && Array.isArray((o.spec as { finalizers?: unknown[] } | undefined)?.finalizers) && ((o.spec as { finalizers: unknown[] }).finalizers.length > 0);
  }

  private afterWrite(r: ResourceType, stored: KubeObject): void {
    if (r.group === 'apiextensions.k8s.io' && r.kind === 'CustomResourceDefinition') this.syncCustomResourceDefinition(stored.metadata.name!, stored);
  }

  private afterDelete(r: ResourceType, deleted: KubeObject): void {
    if (r.group === 'apiextensions.k8s.io' && r.kind === 'CustomResourceDefinition') this.syncCustomResourceDefinition(deleted.metadata.name!, undefined);
  }

  // ---- delete ----

  async delete(r: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions, ctx: WriteContext): Promise<KubeObject> {
    const key = this.keyOf(r, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const stored = this.store.get(key);
      if (!stored) throw notFound(r, name);
      const current = toServed(r, stored);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid)
        throw conflict(r, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)
        throw conflict(r, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`);
      this.validate(r, 'DELETE', undefined, current, ctx, '');
      const finalizers = [...(current.metadata.finalizers ?? [])];
      const add = (f: string): void => {
        if (!finalizers.includes(f)) finalizers.push(f);
      };
      const drop = (f: string): void => {
        const i = finalizers.indexOf(f);
        if (i >= 0) finalizers.splice(i, 1);
      };
      if (options.propagationPolicy === 'Orphan') {
        add(orphanFinalizer);
        drop(foregroundFinalizer);
      } else if (options.propagationPolicy === 'Foreground') {
        add(foregroundFinalizer);
        drop(orphanFinalizer);
      } else if (options.propagationPolicy === 'Background') {
        drop(orphanFinalizer);
        drop(foregroundFinalizer);
      }
      const graceful = finalizers.length > 0 || this.hasSystemFinalizers(r, current);
      try {
        if (!graceful) {
          if (ctx.dryRun || options.dryRun) return current;
          const deleted = await this.store.delete(key, resourceVersionOf(current));
          this.afterDelete(r, deleted);
          return toServed(r, deleted);
        }
        const object = clone(current);
        object.metadata.finalizers = finalizers;
        object.metadata.deletionTimestamp ??= rfc3339();
        object.metadata.deletionGracePeriodSeconds ??= 0;
        if (r.group === '' && r.kind === 'Namespace') object.status = { ...(object.status as object), phase: 'Terminating' };
        if (!r.crd && r.kind === 'CustomResourceDefinition') r.strategy.prepareForUpdate?.(object, current);
        if (deepEqual(object, current) || ctx.dryRun || options.dryRun) return object;
        return await this.commitUpdate(r, key, object, resourceVersionOf(current));
      } catch (e) {
        if (e instanceof Conflict && attempt < 16) { await yieldToPendingCommit(attempt); continue; }
        if (e instanceof NotFound) throw notFound(r, name);
        throw e;
      }
    }
  }

  async deleteCollection(r: ResourceType, namespace: string | undefined, q: ListQuery, options: DeleteOptions, ctx: WriteContext): Promise<KubeObject> {
    const list = this.list(r, namespace, { ...q, limit: 0 }) as unknown as { items: KubeObject[] };
    const deleted: KubeObject[] = [];
    for (const item of list.items) {
      try {
        deleted.push(await this.delete(r, item.metadata.namespace, item.metadata.name!, options, ctx));
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return { apiVersion: groupVersion(r), kind: r.listKind, metadata: { resourceVersion: String(this.store.resourceVersion) }, items: deleted } as unknown as KubeObject;
  }

  // ---- internal writes by the built-in controllers ----

  /**
   * Changes a stored object without admission (as a controller with its own storage access would):
   * `change` edits a copy and returns false to skip the write. Retries on conflicts.
   */
  async mutateStored(r: ResourceType, key: string, change: (o: KubeObject) => boolean): Promise<KubeObject | undefined> {
    for (let attempt = 0; attempt < 32; attempt++) {
      const stored = this.store.get(key);
      if (!stored) return undefined;
      const copy = clone(stored);
      if (!change(copy)) return stored;
      try {
        return await this.commitUpdate(r, key, copy, resourceVersionOf(stored));
      } catch (e) {
        if (e instanceof Conflict) { await yieldToPendingCommit(attempt); continue; }
        if (e instanceof NotFound) return undefined;
        throw e;
      }
    }
    throw modifiedConflict(r, key);
  }

  // ---- admission ----

  /** Defaulting (custom resources) and pruning of unknown fields, as decoding does in kube. */
  private normalize(r: ResourceType, object: KubeObject, ctx: WriteContext): void {
    if (r.crd && r.schema) applyDefaults(object, r.schema);
    const pruned = [...prune(object, r.schema), ...prune(object.metadata, objectMetaSchema, 'metadata', false)];
    if (!pruned.length) return;
    const unknown = pruned.map((p) => `unknown field "${p}"`);
    if (ctx.fieldValidation === 'Strict') throw badRequest(`${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: strict decoding error: ${unknown.join(', ')}`);
    if (ctx.fieldValidation === 'Warn') ctx.warnings.push(...unknown);
  }

  private admissionRequest(r: ResourceType, operation: AdmissionOperation, object: KubeObject | undefined, old: KubeObject | undefined, ctx: WriteContext, subresource: string): AdmissionRequest {
    const request: AdmissionRequest = { operation, group: r.group, version: r.version, kind: r.kind, resource: r.plural, userInfo: ctx.user, dryRun: ctx.dryRun };
    const namespace = object?.metadata.namespace ?? old?.metadata.namespace;
    const name = object?.metadata.name ?? old?.metadata.name;
    if (subresource) request.subresource = subresource;
    if (namespace) request.namespace = namespace;
    if (name) request.name = name;
    if (object) request.object = object;
    if (old) request.oldObject = old;
    return request;
  }

  private pluginsFor(r: ResourceType): AdmissionPlugin[] {
    return this.plugins.filter((p) => p.handles(r.group, r.kind));
  }

  /** Mutating admission: every plugin that handles the kind may change the object in place. */
  private mutate(r: ResourceType, operation: AdmissionOperation, object: KubeObject, old: KubeObject | undefined, ctx: WriteContext, subresource: string): void {
    const plugins = this.pluginsFor(r).filter((p) => p.mutate);
    if (!plugins.length) return;
    const request = this.admissionRequest(r, operation, object, old, ctx, subresource);
    for (const p of plugins) p.mutate!(request);
  }

  /**
   * Every validation (metadata, kind, schema, CEL rules, then plugins); any error rejects with 422
   * listing all causes. As in kube-apiserver, validating admission only sees objects that passed the
   * strategy and schema, so a webhook's message never repeats a schema error.
   */
  private validate(r: ResourceType, operation: AdmissionOperation, object: KubeObject | undefined, old: KubeObject | undefined, ctx: WriteContext, subresource: string): void {
    const errors: FieldError[] = [];
    if (object) {
      errors.push(...validateObjectMeta(object, r.nameRule, r.namespaced));
      if (old?.metadata.deletionTimestamp) {
        const added = (object.metadata.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
        if (added.length)
          errors.push({ type: 'FieldValueForbidden', field: 'metadata.finalizers', detail: `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}` });
      }
      errors.push(...(r.strategy.validate?.(object, old) ?? []));
      if (r.crd && r.schema) errors.push(...ratchet([...validateValue(object, r.schema, ''), ...validateRules(object, old, r.schema)], object, old));
    }
    const plugins = this.pluginsFor(r);
    if (plugins.length && errors.length === 0) {
      const request = this.admissionRequest(r, operation, object, old, ctx, subresource);
      for (const p of plugins) {
        errors.push(...p.validate(request));
        ctx.warnings.push(...(p.warnings?.(request) ?? []));
      }
    }
    if (errors.length) throw invalid(r.group, r.kind, object?.metadata.name ?? old?.metadata.name ?? '', errors);
  }
}

/**
 * A store conflict usually means another write to the object is still being committed (group
 * commit makes it visible only after fsync); retrying at once would read the same old state and
 * exhaust the retries in microseconds, so wait a little longer on each attempt.
 */
function yieldToPendingCommit(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(1 + attempt * 2, 20)));
}

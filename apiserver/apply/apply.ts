import type { KubeObject } from '../admission.js';
import { ApiError } from '../errors.js';
import { clone, deepEqual, isObject, type Json, type JsonObject } from '../json.js';
import { memberSchema, type JsonSchema } from '../schema/types.js';
import { FieldSet, isPrefixOf, pathText, type FieldPath } from './fieldset.js';
import {
  appliedFieldSet,
  changedFieldSet,
  entrySet,
  isAtomicMap,
  listElement,
  listTypeOf,
  makeEntry,
  managedView,
  type ManagedFieldsEntry,
  type WriteScope,
} from './managed-fields.js';

/** Merges an applied configuration into the live object the way structured-merge-diff does. */
export function mergeApplied(live: unknown, config: unknown, schema: JsonSchema | undefined): Json {
  if (isObject(config) && isObject(live) && !isAtomicMap(schema)) {
    const result: JsonObject = { ...live };
    for (const [k, v] of Object.entries(config)) {
      if (v === null) delete result[k];
      else result[k] = mergeApplied(live[k], v, memberSchema(schema, k));
    }
    return result;
  }
  if (Array.isArray(config) && Array.isArray(live) && listTypeOf(schema) !== 'atomic') {
    const result = [...live];
    config.forEach((item, i) => {
      const element = listElement(item, schema, i);
      const at = result.findIndex((r, j) => listElement(r, schema, j) === element);
      if (at >= 0) result[at] = listTypeOf(schema) === 'set' ? item : mergeApplied(result[at], item, schema?.items);
      else result.push(clone(item));
    });
    return result;
  }
  return clone(config) as Json;
}

/** Whether `field` is one of the keys in a list-map path element (`k:{"uid":…}`). */
const isMapKeyOf = (parent: string | undefined, field: string): boolean =>
  parent !== undefined && parent.startsWith('k:') && Object.hasOwn(JSON.parse(parent.slice(2)) as object, field);

/** Deletes the value at a field path (nothing when it is not there); a kept list-map item keeps its key fields, which name it. */
function removeAt(root: JsonObject, path: FieldPath, schema: JsonSchema | undefined): void {
  let node: unknown = root;
  let s = schema;
  for (let i = 0; i < path.length; i++) {
    const element = path[i]!;
    const last = i === path.length - 1;
    if (element.startsWith('f:')) {
      if (!isObject(node)) return;
      const name = element.slice(2);
      if (last) {
        if (!isMapKeyOf(path[i - 1], name)) delete node[name];
        return;
      }
      node = node[name];
      s = memberSchema(s, name);
    } else {
      if (!Array.isArray(node)) return;
      const list: unknown[] = node;
      const at = list.findIndex((item, j) => listElement(item, s, j) === element);
      if (at < 0) return;
      if (last) {
        list.splice(at, 1);
        return;
      }
      node = list[at];
      s = s?.items;
    }
  }
}

/**
 * Removes the fields a manager stopped applying, parents first: a dropped list-map item or map goes
 * as a whole (its key fields with it) unless someone still owns something beneath it, in which case
 * only its unowned fields go.
 */
function removeDropped(root: JsonObject, dropped: FieldPath[], kept: (path: FieldPath) => boolean, schema: JsonSchema | undefined): void {
  const removed: FieldPath[] = [];
  for (const path of dropped) {
    if (removed.some((r) => isPrefixOf(r, path)) || kept(path)) continue;
    removeAt(root, path, schema);
    removed.push(path);
  }
}

export interface ApplyConflict {
  manager: ManagedFieldsEntry;
  path: FieldPath;
}

function describeManager(e: ManagedFieldsEntry): string {
  let text = JSON.stringify(e.manager);
  if (e.subresource) text += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') text += e.time ? ` using ${e.apiVersion} at ${e.time}` : ` using ${e.apiVersion}`;
  return text;
}

/** 409 with kube's wording: `Apply failed with 1 conflict: conflict with "x" using v1: .data.key`. */
export function applyConflictError(conflicts: ApplyConflict[], group: string, plural: string, name: string): ApiError {
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0]!.manager)}: ${pathText(conflicts[0]!.path)}`;
  } else {
    const byManager = new Map<string, { entry: ManagedFieldsEntry; paths: FieldPath[] }>();
    for (const c of conflicts) {
      const key = describeManager(c.manager);
      const group = byManager.get(key) ?? { entry: c.manager, paths: [] };
      group.paths.push(c.path);
      byManager.set(key, group);
    }
    const lines: string[] = [];
    for (const key of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${key}:`);
      for (const p of byManager.get(key)!.paths) lines.push(`- ${pathText(p)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, {
    name,
    group,
    kind: plural,
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.manager)}`, field: pathText(c.path) })),
  });
}

export interface ApplyRequest {
  live: KubeObject | undefined;
  config: KubeObject;
  manager: string;
  force: boolean;
  apiVersion: string;
  scope: WriteScope;
  statusSubresource: boolean;
  schema: JsonSchema;
  now: string;
}

export interface ApplyResult {
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

/**
 * Server-side apply: merge the configuration, refuse fields other managers own with a different
 * value (unless forced, which takes them over), drop fields this manager applied before but no
 * longer does (when nobody else owns them), and record the manager's applied set.
 */
export function serverSideApply(r: ApplyRequest): ApplyResult | { conflicts: ApplyConflict[] } {
  const subresource = r.scope === 'status' ? 'status' : '';
  const liveView = managedView(r.live, r.scope, r.statusSubresource);
  const configView = managedView(r.config, r.scope, r.statusSubresource);
  const applied = appliedFieldSet(configView, r.schema);
  const merged = mergeApplied(liveView, configView, r.schema) as JsonObject;
  const changed = changedFieldSet(liveView, merged, r.schema);

  const entries = (r.live?.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  const isOwn = (e: ManagedFieldsEntry): boolean => e.manager === r.manager && e.operation === 'Apply' && (e.subresource ?? '') === subresource;
  const own = entries.find(isOwn);
  const conflicts: ApplyConflict[] = [];
  for (const e of entries) {
    if (isOwn(e)) continue;
    for (const path of entrySet(e).intersection(changed).paths()) conflicts.push({ manager: e, path });
  }
  if (conflicts.length && !r.force) return { conflicts };

  const others = entries
    .filter((e) => !isOwn(e))
    .map((e) => {
      const lost = new FieldSet();
      for (const c of conflicts) if (c.manager === e) lost.insert(c.path);
      return lost.empty ? { entry: e, set: entrySet(e) } : { entry: { ...e, fieldsV1: entrySet(e).difference(lost).toFieldsV1() }, set: entrySet(e).difference(lost) };
    })
    .filter((o) => !o.set.empty);

  if (own) removeDropped(merged, entrySet(own).difference(applied).paths(), (path) => others.some((o) => o.set.hasPrefix(path)) || applied.hasPrefix(path), r.schema);

  const ownEntry =
    own && deepEqual(entrySet(own).toFieldsV1(), applied.toFieldsV1()) ? { ...own, apiVersion: r.apiVersion } : makeEntry(r.manager, 'Apply', r.apiVersion, r.now, applied, subresource);
  const managedFields = [...others.map((o) => o.entry)];
  const ownIndex = own ? entries.indexOf(own) : -1;
  if (ownIndex >= 0) managedFields.splice(Math.min(ownIndex, managedFields.length), 0, ownEntry);
  else managedFields.push(ownEntry);

  return { object: rebuild(r, merged), managedFields };
}

/** Puts the untracked parts (identity metadata, the other scope's fields) back around the merged view. */
function rebuild(r: ApplyRequest, merged: JsonObject): KubeObject {
  const base = r.live ?? r.config;
  if (r.scope === 'status') {
    const object = clone(base);
    if (merged.status === undefined) delete object.status;
    else object.status = merged.status;
    return object;
  }
  const object: KubeObject = { apiVersion: r.config.apiVersion, kind: r.config.kind, metadata: {} };
  const mergedMeta = isObject(merged.metadata) ? merged.metadata : {};
  const identity = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'];
  for (const k of identity) if (base.metadata[k] !== undefined) object.metadata[k] = clone(base.metadata[k]);
  Object.assign(object.metadata, clone(mergedMeta));
  for (const [k, v] of Object.entries(merged)) if (k !== 'metadata') object[k] = v;
  if (r.statusSubresource && r.live?.status !== undefined) object.status = clone(r.live.status);
  return object;
}

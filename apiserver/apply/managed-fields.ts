import type { KubeObject } from '../admission.js';
import { deepEqual, isObject, type JsonObject } from '../json.js';
import { isDeclaredField, memberSchema, type JsonSchema } from '../schema/types.js';
import { rfc3339 } from '../time.js';
import { FieldSet, type FieldPath, type PathElement } from './fieldset.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** Which part of an object a write may touch: everything but status, or status alone. */
export type WriteScope = 'main' | 'status';

/** Metadata the field manager never tracks (structured-merge-diff's `stripMeta`). */
const untrackedMetadata = ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'generation', 'managedFields', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/** The part of `object` whose fields have managers, for a write in `scope`. */
export function managedView(object: KubeObject | undefined, scope: WriteScope, statusSubresource: boolean): JsonObject {
  if (!object) return {};
  if (scope === 'status') return object.status === undefined ? {} : ({ status: object.status } as JsonObject);
  const view: JsonObject = {};
  for (const [k, v] of Object.entries(object)) {
    if (k === 'apiVersion' || k === 'kind' || (k === 'status' && statusSubresource) || v === undefined) continue;
    if (k === 'metadata') {
      const meta: JsonObject = {};
      for (const [mk, mv] of Object.entries(object.metadata)) if (!untrackedMetadata.includes(mk) && mv !== undefined) meta[mk] = mv as JsonObject;
      if (Object.keys(meta).length) view.metadata = meta;
      continue;
    }
    view[k] = v as JsonObject;
  }
  return view;
}

type ListType = 'atomic' | 'set' | 'map';

export function listTypeOf(schema: JsonSchema | undefined): ListType {
  const declared = schema?.['x-kubernetes-list-type'];
  if (declared) return declared;
  // Built-in merge keys double as list-map keys when no list type is declared.
  return schema?.['x-kubernetes-patch-merge-key'] ? 'map' : 'atomic';
}

function mapKeysOf(schema: JsonSchema | undefined): string[] {
  const keys = schema?.['x-kubernetes-list-map-keys'];
  if (keys?.length) return keys;
  const mergeKey = schema?.['x-kubernetes-patch-merge-key'];
  return mergeKey ? [mergeKey] : [];
}

export function isAtomicMap(schema: JsonSchema | undefined): boolean {
  return schema?.['x-kubernetes-map-type'] === 'atomic';
}

/** The path element of a list item: `k:{…}` for list-maps, `v:…` for sets, `i:n` otherwise. */
export function listElement(item: unknown, listSchema: JsonSchema | undefined, index: number): PathElement {
  const type = listTypeOf(listSchema);
  if (type === 'set') return `v:${JSON.stringify(item)}`;
  if (type === 'map' && isObject(item)) {
    const keys: JsonObject = {};
    for (const k of [...mapKeysOf(listSchema)].sort()) if (item[k] !== undefined) keys[k] = item[k]!;
    if (Object.keys(keys).length) return `k:${JSON.stringify(keys)}`;
  }
  return `i:${index}`;
}

function findItem(list: unknown[], element: PathElement, listSchema: JsonSchema | undefined): number {
  return list.findIndex((item, i) => listElement(item, listSchema, i) === element);
}

/** Fields an applied configuration sets (structured-merge-diff's `ToFieldSet`). */
export function appliedFieldSet(config: JsonObject, schema: JsonSchema | undefined): FieldSet {
  const set = new FieldSet();
  const walk = (value: unknown, s: JsonSchema | undefined, path: FieldPath): void => {
    if (isObject(value)) {
      if (isAtomicMap(s) || Object.keys(value).length === 0) {
        if (path.length) set.insert(path);
        return;
      }
      for (const [k, child] of Object.entries(value)) {
        const childPath = [...path, `f:${k}`];
        walk(child, memberSchema(s, k), childPath);
        if (child === null || (isObject(child) && Object.keys(child).length === 0) || !isDeclaredField(s, k)) set.insert(childPath);
      }
      return;
    }
    if (Array.isArray(value) && listTypeOf(s) !== 'atomic') {
      value.forEach((item, i) => {
        const itemPath = [...path, listElement(item, s, i)];
        walk(item, s?.items, itemPath);
        set.insert(itemPath);
      });
      return;
    }
    if (path.length) set.insert(path);
  };
  walk(config, schema, []);
  return recordable(set);
}

function insertSubtree(set: FieldSet, value: unknown, schema: JsonSchema | undefined, path: FieldPath): void {
  if (path.length) set.insert(path);
  if (isObject(value) && !isAtomicMap(schema)) {
    for (const [k, child] of Object.entries(value)) insertSubtree(set, child, memberSchema(schema, k), [...path, `f:${k}`]);
  } else if (Array.isArray(value) && listTypeOf(schema) !== 'atomic') {
    value.forEach((item, i) => insertSubtree(set, item, schema?.items, [...path, listElement(item, schema, i)]));
  }
}

/** Paths added or changed from `before` to `after`; added subtrees are included whole. */
export function changedFieldSet(before: unknown, after: unknown, schema: JsonSchema | undefined): FieldSet {
  const set = new FieldSet();
  const walk = (oldV: unknown, newV: unknown, s: JsonSchema | undefined, path: FieldPath): void => {
    if (newV === undefined) return;
    if (oldV === undefined) return insertSubtree(set, newV, s, path);
    if (isObject(oldV) && isObject(newV) && !isAtomicMap(s)) {
      for (const [k, v] of Object.entries(newV)) walk(oldV[k], v, memberSchema(s, k), [...path, `f:${k}`]);
      return;
    }
    if (Array.isArray(oldV) && Array.isArray(newV) && listTypeOf(s) !== 'atomic') {
      newV.forEach((item, i) => {
        const element = listElement(item, s, i);
        const at = findItem(oldV, element, s);
        walk(at >= 0 ? oldV[at] : undefined, item, s?.items, [...path, element]);
      });
      return;
    }
    if (!deepEqual(oldV, newV)) insertSubtree(set, newV, s, path);
  };
  walk(before, after, schema, []);
  return set;
}

/** Paths present in `before` and gone from `after`. */
export function removedFieldSet(before: unknown, after: unknown, schema: JsonSchema | undefined): FieldSet {
  const set = new FieldSet();
  const walk = (oldV: unknown, newV: unknown, s: JsonSchema | undefined, path: FieldPath): void => {
    if (oldV === undefined) return;
    if (newV === undefined) {
      set.insert(path);
      return;
    }
    if (isObject(oldV) && isObject(newV) && !isAtomicMap(s)) {
      for (const [k, v] of Object.entries(oldV)) walk(v, newV[k], memberSchema(s, k), [...path, `f:${k}`]);
      return;
    }
    if (Array.isArray(oldV) && Array.isArray(newV) && listTypeOf(s) !== 'atomic') {
      oldV.forEach((item, i) => {
        const element = listElement(item, s, i);
        const at = findItem(newV, element, s);
        walk(item, at >= 0 ? newV[at] : undefined, s?.items, [...path, element]);
      });
    }
  };
  walk(before, after, schema, []);
  return set;
}

/** Paths the field manager never records, even when a write creates them (`metadata` itself). */
const neverManaged = FieldSet.fromFieldsV1({});
neverManaged.insert(['f:metadata']);

function recordable(set: FieldSet): FieldSet {
  return set.difference(neverManaged);
}

export const entrySet = (e: ManagedFieldsEntry): FieldSet => FieldSet.fromFieldsV1(e.fieldsV1);

const sameSubresource = (e: ManagedFieldsEntry, subresource: string): boolean => (e.subresource ?? '') === subresource;

export function makeEntry(manager: string, operation: 'Apply' | 'Update', apiVersion: string, time: string, set: FieldSet, subresource: string): ManagedFieldsEntry {
  const entry: ManagedFieldsEntry = { manager, operation, apiVersion, time, fieldsType: 'FieldsV1', fieldsV1: set.toFieldsV1() };
  if (subresource) entry.subresource = subresource;
  return entry;
}

export interface UpdateTracking {
  entries: ManagedFieldsEntry[];
  before: JsonObject;
  after: JsonObject;
  manager: string;
  apiVersion: string;
  subresource: string;
  schema: JsonSchema | undefined;
  now: string;
}

/**
 * Ownership after a non-apply write: the writer gains every changed field, other managers lose
 * them, and removed fields leave every manager.
 */
export function trackUpdate(t: UpdateTracking): ManagedFieldsEntry[] {
  const changed = recordable(changedFieldSet(t.before, t.after, t.schema));
  const removed = removedFieldSet(t.before, t.after, t.schema);
  const result: ManagedFieldsEntry[] = [];
  let own: ManagedFieldsEntry | undefined;
  for (const e of t.entries) {
    const isOwn = e.manager === t.manager && e.operation === 'Update' && sameSubresource(e, t.subresource);
    const before = entrySet(e);
    let after = before.withoutSubtrees(removed);
    after = isOwn ? after.union(changed) : after.difference(changed);
    if (after.empty) continue;
    const unchanged = deepEqual(after.toFieldsV1(), e.fieldsV1);
    const next: ManagedFieldsEntry = unchanged ? e : { ...e, fieldsV1: after.toFieldsV1(), time: t.now };
    if (isOwn) own = next;
    result.push(next);
  }
  if (!own && !changed.empty) result.push(makeEntry(t.manager, 'Update', t.apiVersion, t.now, changed, t.subresource));
  return result;
}

/** Parses `metadata.managedFields` leniently: malformed entries are dropped, as kube resets them. */
export function decodeManagedFields(value: unknown): ManagedFieldsEntry[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const entries: ManagedFieldsEntry[] = [];
  for (const raw of value) {
    if (!isObject(raw) || typeof raw.manager !== 'string' || (raw.operation !== 'Apply' && raw.operation !== 'Update')) return undefined;
    const entry: ManagedFieldsEntry = {
      manager: raw.manager,
      operation: raw.operation,
      apiVersion: typeof raw.apiVersion === 'string' ? raw.apiVersion : '',
      fieldsType: 'FieldsV1',
      fieldsV1: isObject(raw.fieldsV1) ? (raw.fieldsV1 as Record<string, unknown>) : {},
    };
    // Clients may send the time with fractional seconds; kube keeps whole seconds.
    if (typeof raw.time === 'string' && !Number.isNaN(Date.parse(raw.time))) entry.time = rfc3339(new Date(raw.time));
    if (typeof raw.subresource === 'string' && raw.subresource) entry.subresource = raw.subresource;
    entries.push(entry);
  }
  return entries;
}

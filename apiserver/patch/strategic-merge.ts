import { memberSchema, type JsonSchema } from '../schema/types.js';
import { clone, deepEqual, isObject, type Json, type JsonObject } from '../json.js';

/** A strategic merge patch that cannot be applied (bad directive, missing merge key). */
export class StrategicMergeError extends Error {}

const setElementOrderPrefix = '$setElementOrder/';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList/';
const retainKeysDirective = '$retainKeys';
const patchDirective = '$patch';

function strategyOf(schema: JsonSchema | undefined): { merge: boolean; retainKeys: boolean; mergeKey?: string } {
  const strategy = schema?.['x-kubernetes-patch-strategy'] ?? '';
  const parts = strategy.split(',');
  const result: { merge: boolean; retainKeys: boolean; mergeKey?: string } = { merge: parts.includes('merge'), retainKeys: parts.includes('retainKeys') };
  const mergeKey = schema?.['x-kubernetes-patch-merge-key'];
  if (mergeKey) result.mergeKey = mergeKey;
  return result;
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.filter((v) => !(isObject(v) && v[patchDirective] !== undefined && Object.keys(v).length === 1)).map(stripDirectives);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === patchDirective || k === retainKeysDirective || k.startsWith(setElementOrderPrefix) || k.startsWith(deleteFromPrimitiveListPrefix)) continue;
    out[k] = stripDirectives(v);
  }
  return out;
}

function orderBy(list: Json[], order: Json[], mergeKey: string | undefined): Json[] {
  const position = (item: Json): number =>
    order.findIndex((o) => (mergeKey ? isObject(o) && isObject(item) && deepEqual(o[mergeKey], item[mergeKey]) : deepEqual(o, item)));
  const listed = list.filter((i) => position(i) >= 0).sort((a, b) => position(a) - position(b));
  const unlisted = list.filter((i) => position(i) < 0);
  return [...listed, ...unlisted];
}

function mergeList(original: Json | undefined, patch: Json[], schema: JsonSchema | undefined): Json[] {
  const { mergeKey } = strategyOf(schema);
  const base = Array.isArray(original) ? [...original] : [];
  if (patch.some((p) => isObject(p) && p[patchDirective] === 'replace')) return stripDirectives(patch.filter((p) => !(isObject(p) && p[patchDirective] === 'replace'))) as Json[];
  if (!mergeKey) {
    // A primitive list with the merge strategy: union, keeping the original order.
    const result = [...base];
    for (const item of patch) if (!result.some((r) => deepEqual(r, item))) result.push(item);
    return result;
  }
  const itemSchema = schema?.items;
  for (const item of patch) {
    if (!isObject(item)) throw new StrategicMergeError(`merging an object in json but data type is not map, orig: ${JSON.stringify(item)}`);
    const key = item[mergeKey];
    if (key === undefined) throw new StrategicMergeError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
    const index = base.findIndex((b) => isObject(b) && deepEqual(b[mergeKey], key));
    if (item[patchDirective] === 'delete') {
      if (index >= 0) base.splice(index, 1);
      continue;
    }
    if (index >= 0) base[index] = applyStrategicMergePatch(base[index], item, itemSchema);
    else base.push(applyStrategicMergePatch(undefined, item, itemSchema));
  }
  return base;
}

/**
 * Kubernetes strategic merge patch: like a JSON merge patch, except lists whose schema declares
 * `x-kubernetes-patch-strategy: merge` merge by `x-kubernetes-patch-merge-key` (or as sets for
 * primitives), and the `$patch`, `$retainKeys`, `$setElementOrder/…` and
 * `$deleteFromPrimitiveList/…` directives kubectl emits are honoured.
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, schema: JsonSchema | undefined): Json {
  if (!isObject(patch)) return clone(patch) as Json;
  const directive = patch[patchDirective];
  if (directive === 'replace') return stripDirectives(patch);
  if (directive !== undefined && directive !== 'merge' && directive !== 'delete') throw new StrategicMergeError(`unknown patch type: ${String(directive)}`);
  if (schema?.['x-kubernetes-map-type'] === 'atomic') return stripDirectives(patch);
  const result: JsonObject = isObject(original) ? { ...(clone(original) as JsonObject) } : {};
  const orders: [string, Json[]][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === patchDirective || key === retainKeysDirective) continue;
    if (key.startsWith(setElementOrderPrefix)) {
      if (Array.isArray(value)) orders.push([key.slice(setElementOrderPrefix.length), value]);
      continue;
    }
    if (key.startsWith(deleteFromPrimitiveListPrefix)) {
      const field = key.slice(deleteFromPrimitiveListPrefix.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value)) result[field] = current.filter((c) => !value.some((v) => deepEqual(v, c)));
      continue;
    }
    const fieldSchema = memberSchema(schema, key);
    if (value === null) {
      delete result[key];
    } else if (Array.isArray(value)) {
      result[key] = strategyOf(fieldSchema).merge ? mergeList(result[key], value, fieldSchema) : (stripDirectives(value) as Json[]);
    } else if (isObject(value)) {
      if (value[patchDirective] === 'delete') delete result[key];
      else result[key] = applyStrategicMergePatch(result[key], value, fieldSchema);
    } else {
      result[key] = value;
    }
  }
  for (const [field, order] of orders) {
    const current = result[field];
    if (Array.isArray(current)) result[field] = orderBy(current, order, strategyOf(memberSchema(schema, field)).mergeKey);
  }
  const retain = patch[retainKeysDirective];
  if (Array.isArray(retain)) {
    for (const key of Object.keys(result)) if (!retain.includes(key)) delete result[key];
  }
  return result;
}

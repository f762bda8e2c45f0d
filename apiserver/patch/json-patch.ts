import { clone, deepEqual, isObject, type Json } from '../json.js';

/** A JSON Patch (RFC 6902) that cannot be applied; the message reads like evanphx/json-patch's. */
export class JsonPatchError extends Error {}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`invalid JSON pointer: ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, tokens: string[], pointer: string): { parent: Json; key: string } {
  let node: Json = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) {
      const i = Number(token);
      if (!/^\d+$/.test(token) || i >= node.length) throw new JsonPatchError(`doc is missing path: "${pointer}": missing value`);
      node = node[i]!;
    } else if (isObject(node)) {
      if (!(token in node)) throw new JsonPatchError(`doc is missing path: "${pointer}": missing value`);
      node = node[token]!;
    } else {
      throw new JsonPatchError(`doc is missing path: "${pointer}": missing value`);
    }
  }
  return { parent: node, key: tokens[tokens.length - 1]! };
}

function getValue(doc: Json, pointer: string): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!/^\d+$/.test(key) || i >= parent.length) throw new JsonPatchError(`doc is missing path: "${pointer}": missing value`);
    return parent[i]!;
  }
  if (isObject(parent) && key in parent) return parent[key]!;
  throw new JsonPatchError(`doc is missing path: "${pointer}": missing value`);
}

function add(doc: Json, pointer: string, value: Json): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (key !== '-' && (!/^\d+$/.test(key) || i > parent.length)) throw new JsonPatchError(`add operation does not apply: doc is missing path: "${pointer}": missing value`);
    parent.splice(i, 0, value);
  } else if (isObject(parent)) {
    parent[key] = value;
  } else {
    throw new JsonPatchError(`add operation does not apply: doc is missing path: "${pointer}": missing value`);
  }
  return doc;
}

function remove(doc: Json, pointer: string, op = 'remove'): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new JsonPatchError(`${op} operation does not apply: cannot remove the whole document`);
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!/^\d+$/.test(key) || i >= parent.length) throw new JsonPatchError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
    parent.splice(i, 1);
  } else if (isObject(parent) && key in parent) {
    delete parent[key];
  } else {
    throw new JsonPatchError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
  }
  return doc;
}

/** Applies RFC 6902 operations to a copy of `document`. */
export function applyJsonPatch(document: unknown, patch: unknown): Json {
  if (!Array.isArray(patch)) throw new JsonPatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = clone(document) as Json;
  for (const raw of patch) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') throw new JsonPatchError('invalid JSON patch operation: "op" and "path" are required');
    const op = raw as unknown as Operation;
    switch (op.op) {
      case 'add':
        if (!('value' in raw)) throw new JsonPatchError('add operation does not apply: value is missing');
        doc = add(doc, op.path, clone(op.value!));
        break;
      case 'remove':
        doc = remove(doc, op.path);
        break;
      case 'replace':
        if (!('value' in raw)) throw new JsonPatchError('replace operation does not apply: value is missing');
        getValue(doc, op.path);
        if (op.path === '') doc = clone(op.value!);
        else {
          doc = remove(doc, op.path, 'replace');
          doc = add(doc, op.path, clone(op.value!));
        }
        break;
      case 'move': {
        if (typeof op.from !== 'string') throw new JsonPatchError('move operation does not apply: from is missing');
        const value = getValue(doc, op.from);
        doc = remove(doc, op.from, 'move');
        doc = add(doc, op.path, value);
        break;
      }
      case 'copy': {
        if (typeof op.from !== 'string') throw new JsonPatchError('copy operation does not apply: from is missing');
        doc = add(doc, op.path, clone(getValue(doc, op.from)));
        break;
      }
      case 'test': {
        let actual: Json | undefined;
        try {
          actual = getValue(doc, op.path);
        } catch {
          actual = undefined;
        }
        if (!deepEqual(actual, op.value ?? null))
          throw new JsonPatchError(`testing value ${op.path} failed: test failed`);
        break;
      }
      default:
        throw new JsonPatchError(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

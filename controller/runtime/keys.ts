import type { KubeObject } from '../../apiserver/admission.js';

export interface ObjectRef {
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
}

/**
 * client-go's MetaNamespaceKeyFunc: `namespace/name`, or `name` for cluster-scoped objects. Joined,
 * not concatenated: a concatenation longer than 12 characters is a V8 cons string, and a kept one
 * (a Map key, a timer's key) stays a cons cell beside its flattened text — ~100k of them at 10k
 * Certificates.
 */
export function keyOf(ref: ObjectRef): string {
  return ref.namespace ? [ref.namespace, ref.name].join('/') : ref.name;
}

/**
 * `text` as one flat string, for a key that is kept (see `keyOf`). `normalize` returns the flattened
 * text of a concatenation; were it ever to change the text (non-NFC input), the original is kept.
 */
export function flatKey(text: string): string {
  const flat = text.normalize();
  return flat === text ? flat : text;
}

export function objectKey(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  if (!name) throw new Error(`${obj.kind ?? 'object'} has no metadata.name, so it has no cache key`);
  return keyOf({ namespace, name });
}

/** Inverse of `keyOf`; rejects keys with more than one slash or empty parts. */
export function parseKey(key: string): ObjectRef {
  const parts = key.split('/');
  if (parts.length === 1 && parts[0]) return { name: parts[0] };
  if (parts.length === 2 && parts[0] && parts[1]) return { namespace: parts[0], name: parts[1] };
  throw new Error(`invalid object key ${JSON.stringify(key)}: want "namespace/name" or "name"`);
}

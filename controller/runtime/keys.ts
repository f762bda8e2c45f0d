import type { KubeObject } from '../../apiserver/admission.js';

export interface ObjectRef {
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
}

/** client-go's MetaNamespaceKeyFunc: `namespace/name`, or `name` for cluster-scoped objects. */
export function keyOf(ref: ObjectRef): string {
  return ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
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

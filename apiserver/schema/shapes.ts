import type { JsonSchema } from './types.js';

/** A subtree whose contents are not described: kept as it is, never pruned. */
export const opaque: JsonSchema = { 'x-kubernetes-preserve-unknown-fields': true };

/** Shapes many kinds share, as merge and apply need them. */
export const stringMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };

/** `conditions` lists keyed by `type`. */
export const conditionsByType: JsonSchema = {
  type: 'array',
  items: { type: 'object', properties: { type: { type: 'string' } }, 'x-kubernetes-preserve-unknown-fields': true },
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  'x-kubernetes-patch-strategy': 'merge',
  'x-kubernetes-patch-merge-key': 'type',
};

const str: JsonSchema = { type: 'string' };
const int: JsonSchema = { type: 'integer' };

/**
 * ObjectMeta: every field (so unknown ones are pruned), granular label and annotation maps,
 * finalizers a set, ownerReferences keyed by uid.
 */
export const objectMetaSchema: JsonSchema = {
  type: 'object',
  properties: {
    name: str,
    generateName: str,
    namespace: str,
    selfLink: str,
    uid: str,
    resourceVersion: str,
    generation: int,
    creationTimestamp: str,
    deletionTimestamp: str,
    deletionGracePeriodSeconds: int,
    managedFields: { type: 'array', items: opaque },
    labels: stringMap,
    annotations: stringMap,
    finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
    ownerReferences: {
      type: 'array',
      items: { type: 'object', properties: { uid: str }, 'x-kubernetes-preserve-unknown-fields': true },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['uid'],
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'uid',
    },
  },
};

/** A kind's schema with the standard ObjectMeta shape in place of whatever the CRD declares. */
export function withObjectMeta(schema: JsonSchema | undefined): JsonSchema {
  const base = schema ?? { type: 'object', ...opaque };
  return { ...base, properties: { ...base.properties, metadata: objectMetaSchema } };
}

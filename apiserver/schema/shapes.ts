import type { JsonSchema } from './types.js';

/** Shapes many kinds share, as merge and apply need them. */
export const stringMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };

/** `conditions` lists keyed by `type`. */
export const conditionsByType: JsonSchema = {
  type: 'array',
  items: { type: 'object', properties: { type: { type: 'string' } } },
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  'x-kubernetes-patch-strategy': 'merge',
  'x-kubernetes-patch-merge-key': 'type',
};

/** ObjectMeta as merge and apply see it: granular maps, finalizers a set, ownerReferences keyed by uid. */
export const objectMetaSchema: JsonSchema = {
  type: 'object',
  properties: {
    labels: stringMap,
    annotations: stringMap,
    finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
    ownerReferences: {
      type: 'array',
      items: { type: 'object', properties: { uid: { type: 'string' } } },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['uid'],
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'uid',
    },
  },
  'x-kubernetes-preserve-unknown-fields': true,
};

/** A kind's schema with the standard ObjectMeta shape in place of whatever the CRD declares. */
export function withObjectMeta(schema: JsonSchema | undefined): JsonSchema {
  const base = schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return { ...base, properties: { ...base.properties, metadata: objectMetaSchema } };
}

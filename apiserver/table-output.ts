import type { KubeObject } from './admission.js';
import type { ResourceType } from './resources.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** The media type a Table answer carries. */
export const tableContentType = 'application/json;as=Table;v=v1;g=meta.k8s.io';

function rowObject(o: KubeObject, include: IncludeObject): unknown {
  if (include === 'Object') return o;
  if (include === 'Metadata') return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
  return undefined;
}

/** A `meta.k8s.io/v1` Table of objects, rendered by the resource's table convertor. */
export function toTable(r: ResourceType, objects: readonly KubeObject[], include: IncludeObject, listMeta: Record<string, unknown>, withColumns = true): Record<string, unknown> {
  const now = Date.now();
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta };
  if (withColumns) table.columnDefinitions = r.table.columns;
  table.rows = objects.map((o) => {
    const row: Record<string, unknown> = { cells: r.table.cells(o, now) };
    const object = rowObject(o, include);
    if (object !== undefined) row.object = object;
    return row;
  });
  return table;
}

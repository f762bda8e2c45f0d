import type { KubeObject } from './admission.js';
import { evaluateJsonPath, parseJsonPath, type JsonPath } from './jsonpath.js';
import type { TableColumn, TableConvertor } from './resources.js';
import { ageOf, humanDuration } from './time.js';

const nameDescription =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const ageDescription =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export const nameColumn: TableColumn = { name: 'Name', type: 'string', format: 'name', description: nameDescription, priority: 0 };
export const ageColumn: TableColumn = { name: 'Age', type: 'string', format: '', description: ageDescription, priority: 0 };

export const column = (name: string, description = '', priority = 0, type = 'string'): TableColumn => ({ name, type, format: '', description, priority });

/** A built-in printer: Name, the kind's own columns, Age (then any wide-only columns). */
export function builtinTable(own: { column: TableColumn; cell(o: KubeObject, now: number): unknown }[], wide: { column: TableColumn; cell(o: KubeObject, now: number): unknown }[] = []): TableConvertor {
  return {
    columns: [nameColumn, ...own.map((c) => c.column), ageColumn, ...wide.map((c) => c.column)],
    cells: (o, now) => [o.metadata.name, ...own.map((c) => c.cell(o, now)), ageOf(o.metadata.creationTimestamp, now), ...wide.map((c) => c.cell(o, now))],
  };
}

/** The generic table (`rest.NewDefaultTableConvertor`): Name and Created At. */
export const defaultTable: TableConvertor = {
  columns: [nameColumn, { name: 'Created At', type: 'date', format: '', description: ageDescription, priority: 0 }],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? null],
};

export interface PrinterColumnSpec {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

function cellForJsonValue(type: string, value: unknown, now: number): unknown {
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = Date.parse(value);
      return Number.isNaN(t) ? null : humanDuration(now - t);
    }
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

const creationTimestampAge: PrinterColumnSpec = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** The apiextensions table convertor: Name, then `additionalPrinterColumns` (Age when none are declared). */
export function customResourceTable(printerColumns: PrinterColumnSpec[] | undefined): TableConvertor {
  const specs = printerColumns && printerColumns.length ? printerColumns : [creationTimestampAge];
  const paths: (JsonPath | undefined)[] = specs.map((c) => {
    try {
      return parseJsonPath(c.jsonPath);
    } catch {
      return undefined;
    }
  });
  return {
    columns: [
      nameColumn,
      ...specs.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? (c.name === 'Age' ? ageDescription : 'Custom resource definition column (in JSONPath format): ' + c.jsonPath), priority: c.priority ?? 0 })),
    ],
    cells: (o, now) => [
      o.metadata.name,
      ...specs.map((c, i) => {
        const path = paths[i];
        if (!path) return null;
        const results = evaluateJsonPath(path, o);
        return results.length === 0 ? null : cellForJsonValue(c.type, results[0], now);
      }),
    ],
  };
}

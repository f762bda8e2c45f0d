/**
 * The OpenAPI (TypeBox) half of validation: what the API server would reject from the CRD schema
 * alone, as Kubernetes field errors, plus a copy of the object with wrongly-typed values replaced
 * so the semantic rules can run on it without tripping over them.
 */
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { duplicate, invalid, notSupported, required, tooLong, type FieldError } from '../field-errors.js';
import { enumValues } from '../schema/common.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const formats: Record<string, (value: string) => boolean> = {
  'date-time': (v) => RFC3339.test(v) && !Number.isNaN(Date.parse(v)),
  // Go's base64 decoder skips line breaks, so PEM bundles wrapped at 76 columns are fine.
  byte: (v) => BASE64.test(v.replace(/[\r\n]/g, '')),
};
for (const [name, check] of Object.entries(formats)) if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, check);

type Segment = string | number;

function segments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Resolves pointer segments against the value so array positions become numbers. */
function resolve(root: unknown, pointer: string): Segment[] {
  const path: Segment[] = [];
  let node: unknown = root;
  for (const s of segments(pointer)) {
    if (Array.isArray(node)) {
      path.push(Number(s));
      node = node[Number(s)];
    } else {
      path.push(s);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[s] : undefined;
    }
  }
  return path;
}

/** `spec.dnsNames[2]`, `metadata.labels[app.kubernetes.io/name]`, like field.Path.String(). */
export function fieldPath(path: readonly Segment[]): string {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${s}]`;
  }
  return out;
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function expectedType(schema: TSchema): string {
  const anyOf = (schema as { anyOf?: TSchema[] }).anyOf;
  if (anyOf) return [...new Set(anyOf.map(expectedType))].join(' or ');
  return String((schema as { type?: unknown }).type ?? 'value');
}

/** The zero value of a schema's type, standing in for a value of the wrong type. */
function zeroOf(schema: TSchema): unknown {
  switch ((schema as { type?: unknown }).type) {
    case 'object':
      return {};
    case 'array':
      return [];
    case 'string':
      return '';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    default:
      return undefined;
  }
}

const typeErrors = new Set<ValueErrorType>([
  ValueErrorType.Array,
  ValueErrorType.Boolean,
  ValueErrorType.Integer,
  ValueErrorType.Number,
  ValueErrorType.Object,
  ValueErrorType.String,
  ValueErrorType.Null,
]);

function toFieldError(e: ValueError, path: string): FieldError {
  const field = path || '<root>';
  const shown = field;
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return required(field, '');
    case ValueErrorType.Union: {
      const values = enumValues(e.schema);
      if (values && typeof e.value === 'string') return notSupported(field, e.value, values);
      return invalid(field, jsonTypeOf(e.value), `${shown} in body must be of type ${expectedType(e.schema)}: "${jsonTypeOf(e.value)}"`);
    }
    case ValueErrorType.Literal: {
      const literal = String((e.schema as { const?: unknown }).const);
      return notSupported(field, e.value, [literal]);
    }
    case ValueErrorType.StringMaxLength:
      return tooLong(field, Number((e.schema as { maxLength?: number }).maxLength));
    case ValueErrorType.StringFormat:
      return invalid(field, e.value, `${shown} in body must be of type ${(e.schema as { format?: string }).format}: ${JSON.stringify(e.value)}`);
    case ValueErrorType.StringPattern:
      return invalid(field, e.value, `${shown} in body should match '${(e.schema as { pattern?: string }).pattern}'`);
    default:
      if (typeErrors.has(e.type)) {
        return invalid(field, jsonTypeOf(e.value), `${shown} in body must be of type ${expectedType(e.schema)}: "${jsonTypeOf(e.value)}"`);
      }
      return invalid(field, e.value, e.message);
  }
}

export interface SchemaCheck {
  errors: FieldError[];
  /** A copy of the input with every wrongly-typed value replaced by its type's zero value. */
  value: unknown;
  /** Fields whose values were replaced; semantic errors at or under them are noise. */
  replaced: string[];
}

function setAt(root: unknown, path: readonly Segment[], value: unknown): unknown {
  if (path.length === 0) return value;
  let node = root as Record<string | number, unknown>;
  for (const s of path.slice(0, -1)) node = node[s] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
  return root;
}

/** Entries of `x-kubernetes-list-type: map` lists whose keys repeat an earlier entry's. */
function listMapDuplicates(schema: TSchema, value: unknown, path: Segment[]): FieldError[] {
  if (value === null || typeof value !== 'object') return [];
  const s = schema as TSchema & {
    properties?: Record<string, TSchema>;
    patternProperties?: Record<string, TSchema>;
    items?: TSchema;
    'x-kubernetes-list-type'?: string;
    'x-kubernetes-list-map-keys'?: string[];
  };
  const errors: FieldError[] = [];
  if (Array.isArray(value) && s.items) {
    if (s['x-kubernetes-list-type'] === 'map') {
      const keys = s['x-kubernetes-list-map-keys'] ?? [];
      const seen = new Set<string>();
      value.forEach((entry, i) => {
        if (entry === null || typeof entry !== 'object') return;
        const key = Object.fromEntries(keys.map((k) => [k, (entry as Record<string, unknown>)[k]]));
        const id = JSON.stringify(key);
        if (seen.has(id)) errors.push(duplicate(fieldPath([...path, i]), key));
        seen.add(id);
      });
    }
    value.forEach((entry, i) => errors.push(...listMapDuplicates(s.items!, entry, [...path, i])));
    return errors;
  }
  const record = value as Record<string, unknown>;
  for (const [name, child] of Object.entries(s.properties ?? {})) errors.push(...listMapDuplicates(child, record[name], [...path, name]));
  const values = s.patternProperties && Object.values(s.patternProperties)[0];
  if (values) for (const [name, child] of Object.entries(record)) errors.push(...listMapDuplicates(values, child, [...path, name]));
  return errors;
}

/** Checks `value` against `schema`; every problem becomes one field error. */
export function checkSchema(schema: TSchema, value: unknown): SchemaCheck {
  const errors: FieldError[] = [];
  const replaced: string[] = [];
  let copy: unknown = structuredClone(value);
  const missing = new Set<string>();
  for (const e of Value.Errors(schema, value)) {
    const path = resolve(value, e.path);
    const field = fieldPath(path);
    if (e.type === ValueErrorType.ObjectRequiredProperty) missing.add(field);
    // A missing property also fails its type check; Kubernetes reports it once, as Required.
    else if (missing.has(field)) continue;
    errors.push(toFieldError(e, field));
    const wrongType = typeErrors.has(e.type) || (e.type === ValueErrorType.Union && !enumValues(e.schema));
    if (wrongType && e.value !== undefined) {
      copy = setAt(copy, path, zeroOf(e.schema));
      replaced.push(field);
    }
  }
  errors.push(...listMapDuplicates(schema, copy, []));
  return { errors, value: copy, replaced };
}

function isAtOrUnder(field: string, parent: string): boolean {
  return parent === '' || field === parent || field.startsWith(`${parent}.`) || field.startsWith(`${parent}[`);
}

/**
 * Schema and semantic errors as one list, each problem once. A Required from the schema gives way
 * to a semantic error on the same field (it says more). Otherwise the schema's error wins, as the
 * API server rejects by schema before any webhook runs; semantic errors on, under or above a value
 * replaced for its type are dropped too (they were computed from a stand-in).
 */
export function mergeErrors(schema: SchemaCheck, semantic: readonly FieldError[]): FieldError[] {
  const semanticFields = new Set(semantic.map((e) => e.field));
  const kept = schema.errors.filter((e) => !(e.type === 'FieldValueRequired' && semanticFields.has(e.field)));
  const rejectedFields = new Set(kept.filter((e) => e.type !== 'FieldValueRequired').map((e) => e.field));
  const rest = semantic.filter(
    (e) => !rejectedFields.has(e.field) && !schema.replaced.some((r) => isAtOrUnder(e.field, r) || isAtOrUnder(r, e.field)),
  );
  return [...kept, ...rest];
}

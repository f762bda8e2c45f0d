import { duplicate, invalid, notSupported, required, tooLong, type FieldError } from '../../api/field-errors.js';
import { clone, deepEqual, isObject } from '../json.js';
import type { JsonSchema } from './types.js';

/** Field path text as kube prints it: `spec.dnsNames[0]`, `spec.labels[app]`. */
export const child = (path: string, name: string): string => (path ? `${path}.${name}` : name);
export const indexed = (path: string, index: number | string): string => `${path}[${index}]`;

const rootMembers = new Set(['apiVersion', 'kind', 'metadata']);

/** Applies `default`s, descending into defaulted values too (apiextensions' structural defaulting). */
export function applyDefaults(value: unknown, schema: JsonSchema | undefined): void {
  if (!schema) return;
  if (isObject(value)) {
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      const current = value[name];
      if (prop.default !== undefined && (current === undefined || (current === null && !prop.nullable))) value[name] = clone(prop.default) as never;
      applyDefaults(value[name], prop);
    }
    if (isObject(schema.additionalProperties)) for (const v of Object.values(value)) applyDefaults(v, schema.additionalProperties);
  } else if (Array.isArray(value) && schema.items) {
    for (const item of value) applyDefaults(item, schema.items);
  }
}

/**
 * Drops fields the schema does not declare, except under `x-kubernetes-preserve-unknown-fields`.
 * Returns the dropped paths (for `fieldValidation=Strict|Warn`).
 */
export function prune(value: unknown, schema: JsonSchema | undefined, path = '', isRoot = true): string[] {
  if (!schema) return [];
  const pruned: string[] = [];
  if (isObject(value)) {
    const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
    const embedded = schema['x-kubernetes-embedded-resource'] === true;
    for (const key of Object.keys(value)) {
      if ((isRoot || embedded) && rootMembers.has(key)) continue;
      const prop = schema.properties?.[key];
      if (prop) {
        pruned.push(...prune(value[key], prop, child(path, key), false));
      } else if (isObject(schema.additionalProperties)) {
        pruned.push(...prune(value[key], schema.additionalProperties, child(path, key), false));
      } else if (!preserve && schema.additionalProperties !== true) {
        delete value[key];
        pruned.push(child(path, key));
      }
    }
  } else if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => pruned.push(...prune(item, schema.items, indexed(path, i), false)));
  }
  return pruned;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

const formats: Record<string, RegExp> = {
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  uuid: /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/,
  ipv4: /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/,
};

function shortValue(value: unknown): unknown {
  return isObject(value) ? 'object' : Array.isArray(value) ? 'array' : value;
}

/** OpenAPI v3 value validation with kube-openapi's messages, as a CR write sees them. */
export function validateValue(value: unknown, schema: JsonSchema | undefined, path: string, isRoot = true): FieldError[] {
  if (!schema || value === undefined) return [];
  const errors: FieldError[] = [];
  const label = path || '<root>';
  if (value === null) {
    if (!schema.nullable && schema.type) errors.push(invalid(path, 'null', `${label} in body must be of type ${schema.type}: "null"`));
    return errors;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (!(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))) errors.push(invalid(path, typeName(value), `${label} in body must be of type integer,string: "${typeName(value)}"`));
  } else if (schema.type && !matchesType(value, schema.type)) {
    errors.push(invalid(path, typeName(value), `${label} in body must be of type ${schema.type}: "${typeName(value)}"`));
    return errors;
  }
  if (schema.enum && !schema.enum.some((e) => deepEqual(e, value))) errors.push(notSupported(path, value, schema.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));

  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) errors.push(tooLong(path, schema.maxLength));
    if (schema.minLength !== undefined && [...value].length < schema.minLength) errors.push(invalid(path, value, `${label} in body should be at least ${schema.minLength} chars long`));
    if (schema.pattern !== undefined) {
      let re: RegExp | undefined;
      try {
        re = new RegExp(schema.pattern, 'u');
      } catch {
        re = undefined;
      }
      if (re && !re.test(value)) errors.push(invalid(path, value, `${label} in body should match '${schema.pattern}'`));
    }
    const format = schema.format ? formats[schema.format] : undefined;
    if (format && !format.test(value)) errors.push(invalid(path, value, `${label} in body must be of type ${schema.format}: "${value}"`));
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum))
      errors.push(invalid(path, value, `${label} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`));
    if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum))
      errors.push(invalid(path, value, `${label} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`));
    if (schema.multipleOf !== undefined && schema.multipleOf !== 0 && !Number.isInteger(value / schema.multipleOf))
      errors.push(invalid(path, value, `${label} in body should be a multiple of ${schema.multipleOf}`));
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push({ type: 'FieldValueTooMany', field: path, badValue: value.length, detail: `must have at most ${schema.maxItems} items` });
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(invalid(path, value.length, `${label} in body should have at least ${schema.minItems} items`));
    errors.push(...validateListType(value, schema, path));
    value.forEach((item, i) => errors.push(...validateValue(item, schema.items, indexed(path, i), false)));
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) errors.push({ type: 'FieldValueTooMany', field: path, badValue: keys.length, detail: `must have at most ${schema.maxProperties} items` });
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) errors.push(invalid(path, keys.length, `${label} in body should have at least ${schema.minProperties} properties`));
    for (const name of schema.required ?? []) if (value[name] === undefined) errors.push(required(child(path, name), ''));
    for (const [key, v] of Object.entries(value)) {
      if (isRoot && rootMembers.has(key)) continue;
      const prop = schema.properties?.[key];
      if (prop) errors.push(...validateValue(v, prop, child(path, key), false));
      else if (isObject(schema.additionalProperties)) errors.push(...validateValue(v, schema.additionalProperties, isMapSchema(schema) ? indexed(path, key) : child(path, key), false));
    }
  }
  errors.push(...validateCombinators(value, schema, path, label));
  return errors;
}

const isMapSchema = (schema: JsonSchema): boolean => !schema.properties && isObject(schema.additionalProperties);

function validateListType(value: unknown[], schema: JsonSchema, path: string): FieldError[] {
  const type = schema['x-kubernetes-list-type'];
  const errors: FieldError[] = [];
  if (type === 'set' || schema.uniqueItems) {
    value.forEach((item, i) => {
      if (value.findIndex((other) => deepEqual(other, item)) < i) errors.push(duplicate(indexed(path, i), item));
    });
  } else if (type === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    const keyOf = (item: unknown): string => JSON.stringify(keys.map((k) => (isObject(item) ? item[k] : undefined)));
    value.forEach((item, i) => {
      if (value.findIndex((other) => keyOf(other) === keyOf(item)) < i) errors.push(duplicate(indexed(path, i), Object.fromEntries(keys.map((k) => [k, isObject(item) ? item[k] : undefined]))));
    });
  }
  return errors;
}

function validateCombinators(value: unknown, schema: JsonSchema, path: string, label: string): FieldError[] {
  const errors: FieldError[] = [];
  const passes = (s: JsonSchema): boolean => validateValue(value, s, path, false).length === 0;
  for (const s of schema.allOf ?? []) errors.push(...validateValue(value, s, path, false));
  if (schema.anyOf && !schema.anyOf.some(passes)) errors.push(invalid(path, shortValue(value), `${label} in body must validate at least one schema (anyOf)`));
  if (schema.oneOf && schema.oneOf.filter(passes).length !== 1) errors.push(invalid(path, shortValue(value), `${label} in body must validate one and only one schema (oneOf)`));
  if (schema.not && passes(schema.not)) errors.push(invalid(path, shortValue(value), `${label} in body must not validate the schema (not)`));
  return errors;
}

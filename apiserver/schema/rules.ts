import type { FieldError } from '../../api/field-errors.js';
import { isObject } from '../json.js';
import { CelEvalError, compileRule, evaluateRule, type CompiledRule } from './cel.js';
import { child, indexed } from './structural.js';
import type { JsonSchema, ValidationRule } from './types.js';

function ruleText(rule: ValidationRule): string {
  return (rule.message || rule.rule).trim();
}

function failure(rule: ValidationRule, path: string, schemaType: string, message: string): FieldError {
  const field = rule.fieldPath ? `${path}${rule.fieldPath.startsWith('.') || rule.fieldPath.startsWith('[') ? '' : '.'}${rule.fieldPath}` : path;
  switch (rule.reason) {
    case 'FieldValueForbidden':
      return { type: 'FieldValueForbidden', field, detail: message };
    case 'FieldValueRequired':
      return { type: 'FieldValueRequired', field, detail: message };
    case 'FieldValueDuplicate':
      return { type: 'FieldValueDuplicate', field, badValue: schemaType, detail: message };
    default:
      return { type: 'FieldValueInvalid', field, badValue: schemaType, detail: message };
  }
}

function checkRules(value: unknown, oldValue: unknown, schema: JsonSchema, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const schemaType = schema.type ?? (schema['x-kubernetes-int-or-string'] ? 'integer-or-string' : 'object');
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    let compiled: CompiledRule;
    try {
      compiled = compileRule(rule.rule);
    } catch {
      continue; // not understood: skipped rather than guessed
    }
    if (compiled.usesOldSelf && oldValue === undefined && !rule.optionalOldSelf) continue;
    let result: unknown;
    try {
      result = evaluateRule(compiled, value, oldValue);
    } catch (e) {
      if (e instanceof CelEvalError) errors.push(failure(rule, path, schemaType, `${e.message} evaluating rule: ${ruleText(rule)}`));
      continue;
    }
    if (result !== true) errors.push(failure(rule, path, schemaType, rule.message ? rule.message.trim() : `failed rule: ${ruleText(rule)}`));
  }
  return errors;
}

function mapListKey(item: unknown, keys: string[]): string {
  return JSON.stringify(keys.map((k) => (isObject(item) ? item[k] : undefined)));
}

/**
 * Runs every `x-kubernetes-validations` rule in the schema against the value, with `oldSelf`
 * correlated through object members, map values and list-map items (as the apiserver does).
 */
export function validateRules(value: unknown, oldValue: unknown, schema: JsonSchema | undefined, path = ''): FieldError[] {
  if (!schema || value === undefined || value === null) return [];
  const errors = checkRules(value, oldValue, schema, path);
  if (isObject(value)) {
    const old = isObject(oldValue) ? oldValue : undefined;
    for (const [key, v] of Object.entries(value)) {
      const prop = schema.properties?.[key];
      if (prop) errors.push(...validateRules(v, old?.[key], prop, child(path, key)));
      else if (isObject(schema.additionalProperties)) errors.push(...validateRules(v, old?.[key], schema.additionalProperties, indexed(path, key)));
    }
  } else if (Array.isArray(value) && schema.items) {
    const keys = schema['x-kubernetes-list-type'] === 'map' ? (schema['x-kubernetes-list-map-keys'] ?? []) : undefined;
    const oldItems = Array.isArray(oldValue) ? oldValue : [];
    value.forEach((item, i) => {
      const oldItem = keys ? oldItems.find((o) => mapListKey(o, keys) === mapListKey(item, keys)) : undefined;
      errors.push(...validateRules(item, oldItem, schema.items, indexed(path, i)));
    });
  }
  return errors;
}

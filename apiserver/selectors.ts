import type { KubeObject } from './admission.js';
import { badRequest } from './errors.js';
import type { ResourceType } from './resources.js';

type LabelRequirement =
  | { key: string; op: 'exists' | '!' }
  | { key: string; op: '=' | '!=' | 'in' | 'notin'; values: string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type LabelSelector = LabelRequirement[];

const keyPattern = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const valuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function checkKey(key: string, selector: string): string {
  if (!keyPattern.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${selector}"`);
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!valuePattern.test(value) || value.length > 63) throw badRequest(`unable to parse requirement: invalid label value: "${value}" in selector "${selector}"`);
  return value;
}

/** `labels.Parse`: equality (`=`, `==`, `!=`), set-based (`in`, `notin`, `key`, `!key`) and `gt`/`lt`. */
export function parseLabelSelector(selector: string | undefined): LabelSelector {
  if (!selector || !selector.trim()) return [];
  return splitTopLevel(selector).map((term): LabelRequirement => {
    let m = /^!\s*(\S+)$/.exec(term);
    if (m) return { key: checkKey(m[1]!, selector), op: '!' };
    m = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/.exec(term);
    if (m) {
      const values = m[3]!.split(',').map((v) => checkValue(v.trim(), selector));
      return { key: checkKey(m[1]!, selector), op: m[2] as 'in' | 'notin', values };
    }
    m = /^([^=!<>\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) return { key: checkKey(m[1]!, selector), op: m[2] === '!=' ? '!=' : '=', values: [checkValue(m[3]!, selector)] };
    m = /^([^=!<>\s]+)\s*([<>])\s*(-?\d+)$/.exec(term);
    if (m) return { key: checkKey(m[1]!, selector), op: m[2] === '>' ? 'gt' : 'lt', value: Number(m[3]) };
    if (/^[^=!<>\s(),]+$/.test(term)) return { key: checkKey(term, selector), op: 'exists' };
    throw badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
  });
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const value = l[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case '!':
        return !has;
      case '=':
      case 'in':
        return has && r.values.includes(value!);
      case '!=':
      case 'notin':
        return !has || !r.values.includes(value!);
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(value!)) return false;
        return r.op === 'gt' ? Number(value) > r.value : Number(value) < r.value;
      }
    }
  });
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export type FieldSelector = FieldRequirement[];

/** `fields.ParseSelector` restricted to the fields this resource supports; others are rejected like kube. */
export function parseFieldSelector(selector: string | undefined, resource: ResourceType): FieldSelector {
  if (!selector || !selector.trim()) return [];
  return selector
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((term) => {
      const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
      const field = m[1]!;
      if (field !== 'metadata.name' && field !== 'metadata.namespace' && !resource.selectableFields.includes(field)) {
        throw badRequest(
          resource.crd
            ? `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"${resource.selectableFields.map((f) => `, "${f}"`).join('')}`
            : `field label not supported: ${field}`,
        );
      }
      return { field, op: m[2] === '!=' ? '!=' : '=', value: m[3]! } as FieldRequirement;
    });
}

export function matchesFields(selector: FieldSelector, object: KubeObject, resource: ResourceType): boolean {
  if (selector.length === 0) return true;
  const own = resource.strategy.fieldValues?.(object) ?? {};
  return selector.every((r) => {
    const actual = r.field === 'metadata.name' ? object.metadata.name : r.field === 'metadata.namespace' ? (object.metadata.namespace ?? '') : (own[r.field] ?? '');
    return r.op === '=' ? actual === r.value : actual !== r.value;
  });
}

/** The name a `metadata.name=` field selector pins, so lists and watches can read one key. */
export function selectedName(selector: FieldSelector): string | undefined {
  return selector.find((r) => r.field === 'metadata.name' && r.op === '=')?.value;
}

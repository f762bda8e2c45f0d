import { randomInt } from 'node:crypto';
import { invalid, required, tooLong, type FieldError } from '../api/field-errors.js';
import type { KubeObject } from './admission.js';

const dns1123LabelPattern = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainPattern = `${dns1123LabelPattern}(\\.${dns1123LabelPattern})*`;
const dns1035LabelPattern = '[a-z]([-a-z0-9]*[a-z0-9])?';
const labelValuePattern = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?';
const qualifiedNamePattern = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';

const whole = (pattern: string): RegExp => new RegExp(`^${pattern}$`);
const dns1123Label = whole(dns1123LabelPattern);
const dns1123Subdomain = whole(dns1123SubdomainPattern);
const dns1035Label = whole(dns1035LabelPattern);
const labelValue = whole(labelValuePattern);
const qualifiedName = whole(qualifiedNamePattern);

/** A name rule: the messages are apimachinery's `validation.IsDNS1123Subdomain` and friends. */
export type NameRule = (name: string) => string[];

export const isDns1123Subdomain: NameRule = (name) => {
  const problems: string[] = [];
  if (name.length > 253) problems.push('must be no more than 253 characters');
  if (!dns1123Subdomain.test(name))
    problems.push(
      `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${dns1123SubdomainPattern}')`,
    );
  return problems;
};

export const isDns1123Label: NameRule = (name) => {
  const problems: string[] = [];
  if (name.length > 63) problems.push('must be no more than 63 characters');
  if (!dns1123Label.test(name))
    problems.push(
      `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${dns1123LabelPattern}')`,
    );
  return problems;
};

export const isDns1035Label: NameRule = (name) => {
  const problems: string[] = [];
  if (name.length > 63) problems.push('must be no more than 63 characters');
  if (!dns1035Label.test(name))
    problems.push(
      `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '${dns1035LabelPattern}')`,
    );
  return problems;
};

/** Names that only have to be usable as a path segment (Events, for instance). */
export const isPathSegmentName: NameRule = (name) => {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return /[/%]/.test(name) ? [`may not contain '/' or '%'`] : [];
};

function qualifiedNameProblems(key: string): string[] {
  const parts = key.split('/');
  let name = key;
  const problems: string[] = [];
  if (parts.length === 2) {
    const [prefix, rest] = parts as [string, string];
    name = rest;
    if (prefix.length === 0) problems.push('prefix part must be non-empty');
    else problems.push(...isDns1123Subdomain(prefix).map((p) => `prefix part ${p}`));
  } else if (parts.length > 2) {
    return [
      `a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${qualifiedNamePattern}') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) problems.push('name part must be non-empty');
  else if (name.length > 63) problems.push('name part must be no more than 63 characters');
  if (name.length > 0 && !qualifiedName.test(name))
    problems.push(
      `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${qualifiedNamePattern}')`,
    );
  return problems;
}

function validateLabels(labels: unknown, field: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) return [invalid(field, labels, 'must be a map of strings')];
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    for (const p of qualifiedNameProblems(key)) errors.push(invalid(field, key, p));
    if (typeof value !== 'string') {
      errors.push(invalid(`${field}`, value, 'must be a string'));
      continue;
    }
    if (value.length > 63) errors.push(invalid(field, value, 'must be no more than 63 characters'));
    if (!labelValue.test(value))
      errors.push(
        invalid(
          field,
          value,
          `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '${labelValuePattern}')`,
        ),
      );
  }
  return errors;
}

const totalAnnotationSizeLimit = 256 * 1024;

function validateAnnotations(annotations: unknown, field: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (typeof annotations !== 'object' || Array.isArray(annotations)) return [invalid(field, annotations, 'must be a map of strings')];
  const errors: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations as Record<string, unknown>)) {
    for (const p of qualifiedNameProblems(key.toLowerCase())) errors.push(invalid(field, key, p));
    if (typeof value !== 'string') errors.push(invalid(field, value, 'must be a string'));
    else size += key.length + value.length;
  }
  if (size > totalAnnotationSizeLimit) errors.push(tooLong(field, totalAnnotationSizeLimit));
  return errors;
}

/** `ValidateObjectMeta`: name rules, labels, annotations, finalizers. */
export function validateObjectMeta(object: KubeObject, nameRule: NameRule, namespaced: boolean): FieldError[] {
  const meta = object.metadata;
  const errors: FieldError[] = [];
  if (!meta.name) errors.push(required('metadata.name', 'name or generateName is required'));
  else for (const p of nameRule(meta.name)) errors.push(invalid('metadata.name', meta.name, p));
  if (namespaced && !meta.namespace) errors.push(required('metadata.namespace', ''));
  if (!namespaced && meta.namespace) errors.push({ type: 'FieldValueForbidden', field: 'metadata.namespace', detail: 'not allowed on this type' });
  errors.push(...validateLabels(meta.labels, 'metadata.labels'));
  errors.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  if (meta.finalizers !== undefined && meta.finalizers !== null) {
    if (!Array.isArray(meta.finalizers)) errors.push(invalid('metadata.finalizers', meta.finalizers, 'must be a list of strings'));
    else
      meta.finalizers.forEach((f, i) => {
        if (typeof f !== 'string') errors.push(invalid(`metadata.finalizers[${i}]`, f, 'must be a string'));
        else for (const p of qualifiedNameProblems(f)) errors.push(invalid(`metadata.finalizers[${i}]`, f, p));
      });
  }
  return errors;
}

/** What `metadata.generateName` gets appended: five characters from kube's unambiguous alphabet. */
export function generatedSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet[randomInt(alphabet.length)];
  return suffix;
}

/** Store key: `/<group or core>/<plural>/<namespace or _cluster>/<name>`. */
export function storageKey(storage: { group: string; plural: string }, namespace: string | undefined, name: string): string {
  return `${storagePrefix(storage, namespace)}${name}`;
}

/** Key prefix of one namespace (or the cluster scope), or of every namespace when `namespace` is absent. */
export function storagePrefix(storage: { group: string; plural: string }, namespace: string | undefined): string {
  const base = `/${storage.group || 'core'}/${storage.plural}/`;
  return namespace === undefined ? base : `${base}${namespace || '_cluster'}/`;
}

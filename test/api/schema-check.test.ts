import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { invalid, required } from '../../api/field-errors.js';
import { StringEnum, StringMap } from '../../api/schema/common.js';
import { checkSchema, fieldPath, mergeErrors } from '../../api/validation/schema-check.js';
import { validateCertificate } from '../../api/validation/index.js';
import { certificate, messages } from './builders.js';

const Example = Type.Object({
  name: Type.String({ maxLength: 5 }),
  mode: Type.Optional(StringEnum(['On', 'Off'])),
  count: Type.Optional(Type.Integer()),
  when: Type.Optional(Type.String({ format: 'date-time' })),
  data: Type.Optional(Type.String({ format: 'byte' })),
  code: Type.Optional(Type.String({ pattern: '^[a-z]+$' })),
  labels: Type.Optional(StringMap()),
  items: Type.Optional(Type.Array(Type.Object({ id: Type.String() }))),
});

test('schema problems map to Kubernetes field error types', () => {
  const result = checkSchema(Example, {
    mode: 'Maybe',
    count: 1.5,
    when: 'tomorrow',
    data: 'not base64!',
    code: 'ABC',
    labels: { 'app.kubernetes.io/name': 7 },
    items: [{ id: 'a' }, {}],
  });
  assert.deepEqual(messages(result.errors), [
    'name: Required value',
    'mode: Unsupported value: "Maybe": supported values: "On", "Off"',
    'count: Invalid value: "number": count in body must be of type integer: "number"',
    'when: Invalid value: "tomorrow": when in body must be of type date-time: "tomorrow"',
    'data: Invalid value: "not base64!": data in body must be of type byte: "not base64!"',
    "code: Invalid value: \"ABC\": code in body should match '^[a-z]+$'",
    'labels[app.kubernetes.io/name]: Invalid value: "integer": labels[app.kubernetes.io/name] in body must be of type string: "integer"',
    'items[1].id: Required value',
  ]);
  assert.deepEqual(messages(checkSchema(Example, { name: 'toolong' }).errors), ['name: Too long: may not be more than 5 bytes']);
  assert.deepEqual(checkSchema(Example, { name: 'ok', when: '2026-01-02T03:04:05Z', data: 'TFMwdExTMUNSVWRKVGc9PQ==\n' }).errors, []);
});

test('wrongly-typed values are replaced by zero values in the copy; the input is untouched', () => {
  const input = { name: 'x', count: 'three', items: 'none' };
  const result = checkSchema(Example, input);
  assert.deepEqual(result.value, { name: 'x', count: 0, items: [] });
  assert.deepEqual(result.replaced, ['count', 'items']);
  assert.deepEqual(input, { name: 'x', count: 'three', items: 'none' });
});

test('field paths read like field.Path: indices in brackets, odd keys in brackets', () => {
  assert.equal(fieldPath(['spec', 'dnsNames', 2]), 'spec.dnsNames[2]');
  assert.equal(fieldPath(['metadata', 'labels', 'app.kubernetes.io/name']), 'metadata.labels[app.kubernetes.io/name]');
  assert.equal(fieldPath([]), '');
});

test('merging: a semantic error replaces the schema Required on its field; schema type errors win', () => {
  const schema = { errors: [required('spec.secretName'), invalid('spec.isCA', 'string', 'must be boolean')], value: {}, replaced: ['spec.isCA'] };
  const semantic = [required('spec.secretName', 'must be specified'), invalid('spec.isCA', false, 'stand-in'), invalid('spec.duration', '1m', 'too short')];
  assert.deepEqual(messages(mergeErrors(schema, semantic)), [
    'spec.isCA: Invalid value: "string": must be boolean',
    'spec.secretName: Required value: must be specified',
    'spec.duration: Invalid value: "1m": too short',
  ]);
});

test('conditions are a list-map keyed by type: a repeated type is a Duplicate', () => {
  const cert = certificate();
  cert.status = {
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'Issuing', status: 'False' },
      { type: 'Ready', status: 'False' },
    ],
  };
  assert.deepEqual(messages(validateCertificate(cert)), ['status.conditions[2]: Duplicate value: {"type":"Ready"}']);
});

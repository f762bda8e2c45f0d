import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CelEvalError, CelUnsupported, compileRule, evaluateRule } from '../../apiserver/schema/cel.js';
import { validateRules } from '../../apiserver/schema/rules.js';
import { applyDefaults, prune, validateValue } from '../../apiserver/schema/structural.js';
import { evaluateJsonPath, parseJsonPath } from '../../apiserver/jsonpath.js';
import { matchesLabels, parseLabelSelector } from '../../apiserver/selectors.js';
import { humanDuration } from '../../apiserver/time.js';

const run = (rule: string, self: unknown, oldSelf?: unknown): unknown => evaluateRule(compileRule(rule), self, oldSelf);

describe('CEL subset', () => {
  test('has, size, comparisons, boolean logic, in, ternary and arithmetic', () => {
    const self = { a: 'x', list: [1, 2, 3], m: { k: 'v' } };
    assert.equal(run("has(self.a) && !has(self.b)", self), true);
    assert.equal(run('size(self.list) == 3 && self.list.size() > 2', self), true);
    assert.equal(run("'k' in self.m && 2 in self.list", self), true);
    assert.equal(run("(has(self.a) ? 1 : 0) + (has(self.b) ? 1 : 0) == 1", self), true);
    assert.equal(run('self.list[0] * 10 / 3 % 4', self), 3);
    assert.equal(run("self.a.startsWith('x') || self.missing == 1", self), true, 'an error on one side of || is absorbed');
  });

  test('macros and string functions', () => {
    const self = { names: ['a.example.com', 'b.example.com'], parts: [{ n: 1 }, { n: 2 }] };
    assert.equal(run("self.names.all(n, n.endsWith('.example.com'))", self), true);
    assert.equal(run('self.parts.exists(p, p.n == 2)', self), true);
    assert.equal(run('self.parts.exists_one(p, p.n > 0)', self), false);
    assert.deepEqual(run('self.parts.map(p, p.n * 2)', self), [2, 4]);
    assert.deepEqual(run('self.parts.filter(p, p.n > 1).size()', self), 1);
    assert.equal(run("self.names[0].matches('^[a-z.]+$')", self), true);
  });

  test('oldSelf for transition rules', () => {
    assert.equal(run('self == oldSelf', 'a', 'a'), true);
    assert.equal(compileRule('self.x == oldSelf.x').usesOldSelf, true);
  });

  test('runtime errors and unsupported rules are told apart', () => {
    assert.throws(() => run('self.missing == 1', {}), (e) => e instanceof CelEvalError && e.message === 'no such key: missing');
    assert.throws(() => compileRule('self.x.quantity() > 1'), CelUnsupported);
    assert.throws(() => compileRule('timestamp(self.t) > now'), CelUnsupported);
  });

  test("rules run at their schema node with kube's messages; unsupported ones are skipped", () => {
    const schema = {
      type: 'object' as const,
      properties: {
        spec: {
          type: 'object' as const,
          'x-kubernetes-validations': [
            { rule: 'has(self.a) != has(self.b)', message: 'exactly one of a or b' },
            { rule: 'self.a.quantity() > 1' },
            { rule: 'size(self.items) < 2', fieldPath: '.items', reason: 'FieldValueForbidden' as const },
          ],
          properties: { a: { type: 'string' as const }, b: { type: 'string' as const }, items: { type: 'array' as const, items: { type: 'string' as const } } },
        },
      },
    };
    const errors = validateRules({ spec: { a: 'x', b: 'y', items: ['1', '2'] } }, undefined, schema);
    assert.deepEqual(errors, [
      { type: 'FieldValueInvalid', field: 'spec', badValue: 'object', detail: 'exactly one of a or b' },
      { type: 'FieldValueForbidden', field: 'spec.items', detail: 'failed rule: size(self.items) < 2' },
    ]);
  });
});

describe('structural schema', () => {
  const schema = {
    type: 'object' as const,
    properties: {
      spec: {
        type: 'object' as const,
        required: ['name'],
        properties: {
          name: { type: 'string' as const },
          replicas: { type: 'integer' as const, default: 1 },
          nested: { type: 'object' as const, default: {}, properties: { level: { type: 'string' as const, default: 'info' } } },
          free: { type: 'object' as const, 'x-kubernetes-preserve-unknown-fields': true },
          tags: { type: 'array' as const, 'x-kubernetes-list-type': 'set' as const, items: { type: 'string' as const } },
        },
      },
    },
  };

  test('defaults apply recursively, also inside defaulted objects', () => {
    const object = { spec: { name: 'a' } };
    applyDefaults(object, schema);
    assert.deepEqual(object, { spec: { name: 'a', replicas: 1, nested: { level: 'info' } } });
  });

  test('pruning drops undeclared fields but keeps preserved subtrees and root metadata', () => {
    const object = { apiVersion: 'x/v1', kind: 'K', metadata: { name: 'a' }, spec: { name: 'a', junk: 1, free: { anything: { goes: true } } }, other: 2 };
    assert.deepEqual(prune(object, schema).sort(), ['other', 'spec.junk']);
    assert.deepEqual(object, { apiVersion: 'x/v1', kind: 'K', metadata: { name: 'a' }, spec: { name: 'a', free: { anything: { goes: true } } } });
  });

  test('type, required and set-uniqueness errors read like kube-openapi', () => {
    const errors = validateValue({ spec: { replicas: 'many', tags: ['a', 'a'] } }, schema, '');
    assert.deepEqual(
      errors.map((e) => `${e.field}|${e.type}|${e.detail}`),
      ['spec.name|FieldValueRequired|', 'spec.replicas|FieldValueInvalid|spec.replicas in body must be of type integer: "string"', 'spec.tags[1]|FieldValueDuplicate|'],
    );
  });
});

describe('printer-column JSONPath, label selectors, ages', () => {
  test('JSONPath filters and indexes', () => {
    const object = { status: { conditions: [{ type: 'Issuing', status: 'False' }, { type: 'Ready', status: 'True' }] }, spec: { dnsNames: ['a', 'b'] } };
    assert.deepEqual(evaluateJsonPath(parseJsonPath('.status.conditions[?(@.type=="Ready")].status'), object), ['True']);
    assert.deepEqual(evaluateJsonPath(parseJsonPath('{.spec.dnsNames[1]}'), object), ['b']);
    assert.deepEqual(evaluateJsonPath(parseJsonPath('.spec.dnsNames[*]'), object), ['a', 'b']);
  });

  test('set-based selectors', () => {
    const selector = parseLabelSelector('env in (prod, staging),!legacy,tier!=db,version>2');
    assert.equal(matchesLabels(selector, { env: 'prod', tier: 'web', version: '3' }), true);
    assert.equal(matchesLabels(selector, { env: 'prod', tier: 'web', version: '2' }), false);
    assert.equal(matchesLabels(selector, { env: 'prod', legacy: '', version: '3' }), false);
    assert.throws(() => parseLabelSelector('env in prod'), /unable to parse requirement/);
  });

  test('ages print like kubectl', () => {
    assert.deepEqual([5_000, 125_000, 605_000, 7_500_000, 14_700_000, 30 * 3600_000, 3 * 86400_000 + 3600_000, 400 * 86400_000].map(humanDuration), ['5s', '2m5s', '10m', '125m', '4h5m', '30h', '3d1h', '400d']);
  });
});

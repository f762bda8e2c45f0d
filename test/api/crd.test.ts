import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { crdFor, renderCrdFiles, type CrdSchema } from '../../api/crd.js';
import { certwrightResources } from '../../api/resources.js';

// Compiled to <outDir>/test/api/; the repository root is three levels up.
const crdsDir = fileURLToPath(new URL('../../../crds/', import.meta.url));

test('the committed crds/ are what `npm run gen:crds` generates', async () => {
  const expected = renderCrdFiles();
  const committed = (await readdir(crdsDir)).filter((f) => f.endsWith('.yaml')).sort();
  assert.deepEqual(committed, [...expected.keys()].sort(), 'crds/ holds exactly the generated files');
  for (const [name, text] of expected) {
    assert.equal(await readFile(`${crdsDir}${name}`, 'utf8'), text, `crds/${name} is stale: run npm run gen:crds`);
  }
});

test('all.yaml holds every CRD once', () => {
  const docs = parseAllDocuments(renderCrdFiles().get('all.yaml')!).map((d) => d.toJS() as { metadata: { name: string } });
  assert.deepEqual(
    docs.map((d) => d.metadata.name),
    [
      'certificates.cert-manager.io',
      'certificaterequests.cert-manager.io',
      'issuers.cert-manager.io',
      'clusterissuers.cert-manager.io',
      'orders.acme.cert-manager.io',
      'challenges.acme.cert-manager.io',
    ],
  );
});

/** Every violation of Kubernetes' structural schema rules under `node`. */
function structuralProblems(node: CrdSchema, path: string): string[] {
  const problems: string[] = [];
  const type = node.type as string | undefined;
  for (const forbidden of ['$ref', 'const', 'patternProperties', 'oneOf', 'allOf', 'not', '$id', 'definitions']) {
    if (forbidden in node) problems.push(`${path}: has ${forbidden}`);
  }
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (!type && !intOrString && !preserve) problems.push(`${path}: has no type`);
  if (node.anyOf) {
    if (!intOrString) problems.push(`${path}: anyOf outside int-or-string`);
    for (const branch of node.anyOf as CrdSchema[]) if (Object.keys(branch).some((k) => k !== 'type')) problems.push(`${path}: anyOf branch sets more than type`);
  }
  if (node.properties && type !== 'object') problems.push(`${path}: properties without type object`);
  if (node.additionalProperties !== undefined && type !== 'object') problems.push(`${path}: additionalProperties without type object`);
  if (node.properties && node.additionalProperties !== undefined) problems.push(`${path}: both properties and additionalProperties`);
  if (type === 'array' && !node.items) problems.push(`${path}: array without items`);
  if (node.enum) for (const v of node.enum as unknown[]) if (typeof v !== 'string' || type !== 'string') problems.push(`${path}: enum value ${String(v)} not a string`);
  for (const key of (node.required as string[] | undefined) ?? []) {
    if (!(node.properties as Record<string, unknown> | undefined)?.[key]) problems.push(`${path}: required ${key} is not a property`);
  }
  if (node['x-kubernetes-list-type'] === 'map') {
    const items = node.items as CrdSchema;
    for (const key of (node['x-kubernetes-list-map-keys'] as string[]) ?? []) {
      if (!((items.required as string[] | undefined) ?? []).includes(key)) problems.push(`${path}: list-map key ${key} is not required in items`);
    }
  }
  for (const [name, child] of Object.entries((node.properties as Record<string, CrdSchema>) ?? {})) problems.push(...structuralProblems(child, `${path}.${name}`));
  if (node.items) problems.push(...structuralProblems(node.items as CrdSchema, `${path}[]`));
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    problems.push(...structuralProblems(node.additionalProperties as CrdSchema, `${path}{}`));
  }
  return problems;
}

/** CEL rules that reference `self.<field>` must name fields of the node they sit on, and balance brackets. */
function celProblems(node: CrdSchema, path: string): string[] {
  const problems: string[] = [];
  const rules = (node['x-kubernetes-validations'] as { rule: string; message: string }[] | undefined) ?? [];
  const fields = Object.keys((node.properties as Record<string, unknown>) ?? {});
  for (const { rule, message } of rules) {
    if (!message) problems.push(`${path}: rule without message: ${rule}`);
    let depth = 0;
    for (const ch of rule) {
      if ('([{'.includes(ch)) depth++;
      if (')]}'.includes(ch)) depth--;
      if (depth < 0) break;
    }
    if (depth !== 0) problems.push(`${path}: unbalanced brackets in ${rule}`);
    if ((rule.match(/'/g) ?? []).length % 2 !== 0) problems.push(`${path}: unbalanced quotes in ${rule}`);
    for (const [, field] of rule.matchAll(/self\.([A-Za-z0-9]+)/g)) {
      if (!fields.includes(field!)) problems.push(`${path}: rule refers to unknown field ${field}: ${rule}`);
    }
  }
  for (const [name, child] of Object.entries((node.properties as Record<string, CrdSchema>) ?? {})) problems.push(...celProblems(child, `${path}.${name}`));
  if (node.items) problems.push(...celProblems(node.items as CrdSchema, `${path}[]`));
  return problems;
}

for (const resource of certwrightResources) {
  test(`${resource.kind} CRD schema is structural and its CEL rules name real fields`, () => {
    const crd = crdFor(resource) as { spec: { versions: { schema: { openAPIV3Schema: CrdSchema } }[] } };
    const schema = crd.spec.versions[0]!.schema.openAPIV3Schema;
    assert.deepEqual(structuralProblems(schema, resource.kind), []);
    assert.deepEqual(celProblems(schema, resource.kind), []);
    assert.deepEqual((schema.properties as Record<string, unknown>).metadata, { type: 'object' });
    assert.equal(JSON.stringify(schema).includes('"$ref"'), false);
  });
}

test('the Certificate CRD carries names, columns, selectable fields, status subresource and enums', async () => {
  const crd = parse(await readFile(`${crdsDir}certificates.cert-manager.io.yaml`, 'utf8'));
  assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
  assert.deepEqual(crd.spec.names, {
    kind: 'Certificate',
    listKind: 'CertificateList',
    plural: 'certificates',
    singular: 'certificate',
    shortNames: ['cert', 'certs'],
    categories: ['cert-manager'],
  });
  assert.equal(crd.spec.scope, 'Namespaced');
  const version = crd.spec.versions[0];
  assert.deepEqual(version.subresources, { status: {} });
  assert.deepEqual(version.selectableFields, [{ jsonPath: '.spec.issuerRef.group' }, { jsonPath: '.spec.issuerRef.kind' }, { jsonPath: '.spec.issuerRef.name' }]);
  assert.deepEqual(
    version.additionalPrinterColumns.map((c: { name: string; priority?: number }) => `${c.name}${c.priority ? '(p1)' : ''}`),
    ['Ready', 'Secret', 'Issuer(p1)', 'Status(p1)', 'Expiration(p1)', 'Age'],
  );
  const spec = version.schema.openAPIV3Schema.properties.spec;
  assert.deepEqual(spec.required, ['secretName', 'issuerRef']);
  assert.deepEqual(spec.properties.privateKey.properties.algorithm, { type: 'string', enum: ['RSA', 'ECDSA', 'Ed25519'] });
  assert.equal(spec.properties.usages.items.enum.length, 23);
  assert.deepEqual(spec.properties.keystores.properties.pkcs12.properties.profile.enum, ['LegacyRC2', 'LegacyDES', 'Modern2023', 'Modern2026']);
  assert.deepEqual(spec.properties.secretTemplate.properties.labels, { type: 'object', additionalProperties: { type: 'string' } });
  const conditions = version.schema.openAPIV3Schema.properties.status.properties.conditions;
  assert.equal(conditions['x-kubernetes-list-type'], 'map');
  assert.deepEqual(conditions['x-kubernetes-list-map-keys'], ['type']);
  const rules = spec['x-kubernetes-validations'].map((r: { message: string }) => r.message);
  assert.ok(rules.includes('renewBefore and renewBeforePercentage are mutually exclusive and cannot both be set'));
  assert.ok(rules.includes('isCa should be true when nameConstraints is set'));
  assert.ok(rules.includes('When providing a `LiteralSubject` no `commonName` may be provided.'));
  assert.equal(spec.properties.renewal['x-kubernetes-validations'][0].message, 'windows cannot be set when `renewal.policy` is set to Disabled');
  assert.equal(spec.properties.keystores.properties.jks['x-kubernetes-validations'].length, 2);
  assert.ok(version.schema.openAPIV3Schema.properties.status.properties.acme.properties.ari.properties.suggestedWindow);
});

test('issuer, request and ACME CRDs carry their cross-field rules', async () => {
  const load = async (name: string) => parse(await readFile(`${crdsDir}${name}`, 'utf8')).spec.versions[0].schema.openAPIV3Schema;
  const issuerSpec = (await load('issuers.cert-manager.io.yaml')).properties.spec;
  assert.match(issuerSpec['x-kubernetes-validations'][0].rule, /^\[has\(self\.acme\), has\(self\.ca\), has\(self\.selfSigned\), has\(self\.vault\), has\(self\.venafi\)\]\.filter\(x, x\)\.size\(\) == 1$/);
  const solver = issuerSpec.properties.acme.properties.solvers.items;
  assert.equal(solver['x-kubernetes-validations'][0].message, 'exactly one of http01 or dns01 must be configured');
  assert.equal(solver.properties.dns01['x-kubernetes-validations'][0].message, 'exactly one DNS01 provider must be configured');
  assert.deepEqual(solver.properties.dns01.properties.webhook.properties.config, {
    description: 'Arbitrary JSON handed to the webhook solver.',
    'x-kubernetes-preserve-unknown-fields': true,
  });
  assert.equal(issuerSpec.properties.acme.properties.renewalInformationSource.default, 'ARI');
  assert.equal(issuerSpec.properties.acme.properties.preferredChain.maxLength, 64);
  assert.equal(issuerSpec.properties.venafi['x-kubernetes-validations'][0].message, 'please supply one of: tpp, cloud, ngts');
  const crSpec = (await load('certificaterequests.cert-manager.io.yaml')).properties.spec;
  assert.deepEqual(crSpec['x-kubernetes-validations'], [{ rule: 'self == oldSelf', message: 'cannot change spec after creation' }]);
  assert.equal(crSpec.properties.request.format, 'byte');
  const challengeSpec = (await load('challenges.acme.cert-manager.io.yaml')).properties.spec;
  assert.deepEqual(challengeSpec.properties.type.enum, ['HTTP-01', 'DNS-01']);
  const clusterIssuer = parse(await readFile(`${crdsDir}clusterissuers.cert-manager.io.yaml`, 'utf8'));
  assert.equal(clusterIssuer.spec.scope, 'Cluster');
  assert.equal(clusterIssuer.spec.versions[0].selectableFields, undefined);
});

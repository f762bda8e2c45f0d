import { invalid, required, notSupported, type FieldError } from '../api/field-errors.js';
import type { KubeObject } from './admission.js';
import { evaluateJsonPath, parseJsonPath } from './jsonpath.js';
import { allVerbs, type ResourceType, type Strategy } from './resources.js';
import { isDns1123Subdomain } from './metadata.js';
import { asArray, asObject } from './json.js';
import { conditionsByType } from './schema/shapes.js';
import type { JsonSchema } from './schema/types.js';
import { customResourceTable, type PrinterColumnSpec } from './tables.js';
import { rfc3339 } from './time.js';

type Obj = Record<string, unknown>;

/** What the apiextensions server stores for a CRD; only the members the embedded server reads. */
interface CrdNames {
  plural?: string;
  singular?: string;
  kind?: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
}

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: JsonSchema };
  subresources?: { status?: object; scale?: object };
  additionalPrinterColumns?: PrinterColumnSpec[];
  selectableFields?: { jsonPath: string }[];
}

interface CrdSpec {
  group: string;
  names: CrdNames;
  scope: string;
  versions: CrdVersion[];
}

/** Finalizer the apiextensions server puts on every CRD so instances are removed before it. */
export const crdCleanupFinalizer = 'customresourcecleanup.apiextensions.k8s.io';


/** The CRD kind's top-level fields as merge and apply see them: conditions keyed by type. */
export const customResourceDefinitionFields: Record<string, JsonSchema> = {
  spec: { type: 'object' },
  status: { type: 'object', properties: { conditions: conditionsByType } },
};

function specOf(o: KubeObject): CrdSpec {
  return asObject(o.spec) as unknown as CrdSpec;
}

function defaultSpec(o: KubeObject): void {
  const spec = asObject(o.spec);
  const names = asObject(spec.names);
  if (typeof names.kind === 'string') {
    names.singular ??= names.kind.toLowerCase();
    names.listKind ??= `${names.kind}List`;
  }
  spec.names = names;
  spec.conversion ??= { strategy: 'None' };
  o.spec = spec;
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

function withTransitionTimes(conditions: Condition[], previous: unknown): Condition[] {
  const old = asArray(previous).map(asObject);
  const now = rfc3339();
  return conditions.map((c) => {
    const before = old.find((o) => o.type === c.type);
    return { ...c, lastTransitionTime: before && before.status === c.status && typeof before.lastTransitionTime === 'string' ? before.lastTransitionTime : now };
  });
}

/** The status the apiextensions controllers would settle on: names accepted, established. */
function computeStatus(o: KubeObject, previous: unknown): void {
  const spec = specOf(o);
  const prev = asObject(previous);
  const names = spec.names ?? {};
  const storage = asArray(spec.versions).map(asObject).find((v) => v.storage === true)?.name;
  const storedVersions = asArray(prev.storedVersions).filter((v): v is string => typeof v === 'string');
  if (typeof storage === 'string' && !storedVersions.includes(storage)) storedVersions.push(storage);
  const terminating = o.metadata.deletionTimestamp !== undefined;
  const conditions: Condition[] = [
    { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' },
    { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
  ];
  if (terminating) conditions.push({ type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' });
  const acceptedNames: Obj = { plural: names.plural, singular: names.singular, kind: names.kind, listKind: names.listKind };
  if (names.shortNames?.length) acceptedNames.shortNames = names.shortNames;
  if (names.categories?.length) acceptedNames.categories = names.categories;
  o.status = { acceptedNames, conditions: withTransitionTimes(conditions, prev.conditions), storedVersions };
}

function validateCrd(o: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const spec = asObject(o.spec);
  const names = asObject(spec.names);
  const group = spec.group;
  if (typeof group !== 'string' || group === '') errors.push(required('spec.group', ''));
  else {
    for (const p of isDns1123Subdomain(group)) errors.push(invalid('spec.group', group, p));
    if (!group.includes('.')) errors.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  if (typeof names.plural !== 'string' || names.plural === '') errors.push(required('spec.names.plural', ''));
  if (typeof names.kind !== 'string' || names.kind === '') errors.push(required('spec.names.kind', ''));
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') errors.push(notSupported('spec.scope', spec.scope ?? '', ['Cluster', 'Namespaced']));
  if (typeof names.plural === 'string' && typeof group === 'string' && o.metadata.name !== `${names.plural}.${group}`)
    errors.push(invalid('metadata.name', o.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  const versions = asArray(spec.versions).map(asObject);
  if (versions.length === 0) errors.push(invalid('spec.versions', spec.versions ?? null, 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v.storage === true).length !== 1)
    errors.push(invalid('spec.versions', spec.versions, 'must have exactly one version marked as storage version'));
  versions.forEach((v, i) => {
    if (typeof v.name !== 'string' || v.name === '') errors.push(required(`spec.versions[${i}].name`, ''));
    if (!asObject(asObject(v.schema).openAPIV3Schema).type && !asObject(v.schema).openAPIV3Schema)
      errors.push(required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
  });
  if (old) {
    const oldSpec = asObject(old.spec);
    if (oldSpec.scope !== spec.scope) errors.push(invalid('spec.scope', spec.scope, 'field is immutable'));
    if (oldSpec.group !== spec.group) errors.push(invalid('spec.group', spec.group, 'field is immutable'));
  }
  return errors;
}

export const customResourceDefinitionStrategy: Strategy = {
  prepareForCreate(o) {
    defaultSpec(o);
    const finalizers = o.metadata.finalizers ?? [];
    if (!finalizers.includes(crdCleanupFinalizer)) o.metadata.finalizers = [...finalizers, crdCleanupFinalizer];
    computeStatus(o, undefined);
  },
  prepareForUpdate(o, old) {
    defaultSpec(o);
    computeStatus(o, old.status);
  },
  validate: validateCrd,
};

function fieldValueText(value: unknown): string | undefined {
  if (value === undefined || value === null || typeof value === 'object') return undefined;
  return String(value);
}

/** The resource types a CRD serves: one per served version. */
export function customResourceTypes(crd: KubeObject): ResourceType[] {
  const spec = specOf(crd);
  const names = spec.names;
  if (!names?.plural || !names.kind || !spec.group) return [];
  const served = asArray(spec.versions)
    .map((v) => v as CrdVersion)
    .filter((v) => v.served);
  return served.map((v) => {
      const selectable = (v.selectableFields ?? []).map((f) => f.jsonPath.replace(/^\./, ''));
      const paths = selectable.map((f) => parseJsonPath(`.${f}`));
      const strategy: Strategy = {
        fieldValues: (o) => Object.fromEntries(selectable.map((f, i) => [f, fieldValueText(evaluateJsonPath(paths[i]!, o)[0])])),
      };
      const resource: ResourceType = {
        group: spec.group,
        version: v.name,
        kind: names.kind!,
        listKind: names.listKind ?? `${names.kind}List`,
        plural: names.plural!,
        singular: names.singular ?? names.kind!.toLowerCase(),
        namespaced: spec.scope === 'Namespaced',
        shortNames: names.shortNames ?? [],
        categories: names.categories ?? [],
        verbs: allVerbs,
        subresources: v.subresources?.status ? ['status'] : [],
        storage: { group: spec.group, plural: names.plural! },
        servedVersions: served.length,
        crd: crd.metadata.name!,
        selectableFields: selectable,
        tracksGeneration: true,
        table: customResourceTable(v.additionalPrinterColumns),
        strategy,
        nameRule: isDns1123Subdomain,
      };
      const schema = v.schema?.openAPIV3Schema;
      if (schema) resource.schema = schema;
      return resource;
    });
}

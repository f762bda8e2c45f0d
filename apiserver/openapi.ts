import { createHash } from 'node:crypto';
import { groupVersion, type Registry, type ResourceType } from './resources.js';
import type { JsonSchema } from './schema/types.js';

const objectMetaId = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

const objectMetaSchema = {
  description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
  type: 'object',
  properties: {
    name: { type: 'string', description: 'Name must be unique within a namespace.' },
    generateName: { type: 'string', description: 'GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.' },
    namespace: { type: 'string', description: 'Namespace defines the space within which each name must be unique.' },
    uid: { type: 'string', description: 'UID is the unique in time and space value for this object.' },
    resourceVersion: { type: 'string', description: 'An opaque value that represents the internal version of this object.' },
    generation: { type: 'integer', format: 'int64', description: 'A sequence number representing a specific generation of the desired state.' },
    creationTimestamp: { type: 'string', format: 'date-time', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' },
    deletionTimestamp: { type: 'string', format: 'date-time', description: 'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.' },
    labels: { type: 'object', additionalProperties: { type: 'string', default: '' }, description: 'Map of string keys and values that can be used to organize and categorize objects.' },
    annotations: { type: 'object', additionalProperties: { type: 'string', default: '' }, description: 'Annotations is an unstructured key value map stored with a resource.' },
    finalizers: { type: 'array', items: { type: 'string', default: '' }, 'x-kubernetes-list-type': 'set', description: 'Must be empty before the object is deleted from the registry.' },
    ownerReferences: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['uid'], description: 'List of objects depended by this object.' },
    managedFields: { type: 'array', items: { type: 'object' }, description: 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.' },
  },
};

/** The OpenAPI definition name kube uses: `io.k8s.api.core.v1.Secret`, `io.cert-manager.v1.Certificate`. */
function definitionId(r: ResourceType): string {
  if (r.crd) return `${r.group.split('.').reverse().join('.')}.${r.version}.${r.kind}`;
  const pkg = r.group === '' ? 'core' : r.group.replace(/\.k8s\.io$/, '').replace(/\./g, '');
  if (r.group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${r.version}.${r.kind}`;
  return `io.k8s.api.${pkg}.${r.version}.${r.kind}`;
}

function resourceSchema(r: ResourceType): Record<string, unknown> {
  const base: JsonSchema = r.schema ?? { type: 'object' };
  const properties: Record<string, unknown> = {
    ...(base.properties ?? {}),
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
    metadata: { allOf: [{ $ref: `#/components/schemas/${objectMetaId}` }], default: {}, description: 'Standard object metadata.' },
  };
  return { ...base, type: 'object', properties, 'x-kubernetes-group-version-kind': [{ group: r.group, kind: r.kind, version: r.version }] };
}

const queryParameter = (name: string, description: string, type = 'string'): Record<string, unknown> => ({ name, in: 'query', description, schema: { type, uniqueItems: true } });

const patchParameters = [
  queryParameter('dryRun', 'When present, indicates that modifications should not be persisted.'),
  queryParameter('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  queryParameter('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.'),
  queryParameter('force', 'Force is going to "force" Apply requests.', 'boolean'),
];

const writeParameters = patchParameters.slice(0, 3);

function operations(r: ResourceType, ref: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const json = { 'application/json': { schema: ref } };
  const ok = { '200': { description: 'OK', content: json } };
  const scope = r.namespaced ? 'Namespaced' : '';
  // No strategic-merge media type is listed: kubectl then builds strategic patches for built-ins
  // from its own compiled-in types, which carry the complete merge metadata.
  const patchBody = { content: Object.fromEntries(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'].map((t) => [t, { schema: { type: 'object' } }])) };
  const item = {
    get: { operationId: `read${scope}${r.kind}`, 'x-kubernetes-action': 'get', 'x-kubernetes-group-version-kind': gvk, responses: ok },
    put: { operationId: `replace${scope}${r.kind}`, 'x-kubernetes-action': 'put', 'x-kubernetes-group-version-kind': gvk, parameters: writeParameters, requestBody: { content: json }, responses: ok },
    patch: { operationId: `patch${scope}${r.kind}`, 'x-kubernetes-action': 'patch', 'x-kubernetes-group-version-kind': gvk, parameters: patchParameters, requestBody: patchBody, responses: ok },
    delete: { operationId: `delete${scope}${r.kind}`, 'x-kubernetes-action': 'delete', 'x-kubernetes-group-version-kind': gvk, responses: ok },
  };
  const collection = {
    get: { operationId: `list${scope}${r.kind}`, 'x-kubernetes-action': 'list', 'x-kubernetes-group-version-kind': gvk, responses: { '200': { description: 'OK' } } },
    post: { operationId: `create${scope}${r.kind}`, 'x-kubernetes-action': 'post', 'x-kubernetes-group-version-kind': gvk, parameters: writeParameters, requestBody: { content: json }, responses: ok },
  };
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const prefix = r.namespaced ? `${base}/namespaces/{namespace}/${r.plural}` : `${base}/${r.plural}`;
  const paths: Record<string, Record<string, unknown>> = { [prefix]: collection, [`${prefix}/{name}`]: item };
  if (r.subresources.includes('status')) paths[`${prefix}/{name}/status`] = { ...item, patch: { ...item.patch, operationId: `patch${scope}${r.kind}Status` } };
  return paths;
}

/** `/openapi/v3/<api/v1 | apis/group/version>`: one group-version's OpenAPI 3 document. */
function groupVersionDocument(types: ResourceType[]): Record<string, unknown> {
  const schemas: Record<string, unknown> = { [objectMetaId]: objectMetaSchema };
  let paths: Record<string, unknown> = {};
  for (const r of types) {
    const id = definitionId(r);
    schemas[id] = resourceSchema(r);
    paths = { ...paths, ...operations(r, { $ref: `#/components/schemas/${id}` }) };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas } };
}

/** OpenAPI v3 documents, rebuilt only when the served resources change. */
export class OpenApiDocuments {
  private builtFor = -1;
  private documents = new Map<string, { json: string; hash: string }>();

  constructor(private readonly registry: Registry) {}

  private refresh(): void {
    if (this.builtFor === this.registry.version) return;
    const byPath = new Map<string, ResourceType[]>();
    for (const r of this.registry.all()) {
      const path = r.group ? `apis/${groupVersion(r)}` : `api/${r.version}`;
      byPath.set(path, [...(byPath.get(path) ?? []), r]);
    }
    this.documents = new Map(
      [...byPath].map(([path, types]) => {
        const json = JSON.stringify(groupVersionDocument(types));
        return [path, { json, hash: createHash('sha512').update(json).digest('hex').toUpperCase().slice(0, 128) }];
      }),
    );
    this.builtFor = this.registry.version;
  }

  /** `/openapi/v3`: where each group-version's document is. */
  index(): Record<string, unknown> {
    this.refresh();
    return { paths: Object.fromEntries([...this.documents].map(([path, d]) => [path, { serverRelativeURL: `/openapi/v3/${path}?hash=${d.hash}` }])) };
  }

  document(path: string): string | undefined {
    this.refresh();
    return this.documents.get(path)?.json;
  }
}

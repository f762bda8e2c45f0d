/**
 * `kubectl apply --server-side` for the few kinds certwright's own manifests use: CRDs at startup
 * in local mode, and example manifests (`--apply`). Applying is idempotent, so a restart that
 * applies the same files changes nothing.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { KubeObject } from '../apiserver/admission.js';
import type { KubeClient } from '../controller/runtime/client.js';
import {
  CERTIFICATE_REQUESTS,
  CERTIFICATES,
  CLUSTER_ISSUERS,
  ISSUERS,
  SECRETS,
  apiVersionOf,
  type ResourceType,
} from '../controller/runtime/resources.js';

export const CUSTOM_RESOURCE_DEFINITIONS: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  resource: 'customresourcedefinitions',
  kind: 'CustomResourceDefinition',
  namespaced: false,
};
export const NAMESPACES: ResourceType = { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false };

const applicable: readonly ResourceType[] = [CUSTOM_RESOURCE_DEFINITIONS, NAMESPACES, SECRETS, ISSUERS, CLUSTER_ISSUERS, CERTIFICATES, CERTIFICATE_REQUESTS];

/** The field manager manifests are applied under (kubectl uses `kubectl`). */
export const MANIFEST_FIELD_MANAGER = 'certwright-apply';

/** Every YAML document in `path` (a file, or the `.yaml`/`.yml` files of a directory in name order). */
export async function readManifests(path: string): Promise<KubeObject[]> {
  const files = (await stat(path)).isDirectory()
    ? (await readdir(path))
        .filter((f) => ['.yaml', '.yml'].includes(extname(f)))
        .sort()
        .map((f) => join(path, f))
    : [path];
  // yaml is imported only when there are manifests to read: `certwright run` without --apply never needs it.
  const { parseAllDocuments } = await import('yaml');
  const objects: KubeObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      const obj = doc.toJSON() as KubeObject | null;
      if (obj) objects.push(obj);
    }
  }
  return objects;
}

function resourceTypeOf(obj: KubeObject): ResourceType {
  const type = applicable.find((t) => apiVersionOf(t) === obj.apiVersion && t.kind === obj.kind);
  if (!type) {
    throw new Error(`cannot apply ${obj.apiVersion}/${obj.kind} ${JSON.stringify(obj.metadata?.name)}: supported kinds are ${applicable.map((t) => t.kind).join(', ')}`);
  }
  return type;
}

/** Server-side applies each object in order (namespaces before what lives in them, as written). */
export async function applyManifests(client: KubeClient, objects: readonly KubeObject[], fieldManager = MANIFEST_FIELD_MANAGER): Promise<KubeObject[]> {
  const applied: KubeObject[] = [];
  for (const obj of objects) applied.push(await client.apply(resourceTypeOf(obj), obj, { fieldManager, force: true }));
  return applied;
}

import { createHash } from 'node:crypto';
import { groupVersion, type Registry, type ResourceType } from './resources.js';

/** What `/version` reports: a 1.32 server, so kubectl 1.32 sees no version skew. */
export const serverVersion = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-certwright',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export const aggregatedDiscoveryV2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const aggregatedDiscoveryV2Beta1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

function storageVersionHash(r: ResourceType): string {
  return createHash('sha256').update(`${r.group}/${r.version}/${r.kind}`).digest('base64').slice(0, 11);
}

const subresourceVerbs: Record<string, string[]> = { status: ['get', 'patch', 'update'], token: ['create'] };

function subresourceKind(r: ResourceType, sub: string): { group: string; version: string; kind: string } {
  return sub === 'token' ? { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' } : { group: r.group, version: r.version, kind: r.kind };
}

/** `/api/v1` and `/apis/<group>/<version>`: an APIResourceList. */
export function apiResourceList(registry: Registry, group: string, version: string): Record<string, unknown> | undefined {
  const types = registry.all().filter((r) => r.group === group && r.version === version);
  if (!types.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of types) {
    const entry: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    entry.storageVersionHash = storageVersionHash(r);
    resources.push(entry);
    for (const sub of r.subresources) {
      const kind = subresourceKind(r, sub);
      const subEntry: Record<string, unknown> = { name: `${r.plural}/${sub}`, singularName: '', namespaced: r.namespaced, kind: kind.kind, verbs: subresourceVerbs[sub] ?? ['get'] };
      if (kind.group !== r.group) Object.assign(subEntry, { group: kind.group, version: kind.version });
      resources.push(subEntry);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources };
}

/** `/api`: the legacy group's versions. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupEntry(name: string, versions: string[]): Record<string, unknown> {
  const gvs = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: gvs, preferredVersion: gvs[0] };
}

/** `/apis`: every named group, preferred version first. */
export function apiGroupList(registry: Registry): Record<string, unknown> {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: registry.groups().filter((g) => g.name !== '').map((g) => groupEntry(g.name, g.versions)) };
}

/** `/apis/<group>`: one APIGroup. */
export function apiGroup(registry: Registry, name: string): Record<string, unknown> | undefined {
  const group = registry.groups().find((g) => g.name === name && name !== '');
  return group ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group.name, group.versions) } : undefined;
}

function discoveryResource(r: ResourceType): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames.length) entry.shortNames = r.shortNames;
  if (r.categories.length) entry.categories = r.categories;
  if (r.subresources.length) entry.subresources = r.subresources.map((sub) => ({ subresource: sub, responseKind: subresourceKind(r, sub), verbs: subresourceVerbs[sub] ?? ['get'] }));
  return entry;
}

/**
 * Aggregated discovery (`apidiscovery.k8s.io/v2`): kubectl 1.32 fetches `/api` and `/apis` once
 * with this and skips the per-group requests.
 */
export function aggregatedDiscovery(registry: Registry, legacy: boolean, apiVersion: 'v2' | 'v2beta1'): Record<string, unknown> {
  const all = registry.all();
  const items = registry
    .groups()
    .filter((g) => (g.name === '') === legacy)
    .map((g) => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map((version) => ({
        version,
        resources: all.filter((r) => r.group === g.name && r.version === version).map(discoveryResource),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${apiVersion}`, metadata: {}, items };
}

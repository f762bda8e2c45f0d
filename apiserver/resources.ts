import type { FieldError } from '../api/field-errors.js';
import type { KubeObject } from './admission.js';
import type { NameRule } from './metadata.js';
import type { JsonSchema } from './schema/types.js';

/** One column of a `meta.k8s.io/v1` Table. */
export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableConvertor {
  columns: TableColumn[];
  /** One cell per column; `now` is milliseconds since the epoch. */
  cells(object: KubeObject, now: number): unknown[];
}

/** Kind-specific behaviour, like a kube-apiserver registry strategy. Every hook is optional. */
export interface Strategy {
  /** Fill server-owned fields and defaults on create (after system metadata is set). */
  prepareForCreate?(object: KubeObject): void;
  /** Carry server-owned fields from `old`; runs for main-resource and status writes. */
  prepareForUpdate?(object: KubeObject, old: KubeObject): void;
  /** Kind-specific validation beyond metadata. */
  validate?(object: KubeObject, old: KubeObject | undefined): FieldError[];
  /** Values of the kind's own field-selector fields (beyond metadata.name/namespace). */
  fieldValues?(object: KubeObject): Record<string, string | undefined>;
  /** Stored form → served form, when a version stores as another (events.k8s.io/v1 Event). */
  fromStorage?(object: KubeObject): KubeObject;
  /** Served form → stored form. */
  toStorage?(object: KubeObject): KubeObject;
}

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources served: `status`, and `token` for ServiceAccounts. */
  subresources: string[];
  /** Group and plural under which objects are stored; shared by versions and by events.k8s.io. */
  storage: { group: string; plural: string };
  /** How many versions of this kind are served (objects stored under another version are converted). */
  servedVersions: number;
  /** Served from a CustomResourceDefinition (named `crd`). */
  crd?: string;
  /** Structural schema for custom resources; for built-ins only the parts merge and apply need. */
  schema?: JsonSchema;
  /** Field-selector names beyond metadata.name and metadata.namespace, e.g. `spec.issuerRef.name`. */
  selectableFields: string[];
  tracksGeneration: boolean;
  table: TableConvertor;
  strategy: Strategy;
  /** Rule for metadata.name (DNS subdomain for most kinds). */
  nameRule: NameRule;
}

export const groupVersion = (r: { group: string; version: string }): string => (r.group ? `${r.group}/${r.version}` : r.version);

export const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** Kubernetes version priority: v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > anything else (alphabetical). */
export function compareVersionPriority(a: string, b: string): number {
  const rank = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    return [m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0, Number(m[1]), Number(m[3] ?? 0)];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (!ra || !rb) return ra ? -1 : rb ? 1 : a.localeCompare(b);
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return rb[i]! - ra[i]!;
  return 0;
}

/** The resource types being served: built-ins plus those of established CRDs. */
export class Registry {
  private readonly builtins: ResourceType[];
  private readonly custom = new Map<string, ResourceType[]>();
  private generation = 0;
  private cache: { all: ResourceType[]; byPath: Map<string, ResourceType>; storage: ResourceType[] } | undefined;

  constructor(builtins: ResourceType[]) {
    this.builtins = builtins;
  }

  /** Bumped on every change; discovery and OpenAPI documents are cached against it. */
  get version(): number {
    return this.generation;
  }

  private get index(): { all: ResourceType[]; byPath: Map<string, ResourceType>; storage: ResourceType[] } {
    if (!this.cache) {
      const all = [...this.builtins];
      for (const types of this.custom.values()) all.push(...types);
      const seen = new Set<string>();
      const storage = all.filter((r) => {
        const key = `${r.storage.group}/${r.storage.plural}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      this.cache = { all, byPath: new Map(all.map((r) => [`${r.group}/${r.version}/${r.plural}`, r])), storage };
    }
    return this.cache;
  }

  all(): ResourceType[] {
    return this.index.all;
  }

  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.index.byPath.get(`${group}/${version}/${plural}`);
  }

  /** The served type of a kind, preferring the given apiVersion (for owner references). */
  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const candidates = this.all().filter((r) => r.group === group && r.kind === kind);
    return candidates.find((r) => r.version === version) ?? candidates[0];
  }

  /** One representative per storage location, for walking everything stored. */
  storageTypes(): ResourceType[] {
    return this.index.storage;
  }

  /** Groups with their versions in kube's priority order (GA, then beta, then alpha): preferred first. */
  groups(): { name: string; versions: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const r of this.all()) {
      const versions = groups.get(r.group) ?? [];
      if (!versions.includes(r.version)) versions.push(r.version);
      groups.set(r.group, versions);
    }
    return [...groups].map(([name, versions]) => ({ name, versions: versions.sort(compareVersionPriority) }));
  }

  setCustom(crdName: string, types: ResourceType[]): void {
    if (types.length === 0) this.custom.delete(crdName);
    else this.custom.set(crdName, types);
    this.cache = undefined;
    this.generation++;
  }
}

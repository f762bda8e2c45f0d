import type { KubeObject } from '../../apiserver/admission.js';
import { objectKey } from './keys.js';

/** The index values an object is filed under (e.g. its owners' UIDs). */
export type IndexFunc<T extends KubeObject> = (obj: T) => string[];

/**
 * Files objects under their namespace: opt in with `{ [NAMESPACE_INDEX]: byNamespace }`. Not built
 * in: no reconciler looks objects up by namespace, and at 10k Certificates the index was a Set of
 * every key per cache (~0.6 MiB each); `Informer.list(namespace)` scans instead.
 */
export const NAMESPACE_INDEX = 'namespace';

export const byNamespace: IndexFunc<KubeObject> = (obj) => [obj.metadata.namespace ?? ''];

/** Files objects under the UIDs of their owner references (find CertificateRequests of a Certificate). */
export const byOwnerUid: IndexFunc<KubeObject> = (obj) => (obj.metadata.ownerReferences ?? []).map((ref) => ref.uid);

/** Files objects under the value of one label, if set. */
export function byLabel(label: string): IndexFunc<KubeObject> {
  return (obj) => {
    const value = obj.metadata.labels?.[label];
    return value === undefined ? [] : [value];
  };
}

/** Files objects under the value of one annotation, if set (e.g. `cert-manager.io/certificate-name`). */
export function byAnnotation(annotation: string): IndexFunc<KubeObject> {
  return (obj) => {
    const value = obj.metadata.annotations?.[annotation];
    return value === undefined ? [] : [value];
  };
}

/**
 * The keys filed under one index value: most values (an owner's UID, a Secret name) file one
 * object, held as its key alone; a Set only from the second on. At 10k Certificates the indexes
 * hold ~50k values, and a Set per value was ~8 MiB.
 */
type IndexedKeys = string | Set<string>;

/** Changes a `replace` made, in the order handlers should hear about them. */
export interface StoreDiff<T> {
  added: T[];
  updated: Array<{ old: T; obj: T }>;
  deleted: T[];
}

/**
 * client-go's indexer: objects by `namespace/name` key plus named secondary indexes kept up to date
 * on every write, so lookups by owner, label or annotation never scan the cache.
 */
export class IndexedStore<T extends KubeObject> {
  #items = new Map<string, T>();
  #indexers: Map<string, IndexFunc<T>>;
  /** index name → index value → keys */
  #indices = new Map<string, Map<string, IndexedKeys>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.#indexers = new Map(Object.entries(indexers));
    for (const name of this.#indexers.keys()) this.#indices.set(name, new Map());
  }

  get size(): number {
    return this.#items.size;
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  list(): T[] {
    return [...this.#items.values()];
  }

  keys(): string[] {
    return [...this.#items.keys()];
  }

  /** Objects filed under `value` in index `indexName`. */
  byIndex(indexName: string, value: string): T[] {
    const index = this.#indices.get(indexName);
    if (!index) throw new Error(`no index named "${indexName}"; have: ${[...this.#indices.keys()].join(', ') || 'none'}`);
    const keys = index.get(value);
    if (keys === undefined) return [];
    return typeof keys === 'string' ? [this.#items.get(keys)!] : [...keys].map((key) => this.#items.get(key)!);
  }

  /** Stores `obj`; returns the object it replaced, if any. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.#items.get(key);
    if (old) this.#unindex(key, old);
    this.#items.set(key, obj);
    this.#index(key, obj);
    return old;
  }

  /** Removes the object under `key`; returns it if there was one. */
  remove(key: string): T | undefined {
    const old = this.#items.get(key);
    if (!old) return undefined;
    this.#unindex(key, old);
    this.#items.delete(key);
    return old;
  }

  /** Makes the store hold exactly `objs` (after a relist) and reports what changed. */
  replace(objs: T[]): StoreDiff<T> {
    const diff: StoreDiff<T> = { added: [], updated: [], deleted: [] };
    const seen = new Set<string>();
    for (const obj of objs) {
      seen.add(objectKey(obj));
      const old = this.upsert(obj);
      if (!old) diff.added.push(obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) diff.updated.push({ old, obj });
    }
    for (const key of [...this.#items.keys()]) {
      if (!seen.has(key)) diff.deleted.push(this.remove(key)!);
    }
    return diff;
  }

  #index(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const index = this.#indices.get(name)!;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        if (keys === undefined) index.set(value, key);
        else if (typeof keys !== 'string') keys.add(key);
        else if (keys !== key) index.set(value, new Set([keys, key]));
      }
    }
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const index = this.#indices.get(name)!;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        if (keys === key) index.delete(value);
        else if (typeof keys === 'object') {
          keys.delete(key);
          if (keys.size === 1) index.set(value, keys.values().next().value!);
        }
      }
    }
  }
}

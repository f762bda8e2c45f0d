import type { KubeObject, OwnerReference, UserInfo } from './admission.js';
import { crdCleanupFinalizer } from './crd.js';
import { ApiError } from './errors.js';
import { storageKey, storagePrefix } from './metadata.js';
import { foregroundFinalizer, internalContext, namespaceKey, orphanFinalizer, type ObjectService } from './objects.js';
import type { ResourceType } from './resources.js';
import type { StoreEvent } from './store/index.js';

const controllerUser: UserInfo = { username: 'system:serviceaccount:kube-system:generic-garbage-collector', uid: 'generic-garbage-collector', groups: ['system:serviceaccounts', 'system:authenticated'] };

const namespacesPrefix = storagePrefix({ group: '', plural: 'namespaces' }, '');


/** What to look at again, keyed so repeated events for one object collapse. */
type Work = { kind: 'object'; key: string } | { kind: 'dependentsOf'; uid: string };

const workId = (w: Work): string => (w.kind === 'object' ? `o${w.key}` : `u${w.uid}`);

interface ParsedKey {
  group: string;
  plural: string;
  namespace: string | undefined;
  name: string;
}

function parseKey(key: string): ParsedKey | undefined {
  const m = /^\/([^/]+)\/([^/]+)\/([^/]+)\/(.+)$/.exec(key);
  if (!m) return undefined;
  return { group: m[1] === 'core' ? '' : m[1]!, plural: m[2]!, namespace: m[3] === '_cluster' ? undefined : m[3], name: m[4]! };
}

/**
 * The controllers kube-controller-manager and apiextensions run for the object lifecycle:
 * ownerReference garbage collection (background, foreground, orphan), namespace termination, and
 * CRD instance cleanup. Driven by one store watch over every key; work is de-duplicated per
 * object and retried after failures.
 */
export class LifecycleControllers {
  /** owner uid → keys of objects naming it in ownerReferences. */
  private readonly dependents = new Map<string, Set<string>>();
  /** key → owner uids it names (to keep `dependents` right on change). */
  private readonly ownersOf = new Map<string, string[]>();
  private readonly queue = new Map<string, Work>();
  private draining: Promise<void> | undefined;
  private watch: { stop(): void } | undefined;
  private stopped = false;
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly objects: ObjectService,
    private readonly onError: (error: Error) => void,
  ) {}

  start(): void {
    const snapshot = this.objects.store.list('/');
    for (const o of snapshot.items) {
      const key = this.keyOf(o);
      if (!key) continue;
      this.index(key, o);
      this.enqueue({ kind: 'object', key });
    }
    this.watch = this.objects.store.watch('/', snapshot.resourceVersion, (e) => this.observe(e));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watch?.stop();
    for (const t of this.retryTimers) clearTimeout(t);
    await this.draining;
  }

  /** Resolves once the queue is empty (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private keyOf(o: KubeObject): string | undefined {
    const r = this.typeOfObject(o);
    return r ? storageKey(r.storage, r.namespaced ? o.metadata.namespace : '', o.metadata.name!) : undefined;
  }

  private typeOfObject(o: KubeObject): ResourceType | undefined {
    const r = this.objects.registry.byKind(o.apiVersion, o.kind);
    return r && this.objects.registry.storageTypes().find((s) => s.storage.group === r.storage.group && s.storage.plural === r.storage.plural);
  }

  private typeOfKey(key: ParsedKey): ResourceType | undefined {
    return this.objects.registry.storageTypes().find((r) => r.storage.group === key.group && r.storage.plural === key.plural);
  }

  private index(key: string, o: KubeObject | undefined): void {
    for (const uid of this.ownersOf.get(key) ?? []) {
      const set = this.dependents.get(uid);
      set?.delete(key);
      if (set?.size === 0) this.dependents.delete(uid);
    }
    const owners = (o?.metadata.ownerReferences ?? []).map((ref) => ref.uid).filter(Boolean);
    if (owners.length) this.ownersOf.set(key, owners);
    else this.ownersOf.delete(key);
    for (const uid of owners) {
      const set = this.dependents.get(uid) ?? new Set<string>();
      set.add(key);
      this.dependents.set(uid, set);
    }
  }

  /**
   * Whether an event can matter without parsing it: most writes are of objects with no owners and
   * no deletion under way, which these controllers ignore. The JSON text can only hold those fields
   * if it names them (a value that merely mentions them just costs a parse).
   */
  private mayMatter(e: StoreEvent): boolean {
    if (e.type === 'DELETED' || (e.type === 'ADDED' && e.key.startsWith(namespacesPrefix))) return true;
    return this.ownersOf.has(e.key) || e.json.includes('"ownerReferences"') || e.json.includes('"deletionTimestamp"');
  }

  private observe(e: StoreEvent): void {
    if (!this.mayMatter(e)) return;
    const deleted = e.type === 'DELETED';
    const meta = e.object.metadata;
    this.index(e.key, deleted ? undefined : e.object);
    if (deleted) {
      if (meta.uid) this.enqueue({ kind: 'dependentsOf', uid: meta.uid });
      // Whoever waits for this object to go (a foreground owner, its namespace, its CRD) looks again.
      for (const ref of meta.ownerReferences ?? []) {
        const ownerKey = this.ownerKey(ref, e.object);
        if (ownerKey) this.enqueue({ kind: 'object', key: ownerKey });
      }
      const parsed = parseKey(e.key);
      if (parsed?.namespace) this.enqueue({ kind: 'object', key: namespaceKey(parsed.namespace) });
      if (parsed && parsed.group !== '') for (const crdKey of this.crdKeysFor(parsed)) this.enqueue({ kind: 'object', key: crdKey });
      return;
    }
    if (meta.deletionTimestamp || meta.ownerReferences?.length || (e.type === 'ADDED' && e.key.startsWith(namespacesPrefix))) this.enqueue({ kind: 'object', key: e.key });
  }

  private crdKeysFor(parsed: ParsedKey): string[] {
    const r = this.typeOfKey(parsed);
    return r?.crd ? [storageKey({ group: 'apiextensions.k8s.io', plural: 'customresourcedefinitions' }, '', r.crd)] : [];
  }

  private enqueue(work: Work): void {
    if (this.stopped) return;
    this.queue.set(workId(work), work);
    this.draining ??= this.drain();
  }

  private async drain(): Promise<void> {
    while (this.queue.size && !this.stopped) {
      const [id, work] = this.queue.entries().next().value as [string, Work];
      this.queue.delete(id);
      try {
        await this.process(work);
      } catch (e) {
        this.onError(e instanceof Error ? e : new Error(String(e)));
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          this.enqueue(work);
        }, 500);
        this.retryTimers.add(timer);
      }
    }
    this.draining = undefined;
  }

  private async process(work: Work): Promise<void> {
    if (work.kind === 'dependentsOf') {
      for (const key of [...(this.dependents.get(work.uid) ?? [])]) await this.checkDependent(key);
      return;
    }
    await this.processObject(work.key);
  }

  private ownerKey(ref: OwnerReference, dependent: KubeObject): string | undefined {
    const r = this.objects.registry.byKind(ref.apiVersion, ref.kind);
    if (!r) return undefined;
    return storageKey(r.storage, r.namespaced ? dependent.metadata.namespace : '', ref.name);
  }

  private async processObject(key: string): Promise<void> {
    const o = this.objects.store.get(key);
    if (!o) return;
    if (o.metadata.ownerReferences?.length) await this.checkDependent(key);
    if (!o.metadata.deletionTimestamp) {
      if (key.startsWith(namespacesPrefix)) await this.ensureDefaultServiceAccount(o.metadata.name!);
      return;
    }
    const finalizers = o.metadata.finalizers ?? [];
    if (finalizers.includes(orphanFinalizer)) await this.orphanDependents(key, o);
    if (finalizers.includes(foregroundFinalizer)) await this.deleteDependentsFirst(key, o);
    const parsed = parseKey(key);
    if (parsed?.group === '' && parsed.plural === 'namespaces') await this.terminateNamespace(key, o);
    if (parsed?.group === 'apiextensions.k8s.io' && parsed.plural === 'customresourcedefinitions' && finalizers.includes(crdCleanupFinalizer)) await this.cleanUpCustomResources(key, o);
  }

  /** Every namespace has a `default` ServiceAccount, as kube's serviceaccounts controller ensures. */
  private async ensureDefaultServiceAccount(namespace: string): Promise<void> {
    const r = this.objects.registry.lookup('', 'v1', 'serviceaccounts')!;
    if (this.objects.store.get(storageKey(r.storage, namespace, 'default'))) return;
    try {
      await this.objects.create(r, namespace, { metadata: { name: 'default' } }, internalContext(controllerUser));
    } catch (e) {
      if (!(e instanceof ApiError && (e.code === 409 || e.code === 403 || e.code === 404))) throw e;
    }
  }

  /** A dependent whose owners are all gone is deleted; references to gone owners are dropped. */
  private async checkDependent(key: string): Promise<void> {
    const o = this.objects.store.get(key);
    const refs = o?.metadata.ownerReferences ?? [];
    if (!o || !refs.length) return;
    const absent = refs.filter((ref) => this.ownerAbsent(ref, o));
    if (!absent.length) return;
    const parsed = parseKey(key)!;
    const r = this.typeOfKey(parsed);
    if (!r) return;
    if (absent.length === refs.length) {
      if (!o.metadata.deletionTimestamp) await this.deleteQuietly(r, parsed, 'Background');
      return;
    }
    const gone = new Set(absent.map((ref) => ref.uid));
    await this.objects.mutateStored(r, key, (copy) => {
      const before = copy.metadata.ownerReferences ?? [];
      copy.metadata.ownerReferences = before.filter((ref) => !gone.has(ref.uid));
      return copy.metadata.ownerReferences.length !== before.length;
    });
  }

  /** Verified absent: the kind is served and no object of that name has that uid. */
  private ownerAbsent(ref: OwnerReference, dependent: KubeObject): boolean {
    const key = this.ownerKey(ref, dependent);
    if (!key) return false;
    const owner = this.objects.store.get(key);
    return !owner || owner.metadata.uid !== ref.uid;
  }

  private async deleteQuietly(r: ResourceType, parsed: ParsedKey, propagationPolicy: 'Background' | 'Foreground'): Promise<void> {
    try {
      await this.objects.delete(r, parsed.namespace, parsed.name, { propagationPolicy }, internalContext(controllerUser));
    } catch (e) {
      if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
    }
  }

  private dependentKeys(o: KubeObject): string[] {
    return [...(this.dependents.get(o.metadata.uid ?? '') ?? [])];
  }

  private async orphanDependents(key: string, o: KubeObject): Promise<void> {
    const uid = o.metadata.uid!;
    for (const depKey of this.dependentKeys(o)) {
      const r = this.typeOfKey(parseKey(depKey)!);
      if (!r) continue;
      await this.objects.mutateStored(r, depKey, (copy) => {
        const before = copy.metadata.ownerReferences ?? [];
        copy.metadata.ownerReferences = before.filter((ref) => ref.uid !== uid);
        if (!copy.metadata.ownerReferences.length) delete copy.metadata.ownerReferences;
        return before.length !== (copy.metadata.ownerReferences?.length ?? 0);
      });
    }
    await this.removeFinalizer(key, orphanFinalizer);
  }

  /** Foreground deletion: delete dependents; drop the finalizer once no blocking dependent remains. */
  private async deleteDependentsFirst(key: string, o: KubeObject): Promise<void> {
    const uid = o.metadata.uid!;
    let blocking = 0;
    for (const depKey of this.dependentKeys(o)) {
      const dependent = this.objects.store.get(depKey);
      if (!dependent) continue;
      const ref = dependent.metadata.ownerReferences?.find((r) => r.uid === uid);
      if (!ref) continue;
      if (ref.blockOwnerDeletion) blocking++;
      if (dependent.metadata.deletionTimestamp) continue;
      const parsed = parseKey(depKey)!;
      const r = this.typeOfKey(parsed);
      if (r) await this.deleteQuietly(r, parsed, this.dependents.has(dependent.metadata.uid ?? '') ? 'Foreground' : 'Background');
    }
    const remaining = this.dependentKeys(o).filter((depKey) => {
      const dependent = this.objects.store.get(depKey);
      return dependent?.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion);
    });
    if (blocking === 0 || remaining.length === 0) await this.removeFinalizer(key, foregroundFinalizer);
  }

  private async removeFinalizer(key: string, finalizer: string): Promise<void> {
    const r = this.typeOfKey(parseKey(key)!);
    if (!r) return;
    await this.objects.mutateStored(r, key, (copy) => {
      const before = copy.metadata.finalizers ?? [];
      if (!before.includes(finalizer)) return false;
      copy.metadata.finalizers = before.filter((f) => f !== finalizer);
      return true;
    });
  }

  /** Every namespaced object in the namespace is deleted; the namespace goes when none remain. */
  private async terminateNamespace(key: string, ns: KubeObject): Promise<void> {
    const name = ns.metadata.name!;
    let remaining = 0;
    for (const r of this.objects.registry.storageTypes().filter((t) => t.namespaced)) {
      for (const o of this.objects.store.list(storagePrefix(r.storage, name)).items) {
        remaining++;
        if (!o.metadata.deletionTimestamp) await this.deleteQuietly(r, { group: r.storage.group, plural: r.storage.plural, namespace: name, name: o.metadata.name! }, 'Background');
      }
    }
    if (remaining > 0) return;
    const r = this.typeOfKey(parseKey(key)!)!;
    await this.objects.mutateStored(r, key, (copy) => {
      const spec = (copy.spec ?? {}) as { finalizers?: string[] };
      if (!spec.finalizers?.length) return false;
      copy.spec = { ...spec, finalizers: [] };
      return true;
    });
  }

  /** A deleted CRD takes its instances with it, then releases its cleanup finalizer. */
  private async cleanUpCustomResources(key: string, crd: KubeObject): Promise<void> {
    const r = this.objects.registry.all().find((t) => t.crd === crd.metadata.name);
    const spec = crd.spec as { group?: string; names?: { plural?: string } } | undefined;
    const storage = r?.storage ?? (spec?.group && spec.names?.plural ? { group: spec.group, plural: spec.names.plural } : undefined);
    if (storage) {
      const instances = this.objects.store.list(storagePrefix(storage, undefined)).items;
      if (instances.length && r) {
        for (const o of instances) if (!o.metadata.deletionTimestamp) await this.deleteQuietly(r, { group: storage.group, plural: storage.plural, namespace: o.metadata.namespace, name: o.metadata.name! }, 'Background');
        return;
      }
    }
    await this.removeFinalizer(key, crdCleanupFinalizer);
  }
}

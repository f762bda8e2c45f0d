import type { KubeObject } from '../../apiserver/admission.js';
import type { EventHandler } from './informer.js';
import { keyOf, objectKey } from './keys.js';
import type { WorkQueue } from './workqueue.js';

/** Enqueues the key of every object added, updated or deleted. */
export function enqueueObject(queue: WorkQueue): EventHandler<KubeObject> {
  const add = (obj: KubeObject) => queue.add(objectKey(obj));
  return { onAdd: add, onUpdate: (_old, obj) => add(obj), onDelete: add };
}

/**
 * Enqueues the keys `keysOf` maps an object to (e.g. a Secret to the Certificates using it). On
 * update both the old and the new object's keys are enqueued, so an object that stops pointing
 * somewhere still wakes its former owner.
 */
export function enqueueMapped<T extends KubeObject>(queue: WorkQueue, keysOf: (obj: T) => string[]): EventHandler<T> {
  const add = (obj: T) => keysOf(obj).forEach((key) => queue.add(key));
  return {
    onAdd: add,
    onUpdate: (old, obj) => new Set([...keysOf(old), ...keysOf(obj)]).forEach((key) => queue.add(key)),
    onDelete: add,
  };
}

/** Keys of the controlling owner of `kind` in `apiVersion` (owners live in the object's namespace). */
export function controllerOwnerKeys(apiVersion: string, kind: string): (obj: KubeObject) => string[] {
  return (obj) =>
    (obj.metadata.ownerReferences ?? [])
      .filter((ref) => ref.controller && ref.kind === kind && ref.apiVersion === apiVersion)
      .map((ref) => keyOf({ namespace: obj.metadata.namespace, name: ref.name }));
}

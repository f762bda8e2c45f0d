/**
 * Informer transforms (client-go's SetTransform, as cert-manager uses it): what the caches drop
 * from every object on its way in. `metadata.managedFields` is often the largest part of an object
 * and no reconciler reads it, except the Secret upkeep check, which reads only its own manager's.
 */
import type { KubeObject } from '../../apiserver/admission.js';

type ManagedFieldsEntry = { manager?: unknown };

function withManagedFields<T extends KubeObject>(obj: T, kept: unknown[]): T {
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata: kept.length > 0 ? { ...metadata, managedFields: kept } : metadata };
}

/** The object without `metadata.managedFields`. */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  return obj.metadata?.managedFields === undefined ? obj : withManagedFields(obj, []);
}

/** A transform keeping only the managedFields entries of `fieldManager`. */
export function keepManagedFieldsOf(fieldManager: string): <T extends KubeObject>(obj: T) => T {
  return (obj) => {
    const entries = obj.metadata?.managedFields;
    if (entries === undefined) return obj;
    return withManagedFields(obj, entries.filter((entry) => (entry as ManagedFieldsEntry | null)?.manager === fieldManager));
  };
}

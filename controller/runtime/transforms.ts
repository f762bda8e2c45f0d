/**
 * Informer transforms (client-go's SetTransform, as cert-manager uses it): what the caches drop
 * from every object on its way in, and what they share. `metadata.managedFields` is often the
 * largest part of an object and no reconciler reads it, except the Secret upkeep check, which reads
 * only its own manager's.
 */
import type { KubeObject } from '../../apiserver/admission.js';
import { TLS_CA_KEY } from '../../api/well-known.js';
import { LruCache } from './lru.js';

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

/**
 * One copy of each recently seen CA text. Every Secret and CertificateRequest an issuer signed
 * carries the same CA PEM (`ca.crt`, `status.ca`), each decoded from its watch event as a string of
 * its own: at 10k Certificates that is 20k copies (~15 MiB) of usually one text.
 */
const sharedCaTexts = new LruCache<string, string>(64);

function sharedCaText(text: string): string {
  const shared = sharedCaTexts.get(text);
  if (shared !== undefined) return shared;
  sharedCaTexts.set(text, text);
  return text;
}

/** A Secret whose `ca.crt` is the shared copy of that text. */
export function withSharedCaData<T extends KubeObject & { data?: Record<string, string> }>(secret: T): T {
  const ca = secret.data?.[TLS_CA_KEY];
  return ca ? { ...secret, data: { ...secret.data, [TLS_CA_KEY]: sharedCaText(ca) } } : secret;
}

/** A CertificateRequest whose `status.ca` is the shared copy of that text. */
export function withSharedCaStatus<T extends KubeObject & { status?: { ca?: string } }>(request: T): T {
  const ca = request.status?.ca;
  return ca ? { ...request, status: { ...request.status, ca: sharedCaText(ca) } } : request;
}

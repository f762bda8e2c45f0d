/**
 * Informer transforms (client-go's SetTransform, as cert-manager uses it): what the caches drop
 * from every object on its way in, and what they share. `metadata.managedFields` is often the
 * largest part of an object and no reconciler reads it, except the Secret upkeep check, which reads
 * only its own manager's.
 */
import type { KubeObject } from '../../apiserver/admission.js';
import { TLS_CA_KEY } from '../../api/well-known.js';
import { LruCache } from './lru.js';

/** One copy of each recently seen value among equal ones (cached objects are read-only, so they can share). */
class SharedValues<T> {
  #recent: LruCache<string, T>;

  constructor(max: number) {
    this.#recent = new LruCache(max);
  }

  /** The copy seen before under `key` (equal keys mean equal values), else `value`, remembered. */
  share(key: string, value: T): T {
    const shared = this.#recent.get(key);
    if (shared !== undefined) return shared;
    this.#recent.set(key, value);
    return value;
  }
}

type ManagedFieldsEntry = { manager?: unknown; fieldsV1?: unknown };

function withManagedFields<T extends KubeObject>(obj: T, kept: unknown[]): T {
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata: kept.length > 0 ? { ...metadata, managedFields: kept } : metadata };
}

/** The object without `metadata.managedFields`. */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  return obj.metadata?.managedFields === undefined ? obj : withManagedFields(obj, []);
}

/**
 * A field manager's field sets: every Secret certwright applied for the same kind of Certificate
 * owns the same fields, and a decoded `fieldsV1` is ~20 objects (each label, annotation and data
 * key an object of its own), ~1 KiB per cached Secret. Equal sets are kept once, frozen.
 */
const sharedFieldSets = new SharedValues<unknown>(64);

function deepFrozen<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFrozen(child);
    Object.freeze(value);
  }
  return value;
}

function withSharedFieldSet(entry: unknown): unknown {
  const fieldsV1 = (entry as ManagedFieldsEntry | null)?.fieldsV1;
  if (fieldsV1 === null || typeof fieldsV1 !== 'object') return entry;
  const shared = sharedFieldSets.share(JSON.stringify(fieldsV1), fieldsV1);
  return shared === fieldsV1 ? { ...(entry as object), fieldsV1: deepFrozen(fieldsV1) } : { ...(entry as object), fieldsV1: shared };
}

/** A transform keeping only the managedFields entries of `fieldManager`, their equal field sets shared. */
export function keepManagedFieldsOf(fieldManager: string): <T extends KubeObject>(obj: T) => T {
  return (obj) => {
    const entries = obj.metadata?.managedFields;
    if (entries === undefined) return obj;
    return withManagedFields(obj, entries.filter((entry) => (entry as ManagedFieldsEntry | null)?.manager === fieldManager).map(withSharedFieldSet));
  };
}

/**
 * One copy of each recently seen CA text. Every Secret and CertificateRequest an issuer signed
 * carries the same CA PEM (`ca.crt`, `status.ca`), each decoded from its watch event as a string of
 * its own: at 10k Certificates that is 20k copies (~15 MiB) of usually one text.
 */
const sharedCaTexts = new SharedValues<string>(64);

const sharedCaText = (text: string) => sharedCaTexts.share(text, text);
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

/**
 * Short strings that repeat across cached objects: kinds, API versions, namespaces, issuer names,
 * condition reasons and messages, label and annotation values, timestamps of the same second.
 * JSON.parse shares only strings of up to 10 characters; each longer one is a copy per object
 * (~2 MiB each for `kind`, `apiVersion` and condition messages at 10k Certificates). Unique values
 * (uids, names) pass through the LRU and are dropped from it again.
 */
const sharedStrings = new SharedValues<string>(4096);
const MAX_SHARED_STRING_LENGTH = 200;

function sharedString(text: string): string {
  return text.length > 10 && text.length <= MAX_SHARED_STRING_LENGTH ? sharedStrings.share(text, text) : text;
}

/**
 * `value` with its short strings replaced by equal ones other cached objects hold (in place: an
 * equal string is no change to the object). Frozen parts are already shared.
 */
export function withSharedStrings<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  // Arrays too: their keys are their indexes.
  const container = value as Record<string, unknown>;
  for (const key of Object.keys(container)) {
    const item = container[key];
    if (typeof item === 'string') container[key] = sharedString(item);
    else withSharedStrings(item);
  }
  return value;
}

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

type ManagedFieldsEntry = { manager?: unknown; time?: unknown };

/** The object without `metadata.managedFields`. */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  if (obj.metadata?.managedFields === undefined) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function deepFrozen<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFrozen(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Equal parts of cached objects (issuer references, key specs, label sets, conditions written in the
 * same second, a field manager's field sets) kept once, frozen: at 10k Certificates each part was
 * 10k objects of its own. Conditions are equal only among objects written in the same second, so
 * a few hundred recent parts do (1,024 kept ~2 MiB of texts and parts nobody shared any more).
 * Parts whose JSON is longer than this are left alone: they are rarely equal (an applied
 * configuration), and the LRU would keep their text.
 */
const sharedParts = new SharedValues<unknown>(256);
const MAX_SHARED_PART_JSON = 2048;

/** `value`, or an equal copy another cached object holds; either way frozen (deeply). */
export function sharedFrozen<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  const json = JSON.stringify(value);
  if (json.length > MAX_SHARED_PART_JSON) return value;
  const shared = sharedParts.share(json, value);
  return shared === value ? deepFrozen(value) : (shared as T);
}

/**
 * A transform replacing the objects at each of `paths` (dot-separated, e.g. `spec.issuerRef`) by
 * their shared frozen copies — in place, like `withSharedStrings`: a transform's input is a freshly
 * decoded object nobody else holds. The paths are split once, not per event.
 */
export function sharingPartsAt(paths: readonly string[]): <T extends object>(obj: T) => T {
  const parts = paths.map((path) => {
    const names = path.split('.');
    return { parents: names.slice(0, -1), last: names.at(-1)! };
  });
  return (obj) => {
    for (const { parents, last } of parts) {
      let parent: unknown = obj;
      for (const name of parents) parent = parent !== null && typeof parent === 'object' ? (parent as Record<string, unknown>)[name] : undefined;
      if (parent === null || typeof parent !== 'object' || Object.isFrozen(parent)) continue;
      const container = parent as Record<string, unknown>;
      if (container[last] !== null && typeof container[last] === 'object') container[last] = sharedFrozen(container[last]);
    }
    return obj;
  };
}

/**
 * A transform keeping only the managedFields entries of `fieldManager` (what the Secret upkeep check
 * reads), without their `time`: every Secret certwright applied for the same kind of Certificate then
 * holds one shared copy of the same entries (a decoded `fieldsV1` alone is ~20 objects, ~1 KiB).
 * The metadata is spread with the kept entries in the original's place: taking the field out and
 * adding it back made a hidden class (V8 map, descriptors, enum cache) per object, ~0.5 KiB each.
 */
export function keepManagedFieldsOf(fieldManager: string): <T extends KubeObject>(obj: T) => T {
  return (obj) => {
    const entries = obj.metadata?.managedFields;
    if (entries === undefined) return obj;
    const kept = entries.filter((entry) => (entry as ManagedFieldsEntry | null)?.manager === fieldManager).map(withoutTime);
    return kept.length === 0 ? withoutManagedFields(obj) : { ...obj, metadata: { ...obj.metadata, managedFields: sharedFrozen(kept) } };
  };
}

function withoutTime(entry: unknown): unknown {
  if (entry === null || typeof entry !== 'object' || !('time' in entry)) return entry;
  const { time: _time, ...rest } = entry as ManagedFieldsEntry;
  return rest;
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

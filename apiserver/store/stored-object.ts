import type { KubeObject } from '../admission.js';

/**
 * An object as held in memory: its JSON text (metadata.resourceVersion included) and that
 * resourceVersion. Keeping the text instead of a live object costs ~1 byte per JSON character
 * (V8 stores ASCII strings one byte per char), gives every reader a fresh copy by parsing, and lets
 * the WAL, the snapshot and watch events share one immutable value.
 */
export interface StoredObject {
  readonly json: string;
  readonly resourceVersion: number;
}

/** Serializes `object` as stored at `resourceVersion`, without touching the caller's object. */
export function storeObject(key: string, object: KubeObject, resourceVersion: number): StoredObject {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new TypeError(`store: the object for ${key} must be a JSON object`);
  }
  const metadata: unknown = object.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new TypeError(`store: the object for ${key} has no metadata object`);
  }
  const json = JSON.stringify({ ...object, metadata: { ...metadata, resourceVersion: String(resourceVersion) } });
  return { json, resourceVersion };
}

/** The same object re-stamped with another resourceVersion (a deletion's last state). */
export function restamp(stored: StoredObject, resourceVersion: number): StoredObject {
  const object = JSON.parse(stored.json) as KubeObject;
  object.metadata.resourceVersion = String(resourceVersion);
  return { json: JSON.stringify(object), resourceVersion };
}

export function parseStored(stored: StoredObject): KubeObject {
  return JSON.parse(stored.json) as KubeObject;
}

/** The stored text of objects writes resolved with, for responses that send them unchanged (see `storedJsonOf`). */
const writtenTexts = new WeakMap<object, string>();

/** `parseStored`, remembering the text the object was parsed from. */
export function parseWritten(stored: StoredObject): KubeObject {
  const object = parseStored(stored);
  writtenTexts.set(object, stored.json);
  return object;
}

/**
 * The JSON text of an object a store write resolved with — valid only while nobody has changed
 * that object, so read it right away (as the HTTP layer does when responding to the write).
 */
export function storedJsonOf(object: object): string | undefined {
  return writtenTexts.get(object);
}

/** Freezes a parsed object graph so one copy can be shared by every watcher without aliasing risk. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

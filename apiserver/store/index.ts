/**
 * The embedded API server's durable store: objects in memory as JSON text, every write in a
 * checksummed write-ahead log fsync'd in groups, periodic snapshots, and a window of recent events
 * for watches. One process owns a data dir at a time.
 */
export type { ListOptions, ListResult, Store, StoreEvent, StoreEventType, StoreOptions } from './types.js';
export { AlreadyExists, Conflict, DataDirInUse, NotFound, ResourceVersionTooOld, StoreCorruption, StoreUnavailable } from './errors.js';
export { openStore } from './store.js';
export { storedJsonOf } from './stored-object.js';

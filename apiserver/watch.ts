import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from './admission.js';
import { expired } from './errors.js';
import { storagePrefix } from './metadata.js';
import { servedAsStored, toServed } from './objects.js';
import { groupVersion, type ResourceType } from './resources.js';
import { matchesFields, matchesLabels, type FieldSelector, type LabelSelector } from './selectors.js';
import { ResourceVersionTooOld, type Store, type StoreEvent } from './store/index.js';
import { toTable, type IncludeObject } from './table-output.js';

export interface WatchRequest {
  resource: ResourceType;
  /** Undefined for every namespace (or a cluster-scoped resource). */
  namespace: string | undefined;
  labels: LabelSelector;
  fields: FieldSelector;
  /** The `resourceVersion` parameter; absent or `0` starts with the current state as ADDED events. */
  resourceVersion: string | undefined;
  sendInitialEvents: boolean | undefined;
  allowBookmarks: boolean;
  /** When the watch ends by itself (the `timeoutSeconds` parameter, else kube's 30–60 min). */
  timeoutMs: number;
  /** Set when the client asked for Table output. */
  table: IncludeObject | undefined;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** Kube's annotation on the bookmark that ends `sendInitialEvents`. */
const initialEventsEnd = 'k8s.io/initial-events-end';

/** Bytes per write of the initial events: big enough for few TLS records, small enough to honour backpressure. */
const initialChunkChars = 64 * 1024;

const eventLine = (type: EventType, objectJson: string): string => `{"type":"${type}","object":${objectJson}}\n`;

/** Watch-stream lines of store events served unchanged: encoded once per event, the same bytes written to every watcher. */
const encodedEvents = new WeakMap<StoreEvent, Buffer>();

function encodedEvent(event: StoreEvent): Buffer {
  let bytes = encodedEvents.get(event);
  if (!bytes) encodedEvents.set(event, (bytes = Buffer.from(eventLine(event.type, event.json))));
  return bytes;
}

/**
 * Streams watch events as newline-delimited JSON. Objects are written from the store's
 * serialized text when no conversion applies, so one serialization serves every watcher. With
 * selectors, an object that stops matching is sent as DELETED and one that starts matching as
 * ADDED, as kube's watch cache does. Initial events are written as the client reads them; live
 * events start after them, from the store's history since the initial state.
 */
export function serveWatch(req: IncomingMessage, res: ServerResponse, store: Store, w: WatchRequest, bookmarkIntervalMs: number): void {
  const r = w.resource;
  const apiVersion = groupVersion(r);
  const filtered = w.labels.length > 0 || w.fields.length > 0;
  // When this watcher gets the stored text as is, no event's object need even be parsed.
  const asStored = !w.table && !filtered && servedAsStored(r);
  const matches = (o: KubeObject): boolean => matchesLabels(w.labels, o.metadata.labels) && matchesFields(w.fields, o, r);
  const visible = new Set<string>();
  let columnsSent = false;
  let closed = false;

  res.writeHead(200, { 'Content-Type': w.table ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  // Events of one store commit arrive in one tick: they go out together on the next, as one chunk
  // (one HTTP write and one TLS write per watcher and commit rather than per event).
  let batch: Buffer[] = [];
  const flush = (): void => {
    const events = batch;
    batch = [];
    if (events.length && !closed) res.write(events.length === 1 ? events[0]! : Buffer.concat(events));
  };
  const write = (data: string | Buffer): void => {
    if (closed) return;
    if (batch.length === 0) process.nextTick(flush);
    batch.push(typeof data === 'string' ? Buffer.from(data) : data);
  };

  const objectJson = (served: KubeObject, event: StoreEvent | undefined): string => {
    if (w.table) {
      const table = toTable(r, [served], w.table, { resourceVersion: served.metadata.resourceVersion }, !columnsSent);
      columnsSent = true;
      return JSON.stringify(table);
    }
    return event && served === event.object ? event.json : JSON.stringify(served);
  };

  /** The line this watcher gets for an event, if any, keeping track of which objects it has seen match. */
  const lineFor = (type: EventType, stored: KubeObject, key: string, event?: StoreEvent): string | undefined => {
    const served = toServed(r, stored);
    if (!filtered) return eventLine(type, objectJson(served, event));
    const match = type !== 'DELETED' && matches(served);
    if (type === 'DELETED') return visible.delete(key) ? eventLine('DELETED', objectJson(served, event)) : undefined;
    if (match) {
      const line = eventLine(visible.has(key) && type === 'MODIFIED' ? 'MODIFIED' : 'ADDED', objectJson(served, event));
      visible.add(key);
      return line;
    }
    return visible.delete(key) ? eventLine('DELETED', objectJson(served, event)) : undefined;
  };

  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(store.resourceVersion) };
    if (annotations) metadata.annotations = annotations;
    write(eventLine('BOOKMARK', JSON.stringify({ kind: r.kind, apiVersion, metadata })));
  };

  const drainedOrClosed = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });

  /** Writes the items' lines in large chunks, waiting whenever the client is behind. */
  const writeWithBackpressure = async <T>(items: readonly T[], lineOf: (item: T) => string | undefined): Promise<void> => {
    let chunk = '';
    for (const item of items) {
      if (closed) return;
      const line = lineOf(item);
      if (line === undefined) continue;
      chunk += line;
      if (chunk.length < initialChunkChars) continue;
      const more = res.write(chunk);
      chunk = '';
      if (!more) await drainedOrClosed();
    }
    if (chunk && !closed) res.write(chunk);
  };

  const prefix = storagePrefix(r.storage, r.namespaced ? w.namespace : '');
  const keyOf = (o: KubeObject): string => `${prefix}${r.namespaced && w.namespace === undefined ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

  let handle: { stop(): void } | undefined;
  let bookmarks: NodeJS.Timeout | undefined;
  const startLive = (from: number): void => {
    if (closed) return;
    try {
      handle = store.watch(prefix, from, (event) => {
        if (asStored) return write(encodedEvent(event));
        const line = lineFor(event.type, event.object, event.key, event);
        if (line !== undefined) write(line);
      });
    } catch (e) {
      if (!(e instanceof ResourceVersionTooOld)) throw e;
      write(eventLine('ERROR', JSON.stringify(expired(`too old resource version: ${from} (${store.resourceVersion})`).toStatus())));
      finish();
      return;
    }
    if (w.sendInitialEvents && w.allowBookmarks) bookmark({ [initialEventsEnd]: 'true' });
    if (w.allowBookmarks) bookmarks = setInterval(() => bookmark(), bookmarkIntervalMs).unref();
  };

  const timeout = setTimeout(() => finish(), w.timeoutMs).unref();
  const initial = w.sendInitialEvents ?? (w.resourceVersion === undefined || w.resourceVersion === '' || w.resourceVersion === '0');
  if (initial) {
    let from: number;
    let written: Promise<void>;
    if (asStored) {
      const snapshot = store.listJson(prefix);
      from = snapshot.resourceVersion;
      written = writeWithBackpressure(snapshot.items, (json) => eventLine('ADDED', json));
    } else {
      const snapshot = store.list(prefix);
      from = snapshot.resourceVersion;
      written = writeWithBackpressure(snapshot.items, (o) => lineFor('ADDED', o, keyOf(o)));
    }
    written.then(
      () => startLive(from),
      () => finish(),
    );
  } else {
    let from = Number(w.resourceVersion);
    if (!Number.isInteger(from) || from < 0) from = store.resourceVersion;
    if (filtered) for (const o of store.list(prefix).items) if (matches(toServed(r, o))) visible.add(keyOf(o));
    startLive(from);
  }

  function finish(): void {
    if (closed) return;
    flush();
    closed = true;
    handle?.stop();
    if (bookmarks) clearInterval(bookmarks);
    clearTimeout(timeout);
    res.end();
  }
  req.on('close', finish);
  res.on('close', finish);
}

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

/**
 * Streams watch events as newline-delimited JSON. Objects are written from the store's
 * serialized event text when no conversion applies, so one serialization serves every watcher.
 * With selectors, an object that stops matching is sent as DELETED and one that starts matching
 * as ADDED, as kube's watch cache does.
 */
export function serveWatch(req: IncomingMessage, res: ServerResponse, store: Store, w: WatchRequest, bookmarkIntervalMs: number): void {
  const r = w.resource;
  const apiVersion = groupVersion(r);
  const filtered = w.labels.length > 0 || w.fields.length > 0;
  const matches = (o: KubeObject): boolean => matchesLabels(w.labels, o.metadata.labels) && matchesFields(w.fields, o, r);
  const visible = new Set<string>();
  let columnsSent = false;
  let closed = false;

  res.writeHead(200, { 'Content-Type': w.table ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  // Events of one store commit arrive in one tick: corking until the next tick sends them together.
  let corked = false;
  const write = (type: EventType, objectJson: string): void => {
    if (closed) return;
    if (!corked) {
      corked = true;
      res.cork();
      process.nextTick(() => {
        corked = false;
        res.uncork();
      });
    }
    res.write(`{"type":"${type}","object":${objectJson}}\n`);
  };

  const objectJson = (served: KubeObject, event: StoreEvent | undefined): string => {
    if (w.table) {
      const table = toTable(r, [served], w.table, { resourceVersion: served.metadata.resourceVersion }, !columnsSent);
      columnsSent = true;
      return JSON.stringify(table);
    }
    return event && served === event.object ? event.json : JSON.stringify(served);
  };

  const emit = (type: EventType, stored: KubeObject, key: string, event?: StoreEvent): void => {
    const served = toServed(r, stored);
    if (!filtered) {
      write(type, objectJson(served, event));
      return;
    }
    const match = type !== 'DELETED' && matches(served);
    if (type === 'DELETED') {
      if (visible.delete(key)) write('DELETED', objectJson(served, event));
    } else if (match) {
      write(visible.has(key) && type === 'MODIFIED' ? 'MODIFIED' : 'ADDED', objectJson(served, event));
      visible.add(key);
    } else if (visible.delete(key)) {
      write('DELETED', objectJson(served, event));
    }
  };

  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(store.resourceVersion) };
    if (annotations) metadata.annotations = annotations;
    write('BOOKMARK', JSON.stringify({ kind: r.kind, apiVersion, metadata }));
  };

  const prefix = storagePrefix(r.storage, r.namespaced ? w.namespace : '');
  const keyOf = (o: KubeObject): string => `${prefix}${r.namespaced && w.namespace === undefined ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
  const initial = w.sendInitialEvents ?? (w.resourceVersion === undefined || w.resourceVersion === '' || w.resourceVersion === '0');
  let from: number;
  if (initial) {
    const snapshot = store.list(prefix);
    for (const o of snapshot.items) emit('ADDED', o, keyOf(o));
    from = snapshot.resourceVersion;
  } else {
    from = Number(w.resourceVersion);
    if (!Number.isInteger(from) || from < 0) from = store.resourceVersion;
    if (filtered) for (const o of store.list(prefix).items) if (matches(toServed(r, o))) visible.add(keyOf(o));
  }

  let handle: { stop(): void } | undefined;
  try {
    // When this watcher gets the stored text as is, the event's object need not even be parsed.
    const asStored = !w.table && !filtered && servedAsStored(r);
    handle = store.watch(prefix, from, (event) => (asStored ? write(event.type, event.json) : emit(event.type, event.object, event.key, event)));
  } catch (e) {
    if (!(e instanceof ResourceVersionTooOld)) throw e;
    write('ERROR', JSON.stringify(expired(`too old resource version: ${from} (${store.resourceVersion})`).toStatus()));
    res.end();
    return;
  }
  if (w.sendInitialEvents && w.allowBookmarks) bookmark({ [initialEventsEnd]: 'true' });

  const bookmarks = w.allowBookmarks ? setInterval(() => bookmark(), bookmarkIntervalMs) : undefined;
  const timeout = setTimeout(() => finish(), w.timeoutMs);
  bookmarks?.unref();
  timeout.unref();
  function finish(): void {
    if (closed) return;
    closed = true;
    handle?.stop();
    if (bookmarks) clearInterval(bookmarks);
    clearTimeout(timeout);
    res.end();
  }
  req.on('close', finish);
  res.on('close', finish);
}

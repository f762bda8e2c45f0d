import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apiserver/admission.js';
import { ManualClock } from '../../../controller/runtime/clock.js';
import { TimerQueue } from '../../../controller/runtime/timers.js';
import { Informer } from '../../../controller/runtime/informer.js';
import { ApiError } from '../../../controller/runtime/api-error.js';
import type { ListerWatcher, ObjectList, WatchEvent, WatchStream } from '../../../controller/runtime/client.js';
import { byOwnerUid } from '../../../controller/runtime/store.js';
import { heapHeldBy } from './v8-probes.js';
import { keepManagedFieldsOf, withoutManagedFields, withSharedCaData, withSharedCaStatus, withSharedStrings } from '../../../controller/runtime/transforms.js';
import { WorkQueue } from '../../../controller/runtime/workqueue.js';
import { enqueueMapped, enqueueObject, controllerOwnerKeys } from '../../../controller/runtime/handlers.js';

function obj(name: string, resourceVersion: string, meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'ns', name, resourceVersion, ...meta } };
}

interface FakeWatch {
  resourceVersion: string;
  timeoutSeconds: number;
  emit(type: WatchEvent<KubeObject>['type'], object: KubeObject): void;
  end(): void;
  fail(err: unknown): void;
  stopped: boolean;
}

/** A scripted API: each list() takes the next scripted answer; each watch() is driven by the test. */
class FakeSource implements ListerWatcher<KubeObject> {
  readonly description = 'secrets in the fake';
  /** `'hang'` answers only by failing when the informer aborts the list. */
  lists: Array<ObjectList<KubeObject> | Error | 'hang'> = [];
  listCalls = 0;
  watches: FakeWatch[] = [];

  list(signal?: AbortSignal): Promise<ObjectList<KubeObject>> {
    this.listCalls++;
    const next = this.lists.shift();
    if (!next) return Promise.reject(new Error('no list scripted'));
    if (next === 'hang') return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }

  watch(options: { resourceVersion: string; timeoutSeconds: number }, onEvent: (e: WatchEvent<KubeObject>) => void): WatchStream {
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    const handle: FakeWatch = {
      ...options,
      emit: (type, object) => onEvent({ type, object }),
      end: () => resolve(),
      fail: (err) => reject(err),
      stopped: false,
    };
    this.watches.push(handle);
    return { stop: () => ((handle.stopped = true), resolve()), done };
  }

  get lastWatch(): FakeWatch {
    return this.watches.at(-1)!;
  }
}

const list = (resourceVersion: string, items: KubeObject[]): ObjectList<KubeObject> => ({ metadata: { resourceVersion }, items });

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Lists `items` at `resourceVersion`, starts the informer, and waits until it has synced and opened its watch. */
async function startListing(informer: Informer<KubeObject>, source: FakeSource, resourceVersion: string, items: KubeObject[]): Promise<void> {
  source.lists.push(list(resourceVersion, items));
  informer.start();
  await informer.waitForSync();
  await settle();
}

function setup() {
  const clock = new ManualClock();
  const timers = new TimerQueue(clock);
  const source = new FakeSource();
  const errors: unknown[] = [];
  const events: string[] = [];
  const informer = new Informer<KubeObject>({
    source,
    timers,
    indexers: { owner: byOwnerUid },
    onError: (err) => errors.push(err),
    watchTimeoutSeconds: () => 400,
  });
  informer.addEventHandler({
    onAdd: (o) => events.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    onUpdate: (old, o) => events.push(`update ${o.metadata.name}@${old.metadata.resourceVersion}->${o.metadata.resourceVersion}`),
    onDelete: (o) => events.push(`delete ${o.metadata.name}`),
  });
  return { clock, timers, source, informer, errors, events };
}

test('lists, syncs, then applies watch events to the cache and handlers', async () => {
  const { source, informer, events } = setup();
  source.lists.push(list('10', [obj('a', '1')]));
  assert.equal(informer.hasSynced(), false);
  informer.start();
  await informer.waitForSync();
  assert.equal(informer.hasSynced(), true);
  await settle();
  assert.equal(source.lastWatch.resourceVersion, '10');
  assert.equal(source.lastWatch.timeoutSeconds, 400);

  source.lastWatch.emit('ADDED', obj('b', '11'));
  source.lastWatch.emit('MODIFIED', obj('a', '12'));
  source.lastWatch.emit('MODIFIED', obj('a', '12')); // duplicate delivery: no handler call
  source.lastWatch.emit('DELETED', obj('b', '13'));
  source.lastWatch.emit('BOOKMARK', { apiVersion: 'v1', kind: 'Secret', metadata: { resourceVersion: '20' } });
  assert.deepEqual(events, ['add a@1', 'add b@11', 'update a@1->12', 'delete b']);
  assert.equal(informer.resourceVersion, '20');
  assert.equal(informer.get({ namespace: 'ns', name: 'a' })?.metadata.resourceVersion, '12');
  assert.equal(informer.get({ namespace: 'ns', name: 'b' }), undefined);
  assert.deepEqual(informer.list('ns').map((o) => o.metadata.name), ['a']);
  assert.deepEqual(informer.list('other'), []);

  // The server ends the watch (its timeout): resume from the bookmark, no relist.
  source.lastWatch.end();
  await settle();
  assert.equal(source.watches.length, 2);
  assert.equal(source.lastWatch.resourceVersion, '20');
  assert.equal(source.listCalls, 1);
  await informer.stop();
  assert.equal(source.lastWatch.stopped, true);
});

test('410 Gone on the watch relists at once and reports what changed meanwhile', async () => {
  const { source, informer, events, errors } = setup();
  await startListing(informer, source, '10', [obj('a', '1'), obj('b', '2')]);
  source.lists.push(list('50', [obj('a', '30'), obj('c', '40')]));
  source.lastWatch.fail(new ApiError(410, 'Expired', 'too old resource version: 10 (45)'));
  await settle();
  assert.equal(source.listCalls, 2);
  assert.deepEqual(events, ['add a@1', 'add b@2', 'add c@40', 'update a@1->30', 'delete b']);
  assert.equal(source.lastWatch.resourceVersion, '50');
  assert.deepEqual(errors, [], '410 is routine, not an error');
  await informer.stop();
});

test('watch failures back off on the clock and resume from the last resourceVersion', async () => {
  const { clock, source, informer, errors } = setup();
  await startListing(informer, source, '10', []);
  source.lastWatch.fail(new Error('connect ECONNREFUSED 127.0.0.1:6443'));
  await settle();
  assert.equal(errors.length, 1);
  assert.equal(source.watches.length, 1, 'no reconnect before the backoff');
  clock.advance(799);
  await settle();
  assert.equal(source.watches.length, 1);
  clock.advance(1);
  await settle();
  assert.equal(source.watches.length, 2);
  source.lastWatch.fail(new Error('connect ECONNREFUSED 127.0.0.1:6443'));
  await settle();
  clock.advance(1599);
  await settle();
  assert.equal(source.watches.length, 2, 'the second wait is twice as long');
  clock.advance(1);
  await settle();
  assert.equal(source.watches.length, 3);
  assert.equal(source.lastWatch.resourceVersion, '10');
  assert.equal(source.listCalls, 1, 'reconnecting does not relist');
  await informer.stop();
});

test('a watch cut off after delivering events resumes at once, however often it happens (no growing backoff)', async () => {
  const { source, informer, errors } = setup();
  await startListing(informer, source, '10', []);
  for (let i = 1; i <= 8; i++) {
    source.lastWatch.emit('ADDED', obj(`s${i}`, String(10 + i)));
    source.lastWatch.fail(new Error('watch of secrets was cut off'));
    await settle();
    assert.equal(source.watches.length, i + 1, `cut ${i}: resumed without waiting on the clock`);
    assert.equal(source.lastWatch.resourceVersion, String(10 + i));
  }
  assert.equal(errors.length, 8, 'each cut is still reported');
  assert.equal(source.listCalls, 1);
  // A healthy watch ending in 410 relists at once too.
  source.lists.push(list('30', []));
  source.lastWatch.emit('ADDED', obj('t', '20'));
  source.lastWatch.fail(new ApiError(410, 'Expired', 'too old resource version'));
  await settle();
  assert.equal(source.listCalls, 2);
  assert.equal(source.lastWatch.resourceVersion, '30');
  await informer.stop();
});

test('a watch that closes at once without events counts as a failure', async () => {
  const { source, informer, errors } = setup();
  await startListing(informer, source, '10', []);
  source.lastWatch.end();
  await settle();
  assert.equal(source.watches.length, 1, 'waits instead of spinning');
  assert.match(String(errors[0]), /closed at once without events/);
  await informer.stop();
});

test('a failed first list is retried after backoff; waitForSync waits for it', async () => {
  const { clock, source, informer } = setup();
  source.lists.push(new Error('connect ECONNREFUSED'), list('5', [obj('a', '1')]));
  informer.start();
  const synced = informer.waitForSync();
  await settle();
  assert.equal(informer.hasSynced(), false);
  clock.advance(800);
  await synced;
  assert.equal(informer.list().length, 1);
  await informer.stop();
});

test('stop rejects a pending waitForSync; late handlers get the cache replayed', async () => {
  const first = setup();
  first.informer.start();
  const pending = first.informer.waitForSync();
  await first.informer.stop();
  await assert.rejects(pending, /stopped before it synced/);
  assert.throws(() => first.informer.start(), /was stopped/);

  const second = setup();
  second.source.lists.push(list('3', [obj('a', '1'), obj('b', '2')]));
  second.informer.start();
  await second.informer.waitForSync();
  const late: string[] = [];
  second.informer.addEventHandler({ onAdd: (o) => late.push(o.metadata.name!) });
  assert.deepEqual(late.sort(), ['a', 'b']);
  await second.informer.stop();
});

test('enqueue handlers feed object keys and controller-owner keys to a work queue', async () => {
  const { source, informer, timers } = setup();
  const own = new WorkQueue({ name: 'secrets', timers, backoff: { baseMs: 1, maxMs: 2 } });
  const owners = new WorkQueue({ name: 'certificates', timers, backoff: { baseMs: 1, maxMs: 2 } });
  informer.addEventHandler(enqueueObject(own));
  informer.addEventHandler(enqueueMapped(owners, controllerOwnerKeys('cert-manager.io/v1', 'Certificate')));
  const ownedBy = (name: string) => ({
    ownerReferences: [{ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name, uid: `uid-${name}`, controller: true }],
  });
  await startListing(informer, source, '1', [obj('web-tls', '1', ownedBy('web'))]);
  assert.equal(await own.get(), 'ns/web-tls');
  assert.equal(await owners.get(), 'ns/web');
  owners.done('ns/web');
  assert.equal(informer.byIndex('owner', 'uid-web').length, 1);
  // Ownership moves from web to api: both Certificates are woken.
  source.lastWatch.emit('MODIFIED', obj('web-tls', '2', ownedBy('api')));
  assert.deepEqual([await owners.get(), await owners.get()], ['ns/web', 'ns/api']);
  await informer.stop();
});

test('stop abandons a list that is still waiting for the server', { timeout: 5000 }, async () => {
  const { source, informer } = setup();
  source.lists.push('hang');
  informer.start();
  await settle();
  assert.equal(source.listCalls, 1);
  await informer.stop();
  assert.equal(source.watches.length, 0);
});

test('a transform shapes listed and watched objects before the cache and handlers see them', async () => {
  const clock = new ManualClock();
  const source = new FakeSource();
  const seen: KubeObject[] = [];
  const informer = new Informer<KubeObject>({
    source,
    timers: new TimerQueue(clock),
    transform: withoutManagedFields,
    watchTimeoutSeconds: () => 400,
  });
  informer.addEventHandler({ onAdd: (o) => seen.push(o), onUpdate: (_old, o) => seen.push(o) });
  const managedFields = [{ manager: 'kubectl', operation: 'Apply' }];
  await startListing(informer, source, '10', [obj('a', '1', { managedFields })]);
  source.lastWatch.emit('MODIFIED', obj('a', '11', { managedFields, labels: { x: 'y' } }));
  assert.deepEqual(seen.map((o) => [o.metadata.resourceVersion, o.metadata.managedFields]), [['1', undefined], ['11', undefined]]);
  assert.equal(informer.get({ namespace: 'ns', name: 'a' })?.metadata.managedFields, undefined);
  assert.deepEqual(informer.get({ namespace: 'ns', name: 'a' })?.metadata.labels, { x: 'y' }, 'the rest is kept');
  await informer.stop();
});

test('transforms: managedFields dropped, or kept for one field manager only', () => {
  const entries = [{ manager: 'certwright', operation: 'Apply' }, { manager: 'kubectl', operation: 'Update' }];
  const secret = obj('a', '1', { managedFields: entries, labels: { l: 'v' } });
  assert.deepEqual(withoutManagedFields(secret).metadata, { namespace: 'ns', name: 'a', resourceVersion: '1', labels: { l: 'v' } });
  assert.deepEqual(keepManagedFieldsOf('certwright')(secret).metadata.managedFields, [entries[0]]);
  assert.equal(keepManagedFieldsOf('other')(secret).metadata.managedFields, undefined, 'no entry left: no field');
  assert.equal(secret.metadata.managedFields, entries, 'the input is not changed');
  const plain = obj('b', '1');
  assert.equal(withoutManagedFields(plain), plain);
});

test('transforms: equal CA texts of Secrets and CertificateRequests are kept once, nothing else changes', () => {
  // Each decoded by JSON.parse, as a watch event's strings are: equal, but each a copy of its own.
  const caText = (n: number) => JSON.parse(`"${'Q'.repeat(20_000)}${n}"`) as string;
  const secret = (ca: string) => ({ ...obj('s', '1'), data: { 'tls.crt': 'eA==', 'ca.crt': ca } });
  const request = (ca: string) => ({ ...obj('r', '1'), status: { certificate: 'eA==', ca } });
  assert.deepEqual(withSharedCaData(secret(caText(1))), secret(caText(1)), 'same content');
  assert.deepEqual(withSharedCaStatus(request(caText(1))), request(caText(1)));
  assert.equal(withSharedCaData(secret(caText(2))).data['ca.crt'], caText(2), 'another CA keeps its own text');
  const input = secret(caText(3));
  assert.notEqual(withSharedCaData(input), input, 'the input is not changed');
  const noCa = obj('n', '1');
  assert.equal(withSharedCaData(noCa), noCa);
  assert.equal(withSharedCaStatus(noCa), noCa);

  // Sharing shows only in memory: 400 cached objects with a 20 kB CA text each hold ~8 MB of copies, or one text.
  const copies = heapHeldBy(() => Array.from({ length: 400 }, (_, i) => (i % 2 ? secret(caText(4)) : request(caText(4)))));
  const shared = heapHeldBy(() => Array.from({ length: 400 }, (_, i) => (i % 2 ? withSharedCaData(secret(caText(5))) : withSharedCaStatus(request(caText(5))))));
  assert.ok(copies > 6_000_000, `copies take ${copies} bytes`);
  assert.ok(shared < 1_000_000, `shared texts take ${shared} bytes`);
});

test('transforms: equal field sets of the kept managedFields entry are kept once (frozen), different ones apart', () => {
  const fieldsV1 = (dataKey: string) => ({ 'f:data': { '.': {}, [`f:${dataKey}`]: {} }, 'f:metadata': { 'f:annotations': { 'f:cert-manager.io/issuer-name': {} } } });
  // Each decoded on its own, as watch events are.
  const secret = (name: string, dataKey: string) =>
    JSON.parse(JSON.stringify(obj(name, '1', { managedFields: [{ manager: 'certwright', operation: 'Apply', time: name, fieldsV1: fieldsV1(dataKey) }] }))) as ReturnType<typeof obj>;
  const keep = keepManagedFieldsOf('certwright');
  const fieldSet = (s: ReturnType<typeof obj>) => (keep(s).metadata.managedFields![0] as { fieldsV1: object }).fieldsV1;
  const [a, b, other] = [fieldSet(secret('a', 'tls.crt')), fieldSet(secret('b', 'tls.crt')), fieldSet(secret('c', 'tls.key'))];
  assert.equal(a, b, 'one copy of an equal set');
  assert.notEqual(a, other);
  assert.deepEqual(other, fieldsV1('tls.key'), 'same content');
  assert.ok(Object.isFrozen(a) && Object.isFrozen((a as Record<string, object>)['f:data']), 'shared, so nobody may change it');
  assert.deepEqual(keep(secret('d', 'tls.crt')).metadata.managedFields, [{ manager: 'certwright', operation: 'Apply', fieldsV1: fieldsV1('tls.crt') }], 'the entry\'s own fields stay but its time');
  assert.equal(keep(secret('e', 'tls.crt')).metadata.managedFields, keep(secret('f', 'tls.crt')).metadata.managedFields, 'entries applied at other times are one copy');
});

test('transforms: withSharedStrings keeps one copy of equal short strings across objects, and changes no value', () => {
  const decoded = (i: number) =>
    JSON.parse(JSON.stringify({ kind: 'CertificateRequest', apiVersion: 'cert-manager.io/v1', metadata: { name: `r-${i}`, annotations: Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`a${k}`, `${'v'.repeat(100)}${k}`])) }, spec: { usages: ['digital signature', 'key encipherment'], big: 'B'.repeat(300) } })) as Record<string, unknown>;
  const input = decoded(1);
  assert.equal(withSharedStrings(input), input, 'in place');
  assert.deepEqual(input, decoded(1), 'same content');
  assert.equal(withSharedStrings(null), null);

  const copies = heapHeldBy(() => Array.from({ length: 400 }, (_, i) => decoded(i)));
  const shared = heapHeldBy(() => Array.from({ length: 400 }, (_, i) => withSharedStrings(decoded(i))));
  assert.ok(copies - shared > 400 * 20 * 100, `copies ${copies} bytes, shared ${shared}`);
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeEventRecorder, MAX_EVENT_MESSAGE_LENGTH } from '../../controller/events.js';
import type { KubeClient } from '../../controller/runtime/client.js';
import { ManualClock } from '../../controller/runtime/clock.js';
import { EVENTS } from '../../controller/runtime/resources.js';
import { clusterIssuer, issuer, keyAndCsr } from '../issuers/fixtures.js';
import { startTestCluster, type TestCluster } from '../issuers/cluster.js';

describe('events recorder (against the embedded API server)', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startTestCluster();
  });
  after(() => cluster?.close());

  it('writes one Event per distinct message and counts repeats on it', async () => {
    const subject = { ...issuer({ selfSigned: {} }, 'default', 'counted'), metadata: { namespace: 'default', name: 'counted', uid: 'uid-1' } };
    cluster.events.event(subject, 'Warning', 'ErrGetKeyPair', 'secret missing');
    cluster.events.event(subject, 'Warning', 'ErrGetKeyPair', 'secret missing');
    cluster.events.event(subject, 'Warning', 'ErrGetKeyPair', 'secret missing');
    cluster.events.event(subject, 'Normal', 'KeyPairVerified', 'Signing CA verified');

    const events = await cluster.eventsFor('counted');
    assert.equal(events.length, 2);
    const repeated = events.find((e) => e.reason === 'ErrGetKeyPair')!;
    assert.equal(repeated.count, 3);
    assert.equal(repeated.type, 'Warning');
    assert.equal(repeated.message, 'secret missing');
    assert.deepEqual(
      { kind: repeated.involvedObject.kind, name: repeated.involvedObject.name, namespace: repeated.involvedObject.namespace, uid: repeated.involvedObject.uid },
      { kind: 'Issuer', name: 'counted', namespace: 'default', uid: 'uid-1' },
    );
    assert.equal(repeated.source.component, 'certwright');
    assert.match(repeated.metadata.name!, /^counted\.[0-9a-f]+$/);
    assert.equal(events.find((e) => e.reason === 'KeyPairVerified')?.count, 1);
  });

  it('puts Events of cluster-scoped objects in the default namespace', async () => {
    cluster.events.event(clusterIssuer({ selfSigned: {} }, 'cluster-wide'), 'Normal', 'IsReady', 'ready');
    const events = await cluster.eventsFor('cluster-wide');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.metadata.namespace, 'default');
    assert.equal(events[0]!.involvedObject.namespace, undefined);
  });

  it('starts a new Event when the counted one is gone', async () => {
    const subject = issuer({ selfSigned: {} }, 'default', 'expiring');
    cluster.events.event(subject, 'Normal', 'Reason', 'text');
    const [first] = await cluster.eventsFor('expiring');
    await cluster.client.delete(EVENTS, { namespace: 'default', name: first!.metadata.name! });
    cluster.events.event(subject, 'Normal', 'Reason', 'text');
    const events = await cluster.eventsFor('expiring');
    assert.equal(events.length, 1);
    assert.notEqual(events[0]!.metadata.name, first!.metadata.name);
    assert.equal(events[0]!.count, 1);
  });

  it('never writes private key material and caps the message length', async () => {
    const { keyPem } = await keyAndCsr();
    const subject = issuer({ selfSigned: {} }, 'default', 'leaky');
    cluster.events.event(subject, 'Warning', 'Oops', `could not use ${keyPem} here`);
    cluster.events.event(subject, 'Warning', 'Long', 'x'.repeat(5000));
    const events = await cluster.eventsFor('leaky');
    const oops = events.find((e) => e.reason === 'Oops')!;
    assert.doesNotMatch(oops.message, /PRIVATE KEY|MII|MIG/);
    assert.match(oops.message, /^could not use \[REDACTED private key\]/);
    assert.equal(events.find((e) => e.reason === 'Long')!.message.length, MAX_EVENT_MESSAGE_LENGTH);
  });
});

describe('events recorder under a flood', () => {
  it('writes at most maxConcurrentWrites at once and drops what exceeds maxQueued', async () => {
    let inFlight = 0;
    let peak = 0;
    const created: string[] = [];
    const client = {
      create: async (_type: unknown, event: { reason: string }) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        created.push(event.reason);
        return event;
      },
    } as unknown as KubeClient;
    const recorder = new KubeEventRecorder({ client, clock: new ManualClock(), maxConcurrentWrites: 2, maxQueued: 5 });
    const subject = issuer({ selfSigned: {} }, 'default', 'flooded');
    for (let i = 0; i < 20; i++) recorder.event(subject, 'Normal', `Reason${i}`, 'text');
    await recorder.flush();
    assert.deepEqual(created.sort(), ['Reason0', 'Reason1', 'Reason2', 'Reason3', 'Reason4']);
    assert.equal(recorder.dropped, 15);
    assert.equal(peak, 2);
    // Once the queue has drained, events are accepted again.
    recorder.event(subject, 'Normal', 'After', 'text');
    await recorder.flush();
    assert.ok(created.includes('After'));
  });

  it('writes only when waitForTurn lets it, and reports a flood once when it starts and once when it drains', async () => {
    const created: string[] = [];
    const client = { create: async (_type: unknown, event: { reason: string }) => (created.push(event.reason), event) } as unknown as KubeClient;
    let openTurn!: () => void;
    const turn = new Promise<void>((resolve) => (openTurn = resolve));
    const reports: Array<{ first?: { reason: string; object: string }; dropped?: number }> = [];
    const recorder = new KubeEventRecorder({ client, clock: new ManualClock(), maxQueued: 3, waitForTurn: () => turn, onDropped: (r) => reports.push(r) });
    const subject = issuer({ selfSigned: {} }, 'default', 'busy');
    for (let i = 0; i < 7; i++) recorder.event(subject, 'Normal', `Reason${i}`, 'text');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(created, [], 'nothing written while reconciles have the client');
    assert.deepEqual(reports, [{ first: { reason: 'Reason3', object: 'Issuer/busy' } }]);
    openTurn();
    await recorder.flush();
    assert.deepEqual(created.sort(), ['Reason0', 'Reason1', 'Reason2']);
    assert.deepEqual(reports.slice(1), [{ dropped: 4 }]);
  });
});

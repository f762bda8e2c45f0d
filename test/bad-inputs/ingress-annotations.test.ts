/**
 * R4 bad input, ingress-shim side: every Ingress in `ingress-annotations.yaml` goes through one sync
 * of the real ShimController, and what it does is exactly what the corpus records: nothing (a typo
 * in the trigger annotation), a Warning BadConfig Event with the recorded message and no Certificate
 * write, or Warning Events for the TLS blocks it skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Certificate } from '../../api/types.js';
import { PACKAGE_ROOT } from '../../cli/local-cluster.js';
import type { EventRecorder } from '../../controller/events.js';
import { ingressShimSource, type Ingress, type IngressTLS } from '../../controller/ingress-shim/ingress.js';
import { realClock } from '../../controller/runtime/clock.js';
import type { KubeClient } from '../../controller/runtime/client.js';
import type { Informer } from '../../controller/runtime/informer.js';
import { TimerQueue } from '../../controller/runtime/timers.js';
import { REASON_BAD_CONFIG, ShimController } from '../../controller/shim/controller.js';

interface IngressBadInput {
  name: string;
  annotations: Record<string, string>;
  tls?: IngressTLS[];
  expect: { ignored: true } | { badConfig: string } | { skipped: string[] };
}

const ingressCorpus = parseAllDocuments(await readFile(join(PACKAGE_ROOT, 'test/bad-inputs/ingress-annotations.yaml'), 'utf8')).map((d) => d.toJS() as IngressBadInput);

interface Recorded {
  events: Array<{ type: string; reason: string; message: string }>;
  /** Calls that reached the API client (a Certificate create/update). */
  writes: string[];
}

/** One sync of `ingress` by a ShimController whose informers hold just it and no Certificates. */
async function syncOnce(ingress: Ingress): Promise<Recorded> {
  const recorded: Recorded = { events: [], writes: [] };
  const parents = { get: () => ingress, addEventHandler: () => {} } as unknown as Informer<Ingress>;
  const certificates = { get: () => undefined, byIndex: () => [], addEventHandler: () => {} } as unknown as Informer<Certificate>;
  const client = new Proxy({}, { get: (_t, method) => (...args: unknown[]) => void recorded.writes.push(`${String(method)} ${JSON.stringify(args).slice(0, 80)}`) }) as KubeClient;
  const events: EventRecorder = { event: (_obj, type, reason, message) => void recorded.events.push({ type, reason, message }) };
  const shim = new ShimController<Ingress>({ source: ingressShimSource(), parents, certificates, client, timers: new TimerQueue(realClock), events });
  await shim.sync('corpus/web');
  return recorded;
}

test('the ingress corpus has a case per name', () => {
  assert.ok(ingressCorpus.length >= 30, `${ingressCorpus.length} cases`);
  assert.equal(new Set(ingressCorpus.map((c) => c.name)).size, ingressCorpus.length, 'case names are unique');
});

for (const badInput of ingressCorpus) {
  test(`ingress-shim: ${badInput.name}`, async () => {
    const ingress: Ingress = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'corpus', uid: 'uid-web', annotations: badInput.annotations },
      spec: { tls: badInput.tls ?? [{ hosts: ['web.example.com'], secretName: 'web-tls' }] },
    };
    const { events, writes } = await syncOnce(ingress);
    const expect = badInput.expect;
    if ('ignored' in expect) {
      assert.deepEqual({ events, writes }, { events: [], writes: [] }, 'an Ingress without a trigger annotation is left alone');
    } else if ('badConfig' in expect) {
      assert.deepEqual(events, [{ type: 'Warning', reason: REASON_BAD_CONFIG, message: expect.badConfig }]);
      assert.deepEqual(writes, [], 'no Certificate is written for a bad configuration');
    } else {
      assert.deepEqual(
        events.filter((e) => e.reason === REASON_BAD_CONFIG),
        expect.skipped.map((message) => ({ type: 'Warning', reason: REASON_BAD_CONFIG, message })),
      );
    }
  });
}

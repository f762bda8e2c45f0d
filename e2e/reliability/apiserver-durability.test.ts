/**
 * R2 store durability through the API: `certwright apiserver` takes creates and updates from 32
 * concurrent HTTPS clients and is killed with SIGKILL mid-stream, twice; after each restart on the
 * same data directory every write it acknowledged is there, at (at least) the acknowledged
 * resourceVersion, and resourceVersions keep increasing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../apiserver/admission.js';
import { startApiServerProcess, type ApiServerProcess } from '../../bench/lifecycle/processes.js';
import { KubeClient } from '../../controller/runtime/client.js';
import { realClock } from '../../controller/runtime/clock.js';
import type { ResourceType } from '../../controller/runtime/resources.js';
import { TimerQueue } from '../../controller/runtime/timers.js';
import { eventually, tempDataDir } from '../../test/controller/certificates/reconciler-harness.js';

const CONFIG_MAPS: ResourceType = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true };
const NAMESPACE = 'default';
const CLIENTS = 32;
const ACKS_BEFORE_KILL = 1500;

interface ConfigMap extends KubeObject {
  data: Record<string, string>;
}

const dataDir = tempDataDir('certwright-r2-');
let server: ApiServerProcess | undefined;

after(async () => {
  await server?.process.stop();
  dataDir.remove();
});

function clientFor(kubeconfigPath: string): KubeClient {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return new KubeClient({ kubeConfig, timers: new TimerQueue(realClock), rateLimit: { qps: 1e6, burst: 1e6 } });
}

/** Acknowledged state per name: the data value and resourceVersion of the last acknowledged write. */
type Acked = Map<string, { value: string; resourceVersion: number }>;

/** Writes until `stop()` is true: each client creates its own ConfigMaps and updates every third one. */
async function writeUntil(client: KubeClient, round: number, acked: Acked, stop: () => boolean): Promise<void> {
  const work = async (worker: number) => {
    for (let i = 0; !stop(); i++) {
      const name = `r${round}-w${worker}-${i}`;
      try {
        const created = await client.create<ConfigMap>(CONFIG_MAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: NAMESPACE, name }, data: { value: 'created' } });
        acked.set(name, { value: 'created', resourceVersion: Number(created.metadata.resourceVersion) });
        if (i % 3 === 0) {
          const updated = await client.update<ConfigMap>(CONFIG_MAPS, { ...created, data: { value: 'updated' } });
          acked.set(name, { value: 'updated', resourceVersion: Number(updated.metadata.resourceVersion) });
        }
      } catch {
        return; // The server was killed: whatever was not acknowledged may or may not be there.
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, w) => work(w)));
}

test('every acknowledged write survives SIGKILL of the API server', async () => {
  const acked: Acked = new Map();
  let highestAcked = 0;
  for (const round of [1, 2]) {
    server = await startApiServerProcess(dataDir.path, `${dataDir.path}/apiserver.log`);
    const client = clientFor(server.kubeconfigPath);
    // Writes acknowledged before this round are all still there, and new versions are newer.
    const before = await client.list<ConfigMap>(CONFIG_MAPS, { namespace: NAMESPACE });
    assert.ok(Number(before.metadata.resourceVersion) >= highestAcked, 'resourceVersion resumed, not reset');
    const ackedBefore = acked.size;
    let killed = false;
    const killer = eventually(() => acked.size - ackedBefore >= ACKS_BEFORE_KILL, `${ACKS_BEFORE_KILL} acknowledged writes`, 120_000).then(() => {
      process.kill(server!.process.pid, 'SIGKILL');
      killed = true;
    });
    await writeUntil(client, round, acked, () => killed);
    await killer;
    await server.process.exited;
    highestAcked = Math.max(...[...acked.values()].map((a) => a.resourceVersion));
  }

  server = await startApiServerProcess(dataDir.path, `${dataDir.path}/apiserver.log`);
  const stored = await clientFor(server.kubeconfigPath).list<ConfigMap>(CONFIG_MAPS, { namespace: NAMESPACE });
  const byName = new Map(stored.items.map((c) => [c.metadata.name!, c]));
  const lost: string[] = [];
  for (const [name, ack] of acked) {
    const found = byName.get(name);
    if (!found || Number(found.metadata.resourceVersion) < ack.resourceVersion || (ack.value === 'updated' && found.data.value !== 'updated')) lost.push(name);
  }
  assert.ok(acked.size >= 2 * ACKS_BEFORE_KILL, `${acked.size} writes acknowledged`);
  assert.deepEqual(lost, [], `${lost.length} of ${acked.size} acknowledged writes lost`);
  assert.ok(Number(stored.metadata.resourceVersion) >= highestAcked);
});

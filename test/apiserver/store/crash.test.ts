import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../../apiserver/store/index.js';
import { dataDirFor } from './helpers.js';

const WRITER = fileURLToPath(new URL('./fixtures/writer.js', import.meta.url));

interface Ack {
  op: 'create' | 'update' | 'delete';
  key: string;
  resourceVersion: number;
}

/** Runs the writer until it has acknowledged `killAfterAcks` writes (then a few ms more), SIGKILLs it, and returns every ack it printed. */
async function runWriterAndKill(dataDir: string, run: number, killAfterAcks: number): Promise<Ack[]> {
  const child = spawn(process.execPath, [WRITER, dataDir, String(run)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acks: Ack[] = [];
  let buffered = '';
  let killScheduled = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() as string;
    for (const line of lines) {
      const [op, key, resourceVersion] = line.split(' ');
      if (op === 'ready') continue;
      acks.push({ op: op as Ack['op'], key: key as string, resourceVersion: Number(resourceVersion) });
    }
    if (!killScheduled && acks.length >= killAfterAcks) {
      killScheduled = true;
      setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 10));
    }
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  assert.equal(signal, 'SIGKILL', `writer exited on its own (code ${code})`);
  return acks;
}

test('every write acknowledged before a kill -9 survives it, across repeated crashes', async (t) => {
  const dataDir = await dataDirFor(t);
  const lastAck = new Map<string, Ack>();
  let highestAcked = 0;
  for (let run = 0; run < 4; run++) {
    const acks = await runWriterAndKill(dataDir, run, 1 + Math.floor(Math.random() * 400));
    assert.ok(acks.length > 0);
    for (const ack of acks) {
      assert.ok(ack.resourceVersion > highestAcked || lastAck.has(ack.key), `resourceVersion ${ack.resourceVersion} was reused after a restart`);
      lastAck.set(ack.key, ack);
    }
    highestAcked = Math.max(highestAcked, ...acks.map((ack) => ack.resourceVersion));

    const store = await openStore({ dataDir });
    try {
      assert.ok(store.resourceVersion >= highestAcked, `store is at ${store.resourceVersion}, but ${highestAcked} was acknowledged`);
      for (const [key, ack] of lastAck) {
        const object = store.get(key);
        const name = key.split('/').at(-1) as string;
        // Each worker has at most one unacknowledged write in flight, which may or may not have landed.
        const deleteMayFollow = ack.op === 'update' && Number(name.split('-')[1]) % 3 === 0;
        if (ack.op === 'delete') assert.equal(object, undefined, `${key} was deleted at ${ack.resourceVersion} but is present`);
        else if (object === undefined) assert.ok(deleteMayFollow, `${key} (${ack.op} at ${ack.resourceVersion}) is missing`);
        else if (ack.op === 'update') assert.equal(object.metadata.resourceVersion, String(ack.resourceVersion), `${key} lost its update`);
        else assert.ok(Number(object.metadata.resourceVersion) >= ack.resourceVersion, `${key} went back in time`);
      }
      const { items, resourceVersion } = store.list('/');
      const versions = items.map((item) => Number(item.metadata.resourceVersion));
      assert.equal(new Set(versions).size, versions.length, 'resourceVersions are unique');
      assert.ok(versions.every((version) => version <= resourceVersion));
    } finally {
      await store.close();
    }
  }
});

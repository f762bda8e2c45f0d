import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DataDirInUse, openStore } from '../../../apiserver/store/index.js';
import { dataDirFor } from './helpers.js';

const WRITER = fileURLToPath(new URL('./fixtures/writer.js', import.meta.url));

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

test('a second open of a data dir in use fails with the holder\'s pid; close releases it', async (t) => {
  const dataDir = await dataDirFor(t);
  const store = await openStore({ dataDir });
  await assert.rejects(openStore({ dataDir }), (error) => {
    assert.ok(error instanceof DataDirInUse);
    assert.equal(error.message, `data dir ${dataDir} is in use by pid ${process.pid}`);
    return true;
  });
  await store.close();
  const reopened = await openStore({ dataDir });
  await reopened.close();
});

test('another live process holding the data dir is named; once it is killed its stale lock is taken over', async (t) => {
  const dataDir = await dataDirFor(t);
  const child = spawn(process.execPath, [WRITER, dataDir, 'lock'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  try {
    await assert.rejects(openStore({ dataDir }), new RegExp(`data dir ${dataDir} is in use by pid ${child.pid}$`));
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  const store = await openStore({ dataDir });
  t.after(() => store.close());
  assert.match(await readFile(join(dataDir, 'LOCK'), 'utf8'), new RegExp(`^${process.pid} `));
});

test('a lock left by a dead pid is taken over', async (t) => {
  const dataDir = await dataDirFor(t);
  await writeFile(join(dataDir, 'LOCK'), `${deadPid()} 0b5e7c1d\n`);
  const store = await openStore({ dataDir });
  await store.close();
});

test('a lock with this process\'s pid from an earlier process (container restart) is taken over', async (t) => {
  const dataDir = await dataDirFor(t);
  await writeFile(join(dataDir, 'LOCK'), `${process.pid} token-of-a-previous-incarnation\n`);
  const store = await openStore({ dataDir });
  await store.close();
});

test('a takeover claim left by a process that died mid-takeover does not block the data dir', async (t) => {
  const dataDir = await dataDirFor(t);
  const dead = deadPid();
  await writeFile(join(dataDir, 'LOCK'), `${dead} stale-lock\n`);
  await writeFile(join(dataDir, 'LOCK.takeover'), `${dead} stale-takeover\n`);
  const store = await openStore({ dataDir });
  await store.close();
});

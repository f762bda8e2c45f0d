import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiextensionsV1Api, KubeConfig } from '@kubernetes/client-node';

const main = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

function certwright(args: string[]): { output: () => string; exited: Promise<number>; signal(s: NodeJS.Signals): void } {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return { output: () => out, exited, signal: (s) => child.kill(s) };
}

test('certwright apiserver serves certwright CRDs, prints the kubeconfig and stops on SIGTERM', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'certwright-cli-'));
  const run = certwright(['apiserver', '--data-dir', dir, '--listen', '127.0.0.1:0']);
  try {
    const deadline = Date.now() + 15_000;
    while (!/kubeconfig: /.test(run.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(run.output(), /certwright API server listening on https:\/\/127\.0\.0\.1:\d+\n/);
    assert.match(run.output(), new RegExp(`kubeconfig: ${join(dir, 'kubeconfig')}\n`));
    assert.match(run.output(), /kubectl --kubeconfig \S+ get certificates -A/);
    const kc = new KubeConfig();
    kc.loadFromFile(join(dir, 'kubeconfig'));
    const crds = await kc.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
    assert.deepEqual(
      crds.items.map((c) => c.metadata!.name).sort(),
      ['certificaterequests.cert-manager.io', 'certificates.cert-manager.io', 'challenges.acme.cert-manager.io', 'clusterissuers.cert-manager.io', 'issuers.cert-manager.io', 'orders.acme.cert-manager.io'],
    );
    run.signal('SIGTERM');
    assert.equal(await run.exited, 0);
    assert.match(run.output(), /SIGTERM: shutting down/);
  } finally {
    run.signal('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

test('certwright apiserver explains bad arguments', async () => {
  const missing = certwright(['apiserver']);
  assert.equal(await missing.exited, 2);
  assert.match(missing.output(), /--data-dir is required/);
  const badListen = certwright(['apiserver', '--data-dir', join(tmpdir(), 'certwright-cli-unused'), '--listen', 'nonsense']);
  assert.equal(await badListen.exited, 1);
  assert.match(badListen.output(), /--listen must be host:port, got "nonsense"/);
  await rm(join(tmpdir(), 'certwright-cli-unused'), { recursive: true, force: true });
});

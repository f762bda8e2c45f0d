/**
 * `certwright quickstart` (what `npm start` runs) as a user meets it: a child process that prints
 * the certificate table, writes the Secrets' files, serves /metrics, exits cleanly on SIGINT and
 * SIGTERM, and on a second start resumes without reissuing anything.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import type { CertificateRequest } from '../../api/types.js';
import { KubeClient } from '../../controller/runtime/client.js';
import { realClock } from '../../controller/runtime/clock.js';
import { CERTIFICATE_REQUESTS } from '../../controller/runtime/resources.js';
import { TimerQueue } from '../../controller/runtime/timers.js';
import { Workdir } from '../../test/pki/openssl.js';
import { tempDataDir } from '../../test/controller/certificates/reconciler-harness.js';

const MAIN = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const dataDir = tempDataDir('certwright-quickstart-');
const work = new Workdir();

after(() => {
  dataDir.remove();
  work.remove();
});

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function startQuickstart(): Promise<Started> {
  const child = spawn(process.execPath, [MAIN, 'quickstart', '--data-dir', dataDir.path, '--metrics-address', '127.0.0.1:0', '--health-address', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!output.includes('Ctrl-C stops.')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`quickstart did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => output, exited };
}

function tableRows(output: string): string[][] {
  const lines = output.split('\n');
  const header = lines.findIndex((l) => l.startsWith('CERTIFICATE'));
  return lines.slice(header + 1, header + 4).map((l) => l.trim().split(/\s{2,}/));
}

async function requestNames(): Promise<string[]> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(join(dataDir.path, 'kubeconfig'));
  const timers = new TimerQueue(realClock);
  const client = new KubeClient({ kubeConfig, timers });
  try {
    return (await client.list<CertificateRequest>(CERTIFICATE_REQUESTS)).items.map((r) => `${r.metadata.namespace}/${r.metadata.name}`).sort();
  } finally {
    await client.close();
    timers.clear();
  }
}

test('quickstart issues the CA, server and client certificates, writes their files, stops on SIGINT and resumes without reissuing', async () => {
  const first = await startQuickstart();
  const rows = tableRows(first.output());
  assert.deepEqual(
    rows.map((r) => [r[0], r[1], r[4]]),
    [
      ['kube-system/quickstart-root-ca', 'True', 'kube-system/quickstart-root-ca'],
      ['quickstart/web-server', 'True', 'quickstart/web-server-tls'],
      ['quickstart/mtls-client', 'True', 'quickstart/mtls-client-tls'],
    ],
    first.output(),
  );
  assert.match(first.output(), new RegExp(`kubectl --kubeconfig ${join(dataDir.path, 'kubeconfig')} get certificates -A`));
  const metricsUrl = /metrics:\s+(\S+)/.exec(first.output())?.[1];
  assert.ok(metricsUrl, first.output());
  const metrics = await (await fetch(metricsUrl)).text();
  assert.match(metrics, /certmanager_certificate_ready_status\{condition="True",name="web-server",namespace="quickstart"[^}]*\} 1/);

  const certs = join(dataDir.path, 'certs');
  for (const [secret, purpose] of [
    ['quickstart/web-server-tls', 'sslserver'],
    ['quickstart/mtls-client-tls', 'sslclient'],
  ] as const) {
    const dir = join(certs, secret);
    for (const file of ['tls.crt', 'tls.key', 'ca.crt']) assert.ok(existsSync(join(dir, file)), `${secret}/${file}`);
    assert.match(work.openssl(['verify', '-purpose', purpose, '-CAfile', join(dir, 'ca.crt'), join(dir, 'tls.crt')]), /: OK/);
  }
  assert.match(readFileSync(join(certs, 'quickstart/web-server-tls/tls.key'), 'utf8'), /BEGIN EC PRIVATE KEY/);
  assert.match(readFileSync(join(certs, 'quickstart/mtls-client-tls/tls.key'), 'utf8'), /BEGIN RSA PRIVATE KEY/);
  const requestsBefore = await requestNames();
  assert.deepEqual(requestsBefore, ['kube-system/quickstart-root-ca-1', 'quickstart/mtls-client-1', 'quickstart/web-server-1']);
  const notAfter = rows.map((r) => r[2]);

  first.child.kill('SIGINT');
  assert.equal(await first.exited, 0, first.output());

  const second = await startQuickstart();
  assert.deepEqual(tableRows(second.output()).map((r) => r[2]), notAfter, 'the same certificates');
  assert.deepEqual(await requestNames(), requestsBefore, 'nothing was reissued');
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0, second.output());
});

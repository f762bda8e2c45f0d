/**
 * What `certwright run` keeps resident is mostly the modules it loads. A controller whose only
 * issuers are SelfSigned and CA must not load the modules of the issuer kinds, solvers and
 * libraries it does not use (each is several MiB of RSS; docs/performance.md, lifecycle): the test
 * runs the real CLI with a module recorder, issues a CA chain and one Certificate, and lists what
 * was loaded. It fails when one of those is imported eagerly again.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchCluster, benchCertificate } from '../../bench/lifecycle/workload.js';
import { CLI_PATH, CliProcess } from '../../bench/lifecycle/processes.js';
import { startLocalCluster, type LocalCluster } from '../../cli/local-cluster.js';
import { CERTIFICATES } from '../../controller/runtime/resources.js';

const KEY = { algorithm: 'ECDSA', size: 256 } as const;

/** Module graphs a CA-only controller has no use for, by a URL fragment of their entry. */
const UNUSED_BY_A_CA_CONTROLLER: Record<string, string> = {
  'acme-client (with axios and @peculiar/x509)': '/node_modules/acme-client/',
  axios: '/node_modules/axios/',
  '@peculiar/x509': '/node_modules/@peculiar/x509/',
  'the Vault issuer': '/issuers/vault/index.js',
  'the DNS-01 providers': '/solvers/dns01/registry.js',
  'dns-packet': '/node_modules/dns-packet/',
  'the AWS SDK': '/node_modules/@aws-sdk/',
  "client-node's generated code (its API classes; makeApiClient's configuration)": '/@kubernetes/client-node/dist/gen/',
  'openid-client (OIDC auth-provider)': '/node_modules/openid-client/',
  'jose (OIDC auth-provider)': '/node_modules/jose/',
  'jsonpath-plus (Azure and GCP auth-providers)': '/node_modules/jsonpath-plus/',
  'socks-proxy-agent (a socks proxy-url)': '/node_modules/socks-proxy-agent/',
  'hpagent (an http proxy-url)': '/node_modules/hpagent/',
  'node-fetch (KubeConfig.applyToFetchOptions)': '/node_modules/node-fetch/',
  'the keystore encoders (node-forge)': '/node_modules/node-forge/',
  'cron-parser (with luxon), for renewal windows': '/node_modules/cron-parser/',
  'node-cron, for renewal window validation': '/node_modules/node-cron/',
};

/** Needed by the embedded API server in local mode, but not by a controller against a cluster. */
const UNUSED_AGAINST_A_CLUSTER: Record<string, string> = {
  'the embedded API server': '/apiserver/index.js',
  'typebox (the API schemas)': '/node_modules/@sinclair/typebox/',
  yaml: '/node_modules/yaml/',
};

/** Modules every controller loads: the recording itself is checked with them. */
const USED: readonly string[] = ['/controller/manager.js', '/issuers/ca.js', '/node_modules/pino/'];

const work = mkdtempSync(join(tmpdir(), 'certwright-modules-'));
let apiServer: LocalCluster;

before(async () => {
  apiServer = await startLocalCluster({ dataDir: join(work, 'cluster') });
});
after(async () => {
  await apiServer?.close();
  rmSync(work, { recursive: true, force: true });
});

function recorderImport(recorded: string): string {
  return `${new URL('./module-recorder.js', import.meta.url).href}?out=${encodeURIComponent(recorded)}`;
}

/** Runs `certwright run <args>` until a CA chain and one Certificate from it are Ready; the URLs of every module it loaded. */
async function modulesOfController(name: string, runArgs: readonly string[], kubeconfigPath: () => string): Promise<string[]> {
  const recorded = join(work, `${name}.modules`);
  const controller = new CliProcess(
    ['--import', recorderImport(recorded)],
    ['run', ...runArgs, '--metrics-address', '', '--health-address', '', '--acme-http01-solver-address', '127.0.0.1:0'],
    join(work, `${name}.log`),
  );
  let cluster: BenchCluster | undefined;
  try {
    await controller.waitForLine('controller start', (line) => (line.includes('"certwright is running"') ? true : undefined), 30_000);
    cluster = new BenchCluster(kubeconfigPath());
    await cluster.start();
    await cluster.createCa(KEY);
    await cluster.client.create(CERTIFICATES, benchCertificate(0, KEY));
    await cluster.until(() => cluster!.readyCount() === 1);
  } finally {
    await cluster?.close();
    await controller.stop();
  }
  assert.ok(existsSync(recorded), 'the module recorder wrote nothing');
  return readFileSync(recorded, 'utf8').split('\n').filter(Boolean);
}

function assertNotLoaded(modules: readonly string[], unused: Record<string, string>): void {
  for (const fragment of USED) assert.ok(modules.some((url) => url.includes(fragment)), `the recording lacks ${fragment}: it is broken`);
  const loaded = Object.entries(unused).flatMap(([what, fragment]) => {
    const first = modules.find((url) => url.includes(fragment));
    return first ? [`${what} (${first})`] : [];
  });
  assert.deepEqual(loaded, [], 'loaded by a controller with only SelfSigned and CA issuers');
}

test('against a cluster, a controller with only SelfSigned and CA issuers loads no other issuer, solver or API server module', async () => {
  const modules = await modulesOfController('cluster', ['--kubeconfig', apiServer.server.kubeconfigPath], () => apiServer.server.kubeconfigPath);
  assertNotLoaded(modules, { ...UNUSED_BY_A_CA_CONTROLLER, ...UNUSED_AGAINST_A_CLUSTER });
});

test('in local mode, the same controller loads the embedded API server but still no other issuer or solver module', async () => {
  const dataDir = join(work, 'local');
  const modules = await modulesOfController('local', ['--local', '--data-dir', dataDir, '--api-server-address', '127.0.0.1:0'], () => join(dataDir, 'kubeconfig'));
  assert.ok(modules.some((url) => url.includes(UNUSED_AGAINST_A_CLUSTER['the embedded API server']!)), 'local mode runs the embedded API server');
  assertNotLoaded(modules, UNUSED_BY_A_CA_CONTROLLER);
});

test('help lists every command without importing any command module', () => {
  const recorded = join(work, 'help.modules');
  const help = execFileSync(process.execPath, ['--import', recorderImport(recorded), CLI_PATH, '--help'], { encoding: 'utf8' });
  assert.match(help, /^ {2}run {2,}run the certificate controller/m);
  assert.match(help, /^ {2}acme-http01-solver {2,}serve one ACME HTTP-01 challenge/m);
  const modules = readFileSync(recorded, 'utf8').split('\n').filter(Boolean);
  assert.ok(modules.some((url) => url.endsWith('/cli/commands.js')), 'the recording lacks cli/commands.js: it is broken');
  const commandModules = modules.filter((url) => /\/cli\/(?!main\.js|commands\.js)[^/]+\.js$/.test(url) || url.includes('/controller/') || url.includes('/apiserver/'));
  assert.deepEqual(commandModules, []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type https from 'node:https';
import { readdirSync } from 'node:fs';
import { loadKubeConfigClass, narrowKubeConfigSource } from '../../../controller/runtime/kubeconfig.js';
import * as generated from '../../../controller/runtime/kubeconfig-gen.js';

const CONFIG_URL = 'file:///app/node_modules/@kubernetes/client-node/dist/config.js';
const CONFIG_SOURCE = `import fs from 'node:fs';
import yaml from 'js-yaml';
import { exportCluster,
  newUsers, } from './config_types.js';
import { createConfiguration, ServerConfiguration, } from './gen/index.js';
export class KubeConfig {}
const text = "import x from './gen/index.js'";
`;
const packages: Record<string, string> = { 'js-yaml': 'file:///app/node_modules/js-yaml/dist/js-yaml.mjs' };

test("config.js's source names its imports by URL, the generated index as the narrow module, and nothing else changes", () => {
  const narrow = narrowKubeConfigSource(CONFIG_SOURCE, CONFIG_URL, (specifier) => packages[specifier]);
  assert.ok(narrow);
  const imports = [...narrow.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
  assert.equal(imports[0], 'node:fs');
  assert.equal(imports[1], packages['js-yaml']);
  assert.equal(imports[2], 'file:///app/node_modules/@kubernetes/client-node/dist/config_types.js');
  assert.match(imports[3]!, /^file:\/\/.*\/controller\/runtime\/kubeconfig-gen\.js$/);
  assert.ok(narrow.includes(`const text = "import x from './gen/index.js'";`), 'only import statements are rewritten');
  assert.equal(typeof generated.createConfiguration, 'function');
  assert.equal(typeof generated.ServerConfiguration, 'function');
});

test('a config.js that no longer imports the generated index, or imports a package found elsewhere, is loaded as published', () => {
  assert.equal(narrowKubeConfigSource(CONFIG_SOURCE.replace('./gen/index.js', './gen/other.js'), CONFIG_URL, (s) => packages[s]), undefined);
  assert.equal(narrowKubeConfigSource(CONFIG_SOURCE, CONFIG_URL, () => undefined), undefined);
});

test('loading KubeConfig starts no thread (a module hooks thread would stay for the life of the process)', async () => {
  const threads = () => readdirSync('/proc/self/task').length;
  const before = threads();
  await loadKubeConfigClass();
  assert.equal(threads(), before);
});

test("the narrowly loaded KubeConfig is client-node's: kubeconfig, credentials and TLS options as before", async () => {
  const KubeConfig = await loadKubeConfigClass();
  assert.equal(await loadKubeConfigClass(), KubeConfig, 'loaded once');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: true }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const options: https.RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(options);
  assert.equal(kubeConfig.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
  assert.deepEqual(options.headers, { Authorization: 'Bearer secret-token' });
  assert.equal(options.rejectUnauthorized, false);
});

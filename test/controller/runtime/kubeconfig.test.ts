import { test } from 'node:test';
import assert from 'node:assert/strict';
import type https from 'node:https';
import { loadKubeConfigClass } from '../../../controller/runtime/kubeconfig.js';
import { resolve } from '../../../controller/runtime/kubeconfig-hooks.js';
import * as generated from '../../../controller/runtime/kubeconfig-gen.js';

const CONFIG_URL = 'file:///app/node_modules/@kubernetes/client-node/dist/config.js';

test("the resolve hook gives client-node's config.js the narrow generated module, and nothing else", async () => {
  const passedOn: string[] = [];
  const next = async (specifier: string) => (passedOn.push(specifier), { url: `next:${specifier}` });
  const redirected = await resolve('./gen/index.js', { parentURL: CONFIG_URL }, next);
  assert.match(redirected.url, /\/controller\/runtime\/kubeconfig-gen\.js$/);
  assert.equal((await resolve('./gen/index.js', { parentURL: 'file:///app/node_modules/@kubernetes/client-node/dist/index.js' }, next)).url, 'next:./gen/index.js');
  assert.equal((await resolve('./config_types.js', { parentURL: CONFIG_URL }, next)).url, 'next:./config_types.js');
  assert.deepEqual(passedOn, ['./gen/index.js', './config_types.js']);
  assert.equal(typeof generated.createConfiguration, 'function');
  assert.equal(typeof generated.ServerConfiguration, 'function');
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

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type https from 'node:https';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import { Headers as FetchHeaders } from 'node-fetch';
import type { User } from '@kubernetes/client-node';
import { AzureAuth as RealAzureAuth } from '@kubernetes/client-node/dist/azure_auth.js';
import { GoogleCloudPlatformAuth as RealGcpAuth } from '@kubernetes/client-node/dist/gcp_auth.js';
import { OpenIDConnectAuth as RealOidcAuth } from '@kubernetes/client-node/dist/oidc_auth.js';
import { loadKubeConfigClass, narrowKubeConfigSource } from '../../../controller/runtime/kubeconfig.js';
import * as standIns from '../../../controller/runtime/kubeconfig-deferred.js';

const CONFIG_URL = 'file:///app/node_modules/@kubernetes/client-node/dist/config.js';
const CONFIG_SOURCE = `import fs from 'node:fs';
import yaml from 'js-yaml';
import { exportCluster,
  newUsers, } from './config_types.js';
import { createConfiguration, ServerConfiguration, } from './gen/index.js';
import { OpenIDConnectAuth } from './oidc_auth.js';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
export class KubeConfig {}
const text = "import x from './gen/index.js'";
`;
const packages: Record<string, string> = { 'js-yaml': 'file:///app/node_modules/js-yaml/dist/js-yaml.mjs' };
const STAND_INS = /^file:\/\/.*\/controller\/runtime\/kubeconfig-deferred\.js$/;

const work = mkdtempSync(join(tmpdir(), 'certwright-kubeconfig-'));
after(() => rmSync(work, { recursive: true, force: true }));

test("config.js's source names its imports by URL, the deferred ones as the stand-ins, and nothing else changes", () => {
  const narrow = narrowKubeConfigSource(CONFIG_SOURCE, CONFIG_URL, (specifier) => packages[specifier]);
  assert.ok(narrow);
  const imports = [...narrow.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
  assert.equal(imports[0], 'node:fs');
  assert.equal(imports[1], packages['js-yaml']);
  assert.equal(imports[2], 'file:///app/node_modules/@kubernetes/client-node/dist/config_types.js');
  for (const deferred of imports.slice(3, 6)) assert.match(deferred, STAND_INS);
  assert.ok(narrow.includes(`const text = "import x from './gen/index.js'";`), 'only import statements are rewritten');
});

test('a config.js that takes another name or form from a deferred module, or imports a package found elsewhere, is loaded as published', () => {
  const resolve = (specifier: string) => packages[specifier];
  assert.equal(narrowKubeConfigSource(CONFIG_SOURCE.replace('{ OpenIDConnectAuth }', '{ OpenIDConnectAuth, OidcClient }'), CONFIG_URL, resolve), undefined);
  assert.equal(narrowKubeConfigSource(CONFIG_SOURCE.replace('{ OpenIDConnectAuth }', 'oidcAuth'), CONFIG_URL, resolve), undefined);
  assert.equal(narrowKubeConfigSource(CONFIG_SOURCE, CONFIG_URL, () => undefined), undefined);
  assert.ok(narrowKubeConfigSource(CONFIG_SOURCE.replace('{ OpenIDConnectAuth }', '{ OpenIDConnectAuth as Oidc }'), CONFIG_URL, resolve));
});

test('loading KubeConfig starts no thread (a module hooks thread would stay for the life of the process)', async () => {
  const threads = () => readdirSync('/proc/self/task').length;
  const before = threads();
  await loadKubeConfigClass();
  assert.equal(threads(), before);
});

const CLUSTER = { name: 'c', server: 'https://127.0.0.1:6443', skipTLSVerify: true };

/** A narrowly loaded KubeConfig for one cluster and user. */
async function kubeConfigOf(user: User, cluster: typeof CLUSTER & { proxyUrl?: string } = CLUSTER) {
  const KubeConfig = await loadKubeConfigClass();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({ clusters: [cluster], users: [user], contexts: [{ name: 'x', cluster: cluster.name, user: user.name }], currentContext: 'x' });
  return kubeConfig;
}

async function httpsOptionsOf(user: User, cluster?: typeof CLUSTER & { proxyUrl?: string }): Promise<https.RequestOptions> {
  const options: https.RequestOptions = {};
  await (await kubeConfigOf(user, cluster)).applyToHTTPSOptions(options);
  return options;
}

/** A JWT (unsigned: client-node reads only its expiry) valid for an hour. */
function idToken(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ exp: Math.floor(Date.now() / 1000) + 3600, sub: 'someone' })}.signature`;
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

test("the narrowly loaded KubeConfig is client-node's: kubeconfig, credentials and TLS options as before", async () => {
  const KubeConfig = await loadKubeConfigClass();
  assert.equal(await loadKubeConfigClass(), KubeConfig, 'loaded once');
  const kubeConfig = await kubeConfigOf({ name: 'u', token: 'secret-token' });
  const options: https.RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(options);
  assert.equal(kubeConfig.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
  assert.deepEqual(options.headers, { Authorization: 'Bearer secret-token' });
  assert.equal(options.rejectUnauthorized, false);
});

test('every auth kind of a kubeconfig user still applies: exec plugin, token file, OIDC, Azure, GCP', async () => {
  const credential = { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'exec-token' } };
  const exec = { apiVersion: credential.apiVersion, command: process.execPath, args: ['-e', `console.log(${JSON.stringify(JSON.stringify(credential))})`] };
  const tokenFile = join(work, 'token');
  writeFileSync(tokenFile, 'file-token');
  const oidcToken = idToken();
  const cases: [string, User, string][] = [
    ['exec', { name: 'u', exec } as unknown as User, 'exec-token'],
    ['tokenFile', { name: 'u', authProvider: { name: 'tokenFile', config: { tokenFile } } }, 'file-token'],
    ['oidc', { name: 'u', authProvider: { name: 'oidc', config: { 'id-token': oidcToken, 'client-id': 'c', 'idp-issuer-url': 'https://127.0.0.1:1' } } }, oidcToken],
    ['azure', { name: 'u', authProvider: { name: 'azure', config: { 'access-token': 'azure-token', expiry: inAnHour() } } }, 'azure-token'],
    ['gcp', { name: 'u', authProvider: { name: 'gcp', config: { 'access-token': 'gcp-token', expiry: inAnHour() } } }, 'gcp-token'],
  ];
  for (const [kind, user, token] of cases) {
    assert.deepEqual((await httpsOptionsOf(user)).headers, { Authorization: `Bearer ${token}` }, kind);
  }
});

test("a cluster's proxy-url still gets client-node's proxy agent, and fetch options node-fetch's Headers", async () => {
  const user = { name: 'u', token: 't' };
  assert.ok((await httpsOptionsOf(user, { ...CLUSTER, proxyUrl: 'http://127.0.0.1:3128' })).agent instanceof HttpsProxyAgent);
  assert.ok((await httpsOptionsOf(user, { ...CLUSTER, server: 'http://127.0.0.1:8080', proxyUrl: 'http://127.0.0.1:3128' })).agent instanceof HttpProxyAgent);
  assert.ok((await httpsOptionsOf(user, { ...CLUSTER, proxyUrl: 'socks5://127.0.0.1:1080' })).agent instanceof SocksProxyAgent);
  const fetchOptions = await (await kubeConfigOf(user)).applyToFetchOptions({});
  assert.ok(fetchOptions.headers instanceof FetchHeaders);
  assert.equal(fetchOptions.headers.get('authorization'), 'Bearer t');
});

test("makeApiClient still hands an API class client-node's configuration for the current cluster", async () => {
  class Api {
    constructor(readonly configuration: { baseServer: { makeRequestContext(path: string, method: string): { getUrl(): string } } }) {}
  }
  const api = (await kubeConfigOf({ name: 'u', token: 't' })).makeApiClient(Api as never) as unknown as Api;
  assert.equal(api.configuration.baseServer.makeRequestContext('/api/v1/pods', 'GET').getUrl(), 'https://127.0.0.1:6443/api/v1/pods');
});

test('the deferred authenticators serve no user without an auth-provider (so such users load none), and answer as the real ones otherwise', () => {
  const withoutProvider: User[] = [
    { name: 'token', token: 't' },
    { name: 'certificate', certData: 'c', keyData: 'k' },
    { name: 'basic', username: 'u', password: 'p' },
    { name: 'exec', exec: { command: 'x' } } as unknown as User,
  ];
  const withProvider: User[] = ['azure', 'gcp', 'oidc', 'tokenFile', 'exec'].map((name) => ({ name, authProvider: { name, config: {} } }));
  const pairs = [
    [new RealAzureAuth(), new standIns.AzureAuth()],
    [new RealGcpAuth(), new standIns.GoogleCloudPlatformAuth()],
    [new RealOidcAuth(), new standIns.OpenIDConnectAuth()],
  ] as const;
  for (const [real, standIn] of pairs) {
    for (const user of withoutProvider) assert.equal(Boolean(real.isAuthProvider(user)), false, `${real.constructor.name} claims a ${user.name} user`);
    for (const user of [...withoutProvider, ...withProvider]) assert.equal(standIn.isAuthProvider(user), Boolean(real.isAuthProvider(user)), `${real.constructor.name}, ${user.name}`);
  }
});

/** The modules a fresh process loads to apply `user`'s credentials through the narrow KubeConfig. */
async function modulesLoadedFor(user: User, cluster: object = CLUSTER): Promise<string[]> {
  const recorded = join(work, `${user.name}.modules`);
  const recorder = `${new URL('../../../e2e/memory/module-recorder.js', import.meta.url).href}?out=${encodeURIComponent(recorded)}`;
  const script = `
    const { loadKubeConfigClass } = await import(${JSON.stringify(new URL('../../../controller/runtime/kubeconfig.js', import.meta.url).href)});
    const kubeConfig = new (await loadKubeConfigClass())();
    const [cluster, user] = JSON.parse(process.argv[1]);
    kubeConfig.loadFromClusterAndUser(cluster, user);
    await kubeConfig.applyToHTTPSOptions({});`;
  await promisify(execFile)(process.execPath, ['--import', recorder, '--input-type=module', '-e', script, JSON.stringify([cluster, user])]);
  return readFileSync(recorded, 'utf8').split('\n').filter(Boolean);
}

/**
 * The modules the stand-ins load, by a fragment of their URL. A module loaded by `require` is
 * recorded, but not the ES modules it imports in turn (they bypass the recorder's load hook).
 */
const DEFERRED_MODULES = ['/dist/azure_auth.js', '/dist/gcp_auth.js', '/dist/oidc_auth.js', '/socks-proxy-agent/', '/hpagent/', '/node-fetch/', '/dist/gen/'];

test('credentials of a token user load none of the deferred modules; an auth-provider user or a proxy-url loads its own', async () => {
  const deferredIn = (modules: string[]) => DEFERRED_MODULES.filter((fragment) => modules.some((url) => url.includes(fragment)));
  const tokenUser = await modulesLoadedFor({ name: 'token', token: 't' });
  assert.ok(tokenUser.some((url) => url.endsWith('/dist/exec_auth.js')), 'the recording lacks exec_auth.js: it is broken');
  assert.deepEqual(deferredIn(tokenUser), []);
  const oidcUser = await modulesLoadedFor({ name: 'oidc', authProvider: { name: 'oidc', config: { 'id-token': idToken() } } });
  assert.deepEqual(deferredIn(oidcUser), ['/dist/azure_auth.js', '/dist/gcp_auth.js', '/dist/oidc_auth.js']);
  const tokenFileUser = await modulesLoadedFor({ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: join(work, 'token') } } });
  assert.deepEqual(deferredIn(tokenFileUser), ['/dist/azure_auth.js', '/dist/gcp_auth.js'], 'the file authenticator precedes OIDC');
  const proxied = await modulesLoadedFor({ name: 'proxied', token: 't' }, { ...CLUSTER, proxyUrl: 'http://127.0.0.1:3128' });
  assert.deepEqual(deferredIn(proxied), ['/hpagent/']);
});

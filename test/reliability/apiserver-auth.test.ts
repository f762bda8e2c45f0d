/**
 * R5: the embedded API server answers nothing to a caller without the right bearer token — every
 * verb on built-in and custom resources, watches and discovery alike get 401 with a Status body,
 * and a refused write changes nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CRDS_FILE } from '../../cli/local-cluster.js';
import { readManifests } from '../../cli/manifests.js';
import { startTestServer, type TestServer } from '../apiserver/harness.js';

let t: TestServer;
let keptVersion: string;
before(async () => {
  t = await startTestServer({ customResourceDefinitions: await readManifests(CRDS_FILE) });
  await t.call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'auth' } } });
  keptVersion = (await t.call('POST', '/api/v1/namespaces/auth/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept' }, data: { a: '1' } } })).json.metadata.resourceVersion;
});
after(() => t.close());

const configMaps = '/api/v1/namespaces/auth/configmaps';
const certificates = '/apis/cert-manager.io/v1/namespaces/auth/certificates';
const configMap = (name: string, value: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: value } });

/** Every verb, on a built-in and a cert-manager resource, plus discovery and OpenAPI. */
const REQUESTS: Array<{ what: string; method: string; path: string; body?: unknown; contentType?: string }> = [
  { what: 'GET', method: 'GET', path: `${configMaps}/kept` },
  { what: 'LIST', method: 'GET', path: configMaps },
  { what: 'LIST all namespaces', method: 'GET', path: '/api/v1/secrets' },
  { what: 'WATCH', method: 'GET', path: `${configMaps}?watch=true` },
  { what: 'WATCH custom', method: 'GET', path: `${certificates}?watch=1&resourceVersion=0` },
  { what: 'POST', method: 'POST', path: configMaps, body: configMap('created', '1') },
  { what: 'POST custom', method: 'POST', path: certificates, body: { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c' }, spec: {} } },
  { what: 'PUT', method: 'PUT', path: `${configMaps}/kept`, body: configMap('kept', 'overwritten') },
  { what: 'PATCH merge', method: 'PATCH', path: `${configMaps}/kept`, body: { data: { a: 'patched' } }, contentType: 'application/merge-patch+json' },
  { what: 'PATCH apply', method: 'PATCH', path: `${configMaps}/kept?fieldManager=x`, body: configMap('kept', 'applied'), contentType: 'application/apply-patch+yaml' },
  { what: 'PUT status', method: 'PUT', path: `${certificates}/c/status`, body: {} },
  { what: 'DELETE', method: 'DELETE', path: `${configMaps}/kept` },
  { what: 'DELETE collection', method: 'DELETE', path: configMaps },
  { what: 'TokenRequest', method: 'POST', path: '/api/v1/namespaces/auth/serviceaccounts/default/token', body: { spec: { expirationSeconds: 600 } } },
  { what: 'discovery /api', method: 'GET', path: '/api' },
  { what: 'discovery /api/v1', method: 'GET', path: '/api/v1' },
  { what: 'discovery /apis', method: 'GET', path: '/apis' },
  { what: 'discovery /apis/cert-manager.io/v1', method: 'GET', path: '/apis/cert-manager.io/v1' },
  { what: 'OpenAPI v3', method: 'GET', path: '/openapi/v3' },
  { what: 'an unknown path', method: 'GET', path: '/no/such/path' },
];

/** No token, garbage, and near misses of the real one. */
const BAD_TOKENS = (): Array<{ what: string; token: string | null }> => [
  { what: 'no token', token: null },
  { what: 'an empty token', token: '' },
  { what: 'a wrong token', token: 'wrong' },
  { what: 'the token plus a character', token: `${t.server.token}x` },
  { what: 'the token less a character', token: t.server.token.slice(0, -1) },
  { what: 'the token upper-cased', token: t.server.token.toUpperCase() },
];

test('every verb and discovery answer 401 with a Status to a missing or wrong token', async () => {
  const failures: string[] = [];
  for (const { what: tokenWhat, token } of BAD_TOKENS()) {
    for (const r of REQUESTS) {
      const reply = await t.call(r.method, r.path, { token, ...(r.body !== undefined ? { body: r.body } : {}), ...(r.contentType ? { contentType: r.contentType } : {}) });
      const body = reply.json as { kind?: string; status?: string; reason?: string; code?: number } | undefined;
      if (reply.status !== 401 || body?.kind !== 'Status' || body.status !== 'Failure' || body.reason !== 'Unauthorized' || body.code !== 401) {
        failures.push(`${r.what} with ${tokenWhat}: ${reply.status} ${reply.text.slice(0, 120)}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

test('refused writes changed nothing', async () => {
  const kept = await t.call('GET', `${configMaps}/kept`);
  assert.equal(kept.status, 200);
  assert.deepEqual(kept.json.data, { a: '1' });
  assert.equal(kept.json.metadata.resourceVersion, keptVersion);
  assert.deepEqual((await t.call('GET', configMaps)).json.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['kept']);
  assert.equal((await t.call('GET', certificates)).json.items.length, 0);
});

test('with the right token the same server answers (the 401s are about the token)', async () => {
  for (const path of [configMaps, certificates, '/api', '/apis', '/openapi/v3']) assert.equal((await t.call('GET', path)).status, 200, path);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeClient } from '../../controller/runtime/client.js';
import { ManualClock } from '../../controller/runtime/clock.js';
import { createIssuerContext, SecretReader } from '../../issuers/context.js';
import type { KubeSecret } from '../../issuers/backend.js';
import { clusterIssuer, issuer, secret } from './fixtures.js';

/** A client whose `find` serves Secrets from a map, counting calls and resolving when told. */
function fakeClient(secrets: Map<string, KubeSecret>) {
  const calls: string[] = [];
  let release: () => void = () => {};
  let gate: Promise<void> | undefined;
  const client = {
    find: async (_type: unknown, ref: { namespace: string; name: string }) => {
      calls.push(`${ref.namespace}/${ref.name}`);
      if (gate) await gate;
      return secrets.get(`${ref.namespace}/${ref.name}`);
    },
  } as unknown as KubeClient;
  return {
    client,
    calls,
    hold: () => {
      gate = new Promise((resolve) => (release = resolve));
    },
    release: () => {
      gate = undefined;
      release();
    },
  };
}

describe('issuer context', () => {
  it('puts Issuer Secrets in the issuer namespace and ClusterIssuer Secrets in the cluster resource namespace (kube-system by default)', () => {
    const clock = new ManualClock();
    const ctx = createIssuerContext({ client: fakeClient(new Map()).client, clock });
    assert.equal(ctx.resourceNamespace(issuer({ selfSigned: {} }, 'team-a')), 'team-a');
    assert.equal(ctx.resourceNamespace(clusterIssuer({ selfSigned: {} })), 'kube-system');
    const custom = createIssuerContext({ client: fakeClient(new Map()).client, clock, clusterResourceNamespace: 'certwright' });
    assert.equal(custom.resourceNamespace(clusterIssuer({ selfSigned: {} })), 'certwright');
    assert.equal(custom.now(), clock.now());
  });

  it('reads a Secret on demand, reuses it within the max age, and reads it again after', async () => {
    const clock = new ManualClock();
    const secrets = new Map([['ns/ca', secret('ns', 'ca', { 'tls.crt': 'x' })]]);
    const api = fakeClient(secrets);
    const reader = new SecretReader({ client: api.client, clock, secretMaxAgeMs: 1000 });

    assert.equal((await reader.get('ns', 'ca'))?.metadata.name, 'ca');
    await reader.get('ns', 'ca');
    assert.deepEqual(api.calls, ['ns/ca']);
    clock.advance(1000);
    await reader.get('ns', 'ca');
    assert.deepEqual(api.calls, ['ns/ca', 'ns/ca']);
  });

  it('never remembers a missing Secret, so one created later is seen at once', async () => {
    const clock = new ManualClock();
    const secrets = new Map<string, KubeSecret>();
    const api = fakeClient(secrets);
    const reader = new SecretReader({ client: api.client, clock });
    assert.equal(await reader.get('ns', 'ca'), undefined);
    secrets.set('ns/ca', secret('ns', 'ca', {}));
    assert.equal((await reader.get('ns', 'ca'))?.metadata.name, 'ca');
    assert.equal(api.calls.length, 2);
  });

  it('sends one request for concurrent reads of the same Secret', async () => {
    const clock = new ManualClock();
    const api = fakeClient(new Map([['ns/ca', secret('ns', 'ca', {})]]));
    const reader = new SecretReader({ client: api.client, clock, secretMaxAgeMs: 0 });
    api.hold();
    const reads = [reader.get('ns', 'ca'), reader.get('ns', 'ca'), reader.get('ns', 'ca')];
    api.release();
    const results = await Promise.all(reads);
    assert.ok(results.every((s) => s?.metadata.name === 'ca'));
    assert.deepEqual(api.calls, ['ns/ca']);
    // With max age 0 nothing is kept: the next read goes to the API.
    await reader.get('ns', 'ca');
    assert.equal(api.calls.length, 2);
  });

  it('serves Secrets the owned-Secrets informer holds without an API call', async () => {
    const clock = new ManualClock();
    const api = fakeClient(new Map());
    const owned = secret('ns', 'next-key', { 'tls.key': 'k' });
    const informer = { get: (ref: { namespace?: string; name: string }) => (ref.name === 'next-key' ? owned : undefined) };
    const reader = new SecretReader({ client: api.client, clock, ownedSecrets: informer as never });
    assert.equal(await reader.get('ns', 'next-key'), owned);
    assert.deepEqual(api.calls, []);
  });
});

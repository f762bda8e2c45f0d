/** The Pebble test helper: it comes up on free ports with its own listener CA, resolves test names via bind9, and stops by pid. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { request } from 'node:https';
import { namedMissing } from '../dns/bind9.js';
import { pebbleMissing, startPebble, TEST_ZONE } from './pebble.js';

const skip = pebbleMissing() || namedMissing();

function getJson(url: string, ca: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(JSON.parse(body) as Record<string, unknown>));
    })
      .on('error', reject)
      .end();
  });
}

test('startPebble serves a directory over TLS trusted only through its listener CA, with test names resolving to loopback, and stop ends it', { skip }, async () => {
  const pebble = await startPebble({ externalAccountMacKeys: { kid1: 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W' } });
  try {
    const directory = await getJson(pebble.directoryUrl, pebble.listenerCaPem);
    assert.match(String(directory.newOrder), /^https:\/\/127\.0\.0\.1:\d+\//);
    assert.equal((directory.meta as Record<string, unknown>).externalAccountRequired, true);
    await assert.rejects(getJson(pebble.directoryUrl, ''), /certificate/i);
    assert.match(await pebble.rootPem(), /BEGIN CERTIFICATE/);
    const resolver = new Resolver();
    resolver.setServers([pebble.dns.nameserver]);
    assert.deepEqual(await resolver.resolve4(`www.${TEST_ZONE}`), ['127.0.0.1']);
  } finally {
    await pebble.stop();
  }
  await assert.rejects(getJson(pebble.directoryUrl, pebble.listenerCaPem), /ECONNREFUSED/);
});

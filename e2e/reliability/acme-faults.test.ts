/**
 * R3 ACME faults: Pebble rejects half of all nonces (badNonce), and a fault proxy in front of it
 * answers a share of the JWS requests itself — 503 and 429 `rateLimited` with Retry-After, 500
 * without. Ten Certificates still issue over HTTP-01, the ACME requests per Certificate stay under
 * a ceiling (no hot loop on a failing endpoint), no path is asked again before the Retry-After it
 * was given, and the waits are explained in Events on the Certificates and Orders.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../apiserver/admission.js';
import { EVENTS } from '../../controller/runtime/resources.js';
import { namedMissing } from '../dns/bind9.js';
import { pebbleMissing } from '../acme/pebble.js';
import { acmeIssuerSpec, createCertificate, createIssuer, NAMESPACE, startAcmeEnv, testName, waitForCertificateReady, waitForIssuerReady, type AcmeEnv } from '../acme/harness.js';
import { retryAfterViolations, startAcmeFaultProxy, type AcmeFault, type AcmeFaultProxy } from './acme-fault-proxy.js';

const skip = pebbleMissing() || namedMissing();
const COUNT = 8;
/** Unfaulted, one HTTP-01 issuance costs ~12 JWS requests plus nonces; badNonce at 50 % doubles that and the faults add their retries. */
const MAX_REQUESTS_PER_CERTIFICATE = 60;

/** Every FAULT_EVERY-th JWS POST is answered by the proxy, cycling through these. */
const FAULT_EVERY = 10;
const FAULTS: AcmeFault[] = [{ status: 503, retryAfterSeconds: 2 }, { status: 429, retryAfterSeconds: 3 }, { status: 500 }];
let posts = 0;

/** Faults only JWS POSTs (the ACME API calls); the directory and nonce fetches pass. */
function faultFor(method: string): AcmeFault | undefined {
  if (method !== 'POST' || ++posts % FAULT_EVERY !== 0) return undefined;
  return FAULTS[(posts / FAULT_EVERY) % FAULTS.length];
}

interface KubeEvent extends KubeObject {
  involvedObject: { kind: string; name: string };
  reason: string;
  message: string;
}

let env: AcmeEnv;
let proxy: AcmeFaultProxy;
const names = Array.from({ length: COUNT }, (_, i) => `faulty-acme-${i}`);

before(async () => {
  if (skip) return;
  env = await startAcmeEnv({ nonceRejectPercent: 50 });
  proxy = await startAcmeFaultProxy(env.pebble, faultFor);
  await createIssuer(env, 'faulty', acmeIssuerSpec(env.pebble, { server: proxy.directoryUrl }));
  await waitForIssuerReady(env, 'faulty');
  for (const name of names) await createCertificate(env, name, 'faulty', { dnsNames: [testName(name)] });
  const startedAt = Date.now();
  await Promise.all(names.map((name) => waitForCertificateReady(env, name, 50_000))).catch((err: Error) => {
    throw new Error(`${err.message}; ${stateSummary()}`);
  });
  console.log(`# ${COUNT} Certificates Ready through the faults in ${Date.now() - startedAt} ms, ${proxy.requests.length} ACME requests`);
});

/** Where each Certificate and Order stands and what the proxy answered, for a failure message. */
function stateSummary(): string {
  const certificates = names.map((name) => {
    const c = env.manager.informers.certificates.get({ namespace: NAMESPACE, name });
    return `${name}: ${JSON.stringify(c?.status?.conditions?.map((x) => [x.type, x.status, x.reason, x.message]))}`;
  });
  const orders = env.manager.acme!.orders.list(NAMESPACE).map((o) => `${o.metadata.name}: ${o.status?.state} ${o.status?.reason ?? ''} ${o.status?.url ?? ''} ${JSON.stringify(o.status?.authorizations?.map((a) => a.url))}`);
  const challenges = env.manager.acme!.challenges.list(NAMESPACE).map((c) => `${c.metadata.name}: ${c.status?.state} ${c.status?.reason ?? ''}`);
  const answers = proxy.requests.filter((r) => r.method === 'POST').slice(-60).map((r) => `${new Date(r.at).toISOString()} ${r.method} ${r.path} ${r.status}${r.injected ? '*' : ''}`);
  return [...certificates, ...orders, ...challenges, ...answers].join('\n');
}

after(async () => {
  await proxy?.close();
  await env?.close();
});

const injected = (status: number) => proxy.requests.filter((r) => r.injected && r.status === status).length;

test('every kind of fault was met: badNonce from Pebble, 503, 429 and 500 from the proxy', { skip }, () => {
  const badNonces = proxy.requests.filter((r) => r.problemType?.endsWith(':badNonce')).length;
  assert.ok(badNonces > 0, 'Pebble rejected no nonce');
  for (const status of [503, 429, 500]) assert.ok(injected(status) > 0, `no ${status} injected`);
});

test('ACME requests per Certificate stay bounded', { skip }, () => {
  const perCertificate = proxy.requests.length / COUNT;
  const byPath: Record<string, number> = {};
  for (const r of proxy.requests) byPath[`${r.method} ${r.path.replace(/\/[\w-]{10,}$/, '/…')}`] = (byPath[`${r.method} ${r.path.replace(/\/[\w-]{10,}$/, '/…')}`] ?? 0) + 1;
  assert.ok(perCertificate < MAX_REQUESTS_PER_CERTIFICATE, `${perCertificate} requests per Certificate: ${JSON.stringify(byPath)}`);
});

test('no path is asked again before its Retry-After has passed', { skip }, () => {
  assert.deepEqual(retryAfterViolations(proxy.requests), [], 'Retry-After honoured');
});

test('the waits are explained in Events', { skip }, async () => {
  const events = (await env.manager.client.list<KubeEvent>(EVENTS, { namespace: NAMESPACE })).items;
  const rateLimitedOrders = proxy.requests.filter((r) => r.injected && r.status === 429 && r.path === '/order-plz').length;
  if (rateLimitedOrders > 0) {
    const onCertificates = events.filter((e) => e.involvedObject.kind === 'Certificate' && e.reason === 'RateLimited');
    assert.ok(onCertificates.length > 0, `${rateLimitedOrders} newOrders rate limited, no RateLimited Event on a Certificate`);
    assert.match(onCertificates[0]!.message, /rateLimited.*retry after \d{4}-/);
  }
});

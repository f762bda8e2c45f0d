/**
 * The per-account order budget against Pebble (which has no rate limits of its own): with one
 * order per 2 s, three Certificates created at once all issue, their newOrders spaced out, the
 * waiting ones saying why instead of failing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Order } from '../../api/types.js';
import { namedMissing } from '../dns/bind9.js';
import { pebbleMissing } from './pebble.js';
import { acmeIssuerSpec, createCertificate, createIssuer, startAcmeEnv, testName, waitForCertificateReady, waitForIssuerReady, type AcmeEnv } from './harness.js';

const skip = pebbleMissing() || namedMissing();
const PERIOD_MS = 2_000;
let env: AcmeEnv;

before(async () => {
  if (skip) return;
  env = await startAcmeEnv({}, { orderBudget: { orders: 1, periodMs: PERIOD_MS } });
});
after(async () => {
  await env?.close();
});

test('orders beyond the budget wait their turn and say so, then issue', { skip }, async () => {
  const createdAt = new Map<string, number>();
  const waitingReasons: string[] = [];
  const note = (order: Order) => {
    if (order.status?.url && !createdAt.has(order.metadata.name!)) createdAt.set(order.metadata.name!, Date.now());
    if (order.status?.reason?.includes('order budget')) waitingReasons.push(order.status.reason);
  };
  env.manager.acme!.orders.addEventHandler({ onAdd: note, onUpdate: (_old, order) => note(order) });
  await createIssuer(env, 'budget', acmeIssuerSpec(env.pebble));
  await waitForIssuerReady(env, 'budget');
  for (const name of ['b1', 'b2', 'b3']) await createCertificate(env, name, 'budget', { dnsNames: [testName(name)] });
  for (const name of ['b1', 'b2', 'b3']) await waitForCertificateReady(env, name);
  const times = [...createdAt.values()].sort((a, b) => a - b);
  assert.equal(times.length, 3);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= PERIOD_MS - 300, `newOrders spaced by the budget: ${times.map((t) => t - times[0]!).join(', ')} ms`);
  assert.ok(waitingReasons.length > 0 && /next new order allowed at \d{4}-/.test(waitingReasons[0]!), waitingReasons[0]);
});

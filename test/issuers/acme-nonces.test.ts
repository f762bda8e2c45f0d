/**
 * The AcmeClient's nonce pool against a strict fake ACME server (every nonce valid once): signed
 * requests reuse the Replay-Nonce of earlier responses, `HEAD newNonce` only when none is left, and
 * a badNonce answer's fresh nonce signs the retry without also landing in the pool.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { AcmeClient } from '../../issuers/acme/client.js';
import { NoncePool } from '../../issuers/acme/nonce-pool.js';
import { listenOnLoopback, readRequestBody, type LoopbackListener } from '../doubles/loopback.js';

const BAD_NONCE = 'urn:ietf:params:acme:error:badNonce';

interface FakeAcme {
  heads: number;
  /** Nonces the signed requests were signed with, in order. */
  signedWith: string[];
  badNonces: number;
  /** The next signed request is refused with badNonce even when its nonce is good (as Pebble's NONCEREJECT does). */
  rejectNext: boolean;
}

let listener: LoopbackListener;
let base: string;
const fake: FakeAcme = { heads: 0, signedWith: [], badNonces: 0, rejectNext: false };
const issued = new Set<string>();
const fresh = () => {
  const nonce = randomUUID();
  issued.add(nonce);
  return nonce;
};

before(async () => {
  const server = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/dir') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ newNonce: `${base}/nonce`, newAccount: `${base}/account`, newOrder: `${base}/new-order` }));
      return;
    }
    if (req.method === 'HEAD' && req.url === '/nonce') {
      fake.heads++;
      res.writeHead(200, { 'replay-nonce': fresh() }).end();
      return;
    }
    const body = (await readRequestBody(req)).toString();
    const { nonce } = JSON.parse(Buffer.from(JSON.parse(body).protected, 'base64url').toString()) as { nonce: string };
    fake.signedWith.push(nonce);
    const valid = issued.delete(nonce) && !fake.rejectNext;
    fake.rejectNext = false;
    if (!valid) {
      fake.badNonces++;
      res.writeHead(400, { 'content-type': 'application/problem+json', 'replay-nonce': fresh() }).end(JSON.stringify({ type: BAD_NONCE, detail: 'bad nonce' }));
      return;
    }
    const order = { status: 'pending', identifiers: [], authorizations: [], finalize: `${base}/finalize` };
    res.writeHead(200, { 'content-type': 'application/json', 'replay-nonce': fresh() }).end(JSON.stringify(order));
  });
  listener = await listenOnLoopback(server);
  base = `http://127.0.0.1:${listener.port}`;
});
after(() => listener.close());

const newClient = () => {
  const accountKeyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return AcmeClient.connect({ directoryUrl: `${base}/dir`, accountKeyPem, accountUrl: `${base}/account/1` });
};
const reset = () => Object.assign(fake, { heads: 0, signedWith: [], badNonces: 0, rejectNext: false });

test('NoncePool hands out the newest nonce once, drops the oldest when full, ignores a missing header', () => {
  const pool = new NoncePool(2);
  pool.add(undefined);
  assert.equal(pool.take(), undefined);
  pool.add('a');
  pool.add('b');
  pool.add('c');
  assert.equal(pool.size, 2);
  assert.equal(pool.take(), 'c');
  assert.equal(pool.take(), 'b');
  assert.equal(pool.take(), undefined);
});

test('an empty pool asks newNonce once; later signed requests reuse the Replay-Nonce of the previous answer', async () => {
  reset();
  const client = await newClient();
  for (let i = 0; i < 4; i++) assert.equal((await client.getOrder(`${base}/order/1`)).status, 'pending');
  assert.equal(fake.heads, 1, 'HEAD newNonce only for the first request');
  assert.equal(fake.badNonces, 0, 'no nonce was sent twice');
  assert.equal(new Set(fake.signedWith).size, 4);
});

test('a badNonce answer: the retry is signed with its fresh nonce, which is not pooled (never sent twice)', async () => {
  reset();
  const client = await newClient();
  await client.getOrder(`${base}/order/1`);
  fake.rejectNext = true;
  await client.getOrder(`${base}/order/1`);
  await client.getOrder(`${base}/order/1`);
  await client.getOrder(`${base}/order/1`);
  assert.equal(fake.badNonces, 1, 'only the forced rejection');
  assert.equal(fake.heads, 1);
  assert.equal(fake.signedWith.length, 5, 'four requests and one retry');
  assert.equal(new Set(fake.signedWith).size, 5, 'every nonce signed once');
});

test('concurrent signed requests each take their own nonce; an emptied pool falls back to newNonce', async () => {
  reset();
  const client = await newClient();
  await client.getOrder(`${base}/order/1`); // one nonce pooled
  await Promise.all([1, 2, 3].map(() => client.getOrder(`${base}/order/1`)));
  assert.equal(fake.badNonces, 0);
  assert.equal(fake.heads, 3, 'the first request and two of the three concurrent ones had to ask');
  assert.equal(new Set(fake.signedWith).size, 4);
});

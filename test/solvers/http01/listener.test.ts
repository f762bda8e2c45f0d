/** The local HTTP-01 listener serves live tokens only, and the self-check reads it as the ACME server would. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Http01Listener, parseListenAddress } from '../../../solvers/http01/listener.js';
import { checkHttp01 } from '../../../solvers/http01/self-check.js';

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

test('parseListenAddress takes host:port, :port and [v6]:port', () => {
  assert.deepEqual(parseListenAddress(':80'), { host: undefined, port: 80 });
  assert.deepEqual(parseListenAddress('127.0.0.1:8089'), { host: '127.0.0.1', port: 8089 });
  assert.deepEqual(parseListenAddress('[::1]:0'), { host: '::1', port: 0 });
  assert.throws(() => parseListenAddress('80'), /want host:port/);
  assert.throws(() => parseListenAddress(':70000'), /invalid port/);
});

test('the listener answers a presented token with its key, and 404 before presenting and after clean-up', async () => {
  const listener = new Http01Listener();
  const port = await listener.listen('127.0.0.1:0');
  try {
    const path = '/.well-known/acme-challenge/tok_en-1';
    assert.equal((await get(port, path)).status, 404);
    listener.present('tok_en-1', 'tok_en-1.thumb');
    assert.deepEqual(await get(port, path), { status: 200, body: 'tok_en-1.thumb' });
    assert.equal((await get(port, path, 'POST')).status, 405);
    assert.equal((await get(port, '/.well-known/acme-challenge/../tok_en-1')).status, 404);
    assert.deepEqual(await checkHttp01('127.0.0.1', 'tok_en-1', 'tok_en-1.thumb', { port }), { ok: true, detail: `http://127.0.0.1:${port}/.well-known/acme-challenge/tok_en-1 serves the key` });
    assert.equal((await checkHttp01('127.0.0.1', 'tok_en-1', 'other', { port })).ok, false);
    listener.cleanUp('tok_en-1');
    const gone = await checkHttp01('127.0.0.1', 'tok_en-1', 'tok_en-1.thumb', { port });
    assert.equal(gone.ok, false);
    assert.match(gone.detail, /wrong status code '404'/);
  } finally {
    await listener.close();
  }
});

test('a replica answers tokens another replica presented, through its lookup (service mode behind one Service)', async () => {
  const elsewhere = new Map([['other-replica', 'other-replica.thumb']]);
  const listener = new Http01Listener((token) => elsewhere.get(token));
  const port = await listener.listen('127.0.0.1:0');
  try {
    assert.deepEqual(await get(port, '/.well-known/acme-challenge/other-replica'), { status: 200, body: 'other-replica.thumb' });
    listener.present('mine', 'mine.thumb');
    assert.deepEqual(await get(port, '/.well-known/acme-challenge/mine'), { status: 200, body: 'mine.thumb' });
    elsewhere.clear();
    assert.equal((await get(port, '/.well-known/acme-challenge/other-replica')).status, 404);
  } finally {
    await listener.close();
  }
});

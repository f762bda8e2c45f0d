/**
 * R5: the HTTP-01 listener faces the internet. It serves only live tokens, answers nothing but
 * GET and HEAD, refuses oversized requests with a status instead of falling over, finds no token
 * in traversal or encoded paths, cuts clients that stall mid-request, and keeps serving while many
 * connections sit open.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Http01Listener } from '../../solvers/http01/listener.js';

const TOKEN = 'live_token-1';
const KEY = `${TOKEN}.thumbprint`;
const PATH = `/.well-known/acme-challenge/${TOKEN}`;
const HEADERS_TIMEOUT_MS = 400;

let listener: Http01Listener;
let port: number;

before(async () => {
  listener = new Http01Listener(undefined, { headersTimeoutMs: HEADERS_TIMEOUT_MS, timeoutCheckIntervalMs: 100 });
  port = await listener.listen('127.0.0.1:0');
  listener.present(TOKEN, KEY);
});

after(() => listener.close());

/** Sends `raw` bytes as they are (no client-side normalisation) and returns the status line's code and the body. */
function rawRequest(raw: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(raw));
    let response = '';
    socket.on('data', (chunk) => (response += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
      resolve({ status, body: response.split('\r\n\r\n').slice(1).join('\r\n\r\n') });
    });
  });
}

const request = (method: string, path: string, headers: string[] = []) =>
  rawRequest([`${method} ${path} HTTP/1.1`, 'Host: www.example.test', 'Connection: close', ...headers, '', ''].join('\r\n'));

test('a live token is served; an unknown token and a cleaned-up one are 404', async () => {
  assert.deepEqual(await request('GET', PATH), { status: 200, body: KEY });
  assert.equal((await request('GET', '/.well-known/acme-challenge/unknown_token')).status, 404);
  listener.present('finished', 'finished.thumbprint');
  assert.equal((await request('GET', '/.well-known/acme-challenge/finished')).status, 200);
  listener.cleanUp('finished');
  assert.equal((await request('GET', '/.well-known/acme-challenge/finished')).status, 404);
});

test('HEAD is answered without a body; every other method is 405 with Allow', async () => {
  const head = await request('HEAD', PATH);
  assert.deepEqual(head, { status: 200, body: '' });
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE']) {
    const answer = await rawRequest(`${method} ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    assert.equal(answer.status, 405, method);
    assert.ok(!answer.body.includes(KEY), `${method} got the key`);
  }
});

test('traversal, encoded and odd paths find no token', async () => {
  const odd = [
    `/.well-known/acme-challenge/../acme-challenge/${TOKEN}`,
    `/.well-known/acme-challenge/%2e%2e/${TOKEN}`,
    `/.well-known/acme-challenge/${TOKEN.replace('l', '%6c')}`,
    `/.well-known/acme-challenge/${TOKEN}/`,
    `/.well-known/acme-challenge/${TOKEN}%00`,
    `/.well-known/acme-challenge//${TOKEN}`,
    `/.WELL-KNOWN/acme-challenge/${TOKEN}`,
    `//.well-known/acme-challenge/${TOKEN}`,
    `http://evil.example/.well-known/acme-challenge/unknown`,
    '*',
    '/.well-known/acme-challenge/',
  ];
  for (const path of odd) assert.equal((await request('GET', path)).status, 404, path);
  assert.equal((await request('GET', `/.well-known/acme-challenge/${TOKEN}?x=1`)).status, 200, 'a query string is ignored');
});

test('an oversized URL or header block is refused with 431/414, and the listener keeps serving', async () => {
  const longUrl = await request('GET', `/.well-known/acme-challenge/${'a'.repeat(20_000)}`);
  assert.ok([414, 431].includes(longUrl.status), `long URL: ${longUrl.status}`);
  const bigHeader = await request('GET', PATH, [`X-Filler: ${'b'.repeat(20_000)}`]);
  assert.equal(bigHeader.status, 431);
  const manyHeaders = await request('GET', PATH, Array.from({ length: 2_000 }, (_, i) => `X-H${i}: v`));
  assert.ok([431, 400].includes(manyHeaders.status), `2,000 headers: ${manyHeaders.status}`);
  assert.equal((await rawRequest('GARBAGE\r\n\r\n')).status, 400, 'a malformed request line');
  assert.deepEqual(await request('GET', PATH), { status: 200, body: KEY });
});

/** Resolves with how long after connecting the server closed a socket that sent `partial` and stalled. */
function stall(partial: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(partial));
    socket.on('error', reject);
    socket.resume();
    socket.on('close', () => resolve(Date.now() - startedAt));
  });
}

test('a client that sends part of a request and stalls is disconnected after the headers timeout', async () => {
  const [headersHalfSent, nothingSent] = await Promise.all([stall(`GET ${PATH} HTTP/1.1\r\nHost: x\r\n`), stall('')]);
  // Bounded by the timeout plus the check interval; generous for a loaded machine, far below Node's 60 s default.
  for (const ms of [headersHalfSent, nothingSent]) assert.ok(ms >= HEADERS_TIMEOUT_MS / 2 && ms < 10_000, `closed after ${ms} ms`);
});

test('many open connections do not stop service', async () => {
  const sockets: Socket[] = await Promise.all(
    Array.from({ length: 300 }, () => new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.write(`GET ${PATH} HTTP/1.1\r\n`);
        resolve(socket);
      });
      socket.on('error', () => {});
      socket.once('error', reject);
    })),
  );
  try {
    const answers = await Promise.all(Array.from({ length: 20 }, () => request('GET', PATH)));
    assert.ok(answers.every((a) => a.status === 200 && a.body === KEY), JSON.stringify(answers.filter((a) => a.status !== 200).slice(0, 3)));
  } finally {
    for (const socket of sockets) socket.destroy();
  }
});

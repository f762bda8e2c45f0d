/**
 * Client behaviour that a real API server cannot be made to show on demand: rotated credentials,
 * a watch cut mid-stream, rate-limit waits on the moved clock. A stub HTTP server plays the API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, queryString } from '../../../controller/runtime/client.js';
import { ManualClock } from '../../../controller/runtime/clock.js';
import { TimerQueue } from '../../../controller/runtime/timers.js';
import { isGone, isNotFound } from '../../../controller/runtime/api-error.js';
import { SECRETS } from '../../../controller/runtime/resources.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function withStub(handler: Handler, body: (kc: KubeConfig, requests: string[]) => Promise<void>, serverPath = ''): Promise<void> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'stub', server: `http://127.0.0.1:${port}${serverPath}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 'token-1' }],
    contexts: [{ name: 'stub', cluster: 'stub', user: 'u' }],
    currentContext: 'stub',
  });
  try {
    await body(kc, requests);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const secretJson = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'ns', name } });

test('a 401 re-reads credentials once and retries', async () => {
  await withStub(
    (req, res) => {
      if (req.headers.authorization !== 'Bearer token-2') {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 401, reason: 'Unauthorized', message: 'Unauthorized' }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(secretJson('a'));
    },
    async (kc, requests) => {
      const client = new KubeClient({ kubeConfig: kc, timers: new TimerQueue(new ManualClock()) });
      await client.get(SECRETS, { namespace: 'ns', name: 'a' }).then(
        () => assert.fail('token-1 must be refused'),
        (err) => assert.equal(err.code, 401),
      );
      // Rotated, as an exec plugin or a projected token file would be.
      (kc.getCurrentUser() as { token?: string }).token = 'token-2';
      const secret = await client.get(SECRETS, { namespace: 'ns', name: 'a' });
      assert.equal(secret.metadata.name, 'a');
      assert.deepEqual(requests.slice(-2).map((r) => r.split(' ')[2] + ' ' + r.split(' ')[3]), ['Bearer token-1', 'Bearer token-2']);
      await client.close();
    },
  );
});

test('requests wait for rate-limit tokens on the clock', async () => {
  await withStub(
    (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(secretJson('a')),
    async (kc, requests) => {
      const clock = new ManualClock();
      const client = new KubeClient({ kubeConfig: kc, timers: new TimerQueue(clock), rateLimit: { qps: 1, burst: 2 } });
      const ref = { namespace: 'ns', name: 'a' };
      await Promise.all([client.get(SECRETS, ref), client.get(SECRETS, ref)]);
      let third = false;
      const pending = client.get(SECRETS, ref).then(() => (third = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(third, false, 'the third request waits for a token');
      assert.equal(requests.length, 2);
      clock.advance(1000);
      await pending;
      assert.equal(requests.length, 3);
      await client.close();
    },
  );
});

test('a watch streams events; an ERROR event rejects with its Status; a cut stream rejects', async () => {
  let mode: 'events' | 'gone' | 'cut' = 'events';
  await withStub(
    (req, res) => {
      assert.match(req.url!, /watch=1/);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      if (mode === 'events') {
        res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { namespace: 'ns', name: 'a', resourceVersion: '5' } } }) + '\n');
        res.end(JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Secret', apiVersion: 'v1', metadata: { resourceVersion: '9' } } }) + '\n');
      } else if (mode === 'gone') {
        res.end(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } }) + '\n');
      } else {
        res.write('{"type":"ADDED","object":{"metadata":{"name":"half');
        setTimeout(() => res.socket?.destroy(), 20);
      }
    },
    async (kc) => {
      const client = new KubeClient({ kubeConfig: kc, timers: new TimerQueue(new ManualClock()) });
      const events: string[] = [];
      const stream = client.watch(SECRETS, { namespace: 'ns', resourceVersion: '1', timeoutSeconds: 60 }, (e) =>
        events.push(`${e.type} ${e.object.kind} ${e.object.metadata.resourceVersion}`),
      );
      await stream.done;
      assert.deepEqual(events, ['ADDED Secret 5', 'BOOKMARK Secret 9'], 'list/watch items get their kind filled in');

      mode = 'gone';
      await assert.rejects(client.watch(SECRETS, { resourceVersion: '1' }, () => {}).done, (err) => isGone(err));

      mode = 'cut';
      await assert.rejects(client.watch(SECRETS, { resourceVersion: '1' }, () => {}).done);
      await client.close();
    },
  );
});

test('find returns undefined for 404 and errors keep the server message', async () => {
  await withStub(
    (_req, res) =>
      res
        .writeHead(404, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ kind: 'Status', code: 404, reason: 'NotFound', message: 'secrets "nope" not found' })),
    async (kc) => {
      const client = new KubeClient({ kubeConfig: kc, timers: new TimerQueue(new ManualClock()) });
      assert.equal(await client.find(SECRETS, { namespace: 'ns', name: 'nope' }), undefined);
      await assert.rejects(client.get(SECRETS, { namespace: 'ns', name: 'nope' }), (err) => isNotFound(err) && /secrets "nope" not found/.test(String(err)));
      await client.close();
    },
  );
});

test('429 and 5xx with Retry-After are waited out on the clock and retried; without it they fail at once', async () => {
  let answers = [
    { status: 429, headers: { 'Retry-After': '2' } },
    { status: 503, headers: { 'Retry-After': '1' } },
    { status: 200, headers: {} },
    { status: 500, headers: {} },
  ];
  await withStub(
    (_req, res) => {
      const [answer, ...rest] = answers;
      answers = rest;
      const body = answer!.status === 200 ? secretJson('a') : JSON.stringify({ kind: 'Status', code: answer!.status, message: 'busy' });
      res.writeHead(answer!.status, { 'Content-Type': 'application/json', ...answer!.headers }).end(body);
    },
    async (kc, requests) => {
      const clock = new ManualClock();
      const client = new KubeClient({ kubeConfig: kc, timers: new TimerQueue(clock) });
      const ref = { namespace: 'ns', name: 'a' };
      let done = false;
      const pending = client.get(SECRETS, ref).then(() => (done = true));
      const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
      await settle();
      assert.equal(requests.length, 1);
      clock.advance(1999);
      await settle();
      assert.equal(requests.length, 1, 'Retry-After: 2 means two seconds');
      clock.advance(1);
      await settle();
      assert.equal(requests.length, 2);
      clock.advance(1000);
      await pending;
      assert.equal(done, true);
      assert.equal(requests.length, 3);
      await assert.rejects(client.get(SECRETS, ref), (err: { code?: number }) => err.code === 500);
      assert.equal(requests.length, 4, 'a 500 without Retry-After is not retried here');
      await client.close();
    },
  );
});

test('whenQuiet resolves once no request is in flight (what background Event writes wait for)', async () => {
  const held: http.ServerResponse[] = [];
  await withStub(
    (_req, res) => held.push(res),
    async (kc) => {
      const client = new KubeClient({ kubeConfig: kc, timers: new TimerQueue(new ManualClock()) });
      await client.whenQuiet();
      const first = client.get(SECRETS, { namespace: 'ns', name: 'a' });
      const second = client.get(SECRETS, { namespace: 'ns', name: 'b' });
      let quiet = false;
      const quietSeen = client.whenQuiet().then(() => (quiet = true));
      while (held.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      held[0]!.writeHead(200, { 'Content-Type': 'application/json' }).end(secretJson('a'));
      await first;
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(quiet, false, 'one request is still in flight');
      held[1]!.writeHead(200, { 'Content-Type': 'application/json' }).end(secretJson('b'));
      await second;
      await quietSeen;
      assert.equal(quiet, true);
      await client.close();
    },
  );
});

test('post sends JSON to an aggregated API path and returns its answer; a refusal is an API error', async () => {
  const bodies: unknown[] = [];
  await withStub(
    (req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      req.on('end', () => {
        bodies.push(JSON.parse(text));
        if (req.url?.endsWith('/refused')) {
          res.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', code: 403, reason: 'Forbidden', message: 'forbidden' }));
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'ChallengePayload', response: { success: true } }));
      });
    },
    async (kc, requests) => {
      const client = new KubeClient({ kubeConfig: kc, timers: new TimerQueue(new ManualClock()) });
      const payload = { apiVersion: 'acme.cert-manager.io/v1alpha1', kind: 'ChallengePayload', request: { action: 'Present' } };
      assert.deepEqual(await client.post('/apis/acme.example.org/v1alpha1/my-dns', payload), { kind: 'ChallengePayload', response: { success: true } });
      assert.equal(requests[0], 'POST /apis/acme.example.org/v1alpha1/my-dns Bearer token-1');
      assert.deepEqual(bodies[0], payload, 'the payload is sent as it is');
      await client.post('/apis/acme.example.org/v1alpha1/refused', payload).then(
        () => assert.fail('403 must reject'),
        (err) => assert.equal(err.code, 403),
      );
    },
  );
});

test('paths go under the server URL\'s own path; queries are encoded as URLSearchParams does; bodies arrive whole', async () => {
  const bodies: string[] = [];
  await withStub(
    (req, res) => {
      let text = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      req.on('end', () => {
        bodies.push(`${req.headers['content-length']} ${text}`);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(text || JSON.stringify({ metadata: {}, items: [] }));
      });
    },
    async (kc, requests) => {
      const client = new KubeClient({ kubeConfig: kc, timers: new TimerQueue(new ManualClock()) });
      await client.list(SECRETS, { namespace: 'ns', labelSelector: 'a in (x, y),!b' });
      const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'ns', name: 'é' }, stringData: { note: 'ünïcode' } };
      assert.deepEqual(await client.create(SECRETS, secret as never, { fieldManager: 'f m' }), secret);
      assert.deepEqual(
        requests.map((r) => r.split(' ').slice(0, 2).join(' ')),
        ['GET /k8s/clusters/c1/api/v1/namespaces/ns/secrets?labelSelector=a+in+%28x%2C+y%29%2C%21b&limit=500', 'POST /k8s/clusters/c1/api/v1/namespaces/ns/secrets?fieldManager=f+m'],
      );
      const json = JSON.stringify(secret);
      assert.deepEqual(bodies[1], `${Buffer.byteLength(json)} ${json}`);
    },
    '/k8s/clusters/c1/',
  );
});

test('queryString leaves out unset and empty parameters', () => {
  assert.equal(queryString(undefined), '');
  assert.equal(queryString({ a: undefined, b: '' }), '');
  assert.equal(queryString({ watch: 1, allowWatchBookmarks: true, resourceVersion: '5' }), '?watch=1&allowWatchBookmarks=true&resourceVersion=5');
});

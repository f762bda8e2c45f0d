/**
 * Cloudflare, acme-dns and webhook providers end to end against HTTP doubles of their APIs on
 * 127.0.0.1 (Cloudflare's documented v4 JSON envelopes, pagination, errors and 429s), and the
 * registry: provider choice and Secrets read only from the resource namespace.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ACMEChallengeSolverDNS01 } from '../../../api/types.js';
import { createCloudflareProvider } from '../../../solvers/dns01/cloudflare.js';
import { createAcmeDnsProvider } from '../../../solvers/dns01/acme-dns.js';
import { createWebhookProvider, httpWebhookTransport, type ChallengePayload } from '../../../solvers/dns01/webhook.js';
import { cleanUpDns01, createDns01Providers, presentDns01, providerFor } from '../../../solvers/dns01/registry.js';
import { retryDelayMs } from '../../../solvers/dns01/http-json.js';
import { dns01Request, secretsContext, startHttpDouble, type HttpDouble, type RecordedRequest } from './helpers.js';

const noWait = { sleep: async () => {} };

/** Cloudflare's v4 API for zones and DNS records, with the JSON envelope and page/per_page paging. */
class CloudflareDouble {
  zones = Array.from({ length: 130 }, (_, i) => ({ id: `zone-${i}`, name: i === 117 ? 'example.test' : `filler-${i}.test` }));
  records: Array<{ id: string; zone: string; type: string; name: string; content: string; ttl: number }> = [];
  throttleNext = 0;
  private nextId = 1;

  handle(req: RecordedRequest) {
    if (this.throttleNext > 0) {
      this.throttleNext--;
      return { status: 429, headers: { 'retry-after': '0' }, body: { success: false, errors: [{ code: 10000, message: 'Rate limited' }], result: null } };
    }
    const authorized = req.headers.authorization === 'Bearer cf-token' || (req.headers['x-auth-email'] === 'ops@example.test' && req.headers['x-auth-key'] === 'cf-global-key');
    if (!authorized) return { status: 403, body: { success: false, errors: [{ code: 9109, message: 'Invalid access token' }], messages: [], result: null } };
    const url = new URL(req.url, 'http://x');
    const page = <T>(items: T[]) => {
      const perPage = Number(url.searchParams.get('per_page') ?? 20);
      const number = Number(url.searchParams.get('page') ?? 1);
      const slice = items.slice((number - 1) * perPage, number * perPage);
      const info = { page: number, per_page: perPage, count: slice.length, total_count: items.length, total_pages: Math.ceil(items.length / perPage) };
      return { body: { success: true, errors: [], messages: [], result: slice, result_info: info } };
    };
    // The real API filters zones by name; this double ignores the filter to exercise paging.
    if (req.method === 'GET' && url.pathname === '/client/v4/zones') return page(this.zones);
    const match = /^\/client\/v4\/zones\/([^/]+)\/dns_records(?:\/([^/]+))?$/.exec(url.pathname);
    if (!match) return { status: 404, body: { success: false, errors: [{ code: 7003, message: 'Could not route' }], result: null } };
    const [, zone, recordId] = match;
    if (req.method === 'GET') {
      return page(this.records.filter((r) => r.zone === zone && r.type === url.searchParams.get('type') && r.name === url.searchParams.get('name')));
    }
    if (req.method === 'POST') {
      const body = JSON.parse(req.body) as { type: string; name: string; content: string; ttl: number };
      // Cloudflare now stores TXT content quoted and returns it so.
      const record = { id: `rec-${this.nextId++}`, zone: zone!, ...body, content: `"${body.content}"` };
      this.records.push(record);
      return { body: { success: true, errors: [], messages: [], result: record } };
    }
    if (req.method === 'DELETE') {
      const before = this.records.length;
      this.records = this.records.filter((r) => r.id !== recordId);
      if (this.records.length === before) return { status: 404, body: { success: false, errors: [{ code: 81044, message: 'Record does not exist.' }], result: null } };
      return { body: { success: true, errors: [], messages: [], result: { id: recordId } } };
    }
    return { status: 405, body: { success: false, errors: [{ code: 10405, message: 'Method not allowed' }], result: null } };
  }
}

describe('cloudflare', () => {
  let api: CloudflareDouble;
  let server: HttpDouble;
  before(async () => {
    server = await startHttpDouble((req) => api.handle(req));
  });
  after(() => server.close());

  const tokenSolver: ACMEChallengeSolverDNS01 = { cloudflare: { apiTokenSecretRef: { name: 'cf', key: 'token' } } };
  const ctx = () => secretsContext({ 'team-a/cf': { token: 'cf-token\n', key: 'cf-global-key' } });
  const provider = () => createCloudflareProvider({ apiUrl: `${server.url}/client/v4`, ...noWait });

  test('present creates the TXT record once (zone and records found across pages); cleanUp deletes only that value', async () => {
    api = new CloudflareDouble();
    for (let i = 0; i < 120; i++) api.records.push({ id: `other-${i}`, zone: 'zone-117', type: 'TXT', name: '_acme-challenge.www.example.test', content: `"other-${i}"`, ttl: 120 });
    const request = dns01Request();
    await provider().present(request, tokenSolver, ctx());
    await provider().present(request, tokenSolver, ctx());
    const posts = server.requests.filter((r) => r.method === 'POST');
    assert.equal(posts.length, 1);
    assert.deepEqual(JSON.parse(posts[0]!.body), { type: 'TXT', name: '_acme-challenge.www.example.test', content: request.key, ttl: 120 });
    assert.equal(posts[0]!.url, '/client/v4/zones/zone-117/dns_records');
    assert.ok(server.requests.some((r) => /\/zones\?.*page=2/.test(r.url)), 'the zone list was paged');

    await provider().cleanUp(request, tokenSolver, ctx());
    assert.equal(api.records.length, 120);
    assert.ok(api.records.every((r) => r.content !== `"${request.key}"`));
    await provider().cleanUp(request, tokenSolver, ctx()); // nothing left to delete: no error
  });

  test('email + global API key auth; API errors keep their code and message', async () => {
    api = new CloudflareDouble();
    const keySolver: ACMEChallengeSolverDNS01 = { cloudflare: { email: 'ops@example.test', apiKeySecretRef: { name: 'cf', key: 'key' } } };
    await provider().present(dns01Request(), keySolver, ctx());
    assert.equal(api.records.length, 1);
    const wrongToken = secretsContext({ 'team-a/cf': { token: 'stale' } });
    await assert.rejects(provider().present(dns01Request(), tokenSolver, wrongToken), /cloudflare: GET \/zones\?.* failed with HTTP 403 \(9109: Invalid access token\)/);
    await assert.rejects(provider().present(dns01Request(), { cloudflare: { apiKeySecretRef: { name: 'cf', key: 'key' } } }, ctx()), /email is required with apiKeySecretRef/);
    await assert.rejects(provider().present(dns01Request(), { cloudflare: {} }, ctx()), /one of apiTokenSecretRef or apiKeySecretRef is required/);
    await assert.rejects(provider().present(dns01Request({ resolvedZone: 'nowhere.test.' }), tokenSolver, ctx()), /zone nowhere\.test not found/);
  });

  test('429 responses are retried after Retry-After; a persistent 429 fails after bounded attempts', async () => {
    api = new CloudflareDouble();
    api.throttleNext = 3;
    const before = server.requests.length;
    await provider().present(dns01Request(), tokenSolver, ctx());
    assert.equal(api.records.length, 1);
    // 3 throttled + zone pages (2) + record list (1) + create (1)
    assert.equal(server.requests.length - before, 7);
    api.throttleNext = 100;
    await assert.rejects(
      createCloudflareProvider({ apiUrl: `${server.url}/client/v4`, maxAttempts: 3, ...noWait }).present(dns01Request(), tokenSolver, ctx()),
      /failed with HTTP 429 \(10000: Rate limited\)/,
    );
    assert.equal(api.throttleNext, 97);
  });

  test('retry delays follow Retry-After, capped, else back off exponentially', () => {
    assert.equal(retryDelayMs('2', 1), 2000);
    assert.equal(retryDelayMs('3600', 1), 30_000);
    assert.equal(retryDelayMs(null, 1), 250);
    assert.equal(retryDelayMs('soon', 3), 1000);
    assert.equal(retryDelayMs(new Date(5000).toUTCString(), 1, 0), 5000);
  });
});

describe('acmeDNS', () => {
  let server: HttpDouble;
  let lastTxt: string | undefined;
  before(async () => {
    server = await startHttpDouble((req) => {
      if (req.method !== 'POST' || req.url !== '/update') return { status: 404, body: { error: 'not found' } };
      if (req.headers['x-api-user'] !== 'user-1' || req.headers['x-api-key'] !== 'pass-1') return { status: 401, body: { error: 'forbidden' } };
      const body = JSON.parse(req.body) as { subdomain: string; txt: string };
      if (body.txt.length !== 43) return { status: 400, body: { error: 'bad_txt' } };
      lastTxt = `${body.subdomain}=${body.txt}`;
      return { body: { txt: body.txt } };
    });
  });
  after(() => server.close());

  const accounts = (password: string) =>
    JSON.stringify({ 'www.example.test': { username: 'user-1', password, subdomain: 'd420c923-bbd7', fulldomain: 'd420c923-bbd7.auth.example.org', allowfrom: [] } });
  const solver = (host: string): ACMEChallengeSolverDNS01 => ({ acmeDNS: { host, accountSecretRef: { name: 'acme-dns', key: 'acmedns.json' } } });
  const digest = 'x'.repeat(43);

  test('present updates the account subdomain with the key; cleanUp sends nothing', async () => {
    const ctx = secretsContext({ 'team-a/acme-dns': { 'acmedns.json': accounts('pass-1') } });
    await createAcmeDnsProvider().present(dns01Request({ key: digest }), solver(server.url), ctx);
    assert.equal(lastTxt, `d420c923-bbd7=${digest}`);
    const count = server.requests.length;
    await createAcmeDnsProvider().cleanUp(dns01Request({ key: digest }), solver(server.url), ctx);
    assert.equal(server.requests.length, count);
  });

  test('errors: wrong credentials, rejected value, unknown domain, malformed Secret', async () => {
    const ctx = (json: string) => secretsContext({ 'team-a/acme-dns': { 'acmedns.json': json } });
    await assert.rejects(createAcmeDnsProvider().present(dns01Request({ key: digest }), solver(server.url), ctx(accounts('wrong'))), /failed with HTTP 401 \(forbidden\)/);
    await assert.rejects(createAcmeDnsProvider().present(dns01Request({ key: 'short' }), solver(`${server.url}/`), ctx(accounts('pass-1'))), /HTTP 400 \(bad_txt\)/);
    await assert.rejects(createAcmeDnsProvider().present(dns01Request({ dnsName: 'api.example.test' }), solver(server.url), ctx(accounts('pass-1'))), /no account for domain api\.example\.test/);
    await assert.rejects(createAcmeDnsProvider().present(dns01Request(), solver(server.url), ctx('{not json')), /not JSON/);
    await assert.rejects(createAcmeDnsProvider().present(dns01Request(), solver('not a url'), ctx(accounts('pass-1'))), /host "not a url" is not a URL/);
  });
});

describe('webhook', () => {
  let server: HttpDouble;
  before(async () => {
    server = await startHttpDouble((req) => {
      const payload = JSON.parse(req.body) as ChallengePayload;
      const fail = (payload.request?.config as { fail?: boolean } | undefined)?.fail;
      return {
        body: {
          apiVersion: payload.apiVersion,
          kind: 'ChallengePayload',
          response: { uid: payload.request!.uid, success: !fail, status: fail ? { message: 'zone is locked', reason: 'Failure', code: 500 } : undefined },
        },
      };
    });
  });
  after(() => server.close());

  const solver = (config: unknown): ACMEChallengeSolverDNS01 => ({ webhook: { groupName: 'acme.example.org', solverName: 'my-dns', config } });

  test('Present and CleanUp POST a ChallengePayload to /apis/<group>/v1alpha1/<solver>', async () => {
    const provider = createWebhookProvider(httpWebhookTransport(server.url, { headers: { authorization: 'Bearer sa-token' } }));
    const request = dns01Request({ allowAmbientCredentials: true });
    await provider.present(request, solver({ zoneId: 'Z1' }), secretsContext({}));
    await provider.cleanUp(request, solver({ zoneId: 'Z1' }), secretsContext({}));
    assert.deepEqual(server.requests.map((r) => `${r.method} ${r.url}`), ['POST /apis/acme.example.org/v1alpha1/my-dns', 'POST /apis/acme.example.org/v1alpha1/my-dns']);
    assert.equal(server.requests[0]!.headers.authorization, 'Bearer sa-token');
    assert.deepEqual(JSON.parse(server.requests[0]!.body), {
      apiVersion: 'webhook.acme.cert-manager.io/v1alpha1',
      kind: 'ChallengePayload',
      request: {
        uid: 'challenge-uid-1',
        action: 'Present',
        type: 'dns-01',
        dnsName: 'www.example.test',
        key: 'key-authorization-digest-1',
        resourceNamespace: 'team-a',
        resolvedFQDN: '_acme-challenge.www.example.test.',
        resolvedZone: 'example.test.',
        allowAmbientCredentials: true,
        config: { zoneId: 'Z1' },
      },
    });
    assert.equal((JSON.parse(server.requests[1]!.body) as ChallengePayload).request!.action, 'CleanUp');
  });

  test('an unsuccessful response, a missing groupName and a missing API connection are errors', async () => {
    const provider = createWebhookProvider(httpWebhookTransport(server.url));
    await assert.rejects(provider.present(dns01Request(), solver({ fail: true }), secretsContext({})), /webhook acme\.example\.org\/my-dns: Present failed: zone is locked/);
    await assert.rejects(provider.present(dns01Request(), { webhook: { solverName: 'my-dns' } }, secretsContext({})), /groupName is required/);
    await assert.rejects(createWebhookProvider().present(dns01Request(), solver({}), secretsContext({})), /no API server connection/);
  });
});

describe('registry', () => {
  test('exactly one implemented provider is chosen from the solver config', () => {
    const providers = createDns01Providers();
    assert.equal(providerFor({ rfc2136: { nameserver: '127.0.0.1' } }, providers).name, 'rfc2136');
    assert.equal(providerFor({ acmeDNS: { host: 'https://a', accountSecretRef: { name: 'x' } } }, providers).name, 'acmeDNS');
    assert.throws(() => providerFor({}, providers), /configures no provider/);
    assert.throws(() => providerFor({ route53: {}, acmeDNS: { host: 'h', accountSecretRef: { name: 'x' } } }, providers), /more than one provider: route53, acmeDNS/);
    assert.throws(() => providerFor({ digitalocean: { tokenSecretRef: { name: 't' } } }, providers), /dns01 provider digitalocean is not supported/);
  });

  test('Secrets are read only from the resource namespace, even when the same name exists elsewhere', async () => {
    const server = await startHttpDouble(() => ({ body: { success: true, errors: [], result: [] } }));
    try {
      const providers = createDns01Providers({ cloudflare: { apiUrl: server.url, ...noWait } });
      const ctx = secretsContext({ 'other-team/cf': { token: 'cf-token' }, 'cert-manager/cf': { token: 'cf-token' } });
      const solver: ACMEChallengeSolverDNS01 = { cloudflare: { apiTokenSecretRef: { name: 'cf', key: 'token' } } };
      await assert.rejects(presentDns01(dns01Request({ resourceNamespace: 'team-a' }), solver, ctx, providers), /Secret team-a\/cf not found/);
      await assert.rejects(cleanUpDns01(dns01Request({ resourceNamespace: 'team-a' }), solver, ctx, providers), /Secret team-a\/cf not found/);
      assert.deepEqual(ctx.reads, ['team-a/cf', 'team-a/cf']);
      assert.equal(server.requests.length, 0, 'no API call without credentials');
    } finally {
      await server.close();
    }
  });

  test('a provider asking outside its namespace through the scoped context is refused', async () => {
    const ctx = secretsContext({ 'other-team/cf': { token: 'cf-token' } });
    const sneaky = {
      name: 'rfc2136',
      present: async (_r: unknown, _c: unknown, scoped: typeof ctx) => {
        await scoped.getSecret('other-team', 'cf');
      },
      cleanUp: async () => {},
    };
    await assert.rejects(
      presentDns01(dns01Request(), { rfc2136: { nameserver: '127.0.0.1' } }, ctx, new Map([['rfc2136', sneaky as never]])),
      /refusing to read Secret other-team\/cf: DNS-01 credentials come only from namespace team-a/,
    );
    assert.deepEqual(ctx.reads, []);
  });
});

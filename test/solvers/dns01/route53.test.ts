/**
 * The route53 provider through the real AWS SDK against an HTTP double of Route53 and STS on
 * 127.0.0.1: credential sources, zone lookup, TXT set UPSERT/DELETE keeping other values, change
 * polling, throttling.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ACMEChallengeSolverDNS01 } from '../../../api/types.js';
import { createRoute53Provider, type Route53Options } from '../../../solvers/dns01/route53.js';
import { dns01Request, secretsContext, startHttpDouble, type HttpDouble } from './helpers.js';
import { Route53Double } from './route53-double.js';

const FQDN = '_acme-challenge.www.example.test.';

describe('route53 against an HTTP double of the Route53 and STS APIs', () => {
  let api: Route53Double;
  let server: HttpDouble;
  before(async () => {
    server = await startHttpDouble((req) => api.handle(req));
  });
  after(() => server.close());
  beforeEach(() => {
    api = new Route53Double();
    api.zones = [
      ...Array.from({ length: 230 }, (_, i) => ({ id: `ZFILL${i}`, name: `filler-${String(i).padStart(3, '0')}.test.` })),
      { id: 'ZTEST', name: 'test.' },
      { id: 'ZEXAMPLE', name: 'example.test.' },
      { id: 'ZPRIVATE', name: 'www.example.test.', private: true },
      { id: 'ZOTHER', name: 'ample.test.' },
    ];
    server.requests.length = 0;
  });

  const options = (extra: Route53Options = {}): Route53Options => ({
    endpoint: server.url,
    stsEndpoint: server.url,
    changePollIntervalMs: 1,
    maxAttempts: 3,
    ...extra,
  });
  const keysCtx = () => secretsContext({ 'team-a/aws': { id: 'AKIDSTATIC', secret: 'static-secret' } });
  const staticSolver = (extra: Partial<NonNullable<ACMEChallengeSolverDNS01['route53']>> = {}): ACMEChallengeSolverDNS01 => ({
    route53: { accessKeyIDSecretRef: { name: 'aws', key: 'id' }, secretAccessKeySecretRef: { name: 'aws', key: 'secret' }, region: 'eu-west-1', ...extra },
  });
  const paths = () => server.requests.map((r) => `${r.method} ${new URL(r.url, 'http://x').pathname}`);

  test('static keys: zone by longest public suffix across pages; UPSERT keeps other values; waits for INSYNC', async () => {
    api.setTxt('ZEXAMPLE', FQDN, ['other-value']);
    api.pendingPolls = 2;
    const provider = createRoute53Provider(options());
    const request = dns01Request();
    await provider.present(request, staticSolver(), keysCtx());
    assert.deepEqual(api.txt('ZEXAMPLE', FQDN), ['"other-value"', `"${request.key}"`]);
    assert.deepEqual(api.changeBatches[0]!.changes.map((c) => c.action), ['UPSERT']);
    assert.equal(api.changeBatches[0]!.changes[0]!.ttl, 300, 'the existing TTL is kept');
    assert.equal(paths().filter((p) => p === 'GET /2013-04-01/hostedzonesbyname').length, 3, 'every page of zones was read');
    assert.equal(paths().filter((p) => p.startsWith('GET /2013-04-01/change/')).length, 3, 'PENDING twice, then INSYNC');
    assert.ok(api.signers.every((s) => s.accessKeyId === 'AKIDSTATIC' && !s.sessionToken));
    assert.match(String(server.requests[0]!.headers.authorization), /Credential=AKIDSTATIC\/\d{8}\/eu-west-1\/route53\/aws4_request/);

    const changesBefore = api.changeBatches.length;
    await provider.present(request, staticSolver(), keysCtx());
    assert.equal(api.changeBatches.length, changesBefore, 'presenting twice changes nothing');

    await provider.cleanUp(request, staticSolver(), keysCtx());
    assert.deepEqual(api.txt('ZEXAMPLE', FQDN), ['"other-value"']);
    await provider.cleanUp(dns01Request({ key: 'other-value' }), staticSolver(), keysCtx());
    assert.equal(api.txt('ZEXAMPLE', FQDN), undefined, 'the last value goes with a DELETE of the exact set');
    assert.deepEqual(api.changeBatches.map((b) => b.changes[0]!.action), ['UPSERT', 'UPSERT', 'DELETE']);
  });

  test('hostedZoneID skips the lookup; an inline accessKeyID works like the Secret one', async () => {
    await createRoute53Provider(options()).present(dns01Request(), staticSolver({ hostedZoneID: '/hostedzone/ZEXAMPLE', accessKeyIDSecretRef: undefined, accessKeyID: 'AKIDINLINE' }), keysCtx());
    assert.ok(!paths().includes('GET /2013-04-01/hostedzonesbyname'));
    assert.deepEqual(api.txt('ZEXAMPLE', FQDN), ['"key-authorization-digest-1"']);
    assert.equal(api.signers[0]!.accessKeyId, 'AKIDINLINE');
  });

  test('role: STS AssumeRole signed with the static keys, then Route53 with the session', async () => {
    await createRoute53Provider(options()).present(dns01Request(), staticSolver({ role: 'arn:aws:iam::123456789012:role/dns' }), keysCtx());
    assert.deepEqual(api.assumed, [{ action: 'AssumeRole', roleArn: 'arn:aws:iam::123456789012:role/dns', webIdentityToken: undefined, signedBy: 'AKIDSTATIC' }]);
    assert.ok(api.signers.every((s) => s.accessKeyId === 'ASIAASSUMEDROLE' && s.sessionToken === 'session-token-ASIAASSUMEDROLE'));
  });

  test('auth.kubernetes: a ServiceAccount token exchanged by AssumeRoleWithWebIdentity', async () => {
    const asked: unknown[] = [];
    const provider = createRoute53Provider(
      options({
        serviceAccountToken: async ({ namespace, name, audiences }) => {
          asked.push({ namespace, name, audiences });
          return 'projected-sa-token';
        },
      }),
    );
    const solver: ACMEChallengeSolverDNS01 = { route53: { role: 'arn:aws:iam::1:role/web', auth: { kubernetes: { serviceAccountRef: { name: 'dns-sa' } } } } };
    await provider.present(dns01Request(), solver, secretsContext({}));
    assert.deepEqual(asked, [{ namespace: 'team-a', name: 'dns-sa', audiences: ['sts.amazonaws.com'] }]);
    assert.equal(api.assumed[0]!.action, 'AssumeRoleWithWebIdentity');
    assert.equal(api.assumed[0]!.webIdentityToken, 'projected-sa-token');
    assert.ok(api.signers.every((s) => s.accessKeyId === 'ASIAWEBIDENTITY'));
    await assert.rejects(
      provider.present(dns01Request(), { route53: { auth: { kubernetes: { serviceAccountRef: { name: 'dns-sa' } } } } }, secretsContext({})),
      /auth\.kubernetes needs role/,
    );
  });

  test('ambient credentials only where allowed; half a key pair is an error', async () => {
    const provider = createRoute53Provider(options());
    await assert.rejects(provider.present(dns01Request(), { route53: {} }, secretsContext({})), /no credentials configured and ambient credentials are not allowed/);
    assert.equal(server.requests.length, 0);
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDAMBIENT';
    process.env.AWS_SECRET_ACCESS_KEY = 'ambient-secret';
    try {
      await provider.present(dns01Request({ allowAmbientCredentials: true }), { route53: {} }, secretsContext({}));
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    }
    assert.ok(api.signers.length > 0 && api.signers.every((s) => s.accessKeyId === 'AKIDAMBIENT'));
    await assert.rejects(provider.present(dns01Request(), { route53: { accessKeyID: 'AKIDONLY' } }, keysCtx()), /must be set together/);
  });

  test('Throttling is retried by the SDK; persistent throttling fails after bounded attempts, naming the code', async () => {
    api.throttleNext = 1;
    const provider = createRoute53Provider(options({ maxAttempts: 2 }));
    await provider.present(dns01Request(), staticSolver({ hostedZoneID: 'ZEXAMPLE' }), keysCtx());
    assert.deepEqual(api.txt('ZEXAMPLE', FQDN), ['"key-authorization-digest-1"']);
    api.throttleNext = 100;
    const before = server.requests.length;
    await assert.rejects(provider.cleanUp(dns01Request(), staticSolver({ hostedZoneID: 'ZEXAMPLE' }), keysCtx()), /route53: cleanUp of TXT _acme-challenge\.www\.example\.test\. failed: Throttling: Rate exceeded/);
    assert.equal(server.requests.length - before, 2, 'maxAttempts requests, no more');
  });

  test('a change never INSYNC, a missing zone and an unknown hosted zone are errors', async () => {
    api.pendingPolls = 1000;
    await assert.rejects(
      createRoute53Provider(options({ maxChangePolls: 4 })).present(dns01Request(), staticSolver({ hostedZoneID: 'ZEXAMPLE' }), keysCtx()),
      /change \/change\/C1 not INSYNC after 4 polls/,
    );
    await assert.rejects(createRoute53Provider(options()).present(dns01Request({ resolvedFQDN: '_acme-challenge.www.nowhere.invalid.' }), staticSolver(), keysCtx()), /no public hosted zone found/);
    await assert.rejects(createRoute53Provider(options()).present(dns01Request(), staticSolver({ hostedZoneID: 'ZNOPE' }), keysCtx()), /NoSuchHostedZone: No hosted zone found with ID: ZNOPE/);
  });
});

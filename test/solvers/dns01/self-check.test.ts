/**
 * Record resolution (cnameStrategy, zone apex) and the self-check against a real bind9 as the
 * zone's first authoritative server, a lagging second one (a small UDP double on 127.0.0.2: bind9
 * listens only on interface addresses), recursive-only mode, and DoH through an RFC 8484 front that
 * forwards to bind9.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createSocket, type Socket } from 'node:dgram';
import packet from 'dns-packet';
import { namedMissing, rfc2136SolverFor, startBind9, type Bind9 } from '../../../e2e/dns/bind9.js';
import { exchange, parseNameserver } from '../../../solvers/dns01/dns-transport.js';
import { firstAnswering, DOH_MAX_RESPONSE_BYTES } from '../../../solvers/dns01/lookup.js';
import { challengeRecordName, findZoneApex, resolveChallengeRecord, resolveDns01Request } from '../../../solvers/dns01/record.js';
import { checkTxtPropagated, selfCheckOptionsFor, waitInsteadOfSelfCheckRemainingMs } from '../../../solvers/dns01/self-check.js';
import { createRfc2136Provider } from '../../../solvers/dns01/rfc2136.js';
import { listenOnLoopback, readRequestBody } from '../../doubles/loopback.js';
import { dns01Request, secretsContext } from './helpers.js';

describe('self-check options', () => {
  test('per-solver nameservers replace the recursive ones and disable the authoritative check', () => {
    const flags = { recursiveNameservers: ['10.0.0.1:53'], recursiveOnly: false };
    assert.deepEqual(selfCheckOptionsFor({ dns01: { nameservers: ['https://doh.example/dns-query'], webhook: { solverName: 'x' } } }, flags), {
      recursiveNameservers: ['https://doh.example/dns-query'],
      recursiveOnly: true,
    });
    assert.equal(selfCheckOptionsFor({ dns01: { webhook: { solverName: 'x' } } }, flags), flags);
  });

  test('a fixed wait only when waitInsteadOfSelfCheck is configured', () => {
    const solver = { dns01: { webhook: { solverName: 'x' } } };
    assert.equal(waitInsteadOfSelfCheckRemainingMs(solver, 1_000, 5_000), undefined);
    assert.equal(waitInsteadOfSelfCheckRemainingMs({ ...solver, waitInsteadOfSelfCheck: '30s' }, 1_000, 5_000), 26_000);
    assert.equal(waitInsteadOfSelfCheckRemainingMs({ ...solver, waitInsteadOfSelfCheck: '30s' }, 1_000, 60_000), 0);
  });

  test('challenge record names: wildcards share their base name', () => {
    assert.equal(challengeRecordName('*.Example.com'), '_acme-challenge.example.com.');
    assert.equal(challengeRecordName('www.example.com.'), '_acme-challenge.www.example.com.');
  });
});

/** An authoritative server double that knows only the TXT values it is given (and nothing else). */
class LaggingServer {
  readonly txt = new Map<string, string[]>();
  constructor(private readonly socket: Socket) {
    socket.on('message', (message, peer) => {
      const query = packet.decode(message);
      const question = query.questions![0]!;
      const values = this.txt.get(question.name.toLowerCase());
      const reply = packet.encode({
        type: 'response',
        id: query.id,
        flags: packet.AUTHORITATIVE_ANSWER | (values ? 0 : 3), // NXDOMAIN when unknown
        questions: [question],
        answers: question.type === 'TXT' && values ? values.map((v) => ({ name: question.name, type: 'TXT' as const, ttl: 60, data: [v] })) : [],
      });
      socket.send(reply, peer.port, peer.address);
    });
  }

  static async start(address: string, port: number): Promise<LaggingServer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, resolve);
    });
    return new LaggingServer(socket);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

describe('record resolution and self-check against bind9', { skip: namedMissing() }, () => {
  let primary: Bind9;
  let secondary: LaggingServer;
  let doh: Server;
  let dohUrl: string;
  let oversized: Server;
  let oversizedUrl: string;
  // The test DoH fronts speak plain HTTP; the client under test addresses them as https:// DoH entries.
  const viaHttp: typeof fetch = (url, init) => fetch(String(url).replace(/^https:/, 'http:'), init);
  const records = [
    '@ IN NS ns2',
    'ns2 IN A 127.0.0.2',
    '_acme-challenge.delegated IN CNAME hop.challenges.test.',
    'hop IN CNAME _acme-challenge.final.challenges.test.',
    '_acme-challenge.loop IN CNAME _acme-challenge.loop.example.test.',
  ];
  const write = async (server: Bind9, fqdn: string, key: string): Promise<void> => {
    const { solver, secretData } = rfc2136SolverFor(server, server.keys[0], 't');
    const plain = Object.fromEntries(Object.entries(secretData).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    await createRfc2136Provider().present(dns01Request({ resolvedFQDN: fqdn, key }), solver, secretsContext({ 'team-a/t': plain }));
  };
  const listen = async (server: Server): Promise<string> => `https://127.0.0.1:${(await listenOnLoopback(server)).port}/dns-query`;

  before(async () => {
    primary = await startBind9({ zones: ['example.test', 'challenges.test'], keys: [{ algorithm: 'HMACSHA256' }], records });
    secondary = await LaggingServer.start('127.0.0.2', primary.port);
    doh = createServer(async (req, res) => {
      const query = await readRequestBody(req);
      assert.equal(req.headers['content-type'], 'application/dns-message');
      const reply = await exchange(parseNameserver(primary.nameserver), query, { protocol: 'UDP' });
      res.writeHead(200, { 'content-type': 'application/dns-message' }).end(reply);
    });
    dohUrl = await listen(doh);
    oversized = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/dns-message' }).end(Buffer.alloc(DOH_MAX_RESPONSE_BYTES + 1)));
    oversizedUrl = await listen(oversized);
  });
  after(async () => {
    doh?.close();
    oversized?.close();
    await secondary?.stop();
    await primary?.stop();
  });

  test('cnameStrategy None keeps _acme-challenge.<name>; Follow follows the chain into another zone', async () => {
    const lookup = firstAnswering([primary.nameserver]);
    assert.equal(await resolveChallengeRecord('delegated.example.test', 'None', lookup), '_acme-challenge.delegated.example.test.');
    assert.equal(await resolveChallengeRecord('*.delegated.example.test', 'Follow', lookup), '_acme-challenge.final.challenges.test.');
    assert.equal(await resolveChallengeRecord('plain.example.test', 'Follow', lookup), '_acme-challenge.plain.example.test.');
    await assert.rejects(resolveChallengeRecord('loop.example.test', 'Follow', lookup), /CNAME loop at _acme-challenge\.loop\.example\.test\./);
  });

  test('resolveDns01Request: a wildcard challenge delegated by CNAME resolves to the target record and zone', async () => {
    const lookup = firstAnswering([primary.nameserver]);
    const challenge = { uid: 'u1', dnsName: '*.delegated.example.test', key: 'k', resourceNamespace: 'team-a', allowAmbientCredentials: false };
    assert.deepEqual(await resolveDns01Request(challenge, { cnameStrategy: 'Follow', webhook: { solverName: 'x' } }, lookup), {
      ...challenge,
      dnsName: 'delegated.example.test',
      resolvedFQDN: '_acme-challenge.final.challenges.test.',
      resolvedZone: 'challenges.test.',
    });
    const plain = await resolveDns01Request(challenge, { webhook: { solverName: 'x' } }, lookup);
    assert.equal(plain.resolvedFQDN, '_acme-challenge.delegated.example.test.');
    assert.equal(plain.resolvedZone, 'example.test.');
  });

  test('the zone apex is the closest name with its own SOA', async () => {
    const lookup = firstAnswering([primary.nameserver]);
    assert.equal(await findZoneApex('_acme-challenge.a.b.example.test.', lookup), 'example.test.');
    assert.equal(await findZoneApex('_acme-challenge.final.challenges.test', lookup), 'challenges.test.');
    assert.equal(await findZoneApex('example.test.', lookup), 'example.test.');
    // bind9 without recursion refuses names outside its zones: an error, never a guessed zone
    await assert.rejects(findZoneApex('www.unknown.invalid.', lookup), /finding the zone of www\.unknown\.invalid\.: lookup at www\.unknown\.invalid\. failed: .*EREFUSED/);
  });

  test('authoritative check: every nameserver of the zone must have the value', async () => {
    const options = { recursiveNameservers: [primary.nameserver], authoritativePort: primary.port, timeoutMs: 1000 };
    const fqdn = '_acme-challenge.auth.example.test.';
    const before = await checkTxtPropagated(fqdn, 'auth-value', options);
    assert.equal(before.propagated, false);
    assert.match(before.detail, /does not have the challenge value yet \(no TXT record\)/);

    await write(primary, fqdn, 'auth-value');
    const lagging = await checkTxtPropagated(fqdn, 'auth-value', options);
    assert.equal(lagging.propagated, false);
    assert.match(lagging.detail, new RegExp(`at ns2\\.example\\.test \\(127\\.0\\.0\\.2:${primary.port}\\) does not have`));

    secondary.txt.set(fqdn.slice(0, -1), ['other-value']);
    assert.match((await checkTxtPropagated(fqdn, 'auth-value', options)).detail, /other values \["other-value"\]/);
    secondary.txt.set(fqdn.slice(0, -1), ['other-value', 'auth-value']);
    const done = await checkTxtPropagated(fqdn, 'auth-value', options);
    assert.deepEqual(done.propagated, true, done.detail);
    assert.match(done.detail, /ns\.example\.test \(127\.0\.0\.1:\d+\), ns2\.example\.test \(127\.0\.0\.2:\d+\)|ns2\.example\.test \(127\.0\.0\.2:\d+\), ns\.example\.test/);
  });

  test('recursive-only: each listed server, classic or DoH, must return the value', async () => {
    const fqdn = '_acme-challenge.recursive.example.test.';
    await write(primary, fqdn, 'rec-value');
    const both = { recursiveNameservers: [dohUrl, primary.nameserver, `127.0.0.2:${primary.port}`], recursiveOnly: true, fetch: viaHttp, timeoutMs: 1000 };
    const partial = await checkTxtPropagated(fqdn, 'rec-value', both);
    assert.equal(partial.propagated, false);
    assert.match(partial.detail, new RegExp(`at 127\\.0\\.0\\.2:${primary.port} does not have`));
    const viaDoh = await checkTxtPropagated(fqdn, 'rec-value', { ...both, recursiveNameservers: [dohUrl, primary.nameserver] });
    assert.equal(viaDoh.propagated, true, viaDoh.detail);
    assert.equal((await checkTxtPropagated(fqdn, 'nope', { ...both, recursiveNameservers: [dohUrl] })).propagated, false);
  });

  test('DoH answers the zone walk too; an oversized DoH body and an unreachable server are reported, not thrown', async () => {
    const doHOnly = { recursiveNameservers: [dohUrl], fetch: viaHttp, authoritativePort: primary.port, timeoutMs: 1000 };
    const fqdn = '_acme-challenge.dohwalk.example.test.';
    await write(primary, fqdn, 'walk-value');
    secondary.txt.set(fqdn.slice(0, -1), ['walk-value']);
    const walked = await checkTxtPropagated(fqdn, 'walk-value', doHOnly);
    assert.equal(walked.propagated, true, walked.detail);

    const big = await checkTxtPropagated(fqdn, 'walk-value', { ...doHOnly, recursiveNameservers: [oversizedUrl], recursiveOnly: true });
    assert.equal(big.propagated, false);
    assert.match(big.detail, /exceeds 131072 bytes/);
    const unreachable = await checkTxtPropagated(fqdn, 'walk-value', { recursiveNameservers: ['127.0.0.1:9'], timeoutMs: 200 });
    assert.equal(unreachable.propagated, false);
    assert.match(unreachable.detail, /^TXT _acme-challenge\.dohwalk\.example\.test\.: finding the zone/);
  });
});

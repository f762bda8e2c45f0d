/** The rfc2136 provider against a real bind9 on 127.0.0.1: every TSIG algorithm, UDP and TCP, failures. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { namedMissing, startBind9, type Bind9, type Bind9Key } from '../../../e2e/dns/bind9.js';
import type { ACMEChallengeSolverDNS01 } from '../../../api/types.js';
import { createRfc2136Provider } from '../../../solvers/dns01/rfc2136.js';
import { parseNameserver } from '../../../solvers/dns01/dns-transport.js';
import { parseTsigAlgorithm } from '../../../solvers/dns01/tsig.js';
import { dns01Request, secretsContext } from './helpers.js';

const ALGORITHMS = ['HMACMD5', 'HMACSHA1', 'HMACSHA256', 'HMACSHA512'] as const;

describe('rfc2136 nameserver and algorithm parsing', () => {
  test('host[:port] with port 53 by default, IPv6 bracketed', () => {
    assert.deepEqual(parseNameserver('1.2.3.4'), { host: '1.2.3.4', port: 53 });
    assert.deepEqual(parseNameserver('1.2.3.4:5353'), { host: '1.2.3.4', port: 5353 });
    assert.deepEqual(parseNameserver('ns.example.com:54'), { host: 'ns.example.com', port: 54 });
    assert.deepEqual(parseNameserver('[2001:db8::1]'), { host: '2001:db8::1', port: 53 });
    assert.deepEqual(parseNameserver('[2001:db8::1]:5353'), { host: '2001:db8::1', port: 5353 });
    assert.deepEqual(parseNameserver('2001:db8::1'), { host: '2001:db8::1', port: 53 });
    for (const bad of ['', ':53', '1.2.3.4:', '1.2.3.4:99999', '1.2.3.4:abc', '[::1]x']) {
      assert.throws(() => parseNameserver(bad), /invalid nameserver/, bad);
    }
  });

  test('tsigAlgorithm is case-insensitive, HMACMD5 by default, unknown names rejected', () => {
    assert.equal(parseTsigAlgorithm(undefined), 'HMACMD5');
    assert.equal(parseTsigAlgorithm('hmacsha256'), 'HMACSHA256');
    assert.throws(() => parseTsigAlgorithm('HMACSHA384'), /unsupported TSIG algorithm "HMACSHA384"/);
  });
});

describe('rfc2136 against bind9', { skip: namedMissing() }, () => {
  let bind: Bind9;
  const txt = new Resolver({ timeout: 1000, tries: 2 });

  before(async () => {
    bind = await startBind9({ zones: ['example.test'], keys: ALGORITHMS.map((algorithm) => ({ algorithm })) });
    txt.setServers([bind.nameserver]);
  });
  after(() => bind?.stop());

  const keyFor = (algorithm: string): Bind9Key => bind.keys.find((k) => k.algorithm === algorithm)!;
  const solver = (key: Bind9Key, extra: Partial<NonNullable<ACMEChallengeSolverDNS01['rfc2136']>> = {}): ACMEChallengeSolverDNS01 => ({
    rfc2136: {
      nameserver: bind.nameserver,
      tsigKeyName: key.name,
      tsigAlgorithm: key.algorithm,
      tsigSecretSecretRef: { name: 'tsig', key: 'secret' },
      ...extra,
    },
  });
  const contextWith = (key: Bind9Key) => secretsContext({ 'team-a/tsig': { secret: key.secret } });
  const values = async (fqdn: string): Promise<string[]> => {
    try {
      return (await txt.resolveTxt(fqdn)).map((chunks) => chunks.join('')).sort();
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOTFOUND' || (err as { code?: string }).code === 'ENODATA') return [];
      throw err;
    }
  };

  for (const algorithm of ALGORITHMS) {
    for (const protocol of ['UDP', 'TCP'] as const) {
      test(`${algorithm} over ${protocol}: present writes the TXT value, cleanUp removes it`, async () => {
        const provider = createRfc2136Provider();
        const key = keyFor(algorithm);
        const request = dns01Request({ resolvedFQDN: `_acme-challenge.${algorithm.toLowerCase()}-${protocol.toLowerCase()}.example.test.` });
        await provider.present(request, solver(key, { protocol }), contextWith(key));
        assert.deepEqual(await values(request.resolvedFQDN), [request.key]);
        await provider.cleanUp(request, solver(key, { protocol }), contextWith(key));
        assert.deepEqual(await values(request.resolvedFQDN), []);
      });
    }
  }

  test('present twice leaves one value; cleanUp of one value leaves the others', async () => {
    const provider = createRfc2136Provider();
    const key = keyFor('HMACSHA256');
    const first = dns01Request({ resolvedFQDN: '_acme-challenge.shared.example.test.', key: 'value-one' });
    const second = { ...first, uid: 'challenge-uid-2', key: 'value-two' };
    await provider.present(first, solver(key), contextWith(key));
    await provider.present(first, solver(key), contextWith(key));
    await provider.present(second, solver(key), contextWith(key));
    assert.deepEqual(await values(first.resolvedFQDN), ['value-one', 'value-two']);
    await provider.cleanUp(first, solver(key), contextWith(key));
    assert.deepEqual(await values(first.resolvedFQDN), ['value-two']);
    // cleaning up an absent value is not an error (a retried CleanUp)
    await provider.cleanUp(first, solver(key), contextWith(key));
    assert.deepEqual(await values(first.resolvedFQDN), ['value-two']);
  });

  test('a wrong secret is rejected with the TSIG error named (BADSIG), nothing written', async () => {
    const provider = createRfc2136Provider();
    const key = keyFor('HMACSHA256');
    const wrong = { ...key, secret: Buffer.alloc(32, 7).toString('base64') };
    const request = dns01Request({ resolvedFQDN: '_acme-challenge.badsig.example.test.' });
    await assert.rejects(provider.present(request, solver(key), contextWith(wrong)), /add of TXT _acme-challenge\.badsig\.example\.test\. .*failed: NOTAUTH \(TSIG error BADSIG\)/);
    assert.deepEqual(await values(request.resolvedFQDN), []);
  });

  test('an unknown key name is BADKEY; an unsigned update is REFUSED; a stale clock is BADTIME', async () => {
    const key = keyFor('HMACSHA256');
    const request = dns01Request({ resolvedFQDN: '_acme-challenge.refused.example.test.' });
    await assert.rejects(
      createRfc2136Provider().present(request, solver({ ...key, name: 'no-such-key' }), contextWith(key)),
      /failed: NOTAUTH \(TSIG error BADKEY\)/,
    );
    await assert.rejects(
      createRfc2136Provider().present(request, { rfc2136: { nameserver: bind.nameserver } }, secretsContext({})),
      /failed: REFUSED$/,
    );
    const lateClock = createRfc2136Provider({ nowSeconds: () => Math.floor(Date.now() / 1000) - 3600 });
    await assert.rejects(lateClock.present(request, solver(key), contextWith(key)), /failed: NOTAUTH \(TSIG error BADTIME\)/);
    assert.deepEqual(await values(request.resolvedFQDN), []);
  });

  test('a zone the server is not authoritative for is NOTAUTH; a missing Secret names it', async () => {
    const key = keyFor('HMACSHA256');
    const elsewhere = dns01Request({ resolvedFQDN: '_acme-challenge.www.other.test.', resolvedZone: 'other.test.' });
    await assert.rejects(createRfc2136Provider().present(elsewhere, solver(key), contextWith(key)), /failed: NOTAUTH/);
    await assert.rejects(createRfc2136Provider().present(dns01Request(), solver(key), secretsContext({})), /Secret team-a\/tsig not found/);
  });

  test('a nameserver that does not answer fails within the timeout, naming the server', async () => {
    const key = keyFor('HMACSHA256');
    const silent = createRfc2136Provider({ timeoutMs: 100 });
    await assert.rejects(
      silent.present(dns01Request(), solver(key, { nameserver: '127.0.0.1:9' }), contextWith(key)),
      /at 127\.0\.0\.1:9 failed: (no UDP reply|UDP to)/,
    );
  });
});

/**
 * R3 DNS faults: DNS-01 through the rfc2136 provider against bind9 and Pebble, with every DNS
 * message the controller sends (zone lookups, the update, the self-check) going through a relay
 * that first answers SERVFAIL, then drops messages (timeouts), then forwards. While the faults last
 * the Challenge's reason says what failed, the controller's DNS traffic stays under a per-second
 * ceiling (no hot loop), and once the faults stop the Certificate issues.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Certificate } from '../../api/types.js';
import { namedMissing, rfc2136SolverFor, startBind9, type Bind9 } from '../dns/bind9.js';
import { pebbleMissing, TEST_ZONE } from '../acme/pebble.js';
import {
  acmeIssuerSpec,
  condition,
  createCertificate,
  createIssuer,
  createSecret,
  NAMESPACE,
  rand,
  startAcmeEnv,
  waitFor,
  waitForCertificateReady,
  waitForIssuerReady,
  type AcmeEnv,
} from '../acme/harness.js';
import { startDnsFaultRelay, type DnsFault, type DnsFaultRelay } from './dns-fault-relay.js';

const skip = pebbleMissing() || namedMissing();
/**
 * One presentation attempt asks ~10 questions (SOA and CNAME per enclosing name, the update);
 * c-ares retries a dropped one once. A hot loop would ask hundreds per second.
 */
const MAX_QUERIES_PER_SECOND = 40;

let bind: Bind9;
let relay: DnsFaultRelay;
let env: AcmeEnv;
const CERTIFICATE = 'dns-faults';
/** Issued while only the self-check's TXT lookups fail (the update and zone lookups pass). */
const SELF_CHECK_CERTIFICATE = 'dns-faults-self-check';
/** Every distinct Challenge reason seen, with the fault the relay was applying at the time. */
const reasonsSeen: Array<{ fault: DnsFault; reason: string }> = [];
/** The Certificate's Ready condition while the faults lasted. */
let readyDuringFaults: ReturnType<typeof condition>;
const faultWindows: Array<{ fault: DnsFault; from: number; to: number }> = [];
let fault: DnsFault = 'pass';
let certificate: Certificate;
let selfCheckCertificate: Certificate;
const selfCheckName = `www.s${rand()}.${TEST_ZONE}`;

function setFault(next: DnsFault): void {
  const now = Date.now();
  if (faultWindows.length > 0) faultWindows.at(-1)!.to = now;
  faultWindows.push({ fault: next, from: now, to: Infinity });
  fault = next;
  relay.setFault(next);
}

function challengeReasons(): string[] {
  return env.manager.acme!.challenges.list(NAMESPACE).map((c) => c.status?.reason ?? '');
}

/** Waits until a Challenge reason matches `pattern`, recording every reason seen meanwhile. */
async function waitForReason(pattern: RegExp, what: string): Promise<void> {
  await waitFor(
    () => {
      for (const reason of challengeReasons()) {
        if (reason && !reasonsSeen.some((r) => r.reason === reason)) reasonsSeen.push({ fault, reason });
      }
      return challengeReasons().some((r) => pattern.test(r)) || undefined;
    },
    `${what}; reasons seen: ${JSON.stringify(reasonsSeen)}`,
    30_000,
  );
}

before(async () => {
  if (skip) return;
  bind = await startBind9({ zones: [TEST_ZONE], keys: [{ algorithm: 'HMACSHA256' }] });
  relay = await startDnsFaultRelay(bind);
  env = await startAcmeEnv(
    { dns: bind },
    // Zone lookups, the authoritative self-check (bind's NS record names 127.0.0.1) and the update all reach the relay.
    { dns01RecursiveNameservers: [relay.nameserver], dns01AuthoritativePort: relay.port, checkRetryPeriodMs: 1_000 },
  );
  const { solver, secretData } = rfc2136SolverFor(bind);
  await createSecret(env, 'tsig-secret', secretData);
  await createIssuer(env, 'dns', acmeIssuerSpec(env.pebble, { solvers: [{ dns01: { ...solver, rfc2136: { ...solver.rfc2136!, nameserver: relay.nameserver } } }] }));
  await waitForIssuerReady(env, 'dns');

  setFault('servfail');
  await createCertificate(env, CERTIFICATE, 'dns', { dnsNames: [`www.d${rand()}.${TEST_ZONE}`] });
  await waitForReason(/SERVFAIL/, 'a Challenge reason naming SERVFAIL');
  setFault('drop');
  await waitForReason(/TIMEOUT|timed out|within \d+ ms/i, 'a Challenge reason naming a timeout');
  readyDuringFaults = condition(env.manager.informers.certificates.get({ namespace: NAMESPACE, name: CERTIFICATE }), 'Ready');
  setFault('pass');
  certificate = await waitForCertificateReady(env, CERTIFICATE, 40_000);

  setFault('servfail-txt');
  await createCertificate(env, SELF_CHECK_CERTIFICATE, 'dns', { dnsNames: [selfCheckName] });
  await waitForReason(/propagation.*SERVFAIL/, 'a Challenge reason naming the self-check\'s SERVFAIL');
  setFault('pass');
  selfCheckCertificate = await waitForCertificateReady(env, SELF_CHECK_CERTIFICATE, 40_000);
  faultWindows.at(-1)!.to = Date.now();
  console.log(`# windows ${JSON.stringify(faultWindows.map((w) => ({ fault: w.fault, ms: w.to - w.from })))}, ${relay.queries.length} DNS messages, reasons ${JSON.stringify(reasonsSeen)}`);
});

after(async () => {
  await env?.close();
  await relay?.close();
  await bind?.stop();
});

test('while bind answers SERVFAIL through the relay, the Challenge says so', { skip }, () => {
  const reason = reasonsSeen.find((r) => /SERVFAIL/.test(r.reason));
  assert.ok(reason, JSON.stringify(reasonsSeen));
  assert.match(reason.reason, /acme\.test/, 'the reason names what was looked up');
});

test('while DNS messages go unanswered, the Challenge says it timed out', { skip }, () => {
  assert.ok(reasonsSeen.some((r) => r.fault === 'drop' && /TIMEOUT|timed out|within \d+ ms/i.test(r.reason)), JSON.stringify(reasonsSeen));
});

test('when only the self-check fails (SERVFAIL for TXT), the Challenge says it is waiting for propagation, then the Certificate issues', { skip }, () => {
  const reason = reasonsSeen.find((r) => r.fault === 'servfail-txt' && /propagation/.test(r.reason));
  assert.ok(reason, JSON.stringify(reasonsSeen));
  assert.match(reason.reason, /SERVFAIL/);
  assert.equal(condition(selfCheckCertificate, 'Ready')?.status, 'True');
});

test("a Challenge's zone is looked up once, not again by each re-presentation, self-check and the clean-up", { skip }, () => {
  const zoneWalks = relay.queries.filter((q) => q.question === `_acme-challenge.${selfCheckName} SOA`);
  assert.equal(zoneWalks.length, 1, JSON.stringify(relay.queries.filter((q) => q.question.includes(selfCheckName))));
});

test('the Certificate waits as not Ready while the faults last, then issues', { skip }, () => {
  assert.equal(readyDuringFaults?.status, 'False', JSON.stringify(readyDuringFaults));
  assert.equal(condition(certificate, 'Ready')?.status, 'True');
});

test('no hot loop: DNS messages per second stay under a ceiling, faulted or not', { skip }, () => {
  const perSecond = new Map<number, number>();
  for (const q of relay.queries) perSecond.set(Math.floor(q.at / 1000), (perSecond.get(Math.floor(q.at / 1000)) ?? 0) + 1);
  const busiest = Math.max(...perSecond.values());
  assert.ok(busiest <= MAX_QUERIES_PER_SECOND, `${busiest} DNS messages in one second: ${JSON.stringify(relay.queries.slice(-40))}`);
  for (const window of faultWindows.filter((w) => w.fault !== 'pass')) {
    const faulted = relay.queries.filter((q) => q.at >= window.from && q.at <= window.to && q.action !== 'pass').length;
    const seconds = (window.to - window.from) / 1000;
    assert.ok(faulted > 0, `no message met the ${window.fault} fault`);
    assert.ok(faulted / Math.max(seconds, 1) <= MAX_QUERIES_PER_SECOND / 2, `${faulted} messages in ${seconds} s of ${window.fault}`);
  }
});

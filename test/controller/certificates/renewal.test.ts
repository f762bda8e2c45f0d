import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRenewalWindows, certificateHashFraction, renewalTime } from '../../../controller/certificates/renewal.js';
import type { CertificateRenewalWindow } from '../../../api/types.js';
import { certificate, DAY_MS, HOUR_MS } from './fixtures.js';

const notBefore = new Date('2030-01-01T00:00:00Z');
const notAfter = new Date(notBefore.getTime() + 90 * DAY_MS);
const iso = (d: Date | undefined) => d?.toISOString();

describe('renewal time before jitter and windows', () => {
  test('defaults to two thirds of the actual lifetime', () => {
    const result = renewalTime({ notBefore, notAfter, certificate: certificate(), jitter: 0 });
    assert.equal(iso(result?.time), '2030-03-02T00:00:00.000Z');
    assert.equal(result?.windowError, undefined);
  });
  test('renewBefore and renewBeforePercentage', () => {
    assert.equal(iso(renewalTime({ notBefore, notAfter, certificate: certificate({ renewBefore: '240h' }), jitter: 0 })?.time), '2030-03-22T00:00:00.000Z');
    assert.equal(iso(renewalTime({ notBefore, notAfter, certificate: certificate({ renewBeforePercentage: 50 }), jitter: 0 })?.time), '2030-02-15T00:00:00.000Z');
  });
  test('a renewBefore longer than the actual lifetime falls back to one third', () => {
    assert.equal(iso(renewalTime({ notBefore, notAfter, certificate: certificate({ renewBefore: '3000h' }), jitter: 0 })?.time), '2030-03-02T00:00:00.000Z');
  });
  test('is truncated to the second', () => {
    const odd = new Date(notAfter.getTime() + 1500);
    assert.equal(renewalTime({ notBefore, notAfter: odd, certificate: certificate(), jitter: 0 })!.time.getTime() % 1000, 0);
  });
  test('policy Disabled has no renewal time, even with an ARI window', () => {
    const disabled = certificate({ renewal: { policy: 'Disabled' } });
    assert.equal(renewalTime({ notBefore, notAfter, certificate: disabled }), undefined);
    assert.equal(renewalTime({ notBefore, notAfter, certificate: disabled, ariWindow: { start: notBefore, end: notAfter } }), undefined);
  });
});

describe('per-Certificate jitter', () => {
  const unjittered = notAfter.getTime() - 30 * DAY_MS;
  test('the same Certificate always gets the same time', () => {
    const a = renewalTime({ notBefore, notAfter, certificate: certificate({}, { uid: 'u-1' }) });
    const b = renewalTime({ notBefore, notAfter, certificate: certificate({}, { uid: 'u-1' }) });
    assert.equal(iso(a?.time), iso(b?.time));
  });
  test('subtracts less than the configured share of the renew-before window, whole seconds', () => {
    for (let i = 0; i < 200; i++) {
      const time = renewalTime({ notBefore, notAfter, certificate: certificate({}, { uid: `uid-${i}` }) })!.time.getTime();
      assert.ok(time <= unjittered && time > unjittered - 0.1 * 30 * DAY_MS - 1000, `uid-${i}: ${new Date(time).toISOString()}`);
      assert.equal(time % 1000, 0);
    }
  });
  test('certificates issued together spread out', () => {
    const times = new Set(Array.from({ length: 100 }, (_, i) => renewalTime({ notBefore, notAfter, certificate: certificate({}, { uid: `uid-${i}` }) })!.time.getTime()));
    assert.ok(times.size > 95, `only ${times.size} distinct renewal times of 100`);
  });
  test('the hash fraction is spread evenly over [0, 1)', () => {
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 2000; i++) buckets[Math.floor(certificateHashFraction(certificate({}, { uid: `c-${i}` })) * 10)]!++;
    // Expected 200 per bucket; a uniform hash stays well within ±50 (that is over 3.5 standard deviations).
    for (const count of buckets) assert.ok(count > 150 && count < 250, `bucket counts ${buckets.join(',')}`);
  });
  test('falls back to namespace/name before the Certificate has a uid', () => {
    const a = certificateHashFraction(certificate({}, { uid: undefined, name: 'a' }));
    assert.equal(a, certificateHashFraction(certificate({}, { uid: undefined, name: 'a' })));
    assert.notEqual(a, certificateHashFraction(certificate({}, { uid: undefined, name: 'b' })));
  });
  test('the largest share is configurable and checked', () => {
    const crt = certificate({}, { uid: 'u-2' });
    const small = renewalTime({ notBefore, notAfter, certificate: crt, jitter: 0.1 })!.time.getTime();
    const large = renewalTime({ notBefore, notAfter, certificate: crt, jitter: 0.5 })!.time.getTime();
    const fraction = certificateHashFraction(crt);
    assert.ok(Math.abs(unjittered - large - fraction * 0.5 * 30 * DAY_MS) < 1000);
    assert.ok(large <= small);
    assert.throws(() => renewalTime({ notBefore, notAfter, certificate: crt, jitter: 1 }), RangeError);
    assert.throws(() => renewalTime({ notBefore, notAfter, certificate: crt, jitter: -0.1 }), RangeError);
  });
});

describe('renewal windows', () => {
  const desiredAt = new Date('2030-03-02T00:00:00Z'); // a Saturday
  const windowed = (windows: CertificateRenewalWindow[]) => applyRenewalWindows(desiredAt, notBefore, notAfter, windows);

  test('a desired time inside a window stands', () => {
    assert.deepEqual(windowed([{ cron: '0 22 * * *', windowDuration: '4h' }]), { time: desiredAt });
  });
  test('otherwise the next window start is used', () => {
    assert.equal(iso(windowed([{ cron: '0 9 * * 1-5', windowDuration: '8h' }]).time), '2030-03-04T09:00:00.000Z');
  });
  test('the earliest start over all windows wins', () => {
    const result = windowed([
      { cron: '0 9 * * 1-5', windowDuration: '1h' },
      { cron: '30 3 * * *', windowDuration: '1h' },
    ]);
    assert.equal(iso(result.time), '2030-03-02T03:30:00.000Z');
  });
  test('cron is evaluated in the window time zone', () => {
    // 02:00 in Berlin is 01:00 UTC in winter.
    assert.equal(iso(windowed([{ cron: '0 2 * * *', windowDuration: '30m', timezone: 'Europe/Berlin' }]).time), '2030-03-02T01:00:00.000Z');
    assert.equal(iso(windowed([{ cron: '0 2 * * *', windowDuration: '30m', timezone: 'America/New_York' }]).time), '2030-03-02T07:00:00.000Z');
  });
  test('renewalTime applies the windows to the jittered time', () => {
    const crt = certificate({ renewal: { policy: 'RenewBefore', windows: [{ cron: '0 9 * * 1-5', windowDuration: '8h' }] } });
    const result = renewalTime({ notBefore, notAfter, certificate: crt, jitter: 0 });
    assert.equal(iso(result?.time), '2030-03-04T09:00:00.000Z');
  });
  test('no window start before the search ends is a WindowError with the desired time', () => {
    const result = windowed([{ cron: '0 0 1 1 *', windowDuration: '1h' }]); // next 1 January is past notAfter + 1h
    assert.deepEqual(result.time, desiredAt);
    assert.match(result.windowError!, /^cannot find a time with the given windows for: 2030-03-02T00:00:00.000Z$/);
  });
  test('bad time zones, cron expressions and durations are WindowErrors', () => {
    assert.match(windowed([{ cron: '0 2 * * *', windowDuration: '1h', timezone: 'Mars/Olympus' }]).windowError!, /timezone/);
    assert.match(windowed([{ cron: '0 0 2 * * *', windowDuration: '1h' }]).windowError!, /cron.*5 fields/);
    assert.match(windowed([{ cron: '99 2 * * *', windowDuration: '1h' }]).windowError!, /cron/);
    assert.match(windowed([{ cron: '0 2 * * *', windowDuration: 'soon' }]).windowError!, /windowDuration/);
  });
  test('an expression that never matches has no window', () => {
    assert.ok(windowed([{ cron: '0 0 30 2 *', windowDuration: '1h' }]).windowError);
  });
});

describe('ACME renewal information window', () => {
  const start = new Date('2030-03-01T00:00:00Z');
  const end = new Date(start.getTime() + 10 * HOUR_MS);
  test('picks the injected random point of [start, end), truncated to the second', () => {
    assert.equal(iso(renewalTime({ notBefore, notAfter, certificate: certificate(), ariWindow: { start, end }, random: () => 0.5 })?.time), '2030-03-01T05:00:00.000Z');
    assert.equal(iso(renewalTime({ notBefore, notAfter, certificate: certificate(), ariWindow: { start, end }, random: () => 0 })?.time), iso(start));
    const last = renewalTime({ notBefore, notAfter, certificate: certificate(), ariWindow: { start, end }, random: () => 0.99999999 })!.time;
    assert.ok(last < end && last.getTime() % 1000 === 0);
  });
  test('an empty window means its start; the default source stays inside the window', () => {
    assert.equal(iso(renewalTime({ notBefore, notAfter, certificate: certificate(), ariWindow: { start, end: start } })?.time), iso(start));
    for (let i = 0; i < 20; i++) {
      const t = renewalTime({ notBefore, notAfter, certificate: certificate(), ariWindow: { start, end } })!.time;
      assert.ok(t >= start && t < end);
    }
  });
});

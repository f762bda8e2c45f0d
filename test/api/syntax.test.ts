import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cronProblem,
  dns1123SubdomainProblems,
  emailAddressProblem,
  isAbsoluteURI,
  isCIDR,
  isHostPort,
  isIPAddress,
  isObjectIdentifier,
  isTimezone,
  labelValueProblems,
  qualifiedNameProblems,
  validateAnnotations,
} from '../../api/validation/syntax.js';
import { messages } from './builders.js';

test('DNS-1123 subdomains', () => {
  for (const ok of ['a', 'example-tls', 'a.b.c', '0-0']) assert.deepEqual(dns1123SubdomainProblems(ok), [], ok);
  for (const bad of ['', 'A', '-a', 'a-', 'a_b', 'a..b', 'a.']) assert.equal(dns1123SubdomainProblems(bad).length, 1, bad);
  assert.deepEqual(dns1123SubdomainProblems('a'.repeat(254))[0], 'must be no more than 253 characters');
});

test('qualified names and label values', () => {
  for (const ok of ['app', 'app.kubernetes.io/name', 'A_b-c.d', 'example.com/X']) assert.deepEqual(qualifiedNameProblems(ok), [], ok);
  assert.deepEqual(qualifiedNameProblems('/name'), ['prefix part must be non-empty']);
  assert.deepEqual(qualifiedNameProblems('example.com/'), [
    'name part must be non-empty',
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
  assert.equal(qualifiedNameProblems('Example.com/x')[0]!.startsWith('prefix part a lowercase RFC 1123 subdomain'), true);
  assert.equal(qualifiedNameProblems('x'.repeat(64))[0], 'name part must be no more than 63 characters');
  assert.deepEqual(labelValueProblems(''), []);
  assert.deepEqual(labelValueProblems('v1.2_3-x'), []);
  assert.equal(labelValueProblems('x'.repeat(64))[0], 'must be no more than 63 characters');
});

test('annotations: keys checked case-insensitively, 256 KiB in total', () => {
  assert.deepEqual(validateAnnotations({ 'Example.com/Key': 'v' }, 'a'), []);
  assert.deepEqual(messages(validateAnnotations({ big: 'x'.repeat(256 * 1024) }, 'a')), ['a: Too long: may not be more than 262144 bytes']);
});

test('IP addresses and CIDRs like Go', () => {
  for (const ok of ['1.2.3.4', '::1', '2001:db8::1', '::ffff:1.2.3.4']) assert.equal(isIPAddress(ok), true, ok);
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', 'fe80::1%eth0', '[::1]', 'example.com', '']) assert.equal(isIPAddress(bad), false, bad);
  for (const ok of ['10.0.0.0/8', '0.0.0.0/0', '::/0', '2001:db8::/128']) assert.equal(isCIDR(ok), true, ok);
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '::/129', '10.0.0.0/-1', 'x/8', 'fe80::/10%eth0']) assert.equal(isCIDR(bad), false, bad);
});

test('email SANs must be bare addr-specs', () => {
  for (const ok of ['a@example.com', 'first.last+tag@sub.example.org', '"quoted local"@example.com', 'user@[192.168.0.1]', 'üser@exämple.com']) {
    assert.equal(emailAddressProblem(ok), undefined, ok);
  }
  assert.equal(emailAddressProblem('Alice <a@example.com>'), 'invalid email address: make sure the supplied value only contains the email address itself');
  assert.equal(emailAddressProblem('<a@example.com>'), 'invalid email address: make sure the supplied value only contains the email address itself');
  assert.equal(emailAddressProblem('nobody'), "invalid email address: mail: missing '@' or angle-addr");
  assert.equal(emailAddressProblem('a@b@c'), 'invalid email address: mail: not a valid RFC 5322 address');
  assert.equal(emailAddressProblem('a..b@example.com'), 'invalid email address: mail: not a valid RFC 5322 address');
});

test('OIDs, URIs and host:port', () => {
  for (const ok of ['1.3.6.1.4.1.311.20.2.3', '2.5.4.3', '0.9']) assert.equal(isObjectIdentifier(ok), true, ok);
  for (const bad of ['1', '3.1', '1.2.', '1..2', 'a.b', '1.02']) assert.equal(isObjectIdentifier(bad), false, bad);
  assert.equal(isAbsoluteURI('spiffe://cluster.local/ns/a/sa/b'), true);
  assert.equal(isAbsoluteURI('urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66'), true);
  assert.equal(isAbsoluteURI('/relative/path'), false);
  assert.equal(isAbsoluteURI('has space://x'), false);
  for (const ok of ['ns1.example.com', 'ns1.example.com:5353', '10.0.0.1:53', '[2001:db8::1]:53', '2001:db8::1']) assert.equal(isHostPort(ok), true, ok);
  for (const bad of ['', ':53', 'host:0', 'host:65536', '[1.2.3.4]:53', 'a b:53', 'host:port']) assert.equal(isHostPort(bad), false, bad);
});

test('time zones: IANA names and aliases, exact case; UTC', () => {
  for (const ok of ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'US/Eastern', 'Etc/GMT+2']) assert.equal(isTimezone(ok), true, ok);
  for (const bad of ['Mars/Olympus', 'europe/london', 'Local', '+02:00', '']) assert.equal(isTimezone(bad), false, bad);
});

test('cron: exactly five fields, each in range', () => {
  for (const ok of ['0 2 * * *', '*/15 * * * *', '0 9-17 * * MON-FRI', '30 1 1,15 * *', '0 0 * JAN *']) assert.equal(cronProblem(ok), undefined, ok);
  assert.equal(cronProblem('@daily'), 'expected exactly 5 fields, found 1: "@daily"');
  assert.equal(cronProblem('0 0 2 * * *'), 'expected exactly 5 fields, found 6: "0 0 2 * * *"');
  assert.equal(cronProblem(''), 'expected exactly 5 fields, found 0: ""');
  assert.match(cronProblem('0 25 * * *')!, /25 is a invalid expression for hour/);
});

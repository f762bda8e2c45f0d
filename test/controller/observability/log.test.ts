import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger, parseLogLevel, redactSecrets, type LogLevel } from '../../../controller/observability/log.js';

function capture(level?: LogLevel) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level, destination });
  return { logger, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), raw: () => lines.join('\n') };
}

const pkcs8Pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
const pkcs1Pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs1' }) as string;
const ed25519Der = generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' });
const keyBodyLine = (pem: string) => pem.split('\n')[1]!;

test('child loggers carry controller, namespace and name on every line, as JSON with a level label', () => {
  const { logger, records } = capture('debug');
  logger.for('certificates', { namespace: 'apps', name: 'web' }).info({ revision: 3 }, 'issued certificate');
  logger.for('issuers').debug('synced');
  const [issued, synced] = records();
  assert.equal(issued!.controller, 'certificates');
  assert.equal(issued!.namespace, 'apps');
  assert.equal(issued!.name, 'web');
  assert.equal(issued!.revision, 3);
  assert.equal(issued!.msg, 'issued certificate');
  assert.equal(issued!.level, 'info');
  assert.equal(typeof issued!.time, 'string');
  assert.equal(synced!.controller, 'issuers');
  assert.equal('namespace' in synced!, false);
});

test('the level filters lines', () => {
  const { logger, records } = capture('warn');
  const log = logger.for('certificates');
  log.info('quiet');
  log.warn('loud');
  assert.deepEqual(records().map((r) => r.msg), ['loud']);
});

test('parseLogLevel accepts known levels case-insensitively and names the choices otherwise', () => {
  assert.equal(parseLogLevel('DEBUG'), 'debug');
  assert.equal(parseLogLevel(' silent '), 'silent');
  assert.throws(() => parseLogLevel('verbose'), /unknown log level "verbose": expected one of fatal, error, warn, info, debug, trace, silent/);
});

test('private keys never reach a log line: fields, messages, error stacks, bindings, Secret data, Buffers', () => {
  const { logger, raw, records } = capture('trace');
  const log = logger.for('certificates', { namespace: 'apps', name: 'web' });
  log.info({ key: pkcs8Pem }, 'generated key');
  log.warn(`could not parse ${pkcs1Pem}`);
  log.error({ err: new Error(`bad key ${pkcs8Pem}`) }, 'signing failed');
  log.child({ leaked: pkcs1Pem }).debug('child binding');
  log.info({ secret: { data: { 'tls.key': Buffer.from(pkcs8Pem).toString('base64'), 'key.der': ed25519Der.toString('base64') } } }, 'secret');
  log.info({ der: ed25519Der }, 'raw bytes');
  log.info(`truncated ${pkcs8Pem.slice(0, 120)}`);

  const text = raw();
  assert.doesNotMatch(text, /PRIVATE KEY-----/);
  for (const pem of [pkcs8Pem, pkcs1Pem]) assert.ok(!text.includes(keyBodyLine(pem)), 'no line of a PEM body');
  assert.ok(!text.includes(ed25519Der.toString('base64')), 'no base64 DER key');
  assert.ok(!text.includes(Buffer.from(pkcs8Pem).toString('base64').slice(0, 40)), 'no base64-encoded PEM');
  assert.doesNotMatch(text, /"type":"Buffer"/, 'no Buffer byte array');
  // Lines stay valid JSON and keep everything else.
  const all = records();
  assert.equal(all.length, 7);
  assert.equal(all[0]!.msg, 'generated key');
  assert.equal(all[0]!.key, '[REDACTED private key]\n');
  assert.equal(all[2]!.msg, 'signing failed');
  assert.equal(all[3]!.name, 'web');
});

test('redactSecrets leaves ordinary log content alone', () => {
  const ordinary = JSON.stringify({
    msg: 'Issuing certificate as Secret does not exist',
    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    path: '/apis/cert-manager.io/v1/namespaces/default/certificates/a-fairly-long-certificate-name-for-testing',
    file: '/work/main/dist/controller/certificates/reconciler/policies/secretdoesnotexist.js',
    serial: '4f:3c:a2:9b:00:11',
    pem: '-----BEGIN CERTIFICATE-----',
  });
  assert.equal(redactSecrets(ordinary), ordinary);
});

test('redactSecrets removes a base64 blob of key size', () => {
  const blob = Buffer.from(Array.from({ length: 48 }, (_, i) => (i * 37 + 11) % 256)).toString('base64');
  assert.equal(redactSecrets(JSON.stringify({ v: blob })), JSON.stringify({ v: '[REDACTED base64]' }));
});

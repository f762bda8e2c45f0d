/**
 * R5's private-key scan, shared by the hygiene tests: collects every private key a run produces
 * (from every Secret version, watched from the start, plus keys handed in), captures the
 * controller's trace-level log, and checks that nothing a user or an operator can read — log
 * lines, Events, the status of every listed kind, the /metrics page — holds any of those keys as
 * a PEM block, base64 of its DER or hex of its DER (PKCS#8, and PKCS#1 or SEC1 where they apply).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { Manager } from '../../controller/manager.js';
import { createLogger, type ControllerLogger } from '../../controller/observability/log.js';
import { EVENTS, SECRETS, type ResourceType } from '../../controller/runtime/resources.js';
import type { WatchStream } from '../../controller/runtime/client.js';
import type { KubeSecret } from '../../issuers/backend.js';

export class KeyLeakScan {
  readonly logLines: string[] = [];
  /** A trace-level logger writing into `logLines`. */
  readonly logger: ControllerLogger;
  /** DER of every private key seen, by hex (deduplicated). */
  #keys = new Map<string, Buffer>();
  #watch: WatchStream | undefined;

  constructor() {
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    this.logger = createLogger({ level: 'trace', destination: sink });
  }

  get keyCount(): number {
    return this.#keys.size;
  }

  /** Collects the keys of every Secret version from now on (from the start of the API server's history). */
  watchSecrets(manager: Manager): void {
    this.#watch = manager.client.watch<KubeSecret>(SECRETS, { resourceVersion: '0' }, (event) => {
      if (event.type !== 'BOOKMARK') this.collectSecret(event.object as KubeSecret);
    });
  }

  stop(): void {
    this.#watch?.stop();
  }

  collectSecret(secret: KubeSecret): void {
    for (const [name, value] of Object.entries(secret.data ?? {})) {
      const text = Buffer.from(value, 'base64').toString('utf8');
      if (!/PRIVATE KEY-----/.test(text) && name !== 'key.der') continue;
      try {
        this.addKey(name === 'key.der' ? createPrivateKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'pkcs8' }) : createPrivateKey(text));
      } catch {
        // Not parseable (a deliberately corrupt Secret): nothing to look for.
      }
    }
  }

  /** Looks for `key` too: one that never sits in a Secret (an upstream CA's, say). */
  addKey(key: KeyObject): void {
    const encodings = [key.export({ format: 'der', type: 'pkcs8' })];
    if (key.asymmetricKeyType === 'rsa') encodings.push(key.export({ format: 'der', type: 'pkcs1' }));
    if (key.asymmetricKeyType === 'ec') encodings.push(key.export({ format: 'der', type: 'sec1' }));
    for (const der of encodings) this.#keys.set(der.toString('hex'), der);
  }

  /** Whether `key` is among those looked for. */
  holds(key: KeyObject): boolean {
    return this.#keys.has(key.export({ format: 'der', type: 'pkcs8' }).toString('hex'));
  }

  /** Every spelling of every key a reader could spot. */
  #needles(): { what: string; text: string }[] {
    const found: { what: string; text: string }[] = [];
    for (const der of this.#keys.values()) {
      found.push({ what: 'key DER as base64', text: der.toString('base64').slice(0, 48) });
      found.push({ what: 'key DER as hex', text: der.toString('hex').slice(0, 64) });
      // The tail holds the secret scalar for EC/Ed25519 keys; look for it on its own too.
      found.push({ what: 'key DER tail as base64', text: der.subarray(der.length - 32).toString('base64').slice(0, 40) });
      found.push({ what: 'key DER tail as hex', text: der.subarray(der.length - 32).toString('hex') });
    }
    return found;
  }

  assertClean(where: string, text: string): void {
    assert.doesNotMatch(text, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, `${where} holds a PEM private key`);
    for (const needle of this.#needles()) assert.ok(!text.includes(needle.text), `${where} holds a private key (${needle.what})`);
  }
}

export interface LeakScanTarget {
  scan: KeyLeakScan;
  manager: Manager;
}

/**
 * Declares the scans: keys were produced, and no log line, Event, status of `statusTypes` or
 * /metrics line holds one. `target` is read when the tests run (after the file's `before`).
 */
export function defineKeyLeakTests(target: () => LeakScanTarget, statusTypes: ResourceType[], options: { minKeys: number; minLogLines: number; skip?: string | false }): void {
  const { skip } = options;
  test('the run produced private keys to look for', { skip }, () => {
    assert.ok(target().scan.keyCount >= options.minKeys, `${target().scan.keyCount} keys seen, want ≥ ${options.minKeys}`);
  });

  test('no log line carries a private key', { skip }, () => {
    const { scan } = target();
    assert.ok(scan.logLines.length >= options.minLogLines, `${scan.logLines.length} log lines at trace level`);
    for (const [i, line] of scan.logLines.entries()) scan.assertClean(`log line ${i}`, line);
  });

  test('no Event carries a private key', { skip }, async () => {
    const { scan, manager } = target();
    const events = await manager.client.list(EVENTS, {});
    assert.ok(events.items.length > 5, `${events.items.length} Events`);
    scan.assertClean('events', JSON.stringify(events.items));
  });

  test('no status carries a private key', { skip }, async () => {
    const { scan, manager } = target();
    for (const type of statusTypes) {
      const list = await manager.client.list(type, {});
      scan.assertClean(type.resource, JSON.stringify(list.items.map((o) => (o as { status?: unknown }).status)));
    }
  });

  test('the metrics page carries no private key', { skip }, async () => {
    const { scan, manager } = target();
    const page = await (await fetch(`${manager.metricsUrl}/metrics`)).text();
    assert.match(page, /certmanager_certificate_expiration_timestamp_seconds/);
    scan.assertClean('/metrics', page);
  });
}

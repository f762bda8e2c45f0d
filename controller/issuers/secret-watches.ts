/**
 * Watches for the few Secrets issuers depend on (CA keypairs), so an issuer is re-checked the
 * moment its Secret is created, changed or deleted.
 *
 * Why not one informer over every Secret, as cert-manager has: that caches every Secret of the
 * cluster in memory, which certwright avoids (only Secrets it owns are cached in full). Why not
 * only a backoff timer: a CA Secret created right after its Issuer would wait up to minutes. So
 * each referenced Secret gets its own list+watch with the field selector `metadata.name=<name>` in
 * its namespace: the server sends events for that one Secret only, the cache holds at most one
 * object, and there are as many watches as distinct referenced Secrets (a handful; issuers are few).
 * The backoff re-check stays as a safety net for a watch that is down.
 */
import type { KubeSecret, SecretReference } from '../../issuers/backend.js';
import type { KubeClient } from '../runtime/client.js';
import { Informer } from '../runtime/informer.js';
import { keyOf } from '../runtime/keys.js';
import { SECRETS } from '../runtime/resources.js';
import type { TimerQueue } from '../runtime/timers.js';

export interface SecretWatchesOptions {
  client: KubeClient;
  timers: TimerQueue;
  /** Called with the keys of the issuers that reference a Secret that was added, changed or deleted. */
  onChange: (issuerKeys: string[]) => void;
  onError?: (err: unknown) => void;
}

interface WatchedSecret {
  informer: Informer<KubeSecret>;
  issuers: Set<string>;
}

export class SecretWatches {
  #options: SecretWatchesOptions;
  /** Secret key → its watch and the issuers referencing it. */
  #watched = new Map<string, WatchedSecret>();
  /** Issuer key → the Secret keys it references. */
  #references = new Map<string, Set<string>>();
  #stopping: Promise<void>[] = [];

  constructor(options: SecretWatchesOptions) {
    this.#options = options;
  }

  /** The Secret keys being watched (for tests and diagnostics). */
  get watchedSecrets(): string[] {
    return [...this.#watched.keys()];
  }

  /** Makes `issuerKey` reference exactly `secrets`: new ones are watched, ones no longer referenced by anyone are dropped. */
  track(issuerKey: string, secrets: readonly SecretReference[]): void {
    const wanted = new Set(secrets.filter((s) => s.namespace && s.name).map((s) => keyOf(s)));
    const previous = this.#references.get(issuerKey) ?? new Set<string>();
    for (const secretKey of previous) if (!wanted.has(secretKey)) this.#unreference(secretKey, issuerKey);
    for (const ref of secrets) {
      const secretKey = keyOf(ref);
      if (wanted.has(secretKey) && !previous.has(secretKey)) this.#reference(ref, secretKey, issuerKey);
    }
    if (wanted.size > 0) this.#references.set(issuerKey, wanted);
    else this.#references.delete(issuerKey);
  }

  /** The issuer is gone: stop watching what only it referenced. */
  release(issuerKey: string): void {
    this.track(issuerKey, []);
  }

  async stop(): Promise<void> {
    for (const secretKey of [...this.#watched.keys()]) this.#stopWatch(secretKey);
    this.#references.clear();
    await Promise.all(this.#stopping.splice(0));
  }

  #reference(ref: SecretReference, secretKey: string, issuerKey: string): void {
    let watched = this.#watched.get(secretKey);
    if (!watched) {
      const { client, timers, onChange, onError } = this.#options;
      const informer = new Informer<KubeSecret>({
        source: client.listerWatcher<KubeSecret>(SECRETS, { namespace: ref.namespace, fieldSelector: `metadata.name=${ref.name}` }),
        timers,
        ...(onError ? { onError } : {}),
      });
      const issuers = new Set<string>();
      const notify = () => onChange([...issuers]);
      informer.addEventHandler({ onAdd: notify, onUpdate: notify, onDelete: notify });
      watched = { informer, issuers };
      this.#watched.set(secretKey, watched);
      informer.start();
    }
    watched.issuers.add(issuerKey);
  }

  #unreference(secretKey: string, issuerKey: string): void {
    const watched = this.#watched.get(secretKey);
    if (!watched) return;
    watched.issuers.delete(issuerKey);
    if (watched.issuers.size === 0) this.#stopWatch(secretKey);
  }

  #stopWatch(secretKey: string): void {
    const watched = this.#watched.get(secretKey);
    if (!watched) return;
    this.#watched.delete(secretKey);
    const stopped = watched.informer.stop().finally(() => {
      this.#stopping = this.#stopping.filter((p) => p !== stopped);
    });
    this.#stopping.push(stopped);
  }
}
